#!/usr/bin/env node
import { parseArgs } from "util";
import { InvalidArgumentsError } from "../components/validation";
import * as fs from "fs";
import * as path from "path";
import { formatPlan, planStack } from "./plan";
import { readPolicyConfigFile } from "./policy/policyConfig";
import { checkWithPolicyPack, formatPolicyReport } from "./policy/stackCheck";
import { findProject, PulumiProject, UsageError } from "./project";

const usage = `Usage: trusted-delivery <command> [options]

Commands:
  plan <stack>      Run the platform program for a stack offline, under Pulumi's mocks, print
                    what \`pulumi up\` would create, then run the policy pack on it as
                    \`pulumi preview --policy-pack\` does. No credentials, no Pulumi CLI.
                    Exits 1 when a mandatory policy is violated.

Options:
  --cwd <dir>                    The Pulumi project (found from here upwards). Default: the current directory.
  --policy-pack <dir>            The policy pack. Default: policy-pack/ in the project, when there is one.
  --policy-pack-config <file>    The pack's config (JSON, as pulumi preview --policy-pack-config takes it).
  --skip-policy                  Do not run the policy pack.
  -h, --help                     Show this help.
`;

interface Command {
  readonly run: (positionals: string[], options: Record<string, unknown>) => Promise<number>;
}

const commands: Record<string, Command> = {
  plan: {
    async run(positionals, options) {
      if (positionals.length !== 1) {
        throw new UsageError(
          `plan takes one stack name, e.g. \`trusted-delivery plan dev\`; got ${positionals.length}`,
        );
      }
      const project = findProject(String(options.cwd ?? process.cwd()));
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
      const plan = await planStack(project, positionals[0]);
      process.stdout.write(`${formatPlan(plan)}\n`);
      if (packDir === undefined) {
        return 0;
      }
      const report = await checkWithPolicyPack(plan.run.resources, packDir, config);
      process.stdout.write(`\n${formatPolicyReport(report)}\n`);
      return report.diagnostics.some((d) => d.enforcementLevel === "mandatory") ? 1 : 0;
    },
  },
};

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

/** Runs the CLI; resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "-h" || name === "--help" || name === "help") {
    process.stdout.write(usage);
    return name === undefined ? 2 : 0;
  }
  const command = commands[name];
  try {
    if (command === undefined) {
      throw new UsageError(
        `unknown command "${name}"; commands: ${Object.keys(commands).join(", ")}`,
      );
    }
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        cwd: { type: "string" },
        "policy-pack": { type: "string" },
        "policy-pack-config": { type: "string" },
        "skip-policy": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
    if (values.help) {
      process.stdout.write(usage);
      return 0;
    }
    return await command.run(positionals, values);
  } catch (e) {
    if (
      e instanceof UsageError ||
      e instanceof InvalidArgumentsError ||
      (e as Error)?.name === "InvalidArgumentsError"
    ) {
      process.stderr.write(`error: ${(e as Error).message}\n`);
      return 2;
    }
    if ((e as { code?: string })?.code?.startsWith("ERR_PARSE_ARGS")) {
      process.stderr.write(`error: ${(e as Error).message}\n\n${usage}`);
      return 2;
    }
    throw e;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`${(e as Error)?.stack ?? e}\n`);
      process.exitCode = 1;
    },
  );
}
