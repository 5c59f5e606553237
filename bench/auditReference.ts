/**
 * The reference reader of the audit bench (`bench/auditAtScale.ts`): a plain script on the AWS
 * SDK v3 clients that sends exactly the calls `bench/auditModel.ts` counts as the minimum (the
 * same APIs, pages and data as `trusted-delivery audit` reads), under one bound on requests in
 * flight, and does nothing with the answers: no resources built, no policy judged, no report.
 * What `audit` takes beyond it is the audit's own cost.
 *
 * Run as a child process, as the audit is: `node auditReference.js '<request JSON>'`, with the
 * SDK's environment (AWS_ENDPOINT_URL, credentials, AWS_REGION, AWS_MAX_ATTEMPTS). It prints one
 * JSON line: the calls it sent per API. It imports nothing of the repository, so the bench
 * compiles it alone next to the built package.
 */
import {
  DescribeRegistryCommand,
  DescribePullThroughCacheRulesCommand,
  DescribeRepositoriesCommand,
  DescribeRepositoryCreationTemplatesCommand,
  ECRClient,
  GetLifecyclePolicyCommand,
  GetRegistryPolicyCommand,
  GetRegistryScanningConfigurationCommand,
  GetRepositoryPolicyCommand,
  GetSigningConfigurationCommand,
  ListTagsForResourceCommand,
} from "@aws-sdk/client-ecr";
import { DescribeRegionsCommand, EC2Client } from "@aws-sdk/client-ec2";
import {
  GetOpenIDConnectProviderCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListOpenIDConnectProvidersCommand,
  ListRolePoliciesCommand,
  ListRolesCommand,
} from "@aws-sdk/client-iam";
import { ListAccountsCommand, OrganizationsClient } from "@aws-sdk/client-organizations";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { requestPool } from "../cli/aws/pool";

/** What to read: as `audit`'s options say it. */
export interface ReferenceRequest {
  /** The region that signs the global services' calls and lists the enabled regions. */
  readonly home: string;
  /** `--region`s; undefined: each account's enabled regions. */
  readonly regions?: readonly string[];
  /** `--organization --role-name <roleName>`; absent for one account. */
  readonly organization?: { readonly roleName: string };
  readonly concurrency: number;
}

type Credentials = {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
};

/** Calls that answer an error are sent all the same (a missing policy, an unimplemented API). */
async function settled<T>(call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch {
    return undefined;
  }
}

/**
 * The repository's images must be signed: tagged with the pack's default risk tag and one of
 * its signed risk levels (`signedImageRiskLevels` in policy-pack/governance/registry.ts: high),
 * as the audit judges with no policy config.
 */
function signedRepository(tags: readonly { Key?: string; Value?: string }[] | undefined): boolean {
  return (tags ?? []).some((t) => t.Key === "goldenpath.idp/risk" && t.Value === "high");
}

/** The role is one GitHub's OIDC tokens can assume: its trust names GitHub's provider. */
function trustsGitHub(document: string): boolean {
  const text = document.trimStart().startsWith("{") ? document : decodeURIComponent(document);
  return text.includes("oidc-provider/token.actions.githubusercontent.com");
}

export async function readAsReference(request: ReferenceRequest): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  // The one bound on requests in flight, as `audit --concurrency` holds it: the CLI's own pool.
  const inFlight = requestPool(request.concurrency);
  const send = <T>(api: string, call: () => Promise<T>) =>
    inFlight.run(() => {
      counts[api] = (counts[api] ?? 0) + 1;
      return settled(call);
    });
  const clientConfig = (region: string, credentials?: Credentials) => ({
    region,
    ...(credentials && { credentials }),
  });
  const home = request.home;

  const identity = await send("sts:GetCallerIdentity", () =>
    new STSClient(clientConfig(home)).send(new GetCallerIdentityCommand({})),
  );
  const caller = String(identity?.Account);
  const partition = String(identity?.Arn ?? "arn:aws:").split(":")[1] || "aws";
  const accounts: { id: string; credentials?: Credentials }[] = [];
  if (request.organization === undefined) {
    accounts.push({ id: caller });
  } else {
    const organizations = new OrganizationsClient(clientConfig(home));
    const ids: string[] = [];
    let token: string | undefined;
    do {
      const page = await send("organizations:ListAccounts", () =>
        organizations.send(new ListAccountsCommand({ MaxResults: 20, NextToken: token })),
      );
      ids.push(
        ...(page?.Accounts ?? [])
          .filter((a) => a.State === "ACTIVE" || a.Status === "ACTIVE")
          .map((a) => String(a.Id)),
      );
      token = page?.NextToken;
    } while (token);
    const sts = new STSClient(clientConfig(home));
    const roleName = request.organization.roleName;
    await Promise.all(
      ids.map(async (id) => {
        if (id === caller) {
          accounts.push({ id });
          return;
        }
        const assumed = await send("sts:AssumeRole", () =>
          sts.send(
            new AssumeRoleCommand({
              RoleArn: `arn:${partition}:iam::${id}:role/${roleName}`,
              RoleSessionName: "audit-reference",
            }),
          ),
        );
        const c = assumed?.Credentials;
        if (c?.AccessKeyId && c.SecretAccessKey) {
          accounts.push({
            id,
            credentials: {
              accessKeyId: c.AccessKeyId,
              secretAccessKey: c.SecretAccessKey,
              sessionToken: c.SessionToken,
            },
          });
        }
      }),
    );
  }

  const readRegion = async (region: string, credentials?: Credentials) => {
    const ecr = new ECRClient(clientConfig(region, credentials));
    /** Reads every repository; whether one of them is a repository whose images are signed. */
    const repositories = async (): Promise<boolean> => {
      let signed = false;
      const reads: Promise<unknown>[] = [];
      let token: string | undefined;
      do {
        const page = await send("ecr:DescribeRepositories", () =>
          ecr.send(new DescribeRepositoriesCommand({ maxResults: 1000, nextToken: token })),
        );
        for (const r of page?.repositories ?? []) {
          const named = { repositoryName: r.repositoryName, registryId: r.registryId };
          reads.push(
            send("ecr:ListTagsForResource", () =>
              ecr.send(new ListTagsForResourceCommand({ resourceArn: r.repositoryArn })),
            ).then((listed) => {
              signed ||= signedRepository(listed?.tags);
            }),
            send("ecr:GetLifecyclePolicy", () => ecr.send(new GetLifecyclePolicyCommand(named))),
            send("ecr:GetRepositoryPolicy", () => ecr.send(new GetRepositoryPolicyCommand(named))),
          );
        }
        token = page?.nextToken;
      } while (token);
      await Promise.all(reads);
      return signed;
    };
    const listing = async (
      api: string,
      call: (token?: string) => Promise<{ nextToken?: string } | undefined>,
    ) => {
      let token: string | undefined;
      do {
        token = (await send(api, () => call(token)))?.nextToken;
      } while (token);
    };
    await Promise.all([
      // The signing configuration only where a repository's images must be signed.
      repositories().then((signed) =>
        signed
          ? send("ecr:GetSigningConfiguration", () =>
              ecr.send(new GetSigningConfigurationCommand({})),
            )
          : undefined,
      ),
      send("ecr:GetRegistryScanningConfiguration", () =>
        ecr.send(new GetRegistryScanningConfigurationCommand({})),
      ),
      send("ecr:GetRegistryPolicy", () => ecr.send(new GetRegistryPolicyCommand({}))),
      send("ecr:DescribeRegistry", () => ecr.send(new DescribeRegistryCommand({}))),
      listing("ecr:DescribeRepositoryCreationTemplates", (nextToken) =>
        ecr.send(new DescribeRepositoryCreationTemplatesCommand({ nextToken })),
      ),
      listing("ecr:DescribePullThroughCacheRules", (nextToken) =>
        ecr.send(new DescribePullThroughCacheRulesCommand({ nextToken })),
      ),
    ]);
  };

  const readIam = async (credentials?: Credentials) => {
    const iam = new IAMClient(clientConfig(home, credentials));
    const providers = async () => {
      const listed = await send("iam:ListOpenIDConnectProviders", () =>
        iam.send(new ListOpenIDConnectProvidersCommand({})),
      );
      await Promise.all(
        (listed?.OpenIDConnectProviderList ?? []).map((p) =>
          send("iam:GetOpenIDConnectProvider", () =>
            iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: p.Arn })),
          ),
        ),
      );
    };
    const roles = async () => {
      const attached = new Set<string>();
      const reads: Promise<unknown>[] = [];
      let marker: string | undefined;
      do {
        const page = await send("iam:ListRoles", () =>
          iam.send(new ListRolesCommand({ MaxItems: 1000, Marker: marker })),
        );
        for (const role of page?.Roles ?? []) {
          if (!trustsGitHub(String(role.AssumeRolePolicyDocument ?? ""))) {
            continue;
          }
          const RoleName = role.RoleName;
          reads.push(
            (async () => {
              let next: string | undefined;
              do {
                const names = await send("iam:ListRolePolicies", () =>
                  iam.send(new ListRolePoliciesCommand({ RoleName, Marker: next })),
                );
                await Promise.all(
                  (names?.PolicyNames ?? []).map((PolicyName) =>
                    send("iam:GetRolePolicy", () =>
                      iam.send(new GetRolePolicyCommand({ RoleName, PolicyName })),
                    ),
                  ),
                );
                next = names?.IsTruncated ? names.Marker : undefined;
              } while (next);
            })(),
            (async () => {
              let next: string | undefined;
              do {
                const page = await send("iam:ListAttachedRolePolicies", () =>
                  iam.send(new ListAttachedRolePoliciesCommand({ RoleName, Marker: next })),
                );
                for (const p of page?.AttachedPolicies ?? []) {
                  if (!String(p.PolicyArn).includes(":iam::aws:policy/")) {
                    attached.add(String(p.PolicyArn));
                  }
                }
                next = page?.IsTruncated ? page.Marker : undefined;
              } while (next);
            })(),
          );
        }
        marker = page?.IsTruncated ? page.Marker : undefined;
      } while (marker);
      await Promise.all(reads);
      await Promise.all(
        [...attached].map(async (PolicyArn) => {
          const policy = await send("iam:GetPolicy", () =>
            iam.send(new GetPolicyCommand({ PolicyArn })),
          );
          await send("iam:GetPolicyVersion", () =>
            iam.send(
              new GetPolicyVersionCommand({
                PolicyArn,
                VersionId: policy?.Policy?.DefaultVersionId,
              }),
            ),
          );
        }),
      );
    };
    await Promise.all([providers(), roles()]);
  };

  await Promise.all(
    accounts.map(async ({ credentials }) => {
      const regionsOf = async () => {
        if (request.regions !== undefined) {
          return request.regions;
        }
        const listed = await send("ec2:DescribeRegions", () =>
          new EC2Client(clientConfig(home, credentials)).send(
            new DescribeRegionsCommand({ AllRegions: false }),
          ),
        );
        return (listed?.Regions ?? [])
          .filter((r) => r.RegionName !== undefined && r.OptInStatus !== "not-opted-in")
          .map((r) => String(r.RegionName));
      };
      await Promise.all([
        readIam(credentials),
        regionsOf().then((regions) =>
          Promise.all(regions.map((region) => readRegion(region, credentials))),
        ),
      ]);
    }),
  );
  return counts;
}

if (require.main === module) {
  readAsReference(JSON.parse(process.argv[2]) as ReferenceRequest).then(
    (counts) => console.log(JSON.stringify(counts)),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
