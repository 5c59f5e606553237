#!/usr/bin/env node
import { parseArgs } from "util";
import { Command, CommandOption } from "./commands/command";
import { commandHelp, exitCodesHelp, globalHelp, globalOptions } from "./commands/help";
import { outputTargetProblem, RunOutput } from "./commands/output";
import { CliError, UsageError } from "./core/errors";
import { exitCodes } from "./core/exitCodes";
import { didYouMeanText } from "./core/suggest";

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
  "trust-diff": async () => (await import("./commands/trustDiff")).trustDiffCommand,
  "verify-policy": async () => (await import("./commands/verifyPolicy")).verifyPolicyCommand,
  version: async () => (await import("./commands/version")).versionCommand,
};

async function allCommands(): Promise<[string, Command][]> {
  return Promise.all(
    Object.keys(commands).map(async (name) => [name, await commands[name]()] as [string, Command]),
  );
}

function unknownCommand(name: string): UsageError {
  return new UsageError(
    `unknown command "${name}"${didYouMeanText(name, Object.keys(commands)) || ";"} commands: ${Object.keys(commands).join(", ")} (trusted-delivery help lists them)`,
  );
}

/** Every option `command` takes: its own, then the ones every command takes. */
export function optionsOf(command: Command): Record<string, CommandOption> {
  return {
    ...command.options,
    ...(command.formats && {
      format: {
        type: "string",
        short: "f",
        value: "<format>",
        help: `The result's format: ${command.formats.join(", ")}. Default: ${command.formats[0]}.`,
      },
      output: {
        type: "string",
        short: "o",
        value: "<file>",
        help: "Write the result to this file (atomically, creating its directory) instead of stdout.",
      },
    }),
    ...globalOptions,
  };
}

function flag(name: string, options: Record<string, CommandOption>): string {
  const short = options[name]?.short;
  return short === undefined ? `--${name}` : `-${short}/--${name}`;
}

/**
 * Reads `args` as `command`'s options, with errors that name the option and say what would be
 * right: an unknown option gets the nearest known one, a missing value what the value is.
 * (`util.parseArgs` finds the same mistakes; its messages quote them unevenly and suggest
 * nothing, so they are checked here first, on its own tokens.)
 */
function readOptions(
  name: string,
  command: Command,
  args: string[],
): { positionals: string[]; values: Record<string, unknown> } {
  const options = optionsOf(command);
  const config = {
    args,
    allowPositionals: true,
    options: Object.fromEntries(
      Object.entries(options).map(([option, spec]) => [
        option,
        {
          type: spec.type,
          ...(spec.multiple ? { multiple: true } : {}),
          ...(spec.short ? { short: spec.short } : {}),
        },
      ]),
    ),
  };
  const loose = parseArgs({ ...config, strict: false, tokens: true });
  const problems: string[] = [];
  const longNames = Object.keys(options).map((o) => `--${o}`);
  for (const token of loose.tokens ?? []) {
    if (token.kind !== "option") {
      continue;
    }
    const spec = options[token.name];
    if (spec === undefined) {
      const given = token.rawName.startsWith("--") ? token.rawName : `--${token.name}`;
      problems.push(
        `${name} has no option ${token.rawName}${didYouMeanText(given, longNames, false)} (trusted-delivery help ${name} lists its options)`,
      );
    } else if (spec.type === "string" && token.value === undefined) {
      problems.push(`${flag(token.name, options)} needs a value: ${spec.value ?? "<value>"}`);
    } else if (spec.type === "boolean" && token.inlineValue) {
      problems.push(
        `${flag(token.name, options)} takes no value; got ${JSON.stringify(token.value)}`,
      );
    }
  }
  if (problems.length > 0) {
    throw new UsageError(problems.join("\nerror: "));
  }
  try {
    const { values, positionals } = parseArgs({ ...config, strict: true });
    return { values, positionals };
  } catch (e) {
    // Something the checks above did not foresee: the parser's own words, with the help's name.
    throw new UsageError(`${(e as Error).message} (trusted-delivery help ${name})`);
  }
}

/** Runs the CLI; resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  try {
    if (name === undefined) {
      process.stderr.write(globalHelp(await allCommands()));
      return exitCodes.usage;
    }
    if (name === "-h" || name === "--help") {
      process.stdout.write(globalHelp(await allCommands()));
      return exitCodes.ok;
    }
    if (name === "-V" || name === "--version") {
      return await main(["version", ...rest]);
    }
    if (name === "help") {
      if (rest.length === 0) {
        process.stdout.write(globalHelp(await allCommands()));
        return exitCodes.ok;
      }
      if (rest.length === 1 && rest[0] === "exit-codes") {
        process.stdout.write(exitCodesHelp());
        return exitCodes.ok;
      }
      if (rest.length > 1 || !Object.hasOwn(commands, rest[0])) {
        throw rest.length > 1
          ? new UsageError(`help takes one command name; got ${rest.join(" ")}`)
          : unknownCommand(rest[0]);
      }
      const command = await commands[rest[0]]();
      process.stdout.write(commandHelp(rest[0], command, optionsOf(command)));
      return exitCodes.ok;
    }
    if (name.startsWith("-")) {
      throw new UsageError(
        `${name} before a command: give the command first, e.g. trusted-delivery plan ${name} … (trusted-delivery help lists the commands)`,
      );
    }
    if (!Object.hasOwn(commands, name)) {
      throw unknownCommand(name);
    }
    const command = await commands[name]();
    const { values, positionals } = readOptions(name, command, rest);
    if (values.help) {
      process.stdout.write(commandHelp(name, command, optionsOf(command)));
      return exitCodes.ok;
    }
    const format = values.format === undefined ? command.formats?.[0] : String(values.format);
    const optionProblems: string[] = [];
    if (command.formats !== undefined && !command.formats.includes(String(format))) {
      optionProblems.push(
        `-f/--format is ${JSON.stringify(format)}; must be one of ${command.formats.join(", ")}${didYouMeanText(String(format), command.formats)}`,
      );
    }
    const file = values.output as string | undefined;
    const fileProblem = file === undefined ? undefined : outputTargetProblem("-o/--output", file);
    if (fileProblem !== undefined) {
      optionProblems.push(fileProblem);
    }
    // A command that checks its own options reports these with its own, all at once.
    if (optionProblems.length > 0 && !command.reportsOptionProblems) {
      throw new UsageError(optionProblems.join("\nerror: "));
    }
    const output = new RunOutput(
      format ?? "text",
      Boolean(values.quiet),
      file,
      format !== undefined && format !== command.formats?.[0],
      optionProblems,
    );
    const code = await command.run(positionals, values, output);
    // The result file is written once the command has its whole result (a failed run writes
    // none); an artifact a user may have edited is not replaced without --force.
    output.finish(command.artifact === true && !values.force ? "refuse-different" : "replace");
    return code;
  } catch (e) {
    return reportFailure(e);
  }
}

/** What a failure means to the user: its message and exit code; a bug keeps its stack trace. */
function reportFailure(e: unknown): number {
  if (e instanceof CliError) {
    process.stderr.write(`error: ${e.message}\n`);
    return e.exitCode;
  }
  // What the program itself reports as a failure (pulumi.RunError, as the Pulumi CLI prints
  // it): its message alone; arguments it refuses (the pipeline's, or its own config) are the
  // user's to fix. Anything else is a bug, and keeps its stack trace.
  if ((e as { __pulumiRunError?: boolean })?.__pulumiRunError === true) {
    process.stderr.write(`error: ${(e as Error).message}\n`);
    return Array.isArray((e as { problems?: unknown }).problems)
      ? exitCodes.usage
      : exitCodes.findings;
  }
  throw e;
}

if (require.main === module) {
  // `npm run` starts scripts in the package's root: work from where the user ran npm, so the
  // paths they give mean what they meant.
  if (process.env.npm_lifecycle_event !== undefined && process.env.INIT_CWD !== undefined) {
    process.chdir(process.env.INIT_CWD);
  }
  // Ctrl-C: every write is atomic and every lock released on exit, so stopping is safe; say so.
  process.once("SIGINT", () => {
    process.stderr.write("\nerror: interrupted (Ctrl-C); nothing more was written\n");
    process.exit(exitCodes.interrupted);
  });
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(
        `${(e as Error)?.stack ?? e}\n\nThis is a bug in trusted-delivery: please report it with the command you ran.\n`,
      );
      process.exitCode = exitCodes.bug;
    },
  );
}
