import { strict as assert } from "assert";
import * as fs from "fs";
import YAML from "yaml";
import { builderIdentity } from "../../components/verification";
import { readPlatformStack } from "../../cli/workspace/platformStack";
import { findProject } from "../../cli/workspace/project";
import { lintWorkflow } from "../helpers/actionlint";
import { repositoryRoot, runCli } from "../helpers/cli";
import { tempPlatformProject } from "../helpers/tempProject";

/** The ledger-service entry's settings in a stack, as the platform program resolves them. */
function ledgerSettings(stack: string, root = repositoryRoot) {
  return readPlatformStack(findProject(root), stack).config.apps["ledger-service"].settings;
}

describe("trusted-delivery verify-policy", () => {
  it("says what a verifier of a high-risk app's images requires: the workflow identity, the signature, the findings gate", () => {
    const { code, stdout, stderr } = runCli(["verify-policy", "ledger-service", "-s", "prod"]);
    assert.equal(code, 0, stderr);
    const identity = builderIdentity(ledgerSettings("prod"));
    assert.match(
      stdout,
      /^ {2}acme\/ledger-service\/\.github\/workflows\/ci-build-push-prod\.yml at refs\/tags\/v\*$/m,
    );
    assert.ok(stdout.includes(`  certificate subject ${identity.subjectPattern}\n`));
    assert.match(stdout, /ECR_SIGNING_PROFILE_ARN_PROD/);
    assert.match(stdout, /none at CRITICAL or above/);
  });

  it("-f json gives the identity the pipeline's settings derive, as data", () => {
    const { code, stdout } = runCli(["verify-policy", "ledger-service", "-s", "dev", "-f", "json"]);
    assert.equal(code, 0);
    const parsed = JSON.parse(stdout);
    assert.deepEqual(parsed.identity, builderIdentity(ledgerSettings("dev")));
    assert.deepEqual(parsed.signing, { profileArnVariable: "ECR_SIGNING_PROFILE_ARN_DEV" });
    assert.equal(parsed.registryFindingsGate, "CRITICAL");
    const medium = JSON.parse(
      runCli(["verify-policy", "payments-api", "-s", "dev", "-f", "json"]).stdout,
    );
    assert.equal(medium.signing, null);
    assert.equal(medium.registryFindingsGate, null);
  });

  it("-f deploy-gate writes a reusable workflow actionlint accepts, requiring that identity", async () => {
    const { code, stdout } = runCli([
      "verify-policy",
      "ledger-service",
      "-s",
      "prod",
      "-f",
      "deploy-gate",
    ]);
    assert.equal(code, 0);
    assert.deepEqual(await lintWorkflow(stdout), []);
    const gate = YAML.parse(stdout);
    assert.deepEqual(Object.keys(gate.on), ["workflow_call"]);
    const provenance = gate.jobs.verify.steps.find(
      (step: { name: string }) => step.name === "Verify the build provenance",
    );
    assert.equal(
      provenance.env.SUBJECT_PATTERN,
      builderIdentity(ledgerSettings("prod")).subjectPattern,
    );
  });

  it("follows the app entry: a changed trusted branch changes the Kyverno policy's subject", () => {
    const { root, stackFile } = tempPlatformProject();
    const policyOf = () => {
      const result = runCli([
        "verify-policy",
        "ledger-service",
        "-s",
        "dev",
        "-f",
        "kyverno",
        "--account",
        "123456789012",
        "-C",
        root,
      ]);
      assert.equal(result.code, 0, result.stderr);
      const policy = YAML.parse(result.stdout);
      const verify = policy.spec.rules[0].verifyImages[0];
      return {
        images: verify.imageReferences,
        subject: verify.attestations[0].attestors[0].entries[0].keyless.subjectRegExp,
      };
    };
    const before = policyOf();
    assert.deepEqual(before.images, [
      "123456789012.dkr.ecr.eu-west-2.amazonaws.com/ledger-service:*",
      "123456789012.dkr.ecr.eu-west-2.amazonaws.com/ledger-service@*",
      "123456789012.dkr.ecr.eu-west-2.amazonaws.com/library/ledger-service:*",
      "123456789012.dkr.ecr.eu-west-2.amazonaws.com/library/ledger-service@*",
    ]);
    assert.equal(before.subject, builderIdentity(ledgerSettings("dev", root)).subjectPattern);
    assert.ok(
      new RegExp(before.subject).test(
        "https://github.com/acme/ledger-service/.github/workflows/ci-build-push-dev.yml@refs/heads/main",
      ),
    );
    const file = stackFile("dev");
    const text = fs.readFileSync(file, "utf8");
    const ledger = text.indexOf("ledger-service:");
    const edited =
      text.slice(0, ledger) + text.slice(ledger).replace("          - main", "          - release");
    fs.writeFileSync(file, edited);
    const after = policyOf();
    assert.notEqual(after.subject, before.subject);
    const subject = new RegExp(after.subject);
    assert.ok(
      subject.test(
        "https://github.com/acme/ledger-service/.github/workflows/ci-build-push-dev.yml@refs/heads/release",
      ),
    );
    assert.ok(
      !subject.test(
        "https://github.com/acme/ledger-service/.github/workflows/ci-build-push-dev.yml@refs/heads/main",
      ),
    );
  });

  it("refuses what it cannot answer, naming the option: no account for Kyverno, a bad account, an unknown app", () => {
    const noAccount = runCli(["verify-policy", "ledger-service", "-s", "prod", "-f", "kyverno"]);
    assert.equal(noAccount.code, 2);
    assert.equal(
      noAccount.stderr,
      "error: verify-policy has an invalid argument:\n  - --account is missing; is needed: the Kyverno policy names the registry by its account, and programs/platform/Pulumi.prod.yaml has no aws:allowedAccountIds to take it from\n",
    );
    assert.equal(noAccount.stdout, "");
    const badAccount = runCli([
      "verify-policy",
      "ledger-service",
      "-s",
      "prod",
      "-f",
      "kyverno",
      "--account",
      "12",
    ]);
    assert.equal(badAccount.code, 2);
    assert.match(badAccount.stderr, /--account is "12"; must be a 12-digit AWS account id/);
    const unknown = runCli(["verify-policy", "ledger", "-s", "prod"]);
    assert.equal(unknown.code, 2);
    assert.match(
      unknown.stderr,
      /app "ledger" is not in programs\/platform\/Pulumi\.prod\.yaml; did you mean "ledger-service"\?/,
    );
  });
});
