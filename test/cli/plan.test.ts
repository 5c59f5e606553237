import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { repositoryRoot, runCli } from "../helpers/cli";

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
    assert.match(stdout, /^27 to create \(3 apps\)\.$/m);
    assert.match(
      stdout,
      /\n\nPolicy pack trusted-delivery-guardrails@v0\.1\.0 \(10 policies\): no violations\.\n$/,
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
      /^ {2}GitHub {5}acme\/ledger-service: secret TF_AWS_IAM_ROLE_PROD \(environment prod\) holds the role ARN; variables ECR_REPOSITORY_URL_PROD, AWS_REGION_PROD$/m,
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
    assert.match(report, /^Policy pack trusted-delivery-guardrails@v0\.1\.0 \(10 policies\)\n/);
    assert.match(
      report,
      /^ {2}\[mandatory\] iam-github-oidc-trust-scoped on gha-ecr-push\n {6}IAM roles that trust .*\n {6}GitHub OIDC trust must be scoped to one repository, with aud "sts\.amazonaws\.com": statement "GitHubOIDCTrust" allows sub "repo:acme\/\*:\*", which matches every repository of owner "acme"; list exact subjects such as "repo:<owner>\/<name>:ref:refs\/heads\/main"$/m,
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

  it("asks for exactly one stack", () => {
    const { code, stderr } = runCli(["plan"]);
    assert.equal(code, 2);
    assert.equal(
      stderr,
      "error: plan takes one stack name, e.g. `trusted-delivery plan dev`; got 0\n",
    );
  });
});
