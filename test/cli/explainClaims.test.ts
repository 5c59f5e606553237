import { strict as assert } from "assert";
import * as fs from "fs";
import { explainRun, ExplainedApp } from "../../cli/explain/explain";
import { explanationJson, formatExplanation } from "../../cli/explain/format";
import { claimOptions, readClaims, WorkflowRun } from "../../cli/explain/run";
import { readPlatformStack } from "../../cli/workspace/platformStack";
import { githubClaimKeys } from "../../policy-pack/governance/github";
import { runCli } from "../helpers/cli";
import { tempPlatformProject } from "../helpers/tempProject";

const provider = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";
const buildWorkflow = "acme/workflows/.github/workflows/build.yml@refs/tags/v1";

const project = tempPlatformProject();
fs.writeFileSync(
  project.stackFile("dev"),
  [
    "config:",
    "  aws:region: eu-west-2",
    "  trusted-delivery-platform:registrySigning: managed",
    "  trusted-delivery-platform:apps:",
    "    payments-api:",
    "      metadata: {id: REGISTRY_PAYMENTS_API, owner: team-payments, risk: medium}",
    "      github: {repository: acme/payments-api, branches: [main]}",
    "    ledger-service:",
    "      metadata: {id: REGISTRY_LEDGER_SERVICE, owner: team-ledger, risk: high}",
    "      github:",
    "        repository: acme/ledger-service",
    "        branches: [main]",
    "        trust: id",
    "        ownerId: 1234",
    "        repositoryId: 98765",
    "    risk-engine:",
    "      metadata: {id: REGISTRY_RISK_ENGINE, owner: team-risk, risk: high}",
    "      github:",
    "        repository: acme/risk-engine",
    "        branches: [main]",
    "        workflows:",
    "          - {repository: acme/workflows, path: .github/workflows/build.yml, ref: refs/tags/v1}",
    "",
  ].join("\n"),
);

function explained(name: string): ExplainedApp {
  const { config, file } = readPlatformStack(project.project, "dev");
  return {
    name,
    stack: "dev",
    file,
    environment: config.environment,
    app: config.apps[name],
    providerArn: provider,
  };
}

function explain(name: string, options: Record<string, string>, given: Partial<WorkflowRun> = {}) {
  const { claims, problems } = readClaims(options);
  assert.deepEqual(problems, []);
  const app = explained(name);
  return explainRun(app, {
    repository: app.app.settings.github.repository,
    event: "push",
    ref: { kind: "branch", name: "main" },
    ...(Object.keys(claims).length > 0 && { claims }),
    ...given,
  });
}

describe("explain with the token's other claims (--repository-id, --owner-id, --workflow-ref, ...)", () => {
  it("each claim option names a claim STS checks, each claim once", () => {
    const claims = Object.values(claimOptions).map((o) => o.claim);
    assert.deepEqual(new Set(claims).size, claims.length);
    for (const claim of claims) {
      assert.ok(githubClaimKeys.includes(claim), claim);
    }
  });

  it("refuses each bad claim value by its option, every problem at once", () => {
    const { problems } = readClaims({
      "repository-id": "abc",
      "owner-id": "0",
      "workflow-ref": "acme/workflows/build.yml@v1",
      actor: "not a login",
      "actor-id": "-3",
      workflow: "two\nlines",
    });
    assert.deepEqual(
      problems.map((p) => p.message),
      [
        '--repository-id is "abc"; must be the repository\'s numeric GitHub id, e.g. 98765 (gh api repos/<owner>/<name> --jq .id)',
        '--owner-id is "0"; must be the owner\'s numeric GitHub id, e.g. 1234 (gh api repos/<owner>/<name> --jq .owner.id)',
        '--workflow-ref is "acme/workflows/build.yml@v1"; must be <owner>/<name>/.github/workflows/<file>.yml@<ref>, the ref refs/heads/<branch>, refs/tags/<tag> or a full commit SHA, e.g. acme/workflows/.github/workflows/build.yml@refs/tags/v1',
        '--workflow is "two\\nlines"; must be the workflow\'s name, on one line',
        '--actor is "not a login"; must be a GitHub login, e.g. octocat or dependabot[bot]',
        '--actor-id is "-3"; must be a numeric GitHub id, e.g. 583231',
      ],
    );
  });

  it("takes job_workflow_refs at a tag, a branch or a full commit SHA, and nothing else", () => {
    const valid = (ref: string) => readClaims({ "workflow-ref": ref }).problems.length === 0;
    assert.ok(valid(buildWorkflow));
    assert.ok(valid("acme/workflows/.github/workflows/build.yaml@refs/heads/main"));
    assert.ok(valid(`acme/workflows/.github/workflows/build.yml@${"a".repeat(40)}`));
    assert.ok(!valid("acme/workflows/.github/workflows/build.yml@abc1234"), "a short SHA");
    assert.ok(!valid("acme/workflows/.github/workflows/build.yml@main"), "a bare branch");
    assert.ok(
      !valid("acme/workflows/.github/workflows/ci/build.yml@refs/tags/v1"),
      "a subdirectory",
    );
    assert.ok(!valid("acme/workflows/.github/workflows/build.sh@refs/tags/v1"), "not YAML");
    assert.ok(readClaims({ actor: "dependabot[bot]" }).problems.length === 0);
  });

  it("--repository-id and --owner-id go together", () => {
    assert.deepEqual(readClaims({ "repository-id": "98765" }).problems, [
      {
        field: "--owner-id",
        message:
          "--owner-id is missing: --repository-id and --owner-id go together, as the immutable subject (repo:<owner>@<ownerId>/<name>@<repositoryId>:...) names both",
      },
    ]);
  });

  it("ids given make the issued token the immutable form, which a name-only trust refuses", () => {
    const e = explain("payments-api", { "repository-id": "98765", "owner-id": "1234" });
    assert.deepEqual(
      e.tokens.map((t) => [t.form, t.sub, t.decision.admitted]),
      [
        ["name", "repo:acme/payments-api:ref:refs/heads/main", true],
        ["immutable id", "repo:acme@1234/payments-api@98765:ref:refs/heads/main", false],
      ],
    );
    assert.equal(e.issued.form, "immutable id");
    assert.equal(e.admitted, false);
    assert.match(
      formatExplanation(e),
      /\n {2}immutable id form: sub "repo:acme@1234\/payments-api@98765:ref:refs\/heads\/main": refused; GitHub issues this form \(the ids are given\)\n/,
    );
    assert.match(
      formatExplanation(e),
      /\nClaims: repository_id "98765", repository_owner_id "1234"\n/,
    );
  });

  it("the claims reach the model: an id trust refuses the same name with another repository id", () => {
    const own = explain("ledger-service", {});
    assert.equal(own.admitted, true, formatExplanation(own));
    const recreated = explain("ledger-service", { "repository-id": "11111", "owner-id": "1234" });
    assert.equal(recreated.issued.claims.repository_id, "11111");
    assert.equal(recreated.admitted, false, formatExplanation(recreated));
  });

  it("a trust pinned to a reusable workflow admits a job running it, and refuses one that does not", () => {
    const pinned = explain("risk-engine", { "workflow-ref": buildWorkflow });
    assert.equal(pinned.issued.claims.job_workflow_ref, buildWorkflow);
    assert.equal(pinned.admitted, true, formatExplanation(pinned));
    const other = explain("risk-engine", {
      "workflow-ref": "acme/workflows/.github/workflows/build.yml@refs/tags/v2",
    });
    assert.equal(other.admitted, false, formatExplanation(other));
  });

  it("-f json shows the claims given and each token's claims", () => {
    const json = explanationJson(
      explain("risk-engine", { "workflow-ref": buildWorkflow, actor: "octocat" }),
    ) as any;
    assert.deepEqual(json.run.claims, { job_workflow_ref: buildWorkflow, actor: "octocat" });
    assert.equal(json.tokens[0].claims.job_workflow_ref, buildWorkflow);
    assert.equal(json.tokens[0].claims.repository, "acme/risk-engine");
  });

  it("the command takes the claim options, and refuses a bad one with exit 2", () => {
    const ok = runCli([
      "explain",
      "risk-engine",
      "-C",
      project.root,
      "-s",
      "dev",
      "--ref",
      "main",
      "--workflow-ref",
      buildWorkflow,
      "-f",
      "json",
    ]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(JSON.parse(ok.stdout).run.claims.job_workflow_ref, buildWorkflow);
    const bad = runCli([
      "explain",
      "risk-engine",
      "-C",
      project.root,
      "-s",
      "dev",
      "--ref",
      "main",
      "--repository-id",
      "x1",
    ]);
    assert.equal(bad.code, 2);
    assert.equal(
      bad.stderr,
      [
        "error: explain has 2 invalid arguments:",
        '  - --repository-id is "x1"; must be the repository\'s numeric GitHub id, e.g. 98765 (gh api repos/<owner>/<name> --jq .id)',
        "  - --owner-id is missing: --repository-id and --owner-id go together, as the immutable subject (repo:<owner>@<ownerId>/<name>@<repositoryId>:...) names both",
        "",
      ].join("\n"),
    );
  });
});
