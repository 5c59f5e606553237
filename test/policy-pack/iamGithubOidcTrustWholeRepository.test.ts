import { strict as assert } from "assert";
import { iamGithubOidcTrustWholeRepository } from "../../policy-pack/policies/iam/iamGithubOidcTrustWholeRepository";
import { runResourcePolicy } from "../helpers/policyHarness";
import { awsTypes } from "../../policy-pack/governance/typeTokens";

const trust = (...subjects: string[]) => ({
  Statement: [
    {
      Effect: "Allow",
      Principal: {
        Federated: "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com",
      },
      Action: "sts:AssumeRoleWithWebIdentity",
      Condition: {
        StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" },
        StringLike: { "token.actions.githubusercontent.com:sub": subjects },
      },
    },
  ],
});
const run = (policy: unknown) =>
  runResourcePolicy(iamGithubOidcTrustWholeRepository, {
    type: awsTypes.iamRole,
    props: { assumeRolePolicy: policy },
  });
const advice = (problem: string) =>
  `GitHub OIDC trust should name the refs or environments that may assume the role: statement 1 ${problem}; list the branches, tags or environments that may push instead of a wildcard`;

describe("iam-github-oidc-trust-whole-repository", () => {
  it("Compliance 1: named branches, tags and environments, and patterns with a literal part", () => {
    assert.deepEqual(
      run(
        trust(
          "repo:acme/app:ref:refs/heads/main",
          "repo:acme/app:ref:refs/heads/release/*",
          "repo:acme/app:ref:refs/tags/v*",
          "repo:acme/app:environment:prod",
        ),
      ),
      [],
    );
  });

  it("Compliance 2: owner-wide trust is the mandatory policy's to report, not this one's", () => {
    assert.deepEqual(run(trust("repo:acme/*")), []);
  });

  it("Noncompliance 1: every workflow run of a repository", () => {
    assert.deepEqual(run(trust("repo:acme/app:ref:refs/heads/main", "repo:acme/app:*")), [
      advice(
        'admits every branch of acme/app, e.g. sub "repo:acme/app:ref:refs/heads/any-other-branch"',
      ),
      advice('admits every tag of acme/app, e.g. sub "repo:acme/app:ref:refs/tags/any-other-tag"'),
      advice(
        'admits every deployment environment (a workflow that names a missing one creates it, unprotected) of acme/app, e.g. sub "repo:acme/app:environment:any-other-environment"',
      ),
    ]);
  });

  it("Noncompliance 2 (class 4): environment:* admits every environment, which a workflow can create unprotected", () => {
    assert.deepEqual(run(trust("repo:acme/app:environment:*")), [
      advice(
        'admits every deployment environment (a workflow that names a missing one creates it, unprotected) of acme/app, e.g. sub "repo:acme/app:environment:any-other-environment"',
      ),
    ]);
  });

  it("Noncompliance 3 (class 4): ref:* admits every branch and every tag", () => {
    assert.deepEqual(run(trust("repo:acme/app:ref:*")), [
      advice(
        'admits every branch of acme/app, e.g. sub "repo:acme/app:ref:refs/heads/any-other-branch"',
      ),
      advice('admits every tag of acme/app, e.g. sub "repo:acme/app:ref:refs/tags/any-other-tag"'),
    ]);
  });
});
