/**
 * Errors the CLI reports without a stack trace: the user can fix what they name. Everything
 * else thrown is a bug, and keeps its stack trace.
 */
import { formatProblems, Problem } from "../../components/problems";
import { exitCodes } from "./exitCodes";

/** A failure the CLI reports as `error: <message>` and the exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = exitCodes.findings,
  ) {
    super(message);
    this.name = "CliError";
  }
}

/** Bad input the user can fix: printed without a stack trace, exit code 2. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, exitCodes.usage);
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

/**
 * AWS could not be reached or read: no credentials, no network, access denied to a call the
 * command cannot do without. Exit 3, so a script tells it from findings (exit 1).
 */
export class AwsAccessError extends CliError {
  constructor(message: string) {
    super(message, exitCodes.aws);
    this.name = "AwsAccessError";
  }
}

/** The user ended a prompt (Ctrl-D) or interrupted the command (Ctrl-C); exit 130. */
export class InterruptedError extends CliError {
  constructor(message: string) {
    super(message, exitCodes.interrupted);
    this.name = "InterruptedError";
  }
}
