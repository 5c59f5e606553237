/**
 * Reads an account's IAM as the GitHub trust rules need it: the OIDC providers, the roles a
 * caller selects by their trust policy, each with its inline policies and attached managed
 * policies, and customer managed policies' default versions. Only read calls of the table in
 * `readOnlyCalls.ts`; a call that fails becomes an {@link Unread} for that part.
 */
import {
  GetOpenIDConnectProviderCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListOpenIDConnectProvidersCommand,
  paginateListAttachedRolePolicies,
  paginateListRolePolicies,
  paginateListRoles,
  Role,
} from "@aws-sdk/client-iam";
import { issuerOfProvider } from "../../policy-pack/governance/github";
import { requestPool } from "./pool";
import { attempt, mapLimit, Unread } from "./unread";

export interface LiveOidcProvider {
  readonly arn: string;
  /** The issuer URL, `https://...`. */
  readonly url: string;
  readonly clientIds: readonly string[] | Unread;
}

export interface LiveRole {
  readonly name: string;
  readonly arn: string;
  readonly path: string;
  /** The trust policy's JSON text. */
  readonly trustPolicy: string;
  readonly inlinePolicies: readonly { name: string; policy: string }[] | Unread;
  readonly attachedPolicies: readonly { arn: string; name: string }[] | Unread;
}

export interface LiveManagedPolicy {
  readonly arn: string;
  readonly name: string;
  /** The default version's JSON text. */
  readonly document: string | Unread;
}

/** How many roles or policies are read at once; the SDK retries throttling. */
const concurrency = 8;

/** IAM returns policy documents URL-encoded (RFC 3986); JSON text is returned as it is. */
export function decodePolicyDocument(text: string): string {
  return text.trimStart().startsWith("{") ? text : decodeURIComponent(text);
}

/** `https://<issuer>`: IAM gives a provider's URL without the scheme. */
function issuerUrl(url: string): string {
  return /^https:\/\//i.test(url) ? url : `https://${url}`;
}

export async function readOidcProviders(
  iam: IAMClient,
): Promise<readonly LiveOidcProvider[] | Unread> {
  const listed = await attempt("iam:ListOpenIDConnectProviders", {}, async () => {
    const { OpenIDConnectProviderList } = await iam.send(new ListOpenIDConnectProvidersCommand({}));
    return (OpenIDConnectProviderList ?? []).map((p) => String(p.Arn));
  });
  if (listed === undefined || listed instanceof Unread) {
    return listed ?? [];
  }
  return mapLimit(listed, concurrency, async (arn) => {
    const provider = await attempt("iam:GetOpenIDConnectProvider", { resource: arn }, () =>
      iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn })),
    );
    const known = provider instanceof Unread ? undefined : provider;
    return {
      arn,
      // The ARN ends in the issuer: the URL is known even when the provider cannot be read.
      url: issuerUrl(known?.Url ?? issuerOfProvider(arn)),
      clientIds: provider instanceof Unread ? provider : [...(known?.ClientIDList ?? [])],
    };
  });
}

/** A role's inline policies and attached managed policies. */
export async function readRole(iam: IAMClient, role: Role): Promise<LiveRole> {
  const name = String(role.RoleName);
  const where = { resource: name };
  const [inlinePolicies, attachedPolicies] = await Promise.all([
    attempt("iam:ListRolePolicies", where, async () => {
      const names: string[] = [];
      for await (const page of paginateListRolePolicies({ client: iam }, { RoleName: name })) {
        names.push(...(page.PolicyNames ?? []));
      }
      const policies = await mapLimit(names, concurrency, (policyName) =>
        attempt("iam:GetRolePolicy", where, async () => {
          const { PolicyDocument } = await iam.send(
            new GetRolePolicyCommand({ RoleName: name, PolicyName: policyName }),
          );
          return { name: policyName, policy: decodePolicyDocument(String(PolicyDocument)) };
        }),
      );
      // One unreadable inline policy makes the role's inline policies unreadable: judging the
      // others alone could pass a role on what it was not shown.
      return policies.find((p) => p instanceof Unread) ?? policies;
    }),
    attempt("iam:ListAttachedRolePolicies", where, async () => {
      const attached: { arn: string; name: string }[] = [];
      for await (const page of paginateListAttachedRolePolicies(
        { client: iam },
        { RoleName: name },
      )) {
        for (const policy of page.AttachedPolicies ?? []) {
          attached.push({ arn: String(policy.PolicyArn), name: String(policy.PolicyName) });
        }
      }
      return attached;
    }),
  ]);
  return {
    name,
    arn: String(role.Arn),
    path: role.Path ?? "/",
    trustPolicy: decodePolicyDocument(String(role.AssumeRolePolicyDocument ?? "")),
    inlinePolicies: (inlinePolicies ?? []) as LiveRole["inlinePolicies"],
    attachedPolicies: attachedPolicies ?? [],
  };
}

/** ListRoles' largest page. */
const listRolesPageSize = 1000;

/**
 * The account's roles that `select` picks by their trust policy (JSON text), each read with
 * its policies as its page of ListRoles arrives; `onListed` hears how many roles the account
 * has and how many were picked. A listing that fails part-way makes the roles unread: judging
 * the roles of the pages read alone could pass an account on what it was not shown.
 */
export async function readRoles(
  iam: IAMClient,
  select: (trustPolicy: string) => boolean,
  onListed?: (roles: number, selected: number) => void,
): Promise<readonly LiveRole[] | Unread> {
  const pool = requestPool(concurrency);
  const reads: Promise<LiveRole>[] = [];
  const listed = await attempt("iam:ListRoles", {}, async () => {
    let count = 0;
    for await (const page of paginateListRoles({ client: iam, pageSize: listRolesPageSize }, {})) {
      for (const role of page.Roles ?? []) {
        count++;
        if (select(decodePolicyDocument(String(role.AssumeRolePolicyDocument ?? "")))) {
          reads.push(pool.run(() => readRole(iam, role)));
        }
      }
    }
    return count;
  });
  // Reads already started finish (or fail) before the answer, whatever it is.
  const roles = await Promise.all(reads);
  if (listed === undefined || listed instanceof Unread) {
    return listed ?? [];
  }
  onListed?.(listed, roles.length);
  return roles;
}

/** Customer managed policies with their default version's document. */
export async function readManagedPolicies(
  iam: IAMClient,
  arns: readonly string[],
): Promise<LiveManagedPolicy[]> {
  return mapLimit(arns, concurrency, async (arn) => {
    const name = arn.slice(arn.lastIndexOf("/") + 1);
    const policy = await attempt("iam:GetPolicy", { resource: arn }, async () => {
      const { Policy } = await iam.send(new GetPolicyCommand({ PolicyArn: arn }));
      return Policy;
    });
    if (policy === undefined || policy instanceof Unread) {
      return {
        arn,
        name,
        document: policy ?? new Unread("iam:GetPolicy", "the policy was not found", undefined, arn),
      };
    }
    const version = await attempt("iam:GetPolicyVersion", { resource: arn }, async () => {
      const { PolicyVersion } = await iam.send(
        new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: policy.DefaultVersionId }),
      );
      return decodePolicyDocument(String(PolicyVersion?.Document ?? ""));
    });
    return {
      arn,
      name: policy.PolicyName ?? name,
      document: version ?? new Unread("iam:GetPolicyVersion", "no default version", undefined, arn),
    };
  });
}
