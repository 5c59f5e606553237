import { strict as assert } from "assert";
import { iamGithubOidcTrustWholeRepository } from "../../policy-pack/policies/iam/iamGithubOidcTrustWholeRepository";
import { runResourcePolicy } from "../helpers/policyHarness";

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
    type: "aws:iam/role:Role",
    props: { assumeRolePolicy: policy },
  });

describe("iam-github-oidc-trust-whole-repository", () => {
  it("Compliance 1: named branches, tags and environments", () => {
    assert.deepEqual(
      run(trust("repo:acme/app:ref:refs/heads/main", "repo:acme/app:environment:prod")),
      [],
    );
  });

  it("Compliance 2: owner-wide trust is the mandatory policy's to report, not this one's", () => {
    assert.deepEqual(run(trust("repo:acme/*")), []);
  });

  it("Noncompliance 1: every workflow run of a repository", () => {
    assert.deepEqual(run(trust("repo:acme/app:ref:refs/heads/main", "repo:acme/app:*")), [
      'GitHub OIDC trust should name the refs or environments that may assume the role: statement 1 allows sub "repo:acme/app:*", which admits every workflow run of the repository, pull requests included; list branches, tags or environments instead of ":*"',
    ]);
  });
});
