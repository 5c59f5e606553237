/**
 * The management side of an organisation audit: the Organization's active accounts (from the
 * management account or a delegated administrator), and credentials for the audit role of each
 * member account. Only calls of the table in `readOnlyCalls.ts`.
 */
import { OrganizationsClient, paginateListAccounts } from "@aws-sdk/client-organizations";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { AwsCredentials } from "./clients";
import { attempt, Unread } from "./unread";

/** An account of the Organization. */
export interface OrganizationAccount {
  readonly id: string;
  readonly name?: string;
}

/** ListAccounts' largest page. */
const listAccountsPageSize = 20;

/**
 * The Organization's ACTIVE accounts, in the order listed (suspended and closing accounts
 * cannot be assumed into, and are not audited), or why they could not be listed.
 */
export async function listActiveAccounts(
  organizations: OrganizationsClient,
): Promise<readonly OrganizationAccount[] | Unread> {
  const listed = await attempt("organizations:ListAccounts", {}, async () => {
    const accounts: OrganizationAccount[] = [];
    for await (const page of paginateListAccounts(
      { client: organizations, pageSize: listAccountsPageSize },
      {},
    )) {
      for (const account of page.Accounts ?? []) {
        // `Status` is retired for `State`; either says ACTIVE.
        if ((account.State ?? account.Status) === "ACTIVE" && account.Id !== undefined) {
          accounts.push({ id: account.Id, ...(account.Name && { name: account.Name }) });
        }
      }
    }
    return accounts;
  });
  return listed ?? [];
}

/** The session name member accounts' CloudTrail shows for the audit's calls. */
export const auditSessionName = "trusted-delivery-audit";

/** `arn:<partition>:iam::<account>:role/<name>`. */
export function memberRoleArn(partition: string, account: string, roleName: string): string {
  return `arn:${partition}:iam::${account}:role/${roleName}`;
}

/** Credentials are assumed again this long before they expire (a long audit outlives them). */
const refreshBeforeMs = 5 * 60 * 1000;

/**
 * Assumes `roleArn` once, to tell at once whether it can be (an {@link Unread} for the account
 * when not), and gives a credential provider that assumes it again shortly before the
 * credentials expire.
 */
export async function assumeRole(
  sts: STSClient,
  roleArn: string,
  externalId: string | undefined,
): Promise<AwsCredentials | Unread> {
  const assume = () =>
    attempt("sts:AssumeRole", { resource: roleArn }, async () => {
      const { Credentials } = await sts.send(
        new AssumeRoleCommand({
          RoleArn: roleArn,
          RoleSessionName: auditSessionName,
          ...(externalId !== undefined && { ExternalId: externalId }),
        }),
      );
      if (Credentials?.AccessKeyId === undefined || Credentials.SecretAccessKey === undefined) {
        throw new Error("STS returned no credentials");
      }
      return {
        accessKeyId: Credentials.AccessKeyId,
        secretAccessKey: Credentials.SecretAccessKey,
        sessionToken: Credentials.SessionToken,
        expiration: Credentials.Expiration,
      };
    });
  let current = await assume();
  if (current === undefined || current instanceof Unread) {
    return current ?? new Unread("sts:AssumeRole", "no answer", undefined, roleArn);
  }
  return async () => {
    const expires = current instanceof Unread ? 0 : (current?.expiration?.getTime() ?? Infinity);
    if (expires - Date.now() < refreshBeforeMs) {
      current = await assume();
    }
    if (current === undefined || current instanceof Unread) {
      throw new Error(
        `could not assume ${roleArn} again: ${current?.reason ?? "no answer"} (${auditSessionName})`,
      );
    }
    return current;
  };
}
