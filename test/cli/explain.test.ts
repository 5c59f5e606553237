import { strict as assert } from "assert";
import * as fs from "fs";
import { explainRun, ExplainedApp, deploymentPatternMatches } from "../../cli/explain/explain";
import { explanationJson, formatExplanation } from "../../cli/explain/format";
import { builderIdentity } from "../../components/verification";
import { githubEvents } from "../../cli/explain/events";
import { refProblems, runProblems, WorkflowRun } from "../../cli/explain/run";
import { readPlatformStack } from "../../cli/workspace/platformStack";
import { readEnvironmentClaims } from "../../cli/workspace/environmentClaims";
import { canAssume } from "../helpers/iam";
import { runCli } from "../helpers/cli";
import { tempPlatformProject } from "../helpers/tempProject";
import { githubTrustPolicy } from "../../components/trustPolicy";

const provider = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";

/** A stack with the apps given, as its stack file writes them. */
function stackWith(apps: string[], stack = "dev"): ReturnType<typeof tempPlatformProject> {
  const project = tempPlatformProject();
  fs.writeFileSync(
    project.stackFile(stack),
    [
      "config:",
      "  aws:region: eu-west-2",
      // The high-risk apps sign their images: the stack manages the registry's signing.
      "  trusted-delivery-platform:registrySigning: managed",
      "  trusted-delivery-platform:apps:",
      ...apps,
      "",
    ].join("\n"),
  );
  return project;
}

const apps = [
  "    payments-api:",
  "      metadata: {id: REGISTRY_PAYMENTS_API, owner: team-payments, risk: medium}",
  "      github: {repository: acme/payments-api, branches: [main, release/*], tags: [v*]}",
  "    ledger-service:",
  "      metadata: {id: REGISTRY_LEDGER_SERVICE, owner: team-ledger, risk: high}",
  "      github:",
  "        repository: acme/ledger-service",
  "        environments: [dev]",
  "        environmentProtection: {deploymentBranches: [main], deploymentTags: [v*]}",
  "    risk-engine:",
  "      metadata: {id: REGISTRY_RISK_ENGINE, owner: team-risk, risk: high}",
  "      github: {repository: acme/risk-engine, ownerId: 1234, repositoryId: 98765}",
];

const project = stackWith(apps);

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

const run = (name: string, given: Partial<WorkflowRun>) => {
  const app = explained(name);
  return explainRun(app, {
    repository: app.app.settings.github.repository,
    event: "push",
    ...given,
  });
};

const lastLines = (text: string, count: number) => text.split("\n").slice(-count);

describe("trusted-delivery explain", () => {
  describe("decides as IAM would", () => {
    // Every decision explain prints is the evaluator's too.
    const cases: [string, Partial<WorkflowRun>][] = [
      ["payments-api", { ref: { kind: "branch", name: "main" } }],
      ["payments-api", { ref: { kind: "branch", name: "release/2.0" } }],
      ["payments-api", { ref: { kind: "branch", name: "hotfix" } }],
      ["payments-api", { ref: { kind: "tag", name: "v1.2.0" } }],
      ["payments-api", { event: "pull_request" }],
      [
        "payments-api",
        { repository: "mallory/payments-api", ref: { kind: "branch", name: "main" } },
      ],
      ["ledger-service", { environment: "dev", ref: { kind: "branch", name: "main" } }],
      ["ledger-service", { ref: { kind: "branch", name: "main" } }],
      ["risk-engine", { ref: { kind: "branch", name: "main" } }],
      ["payments-api", { event: "pull_request_target", ref: { kind: "branch", name: "main" } }],
      ["payments-api", { event: "pull_request_review" }],
      ["payments-api", { event: "schedule", ref: { kind: "branch", name: "develop" } }],
    ];
    for (const [name, given] of cases) {
      it(`${name}: ${JSON.stringify(given)}`, () => {
        const explanation = run(name, given);
        const policy = githubTrustPolicy(provider, explanation.trusted);
        for (const token of explanation.tokens) {
          assert.equal(
            token.decision.admitted,
            canAssume(policy, { provider, sub: token.sub, aud: "sts.amazonaws.com" }),
            token.sub,
          );
        }
      });
    }
  });

  it("admits a branch the role names exactly, and one a pattern matches, naming the statement and value", () => {
    assert.deepEqual(
      lastLines(
        formatExplanation(run("payments-api", { ref: { kind: "branch", name: "release/2.0" } })),
        6,
      ).slice(0, 5),
      [
        "  repo:acme/payments-api:ref:refs/heads/main       (StringEquals)",
        "  repo:acme/payments-api:ref:refs/heads/release/*  (StringLike)",
        "  repo:acme/payments-api:ref:refs/tags/v*          (StringLike)",
        "",
        'ADMITTED: sub "repo:acme/payments-api:ref:refs/heads/release/2.0" is admitted by statement "GitHubActionsSubjectPatterns", by "repo:acme/payments-api:ref:refs/heads/release/*" (StringLike).',
      ],
    );
    const exact = run("payments-api", { ref: { kind: "branch", name: "main" } });
    assert.equal(exact.admitted, true);
    assert.deepEqual(exact.issued.matchedBy, {
      value: "repo:acme/payments-api:ref:refs/heads/main",
      operator: "StringEquals",
    });
  });

  it("refuses a branch the role does not name, with the nearest subject and the change that admits it", () => {
    const text = formatExplanation(
      run("payments-api", { ref: { kind: "branch", name: "hotfix" } }),
    );
    assert.deepEqual(lastLines(text, 3), [
      'REFUSED: no statement of the role\'s trust policy admits sub "repo:acme/payments-api:ref:refs/heads/hotfix".',
      'Nearest expected: "repo:acme/payments-api:ref:refs/heads/main"',
      "To admit it: in programs/platform/Pulumi.dev.yaml, set github.branches of app payments-api to [main, release/*, hotfix]; then pulumi up -s dev.",
    ]);
  });

  it("refuses a tag the patterns do not match, proposing it in github.tags", () => {
    const explanation = run("payments-api", { ref: { kind: "tag", name: "release-1" } });
    assert.equal(explanation.admitted, false);
    assert.deepEqual(explanation.advice, {
      kind: "change",
      change:
        "in programs/platform/Pulumi.dev.yaml, set github.tags of app payments-api to [v*, release-1]; then pulumi up -s dev",
    });
  });

  it("refuses pull requests, and says they must never push", () => {
    const text = formatExplanation(run("payments-api", { event: "pull_request" }));
    assert.match(text, /^Run: {3}pull_request, in acme\/payments-api$/m);
    assert.deepEqual(lastLines(text, 3), [
      'REFUSED: no statement of the role\'s trust policy admits sub "repo:acme/payments-api:pull_request".',
      'Nearest expected: "repo:acme/payments-api:ref:refs/tags/v*"',
      "Must not be admitted: a pull request's run builds code nobody has reviewed yet (from any branch, or from a fork), so it must never push images: build and test pull requests without AWS credentials, and push from the branch once merged (on: push).",
    ]);
  });

  it("admits a pull_request_target run on a trusted branch, saying its token is the branch's and what it must never build", () => {
    const explanation = run("payments-api", {
      event: "pull_request_target",
      ref: { kind: "branch", name: "main" },
    });
    assert.equal(explanation.admitted, true);
    assert.equal(explanation.issued.sub, "repo:acme/payments-api:ref:refs/heads/main");
    const text = formatExplanation(explanation);
    assert.deepEqual(text.split("\n").slice(1, 3), [
      "Run:   pull_request_target of branch main, in acme/payments-api",
      "Event: pull_request_target runs the default branch's workflow (GitHub Enterprise Server before 3.20: the base branch's), in that branch's context, for pull requests from any branch or fork; its token names that branch, as a push to it would: sub \"repo:acme/payments-api:ref:refs/heads/main\" (--ref must be that branch); the role trusts that subject, so it admits the run",
    ]);
    assert.deepEqual(explanation.notes.slice(0, 1), [
      "pull_request_target needs care wherever a role admits it: it runs for pull requests from forks too, with the branch's secrets and the role: a job that checks out the pull request's code and builds or runs it gives code nobody reviewed the branch's trust; never do that in a job that assumes the role (build pull requests with on: pull_request, which the role refuses)",
    ]);
  });

  it("gives every event that runs on a pull request's merge ref the pull_request subject, and refuses it", () => {
    for (const event of ["pull_request", "pull_request_review", "pull_request_review_comment"]) {
      const explanation = run("payments-api", { event });
      assert.equal(explanation.issued.sub, "repo:acme/payments-api:pull_request", event);
      assert.equal(explanation.admitted, false, event);
      assert.equal(explanation.advice?.kind, "must-not", event);
      assert.equal(
        explanation.event,
        `${event} runs on the pull request's merge ref (refs/pull/<number>/merge), which is no branch or tag: its token's sub says pull_request, whatever the branches: sub "repo:acme/payments-api:pull_request"; the role does not trust that subject`,
      );
    }
  });

  it("gives an event that runs on the default branch that branch's subject, as a push to it, and says so", () => {
    const refused = run("payments-api", {
      event: "schedule",
      ref: { kind: "branch", name: "develop" },
    });
    assert.equal(refused.issued.sub, "repo:acme/payments-api:ref:refs/heads/develop");
    assert.equal(
      refused.event,
      'schedule runs the default branch\'s workflow at its latest commit; its token names that branch, as a push to it would: sub "repo:acme/payments-api:ref:refs/heads/develop" (--ref must be that branch); the role does not trust that subject',
    );
    const admitted = run("payments-api", {
      event: "workflow_run",
      ref: { kind: "branch", name: "main" },
    });
    assert.equal(admitted.admitted, true);
    assert.deepEqual(admitted.notes.slice(0, 1), [
      "workflow_run needs care wherever a role admits it: it runs with secrets and the role after another workflow, which may have run a pull request's code: never trust what that run left (artifacts, caches, outputs) in a job that assumes the role",
    ]);
    // A push names its own ref: nothing to explain about the event.
    assert.equal(run("payments-api", { ref: { kind: "branch", name: "main" } }).event, undefined);
  });

  describe("knows GitHub's events", () => {
    it("accepts every workflow trigger event GitHub documents, and only those", () => {
      assert.deepEqual(Object.keys(githubEvents), [
        "branch_protection_rule",
        "check_run",
        "check_suite",
        "create",
        "delete",
        "deployment",
        "deployment_status",
        "discussion",
        "discussion_comment",
        "fork",
        "gollum",
        "image_version",
        "issue_comment",
        "issues",
        "label",
        "merge_group",
        "milestone",
        "page_build",
        "project",
        "project_card",
        "project_column",
        "public",
        "pull_request",
        "pull_request_review",
        "pull_request_review_comment",
        "pull_request_target",
        "push",
        "registry_package",
        "release",
        "repository_dispatch",
        "schedule",
        "status",
        "watch",
        "workflow_call",
        "workflow_dispatch",
        "workflow_run",
      ]);
      for (const event of Object.keys(githubEvents).filter((e) => e !== "workflow_call")) {
        assert.deepEqual(runProblems({ event }), [], event);
      }
    });

    it("refuses a name GitHub has no event of, with the nearest events", () => {
      assert.deepEqual(
        ["push_request", "schedul", "Push", "deploy"].map(
          (event) => runProblems({ event })[0].message,
        ),
        [
          '--event is "push_request"; must be an event that starts GitHub Actions workflows, e.g. push, pull_request, workflow_dispatch; did you mean "pull_request"?',
          '--event is "schedul"; must be an event that starts GitHub Actions workflows, e.g. push, pull_request, workflow_dispatch; did you mean "schedule"?',
          '--event is "Push"; must be an event that starts GitHub Actions workflows, e.g. push, pull_request, workflow_dispatch; did you mean "push"?',
          '--event is "deploy"; must be an event that starts GitHub Actions workflows, e.g. push, pull_request, workflow_dispatch; did you mean "deployment" or "deployment_status"?',
        ],
      );
    });

    it("refuses pull_request_comment, which GitHub names but has no event of, and workflow_call, whose token is the caller's", () => {
      assert.deepEqual(
        ["pull_request_comment", "workflow_call"].map((event) => runProblems({ event })[0].message),
        [
          '--event is "pull_request_comment"; must be a GitHub Actions event, which this is not: a comment on a pull request starts issue_comment (or pull_request_review_comment, on its diff)',
          "--event is \"workflow_call\"; must be the event that started the calling workflow: a called (reusable) workflow's token is its caller's, with the caller's subject",
        ],
      );
    });

    it("asks for the ref a run's token names, and refuses one the event never runs on", () => {
      const messages = (...args: Parameters<typeof refProblems>) =>
        refProblems(...args).map((p) => p.message);
      assert.deepEqual(messages("push", undefined, undefined), [
        "a push run's token names its ref: give --ref refs/heads/<branch>, --tag <tag> or --environment <environment>",
      ]);
      assert.deepEqual(messages("schedule", undefined, undefined), [
        "a schedule run's token names the default branch, which it runs on: give --ref refs/heads/<default branch> or --environment <environment>",
      ]);
      assert.deepEqual(messages("release", undefined, undefined), [
        "a release run's token names its ref: give --tag <tag> or --environment <environment>",
      ]);
      assert.deepEqual(messages("schedule", { kind: "tag", name: "v1" }, undefined, "--tag"), [
        '--tag is "v1"; a schedule run runs on the default branch, never a tag: give --ref refs/heads/<default branch>',
      ]);
      assert.deepEqual(messages("release", { kind: "branch", name: "main" }, undefined), [
        '--ref is "refs/heads/main"; a release run runs on its tag: give --tag <tag>',
      ]);
      assert.deepEqual(messages("merge_group", { kind: "tag", name: "v1" }, undefined), [
        '--ref is "refs/tags/v1"; a merge_group run runs on a branch: give --ref refs/heads/<branch>',
      ]);
      // A pull request's token names no ref; an environment's names the environment.
      assert.deepEqual(messages("pull_request", undefined, undefined), []);
      assert.deepEqual(messages("schedule", undefined, "dev"), []);
    });
  });

  it("refuses a fork, and says another repository must never assume the role", () => {
    const explanation = run("payments-api", {
      repository: "mallory/payments-api",
      ref: { kind: "branch", name: "main" },
    });
    assert.equal(explanation.issued.sub, "repo:mallory/payments-api:ref:refs/heads/main");
    assert.deepEqual(explanation.advice, {
      kind: "must-not",
      reason:
        "the role pushes to payments-api for acme/payments-api only; a run of mallory/payments-api (a fork, or another repository) must never assume it: give that repository its own app (trusted-delivery add-app) if it needs a registry",
    });
  });

  it("admits a job in a trusted environment from a ref that may deploy there, and stops one from any other ref", () => {
    assert.equal(
      run("ledger-service", { environment: "dev", ref: { kind: "tag", name: "v3.1.0" } }).admitted,
      true,
    );
    const gated = formatExplanation(
      run("ledger-service", { environment: "dev", ref: { kind: "branch", name: "feature/x" } }),
    );
    assert.deepEqual(lastLines(gated, 3).slice(0, 2), [
      "REFUSED: GitHub stops the job before it gets a token: environment dev deploys from branch main, tag v*, and branch feature/x is none of them.",
      "To admit it: in programs/platform/Pulumi.dev.yaml, set github.environmentProtection.deploymentBranches of app ledger-service to [main, feature/x]; then pulumi up -s dev.",
    ]);
  });

  it("tells a job outside the environment to run in it", () => {
    const explanation = run("ledger-service", { ref: { kind: "branch", name: "main" } });
    assert.equal(explanation.admitted, false);
    assert.deepEqual(explanation.advice, {
      kind: "run-differently",
      how: "the role trusts jobs in environment dev only: run the job there (jobs.<job>.environment: dev), as the generated workflow does",
    });
  });

  it("never advises an environment another stack declares for the repository", () => {
    // prod's stack file declares environment prod of acme/ledger-service: adding it to dev's
    // app would let each stack's push role trust the other's deployments.
    const claimedElsewhere = readEnvironmentClaims(project.project).claims.filter(
      (c) => c.stack !== "dev",
    );
    assert.ok(claimedElsewhere.some((c) => c.environment === "prod"));
    const app = { ...explained("ledger-service"), claimedElsewhere };
    const refused = explainRun(app, {
      repository: "acme/ledger-service",
      event: "push",
      environment: "Prod",
    });
    assert.deepEqual(refused.advice, {
      kind: "refused-change",
      reason:
        "environment Prod of acme/ledger-service is declared in programs/platform/Pulumi.prod.yaml (app ledger-service); one GitHub environment belongs to one stack, or each stack's push role would trust the other's deployments",
    });
    // An environment no stack declares is advised as before.
    const advised = explainRun(app, {
      repository: "acme/ledger-service",
      event: "push",
      environment: "qa",
    });
    assert.equal(advised.advice?.kind, "change");
    // And through the command, which reads the project's stack files itself.
    const { code, stdout } = runCli([
      "explain",
      "ledger-service",
      "-s",
      "dev",
      "--environment",
      "prod",
      "--cwd",
      project.root,
    ]);
    assert.equal(code, 1);
    assert.match(
      stdout,
      /No config change admits it: environment prod of acme\/ledger-service is declared in programs\/platform\/Pulumi\.prod\.yaml/,
    );
  });

  it("moves a branch-trusting app's refs into the environment's deployment policy when a job names one", () => {
    const explanation = run("payments-api", { environment: "dev" });
    assert.equal(explanation.advice?.kind, "change");
    assert.match(
      (explanation.advice as { change: string }).change,
      /set github\.environments of app payments-api to \[dev\] \(the pipeline creates and protects it\) and move its branches \[main, release\/\*\] and tags \[v\*\] to github\.environmentProtection/,
    );
  });

  it("builds both subject forms when the app's ids are configured, and judges the one GitHub issues", () => {
    const explanation = run("risk-engine", { ref: { kind: "branch", name: "main" } });
    assert.deepEqual(
      explanation.tokens.map((t) => [t.form, t.sub, t.decision.admitted]),
      [
        ["name", "repo:acme/risk-engine:ref:refs/heads/main", false],
        ["immutable id", "repo:acme@1234/risk-engine@98765:ref:refs/heads/main", true],
      ],
    );
    assert.equal(explanation.admitted, true);
    assert.match(
      formatExplanation(explanation),
      /^ {2}immutable id form: sub "repo:acme@1234\/risk-engine@98765:ref:refs\/heads\/main": admitted by statement "GitHubActionsExactSubjects", by "repo:acme@1234\/risk-engine@98765:ref:refs\/heads\/main" \(StringEquals\); GitHub issues this form \(the app's ids are configured\)$/m,
    );
  });

  it("matches deployment policy patterns as GitHub does: * stops at /, ** crosses it", () => {
    assert.equal(deploymentPatternMatches("release/*", "release/1.0"), true);
    assert.equal(deploymentPatternMatches("release/*", "release/1.0/hotfix"), false);
    assert.equal(deploymentPatternMatches("release/**", "release/1.0/hotfix"), true);
    assert.equal(deploymentPatternMatches("v*", "v1.2.0"), true);
    assert.equal(deploymentPatternMatches("v?", "v12"), false);
  });

  describe("the command", () => {
    it("prints the explanation and exits 0 when the role admits the run", () => {
      const { code, stdout, stderr } = runCli([
        "explain",
        "payments-api",
        "--stack",
        "dev",
        "--ref",
        "refs/heads/main",
        "--cwd",
        project.root,
      ]);
      assert.equal(stderr, "");
      assert.equal(code, 0);
      assert.equal(
        stdout,
        [
          "App payments-api of stack dev (programs/platform/Pulumi.dev.yaml): push role ecr-push-dev-payments-api",
          "Run:   push of branch main, in acme/payments-api",
          'Token: sub "repo:acme/payments-api:ref:refs/heads/main", aud "sts.amazonaws.com", issuer token.actions.githubusercontent.com',
          "A verifier (the deploy gate, the admission policy: trusted-delivery verify-policy) requires",
          "  provenance signed for acme/payments-api by https://token.actions.githubusercontent.com, built by:",
          "  acme/payments-api/.github/workflows/ci-build-push-dev.yml at refs/heads/main, refs/heads/release/*, refs/tags/v*",
          "  certificate subject ^https://github\\.com/(?:acme/payments-api/\\.github/workflows/ci-build-push-dev\\.yml@refs/heads/main|acme/payments-api/\\.github/workflows/ci-build-push-dev\\.yml@refs/heads/release/.*|acme/payments-api/\\.github/workflows/ci-build-push-dev\\.yml@refs/tags/v.*)$",
          "The role trusts:",
          "  repo:acme/payments-api:ref:refs/heads/main       (StringEquals)",
          "  repo:acme/payments-api:ref:refs/heads/release/*  (StringLike)",
          "  repo:acme/payments-api:ref:refs/tags/v*          (StringLike)",
          "",
          'ADMITTED: sub "repo:acme/payments-api:ref:refs/heads/main" is admitted by statement "GitHubActionsExactSubjects", by "repo:acme/payments-api:ref:refs/heads/main" (StringEquals).',
          "Note: if acme/payments-api uses immutable subject claims (repositories created after 2026-06-18, or opted in), its tokens name it by id (repo:<owner>@<ownerId>/<name>@<repositoryId>:...) and this role refuses them: set github.ownerId and github.repositoryId (gh api repos/acme/payments-api --jq '{ownerId: .owner.id, repositoryId: .id}').",
          "",
        ].join("\n"),
      );
    });

    it("exits 1 when the role refuses the run", () => {
      const { code, stdout } = runCli([
        "explain",
        "payments-api",
        "--stack",
        "dev",
        "--tag",
        "nightly",
        "--cwd",
        project.root,
      ]);
      assert.equal(code, 1);
      assert.match(stdout, /^REFUSED: /m);
    });

    it("refuses bad options, naming each, with exit code 2 and no stack trace", () => {
      const { code, stdout, stderr } = runCli([
        "explain",
        "payments-api",
        "--stack",
        "dev",
        "--ref",
        "refs/pull/1/merge",
        "--repository",
        "acme",
        "--cwd",
        project.root,
      ]);
      assert.equal(code, 2);
      assert.equal(stdout, "");
      assert.equal(
        stderr,
        [
          "error: explain has 2 invalid arguments:",
          '  - --ref is "refs/pull/1/merge"; must be a branch or tag ref, e.g. refs/heads/main or refs/tags/v1.2.0 (a bare name is a branch)',
          '  - --repository is "acme"; must be a GitHub repository, "owner/name"',
          "",
        ].join("\n"),
      );
      const event = runCli([
        "explain",
        "payments-api",
        "--stack",
        "dev",
        "--ref",
        "refs/heads/main",
        "--event",
        "push_request",
        "--cwd",
        project.root,
      ]);
      assert.equal(event.code, 2);
      assert.equal(
        event.stderr,
        'error: explain has an invalid argument:\n  - --event is "push_request"; must be an event that starts GitHub Actions workflows, e.g. push, pull_request, workflow_dispatch; did you mean "pull_request"?\n',
      );
      const none = runCli(["explain", "payments-api", "--stack", "dev", "--cwd", project.root]);
      assert.equal(none.code, 2);
      assert.equal(
        none.stderr,
        "error: explain has an invalid argument:\n  - a push run's token names its ref: give --ref refs/heads/<branch>, --tag <tag> or --environment <environment>\n",
      );
    });
  });
});

describe("explain's verifier identity", () => {
  it("says which workflow identity a verifier requires, derived from the app entry whatever the verdict", () => {
    for (const given of [
      { environment: "dev", ref: { kind: "branch" as const, name: "main" } },
      { ref: { kind: "branch" as const, name: "main" } },
    ]) {
      const explanation = run("ledger-service", given);
      const identity = builderIdentity(explained("ledger-service").app.settings);
      assert.deepEqual(explanation.verifier, identity);
      const text = formatExplanation(explanation);
      // The environment's deployment refs: main and v* (environmentProtection above).
      assert.ok(
        text.includes(
          "  acme/ledger-service/.github/workflows/ci-build-push-dev.yml at refs/heads/main, refs/tags/v*\n",
        ),
        text,
      );
      assert.ok(text.includes(`  certificate subject ${identity.subjectPattern}\n`));
      assert.deepEqual(explanationJson(explanation).verifier, identity);
    }
    const tagged = new RegExp(
      builderIdentity(explained("ledger-service").app.settings).subjectPattern,
    );
    assert.ok(
      tagged.test(
        "https://github.com/acme/ledger-service/.github/workflows/ci-build-push-dev.yml@refs/tags/v3.0.0",
      ),
    );
    assert.ok(
      !tagged.test(
        "https://github.com/acme/ledger-service/.github/workflows/other.yml@refs/heads/main",
      ),
    );
  });
});
