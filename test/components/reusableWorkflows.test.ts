import { strict as assert } from "assert";
import { TrustedDeliveryPipeline, TrustedDeliveryPipelineArgs } from "../../components";
import { validateTrustedDeliveryPipelineArgs } from "../../components/validation";
import { awsTypes } from "../../policy-pack/governance/typeTokens";
import { canAssume, githubProviderArn } from "../helpers/iam";
import { minimalPipelineArgs } from "../helpers/pipelineArgs";
import { runProgram, single } from "../helpers/offline";

const issuer = "token.actions.githubusercontent.com";
const TEMPLATE =
  "github:index/actionsRepositoryOidcSubjectClaimCustomizationTemplate:ActionsRepositoryOidcSubjectClaimCustomizationTemplate";
const main = "repo:acme/payments-api:ref:refs/heads/main";
const buildPush = {
  repository: "acme/platform-workflows",
  path: ".github/workflows/build-push.yml",
  ref: "refs/tags/v1",
};
const sha = "0123456789abcdef0123456789abcdef01234567";

async function pipelineWith(github: Partial<TrustedDeliveryPipelineArgs["github"]>) {
  const run = await runProgram(
    () =>
      new TrustedDeliveryPipeline("payments-api", {
        ...minimalPipelineArgs,
        oidcProviderArn: githubProviderArn,
        github: { ...minimalPipelineArgs.github, ...github },
      }),
  );
  return { run, policy: JSON.parse(single(run, awsTypes.iamRole).inputs.assumeRolePolicy) };
}

/** The problems' messages for these GitHub settings. */
function problemsWith(github: Record<string, unknown>): string[] {
  return validateTrustedDeliveryPipelineArgs("payments-api", {
    ...minimalPipelineArgs,
    github: { repository: "acme/payments-api", ...github },
  }).map((p) => p.message);
}

describe("reusable workflows (github.workflows)", () => {
  it("admit only jobs running one of the named workflows at its ref, matched with StringEquals", async () => {
    const { policy } = await pipelineWith({
      workflows: [buildPush, { ...buildPush, path: ".github/workflows/release.yaml", ref: sha }],
    });
    assert.deepEqual(policy.Statement, [
      {
        Sid: "GitHubActionsExactSubjects",
        Effect: "Allow",
        Principal: { Federated: githubProviderArn },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: {
            [`${issuer}:aud`]: "sts.amazonaws.com",
            [`${issuer}:sub`]: [main],
            [`${issuer}:job_workflow_ref`]: [
              "acme/platform-workflows/.github/workflows/build-push.yml@refs/tags/v1",
              `acme/platform-workflows/.github/workflows/release.yaml@${sha}`,
            ],
          },
        },
      },
    ]);
    const running = (ref: string) => ({ sub: main, claims: { job_workflow_ref: ref } });
    assert.equal(
      canAssume(
        policy,
        running("acme/platform-workflows/.github/workflows/build-push.yml@refs/tags/v1"),
      ),
      true,
    );
    assert.equal(
      canAssume(
        policy,
        running("acme/platform-workflows/.github/workflows/build-push.yml@refs/heads/main"),
      ),
      false,
    );
    assert.equal(
      canAssume(policy, running("acme/payments-api/.github/workflows/build-push.yml@refs/tags/v1")),
      false,
    );
    assert.equal(canAssume(policy, { sub: main }), false);
  });

  it("are all matched with StringLike when a ref is a pattern, in every statement", async () => {
    const patterns = {
      ...buildPush,
      ref: "refs/tags/v1.*",
    };
    const { policy } = await pipelineWith({
      branches: ["main", "release/*"],
      workflows: [buildPush, patterns],
    });
    const refs = [
      "acme/platform-workflows/.github/workflows/build-push.yml@refs/tags/v1",
      "acme/platform-workflows/.github/workflows/build-push.yml@refs/tags/v1.*",
    ];
    assert.deepEqual(
      policy.Statement.map((s: { Condition: unknown }) => s.Condition),
      [
        {
          StringEquals: { [`${issuer}:aud`]: "sts.amazonaws.com", [`${issuer}:sub`]: [main] },
          StringLike: { [`${issuer}:job_workflow_ref`]: refs },
        },
        {
          StringEquals: { [`${issuer}:aud`]: "sts.amazonaws.com" },
          StringLike: {
            [`${issuer}:sub`]: ["repo:acme/payments-api:ref:refs/heads/release/*"],
            [`${issuer}:job_workflow_ref`]: refs,
          },
        },
      ],
    );
    const at = (ref: string) => ({
      sub: "repo:acme/payments-api:ref:refs/heads/release/2",
      claims: {
        job_workflow_ref: `acme/platform-workflows/.github/workflows/build-push.yml@${ref}`,
      },
    });
    assert.equal(canAssume(policy, at("refs/tags/v1.4")), true);
    assert.equal(canAssume(policy, at("refs/tags/v1")), true);
    assert.equal(canAssume(policy, at("refs/tags/v2.0")), false);
  });

  it("are listed once each, however often given", async () => {
    const { policy } = await pipelineWith({ workflows: [buildPush, { ...buildPush }] });
    assert.deepEqual(policy.Statement[0].Condition.StringEquals[`${issuer}:job_workflow_ref`], [
      "acme/platform-workflows/.github/workflows/build-push.yml@refs/tags/v1",
    ]);
  });

  it("make the pipeline manage the repository's OIDC subject claim template at GitHub's default, by name too", async () => {
    const { run } = await pipelineWith({ workflows: [buildPush] });
    assert.deepEqual(single(run, TEMPLATE).inputs, {
      repository: "payments-api",
      useDefault: true,
    });
  });

  it("refuse an empty list, which would admit no job", () => {
    assert.deepEqual(problemsWith({ workflows: [] }), [
      "github.workflows is []; must name at least one reusable workflow: an empty list admits no job, so nothing could push; leave github.workflows out to admit any workflow of the trusted runs",
    ]);
  });

  it("refuse what is not a list of workflow objects with repository, path and ref", () => {
    assert.deepEqual(
      problemsWith({ workflows: "acme/x/.github/workflows/a.yml@refs/heads/main" }),
      [
        'github.workflows is "acme/x/.github/workflows/a.yml@refs/heads/main"; must be a list of reusable workflows, each { repository: "owner/name", path: ".github/workflows/<file>.yml", ref: "refs/heads/main" }',
      ],
    );
    assert.deepEqual(problemsWith({ workflows: ["a.yml", { ...buildPush, branch: "main" }] }), [
      'github.workflows[0] is "a.yml"; must be an object with repository, path, ref',
      "github.workflows[1].branch is not a setting; allowed: repository, path, ref",
    ]);
  });

  it("refuse a repository that is not one owner/name", () => {
    assert.deepEqual(problemsWith({ workflows: [{ ...buildPush, repository: "acme/*" }] }), [
      'github.workflows[0].repository is "acme/*"; must be the repository holding the workflow, as "owner/name" (no wildcards), e.g. "acme/platform-workflows"',
    ]);
    assert.deepEqual(problemsWith({ workflows: [{ path: buildPush.path, ref: buildPush.ref }] }), [
      'github.workflows[0].repository is missing; must be the repository holding the workflow, as "owner/name" (no wildcards), e.g. "acme/platform-workflows"',
    ]);
  });

  it("refuse a path GitHub would not run a reusable workflow from", () => {
    const allowed =
      'must be a workflow file directly in .github/workflows/ (GitHub runs reusable workflows from there only, not from a directory below it), a name of letters, digits and . _ - ending .yml or .yaml, e.g. ".github/workflows/build-push.yml"';
    for (const path of [
      "workflows/build-push.yml",
      ".github/workflows/ci/build-push.yml",
      ".github/workflows/build-push.json",
      ".github/workflows/build-*.yml",
      ".github/workflows/.yml",
    ]) {
      assert.deepEqual(problemsWith({ workflows: [{ ...buildPush, path }] }), [
        `github.workflows[0].path is ${JSON.stringify(path)}; ${allowed}`,
      ]);
    }
  });

  it("refuse a ref that no job_workflow_ref carries: a bare branch or tag name, another kind of ref", () => {
    const allowed =
      'must be the ref the workflow is called at, as GitHub writes it in job_workflow_ref: "refs/heads/<branch>", "refs/tags/<tag>" (either may hold * patterns) or a full 40-digit lower-case commit SHA; anything else matches no job, e.g. "refs/heads/main", "refs/tags/v1" or "refs/tags/v1.*"';
    for (const ref of ["main", "v1", "refs/pull/1/merge", "heads/main"]) {
      assert.deepEqual(problemsWith({ workflows: [{ ...buildPush, ref }] }), [
        `github.workflows[0].ref is ${JSON.stringify(ref)}; ${allowed}`,
      ]);
    }
    assert.deepEqual(problemsWith({ workflows: [{ ...buildPush, ref: 1 }] }), [
      `github.workflows[0].ref is 1; ${allowed}`,
    ]);
  });

  it("refuse a short, upper-case or pattern commit SHA, which matches no job", () => {
    for (const ref of ["0123456", sha.toUpperCase(), "0123456789abcdef*"]) {
      assert.deepEqual(problemsWith({ workflows: [{ ...buildPush, ref }] }), [
        `github.workflows[0].ref is ${JSON.stringify(ref)}; must be a full 40-digit lower-case commit SHA, without patterns: GitHub writes the SHA the workflow is called at in full, so a short, upper-case or pattern SHA matches no job`,
      ]);
    }
  });

  it("refuse a ref whose branch or tag name git refuses, or a pattern admitting every branch", () => {
    assert.deepEqual(
      problemsWith({
        workflows: [
          { ...buildPush, ref: "refs/heads/*" },
          { ...buildPush, ref: "refs/tags/v1..2" },
        ],
      }),
      [
        'github.workflows[0].ref is "refs/heads/*"; must be a branch name or a pattern with at least one literal character: "*" would admit every branch',
        'github.workflows[1].ref is "refs/tags/v1..2"; must be a git tag name (see git check-ref-format)',
      ],
    );
  });
});
