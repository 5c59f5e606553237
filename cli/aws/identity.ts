import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { AwsAccessError } from "../core/errors";
import { attempt, Unread } from "./unread";

/** Whose credentials the SDK found: the account and the caller's ARN. */
export interface CallerIdentity {
  readonly account: string;
  readonly arn: string;
  /** The ARN's partition: `aws`, `aws-cn`, `aws-us-gov`. */
  readonly partition: string;
}

/**
 * The caller's identity (STS GetCallerIdentity); an {@link AwsAccessError} (exit 3) saying why
 * when it cannot be read, since nothing else is worth reading then. The call needs no
 * permission: when it fails, the credentials (none, expired, refused), the network or the
 * endpoint are wrong (see `access.ts`).
 */
export async function readCallerIdentity(sts: STSClient): Promise<CallerIdentity> {
  const identity = await attempt("sts:GetCallerIdentity", {}, () =>
    sts.send(new GetCallerIdentityCommand({})),
  );
  if (identity === undefined || identity instanceof Unread) {
    throw new AwsAccessError(
      `could not read the account's identity (sts:GetCallerIdentity): ${identity?.reason ?? "no answer"}; nothing was read: check the credentials the AWS SDK finds (AWS_PROFILE, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or a role) and that AWS can be reached`,
    );
  }
  const arn = String(identity.Arn ?? "arn:aws:");
  return { account: String(identity.Account), arn, partition: arn.split(":")[1] || "aws" };
}
