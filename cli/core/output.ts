/**
 * Where a command's words go. Its result goes to stdout, or with `-o/--output <file>` to that
 * file; progress, warnings and hints go to stderr, so the result can be piped; `-q/--quiet`
 * silences progress and hints, never warnings or errors.
 */
export interface CommandOutput {
  /** `-f/--format`: the command's default when not given. */
  readonly format: string;
  readonly quiet: boolean;
  /**
   * What is wrong with the options every command takes (`--format`, `--output`), for a command
   * that {@link Command.reportsOptionProblems}: it reports them with its own.
   */
  readonly optionProblems: readonly string[];
  /** The result: stdout, or collected for the `--output` file, written when the command ends. */
  result(text: string): void;
  /** What the command is doing, for long runs (stderr; not with --quiet). */
  progress(line: string): void;
  /** What to do next (stderr in machine formats, else stdout; not with --quiet). */
  hint(line: string): void;
  /** Something the user should know even with --quiet (stderr). */
  warn(line: string): void;
}
