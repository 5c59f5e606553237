import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { repositoryRoot, runCli } from "../helpers/cli";
import { snapshotTree, tempPlatformProject } from "../helpers/tempProject";

/** A scratch platform project whose stack `stack` has this config (YAML lines under config:). */
function projectWithStack(stack: string, configLines: string[]): string {
  const { root, stackFile } = tempPlatformProject();
  fs.writeFileSync(
    stackFile(stack),
    ["config:", ...configLines.map((l) => `  ${l}`), ""].join("\n"),
  );
  return root;
}

/** The processes running a policy pack as the Pulumi CLI starts one (`run-policy-pack`). */
function policyPackProcesses(): string[] {
  return fs.readdirSync("/proc").filter((pid) => {
    try {
      return (
        /^\d+$/.test(pid) &&
        fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("run-policy-pack")
      );
    } catch {
      return false; // gone since listed
    }
  });
}

/** A qa stack whose app claims the GitHub environment PROD of the repository prod's app deploys. */
const qaClaimingProdEnvironment = [
  "aws:region: eu-west-2",
  "trusted-delivery-platform:apps:",
  "  ledger-qa:",
  "    metadata: {id: REGISTRY_LEDGER_QA, owner: team-ledger, risk: low}",
  "    github: {repository: Acme/Ledger-Service, environments: [PROD]}",
];

const oneApp = [
  "trusted-delivery-platform:apps:",
  "  payments-api:",
  "    metadata: {id: REGISTRY_PAYMENTS_API, owner: team-payments, risk: medium}",
  "    github: {repository: acme/payments-api}",
];

describe("trusted-delivery plan", () => {
  it("prints, per app, the resources, registry settings, trust subjects and GitHub names of the dev stack", () => {
    const { code, stdout, stderr } = runCli(["plan", "dev"]);
    assert.equal(stderr, "");
    assert.equal(code, 0);
    const lines = stdout.split("\n");
    assert.equal(
      lines[0],
      'Offline plan for stack "dev" of trusted-delivery-platform (programs/platform/Pulumi.dev.yaml)',
    );
    const app = stdout.slice(
      stdout.indexOf("App payments-api"),
      stdout.indexOf("App web-frontend"),
    );
    assert.equal(
      app,
      [
        "App payments-api  (id REGISTRY_PAYMENTS_API, owner team-payments, risk medium)",
        "  + payments-api                       trusted-delivery:index:TrustedDeliveryPipeline",
        "  + payments-api-repository            aws:ecr/repository:Repository  [protected]",
        "  + payments-api-lifecycle             aws:ecr/lifecyclePolicy:LifecyclePolicy",
        "  + payments-api-push-role             aws:iam/role:Role",
        "  + payments-api-push-policy           aws:iam/rolePolicy:RolePolicy",
        "  + payments-api-role-secret           github:index/actionsSecret:ActionsSecret",
        "  + payments-api-repository-url        github:index/actionsVariable:ActionsVariable",
        "  + payments-api-region                github:index/actionsVariable:ActionsVariable",
        "  Registry   payments-api: MUTABLE tags, AES256 encryption, scan on push on, force delete off, protected from deletion",
        "  Lifecycle  Keep last 30 images (medium risk policy)",
        "  Tags       Environment=dev, goldenpath.idp/id=REGISTRY_PAYMENTS_API, goldenpath.idp/owner=team-payments, goldenpath.idp/risk=medium",
        "  Push role  ecr-push-dev-payments-api, assumable only by GitHub Actions runs with sub:",
        "               repo:acme/payments-api:ref:refs/heads/main       (StringEquals)",
        "               repo:acme/payments-api:ref:refs/heads/feature/*  (StringLike)",
        "  GitHub     acme/payments-api: secret TF_AWS_IAM_ROLE_DEV holds the role ARN; variables ECR_REPOSITORY_URL_DEV, AWS_REGION_DEV",
        "",
        "",
      ].join("\n"),
    );
    assert.match(
      stdout,
      /^ {2}\+ github-oidc +aws:iam\/openIdConnectProvider:OpenIdConnectProvider {2}\[protected\]$/m,
    );
    assert.match(stdout, /^32 to create \(3 apps\)\.$/m);
    assert.match(
      stdout,
      /\n\nPolicy pack trusted-delivery-guardrails@v0\.1\.0 \(16 policies\): no violations\.\n$/,
    );
  });

  it("shows the high-risk registry's KMS encryption and immutable tags", () => {
    const { stdout } = runCli(["plan", "prod"]);
    assert.match(
      stdout,
      /^ {2}Registry {3}ledger-service: IMMUTABLE tags, KMS encryption \(key aws\/ecr, AWS managed\), scan on push on, force delete off, protected from deletion$/m,
    );
    assert.match(stdout, /^ {15}repo:acme\/ledger-service:environment:prod {2}\(StringEquals\)$/m);
    assert.match(
      stdout,
      /^ {2}Environment prod: approved by team 4821007 \(not by whoever triggered it\), deploys from tag v\*$/m,
    );
    assert.match(
      stdout,
      /^ {2}GitHub {5}acme\/ledger-service: secret TF_AWS_IAM_ROLE_PROD \(environment prod\) holds the role ARN; variables ECR_REPOSITORY_URL_PROD, AWS_REGION_PROD, ECR_SIGNING_PROFILE_ARN_PROD$/m,
    );
  });

  it("refuses an unknown stack, listing the stacks there are", () => {
    const { code, stdout, stderr } = runCli(["plan", "qa"]);
    assert.equal(code, 2);
    assert.equal(stdout, "");
    assert.equal(
      stderr,
      'error: stack "qa" has no config file programs/platform/Pulumi.qa.yaml; stacks with one: dev, prod, staging\n',
    );
  });

  it("refuses bad config naming the stack file and key, without a stack trace", () => {
    const project = fs.mkdtempSync(path.join(os.tmpdir(), "td-plan-"));
    fs.writeFileSync(
      path.join(project, "Pulumi.yaml"),
      `name: trusted-delivery-platform\nruntime: nodejs\nmain: ${path.join(repositoryRoot, "programs/platform")}\nstackConfigDir: stacks\n`,
    );
    fs.mkdirSync(path.join(project, "stacks"));
    fs.writeFileSync(
      path.join(project, "stacks/Pulumi.broken.yaml"),
      [
        "config:",
        "  trusted-delivery-platform:apps:",
        "    payments-api:",
        "      metadata: {id: REGISTRY_PAYMENTS_API, owner: team-payments, risk: medium}",
        "      github: {repository: acme/payments-api, branches: ['*']}",
        "",
      ].join("\n"),
    );
    const { code, stdout, stderr } = runCli(["plan", "broken", "--cwd", project]);
    assert.equal(stdout, "");
    assert.equal(
      stderr,
      [
        'error: Stack "broken" config (stacks/Pulumi.broken.yaml) has an invalid argument:',
        '  - trusted-delivery-platform:apps.payments-api.github.branches[0] is "*"; must be a branch name or a pattern with at least one literal character: "*" would admit every branch',
        "",
      ].join("\n"),
    );
    assert.equal(code, 2);
  });

  it("runs the policy pack like pulumi preview --policy-pack, and exits 1 on a mandatory violation", () => {
    const { code, stdout } = runCli([
      "plan",
      "dev",
      "--cwd",
      "examples/ungoverned",
      "--policy-pack",
      "policy-pack",
    ]);
    assert.equal(code, 1);
    const report = stdout.slice(stdout.indexOf("Policy pack "));
    assert.match(report, /^Policy pack trusted-delivery-guardrails@v0\.1\.0 \(16 policies\)\n/);
    assert.match(
      report,
      /^ {2}\[mandatory\] iam-github-oidc-trust-scoped on gha-ecr-push\n {6}IAM roles that GitHub Actions' OIDC tokens can assume .*\n {6}GitHub OIDC trust must admit one repository's workflow runs only, with aud "sts\.amazonaws\.com": statement "GitHubOIDCTrust" admits more than one repository of acme, e.g. sub "repo:acme\/app:ref:refs\/heads\/main" and sub "repo:acme\/app-fork:ref:refs\/heads\/main"; list exact subjects such as "repo:<owner>\/<name>:ref:refs\/heads\/main"$/m,
    );
    assert.match(
      report,
      /\n6 mandatory violations: `pulumi preview` with this pack would fail\.\n$/,
    );
  });

  it("applies a policy config, and skips the pack on request", () => {
    const config = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "td-policy-")), "advisory.json");
    fs.writeFileSync(config, JSON.stringify({ all: "advisory" }));
    const args = ["plan", "dev", "--cwd", "examples/ungoverned", "--policy-pack", "policy-pack"];
    const advisory = runCli([...args, "--policy-pack-config", config]);
    assert.equal(advisory.code, 0);
    assert.match(
      advisory.stdout,
      /\nAdvisory only: `pulumi preview` with this pack would succeed\.\n$/,
    );
    const skipped = runCli(["plan", "dev", "--skip-policy"]);
    assert.equal(skipped.code, 0);
    assert.ok(!skipped.stdout.includes("Policy pack"));
  });

  it("refuses a policy pack directory that is not one, before running anything", () => {
    const { code, stdout, stderr } = runCli(["plan", "dev", "--policy-pack", "programs"]);
    assert.equal(code, 2);
    assert.equal(stdout, "");
    assert.equal(
      stderr,
      "error: --policy-pack programs is not a policy pack: it has no PulumiPolicy.yaml\n",
    );
  });

  it("asks for exactly one stack, as the argument or -s/--stack, and the two agreeing", () => {
    const none = runCli(["plan"]);
    assert.equal(none.code, 2);
    assert.equal(
      none.stderr,
      "error: plan needs a stack: -s/--stack <stack>, e.g. `trusted-delivery plan dev`\n",
    );
    const two = runCli(["plan", "dev", "prod"]);
    assert.equal(two.code, 2);
    assert.equal(
      two.stderr,
      "error: plan takes one stack name, e.g. `trusted-delivery plan dev`; got dev prod\n",
    );
    const disagreeing = runCli(["plan", "dev", "-s", "prod"]);
    assert.equal(disagreeing.code, 2);
    assert.equal(
      disagreeing.stderr,
      "error: plan is given two stacks, dev and -s/--stack prod: give one\n",
    );
  });

  it("refuses a stack that declares another stack's GitHub environment of one repository, naming both files", () => {
    const root = projectWithStack("qa", qaClaimingProdEnvironment);
    const before = snapshotTree(root);
    const { code, stdout, stderr } = runCli(["plan", "qa", "--cwd", root, "--skip-policy"]);
    assert.equal(code, 2);
    assert.equal(stdout, "");
    assert.match(
      stderr,
      /^error: The GitHub environments of stack qa and the project's other stacks/,
    );
    assert.match(stderr, /programs\/platform\/Pulumi\.qa\.yaml/);
    assert.match(stderr, /programs\/platform\/Pulumi\.prod\.yaml/);
    assert.deepEqual(snapshotTree(root), before);
    // A stack that declares none of them plans as before.
    assert.equal(runCli(["plan", "dev", "--cwd", root, "--skip-policy"]).code, 0);
  });

  it("refuses such a stack as well with the policy pack, whose start it stops: no pack left running", () => {
    const root = projectWithStack("qa", qaClaimingProdEnvironment);
    const packDir = path.join(repositoryRoot, "policy-pack");
    const before = policyPackProcesses();
    const { code, stdout, stderr } = runCli([
      "plan",
      "qa",
      "--cwd",
      root,
      "--policy-pack",
      packDir,
    ]);
    assert.equal(code, 2);
    assert.equal(stdout, "");
    assert.match(
      stderr,
      /^error: The GitHub environments of stack qa and the project's other stacks/,
    );
    assert.deepEqual(
      policyPackProcesses().filter((pid) => !before.includes(pid)),
      [],
      "a policy pack the refused plan started is still running",
    );
  });

  it("plans the stack -s/--stack names as it plans the argument", () => {
    const byArgument = runCli(["plan", "dev", "--skip-policy"]);
    const byFlag = runCli(["plan", "-s", "dev", "--skip-policy"]);
    const byLongFlag = runCli(["plan", "--stack=dev", "--skip-policy"]);
    assert.equal(byArgument.code, 0, byArgument.stderr);
    assert.equal(byFlag.stdout, byArgument.stdout);
    assert.equal(byLongFlag.stdout, byArgument.stdout);
  });

  it("fails, as the engine would, on a program that registers two resources of one URN", () => {
    const root = path.join(__dirname, "../fixtures/programs/duplicate-urn");
    const before = snapshotTree(root);
    const { code, stdout, stderr } = runCli(["plan", "dev", "--cwd", root, "--skip-policy"]);
    assert.equal(stdout, "");
    assert.match(
      stderr,
      /^error: Duplicate resource URN 'urn:pulumi:dev::duplicate-urn::pulumi:pulumi:Stack\$aws:ecr\/repository:Repository::images'; try giving it a unique name\n {2}first registered at index\.js:4, with name "images-a"\n {2}then registered at index\.js:5, with name "images-b"\n$/,
    );
    assert.equal(code, 1);
    assert.deepEqual(snapshotTree(root), before);
  });

  it("refuses, before anything is registered, two GitHub environments of an app that would make one resource name", () => {
    const root = projectWithStack("dev", [
      "aws:region: eu-west-2",
      "trusted-delivery-platform:apps:",
      "  payments-api:",
      "    metadata: {id: REGISTRY_PAYMENTS_API, owner: team-payments, risk: medium}",
      "    github: {repository: acme/payments-api, environments: [dev env, dev-env]}",
    ]);
    const before = snapshotTree(root);
    const { code, stdout, stderr } = runCli(["plan", "dev", "--cwd", root]);
    assert.equal(stdout, "");
    assert.equal(
      stderr,
      [
        'error: Stack "dev" config (programs/platform/Pulumi.dev.yaml) has an invalid argument:',
        '  - trusted-delivery-platform:apps.payments-api.github.environments is ["dev env","dev-env"]; must name distinct environments: "dev env" and "dev-env" are the same resource name once lower-cased, with spaces as hyphens (GitHub also compares environment names without case)',
        "",
      ].join("\n"),
    );
    assert.equal(code, 2);
    assert.deepEqual(snapshotTree(root), before);
  });

  const refusals: [string, string[], string][] = [
    [
      "aws:defaultTags that is not JSON",
      ["aws:region: eu-west-2", "aws:defaultTags: '{tags: {ManagedBy: pulumi}'", ...oneApp],
      '  - aws:defaultTags is "{tags: {ManagedBy: pulumi}"; must be { tags: { <key>: <value> } } (or JSON text of it), e.g. { tags: { ManagedBy: pulumi } }; this text is not JSON',
    ],
    [
      "aws:defaultTags that is not { tags: { k: v } }",
      ["aws:region: eu-west-2", "aws:defaultTags: {ManagedBy: pulumi}", ...oneApp],
      '  - aws:defaultTags is {"ManagedBy":"pulumi"}; must be { tags: { <key>: <value> } } (or JSON text of it), e.g. { tags: { ManagedBy: pulumi } }',
    ],
    [
      "a default tag that is not a string, and a region that is not one",
      ["aws:region: [eu-west-2]", "aws:defaultTags: {tags: {Owners: [a, b]}}", ...oneApp],
      [
        '  - aws:region is ["eu-west-2"]; must be an AWS region, e.g. "eu-west-2"',
        '  - aws:defaultTags.tags.Owners is ["a","b"]; must be a string',
      ].join("\n"),
    ],
  ];
  for (const [what, lines, problems] of refusals) {
    it(`refuses ${what}, naming the stack file and key`, () => {
      const root = projectWithStack("dev", lines);
      const before = snapshotTree(root);
      const { code, stdout, stderr } = runCli(["plan", "dev", "--cwd", root]);
      const count = problems.split("\n").length;
      assert.equal(
        stderr,
        `error: Stack "dev" config (programs/platform/Pulumi.dev.yaml) has ${count === 1 ? "an invalid argument" : `${count} invalid arguments`}:\n${problems}\n`,
      );
      assert.equal(code, 2);
      assert.equal(stdout, "");
      assert.deepEqual(snapshotTree(root), before);
    });
  }

  const states: [string, string | undefined, string][] = [
    ["a local Terraform state that does not exist", undefined, "it does not exist"],
    ["a local Terraform state that is not JSON", "<html>", "it is not JSON"],
    [
      "a local Terraform state that is not an object",
      '"state"',
      "it holds JSON, but not an object",
    ],
    ["a local Terraform state with no outputs", '{"version": 4}', 'it has no "outputs" map'],
  ];
  for (const [what, content, reason] of states) {
    it(`refuses ${what}, naming the stack file key trusted-delivery-platform:terraformState.path`, () => {
      const root = projectWithStack("dev", [
        "aws:region: eu-west-2",
        "trusted-delivery-platform:terraformState:",
        "  backend: local",
        "  path: infra/terraform.tfstate",
        "  outputs: {githubOidcProviderArn: github_oidc_provider_arn}",
        ...oneApp,
      ]);
      if (content !== undefined) {
        fs.mkdirSync(path.join(root, "infra"));
        fs.writeFileSync(path.join(root, "infra/terraform.tfstate"), content);
      }
      const before = snapshotTree(root);
      const { code, stdout, stderr } = runCli(["plan", "dev", "--cwd", root]);
      assert.equal(
        stderr,
        `error: Stack "dev" config (programs/platform/Pulumi.dev.yaml) has an invalid argument:\n  - trusted-delivery-platform:terraformState.path is "infra/terraform.tfstate"; must be a Terraform state file (JSON with an "outputs" map, as terraform state pull writes it): ${reason}\n`,
      );
      assert.equal(code, 2);
      assert.equal(stdout, "");
      assert.deepEqual(snapshotTree(root), before);
    });
  }

  it("refuses a Terraform output the local state does not have, naming the key and the outputs it has", () => {
    const root = projectWithStack("dev", [
      "aws:region: eu-west-2",
      "trusted-delivery-platform:terraformState:",
      "  backend: local",
      "  path: terraform.tfstate",
      "  outputs: {githubOidcProviderArn: oidc_arn}",
      ...oneApp,
    ]);
    fs.writeFileSync(
      path.join(root, "terraform.tfstate"),
      JSON.stringify({ version: 4, outputs: { vpc_id: { value: "vpc-1" } } }),
    );
    const { code, stderr } = runCli(["plan", "dev", "--cwd", root]);
    assert.equal(
      stderr,
      'error: Stack "dev" config (programs/platform/Pulumi.dev.yaml) has an invalid argument:\n  - trusted-delivery-platform:terraformState.outputs.githubOidcProviderArn is "oidc_arn"; must name an output of Terraform state terraform.tfstate; it has: vpc_id\n',
    );
    assert.equal(code, 2);
  });

  it("refuses a project whose program is not there, or not Node.js", () => {
    const { root } = tempPlatformProject();
    const file = path.join(root, "Pulumi.yaml");
    fs.writeFileSync(
      file,
      "name: trusted-delivery-platform\nruntime: python\nmain: programs/nowhere\nstackConfigDir: programs/platform\n",
    );
    const python = runCli(["plan", "dev", "--cwd", root]);
    assert.equal(
      python.stderr,
      `error: Pulumi project file ${file} has an invalid argument:\n  - runtime is "python"; must be nodejs: the offline plan runs Node.js programs\n`,
    );
    assert.equal(python.code, 2);
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace("python", "nodejs"));
    const missing = runCli(["plan", "dev", "--cwd", root]);
    assert.equal(
      missing.stderr,
      `error: Pulumi project file ${file} has an invalid argument:\n  - main is "programs/nowhere"; must be the program, relative to Pulumi.yaml: a JavaScript or TypeScript file, or a directory with an index file or package.json; it does not exist\n`,
    );
    assert.equal(missing.code, 2);
  });
});
