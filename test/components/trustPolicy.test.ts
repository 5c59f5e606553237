import { strict as assert } from "assert";
import { githubSubjects, githubTrustPolicy, GitHubSubjectSpec } from "../../components/trustPolicy";
import { canAssume, githubProviderArn } from "../helpers/iam";

const spec = (overrides: Partial<GitHubSubjectSpec> = {}): GitHubSubjectSpec => ({
  repository: "acme/payments-api",
  branches: ["main"],
  tags: [],
  environments: [],
  ...overrides,
});

const policyFor = (overrides: Partial<GitHubSubjectSpec> = {}) =>
  githubTrustPolicy(githubProviderArn, githubSubjects(spec(overrides)));

describe("trust policy subjects", () => {
  it("are one per branch, tag and environment, in that order", () => {
    assert.deepEqual(
      githubSubjects(
        spec({ branches: ["main", "release/*"], tags: ["v*"], environments: ["production"] }),
      ),
      [
        "repo:acme/payments-api:ref:refs/heads/main",
        "repo:acme/payments-api:ref:refs/heads/release/*",
        "repo:acme/payments-api:ref:refs/tags/v*",
        "repo:acme/payments-api:environment:production",
      ],
    );
  });

  it("use GitHub's immutable form repo:<owner>@<id>/<name>@<id> when both ids are given", () => {
    assert.deepEqual(githubSubjects(spec({ ownerId: 1234, repositoryId: 98765 })), [
      "repo:acme@1234/payments-api@98765:ref:refs/heads/main",
    ]);
  });
});

describe("trust policy", () => {
  const main = "repo:acme/payments-api:ref:refs/heads/main";

  it("admits the configured branch of the configured repository", () => {
    assert.equal(canAssume(policyFor(), { sub: main }), true);
  });

  it("refuses other branches of the same repository", () => {
    assert.equal(
      canAssume(policyFor(), { sub: "repo:acme/payments-api:ref:refs/heads/dev" }),
      false,
    );
    assert.equal(
      canAssume(policyFor(), { sub: "repo:acme/payments-api:ref:refs/heads/main-old" }),
      false,
    );
  });

  it("refuses other repositories of the same owner", () => {
    assert.equal(canAssume(policyFor(), { sub: "repo:acme/ledger:ref:refs/heads/main" }), false);
    assert.equal(
      canAssume(policyFor(), { sub: "repo:acme/payments-api-fork:ref:refs/heads/main" }),
      false,
    );
  });

  it("refuses another owner's repository with the same name", () => {
    assert.equal(
      canAssume(policyFor(), { sub: "repo:mallory/payments-api:ref:refs/heads/main" }),
      false,
    );
  });

  it("refuses pull requests, including those from forks", () => {
    assert.equal(canAssume(policyFor(), { sub: "repo:acme/payments-api:pull_request" }), false);
    assert.equal(
      canAssume(policyFor({ branches: ["release/*"] }), {
        sub: "repo:acme/payments-api:pull_request",
      }),
      false,
    );
  });

  it("refuses case variants of the owner, repository and branch", () => {
    for (const sub of [
      "repo:ACME/payments-api:ref:refs/heads/main",
      "repo:acme/Payments-API:ref:refs/heads/main",
      "repo:acme/payments-api:ref:refs/heads/MAIN",
    ]) {
      assert.equal(canAssume(policyFor(), { sub }), false, sub);
    }
  });

  it("refuses a token for another audience", () => {
    assert.equal(canAssume(policyFor(), { sub: main, aud: "https://github.com/acme" }), false);
  });

  it("refuses tokens from any other identity provider", () => {
    const gitlab = "arn:aws:iam::123456789012:oidc-provider/gitlab.com";
    assert.equal(canAssume(policyFor(), { sub: main, provider: gitlab }), false);
  });

  it("admits only sts:AssumeRoleWithWebIdentity", () => {
    assert.equal(canAssume(policyFor(), { sub: main, action: "sts:AssumeRole" }), false);
    assert.equal(canAssume(policyFor(), { sub: main, action: "sts:TagSession" }), false);
  });

  it("admits branches matching a pattern the user wrote, and no others", () => {
    const policy = policyFor({ branches: ["release/*"] });
    assert.equal(
      canAssume(policy, { sub: "repo:acme/payments-api:ref:refs/heads/release/1.4" }),
      true,
    );
    assert.equal(
      canAssume(policy, { sub: "repo:acme/payments-api:ref:refs/heads/releases/1.4" }),
      false,
    );
    assert.equal(canAssume(policy, { sub: "repo:acme/payments-api:ref:refs/heads/main" }), false);
    assert.equal(canAssume(policy, { sub: "repo:acme/other:ref:refs/heads/release/1.4" }), false);
  });

  it("admits exact and pattern subjects together", () => {
    const policy = policyFor({ branches: ["main", "release/*"] });
    assert.equal(canAssume(policy, { sub: main }), true);
    assert.equal(
      canAssume(policy, { sub: "repo:acme/payments-api:ref:refs/heads/release/2" }),
      true,
    );
    assert.equal(canAssume(policy, { sub: "repo:acme/payments-api:ref:refs/heads/dev" }), false);
  });

  it("admits tags only as tags, not as branches of the same name", () => {
    const policy = policyFor({ branches: [], tags: ["v*"] });
    assert.equal(canAssume(policy, { sub: "repo:acme/payments-api:ref:refs/tags/v1.2.3" }), true);
    assert.equal(canAssume(policy, { sub: "repo:acme/payments-api:ref:refs/heads/v1.2.3" }), false);
  });

  it("admits deployment environments by exact name", () => {
    const policy = policyFor({ branches: [], environments: ["production"] });
    assert.equal(canAssume(policy, { sub: "repo:acme/payments-api:environment:production" }), true);
    assert.equal(
      canAssume(policy, { sub: "repo:acme/payments-api:environment:production-eu" }),
      false,
    );
    assert.equal(canAssume(policy, { sub: "repo:acme/payments-api:ref:refs/heads/main" }), false);
  });

  it("with immutable ids, refuses the name-only subject a recycled name would get", () => {
    const policy = policyFor({ ownerId: 1234, repositoryId: 98765 });
    assert.equal(
      canAssume(policy, { sub: "repo:acme@1234/payments-api@98765:ref:refs/heads/main" }),
      true,
    );
    assert.equal(canAssume(policy, { sub: main }), false);
    assert.equal(
      canAssume(policy, { sub: "repo:acme@9999/payments-api@98765:ref:refs/heads/main" }),
      false,
    );
  });

  it("matches exact subjects with StringEquals and only patterns with StringLike", () => {
    const policy = policyFor({ branches: ["main", "release/*"] });
    assert.deepEqual(
      policy.Statement.map((s) => s.Condition),
      [
        {
          StringEquals: {
            "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
            "token.actions.githubusercontent.com:sub": [
              "repo:acme/payments-api:ref:refs/heads/main",
            ],
          },
        },
        {
          StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" },
          StringLike: {
            "token.actions.githubusercontent.com:sub": [
              "repo:acme/payments-api:ref:refs/heads/release/*",
            ],
          },
        },
      ],
    );
  });

  it("trusts only the given provider, as a federated principal", () => {
    for (const statement of policyFor({ branches: ["main", "release/*"] }).Statement) {
      assert.deepEqual(statement.Principal, { Federated: githubProviderArn });
      assert.equal(statement.Action, "sts:AssumeRoleWithWebIdentity");
      assert.equal(statement.Effect, "Allow");
    }
  });

  it("keys its conditions on the provider's issuer, for GitHub Enterprise issuer paths too", () => {
    const enterprise =
      "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com/acme-corp";
    const policy = githubTrustPolicy(enterprise, githubSubjects(spec()));
    assert.deepEqual(Object.keys(policy.Statement[0].Condition!.StringEquals), [
      "token.actions.githubusercontent.com/acme-corp:aud",
      "token.actions.githubusercontent.com/acme-corp:sub",
    ]);
    assert.equal(canAssume(policy, { sub: main, provider: enterprise }), true);
    assert.equal(canAssume(policy, { sub: main }), false);
  });
});
