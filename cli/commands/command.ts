import type { CommandOutput } from "../core/output";
import { UsageError } from "../core/errors";

/** An option of a command, as `util.parseArgs` takes it, with its help text. */
export interface CommandOption {
  readonly type: "string" | "boolean";
  readonly multiple?: boolean;
  /** One letter: `-s` for `--stack`. Short flags mean the same in every command. */
  readonly short?: string;
  /** What the value is, as the help shows it: `<stack>`. @default "<value>" */
  readonly value?: string;
  readonly help: string;
}

/** The formats a reporting command writes: the first is the default. */
export type Formats = readonly [string, ...string[]];

/** A subcommand of the trusted-delivery CLI. */
export interface Command {
  /** `name <args>  description`, as the usage lists it. */
  readonly summary: string;
  /** The command's name, its arguments and required options: `plan [-s] <stack>`. */
  readonly synopsis?: string;
  /** What it does, in a paragraph, for `help <command>`. */
  readonly description?: string;
  readonly options: Readonly<Record<string, CommandOption>>;
  /**
   * The formats it can write its result in (`-f/--format`), the first the default; a command
   * with formats also takes `-o/--output <file>`, which writes the result there instead of to
   * stdout, atomically, creating missing directories.
   */
  readonly formats?: Formats;
  /**
   * Its result is a file people commit and may edit (a workflow): `--output` does not replace
   * one that holds something else without `--force`.
   */
  readonly artifact?: boolean;
  /**
   * It reports the problems of `--format` and `--output` (`output.optionProblems`) with its own
   * options' problems, all at once; otherwise they are reported before it runs.
   */
  readonly reportsOptionProblems?: boolean;
  /** Command lines to copy, for `help <command>`. */
  readonly examples?: readonly string[];
  /** What exit code 1 means for this command (the table says the rest). */
  readonly findings?: string;
  /** Runs the command; resolves to the exit code. */
  readonly run: (
    positionals: string[],
    options: Record<string, unknown>,
    output: CommandOutput,
  ) => Promise<number>;
}

/** `-C/--cwd`, which every command takes. */
export const cwdOption: CommandOption = {
  type: "string",
  short: "C",
  value: "<dir>",
  help: "The Pulumi project (found from here upwards). Default: the current directory.",
};

/** `-s/--stack`, for commands that work on one stack. */
export function stackOption(help: string): CommandOption {
  return { type: "string", short: "s", value: "<stack>", help };
}

/**
 * The stack a command works on: `-s/--stack`, or (for `plan`, as before) the one positional
 * argument; both given must agree.
 */
export function stackArgument(
  name: string,
  stack: unknown,
  positional: string | undefined,
  example: string,
): string {
  const given = stack === undefined ? undefined : String(stack);
  if (given !== undefined && positional !== undefined && given !== positional) {
    throw new UsageError(
      `${name} is given two stacks, ${positional} and -s/--stack ${given}: give one`,
    );
  }
  const chosen = given ?? positional;
  if (chosen === undefined) {
    throw new UsageError(`${name} needs a stack: -s/--stack <stack>, e.g. ${example}`);
  }
  return chosen;
}
