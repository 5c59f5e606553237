import * as fs from "fs";
import * as path from "path";
import type { StackPlan } from "../preview";
import { readPolicyConfigFile } from "../policyPack/policyConfig";
import { findProject, PulumiProject, stackNameProblem } from "../workspace/project";
import { UsageError } from "../core/errors";
import { Command, cwdOption } from "./command";

/** The policy pack to run: the one given, or the project's policy-pack/ when it has one. */
function policyPackDir(project: PulumiProject, given: string | undefined): string | undefined {
  const dir = given === undefined ? path.join(project.root, "policy-pack") : path.resolve(given);
  if (fs.existsSync(path.join(dir, "PulumiPolicy.yaml"))) {
    return dir;
  }
  if (given !== undefined) {
    throw new UsageError(
      `--policy-pack ${given} is not a policy pack: it has no PulumiPolicy.yaml`,
    );
  }
  return undefined;
}

export const planCommand: Command = {
  summary: `plan <stack>                   Run the stack's program offline, under Pulumi's mocks, print what
                                 \`pulumi up\` would create, then run the policy pack on it as
                                 \`pulumi preview --policy-pack\` does. Exits 1 on a mandatory violation.`,
  options: {
    cwd: cwdOption,
    "policy-pack": {
      type: "string",
      help: "The policy pack. Default: policy-pack/ in the project, when there is one.",
    },
    "policy-pack-config": {
      type: "string",
      help: "The pack's config (JSON, as pulumi preview --policy-pack-config takes it).",
    },
    "skip-policy": { type: "boolean", help: "Do not run the policy pack." },
    "terraform-outputs": {
      type: "string",
      help: "Outputs (terraform output -json) for Terraform state in S3, which the offline plan cannot read.",
    },
  },
  async run(positionals, options) {
    if (positionals.length !== 1) {
      throw new UsageError(
        `plan takes one stack name, e.g. \`trusted-delivery plan dev\`; got ${positionals.length}`,
      );
    }
    const project = findProject(String(options.cwd ?? process.cwd()));
    const stackIssue = stackNameProblem(project, positionals[0], "the stack");
    if (stackIssue !== undefined) {
      throw new UsageError(stackIssue);
    }
    const packDir = options["skip-policy"]
      ? undefined
      : policyPackDir(project, options["policy-pack"] as string | undefined);
    const configFile = options["policy-pack-config"] as string | undefined;
    if (configFile !== undefined && packDir === undefined) {
      throw new UsageError("--policy-pack-config needs a policy pack: give --policy-pack <dir>");
    }
    const config =
      configFile === undefined
        ? undefined
        : { file: readPolicyConfigFile(configFile), source: configFile };
    const outputsFile = options["terraform-outputs"] as string | undefined;
    const terraformOutputs =
      outputsFile === undefined ? undefined : { "*": readJson(outputsFile, "--terraform-outputs") };
    // Loaded on use: the SDKs they bring are heavy, and other commands need none of them.
    const { startPolicySession, formatPolicyReport } = await import("../preview/policySession");
    // The pack starts, and analyzes each resource, while the program runs, as in the engine.
    const session = packDir === undefined ? undefined : startPolicySession(packDir, config);
    let plan: StackPlan;
    try {
      const { planStack } = await import("../preview");
      plan = await planStack(project, positionals[0], {
        terraformOutputs,
        onRegistered: session && ((resource) => session.registered(resource)),
      });
    } catch (e) {
      await session?.stop();
      throw e;
    }
    const { formatPlan } = await import("../preview");
    process.stdout.write(`${formatPlan(plan)}\n`);
    if (session === undefined) {
      return 0;
    }
    const report = await session.check(plan.run.resources);
    process.stdout.write(`\n${formatPolicyReport(report)}\n`);
    return report.diagnostics.some((d) => d.enforcementLevel === "mandatory") ? 1 : 0;
  },
};

function readJson(file: string, option: string): Record<string, unknown> {
  try {
    const value = JSON.parse(fs.readFileSync(file, "utf8"));
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new Error("the top level is not an object");
    }
    return value;
  } catch (e) {
    throw new UsageError(
      `${option} ${file} must be a JSON object, as terraform output -json prints it (${(e as Error).message})`,
    );
  }
}
