import * as pulumi from "@pulumi/pulumi";
import { formatProblems, Problem } from "./problems";

/** Every problem with a resource's arguments, found before anything was registered. */
export class InvalidArgumentsError extends pulumi.RunError {
  constructor(
    readonly subject: string,
    readonly problems: readonly Problem[],
  ) {
    super(formatProblems(subject, problems));
    this.name = "InvalidArgumentsError";
  }
}
