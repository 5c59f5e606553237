import { strict as assert } from "assert";
import { iamGithubOidcTrustScoped } from "../../policy-pack/policies/iam/iamGithubOidcTrustScoped";
import { readFixture } from "../helpers/fixtures";
import { runResourcePolicy, unknown, UnknownValueError } from "../helpers/policyHarness";
import {
  awsNativeTypes,
  awsTypes,
  cloudControlResourceType,
} from "../../policy-pack/governance/typeTokens";

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
const run = (assumeRolePolicy: unknown, type: string = awsTypes.iamRole) =>
  runResourcePolicy(iamGithubOidcTrustScoped, {
    type,
    props:
      type === awsTypes.iamRole
        ? { assumeRolePolicy }
        : type === awsNativeTypes.iamRole
          ? { assumeRolePolicyDocument: assumeRolePolicy }
          : {
              typeName: "AWS::IAM::Role",
              desiredState: JSON.stringify({ AssumeRolePolicyDocument: assumeRolePolicy }),
            },
  });
const violation = (label: string, problem: string) =>
  `GitHub OIDC trust must admit one repository's workflow runs only, with aud "sts.amazonaws.com": ${label} ${problem}; list exact subjects such as "repo:<owner>/<name>:ref:refs/heads/main"`;
const sub = (...values: string[]) => ({ "token.actions.githubusercontent.com:sub": values });
const everyRepository = "has no sub condition, so every repository on GitHub can assume the role";

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
            StringEquals: { ...aud, ...sub("repo:acme@1234/app@98765:environment:prod") },
          }),
        ),
      ),
      [],
    );
  });

  it("Compliance 4: keys in other letter cases, with a ForAnyValue: qualifier", () => {
    const policy = trust(
      statement({
        StringEquals: { "Token.Actions.GitHubUserContent.com:AUD": "sts.amazonaws.com" },
        "ForAnyValue:StringLike": {
          "TOKEN.ACTIONS.GITHUBUSERCONTENT.COM:sub": ["repo:acme/app:ref:refs/tags/v*"],
        },
      }),
    );
    assert.deepEqual(run(policy), []);
  });

  it("Compliance 5: aws-native and Cloud Control roles, and a role that does not trust GitHub", () => {
    const scoped = trust(
      statement({ StringEquals: { ...aud, ...sub("repo:acme/app:ref:refs/heads/main") } }),
    );
    assert.deepEqual(run(scoped, awsNativeTypes.iamRole), []);
    assert.deepEqual(run(scoped, cloudControlResourceType), []);
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

  it("Compliance 6: a wildcard principal held to one repository by conditions on github.com's own keys", () => {
    assert.deepEqual(
      run(
        trust(
          statement(
            { StringEquals: { ...aud, ...sub("repo:acme/app:ref:refs/heads/main") } },
            { Principal: { AWS: "*" } },
          ),
        ),
      ),
      [],
    );
  });

  it("Compliance 7: a Deny that narrows a broad Allow to one repository's main branch", () => {
    const policy = trust(statement({ StringEquals: aud, StringLike: sub("repo:acme/*") }), {
      Effect: "Deny",
      Principal: "*",
      Action: "sts:AssumeRoleWithWebIdentity",
      Condition: { StringNotEquals: sub("repo:acme/app:ref:refs/heads/main") },
    });
    assert.deepEqual(run(policy), []);
  });

  it("Noncompliance 1: the hand-made trust policy, which admits every repository of the owner", () => {
    assert.deepEqual(run(readFixture("hand-made-iam/github-actions-oidc-trust.json")), [
      violation(
        'statement "GitHubOIDCTrust"',
        'admits more than one repository of mikeybeezy, e.g. sub "repo:mikeybeezy/app:ref:refs/heads/main" and sub "repo:mikeybeezy/app-fork:ref:refs/heads/main"',
      ),
    ]);
  });

  it("Noncompliance 2: no sub condition at all", () => {
    assert.deepEqual(run(trust(statement({ StringEquals: aud }))), [
      violation('statement "GitHub"', everyRepository),
    ]);
  });

  it("Noncompliance 3: a bare * and repo:*", () => {
    assert.deepEqual(run(trust(statement({ StringEquals: aud, StringLike: sub("*", "repo:*") }))), [
      violation(
        'statement "GitHub"',
        'admits repositories of more than one owner, e.g. sub "repo:octo-org/octo-repo:ref:refs/heads/main" and sub "repo:mallory/octo-repo:ref:refs/heads/main"',
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
        'admits more than one repository of acme, e.g. sub "repo:acme/app:ref:refs/heads/main" and sub "repo:acme/app-fork:ref:refs/heads/main"',
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
          'admits more than one repository of acme, e.g. sub "repo:acme/app-app:ref:refs/heads/main" and sub "repo:acme/app-app-fork:ref:refs/heads/main"',
        ),
      ],
    );
  });

  it("Noncompliance 6: a claim that names no repository", () => {
    assert.deepEqual(
      run(trust(statement({ StringEquals: { ...aud, ...sub("repository_owner:acme") } }))),
      [
        violation(
          'statement "GitHub"',
          'admits sub "repository_owner:acme", which names no one repository as "repo:<owner>/<name>:..." does',
        ),
      ],
    );
  });

  it("Noncompliance 7: aud not pinned, or pinned to something else too", () => {
    const scoped = sub("repo:acme/app:ref:refs/heads/main");
    assert.deepEqual(run(trust(statement({ StringEquals: scoped }))), [
      violation(
        'statement "GitHub"',
        'admits tokens with aud "sigstore"; pin aud to "sts.amazonaws.com" with StringEquals',
      ),
    ]);
    const twoAudiences = {
      "token.actions.githubusercontent.com:aud": ["sts.amazonaws.com", "https://github.com/acme"],
    };
    assert.deepEqual(run(trust(statement({ StringEquals: { ...twoAudiences, ...scoped } }))), [
      violation(
        'statement "GitHub"',
        'admits tokens with aud "https://github.com/acme"; pin aud to "sts.amazonaws.com" with StringEquals',
      ),
    ]);
  });

  it("Noncompliance 8: every statement counts, not only the first", () => {
    const good = statement({
      StringEquals: { ...aud, ...sub("repo:acme/app:ref:refs/heads/main") },
    });
    const { Sid: _sid, ...bad } = statement({ StringEquals: aud, StringLike: sub("repo:acme/*") });
    assert.deepEqual(run(trust(good, bad)), [
      violation(
        'the trust policy (statements "GitHub" and 2)',
        'admits more than one repository of acme, e.g. sub "repo:acme/app:ref:refs/heads/main" and sub "repo:acme/app-fork:ref:refs/heads/main"',
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
    assert.deepEqual(run(policy), [violation('statement "GitHub"', everyRepository)]);
  });

  it("Noncompliance 10: StringNotLike alone does not scope anything", () => {
    assert.deepEqual(
      run(trust(statement({ StringEquals: aud, StringNotLike: sub("repo:evil/*") }))),
      [
        violation(
          'statement "GitHub"',
          'admits repositories of more than one owner, e.g. sub "repo:octo-org/octo-repo:ref:refs/heads/main" and sub "repo:mallory/octo-repo:ref:refs/heads/main"',
        ),
      ],
    );
  });

  it("Noncompliance 11: a trust policy that is not JSON", () => {
    assert.deepEqual(run("{"), [
      "IAM role trust policy is not valid JSON: give a valid policy document",
    ]);
  });

  // The classes of adversarial trust found in review: each passed every mandatory policy before.

  it("Noncompliance 12 (class 1): a sub test only on an enterprise issuer's key, under IfExists, which github.com tokens never carry", () => {
    const policy = trust(
      statement({
        StringEquals: aud,
        StringLikeIfExists: { "token.actions.githubusercontent.com/acme:sub": "repo:acme/app:*" },
      }),
    );
    assert.deepEqual(run(policy), [violation('statement "GitHub"', everyRepository)]);
  });

  it("Noncompliance 13 (class 1): a sub test only on a GHE.com host's key", () => {
    const policy = trust(
      statement({
        StringEquals: aud,
        StringEqualsIfExists: {
          "token.actions.acme.ghe.com:sub": "repo:acme/app:ref:refs/heads/main",
        },
      }),
    );
    assert.deepEqual(run(policy), [violation('statement "GitHub"', everyRepository)]);
  });

  it('Noncompliance 14 (class 2): a wildcard principal with no condition at all, as "*" or {AWS: "*"}', () => {
    const unconditioned = (principal: unknown) =>
      trust({ Effect: "Allow", Principal: principal, Action: "sts:AssumeRoleWithWebIdentity" });
    const expected = [
      violation(
        "statement 1",
        "admits tokens of other issuers than token.actions.githubusercontent.com too: any issuer it does not name (e.g. token.actions.githubusercontent.com/another-enterprise)",
      ),
      violation(
        "statement 1",
        'admits tokens with aud "sigstore"; pin aud to "sts.amazonaws.com" with StringEquals',
      ),
      violation("statement 1", everyRepository),
    ];
    assert.deepEqual(run(unconditioned("*")), expected);
    assert.deepEqual(run(unconditioned({ AWS: "*" })), expected);
  });

  it("Noncompliance 15 (class 3): an unconditioned role on a GitHub Enterprise Server issuer", () => {
    const policy = trust({
      Effect: "Allow",
      Principal: {
        Federated: "arn:aws:iam::123456789012:oidc-provider/github.acme.internal/_services/token",
      },
      Action: "sts:AssumeRoleWithWebIdentity",
    });
    assert.deepEqual(run(policy), [
      violation(
        "statement 1",
        'admits tokens with aud "sigstore"; pin aud to "sts.amazonaws.com" with StringEquals',
      ),
      violation("statement 1", everyRepository),
    ]);
  });

  it("Noncompliance 16 (class 4): repo:o/r:* admits the repository's pull requests", () => {
    assert.deepEqual(
      run(trust(statement({ StringEquals: aud, StringLike: sub("repo:acme/app:*") }))),
      [
        violation(
          'statement "GitHub"',
          'admits pull requests (sub "repo:acme/app:pull_request"), whose code nobody has reviewed',
        ),
      ],
    );
  });

  it("Noncompliance 17: NotPrincipal, which IAM refuses in trust policies", () => {
    const policy = trust({
      Effect: "Allow",
      NotPrincipal: { AWS: "arn:aws:iam::123456789012:root" },
      Action: "sts:AssumeRoleWithWebIdentity",
    });
    assert.deepEqual(run(policy), [
      violation(
        "statement 1",
        "uses NotPrincipal, which IAM does not allow in a role trust policy (and an Allow with NotPrincipal would admit every principal it does not list); name the OIDC provider in Principal.Federated",
      ),
    ]);
  });

  it("Noncompliance 18: a condition the model cannot evaluate is assumed to hold, and said so", () => {
    const policy = trust(
      statement({
        StringEquals: { ...aud, "aws:SourceIp": "203.0.113.7" },
        StringLike: sub("repo:acme/*:ref:refs/heads/main"),
      }),
    );
    assert.deepEqual(run(policy), [
      violation(
        'statement "GitHub"',
        'admits more than one repository of acme, e.g. sub "repo:acme/app:ref:refs/heads/main" and sub "repo:acme/app-fork:ref:refs/heads/main" (reading what the model cannot evaluate in the direction that grants access: the condition key aws:sourceip)',
      ),
    ]);
  });

  it("Noncompliance 19: the same findings for aws-native and Cloud Control roles", () => {
    const policy = trust(statement({ StringEquals: aud }));
    assert.deepEqual(run(policy, awsNativeTypes.iamRole), [
      violation('statement "GitHub"', everyRepository),
    ]);
    assert.deepEqual(run(policy, cloudControlResourceType), [
      violation('statement "GitHub"', everyRepository),
    ]);
  });

  it("Noncompliance 20: a Cloud Control role whose desired state is not JSON", () => {
    assert.deepEqual(
      runResourcePolicy(iamGithubOidcTrustScoped, {
        type: cloudControlResourceType,
        props: { typeName: "AWS::IAM::Role", desiredState: "{" },
      }),
      [
        "Cloud Control resource of type AWS::IAM::Role has a desiredState that is not valid JSON: give a desired state the policies can read",
      ],
    );
  });

  it("cannot run while the trust policy, or a value in it, is unknown during preview", () => {
    assert.throws(() => run(unknown), UnknownValueError);
    assert.throws(
      () =>
        run(
          trust(statement({ StringEquals: aud }, { Principal: { Federated: unknown } })),
          awsNativeTypes.iamRole,
        ),
      UnknownValueError,
    );
  });
});
