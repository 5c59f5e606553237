import { strict as assert } from "assert";
import { accountId, canAssume, githubProviderArn, isAllowed } from "./iam";

// The meaning tests trust this evaluator; these cases pin that it decides as IAM documents.
describe("the IAM evaluator used by the meaning tests", () => {
  const trust = (condition: object) => ({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Federated: githubProviderArn },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: condition,
      },
    ],
  });
  const main = "repo:acme/app:ref:refs/heads/main";

  it("admits a token whose sub is listed under StringEquals", () => {
    const policy = trust({ StringEquals: { "token.actions.githubusercontent.com:sub": [main] } });
    assert.equal(canAssume(policy, { sub: main }), true);
  });

  it("refuses a StringEquals subject with a different branch, as IAM does", () => {
    const policy = trust({ StringEquals: { "token.actions.githubusercontent.com:sub": [main] } });
    assert.equal(canAssume(policy, { sub: "repo:acme/app:ref:refs/heads/dev" }), false);
  });

  it("compares StringEquals values case-sensitively, as IAM does", () => {
    const policy = trust({ StringEquals: { "token.actions.githubusercontent.com:sub": [main] } });
    assert.equal(canAssume(policy, { sub: "repo:ACME/app:ref:refs/heads/main" }), false);
  });

  it("treats * under StringEquals as a literal character, as IAM does", () => {
    const policy = trust({
      StringEquals: { "token.actions.githubusercontent.com:sub": ["repo:acme/app:*"] },
    });
    assert.equal(canAssume(policy, { sub: main }), false);
  });

  it("expands * under StringLike, as IAM does", () => {
    const policy = trust({
      StringLike: { "token.actions.githubusercontent.com:sub": ["repo:acme/*"] },
    });
    assert.equal(canAssume(policy, { sub: "repo:acme/other:pull_request" }), true);
  });

  it("requires every condition operator of a statement to hold, as IAM does", () => {
    const policy = trust({
      StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" },
      StringLike: { "token.actions.githubusercontent.com:sub": ["repo:acme/app:*"] },
    });
    assert.equal(canAssume(policy, { sub: main }), true);
    assert.equal(canAssume(policy, { sub: main, aud: "https://github.com/acme" }), false);
  });

  it("refuses a token from another OIDC provider than the trusted principal", () => {
    const policy = trust({ StringEquals: { "token.actions.githubusercontent.com:sub": [main] } });
    const other = `arn:aws:iam::${accountId}:oidc-provider/gitlab.com`;
    assert.equal(canAssume(policy, { sub: main, provider: other }), false);
  });

  it("refuses an action the trust policy does not name", () => {
    const policy = trust({ StringEquals: { "token.actions.githubusercontent.com:sub": [main] } });
    assert.equal(canAssume(policy, { sub: main, action: "sts:AssumeRole" }), false);
  });

  it("allows an identity policy's action only on the resources it names", async () => {
    const policy = {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Action: "ecr:PutImage",
          Resource: `arn:aws:ecr:eu-west-2:${accountId}:repository/app`,
        },
      ],
    };
    assert.equal(
      await isAllowed(policy, "ecr:PutImage", `arn:aws:ecr:eu-west-2:${accountId}:repository/app`),
      true,
    );
    assert.equal(
      await isAllowed(
        policy,
        "ecr:PutImage",
        `arn:aws:ecr:eu-west-2:${accountId}:repository/other`,
      ),
      false,
    );
    assert.equal(
      await isAllowed(
        policy,
        "ecr:BatchDeleteImage",
        `arn:aws:ecr:eu-west-2:${accountId}:repository/app`,
      ),
      false,
    );
  });
});
