import { strict as assert } from "assert";
import {
  DeleteLifecyclePolicyCommand,
  DeleteRepositoryCommand,
  PutImageScanningConfigurationCommand,
  PutImageTagMutabilityCommand,
  PutLifecyclePolicyCommand,
  TagResourceCommand,
} from "@aws-sdk/client-ecr";
import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";
import { readActions } from "../../cli/aws/readOnlyCalls";
import { lifecyclePolicyDocument } from "../../components/lifecyclePolicy";
import { AwsProxy, startAwsProxy } from "../helpers/awsProxy";
import { builtPackage, runCli, runCliAsync } from "../helpers/cli";
import { readFixture, stateInstances, terraformFixtureDir } from "../helpers/fixtures";
import { createLegacySystem, testClients } from "../helpers/liveAccount";
import { awsEnv, motoAccount, motoRegion, MotoServer, resetMoto, startMoto } from "../helpers/moto";
import { snapshotTree, tempPlatformProject } from "../helpers/tempProject";

const stateFile = path.join(terraformFixtureDir, "terraform.tfstate");
const policies = stateInstances("aws_ecr_lifecycle_policy");
const arn = (name: string) => `arn:aws:ecr:${motoRegion}:${motoAccount}:repository/${name}`;

/** What the proxy answers for a denied call, as the SDK reports it. */
const denied = (action: string) =>
  `AccessDeniedException (HTTP 400): User: arn:aws:sts::123456789012:assumed-role/audit/ci is not authorized to perform: ${action} because no identity-based policy allows the ${action} action`;

describe("trusted-delivery adopt-terraform --verify-live, against an AWS API (moto)", function () {
  this.timeout(180000);
  let moto: MotoServer;
  let proxy: AwsProxy;

  const adopt = (root: string, state = stateFile, env: NodeJS.ProcessEnv = {}) =>
    runCliAsync(
      [
        "adopt-terraform",
        "--cwd",
        root,
        "--state",
        state,
        "--stack",
        "dev",
        "--github-owner",
        "acme",
        "--verify-live",
      ],
      { env: { ...awsEnv(proxy.endpoint), ...env } },
    );

  before(async () => {
    builtPackage();
    moto = await startMoto();
    proxy = await startAwsProxy(moto.endpoint);
  });

  after(async () => {
    await proxy?.stop();
    await moto?.stop();
  });

  beforeEach(async () => {
    // The account as the state describes it (the Terraform module's registries, as applied).
    await resetMoto(moto.endpoint);
    await createLegacySystem(moto.endpoint);
    proxy.actions.length = 0;
    proxy.deny.clear();
  });

  it("adopts a state that is what the account holds, saying so, with read calls only", async () => {
    const { root, stackFile } = tempPlatformProject();
    const result = await adopt(root);
    assert.equal(result.stderr, "");
    assert.equal(result.code, 0);
    assert.ok(
      result.stdout.startsWith(
        "Verified against account 123456789012 in eu-west-2 (--verify-live): staging-api, test-app-dev and wordpress-platform are as the state says.\n\nRegistry staging-api: adopts with no change\n",
      ),
      result.stdout,
    );
    assert.match(result.stdout, /^Wrote programs\/platform\/Pulumi\.dev\.yaml\.$/m);
    const apps = YAML.parse(fs.readFileSync(stackFile("dev"), "utf8")).config[
      "trusted-delivery-platform:apps"
    ];
    assert.deepEqual(apps["staging-api"].importIds, {
      repository: "staging-api",
      lifecyclePolicy: "staging-api",
    });
    // The caller's identity first, then each registry; every call one of the read-only table.
    assert.equal(proxy.actions[0], "sts:GetCallerIdentity");
    const sent = [...new Set(proxy.actions)].sort();
    assert.deepEqual(sent, [
      "ecr:DescribeRepositories",
      "ecr:GetLifecyclePolicy",
      "ecr:GetRepositoryPolicy",
      "ecr:ListTagsForResource",
      "sts:GetCallerIdentity",
    ]);
    assert.deepEqual(
      sent.filter((action) => !(readActions() as string[]).includes(action)),
      [],
    );
  });

  it("refuses registries changed after the state was written, naming each registry, attribute and both values, and writes nothing", async () => {
    const { ecr } = testClients(moto.endpoint);
    await ecr.send(
      new PutImageTagMutabilityCommand({
        repositoryName: "staging-api",
        imageTagMutability: "IMMUTABLE",
      }),
    );
    await ecr.send(
      new TagResourceCommand({
        resourceArn: arn("staging-api"),
        tags: [
          { Key: "goldenpath.idp/owner", Value: "team-platform" },
          { Key: "CostCentre", Value: "42" },
        ],
      }),
    );
    await ecr.send(
      new PutImageScanningConfigurationCommand({
        repositoryName: "test-app-dev",
        imageScanningConfiguration: { scanOnPush: false },
      }),
    );
    await ecr.send(new DeleteLifecyclePolicyCommand({ repositoryName: "test-app-dev" }));
    const longer = lifecyclePolicyDocument(60, "high");
    await ecr.send(
      new PutLifecyclePolicyCommand({
        repositoryName: "wordpress-platform",
        lifecyclePolicyText: longer,
      }),
    );
    const { root } = tempPlatformProject();
    const before = snapshotTree(root);
    const result = await adopt(root);
    assert.equal(
      result.stderr,
      [
        `error: ${stateFile} is not what account 123456789012 in eu-west-2 holds (--verify-live): adopt what is there, not what the state remembers:`,
        '  - staging-api image_tag_mutability is "MUTABLE" in the state; the live registry has "IMMUTABLE"',
        '  - staging-api tags_all["CostCentre"] is (none) in the state; the live registry has "42"',
        '  - staging-api tags_all["goldenpath.idp/owner"] is "app-team-api" in the state; the live registry has "team-platform"',
        "  - test-app-dev scan_on_push is true in the state; the live registry has false",
        `  - test-app-dev lifecycle_policy is ${policies["test-app-dev"].policy} in the state; the live registry has (none)`,
        `  - wordpress-platform lifecycle_policy is ${policies["wordpress-platform"].policy} in the state; the live registry has ${longer}`,
        "Refresh the state (terraform apply -refresh-only), pull it again and adopt that; nothing was written.",
        "",
      ].join("\n"),
    );
    assert.equal(result.code, 1);
    assert.equal(result.stdout, "");
    assert.deepEqual(snapshotTree(root), before);
  });

  it("refuses a registry deleted after the state was written", async () => {
    await testClients(moto.endpoint).ecr.send(
      new DeleteRepositoryCommand({ repositoryName: "test-app-dev", force: true }),
    );
    const { root } = tempPlatformProject();
    const before = snapshotTree(root);
    const result = await adopt(root);
    assert.equal(
      result.stderr,
      [
        `error: ${stateFile} is not what account 123456789012 in eu-west-2 holds (--verify-live): adopt what is there, not what the state remembers:`,
        "  - test-app-dev is in the state; account 123456789012 has no such repository in eu-west-2: it was deleted or renamed after the state was written",
        "Refresh the state (terraform apply -refresh-only), pull it again and adopt that; nothing was written.",
        "",
      ].join("\n"),
    );
    assert.equal(result.code, 1);
    assert.deepEqual(snapshotTree(root), before);
  });

  it("refuses what it could not read as could not be verified, never as verified", async () => {
    proxy.deny.add("ecr:GetLifecyclePolicy");
    const { root } = tempPlatformProject();
    const before = snapshotTree(root);
    const result = await adopt(root);
    assert.equal(
      result.stderr,
      [
        `error: ${stateFile} could not be verified against account 123456789012 in eu-west-2 (--verify-live): adoption verifies every attribute or adopts nothing:`,
        ...["staging-api", "test-app-dev", "wordpress-platform"].map(
          (name) =>
            `  - ${name} lifecycle_policy could not be verified: ECR lifecycle policies could not be read (ecr:GetLifecyclePolicy: ${denied("ecr:GetLifecyclePolicy")})`,
        ),
        "Let the credentials read what could not be read (trusted-delivery audit --print-permissions prints the calls); nothing was written.",
        "",
      ].join("\n"),
    );
    assert.equal(result.code, 1);
    assert.deepEqual(snapshotTree(root), before);
  });

  it("refuses a repository it could not read at all, beside the differences it found", async () => {
    await testClients(moto.endpoint).ecr.send(
      new PutImageTagMutabilityCommand({
        repositoryName: "wordpress-platform",
        imageTagMutability: "MUTABLE",
      }),
    );
    proxy.deny.add("ecr:ListTagsForResource");
    const { root } = tempPlatformProject();
    const result = await adopt(root);
    assert.equal(
      result.stderr,
      [
        `error: ${stateFile} is not what account 123456789012 in eu-west-2 holds (--verify-live): adopt what is there, not what the state remembers:`,
        '  - wordpress-platform image_tag_mutability is "IMMUTABLE" in the state; the live registry has "MUTABLE"',
        ...["staging-api", "test-app-dev", "wordpress-platform"].map(
          (name) =>
            `  - ${name} tags_all could not be verified: ECR repository tags could not be read (ecr:ListTagsForResource: ${denied("ecr:ListTagsForResource")})`,
        ),
        "Refresh the state (terraform apply -refresh-only), pull it again and adopt that; let the credentials read what could not be read (trusted-delivery audit --print-permissions prints the calls); nothing was written.",
        "",
      ].join("\n"),
    );
    assert.equal(result.code, 1);
  });

  it("refuses credentials of another account than the state's, before reading any registry", async () => {
    const { root } = tempPlatformProject();
    const state = path.join(root, "other-account.tfstate");
    fs.writeFileSync(
      state,
      readFixture("terraform.tfstate").replace(/123456789012/g, "210987654321"),
    );
    const before = snapshotTree(root);
    const result = await adopt(root, state);
    assert.equal(
      result.stderr,
      `error: --verify-live reads account 123456789012 (arn:aws:sts::123456789012:user/moto), not the account of the registries in ${state}, 210987654321 (from their ARNs): use credentials for account 210987654321; nothing else was read, and nothing was written\n`,
    );
    assert.equal(result.code, 1);
    assert.equal(result.stdout, "");
    assert.deepEqual(proxy.actions, ["sts:GetCallerIdentity"]);
    assert.deepEqual(snapshotTree(root), before);
  });

  it("refuses an SDK region other than the state's, before reading anything", async () => {
    const { root } = tempPlatformProject();
    const before = snapshotTree(root);
    const result = await adopt(root, stateFile, { AWS_REGION: "us-east-1" });
    assert.equal(
      result.stderr,
      `error: --verify-live reads with the AWS SDK's region, us-east-1 (AWS_REGION, or the profile's), not the region of the registries in ${stateFile}, eu-west-2 (from their ARNs): set AWS_REGION=eu-west-2; nothing was read or written\n`,
    );
    assert.equal(result.code, 1);
    assert.deepEqual(proxy.actions, []);
    assert.deepEqual(snapshotTree(root), before);
  });

  it("checks the input first: a bad state is refused as without --verify-live, reading nothing", async () => {
    const { root } = tempPlatformProject();
    const result = runCli(
      [
        "adopt-terraform",
        "--cwd",
        root,
        "--state",
        path.join(root, "missing.tfstate"),
        "--stack",
        "dev",
        "--verify-live",
      ],
      { env: awsEnv("http://127.0.0.1:9") },
    );
    assert.equal(
      result.stderr,
      `error: --state is ${JSON.stringify(path.join(root, "missing.tfstate"))}; must be Terraform state, as \`terraform state pull > terraform.tfstate.json\` writes it: it does not exist\n`,
    );
    assert.equal(result.code, 2);
  });
});
