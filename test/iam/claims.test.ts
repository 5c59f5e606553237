/**
 * The claims STS checks besides sub and aud, and the relations GitHub guarantees between them
 * (policy-pack/iam/trust/claims.ts): named cases, each checked against the evaluator where the
 * model says a token is admitted. The generated cases are in trustDifferential.test.ts.
 */
import { strict as assert } from "assert";
import { parsePolicyDocument, PolicyDocument } from "../../policy-pack/iam/document";
import { analyzeTrust, decideToken, TrustAnalysis } from "../../policy-pack/iam/trust";
import { agreeOnDecisions, agreeOnTrust, evaluatorPlacement } from "./oracles";
import { admits, enterpriseIssuer, githubIssuer, providerOf } from "./trustGenerators";

type Conditions = Record<string, Record<string, string | string[]>>;

function trust(conditions: Conditions, issuer = githubIssuer, deny?: Conditions): unknown {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Federated: providerOf(issuer) },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: conditions,
      },
      ...(deny
        ? [
            {
              Effect: "Deny",
              Principal: { Federated: providerOf(issuer) },
              Action: "sts:AssumeRoleWithWebIdentity",
              Condition: deny,
            },
          ]
        : []),
    ],
  };
}

function parse(policy: unknown): PolicyDocument {
  const document = parsePolicyDocument(policy);
  assert.ok(!("error" in document), JSON.stringify(document));
  return document as PolicyDocument;
}

function analyze(policy: unknown): TrustAnalysis {
  const analysis = analyzeTrust(parse(policy), evaluatorPlacement);
  // Whatever the verdict, the model and the evaluator agree on it, and on every probe.
  agreeOnTrust(policy);
  agreeOnDecisions(policy);
  return analysis;
}

const key = (claim: string, issuer = githubIssuer) => `${issuer}:${claim}`;
const aud = { [key("aud")]: "sts.amazonaws.com" };

function kinds(analysis: TrustAnalysis): string[] {
  return analysis.findings.map((f) => f.kind);
}

describe("the claims STS checks, and what GitHub guarantees between them", () => {
  describe("safe trusts that pin a claim are compliant (they were false positives)", () => {
    it("an environment condition keeps out pull requests: their jobs have no environment", () => {
      for (const issuer of [githubIssuer, enterpriseIssuer]) {
        const analysis = analyze(
          trust(
            {
              StringEquals: {
                [key("aud", issuer)]: "sts.amazonaws.com",
                [key("environment", issuer)]: "production",
              },
              StringLike: { [key("sub", issuer)]: "repo:acme/app:*" },
            },
            issuer,
          ),
        );
        assert.deepEqual(kinds(analysis), [], issuer);
        assert.equal(analysis.repository, "acme/app");
        assert.deepEqual(analysis.assumptions, []);
      }
    });

    it("names to ids: the subjects, and the repository and owner ids", () => {
      const analysis = analyze(
        trust({
          StringEquals: {
            ...aud,
            [key("repository_id")]: "2",
            [key("repository_owner_id")]: "1",
            [key("sub")]: [
              "repo:acme/app:ref:refs/heads/main",
              "repo:acme@1/app@2:ref:refs/heads/main",
            ],
          },
        }),
      );
      assert.deepEqual(kinds(analysis), []);
      assert.deepEqual(analysis.assumptions, []);
    });

    it("a repository id pins one repository whatever it is called: the same id under another name is a rename", () => {
      const analysis = analyze(
        trust({
          StringEquals: {
            ...aud,
            [key("repository_id")]: "2",
            [key("sub")]: [
              "repo:acme/app:ref:refs/heads/main",
              "repo:acme/app-renamed:ref:refs/heads/main",
            ],
          },
        }),
      );
      assert.deepEqual(kinds(analysis), []);
    });

    it("the repository claim is the subject's repository, in both subject forms", () => {
      const analysis = analyze(
        trust({
          StringEquals: {
            ...aud,
            [key("repository")]: "acme/app",
            [key("sub")]: [
              "repo:acme/app:ref:refs/heads/main",
              "repo:acme/other:ref:refs/heads/main",
              "repo:acme@1/app@2:ref:refs/heads/main",
              "repo:acme@1/other@3:ref:refs/heads/main",
            ],
          },
        }),
      );
      assert.deepEqual(kinds(analysis), []);
      assert.equal(analysis.repository, "acme/app");
    });

    it("a reusable workflow pinned beside the subjects", () => {
      const analysis = analyze(
        trust({
          StringEquals: {
            ...aud,
            [key("sub")]: "repo:acme/app:ref:refs/heads/main",
            [key("job_workflow_ref")]: "acme/platform/.github/workflows/build.yml@refs/tags/v1",
          },
        }),
      );
      assert.deepEqual(kinds(analysis), []);
    });

    it("Null false on environment: only jobs in an environment, so no pull request", () => {
      const analysis = analyze(
        trust({
          StringEquals: aud,
          StringLike: { [key("sub")]: "repo:acme/app:*" },
          Null: { [key("environment")]: "false" },
        }),
      );
      assert.deepEqual(kinds(analysis), []);
    });

    it("a Deny on another repository id takes every other repository away", () => {
      const analysis = analyze(
        trust(
          {
            StringEquals: {
              ...aud,
              [key("sub")]: [
                "repo:acme/app:ref:refs/heads/main",
                "repo:acme/other:ref:refs/heads/main",
              ],
            },
          },
          githubIssuer,
          { StringNotEquals: { [key("repository_id")]: "2" } },
        ),
      );
      assert.deepEqual(kinds(analysis), []);
    });
  });

  describe("unsafe trusts that pin a claim are still reported", () => {
    it("an environment with every repository of the owner", () => {
      const analysis = analyze(
        trust({
          StringEquals: { ...aud, [key("environment")]: "production" },
          StringLike: { [key("sub")]: "repo:acme/*" },
        }),
      );
      assert.deepEqual(kinds(analysis), ["other-repository"]);
    });

    it("an environment under IfExists lets pull requests in: their jobs have none", () => {
      const analysis = analyze(
        trust({
          StringEquals: aud,
          StringEqualsIfExists: { [key("environment")]: "production" },
          StringLike: { [key("sub")]: "repo:acme/app:*" },
        }),
      );
      assert.deepEqual(kinds(analysis), ["pull-request"]);
    });

    it("an owner id with any subject admits every repository of the owner", () => {
      const analysis = analyze(
        trust({
          StringEquals: { ...aud, [key("repository_owner_id")]: "1" },
          StringLike: { [key("sub")]: "repo:*:ref:refs/heads/main" },
        }),
      );
      assert.deepEqual(kinds(analysis), ["other-repository"]);
    });

    it("a repository id with any subject still admits the repository's pull requests", () => {
      const analysis = analyze(
        trust({
          StringEquals: { ...aud, [key("repository_id")]: "2" },
          StringLike: { [key("sub")]: "repo:*" },
        }),
      );
      assert.deepEqual(kinds(analysis), ["pull-request"]);
    });

    it("a name-or-id trust admits two repositories: the name made again, and the id renamed", () => {
      const policy = {
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { Federated: providerOf(githubIssuer) },
            Action: "sts:AssumeRoleWithWebIdentity",
            Condition: {
              StringEquals: { ...aud, [key("sub")]: "repo:acme/app:ref:refs/heads/main" },
            },
          },
          {
            Effect: "Allow",
            Principal: { Federated: providerOf(githubIssuer) },
            Action: "sts:AssumeRoleWithWebIdentity",
            Condition: {
              StringEquals: { ...aud, [key("repository_id")]: "2" },
              StringLike: { [key("sub")]: "repo:*:ref:refs/heads/main" },
            },
          },
        ],
      };
      const analysis = analyze(policy);
      assert.equal(analysis.findings.length, 1);
      assert.match(analysis.findings[0].kind, /^other-(owner|repository)$/);
      const [a, b] = analysis.findings[0].tokens;
      assert.notEqual(a.claims?.repository?.toLowerCase(), b.claims?.repository?.toLowerCase());
      assert.notEqual(a.claims?.repository_id, b.claims?.repository_id);
    });

    it("a claim STS does not check (repository_owner) is a doubt, read as granting", () => {
      const analysis = analyze(
        trust({
          StringEquals: { ...aud, [key("repository_owner")]: "acme" },
          StringLike: { [key("sub")]: "repo:*:ref:refs/heads/main" },
        }),
      );
      assert.deepEqual(kinds(analysis), ["other-owner"]);
      assert.equal(analysis.findings[0].certain, false);
      assert.match(analysis.assumptions.join(" "), /repository_owner, which STS does not check/);
    });

    it("claims without a subject, repository or repository id: every repository", () => {
      const analysis = analyze(
        trust({
          StringEquals: { ...aud, [key("workflow")]: "build", [key("environment")]: "production" },
        }),
      );
      assert.deepEqual(kinds(analysis), ["no-subject"]);
    });

    it("a ref without a subject: any repository's main branch", () => {
      const analysis = analyze(
        trust({ StringEquals: { ...aud, [key("ref")]: "refs/heads/main" } }),
      );
      assert.ok(kinds(analysis).includes("other-owner"), kinds(analysis).join());
    });
  });

  describe("one token decided with its claims (explain)", () => {
    const idPolicy = trust({
      StringEquals: {
        ...aud,
        [key("repository_id")]: "2",
        [key("sub")]: [
          "repo:acme/app:ref:refs/heads/main",
          "repo:acme@1/app@2:ref:refs/heads/main",
        ],
      },
    });
    const idTrust = parse(idPolicy);
    const provider = providerOf(githubIssuer);

    it("the repository made again under the same name (another id) is refused", () => {
      const token = {
        issuer: githubIssuer,
        provider,
        sub: "repo:acme/app:ref:refs/heads/main",
        aud: "sts.amazonaws.com",
        claims: { repository_id: "9" },
      };
      assert.equal(decideToken(idTrust, token).admitted, false);
      assert.equal(
        admits(idPolicy, { ...token, claims: { ...token.claims, repository: "acme/app" } }),
        false,
      );
    });

    it("the repository's own run is admitted, in either subject form", () => {
      for (const sub of [
        "repo:acme/app:ref:refs/heads/main",
        "repo:acme@1/app@2:ref:refs/heads/main",
      ]) {
        const token = {
          issuer: githubIssuer,
          provider,
          sub,
          aud: "sts.amazonaws.com",
          claims: { repository_id: "2" },
        };
        assert.equal(decideToken(idTrust, token).admitted, true, sub);
      }
    });

    it("an immutable subject's ids are its own: another repository_id claim beside it cannot change them", () => {
      const token = {
        issuer: githubIssuer,
        provider,
        sub: "repo:acme@1/app@9:ref:refs/heads/main",
        aud: "sts.amazonaws.com",
        claims: { repository_id: "2" },
      };
      assert.equal(decideToken(idTrust, token).admitted, false);
    });
  });

  describe("counter-examples the generated cases found", () => {
    it("Null true on repository_id admits no GitHub token: every token GitHub issues carries the claim (Z3's encoding, which reads other keys as absent, said otherwise)", () => {
      const policy = trust({ Null: { [key("repository_id")]: "true" } });
      const analysis = analyze(policy);
      assert.equal(analysis.trustsGitHub, false);
      assert.deepEqual(analysis.findings, []);
      const token = {
        issuer: githubIssuer,
        sub: "repo:acme/app:ref:refs/heads/main",
        aud: "sts.amazonaws.com",
      };
      assert.equal(admits(policy, { ...token, claims: { repository_id: "2" } }), false);
      // Without the claim the evaluator admits it: a token GitHub does not issue.
      assert.equal(admits(policy, token), true);
    });

    it("no sub condition and a claim refusing the natural actor: the other owner's token is one the policy admits", () => {
      const policy = {
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { AWS: "*" },
            Action: "sts:AssumeRoleWithWebIdentity",
            Condition: { StringNotEqualsIgnoreCase: { [key("actor")]: ["octocat"] } },
          },
        ],
      };
      const analysis = analyze(policy);
      const noSubject = analysis.findings.find((f) => f.kind === "no-subject");
      assert.ok(noSubject, kinds(analysis).join());
      assert.ok(noSubject.certain);
      for (const token of noSubject.tokens) {
        assert.notEqual(token.claims?.actor?.toLowerCase(), "octocat");
      }
    });
  });
});
