import { strict as assert } from "assert";
import { iamGithubOidcTrustScoped } from "../../policy-pack/policies/iam/iamGithubOidcTrustScoped";
import { readFixture } from "../helpers/fixtures";
import { runResourcePolicy, unknown, UnknownValueError } from "../helpers/policyHarness";

const provider = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";
const aud = { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" };
const statement = (condition: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  Sid: "GitHub",
  Effect: "Allow",
  Principal: { Federated: provider },
  Action: "sts:AssumeRoleWithWebIdentity",
  Condition: condition,
  ...extra,
});
const trust = (...statements: unknown[]) => ({ Version: "2012-10-17", Statement: statements });
const run = (assumeRolePolicy: unknown, type = "aws:iam/role:Role") =>
  runResourcePolicy(iamGithubOidcTrustScoped, {
    type,
    props:
      type === "aws:iam/role:Role"
        ? { assumeRolePolicy }
        : { assumeRolePolicyDocument: assumeRolePolicy },
  });
const violation = (label: string, problem: string) =>
  `GitHub OIDC trust must be scoped to one repository, with aud "sts.amazonaws.com": ${label} ${problem}; list exact subjects such as "repo:<owner>/<name>:ref:refs/heads/main"`;
const sub = (...values: string[]) => ({ "token.actions.githubusercontent.com:sub": values });

describe("iam-github-oidc-trust-scoped", () => {
  it("Compliance 1: exact subjects of one repository, aud pinned, as JSON text", () => {
    const policy = trust(
      statement({ StringEquals: { ...aud, ...sub("repo:acme/app:ref:refs/heads/main") } }),
    );
    assert.deepEqual(run(JSON.stringify(policy)), []);
  });

  it("Compliance 2: a branch pattern of one repository under StringLike", () => {
    assert.deepEqual(
      run(
        trust(
          statement({
            StringEquals: aud,
            StringLike: sub("repo:acme/app:ref:refs/heads/release/*"),
          }),
        ),
      ),
      [],
    );
  });

  it("Compliance 3: GitHub's immutable subject form", () => {
    assert.deepEqual(
      run(
        trust(
          statement({
            StringEquals: { ...aud, ...sub("repo:acme@1234/app@98765:environment:production") },
          }),
        ),
      ),
      [],
    );
  });

  it("Compliance 4: operators and keys in other letter cases, with a ForAnyValue: qualifier", () => {
    const policy = trust(
      statement({
        stringequals: { "Token.Actions.GitHubUserContent.com:AUD": "sts.amazonaws.com" },
        "ForAnyValue:StringLike": {
          "TOKEN.ACTIONS.GITHUBUSERCONTENT.COM:sub": ["repo:acme/app:ref:refs/tags/v*"],
        },
      }),
    );
    assert.deepEqual(run(policy), []);
  });

  it("Compliance 5: an aws-native role, and a role that does not trust GitHub", () => {
    assert.deepEqual(
      run(
        trust(statement({ StringEquals: { ...aud, ...sub("repo:acme/app:ref:refs/heads/main") } })),
        "aws-native:iam:Role",
      ),
      [],
    );
    assert.deepEqual(
      run(
        trust({
          Effect: "Allow",
          Principal: { Service: "lambda.amazonaws.com" },
          Action: "sts:AssumeRole",
        }),
      ),
      [],
    );
  });

  it("Noncompliance 1: the hand-made trust policy, which admits every repository of the owner", () => {
    assert.deepEqual(run(readFixture("hand-made-iam/github-actions-oidc-trust.json")), [
      violation(
        'statement "GitHubOIDCTrust"',
        'allows sub "repo:mikeybeezy/*:*", which matches every repository of owner "mikeybeezy"',
      ),
    ]);
  });

  it("Noncompliance 2: no sub condition at all", () => {
    assert.deepEqual(run(trust(statement({ StringEquals: aud }))), [
      violation(
        'statement "GitHub"',
        "has no sub condition, so every repository on GitHub can assume the role",
      ),
    ]);
  });

  it("Noncompliance 3: a bare * and repo:*", () => {
    assert.deepEqual(run(trust(statement({ StringEquals: aud, StringLike: sub("*", "repo:*") }))), [
      violation(
        'statement "GitHub"',
        'allows sub "*", which does not start with "repo:", so it does not name a repository',
      ),
      violation(
        'statement "GitHub"',
        'allows sub "repo:*", which matches every repository on GitHub',
      ),
    ]);
  });

  it("Noncompliance 4: one bad value hidden among good ones", () => {
    const policy = trust(
      statement({
        StringEquals: aud,
        StringLike: sub(
          "repo:acme/app:ref:refs/heads/main",
          "repo:acme/*:ref:refs/heads/main",
          "repo:acme/lib:environment:prod",
        ),
      }),
    );
    assert.deepEqual(run(policy), [
      violation(
        'statement "GitHub"',
        'allows sub "repo:acme/*:ref:refs/heads/main", which matches every repository of owner "acme"',
      ),
    ]);
  });

  it("Noncompliance 5: a wildcard inside the repository part", () => {
    assert.deepEqual(
      run(
        trust(
          statement({ StringEquals: aud, StringLike: sub("repo:acme/app-*:ref:refs/heads/main") }),
        ),
      ),
      [
        violation(
          'statement "GitHub"',
          'allows sub "repo:acme/app-*:ref:refs/heads/main", which has a wildcard in its repository part "acme/app-*"',
        ),
      ],
    );
  });

  it("Noncompliance 6: a claim that is not repo:", () => {
    assert.deepEqual(
      run(trust(statement({ StringEquals: { ...aud, ...sub("repository_owner:acme") } }))),
      [
        violation(
          'statement "GitHub"',
          'allows sub "repository_owner:acme", which does not start with "repo:", so it does not name a repository',
        ),
      ],
    );
  });

  it("Noncompliance 7: aud not pinned, or pinned to something else too", () => {
    const scoped = sub("repo:acme/app:ref:refs/heads/main");
    assert.deepEqual(run(trust(statement({ StringEquals: scoped }))), [
      violation('statement "GitHub"', 'does not pin aud to "sts.amazonaws.com"'),
    ]);
    const twoAudiences = {
      "token.actions.githubusercontent.com:aud": ["sts.amazonaws.com", "https://github.com/acme"],
    };
    assert.deepEqual(run(trust(statement({ StringEquals: { ...twoAudiences, ...scoped } }))), [
      violation(
        'statement "GitHub"',
        'pins aud to ["sts.amazonaws.com","https://github.com/acme"] instead of only "sts.amazonaws.com"',
      ),
    ]);
  });

  it("Noncompliance 8: every statement is checked, not only the first", () => {
    const good = statement({
      StringEquals: { ...aud, ...sub("repo:acme/app:ref:refs/heads/main") },
    });
    const { Sid: _sid, ...bad } = statement({ StringEquals: aud, StringLike: sub("repo:acme/*") });
    assert.deepEqual(run(trust(good, bad)), [
      violation(
        "statement 2",
        'allows sub "repo:acme/*", which matches every repository of owner "acme"',
      ),
    ]);
  });

  it("Noncompliance 9: a federated principal list and a GitHub Enterprise issuer path", () => {
    const enterprise =
      "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com/acme-corp";
    const policy = trust(
      statement(
        {
          StringEquals: {
            "token.actions.githubusercontent.com/acme-corp:aud": "sts.amazonaws.com",
          },
        },
        {
          Principal: {
            Federated: ["arn:aws:iam::123456789012:oidc-provider/gitlab.com", enterprise],
          },
        },
      ),
    );
    assert.deepEqual(run(policy), [
      violation(
        'statement "GitHub"',
        "has no sub condition, so every repository on GitHub can assume the role",
      ),
    ]);
  });

  it("Noncompliance 10: StringNotLike does not scope anything", () => {
    assert.deepEqual(
      run(trust(statement({ StringEquals: aud, StringNotLike: sub("repo:evil/*") }))),
      [
        violation(
          'statement "GitHub"',
          "has no sub condition, so every repository on GitHub can assume the role",
        ),
      ],
    );
  });

  it("Noncompliance 11: Principal * with GitHub's claims", () => {
    const policy = trust(
      statement({ StringEquals: aud, StringLike: sub("repo:*") }, { Principal: "*" }),
    );
    assert.deepEqual(run(policy), [
      violation(
        'statement "GitHub"',
        'allows sub "repo:*", which matches every repository on GitHub',
      ),
    ]);
  });

  it("Noncompliance 12: a trust policy that is not JSON", () => {
    assert.deepEqual(run("{"), [
      "IAM role trust policy is not valid JSON: give a valid policy document",
    ]);
  });

  it("cannot run while the trust policy, or a value in it, is unknown during preview", () => {
    assert.throws(() => run(unknown), UnknownValueError);
    assert.throws(
      () =>
        run(
          trust(statement({ StringEquals: aud }, { Principal: { Federated: unknown } })),
          "aws-native:iam:Role",
        ),
      UnknownValueError,
    );
  });
});
