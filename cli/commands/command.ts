/** An option of a command, as `util.parseArgs` takes it, with its help text. */
export interface CommandOption {
  readonly type: "string" | "boolean";
  readonly multiple?: boolean;
  readonly short?: string;
  readonly help: string;
}

/** A subcommand of the trusted-delivery CLI. */
export interface Command {
  /** `name <args>  description`, as the usage lists it. */
  readonly summary: string;
  readonly options: Readonly<Record<string, CommandOption>>;
  /** Runs the command; resolves to the exit code. */
  readonly run: (positionals: string[], options: Record<string, unknown>) => Promise<number>;
}

/** `--cwd`, which every command takes. */
export const cwdOption: CommandOption = {
  type: "string",
  help: "The Pulumi project (found from here upwards). Default: the current directory.",
};
