import { strict as assert } from "assert";
import * as ecr from "@aws-sdk/client-ecr";
import * as organizations from "@aws-sdk/client-organizations";
import * as sts from "@aws-sdk/client-sts";
import * as fs from "fs";
import * as path from "path";
import { auditCalls } from "../../cli/audit/auditedTypes";
import { readOrganization } from "../../cli/audit/organization";
import { organizationSettings } from "../../cli/audit/organizationOptions";
import { defaultAuditRoleName } from "../../cli/audit/organizationOptions";
import { requestPool } from "../../cli/aws/pool";
import { accountReadActions, readOnlyPolicy } from "../../cli/aws/readOnlyCalls";
import { builtPackage, CliResult, repositoryRoot, runCli, runCliAsync } from "../helpers/cli";
import { AwsProxy, startAwsProxy } from "../helpers/awsProxy";
import { awsEnv, MotoServer, startMoto } from "../helpers/moto";

const region = "eu-west-2";
const otherRegion = "us-east-1";
// moto's own account when MOTO_ACCOUNT_ID is unset: the organisation's management account.
const management = "123456789012";
const roleName = "OrganizationAccountAccessRole";

const testCredentials = { accessKeyId: "testing", secretAccessKey: "testing" };

/** What each account holds: repositories by region, scan on push or not. */
interface Seeded {
  readonly account: string;
  readonly name: string;
  readonly repositories: readonly { name: string; region: string; scanOnPush: boolean }[];
}

async function seed(endpoint: string): Promise<{ members: Seeded[]; denied: string }> {
  const org = new organizations.OrganizationsClient({
    endpoint,
    region,
    credentials: testCredentials,
  });
  await org.send(new organizations.CreateOrganizationCommand({ FeatureSet: "ALL" }));
  const create = async (name: string) => {
    const { CreateAccountStatus } = await org.send(
      new organizations.CreateAccountCommand({ AccountName: name, Email: `${name}@example.com` }),
    );
    return String(CreateAccountStatus?.AccountId);
  };
  const payments = await create("payments");
  const search = await create("search");
  const denied = await create("sandbox");
  const members: Seeded[] = [
    {
      account: payments,
      name: "payments",
      repositories: [
        { name: "payments-api", region, scanOnPush: false },
        { name: "payments-worker", region: otherRegion, scanOnPush: true },
      ],
    },
    {
      account: search,
      name: "search",
      repositories: [
        { name: "search-api", region, scanOnPush: true },
        { name: "search-indexer", region: otherRegion, scanOnPush: false },
      ],
    },
    {
      account: denied,
      name: "sandbox",
      repositories: [{ name: "sandbox-toy", region, scanOnPush: false }],
    },
  ];
  const root = new sts.STSClient({ endpoint, region, credentials: testCredentials });
  for (const member of members) {
    const { Credentials } = await root.send(
      new sts.AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${member.account}:role/${roleName}`,
        RoleSessionName: "seed",
      }),
    );
    for (const repository of member.repositories) {
      await new ecr.ECRClient({
        endpoint,
        region: repository.region,
        credentials: {
          accessKeyId: String(Credentials?.AccessKeyId),
          secretAccessKey: String(Credentials?.SecretAccessKey),
          sessionToken: Credentials?.SessionToken,
        },
      }).send(
        new ecr.CreateRepositoryCommand({
          repositoryName: repository.name,
          imageScanningConfiguration: { scanOnPush: repository.scanOnPush },
        }),
      );
    }
  }
  // The management account's own repository, read with the caller's credentials.
  await new ecr.ECRClient({ endpoint, region, credentials: testCredentials }).send(
    new ecr.CreateRepositoryCommand({
      repositoryName: "platform-tools",
      imageScanningConfiguration: { scanOnPush: false },
    }),
  );
  await new ecr.ECRClient({ endpoint, region: otherRegion, credentials: testCredentials }).send(
    new ecr.CreateRepositoryCommand({
      repositoryName: "platform-mirror",
      imageScanningConfiguration: { scanOnPush: true },
    }),
  );
  return { members, denied };
}

describe("audit --organization, on moto's AWS Organization", function () {
  this.timeout(240000);
  let moto: MotoServer;
  let proxy: AwsProxy;
  let members: Seeded[];
  let denied: string;
  let env: NodeJS.ProcessEnv;
  let json: CliResult;
  let report: any;
  const deniedRole = () => `arn:aws:iam::${denied}:role/${roleName}`;
  const auditOrg = (format: string) =>
    runCliAsync(
      [
        "audit",
        "--organization",
        "--role-name",
        roleName,
        "--region",
        region,
        "--region",
        otherRegion,
        "-f",
        format,
      ],
      { env },
    );

  before(async () => {
    builtPackage();
    moto = await startMoto({ multipleAccounts: true });
    ({ members, denied } = await seed(moto.endpoint));
    // moto checks no trust policy, so it never refuses an AssumeRole itself: the proxy answers
    // AccessDenied, as STS does, to one member's.
    proxy = await startAwsProxy(moto.endpoint);
    proxy.denyWhen.push((action, form) =>
      action === "sts:AssumeRole" && form.get("RoleArn") === deniedRole()
        ? `User: arn:aws:iam::${management}:user/moto is not authorized to perform: sts:AssumeRole on resource: ${deniedRole()}`
        : undefined,
    );
    env = awsEnv(proxy.endpoint);
    json = await auditOrg("json");
    report = JSON.parse(json.stdout);
  });

  after(async () => {
    await proxy?.stop();
    await moto?.stop();
  });

  it("reads every ACTIVE account of the Organization, and exits 1 on their findings", () => {
    assert.equal(json.code, 1, json.stderr);
    assert.deepEqual(
      report.accounts.map((a: any) => [a.account, a.name, a.read]),
      [
        [management, "master", true],
        ...members.map((m) => [m.account, m.name, m.account !== denied]),
      ],
    );
    assert.equal(report.summary.accounts, 4);
    assert.equal(report.summary.accountsNotRead, 1);
  });

  it("judges each account's repositories in that account, and names the account on each finding", () => {
    const scanOff = (account: string) =>
      report.findings
        .filter((f: any) => f.policy === "ecr-scan-on-push" && f.account === account)
        .map((f: any) => [f.region, f.resource.arn])
        .sort();
    for (const member of members.filter((m) => m.account !== denied)) {
      assert.deepEqual(
        scanOff(member.account),
        member.repositories
          .filter((r) => !r.scanOnPush)
          .map((r) => [r.region, `arn:aws:ecr:${r.region}:${member.account}:repository/${r.name}`])
          .sort(),
      );
    }
    assert.deepEqual(scanOff(management), [
      [region, `arn:aws:ecr:${region}:${management}:repository/platform-tools`],
    ]);
    for (const item of [...report.findings, ...report.resources]) {
      assert.match(item.account, /^\d{12}$/);
      assert.ok([region, otherRegion, "global"].includes(item.region), item.region);
    }
  });

  it("reports an account whose role cannot be assumed as could not read, for that account only", () => {
    assert.deepEqual(
      report.couldNotRead.filter((u: any) => u.action === "sts:AssumeRole"),
      [
        {
          account: denied,
          what: "the member account's audit role",
          action: "sts:AssumeRole",
          region: "global",
          reason: `AccessDenied (HTTP 403): User: arn:aws:iam::${management}:user/moto is not authorized to perform: sts:AssumeRole on resource: ${deniedRole()}`,
          resources: [deniedRole()],
        },
      ],
    );
    assert.ok(!report.findings.some((f: any) => f.account === denied));
    assert.ok(!report.resources.some((r: any) => r.account === denied));
    assert.ok(
      !report.couldNotRead.some((u: any) => u.account !== denied && u.action === "sts:AssumeRole"),
    );
    assert.match(
      json.stderr,
      new RegExp(`^account ${denied}: could not assume ${deniedRole()} \\(AccessDenied`, "m"),
    );
  });

  it("reads both regions of every account read, and says so per account on stderr", () => {
    for (const account of [management, ...members.map((m) => m.account)]) {
      if (account === denied) {
        continue;
      }
      const regions = new Set(
        report.resources
          .filter((r: any) => r.account === account && r.kind === "ECR repository")
          .map((r: any) => r.region),
      );
      assert.deepEqual([...regions].sort(), [region, otherRegion].sort());
      assert.match(json.stderr, new RegExp(`^account ${account}: reading as `, "m"));
    }
  });

  it("writes SARIF whose every result names its account and region, with a summary per account", async () => {
    const sarif = await auditOrg("sarif");
    assert.equal(sarif.code, 1, sarif.stderr);
    const [run] = JSON.parse(sarif.stdout).runs;
    assert.ok(run.results.length > 0);
    for (const result of run.results) {
      const { account, region: where } = result.properties;
      assert.match(account, /^\d{12}$/);
      assert.deepEqual(result.locations[0].logicalLocations[1], {
        name: `${account}/${where}`,
        fullyQualifiedName: `aws/account/${account}/${where}`,
        kind: "namespace",
      });
    }
    assert.deepEqual(
      run.properties.accounts.map((a: any) => [a.account, a.read]),
      report.accounts.map((a: any) => [a.account, a.read]),
    );
    assert.equal(run.invocations[0].executionSuccessful, false);
  });

  it("groups the table by account", async () => {
    const table = await auditOrg("table");
    const headings = [...table.stdout.matchAll(/^=== Account (\d{12}) \((\w+)\) ===$/gm)];
    assert.deepEqual(
      headings.map((h) => h[1]),
      [management, ...members.map((m) => m.account)],
    );
    assert.match(
      table.stdout,
      /^4 accounts in eu-west-2, us-east-1: 3 read, 1 could not be read;/m,
    );
  });

  it("sends each call once per account or region it reads, no more", async () => {
    const counts = new Map<string, number>();
    const saved = { ...process.env };
    Object.assign(process.env, env);
    try {
      await readOrganization(
        { home: region, given: [region, otherRegion] },
        {
          roleName,
          concurrency: 4,
          observe: (action) => counts.set(action, (counts.get(action) ?? 0) + 1),
        },
        () => {},
      );
    } finally {
      process.env = saved;
    }
    const readAccounts = 3;
    const repositories =
      2 + members.filter((m) => m.account !== denied).flatMap((m) => m.repositories).length;
    const count = (...actions: string[]) => actions.map((a) => [a, counts.get(a)]);
    assert.deepEqual(
      count(
        "sts:GetCallerIdentity",
        "organizations:ListAccounts",
        "sts:AssumeRole",
        "iam:ListRoles",
        "iam:ListOpenIDConnectProviders",
        "ecr:DescribeRepositories",
        "ecr:DescribeRegistry",
        "ecr:ListTagsForResource",
        "ecr:GetLifecyclePolicy",
      ),
      [
        ["sts:GetCallerIdentity", 1],
        ["organizations:ListAccounts", 1],
        // One per member account (the management account is read as the caller).
        ["sts:AssumeRole", members.length],
        ["iam:ListRoles", readAccounts],
        ["iam:ListOpenIDConnectProviders", readAccounts],
        ["ecr:DescribeRepositories", readAccounts * 2],
        ["ecr:DescribeRegistry", readAccounts * 2],
        ["ecr:ListTagsForResource", repositories],
        ["ecr:GetLifecyclePolicy", repositories],
      ],
    );
  });

  it("without --region, lists each account's enabled regions with its own credentials and reads each", async () => {
    const counts = new Map<string, number>();
    const saved = { ...process.env };
    Object.assign(process.env, env);
    let live;
    try {
      live = await readOrganization(
        { home: region },
        {
          roleName,
          concurrency: 16,
          observe: (action) => counts.set(action, (counts.get(action) ?? 0) + 1),
        },
        () => {},
      );
    } finally {
      process.env = saved;
    }
    const read = live.accounts.filter((a) => a.live !== undefined);
    assert.equal(read.length, 3);
    const enabled = read[0].live!.regions;
    assert.ok(enabled.includes(region) && enabled.includes(otherRegion), enabled.join(", "));
    for (const account of read) {
      assert.deepEqual(account.live!.regions, enabled);
      assert.deepEqual(
        account.live!.registries.map((r) => r.region),
        enabled,
      );
    }
    assert.deepEqual(live.regions, enabled);
    assert.equal(counts.get("ec2:DescribeRegions"), read.length);
    assert.equal(counts.get("ecr:DescribeRepositories"), read.length * enabled.length);
    // The denied member is not read in any region, and listed no regions.
    assert.deepEqual(
      live.accounts.filter((a) => a.live === undefined).map((a) => a.account),
      [denied],
    );
  });
});

describe("audit --organization's settings", () => {
  it("--print-permissions --organization prints the management account's policy and the member role's", () => {
    const printed = runCli(["audit", "--print-permissions", "--organization"]);
    assert.equal(printed.code, 0, printed.stderr);
    const { managementAccount, memberRole } = JSON.parse(printed.stdout);
    assert.deepEqual(memberRole, readOnlyPolicy(auditCalls()));
    assert.deepEqual(managementAccount.Statement, [
      {
        ...readOnlyPolicy(auditCalls()).Statement[0],
        Action: [...auditCalls(), "organizations:ListAccounts"].sort(),
      },
      {
        Sid: "TrustedDeliveryAuditAssumeMemberRole",
        Effect: "Allow",
        Action: ["sts:AssumeRole"],
        Resource: "arn:*:iam::*:role/TrustedDeliveryAudit",
      },
    ]);
    assert.ok(!memberRole.Statement[0].Action.includes("sts:AssumeRole"));
  });

  it("the README's StackSet template grants the member role exactly the read calls, under the default name", () => {
    const readme = fs.readFileSync(path.join(repositoryRoot, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("### Auditing a whole AWS Organization"));
    const template = /```yaml\n(AWSTemplateFormatVersion[\s\S]*?)```/.exec(section)?.[1] ?? "";
    assert.match(template, new RegExp(`RoleName: ${defaultAuditRoleName}\n`));
    const actions = [...template.matchAll(/^ {18}- ([a-z0-9]+:[A-Za-z]+)$/gm)].map((m) => m[1]);
    assert.deepEqual(actions, accountReadActions());
    assert.match(template, /Principal:\n\s+AWS: !Ref AuditPrincipalArn\n/);
  });

  it("defaults to the TrustedDeliveryAudit role and 16 requests in flight", () => {
    assert.deepEqual(organizationSettings({ organization: true }), {
      problems: [],
      concurrency: 16,
      settings: { roleName: "TrustedDeliveryAudit", concurrency: 16 },
    });
  });

  it("refuses bad account ids, role names and concurrency, all at once, naming each", () => {
    const { problems } = organizationSettings({
      accounts: "12345,111111111111",
      "role-name": "bad name",
      concurrency: "0",
    });
    assert.deepEqual(problems, [
      '--accounts is "12345"; must be AWS account ids of 12 digits, comma-separated, e.g. "111111111111,222222222222"',
      '--role-name is "bad name"; must be an IAM role name: 1 to 64 of letters, digits and +=,.@_-, e.g. "TrustedDeliveryAudit"',
      '--concurrency is "0"; must be a whole number of requests from 1 to 256, e.g. "16" (the default)',
    ]);
  });

  it("refuses the organisation's settings on a single-account audit", () => {
    const result = runCli(["audit", "--role-name", "Audit", "--region", region]);
    assert.equal(result.code, 2);
    assert.match(
      result.stderr,
      /--role-name is for auditing several accounts: give --organization or --accounts <id,...> with it/,
    );
  });

  it("the request pool never runs more tasks than its limit at once", async () => {
    const pool = requestPool(3);
    let running = 0;
    let most = 0;
    const gates: (() => void)[] = [];
    const tasks = Array.from({ length: 10 }, () =>
      pool.run(async () => {
        running++;
        most = Math.max(most, running);
        await new Promise<void>((resolve) => gates.push(resolve));
        running--;
      }),
    );
    while (gates.length > 0 || running > 0) {
      await new Promise((resolve) => setImmediate(resolve));
      gates.shift()?.();
    }
    await Promise.all(tasks);
    assert.equal(most, 3);
  });
});
