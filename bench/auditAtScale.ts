/**
 * `trusted-delivery audit` at scale, on moto: how many AWS calls the built CLI sends per API
 * against the fewest its reader can send (`bench/auditModel.ts`), and how long it takes against
 * a reference reader that sends exactly those calls and does nothing else
 * (`bench/auditReference.ts`), at the same concurrency; then the model at internet scale.
 *
 * Each estate is seeded with the SDK straight into moto (started on a free port, stopped at the
 * end); the CLI and the reference then read it through a counting proxy
 * (`test/helpers/awsProxy.ts`), each in a fresh process, interleaved, with no SDK retries
 * (`AWS_MAX_ATTEMPTS=1`: a retry is not a call the reader chose; moto answers HTTP 500 to the two
 * ECR listings it does not implement, which are counted once each).
 *
 * moto does not page DescribeRepositories (it answers every repository at once); the model's
 * pages of 1,000 are what AWS answers, and agree with moto's single page up to 1,000
 * repositories per region, the bench's largest.
 */
import {
  CreateRepositoryCommand,
  ECRClient,
  PutLifecyclePolicyCommand,
  SetRepositoryPolicyCommand,
} from "@aws-sdk/client-ecr";
import {
  AttachRolePolicyCommand,
  CreateOpenIDConnectProviderCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  IAMClient,
  PutRolePolicyCommand,
} from "@aws-sdk/client-iam";
import * as organizations from "@aws-sdk/client-organizations";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import * as path from "path";
import { mapLimit } from "../cli/aws/unread";
import { lifecyclePolicyDocument } from "../components/lifecyclePolicy";
import { githubTrustPolicy } from "../components/trustPolicy";
import { startAwsProxy } from "../test/helpers/awsProxy";
import { awsEnv, MotoServer, startMoto } from "../test/helpers/moto";
import {
  AccountEstate,
  auditApis,
  AuditApi,
  AuditEstate,
  auditTimeBound,
  AuditTimeBound,
  awsRequestRates,
  internetScale,
  internetScaleEstate,
  minimumAuditCalls,
} from "./auditModel";
import type { ReferenceRequest } from "./auditReference";
import { timeNode } from "./childProcess";
import { BuiltPackage } from "./packageBuild";
import { median, millisecondsSince, ratio, round } from "./stats";

/** One estate the bench seeds and audits. */
export interface AuditScenarioPlan {
  readonly id: "one-account" | "organization";
  /** Accounts (the organisation's management account among them). */
  readonly accounts: number;
  readonly regions: readonly string[];
  readonly repositoriesPerRegion: number;
  readonly roles: number;
  readonly githubRoles: number;
  /** Runs of each reader, interleaved; the median is reported. */
  readonly runs: number;
}

export interface AuditPlan {
  readonly scenarios: readonly AuditScenarioPlan[];
  /** `--concurrency` of both readers: the audit's default. */
  readonly concurrency: number;
}

/** One API's calls in a scenario: the CLI's, the model's minimum, the reference reader's. */
export interface AuditApiCalls {
  readonly api: AuditApi;
  readonly measured: number;
  readonly model: number;
  readonly reference: number;
}

export interface AuditScenarioResult {
  readonly id: AuditScenarioPlan["id"];
  readonly accounts: number;
  readonly regions: readonly string[];
  readonly repositories: number;
  readonly roles: number;
  readonly githubRoles: number;
  readonly concurrency: number;
  readonly runs: number;
  readonly calls: readonly AuditApiCalls[];
  readonly measuredTotal: number;
  readonly modelTotal: number;
  readonly referenceTotal: number;
  /** The CLI's calls over the model's minimum. */
  readonly callRatio?: number;
  /** APIs whose calls were not the model's, in any run of either reader: a defect to report. */
  readonly mismatches: readonly string[];
  /** The CLI's exit code (1: findings; 3 would be nothing read). */
  readonly exitCode: number | null;
  /** Each run, from spawning the process to its exit. */
  readonly oursMilliseconds: readonly number[];
  readonly referenceMilliseconds: readonly number[];
  readonly oursMedianMilliseconds: number;
  readonly referenceMedianMilliseconds: number;
  /** The CLI's median over the reference's. */
  readonly timeRatio?: number;
  readonly seedMilliseconds: number;
}

/** The model at internet scale: calls per API and the least wall time at AWS's rates. */
export interface AuditInternetScale {
  readonly scale: typeof internetScale;
  readonly perApi: Readonly<Record<AuditApi, number>>;
  readonly total: number;
  readonly bound: AuditTimeBound;
  readonly rates: readonly {
    readonly name: string;
    readonly perSecond: number;
    readonly shared: string;
    readonly scope: string;
    readonly source: string;
    readonly assumed?: string;
  }[];
}

export interface AuditResults {
  readonly concurrency: number;
  readonly scenarios: readonly AuditScenarioResult[];
  readonly internetScale: AuditInternetScale;
}

/** The CLI's and the reference's time over the model's are judged at these sizes. */
export const auditTargetScenario = {
  repositories: 1000,
  roles: 500,
} as const;

const home = "eu-west-2";
const credentials = { accessKeyId: "testing", secretAccessKey: "testing" };
/** moto's account when MOTO_ACCOUNT_ID is unset: the organisation's management account. */
const managementAccount = "123456789012";
const memberRole = "OrganizationAccountAccessRole";
const customerPoliciesPerAccount = 20;

type Credentials = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

/**
 * Seeds one account: in each region its repositories, each tagged, one in four with a lifecycle
 * policy and one in twenty with a repository policy; in IAM GitHub's OIDC provider, the roles
 * (the first `githubRoles` trusting GitHub, each with one inline policy and two of the
 * account's customer managed policies attached; the others trusting Lambda). Returns what the
 * model needs to know of it.
 */
async function seedAccount(
  endpoint: string,
  account: string,
  as: Credentials,
  plan: AuditScenarioPlan,
): Promise<AccountEstate> {
  const iam = new IAMClient({ endpoint, region: home, credentials: as });
  const { OpenIDConnectProviderArn } = await iam.send(
    new CreateOpenIDConnectProviderCommand({
      Url: "https://token.actions.githubusercontent.com",
      ClientIDList: ["sts.amazonaws.com"],
      ThumbprintList: ["6938fd4d98bab03faadb97b34396831e3780aea1"],
    }),
  );
  const policyArns = await mapLimit(
    Array.from({ length: customerPoliciesPerAccount }, (_, i) => i),
    16,
    async (i) =>
      String(
        (
          await iam.send(
            new CreatePolicyCommand({
              PolicyName: `ecr-push-${i}`,
              PolicyDocument: JSON.stringify({
                Version: "2012-10-17",
                Statement: [
                  {
                    Effect: "Allow",
                    Action: ["ecr:PutImage", "ecr:UploadLayerPart"],
                    Resource: `arn:aws:ecr:${home}:${account}:repository/app-${i}-*`,
                  },
                ],
              }),
            }),
          )
        ).Policy?.Arn,
      ),
  );
  const attached = new Set<string>();
  await mapLimit(
    Array.from({ length: plan.roles }, (_, i) => i),
    16,
    async (i) => {
      const RoleName = `role-${String(i).padStart(4, "0")}`;
      const github = i < plan.githubRoles;
      await iam.send(
        new CreateRoleCommand({
          RoleName,
          AssumeRolePolicyDocument: JSON.stringify(
            github
              ? githubTrustPolicy(String(OpenIDConnectProviderArn), [
                  `repo:example-org/app-${i}:ref:refs/heads/main`,
                ])
              : {
                  Version: "2012-10-17",
                  Statement: [
                    {
                      Effect: "Allow",
                      Principal: { Service: "lambda.amazonaws.com" },
                      Action: "sts:AssumeRole",
                    },
                  ],
                },
          ),
        }),
      );
      if (!github) {
        return;
      }
      await iam.send(
        new PutRolePolicyCommand({
          RoleName,
          PolicyName: "pull",
          PolicyDocument: JSON.stringify({
            Version: "2012-10-17",
            Statement: [
              {
                Effect: "Allow",
                Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                Resource: `arn:aws:ecr:${home}:${account}:repository/app-${i}`,
              },
            ],
          }),
        }),
      );
      for (const arn of [
        policyArns[i % policyArns.length],
        policyArns[(i + 1) % policyArns.length],
      ]) {
        attached.add(arn);
        await iam.send(new AttachRolePolicyCommand({ RoleName, PolicyArn: arn }));
      }
    },
  );
  for (const region of plan.regions) {
    const ecr = new ECRClient({ endpoint, region, credentials: as });
    await mapLimit(
      Array.from({ length: plan.repositoriesPerRegion }, (_, i) => i),
      16,
      async (i) => {
        const repositoryName = `app-${String(i).padStart(4, "0")}`;
        await ecr.send(
          new CreateRepositoryCommand({
            repositoryName,
            imageScanningConfiguration: { scanOnPush: i % 3 !== 0 },
            imageTagMutability: i % 5 === 0 ? "MUTABLE" : "IMMUTABLE",
            tags: [
              { Key: "team", Value: `team-${i % 12}` },
              { Key: "risk", Value: i % 7 === 0 ? "high" : "medium" },
              { Key: "app", Value: repositoryName },
            ],
          }),
        );
        if (i % 4 === 0) {
          await ecr.send(
            new PutLifecyclePolicyCommand({
              repositoryName,
              lifecyclePolicyText: lifecyclePolicyDocument(30, "medium"),
            }),
          );
        }
        if (i % 20 === 0) {
          await ecr.send(
            new SetRepositoryPolicyCommand({
              repositoryName,
              policyText: JSON.stringify({
                Version: "2012-10-17",
                Statement: [
                  {
                    Sid: "AccountPulls",
                    Effect: "Allow",
                    Principal: { AWS: `arn:aws:iam::${account}:root` },
                    Action: ["ecr:BatchGetImage"],
                  },
                ],
              }),
            }),
          );
        }
      },
    );
  }
  return {
    repositoriesPerRegion: plan.regions.map(() => plan.repositoriesPerRegion),
    // moto's Organizations creates no role in a member account: the roles are the seeded ones.
    roles: plan.roles,
    githubRoles: plan.githubRoles,
    inlinePoliciesPerGithubRole: plan.githubRoles > 0 ? 1 : 0,
    attachedPoliciesPerGithubRole: plan.githubRoles > 0 ? 2 : 0,
    customerManagedPolicies: attached.size,
    oidcProviders: 1,
  };
}

/** Seeds the scenario's estate into moto; returns it as the model describes it. */
async function seedScenario(endpoint: string, plan: AuditScenarioPlan): Promise<AuditEstate> {
  if (plan.id === "one-account") {
    const account = await seedAccount(endpoint, managementAccount, credentials, plan);
    return { accounts: [account], regionsListed: false };
  }
  const org = new organizations.OrganizationsClient({ endpoint, region: home, credentials });
  await org.send(new organizations.CreateOrganizationCommand({ FeatureSet: "ALL" }));
  const members: string[] = [];
  for (let i = 1; i < plan.accounts; i++) {
    const { CreateAccountStatus } = await org.send(
      new organizations.CreateAccountCommand({
        AccountName: `member-${i}`,
        Email: `member-${i}@example.com`,
      }),
    );
    members.push(String(CreateAccountStatus?.AccountId));
  }
  const sts = new STSClient({ endpoint, region: home, credentials });
  const accounts = [await seedAccount(endpoint, managementAccount, credentials, plan)];
  for (const member of members) {
    const { Credentials } = await sts.send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${member}:role/${memberRole}`,
        RoleSessionName: "seed",
      }),
    );
    accounts.push(
      await seedAccount(
        endpoint,
        member,
        {
          accessKeyId: String(Credentials?.AccessKeyId),
          secretAccessKey: String(Credentials?.SecretAccessKey),
          sessionToken: Credentials?.SessionToken,
        },
        plan,
      ),
    );
  }
  return {
    accounts,
    regionsListed: false,
    organization: { listed: true, callerIncluded: true },
  };
}

function countActions(actions: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const action of actions) {
    counts.set(action, (counts.get(action) ?? 0) + 1);
  }
  return counts;
}

/** Where the counts of a run differ from the model's, API by API. */
function differences(
  who: string,
  counts: ReadonlyMap<string, number>,
  model: Readonly<Record<AuditApi, number>>,
): string[] {
  const apis = new Set<string>([...auditApis, ...counts.keys()]);
  return [...apis].flatMap((api) => {
    const expected = model[api as AuditApi] ?? 0;
    const got = counts.get(api) ?? 0;
    return got === expected ? [] : [`${who} sent ${got} ${api}, the model ${expected}`];
  });
}

async function measureScenario(
  built: BuiltPackage,
  reference: string,
  plan: AuditScenarioPlan,
  concurrency: number,
  progress: (message: string) => void,
): Promise<AuditScenarioResult> {
  const moto: MotoServer = await startMoto({ multipleAccounts: plan.id === "organization" });
  try {
    const seedStart = process.hrtime.bigint();
    const estate = await seedScenario(moto.endpoint, plan);
    const seedMilliseconds = round(millisecondsSince(seedStart), 0);
    const model = minimumAuditCalls(estate);
    progress(
      `audit ${plan.id}: seeded ${plan.accounts} account(s) × ${plan.regions.length} region(s) in ${Math.round(seedMilliseconds / 1000)} s; the model's minimum is ${model.total.toLocaleString("en-US")} calls`,
    );
    const proxy = await startAwsProxy(moto.endpoint);
    try {
      const env = {
        ...process.env,
        ...awsEnv(proxy.endpoint),
        AWS_MAX_ATTEMPTS: "1",
        TRUSTED_DELIVERY_PROGRESS_AFTER_SECONDS: "600",
      };
      const regionArgs = plan.regions.flatMap((r) => ["--region", r]);
      const cliArgs = [
        path.join(built.directory, "dist/cli/main.js"),
        "audit",
        ...(plan.id === "organization" ? ["--organization", "--role-name", memberRole] : []),
        ...regionArgs,
        "--concurrency",
        String(concurrency),
        "-f",
        "json",
      ];
      const request: ReferenceRequest = {
        home,
        regions: plan.regions,
        ...(plan.id === "organization" && { organization: { roleName: memberRole } }),
        concurrency,
      };
      const ours: number[] = [];
      const theirs: number[] = [];
      const mismatches = new Set<string>();
      let measured: Map<string, number> | undefined;
      let referenced: Map<string, number> | undefined;
      let exitCode: number | null = null;
      for (let run = 0; run < plan.runs; run++) {
        proxy.actions.length = 0;
        const audit = await timeNode(cliArgs, { env, cwd: built.directory });
        if (audit.status !== 0 && audit.status !== 1) {
          throw new Error(
            `trusted-delivery audit (${plan.id}) exited ${audit.status}:\n${audit.stderr.slice(-4000)}`,
          );
        }
        exitCode = audit.status;
        const counts = countActions(proxy.actions);
        measured ??= counts;
        differences("the CLI", counts, model.perApi).forEach((d) => mismatches.add(d));
        ours.push(round(audit.exitMilliseconds, 0));

        proxy.actions.length = 0;
        const floor = await timeNode([reference, JSON.stringify(request)], {
          env,
          cwd: built.directory,
        });
        if (floor.status !== 0) {
          throw new Error(
            `the reference reader (${plan.id}) failed:\n${floor.stderr.slice(-4000)}`,
          );
        }
        const floorCounts = countActions(proxy.actions);
        referenced ??= floorCounts;
        differences("the reference", floorCounts, model.perApi).forEach((d) => mismatches.add(d));
        theirs.push(round(floor.exitMilliseconds, 0));
        progress(
          `audit ${plan.id}: run ${run + 1} of ${plan.runs}: ours ${ours.at(-1)} ms (${[...counts.values()].reduce((a, b) => a + b, 0)} calls), reference ${theirs.at(-1)} ms (${[...floorCounts.values()].reduce((a, b) => a + b, 0)} calls)`,
        );
      }
      const calls = auditApis.map((api) => ({
        api,
        measured: measured?.get(api) ?? 0,
        model: model.perApi[api],
        reference: referenced?.get(api) ?? 0,
      }));
      const total = (counts: Map<string, number> | undefined) =>
        [...(counts?.values() ?? [])].reduce((a, b) => a + b, 0);
      const oursMedian = median(ours);
      const referenceMedian = median(theirs);
      return {
        id: plan.id,
        accounts: plan.accounts,
        regions: plan.regions,
        repositories: plan.accounts * plan.regions.length * plan.repositoriesPerRegion,
        roles: plan.accounts * plan.roles,
        githubRoles: plan.accounts * plan.githubRoles,
        concurrency,
        runs: plan.runs,
        calls,
        measuredTotal: total(measured),
        modelTotal: model.total,
        referenceTotal: total(referenced),
        callRatio: ratio(total(measured), model.total),
        mismatches: [...mismatches],
        exitCode,
        oursMilliseconds: ours,
        referenceMilliseconds: theirs,
        oursMedianMilliseconds: oursMedian,
        referenceMedianMilliseconds: referenceMedian,
        timeRatio: ratio(oursMedian, referenceMedian),
        seedMilliseconds,
      };
    } finally {
      await proxy.stop();
    }
  } finally {
    await moto.stop();
  }
}

/** The model at internet scale (`internetScale`), at the audit's default concurrency. */
export function auditInternetScale(): AuditInternetScale {
  const model = minimumAuditCalls(internetScaleEstate());
  return {
    scale: internetScale,
    perApi: model.perApi,
    total: model.total,
    bound: auditTimeBound(model, {
      latencyMilliseconds: internetScale.latencyMilliseconds,
      concurrency: internetScale.concurrency,
    }),
    rates: awsRequestRates.map(({ name, perSecond, shared, scope, source, assumed }) => ({
      name,
      perSecond,
      shared,
      scope,
      source,
      ...(assumed !== undefined && { assumed }),
    })),
  };
}

/** Seeds, audits and compares each scenario of `plan`, then evaluates the model at internet scale. */
export async function measureAuditAtScale(
  built: BuiltPackage,
  plan: AuditPlan,
  progress: (message: string) => void,
): Promise<AuditResults> {
  // Compiled beside the built package (packageBuild.ts), so that it loads the same SDK.
  const reference = path.join(built.directory, "dist/bench/auditReference.js");
  const scenarios: AuditScenarioResult[] = [];
  for (const scenario of plan.scenarios) {
    scenarios.push(await measureScenario(built, reference, scenario, plan.concurrency, progress));
  }
  return { concurrency: plan.concurrency, scenarios, internetScale: auditInternetScale() };
}
