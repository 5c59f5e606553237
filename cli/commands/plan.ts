import * as fs from "fs";
import * as path from "path";
import type { ProgressListener, StackPlan } from "../preview";
import { readPolicyConfigFile } from "../policyPack/policyConfig";
import {
  displayPath,
  findProject,
  PulumiProject,
  stackFileName,
  stackFilePath,
  stackNameProblem,
} from "../workspace/project";
import { InvalidInputError, UsageError } from "../core/errors";
import type { CommandOutput } from "../core/output";
import { Command, cwdOption, stackArgument, stackOption } from "./command";

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
  summary: "plan  Run a stack's program offline under mocks, and the policy pack on it.",
  synopsis: "plan [-s] <stack> [--policy-pack <dir>] [-f text|json] [-o <file>]",
  description:
    "Run the stack's program offline, under Pulumi's mocks, print what `pulumi up` would create, then run the policy pack on it as `pulumi preview --policy-pack` does. Nothing reaches AWS, GitHub or the Pulumi service. Progress goes to stderr (not with -q); the plan to stdout or -o.",
  examples: [
    "trusted-delivery plan dev",
    "trusted-delivery plan -s prod --policy-pack-config policy-config.json",
    "trusted-delivery plan -s dev -f json -o plan.json",
  ],
  findings: "a mandatory policy violation",
  formats: ["text", "json"],
  options: {
    cwd: cwdOption,
    stack: stackOption("The stack to plan (or give it as the one argument)."),
    "policy-pack": {
      type: "string",
      value: "<dir>",
      help: "The policy pack. Default: policy-pack/ in the project, when there is one.",
    },
    "policy-pack-config": {
      type: "string",
      value: "<file>",
      help: "The pack's config (JSON, as pulumi preview --policy-pack-config takes it).",
    },
    "skip-policy": { type: "boolean", help: "Do not run the policy pack." },
    "terraform-outputs": {
      type: "string",
      value: "<file>",
      help: "Outputs (terraform output -json) for Terraform state in S3, which the offline plan cannot read.",
    },
  },
  async run(positionals, options, output) {
    if (positionals.length > 1) {
      throw new UsageError(
        `plan takes one stack name, e.g. \`trusted-delivery plan dev\`; got ${positionals.join(" ")}`,
      );
    }
    const stack = stackArgument(
      "plan",
      options.stack,
      positionals[0],
      "`trusted-delivery plan dev`",
    );
    const project = findProject(String(options.cwd ?? process.cwd()));
    const stackIssue = stackNameProblem(project, stack, "the stack");
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
    // Progress on stderr, so a plan of thousands of apps is never silent; not with --quiet.
    const { stderrProgress } = await import("../preview/progress");
    const onProgress = output.quiet
      ? undefined
      : progressAfterQuietStart(stderrProgress(process.stderr), process.stderr);
    // The pack starts, and analyzes each resource, while the program runs, as in the engine. It
    // starts first: its start-up (a Node process loading the Pulumi SDKs) is the plan's longest
    // wait, and what follows (the stacks' checks, the program's modules, the program) overlaps
    // it. Starting it writes nothing; what is refused below stops it.
    const { startPolicySession, formatPolicyReport } = await import("../preview/policySession");
    const session =
      packDir === undefined ? undefined : startPolicySession(packDir, config, { onProgress });
    let plan: StackPlan;
    let preview: typeof import("../preview");
    try {
      await refuseEnvironmentCollisions(project, stack, output);
      // Loaded on use: the SDKs they bring are heavy, and other commands need none of them.
      preview = await import("../preview");
      plan = await preview.planStack(project, stack, {
        terraformOutputs,
        onProgress,
        onRegistered: session && ((resource) => session.registered(resource)),
      });
    } catch (e) {
      await session?.stop();
      throw e;
    }
    const report = session === undefined ? undefined : await session.check(plan.run.resources);
    if (output.format === "json") {
      output.result(`${JSON.stringify(preview.planJson(plan, report), null, 2)}\n`);
    } else {
      output.result(`${preview.formatPlan(plan)}\n`);
      if (report !== undefined) {
        output.result(`\n${formatPolicyReport(report)}\n`);
      }
    }
    if (report === undefined) {
      return 0;
    }
    return report.diagnostics.some((d) => d.enforcementLevel === "mandatory") ? 1 : 0;
  },
};

/** The seconds a plan runs before it reports progress to a log (not a terminal). */
export const progressAfterVariable = "TRUSTED_DELIVERY_PROGRESS_AFTER_SECONDS";

/**
 * Progress for people: on a terminal, from the start (one line, rewritten); in a log (CI),
 * only once the plan has run a while (5 s, or {@link progressAfterVariable}), and then at most
 * every 10 s, so a small plan's log holds only its result and a large one's says it is alive.
 * A phase's end is always told once anything of it was.
 */
function progressAfterQuietStart(
  listener: ProgressListener,
  stream: NodeJS.WriteStream,
): ProgressListener {
  if (stream.isTTY) {
    return listener;
  }
  const given = process.env[progressAfterVariable];
  const after = given === undefined || !/^\d+(\.\d+)?$/.test(given) ? 5 : Number(given);
  const started = Date.now();
  let last = -Infinity;
  const told = new Set<string>();
  return (event) => {
    const now = Date.now();
    const telling = event.kind === "end" ? told.has(event.phase) : now - started >= after * 1000;
    if (telling && (event.kind !== "progress" || now - last >= 10_000)) {
      last = now;
      told.add(event.phase);
      listener(event);
    }
  };
}

/**
 * Refuses a stack that declares a GitHub environment of a repository another stack of the
 * project declares too: each stack's push role would trust the other's deployments. A stack
 * file that could not be read for this is named in a warning (the plan of a stack reads only
 * its own), never passed over in silence.
 */
async function refuseEnvironmentCollisions(
  project: PulumiProject,
  stack: string,
  output: CommandOutput,
): Promise<void> {
  // Loaded on use: it reads stacks with the platform program's config, which loads the SDK.
  const { environmentCollisionsOf, readEnvironmentClaims } =
    await import("../workspace/environmentClaims");
  const planned = stackFileName(stack);
  const { claims, unreadable } = readEnvironmentClaims(project);
  const collisions = environmentCollisionsOf(claims).filter((c) =>
    c.claims.some((claim) => claim.stack === planned),
  );
  if (collisions.length > 0) {
    throw new InvalidInputError(
      `The GitHub environments of stack ${planned} and the project's other stacks`,
      collisions,
    );
  }
  const own = displayPath(project, stackFilePath(project, stack));
  for (const problem of unreadable.filter((p) => !p.message.includes(own))) {
    output.warn(
      `the GitHub environments of stack ${planned} are not checked against ${problem.message}`,
    );
  }
}

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
