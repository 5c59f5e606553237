/**
 * Errors the CLI reports without a stack trace: the user can fix what they name. Everything
 * else thrown is a bug, and keeps its stack trace.
 */
import { formatProblems, Problem } from "../../components/problems";

/** A failure the CLI reports as `error: <message>` and the exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = "CliError";
  }
}

/** Bad input the user can fix: printed without a stack trace, exit code 2. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, 2);
    this.name = "UsageError";
  }
}

/**
 * Every problem with a file or setting the CLI reads (a stack file, Terraform state, tfvars, a
 * policy config, `Pulumi.yaml`), each naming the field, the value and what is allowed; exit 2.
 */
export class InvalidInputError extends UsageError {
  constructor(
    readonly subject: string,
    readonly problems: readonly Problem[],
  ) {
    super(formatProblems(subject, problems));
    this.name = "InvalidInputError";
  }
}
