/**
 * When a command gives up because AWS could not be reached or read, and when it reports what it
 * could not read instead. Every command that reads AWS follows this one rule:
 *
 * - **Exit 3** ({@link AwsAccessError}): nothing the command needs could be read, so nothing was
 *   judged. Either the caller's identity could not be read (`sts:GetCallerIdentity` needs no
 *   permission, so when it fails the credentials, the network or the endpoint are wrong: none,
 *   expired, refused, unresolvable), or every other read the command depends on failed (each
 *   denied, say). Fix the access and run it again.
 * - **Exit 1**: something was read and judged, and what could not be read is reported by name
 *   beside what was found (the audit's "could not read", adoption's "could not be verified"),
 *   never taken as absent or compliant.
 * - **Never 0** with anything unread: the audit's exit code counts what it could not read
 *   (`cli/audit/audit.ts`, `auditExitCode`), and adoption adopts nothing it could not read.
 *
 * `test/cli/awsExitCodes.test.ts` runs each command with AWS unreachable, with credentials AWS
 * refuses, with every read denied, and with some reads denied.
 */
import { AwsAccessError } from "../core/errors";
import { Unread } from "./unread";

/** What to do when the credentials cannot read what a command needs. */
export const permissionsRemedy =
  "Let the credentials read them (trusted-delivery audit --print-permissions prints the calls).";

/**
 * One thing that could not be read, for a list: `ECR repositories in eu-west-2 could not be read
 * (call: why)`, or with the subject it was read for (`catalog-api: ECR repository tags could not
 * be read (...)`), whose place the message names already.
 */
export function unreadLine(unread: Unread, subject?: string): string {
  const where = unread.region === undefined || subject !== undefined ? "" : ` in ${unread.region}`;
  const of = subject === undefined ? "" : `${subject}: `;
  return `${of}${unread.what}${where} could not be read (${unread.action}: ${unread.reason})`;
}

/**
 * The error of a command that could read none of what it needs (exit 3): `header`, each read
 * that failed (with the subject it was for, when one), and what to do.
 */
export function nothingReadError(
  header: string,
  unread: readonly (Unread | readonly [string, Unread])[],
  remedy: string = permissionsRemedy,
): AwsAccessError {
  return new AwsAccessError(
    [
      `${header}; nothing was judged or written:`,
      ...unread.map((u) => `  - ${u instanceof Unread ? unreadLine(u) : unreadLine(u[1], u[0])}`),
      remedy,
    ].join("\n"),
  );
}
