#!/usr/bin/env node
import { parseArgs } from "util";
import { Command } from "./commands/command";
import { CliError, UsageError } from "./core/errors";

/**
 * The commands, each loaded only when it runs (or for the help, which lists them all): their
 * modules bring SDKs other commands do not use, and loading all of them was most of a small
 * plan's start.
 */
const commands: Record<string, () => Promise<Command>> = {
  plan: async () => (await import("./commands/plan")).planCommand,
  "add-app": async () => (await import("./commands/addApp")).addAppCommand,
  workflow: async () => (await import("./commands/workflow")).workflowCommand,
  catalog: async () => (await import("./commands/catalog")).catalogCommand,
  "adopt-terraform": async () => (await import("./commands/adoptTerraform")).adoptTerraformCommand,
  "adopt-aws": async () => (await import("./commands/adoptAws")).adoptAwsCommand,
  audit: async () => (await import("./commands/audit")).auditCommand,
  explain: async () => (await import("./commands/explain")).explainCommand,
};

async function usage(command?: string): Promise<string> {
  const names = command === undefined ? Object.keys(commands) : [command];
  const shown = await Promise.all(
    names.map(async (name) => [name, await commands[name]()] as const),
  );
  const lines = [`Usage: trusted-delivery <command> [options]`, "", "Commands:"];
  for (const [, c] of shown) {
    lines.push(`  ${c.summary}`);
  }
  for (const [name, c] of shown) {
    lines.push("", `Options of ${name}:`);
    for (const [option, spec] of Object.entries(c.options)) {
      const flag = `--${option}${spec.type === "string" ? " <value>" : ""}`;
      lines.push(`  ${flag.padEnd(29)}  ${spec.help}`);
    }
  }
  lines.push("", "  -h, --help                     Show this help.");
  return `${lines.join("\n")}\n`;
}

/** Runs the CLI; resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "-h" || name === "--help" || name === "help") {
    process.stdout.write(await usage());
    return name === undefined ? 2 : 0;
  }
  const command = Object.hasOwn(commands, name) ? await commands[name]() : undefined;
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
        ...Object.fromEntries(
          Object.entries(command.options).map(([option, spec]) => [
            option,
            {
              type: spec.type,
              ...(spec.multiple ? { multiple: true } : {}),
              ...(spec.short ? { short: spec.short } : {}),
            },
          ]),
        ),
        help: { type: "boolean", short: "h" },
      },
    });
    if (values.help) {
      process.stdout.write(await usage(name));
      return 0;
    }
    return await command.run(positionals, values);
  } catch (e) {
    if (e instanceof CliError) {
      process.stderr.write(`error: ${e.message}\n`);
      return e.exitCode;
    }
    // What the program itself reports as a failure (pulumi.RunError, as the Pulumi CLI prints
    // it): its message alone; arguments it refuses (the pipeline's, or its own config) are the
    // user's to fix. Anything else is a bug, and keeps its stack trace.
    if ((e as { __pulumiRunError?: boolean })?.__pulumiRunError === true) {
      process.stderr.write(`error: ${(e as Error).message}\n`);
      return Array.isArray((e as { problems?: unknown }).problems) ? 2 : 1;
    }
    if ((e as { code?: string })?.code?.startsWith("ERR_PARSE_ARGS")) {
      process.stderr.write(
        `error: ${(e as Error).message}\n\n${await usage(command === undefined ? undefined : name)}`,
      );
      return 2;
    }
    throw e;
  }
}

if (require.main === module) {
  // `npm run` starts scripts in the package's root: work from where the user ran npm, so the
  // paths they give mean what they meant.
  if (process.env.npm_lifecycle_event !== undefined && process.env.INIT_CWD !== undefined) {
    process.chdir(process.env.INIT_CWD);
  }
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
