import { strict as assert } from "assert";
import { classifySubject, githubIssuer, trustsGitHub } from "../../policy-pack/lib/githubTrust";
import { globMatches, grantsAction, parsePolicyDocument } from "../../policy-pack/lib/iamDocument";

describe("policy documents as IAM reads them", () => {
  it("reads JSON text and objects alike", () => {
    const document = {
      Version: "2012-10-17",
      Statement: { Effect: "Allow", Action: "ecr:PutImage", Resource: "*" },
    };
    assert.deepEqual(parsePolicyDocument(JSON.stringify(document)), parsePolicyDocument(document));
  });

  it("takes a single Statement object, single actions and single condition values as lists", () => {
    const parsed = parsePolicyDocument({
      Statement: {
        Sid: "One",
        Effect: "Allow",
        Action: "s3:GetObject",
        Resource: "*",
        Condition: { Bool: { "aws:SecureTransport": true } },
      },
    });
    assert.ok("statements" in parsed);
    assert.deepEqual(parsed.statements[0].actions, ["s3:GetObject"]);
    assert.deepEqual(parsed.statements[0].conditions, [
      { operator: "Bool", base: "bool", key: "aws:securetransport", values: ["true"] },
    ]);
    assert.equal(parsed.statements[0].label, 'statement "One"');
  });

  it("normalises condition operators and keys of any letter case, with qualifiers and IfExists", () => {
    const parsed = parsePolicyDocument({
      Statement: [
        {
          Effect: "Allow",
          Condition: {
            "ForAnyValue:stringlikeIFEXISTS": {
              "Token.Actions.GitHubUserContent.com:SUB": ["repo:a/b:*"],
            },
          },
        },
      ],
    });
    assert.ok("statements" in parsed);
    assert.deepEqual(parsed.statements[0].conditions[0], {
      operator: "ForAnyValue:stringlikeIFEXISTS",
      base: "stringlike",
      key: "token.actions.githubusercontent.com:sub",
      values: ["repo:a/b:*"],
    });
    assert.equal(parsed.statements[0].label, "statement 1");
  });

  it("reports text that is not JSON instead of throwing", () => {
    assert.deepEqual(parsePolicyDocument("{not json"), { error: "is not valid JSON" });
  });

  it("matches actions with IAM wildcards, case-insensitively, and honours NotAction", () => {
    assert.equal(globMatches("ecr:Put*", "ecr:PutImage"), true);
    assert.equal(globMatches("ECR:putimage", "ecr:PutImage"), true);
    assert.equal(globMatches("ecr:Get?uthorizationToken", "ecr:GetAuthorizationToken"), true);
    assert.equal(globMatches("ecr:Put*", "ecr:BatchDeleteImage"), false);
    const parsed = parsePolicyDocument({
      Statement: { Effect: "Allow", NotAction: "iam:*", Resource: "*" },
    });
    assert.ok("statements" in parsed);
    assert.equal(grantsAction(parsed.statements[0], "ecr:PutImage"), true);
    assert.equal(grantsAction(parsed.statements[0], "iam:CreateRole"), false);
  });
});

describe("GitHub trust", () => {
  it("recognises GitHub's OIDC issuers by provider ARN or bare issuer, enterprise paths included", () => {
    assert.equal(
      githubIssuer("arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"),
      "token.actions.githubusercontent.com",
    );
    assert.equal(
      githubIssuer(
        "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com/acme-corp",
      ),
      "token.actions.githubusercontent.com/acme-corp",
    );
    assert.equal(githubIssuer("token.actions.octo.ghe.com"), "token.actions.octo.ghe.com");
    assert.equal(githubIssuer("arn:aws:iam::123456789012:oidc-provider/gitlab.com"), undefined);
    assert.equal(
      githubIssuer(
        "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com.evil.io",
      ),
      undefined,
    );
  });

  it("finds GitHub trust through a federated principal given as a string or a list", () => {
    const statement = (federated: unknown) => ({
      Statement: [
        {
          Effect: "Allow",
          Principal: { Federated: federated },
          Action: "sts:AssumeRoleWithWebIdentity",
        },
      ],
    });
    const github = "arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com";
    assert.equal(trustsGitHub(parsePolicyDocument(statement(github))), true);
    assert.equal(
      trustsGitHub(
        parsePolicyDocument(statement(["arn:aws:iam::1:oidc-provider/gitlab.com", github])),
      ),
      true,
    );
    assert.equal(
      trustsGitHub(parsePolicyDocument(statement("arn:aws:iam::1:oidc-provider/gitlab.com"))),
      false,
    );
  });

  const cases: [string, ReturnType<typeof classifySubject>][] = [
    ["repo:acme/app:ref:refs/heads/main", { kind: "one-repository" }],
    ["repo:acme/app:ref:refs/heads/release/*", { kind: "one-repository" }],
    ["repo:acme/app:environment:production", { kind: "one-repository" }],
    ["repo:acme@1234/app@98765:ref:refs/heads/main", { kind: "one-repository" }],
    ["repo:acme/app:*", { kind: "whole-repository" }],
    [
      "*",
      { kind: "refused", reason: 'does not start with "repo:", so it does not name a repository' },
    ],
    ["repo:*", { kind: "refused", reason: "matches every repository on GitHub" }],
    ["repo:*:*", { kind: "refused", reason: "matches every repository on GitHub" }],
    ["repo:acme/*", { kind: "refused", reason: 'matches every repository of owner "acme"' }],
    ["repo:acme/*:*", { kind: "refused", reason: 'matches every repository of owner "acme"' }],
    [
      "repo:acme/app*:ref:refs/heads/main",
      { kind: "refused", reason: 'has a wildcard in its repository part "acme/app*"' },
    ],
    [
      "repo:*/app:ref:refs/heads/main",
      { kind: "refused", reason: 'has a wildcard in its repository part "*/app"' },
    ],
    [
      "repo:acme:ref:refs/heads/main",
      { kind: "refused", reason: 'does not name a repository as "owner/name" ("acme")' },
    ],
    [
      "organization:acme:*",
      { kind: "refused", reason: 'does not start with "repo:", so it does not name a repository' },
    ],
  ];
  for (const [subject, verdict] of cases) {
    it(`classifies sub "${subject}" as ${verdict.kind}`, () => {
      assert.deepEqual(classifySubject(subject), verdict);
    });
  }
});
