#!/usr/bin/env node
import { parseArgs } from "util";
import { InvalidArgumentsError } from "../components/validation";
import { formatPlan, planStack } from "./plan";
import { findProject, UsageError } from "./project";

const usage = `Usage: trusted-delivery <command> [options]

Commands:
  plan <stack>      Run the platform program for a stack offline, under Pulumi's mocks, and
                    print what \`pulumi up\` would create: no credentials, no Pulumi CLI.

Options:
  --cwd <dir>       The Pulumi project (found from here upwards). Default: the current directory.
  -h, --help        Show this help.
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
      const plan = await planStack(project, positionals[0]);
      process.stdout.write(`${formatPlan(plan)}\n`);
      return 0;
    },
  },
};

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
      options: { cwd: { type: "string" }, help: { type: "boolean", short: "h" } },
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
