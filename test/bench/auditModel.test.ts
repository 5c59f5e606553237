import { strict as assert } from "assert";
import { CreateRepositoryCommand, ECRClient, PutLifecyclePolicyCommand } from "@aws-sdk/client-ecr";
import {
  AttachRolePolicyCommand,
  CreateOpenIDConnectProviderCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  IAMClient,
  PutRolePolicyCommand,
} from "@aws-sdk/client-iam";
import {
  AccountEstate,
  auditTimeBound,
  internetScaleEstate,
  minimumAuditCalls,
  pages,
  RateBucket,
} from "../../bench/auditModel";
import { auditInternetScale, AuditScenarioResult } from "../../bench/auditAtScale";
import { judgeAuditTargets } from "../../bench/targets";
import { lifecyclePolicyDocument } from "../../components/lifecyclePolicy";
import { githubTrustPolicy } from "../../components/trustPolicy";
import { AwsProxy, startAwsProxy } from "../helpers/awsProxy";
import { builtPackage, runCliAsync } from "../helpers/cli";
import { awsEnv, motoAccount, MotoServer, startMoto } from "../helpers/moto";

const home = "eu-west-2";
const other = "us-east-1";
const credentials = { accessKeyId: "testing", secretAccessKey: "testing" };
const providerArn = `arn:aws:iam::${motoAccount}:oidc-provider/token.actions.githubusercontent.com`;

const account = (over: Partial<AccountEstate> = {}): AccountEstate => ({
  repositoriesPerRegion: [0],
  roles: 0,
  githubRoles: 0,
  inlinePoliciesPerGithubRole: 0,
  attachedPoliciesPerGithubRole: 0,
  customerManagedPolicies: 0,
  oidcProviders: 0,
  ...over,
});

/**
 * A small account: three repositories in eu-west-2 (one with a lifecycle policy, one tagged high
 * risk, whose region's signing configuration is then read) and two in us-east-1; GitHub's provider; four roles, two trusted by GitHub, each with two inline
 * policies and, attached, one customer managed policy they share and AdministratorAccess (AWS
 * managed: not read).
 */
async function seed(endpoint: string): Promise<void> {
  for (const [region, names] of [
    [home, ["api", "worker", "web"]],
    [other, ["mirror", "tools"]],
  ] as const) {
    const ecr = new ECRClient({ endpoint, region, credentials });
    for (const repositoryName of names) {
      const signed = repositoryName === "api";
      await ecr.send(
        new CreateRepositoryCommand({
          repositoryName,
          tags: [
            { Key: "team", Value: "a" },
            ...(signed ? [{ Key: "goldenpath.idp/risk", Value: "high" }] : []),
          ],
        }),
      );
    }
    await ecr.send(
      new PutLifecyclePolicyCommand({
        repositoryName: names[0],
        lifecyclePolicyText: lifecyclePolicyDocument(10, "medium"),
      }),
    );
  }
  const iam = new IAMClient({ endpoint, region: home, credentials });
  await iam.send(
    new CreateOpenIDConnectProviderCommand({
      Url: "https://token.actions.githubusercontent.com",
      ClientIDList: ["sts.amazonaws.com"],
      ThumbprintList: ["6938fd4d98bab03faadb97b34396831e3780aea1"],
    }),
  );
  const { Policy } = await iam.send(
    new CreatePolicyCommand({
      PolicyName: "ecr-push",
      PolicyDocument: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: "ecr:PutImage", Resource: "*" }],
      }),
    }),
  );
  for (const [i, RoleName] of ["deploy-api", "deploy-web", "lambda-a", "lambda-b"].entries()) {
    const github = i < 2;
    await iam.send(
      new CreateRoleCommand({
        RoleName,
        AssumeRolePolicyDocument: JSON.stringify(
          github
            ? githubTrustPolicy(providerArn, [`repo:example-org/${RoleName}:ref:refs/heads/main`])
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
      continue;
    }
    for (const PolicyName of ["pull", "describe"]) {
      await iam.send(
        new PutRolePolicyCommand({
          RoleName,
          PolicyName,
          PolicyDocument: JSON.stringify({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Action: "ecr:BatchGetImage", Resource: "*" }],
          }),
        }),
      );
    }
    for (const PolicyArn of [Policy!.Arn!, "arn:aws:iam::aws:policy/AdministratorAccess"]) {
      await iam.send(new AttachRolePolicyCommand({ RoleName, PolicyArn }));
    }
  }
}

function counts(actions: readonly string[]): Record<string, number> {
  const found: Record<string, number> = {};
  for (const action of actions) {
    found[action] = (found[action] ?? 0) + 1;
  }
  return found;
}

describe("the audit bench's model of the fewest AWS calls", function () {
  this.timeout(240000);
  let moto: MotoServer;
  let proxy: AwsProxy;

  before(async () => {
    builtPackage();
    moto = await startMoto();
    await seed(moto.endpoint);
    proxy = await startAwsProxy(moto.endpoint);
  });

  after(async () => {
    await proxy?.stop();
    await moto?.stop();
  });

  it("predicts every API's calls of the built CLI exactly, for an account read in every enabled region", async () => {
    // No retries: moto answers HTTP 500 to the two ECR listings and the signing configuration
    // it does not implement, and a retry is the SDK's, not a call the reader chose.
    const result = await runCliAsync(["audit", "-f", "json"], {
      env: { ...awsEnv(proxy.endpoint), AWS_MAX_ATTEMPTS: "1" },
    });
    assert.equal(result.code, 1, result.stderr);
    const regions: string[] = JSON.parse(result.stdout).regions;
    assert.ok(regions.includes(home) && regions.includes(other), regions.join(", "));
    const repositories: Record<string, number> = { [home]: 3, [other]: 2 };
    const signed: Record<string, number> = { [home]: 1 };
    const model = minimumAuditCalls({
      accounts: [
        {
          repositoriesPerRegion: regions.map((r) => repositories[r] ?? 0),
          signedRepositoriesPerRegion: regions.map((r) => signed[r] ?? 0),
          roles: 4,
          githubRoles: 2,
          inlinePoliciesPerGithubRole: 2,
          attachedPoliciesPerGithubRole: 2,
          customerManagedPolicies: 1,
          oidcProviders: 1,
        },
      ],
      regionsListed: true,
    });
    const expected = Object.fromEntries(
      Object.entries(model.perApi).filter(([, calls]) => calls > 0),
    );
    assert.deepEqual(counts(proxy.actions), expected);
    assert.equal(proxy.actions.length, model.total);
    // The figures the model must reach, written out for the regions moto lists.
    assert.deepEqual(
      [
        expected["ec2:DescribeRegions"],
        expected["ecr:DescribeRepositories"],
        expected["ecr:ListTagsForResource"],
        expected["ecr:GetSigningConfiguration"],
        expected["iam:GetRolePolicy"],
        expected["iam:GetPolicy"],
      ],
      [1, regions.length, 5, 1, 4, 1],
    );
  });
});

describe("the audit bench's model arithmetic", () => {
  it("counts a listing's pages, one even when it lists nothing", () => {
    assert.deepEqual(
      [pages(0, 1000), pages(1, 1000), pages(1000, 1000), pages(1001, 1000), pages(41, 20)],
      [1, 1, 1, 2, 3],
    );
    assert.throws(() => pages(-1, 20), {
      message: "items is -1; must be a whole number of 0 or more, e.g. 1000",
    });
    assert.throws(() => pages(3, 0), {
      message: "pageSize is 0; must be a whole number of 1 or more, e.g. 1000",
    });
  });

  it("pages DescribeRepositories by 1,000 per region and ListRoles by 1,000 per account", () => {
    const { perApi } = minimumAuditCalls({
      accounts: [account({ repositoriesPerRegion: [2500, 0], roles: 1001 })],
      regionsListed: false,
    });
    assert.equal(perApi["ecr:DescribeRepositories"], 3 + 1);
    assert.equal(perApi["ecr:ListTagsForResource"], 2500);
    assert.equal(perApi["ecr:DescribeRegistry"], 2);
    assert.equal(perApi["iam:ListRoles"], 2);
    assert.equal(perApi["ec2:DescribeRegions"], 0);
    assert.equal(perApi["sts:AssumeRole"], 0);
  });

  it("reads the signing configuration once in each region holding a repository whose images are signed, and nowhere else", () => {
    const { perApi, placed } = minimumAuditCalls({
      accounts: [
        account({ repositoriesPerRegion: [40, 10, 5], signedRepositoriesPerRegion: [3, 0, 1] }),
        account({ repositoriesPerRegion: [7] }),
      ],
      regionsListed: false,
    });
    assert.equal(perApi["ecr:GetSigningConfiguration"], 2);
    assert.deepEqual(
      placed
        .filter((p) => p.api === "ecr:GetSigningConfiguration")
        .map((p) => [p.account, p.region, p.calls]),
      [
        [0, 0, 1],
        [0, 2, 1],
      ],
    );
  });

  it("pages a GitHub role's inline and attached policies by IAM's default 100", () => {
    const { perApi } = minimumAuditCalls({
      accounts: [
        account({
          roles: 3,
          githubRoles: 3,
          inlinePoliciesPerGithubRole: 101,
          attachedPoliciesPerGithubRole: 0,
        }),
      ],
      regionsListed: false,
    });
    assert.deepEqual(
      [
        perApi["iam:ListRolePolicies"],
        perApi["iam:GetRolePolicy"],
        perApi["iam:ListAttachedRolePolicies"],
      ],
      [6, 303, 3],
    );
  });

  it("lists an organisation's accounts in pages of 20 and assumes a role in each but the caller's", () => {
    const estate = internetScaleEstate();
    const { perApi, total } = minimumAuditCalls(estate);
    assert.equal(perApi["organizations:ListAccounts"], 25);
    assert.equal(perApi["sts:AssumeRole"], 499);
    assert.equal(perApi["sts:GetCallerIdentity"], 1);
    assert.equal(perApi["ec2:DescribeRegions"], 500);
    assert.equal(perApi["ecr:DescribeRepositories"], 500 * 17);
    assert.equal(perApi["ecr:GetRepositoryPolicy"], 500 * 17 * 50);
    assert.equal(perApi["iam:GetRolePolicy"], 500 * 20);
    assert.equal(perApi["iam:GetPolicyVersion"], 500 * 20);
    const withAccounts = minimumAuditCalls({
      ...estate,
      organization: { listed: false, callerIncluded: false },
    });
    assert.equal(withAccounts.perApi["organizations:ListAccounts"], 0);
    assert.equal(withAccounts.perApi["sts:AssumeRole"], 500);
    assert.equal(withAccounts.total, total - 25 + 1);
  });

  it("bounds the time by the latency over the concurrency, or by the busiest bucket's refill", () => {
    const model = minimumAuditCalls({
      accounts: [account({ repositoriesPerRegion: [100] })],
      regionsListed: false,
    });
    // 1 + (1 + 300 + 5) ECR + 2 IAM listings = 309 calls.
    assert.equal(model.total, 309);
    const rates: RateBucket[] = [
      {
        name: "ECR",
        apis: (api) => api.startsWith("ecr:"),
        shared: "per API",
        scope: "account and region",
        perSecond: 10,
        source: "test",
      },
    ];
    const slow = auditTimeBound(model, { latencyMilliseconds: 100, concurrency: 1 }, rates);
    assert.equal(slow.boundBy, "latency and concurrency");
    assert.equal(slow.seconds, 30.9);
    const wide = auditTimeBound(model, { latencyMilliseconds: 100, concurrency: 100 }, rates);
    assert.equal(wide.boundBy, "request rate");
    assert.deepEqual(wide.busiest, {
      bucket: "ECR",
      place: "account 0, region 0, ecr:ListTagsForResource",
      calls: 100,
      seconds: 10,
    });
    assert.equal(wide.seconds, 10);
    assert.throws(() => auditTimeBound(model, { latencyMilliseconds: 0, concurrency: 1 }), {
      message: "latencyMilliseconds is 0; must be above 0, e.g. 50",
    });
  });
});

describe("the audit bench's targets", () => {
  const scenario = (over: Partial<AuditScenarioResult>): AuditScenarioResult => ({
    id: "one-account",
    accounts: 1,
    regions: ["eu-west-2"],
    repositories: 1000,
    roles: 500,
    githubRoles: 100,
    concurrency: 16,
    runs: 2,
    calls: [{ api: "iam:ListRoles", measured: 2, model: 1, reference: 1 }],
    measuredTotal: 3351,
    modelTotal: 3350,
    referenceTotal: 3350,
    callRatio: 1,
    mismatches: ["the CLI sent 2 iam:ListRoles, the model 1"],
    exitCode: 1,
    oursMilliseconds: [60000, 62000],
    referenceMilliseconds: [43000, 45000],
    oursMedianMilliseconds: 61000,
    referenceMedianMilliseconds: 44000,
    timeRatio: 1.39,
    seedMilliseconds: 28000,
    ...over,
  });

  it("hold calls to 1.01× the model, no API off the model's count, and time to 1.2× the reference", () => {
    const judged = judgeAuditTargets({
      concurrency: 16,
      scenarios: [scenario({}), scenario({ id: "organization", repositories: 480, accounts: 4 })],
      internetScale: auditInternetScale(),
    });
    assert.deepEqual(
      judged.map((t) => [t.limit, t.measured, t.status]),
      [
        [1.01, 1, "met"],
        [0, 1, "not met"],
        [1.2, 1.39, "not met"],
        [1.01, 1, "met"],
        [0, 1, "not met"],
        [1.2, 1.39, "not met"],
      ],
    );
  });

  it("leave the one-account targets unmeasured below 1,000 repositories and 500 roles", () => {
    const [calls] = judgeAuditTargets({
      concurrency: 16,
      scenarios: [scenario({ repositories: 200, roles: 100 })],
      internetScale: auditInternetScale(),
    });
    assert.deepEqual(
      [calls.status, calls.basis],
      [
        "not measured",
        "this run audited 200 repositories and 100 roles, not 1,000 repositories and 500 roles",
      ],
    );
  });
});
