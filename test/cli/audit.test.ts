import { strict as assert } from "assert";
import * as ecr from "@aws-sdk/client-ecr";
import Ajv from "ajv-draft-04";
import addFormats from "ajv-formats";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { readAccount } from "../../cli/audit/audit";
import { awsClients } from "../../cli/aws/clients";
import {
  accountReadActions,
  readActions,
  readOnlyCalls,
  readOnlyPolicy,
} from "../../cli/aws/readOnlyCalls";
import { reasonOf } from "../../cli/aws/unread";
import { accessLevel } from "../helpers/awsActionLevels";
import { policies } from "../../policy-pack/policies";
import { ecrGovernanceMetadata } from "../../policy-pack/policies/ecr/ecrGovernanceMetadata";
import { ecrHighRiskContinuousScan } from "../../policy-pack/policies/ecr/ecrHighRiskContinuousScan";
import { registryScanningRules } from "../../components/registryScanning";
import { stateInstances } from "../helpers/fixtures";
import { publicPolicyViolations } from "../../policy-pack/policies/ecr/ecrNoPublicAccess";
import { ecrScanOnPush } from "../../policy-pack/policies/ecr/ecrScanOnPush";
import { iamGithubOidcRoleLeastPrivilege } from "../../policy-pack/policies/iam/iamGithubOidcRoleLeastPrivilege";
import { trustScopeViolations } from "../../policy-pack/policies/iam/iamGithubOidcTrustScoped";
import { AwsProxy, startAwsProxy } from "../helpers/awsProxy";
import { builtPackage, CliResult, runCli, runCliAsync } from "../helpers/cli";
import { readFixture } from "../helpers/fixtures";
import {
  createLegacySystem,
  createPlatformApp,
  legacy,
  platformApp,
  publicRepositoryPolicy,
  testClients,
} from "../helpers/liveAccount";
import { awsEnv, motoAccount, MotoServer, startMoto } from "../helpers/moto";
import { runResourcePolicy, runStackPolicy } from "../helpers/policyHarness";

const region = "eu-west-2";
const otherRegion = "us-east-1";
const arn = (name: string, where = region) =>
  `arn:aws:ecr:${where}:${motoAccount}:repository/${name}`;
const roleArn = (name: string) => `arn:aws:iam::${motoAccount}:role/${name}`;

/** The messages the pack gives for the legacy system, from the pack itself (its SDK harness). */
function legacyFindings(): {
  policy: string;
  level: string;
  arn: string;
  type: string;
  message: string;
}[] {
  const consoleProps = { name: legacy.consoleRepository, tags: {}, imageScanningConfiguration: {} };
  const repository = "aws:ecr/repository:Repository";
  const pushPolicyArn = `arn:aws:iam::${motoAccount}:policy/${legacy.pushPolicy}`;
  const declared = runStackPolicy(iamGithubOidcRoleLeastPrivilege, [
    {
      type: "aws:iam/role:Role",
      name: "hand-made-role",
      props: {
        name: legacy.pushRole,
        assumeRolePolicy: readFixture("hand-made-iam/github-actions-oidc-trust.json"),
      },
    },
    {
      type: "aws:iam/policy:Policy",
      name: legacy.pushPolicy,
      props: {
        arn: pushPolicyArn,
        policy: readFixture("hand-made-iam/github-actions-ecr-push.json"),
      },
    },
    {
      type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
      name: "attachment",
      props: { role: legacy.pushRole, policyArn: pushPolicyArn },
    },
  ]);
  const on = (policy: string, level: string, type: string, where: string) => (message: string) => ({
    policy,
    level,
    arn: where,
    type,
    message,
  });
  const consoleArn = arn(legacy.consoleRepository);
  // The Terraform module never scanned continuously: its high-risk registries are not named in
  // the continuous rule of the scanning the platform stack now manages.
  const terraformRepositories = Object.values(stateInstances("aws_ecr_repository")).map((r) => ({
    type: repository,
    name: r.name,
    props: { name: r.name, tags: r.tags_all },
  }));
  const scanning = runStackPolicy(ecrHighRiskContinuousScan, [
    ...terraformRepositories,
    {
      type: "aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration",
      name: "registry",
      props: {
        scanType: "ENHANCED",
        rules: registryScanningRules([{ name: platformApp.repository, risk: platformApp.risk }]),
      },
    },
  ]);
  return [
    ...scanning.map((v) =>
      on(
        "ecr-high-risk-continuous-scan",
        "advisory",
        repository,
        arn(v.urn!.split("::").pop()!),
      )(v.message),
    ),
    ...runResourcePolicy(ecrGovernanceMetadata, { type: repository, props: consoleProps }).map(
      on("ecr-governance-metadata", "mandatory", repository, consoleArn),
    ),
    ...runResourcePolicy(ecrScanOnPush, { type: repository, props: consoleProps }).map(
      on("ecr-scan-on-push", "mandatory", repository, consoleArn),
    ),
    ...publicPolicyViolations(publicRepositoryPolicy).map(
      on(
        "ecr-no-public-access",
        "mandatory",
        "aws:ecr/repositoryPolicy:RepositoryPolicy",
        consoleArn,
      ),
    ),
    on(
      "ecr-lifecycle-policy-present",
      "advisory",
      repository,
      consoleArn,
    )(
      `ECR repository "${legacy.consoleRepository}" has no lifecycle policy, so its images never expire: attach an aws.ecr.LifecyclePolicy`,
    ),
    ...trustScopeViolations(readFixture("hand-made-iam/github-actions-oidc-trust.json")).map(
      on(
        "iam-github-oidc-trust-scoped",
        "mandatory",
        "aws:iam/role:Role",
        roleArn(legacy.pushRole),
      ),
    ),
    ...declared.map((v) =>
      on(
        "iam-github-oidc-role-least-privilege",
        "mandatory",
        "aws:iam/role:Role",
        roleArn(legacy.pushRole),
      )(v.message),
    ),
    on(
      "iam-github-oidc-role-least-privilege",
      "mandatory",
      "aws:iam/role:Role",
      roleArn(legacy.adminRole),
    )(
      `Role "${legacy.adminRole}" is trusted by GitHub Actions and must only push to its own repositories: it has the AWS managed policy AdministratorAccess attached; detach it and grant push on the repository's ARN only`,
    ),
  ];
}

const sortFindings = <T extends { policy: string; arn: string; message: string }>(list: T[]) =>
  [...list].sort((a, b) =>
    `${a.arn} ${a.policy} ${a.message}`.localeCompare(`${b.arn} ${b.policy} ${b.message}`),
  );

/** Each ECR read call, sent as the audit sends it, to find what moto does not implement. */
async function probeEcr(endpoint: string): Promise<Record<string, string>> {
  const client = testClients(endpoint).ecr;
  const calls: Record<keyof typeof readOnlyCalls.ecr, () => Promise<unknown>> = {
    DescribeRepositories: () => client.send(new ecr.DescribeRepositoriesCommand({})),
    ListTagsForResource: () =>
      client.send(new ecr.ListTagsForResourceCommand({ resourceArn: platformApp.repositoryArn })),
    GetLifecyclePolicy: () =>
      client.send(new ecr.GetLifecyclePolicyCommand({ repositoryName: platformApp.repository })),
    GetRepositoryPolicy: () =>
      client.send(new ecr.GetRepositoryPolicyCommand({ repositoryName: legacy.consoleRepository })),
    GetRegistryScanningConfiguration: () =>
      client.send(new ecr.GetRegistryScanningConfigurationCommand({})),
    GetRegistryPolicy: () => client.send(new ecr.GetRegistryPolicyCommand({})),
    DescribeRegistry: () => client.send(new ecr.DescribeRegistryCommand({})),
    DescribeRepositoryCreationTemplates: () =>
      client.send(new ecr.DescribeRepositoryCreationTemplatesCommand({})),
    DescribePullThroughCacheRules: () =>
      client.send(new ecr.DescribePullThroughCacheRulesCommand({})),
    GetSigningConfiguration: () => client.send(new ecr.GetSigningConfigurationCommand({})),
  };
  const failing: Record<string, string> = {};
  for (const [operation, call] of Object.entries(calls)) {
    try {
      await call();
    } catch (error) {
      if (!/NotFoundException$/.test((error as Error).name)) {
        failing[`ecr:${operation}`] = reasonOf(error);
      }
    }
  }
  return failing;
}

function json(result: CliResult): any {
  assert.doesNotThrow(() => JSON.parse(result.stdout), result.stderr);
  return JSON.parse(result.stdout);
}

const findingsOf = (report: any) =>
  sortFindings(
    report.findings.map((f: any) => ({
      policy: f.policy,
      level: f.level,
      arn: f.resource.arn,
      type: f.resource.type,
      message: f.message,
    })),
  );

describe("trusted-delivery audit, against an AWS API (moto)", function () {
  this.timeout(180000);
  let moto: MotoServer;
  let unimplemented: Record<string, string>;
  let scratch: string;
  let env: NodeJS.ProcessEnv;
  const audit = (args: string[], extra: NodeJS.ProcessEnv = {}) =>
    runCli(["audit", ...args], { env: { ...env, ...extra } });

  before(async () => {
    builtPackage();
    moto = await startMoto();
    env = moto.env;
    await createLegacySystem(moto.endpoint);
    await createPlatformApp(moto.endpoint);
    // Another region holds a repository of the same name as the platform's, without a
    // lifecycle policy: each region is judged on its own.
    await testClients(moto.endpoint, otherRegion).ecr.send(
      new ecr.CreateRepositoryCommand({
        repositoryName: platformApp.repository,
        imageTagMutability: "IMMUTABLE",
        imageScanningConfiguration: { scanOnPush: true },
        encryptionConfiguration: { encryptionType: "KMS" },
        tags: [
          { Key: "goldenpath.idp/id", Value: "REGISTRY_PAYMENTS_API" },
          { Key: "goldenpath.idp/owner", Value: "team-payments" },
          { Key: "goldenpath.idp/risk", Value: "high" },
        ],
      }),
    );
    unimplemented = await probeEcr(moto.endpoint);
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), "td-audit-"));
  });

  after(async () => {
    await moto?.stop();
    if (scratch) {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  });

  describe("on the account the platform team finds", () => {
    let result: CliResult;
    let report: any;

    before(() => {
      result = audit(["--format", "json", "--region", region, "--region", otherRegion]);
      report = json(result);
    });

    it("finds every unsafe thing of the system being replaced, with the pack's own messages, and nothing else", () => {
      const otherRegionLifecycle = {
        policy: "ecr-lifecycle-policy-present",
        level: "advisory",
        arn: arn(platformApp.repository, otherRegion),
        type: "aws:ecr/repository:Repository",
        message: `ECR repository "${platformApp.repository}" has no lifecycle policy, so its images never expire: attach an aws.ecr.LifecyclePolicy`,
      };
      // The other region has no scanning configuration at all.
      const otherRegionScanning = {
        ...otherRegionLifecycle,
        policy: "ecr-high-risk-continuous-scan",
        message: runStackPolicy(ecrHighRiskContinuousScan, [
          {
            type: "aws:ecr/repository:Repository",
            name: platformApp.repository,
            props: { name: platformApp.repository, tags: { "goldenpath.idp/risk": "high" } },
          },
        ])[0].message,
      };
      assert.deepEqual(
        findingsOf(report),
        sortFindings([...legacyFindings(), otherRegionLifecycle, otherRegionScanning]),
      );
      // Spelled out once: org-wide trust, account-wide push.
      const messages = report.findings.map((f: any) => f.message);
      assert.ok(
        messages.includes(
          'GitHub OIDC trust must admit one repository\'s workflow runs only, with aud "sts.amazonaws.com": statement "GitHubOIDCTrust" admits more than one repository of mikeybeezy, e.g. sub "repo:mikeybeezy/app:ref:refs/heads/main" and sub "repo:mikeybeezy/app-fork:ref:refs/heads/main"; list exact subjects such as "repo:<owner>/<name>:ref:refs/heads/main"',
        ),
      );
      assert.ok(
        messages.some((m: string) =>
          m.startsWith(
            `Role "${legacy.pushRole}" is trusted by GitHub Actions and must only push to its own repositories: attached policy "${legacy.pushPolicy}" statement "ECRPushPull" grants`,
          ),
        ),
      );
    });

    it("finds nothing on what the platform program creates, nor on the Terraform module's registries but their missing continuous scans", () => {
      const flagged = new Set(
        report.findings
          .filter((f: any) => f.policy !== "ecr-high-risk-continuous-scan")
          .map((f: any) => f.resource.arn),
      );
      assert.ok(
        !report.findings.some((f: any) => f.resource.arn === arn(platformApp.repository)),
        "the platform's high-risk registry is scanned continuously",
      );
      for (const clean of [
        arn(platformApp.repository),
        roleArn(platformApp.role),
        ...legacy.terraformRepositories.map((name) => arn(name)),
      ]) {
        assert.ok(!flagged.has(clean), `${clean} has findings`);
      }
      const read = report.resources.map((r: any) => `${r.type} ${r.arn ?? r.id}`);
      for (const expected of [
        `aws:ecr/repository:Repository ${arn(platformApp.repository)}`,
        `aws:ecr/lifecyclePolicy:LifecyclePolicy ${arn(platformApp.repository)}`,
        `aws:iam/role:Role ${roleArn(platformApp.role)}`,
      ]) {
        assert.ok(read.includes(expected), `${expected} was not read`);
      }
    });

    it("reads only the roles GitHub Actions can assume", () => {
      const roles = report.resources
        .filter((r: any) => r.type === "aws:iam/role:Role")
        .map((r: any) => r.name)
        .sort();
      assert.deepEqual(roles, [legacy.adminRole, platformApp.role, legacy.pushRole].sort());
    });

    it("prints JSON for automation: resources read, findings with policy, level, severity, message and resource, and what could not be read", () => {
      assert.equal(result.code, 1, result.stderr);
      assert.equal(report.account, motoAccount);
      assert.deepEqual(report.regions, [region, otherRegion]);
      assert.deepEqual(report.policyPack, {
        name: "trusted-delivery-guardrails",
        version: "0.1.0",
      });
      const admin = report.findings.find((f: any) => f.resource.arn === roleArn(legacy.adminRole));
      assert.deepEqual(Object.keys(admin), [
        "policy",
        "level",
        "severity",
        "message",
        "description",
        "resource",
      ]);
      assert.equal(admin.severity, "critical");
      assert.deepEqual(admin.resource, {
        type: "aws:iam/role:Role",
        kind: "IAM role",
        name: legacy.adminRole,
        arn: roleArn(legacy.adminRole),
        id: `aws/iam/${motoAccount}/role/${legacy.adminRole}`,
      });
      const scan = report.findings.find((f: any) => f.policy === "ecr-scan-on-push");
      assert.equal(scan.resource.region, region);
      assert.deepEqual(report.read, {
        "ECR repository": 6,
        "ECR lifecycle policy": 4,
        "ECR repository policy": 1,
        "ECR registry scanning configuration": 1,
        // moto does not implement GetSigningConfiguration: read in both regions (each holds a
        // high-risk repository), it is unread, so the configurations are there, unknown.
        "ECR registry signing configuration": 2,
        "IAM OIDC provider": 1,
        "IAM managed policy": 1,
        "IAM role": 3,
        "IAM role policy attachment": 2,
      });
      assert.deepEqual(report.summary, {
        resources: 21,
        mandatory: 8,
        advisory: 4,
        notJudged: 0,
        couldNotRead: report.couldNotRead.length,
      });
      assert.deepEqual(report.skipped, [
        {
          policy: "ecr-golden-path",
          reason:
            "it asks which Pulumi component created a repository, which a live account does not record",
        },
      ]);
    });

    it("reports the ECR calls moto does not implement as could not read, with the reason, per region", () => {
      assert.ok(Object.keys(unimplemented).length > 0, "moto implements every ECR read call");
      const byPlace = (a: any, b: any) =>
        `${a.region}${a.action}`.localeCompare(`${b.region}${b.action}`);
      assert.deepEqual(
        [...report.couldNotRead].sort(byPlace),
        [region, otherRegion]
          .flatMap((where) =>
            readActions()
              .filter((action) => action in unimplemented)
              .map((action) => ({
                what: (readOnlyCalls.ecr as Record<string, string>)[action.slice(4)],
                action,
                region: where,
                reason: unimplemented[action],
                resources: [],
              })),
          )
          .sort(byPlace),
      );
      for (const reason of Object.values(unimplemented)) {
        assert.equal(reason, "HTTP 500 Internal Server Error: not an AWS API response");
      }
    });

    it("shows progress, then a summary of what was read, found and not read, on stderr", () => {
      const lines = result.stderr.trimEnd().split("\n");
      assert.ok(lines.includes(`reading ${region}: 5 repositories…`), result.stderr);
      assert.ok(lines.includes(`reading ${otherRegion}: 1 repository…`), result.stderr);
      assert.ok(
        lines.includes("reading IAM: 4 roles, 3 trusted by GitHub Actions…"),
        result.stderr,
      );
      assert.match(
        lines[lines.length - 1],
        new RegExp(
          `^audit of ${motoAccount} \\(${region}, ${otherRegion}\\): read 6 ECR repositories, 4 ECR lifecycle policies, 1 ECR repository policy, 1 ECR registry scanning configuration, 2 ECR registry signing configurations, 1 IAM OIDC provider, 1 IAM managed policy, 3 IAM roles, 2 IAM role policy attachments; findings: 8 mandatory, 4 advisory; could not read: ECR repository creation templates in ${region} \\(ecr:DescribeRepositoryCreationTemplates: HTTP 500 Internal Server Error: not an AWS API response\\)`,
        ),
      );
    });
  });

  it("without --region, reads every region the account has enabled, listed from the SDK's region", () => {
    const { code, stdout, stderr } = audit(["--format", "json"]);
    assert.equal(code, 1, stderr);
    const report = JSON.parse(stdout);
    // moto lists the regions of every partition, some not opted in: only this partition's
    // enabled ones are read.
    const enabled = report.regions as string[];
    assert.ok(enabled.length > 10, enabled.join(", "));
    assert.ok(enabled.includes(region) && enabled.includes(otherRegion), enabled.join(", "));
    for (const excluded of ["ap-east-1", "me-south-1", "us-gov-west-1", "cn-north-1"]) {
      assert.ok(!enabled.includes(excluded), `${excluded} is read`);
    }
    assert.deepEqual(enabled, [...enabled].sort());
    const lines = stderr.split("\n");
    assert.ok(lines.includes(`${enabled.length} enabled regions: ${enabled.join(", ")}`), stderr);
    // The repository of the other region is found though no --region names it.
    assert.ok(
      report.findings.some(
        (f: any) =>
          f.resource.arn === arn(platformApp.repository, otherRegion) &&
          f.resource.region === otherRegion,
      ),
    );
  });

  it("reads the SDK's region only, and says the others could not be read, when the regions cannot be listed", async () => {
    const proxy = await startAwsProxy(moto.endpoint);
    try {
      proxy.deny.add("ec2:DescribeRegions");
      const result = await runCliAsync(["audit", "--format", "json"], {
        env: awsEnv(proxy.endpoint),
      });
      assert.equal(result.code, 1, result.stderr);
      const report = JSON.parse(result.stdout);
      assert.deepEqual(report.regions, [region]);
      const listing = report.couldNotRead.filter((u: any) => u.action === "ec2:DescribeRegions");
      assert.equal(listing.length, 1);
      assert.equal(listing[0].what, "the account's enabled regions");
      assert.match(result.stderr, /could not list the enabled regions \(AccessDenied/);
    } finally {
      await proxy.stop();
    }
  });

  it("prints a table for people, grouped by resource, and exits 1 on a mandatory finding", () => {
    const { code, stdout, stderr } = audit(["--region", region]);
    assert.equal(code, 1, stderr);
    assert.ok(
      stdout.startsWith(
        `Audit of AWS account ${motoAccount} (${region}) with trusted-delivery-guardrails@v0.1.0\n`,
      ),
      stdout,
    );
    assert.ok(
      stdout.includes(
        `\nIAM role ${legacy.adminRole} (${roleArn(legacy.adminRole)})\n  [mandatory] iam-github-oidc-role-least-privilege (critical)\n      Role "${legacy.adminRole}" is trusted by GitHub Actions and must only push to its own repositories: it has the AWS managed policy AdministratorAccess attached; detach it and grant push on the repository's ARN only\n`,
      ),
      stdout,
    );
    assert.ok(
      stdout.includes(
        `\nECR repository policy of ${legacy.consoleRepository} (${region}, ${arn(legacy.consoleRepository)})\n  [mandatory] ecr-no-public-access (critical)\n`,
      ),
      stdout,
    );
    assert.ok(
      stdout.includes(
        "\nCould not read (never taken as compliant):\n  ECR repository creation templates in eu-west-2 (ecr:DescribeRepositoryCreationTemplates: HTTP 500 Internal Server Error: not an AWS API response)\n",
      ),
      stdout,
    );
    assert.ok(
      stdout.endsWith(
        "\n8 mandatory and 2 advisory findings: the account breaks the pack's mandatory policies.\n",
      ),
      stdout,
    );
  });

  it("writes SARIF 2.1.0 for GitHub code scanning, atomically to --output, valid against the SARIF schema", () => {
    const output = path.join(scratch, "audit.sarif");
    const { code, stdout, stderr } = audit([
      "--format",
      "sarif",
      "--output",
      output,
      "--region",
      region,
    ]);
    assert.equal(code, 1, stderr);
    assert.equal(stdout, "");
    assert.deepEqual(
      fs.readdirSync(scratch).filter((f) => f.endsWith(".tmp")),
      [],
    );
    const text = fs.readFileSync(output, "utf8");
    const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
    addFormats(ajv);
    // The SARIF 2.1.0 schema (draft-04) as SchemaStore publishes it, shipped by Microsoft's
    // @microsoft/jest-sarif. Its language-tag pattern is not valid as a Unicode regular
    // expression, hence unicodeRegExp: false.
    const validate = ajv.compile(
      require("@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json"),
    );
    assert.ok(validate(JSON.parse(text)), JSON.stringify(validate.errors, null, 2));
    const sarif = JSON.parse(text);

    // What GitHub code scanning needs beyond the schema.
    const [run] = sarif.runs;
    assert.equal(sarif.version, "2.1.0");
    assert.deepEqual(
      run.tool.driver.rules.map((r: any) => r.id),
      policies.map((p) => p.name),
    );
    for (const rule of run.tool.driver.rules) {
      assert.ok(rule.shortDescription.text && rule.fullDescription.text && rule.help.text);
      assert.match(rule.properties["security-severity"], /^\d+\.\d$/);
    }
    assert.equal(run.results.length, 10);
    for (const result of run.results) {
      assert.equal(run.tool.driver.rules[result.ruleIndex].id, result.ruleId);
      assert.ok(["error", "warning"].includes(result.level));
      const [location] = result.locations;
      const uri = location.physicalLocation.artifactLocation.uri;
      // Code scanning refuses a URI scheme other than the checkout's: relative paths only.
      assert.ok(!/^[a-z][a-z0-9+.-]*:/i.test(uri), uri);
      assert.match(uri, new RegExp(`^aws/(ecr/${region}|iam)/${motoAccount}/`));
      assert.match(location.logicalLocations[0].fullyQualifiedName, /^arn:aws:(ecr|iam):/);
      assert.ok(result.partialFingerprints["trustedDeliveryAudit/v1"]);
    }
    const admin = run.results.find(
      (r: any) =>
        r.locations[0].logicalLocations[0].fullyQualifiedName === roleArn(legacy.adminRole),
    );
    assert.equal(admin.ruleId, "iam-github-oidc-role-least-privilege");
    assert.equal(admin.level, "error");
    assert.equal(
      admin.locations[0].physicalLocation.artifactLocation.uri,
      `aws/iam/${motoAccount}/role/${legacy.adminRole}`,
    );
    assert.equal(run.invocations[0].executionSuccessful, false);
    assert.match(
      run.invocations[0].toolExecutionNotifications[0].message.text,
      /^Could not read ECR repository creation templates in eu-west-2/,
    );
  });

  it("judges at the config's levels and settings, and with nothing mandatory still exits 1 while something could not be read", () => {
    const config = path.join(scratch, "advisory.json");
    fs.writeFileSync(
      config,
      JSON.stringify({
        all: "advisory",
        "ecr-scan-on-push": "disabled",
        "iam-github-oidc-role-least-privilege": {
          forbiddenManagedPolicies: [],
          allowedManagedPolicies: ["AdministratorAccess"],
        },
      }),
    );
    const result = audit(["--format", "json", "--policy-pack-config", config]);
    const report = json(result);
    // moto implements no repository creation templates: not read, so not proven compliant (exit
    // 0 on an account read whole is in awsExitCodes.test.ts). Needs cli/commands/audit.ts to
    // return auditExitCode(report).
    assert.ok(report.couldNotRead.length > 0);
    assert.equal(result.code, 1, result.stderr);
    assert.deepEqual([...new Set(report.findings.map((f: any) => f.level))], ["advisory"]);
    assert.ok(!report.findings.some((f: any) => f.policy === "ecr-scan-on-push"));
    assert.ok(!report.findings.some((f: any) => f.resource.arn === roleArn(legacy.adminRole)));
    assert.ok(report.findings.some((f: any) => f.resource.arn === roleArn(legacy.pushRole)));
    assert.deepEqual(
      report.skipped.map((s: any) => s.policy),
      ["ecr-scan-on-push", "ecr-golden-path"],
    );
  });

  describe("through a proxy that denies some calls", () => {
    let proxy: AwsProxy;
    let result: CliResult;
    let report: any;

    before(async () => {
      proxy = await startAwsProxy(moto.endpoint);
      proxy.deny.add("ecr:ListTagsForResource");
      proxy.deny.add("iam:GetPolicyVersion");
      // A whole audit: every enabled region, so every call the audit has is sent.
      result = await runCliAsync(["audit", "--format", "json"], { env: awsEnv(proxy.endpoint) });
      report = json(result);
    });

    after(async () => {
      await proxy?.stop();
    });

    it("reports a denied call as could not read, with AWS's reason, and never as compliant", () => {
      assert.equal(result.code, 1, result.stderr);
      const denied = report.couldNotRead.filter((u: any) =>
        ["ecr:ListTagsForResource", "iam:GetPolicyVersion"].includes(u.action),
      );
      // The other region's one repository, denied the same way, is listed on its own.
      assert.deepEqual(
        denied.filter((u: any) => u.region === otherRegion).map((u: any) => u.resources),
        [[platformApp.repository]],
      );
      assert.deepEqual(
        denied.filter((u: any) => u.region !== otherRegion),
        [
          {
            what: "ECR repository tags",
            action: "ecr:ListTagsForResource",
            region,
            reason:
              "AccessDeniedException (HTTP 400): User: arn:aws:sts::123456789012:assumed-role/audit/ci is not authorized to perform: ecr:ListTagsForResource because no identity-based policy allows the ecr:ListTagsForResource action",
            resources: [
              legacy.consoleRepository,
              platformApp.repository,
              ...legacy.terraformRepositories,
            ].sort(),
          },
          {
            what: "IAM managed policies",
            action: "iam:GetPolicyVersion",
            reason:
              "AccessDenied (HTTP 403): User: arn:aws:sts::123456789012:assumed-role/audit/ci is not authorized to perform: iam:GetPolicyVersion because no identity-based policy allows the iam:GetPolicyVersion action",
            resources: [`arn:aws:iam::${motoAccount}:policy/${legacy.pushPolicy}`],
          },
        ],
      );
      // Without tags, the tag rules cannot judge a repository: not judged, never passed.
      assert.ok(!report.findings.some((f: any) => f.policy === "ecr-governance-metadata"));
      const notJudged = report.notJudged.filter(
        (n: any) => n.resource.name === legacy.consoleRepository,
      );
      assert.deepEqual(
        notJudged.map((n: any) => [n.policy, n.reason]),
        ["ecr-governance-metadata", "ecr-risk-tier-controls"].map((policy) => [
          policy,
          "ECR repository tags could not be read (ecr:ListTagsForResource: AccessDeniedException (HTTP 400): User: arn:aws:sts::123456789012:assumed-role/audit/ci is not authorized to perform: ecr:ListTagsForResource because no identity-based policy allows the ecr:ListTagsForResource action)",
        ]),
      );
      // What was read is still judged.
      assert.ok(report.findings.some((f: any) => f.policy === "ecr-scan-on-push"));
      assert.ok(report.findings.some((f: any) => f.policy === "iam-github-oidc-trust-scoped"));
    });

    it("--print-permissions prints the read-only policy, which covers exactly the calls a whole audit sends", async () => {
      const printed = audit(["--print-permissions"]);
      assert.equal(printed.code, 0, printed.stderr);
      const policy = JSON.parse(printed.stdout);
      assert.deepEqual(policy, readOnlyPolicy());
      const actions: string[] = policy.Statement.flatMap((s: any) => s.Action);
      for (const action of actions) {
        const level = await accessLevel(action);
        assert.ok(["Read", "List"].includes(level ?? ""), `${action} is ${level}`);
      }
      // With the tags denied, no repository is known to be one whose images are signed, so no
      // region's signing configuration is asked for (the in-process audit below sends it too).
      assert.deepEqual(
        [...new Set(proxy.actions)].sort(),
        actions.filter((action) => action !== "ecr:GetSigningConfiguration"),
      );
    });
  });

  it("sends, through its clients' middleware, only the calls of the read-only table, and all of them", async () => {
    const sent = new Set<string>();
    const saved = { ...process.env };
    Object.assign(process.env, env);
    try {
      // No region given: the enabled regions are listed (ec2:DescribeRegions) and each read.
      await readAccount(
        awsClients((action) => sent.add(action)),
        { home: region },
        () => {},
      );
    } finally {
      process.env = saved;
    }
    assert.deepEqual([...sent].sort(), accountReadActions());
  });

  it("stops, saying why, with exit code 3 when it cannot tell whose account it reads", async () => {
    const proxy = await startAwsProxy(moto.endpoint);
    try {
      proxy.deny.add("sts:GetCallerIdentity");
      const { code, stdout, stderr } = await runCliAsync(["audit"], {
        env: awsEnv(proxy.endpoint),
      });
      assert.equal(code, 3);
      assert.equal(stdout, "");
      assert.match(
        stderr,
        /^error: could not read the account's identity \(sts:GetCallerIdentity\): AccessDenied \(HTTP 403\): .*; nothing was read: check the credentials the AWS SDK finds \(AWS_PROFILE, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or a role\) and that AWS can be reached$/m,
      );
      assert.deepEqual(proxy.actions, ["sts:GetCallerIdentity"]);
    } finally {
      await proxy.stop();
    }
  });

  describe("refuses bad usage with exit code 2, naming the flag or file and the value", () => {
    const refused = (args: string[], message: string, extra: NodeJS.ProcessEnv = {}) => {
      const { code, stdout, stderr } = audit(args, extra);
      assert.equal(code, 2, stderr);
      assert.equal(stdout, "");
      assert.equal(stderr, message);
    };

    /** A file where a directory would have to be, so nothing can be written under it. */
    const notADirectory = () => {
      const file = path.join(scratch, "a-file");
      fs.writeFileSync(file, "");
      return file;
    };

    it("a format, region or output path it cannot use, all at once", () => {
      refused(
        ["--format", "xml", "--region", "moon-1", "--output", `${notADirectory()}/audit.json`],
        'error: --region is "moon-1"; must be an AWS region, e.g. "eu-west-2"\n' +
          'error: -f/--format is "xml"; must be one of table, json, sarif\n' +
          `error: -o/--output is "${notADirectory()}/audit.json"; must be a file path where you can write: ${notADirectory()} is not a directory\n`,
      );
    });

    it("a policy config file that cannot be read, or names no policy of the pack", () => {
      const missing = path.join(scratch, "missing.json");
      const { code, stderr } = audit(["--policy-pack-config", missing]);
      assert.equal(code, 2);
      assert.ok(stderr.startsWith(`error: Policy config ${missing}`), stderr);
      assert.ok(
        stderr.includes(`file is ${JSON.stringify(missing)}; must be a readable JSON file`),
      );
      const unknown = path.join(scratch, "unknown.json");
      fs.writeFileSync(unknown, JSON.stringify({ "ecr-scan-on-pull": "mandatory" }));
      const second = audit(["--policy-pack-config", unknown]);
      assert.equal(second.code, 2);
      assert.ok(
        second.stderr.includes(
          "ecr-scan-on-pull is not a policy of trusted-delivery-guardrails; policies: all,",
        ),
        second.stderr,
      );
    });

    it("no region given and none configured", () => {
      refused(
        [],
        'error: audit needs a region to start from: give --region <region> (e.g. "eu-west-2"), or set AWS_REGION or a region in the AWS profile (without --region, every enabled region is read, listed from that one)\n',
        { AWS_REGION: "", AWS_DEFAULT_REGION: "" },
      );
    });

    it("--print-permissions with options it does not take", () => {
      refused(
        ["--print-permissions", "--region", region],
        "error: --print-permissions reads nothing and judges nothing: it takes no --region (only -o/--output)\n",
      );
    });
  });
});
