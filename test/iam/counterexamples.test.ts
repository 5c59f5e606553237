/**
 * Every counter-example the generated differential tests shrank to while the models were built,
 * kept as a named test: the model and the evaluator agree on it now, or (where IAM's documented
 * behaviour and the evaluator's differ) the model's choice is stated and asserted.
 */
import { strict as assert } from "assert";
import { ecrActions } from "../../policy-pack/governance/actions";
import { parsePolicyDocument, PolicyDocument } from "../../policy-pack/iam/document";
import { analyzeResourceAccess } from "../../policy-pack/iam/resourceAccess";
import { analyzeTrust } from "../../policy-pack/iam/trust";
import { canAccess, canAssume, identityAllows } from "../helpers/iam";
import { agreeOnAccess, agreeOnPermissions, agreeOnTrust, analyzeRolePolicies } from "./oracles";

const github = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";
const web = { Principal: { Federated: github }, Action: "sts:AssumeRoleWithWebIdentity" };
const policy = (...statements: object[]) => ({ Version: "2012-10-17", Statement: statements });
const trustOf = (document: unknown) =>
  analyzeTrust(parsePolicyDocument(document) as PolicyDocument);

describe("trust counter-examples", () => {
  it("a token with no sub or aud the policy tests still gets a natural subject and the STS audience", () => {
    agreeOnTrust(
      policy({
        Effect: "Allow",
        NotPrincipal: { AWS: "arn:aws:iam::123456789012:root" },
        Action: "sts:AssumeRoleWithWebIdentity",
      }),
    );
  });

  it("NotPrincipal in a trust policy is a finding of its own: IAM refuses it there", () => {
    const document = policy({
      Effect: "Allow",
      NotPrincipal: { AWS: "arn:aws:iam::123456789012:root" },
      Action: "sts:AssumeRoleWithWebIdentity",
    });
    assert.deepEqual(
      trustOf(document).findings.map((f) => f.kind),
      ["invalid"],
    );
  });

  it("ForAnyValue:...IfExists on a key the token lacks does not match, as IAM decides", () => {
    const document = policy({
      Effect: "Allow",
      Principal: { AWS: "*" },
      Action: "sts:AssumeRoleWithWebIdentity",
      Condition: {
        "ForAnyValue:StringEqualsIfExists": {
          "token.actions.githubusercontent.com:sub": ["repo:acme/app:ref:refs/heads/main"],
        },
      },
    });
    agreeOnTrust(document);
    assert.equal(trustOf(document).issuer, "token.actions.githubusercontent.com");
  });

  it("a wildcard in a repository name names no repository: repo:acme/ap?", () => {
    agreeOnTrust(
      policy({
        Effect: "Allow",
        ...web,
        Condition: {
          StringEquals: {
            "token.actions.githubusercontent.com:sub": ["repo:acme/ap?:ref:refs/heads/main"],
          },
        },
      }),
    );
  });

  it("a subject of another context is still its repository's: repo:acme/app:ref:* beside the immutable form are two repositories", () => {
    agreeOnTrust(
      policy({
        Effect: "Allow",
        ...web,
        Condition: {
          StringEquals: {
            "token.actions.githubusercontent.com:sub": [
              "repo:acme/app:ref:*",
              "repo:acme@1/app@2:ref:refs/heads/main",
            ],
          },
        },
      }),
    );
  });

  it("an account principal in a Deny is not taken to refuse web identity tokens (the evaluator says it does; failing closed)", () => {
    const document = policy(
      { Effect: "Allow", ...web },
      {
        Effect: "Deny",
        Principal: { AWS: "arn:aws:iam::123456789012:root" },
        Action: "sts:AssumeRoleWithWebIdentity",
      },
    );
    assert.equal(
      canAssume(document, { sub: "repo:mallory/app:ref:refs/heads/main" }),
      false,
      "the evaluator matches the account principal",
    );
    assert.ok(trustOf(document).findings.length > 0, "the model reports the role");
  });
});

describe("trust counter-examples found after the model landed", () => {
  it("a Deny of a prefix of the only admitted subject leaves that subject admitted (the solver took a finished word for every continuation)", () => {
    const document = policy(
      {
        Effect: "Deny",
        ...web,
        Condition: { StringEquals: { "token.actions.githubusercontent.com:sub": ["repo:"] } },
      },
      {
        Effect: "Allow",
        ...web,
        Condition: {
          StringEquals: {
            "token.actions.githubusercontent.com:sub": ["repo:acme/app:ref:refs/heads/main"],
          },
        },
      },
    );
    agreeOnTrust(document);
    assert.deepEqual(
      trustOf(document).findings.map((f) => [f.kind, f.tokens.map((t) => t.aud)]),
      [["audience", ["sigstore"]]],
    );
  });

  it("whole-repository trust that rests on a claim key STS does not check is advice that names the doubt, not a token shown as admitted", () => {
    // Shrunk by trustDifferential (seed 820840784): STS puts no repository_owner in the
    // request, so the StringEquals on it can hold only in the model's grant-direction reading.
    const enterprise = "token.actions.githubusercontent.com/acme";
    const document = policy({
      Effect: "Allow",
      Principal: { Federated: `arn:aws:iam::123456789012:oidc-provider/${enterprise}` },
      Action: "sts:AssumeRoleWithWebIdentity",
      Condition: {
        StringEquals: { [`${enterprise}:repository_owner`]: ["acme"] },
        StringLike: { [`${enterprise}:sub`]: ["repo:acme/app:*"] },
      },
    });
    agreeOnTrust(document);
    const whole = trustOf(document).wholeRepository;
    assert.deepEqual(
      whole.map((w) => [w.context, w.certain]),
      [
        ["branch", false],
        ["tag", false],
        ["environment", false],
      ],
    );
    assert.match(
      whole[0].problem,
      /\(may: it rests on the claim key .*:repository_owner, which STS does not check/,
    );
  });
});

describe("permission counter-examples", () => {
  it("an escalation witness names a role of the policy's own account, not '*'", () => {
    agreeOnPermissions([
      policy(
        {
          Effect: "Allow",
          Action: ["sts:AssumeRole"],
          NotResource: ["arn:aws:ecr:eu-west-2:123456789012:repository/*"],
        },
        {
          Effect: "Allow",
          Action: ["ecr:Put*"],
          Resource: ["arn:aws:ecr:us-east-1:123456789012:repository/app"],
        },
      ),
    ]);
  });

  it("registry-wide actions are granted by any Allow that covers them, whatever its Resource", () => {
    const document = policy({
      Effect: "Allow",
      Action: ["ecr:PutRegistryPolicy", "sts:AssumeRole"],
      Resource: ["arn:aws:ecr:eu-west-2:123456789012:repository/*"],
    });
    agreeOnPermissions([document]);
    assert.deepEqual(
      analyzeRolePolicies([document]).map((f) => f.kind),
      ["registry-write"],
    );
  });

  it('NotResource "*" grants no registry-wide action', () => {
    agreeOnPermissions([
      policy({ Effect: "Allow", Action: ["ecr:PutRegistryPolicy"], NotResource: ["*"] }),
    ]);
  });

  it('a Deny with Resource "*" takes registry-wide actions back; one with other patterns does not', () => {
    agreeOnPermissions([
      policy(
        {
          Effect: "Deny",
          Action: ["ecr:SetRepositoryPolicy", "ecr:*"],
          Resource: ["*", "arn:aws:ecr:*"],
        },
        {
          Effect: "Allow",
          Action: ["ecr:*"],
          Resource: ["arn:aws:ecr:eu-west-2:123456789012:repository/app"],
        },
      ),
    ]);
    agreeOnPermissions([
      policy(
        {
          Effect: "Allow",
          Action: ["ecr:PutRegistryPolicy", "sts:AssumeRole"],
          Resource: ["arn:aws:ecr:eu-west-2:123456789012:repository/*"],
        },
        {
          Effect: "Deny",
          Action: ["ecr:PutRegistryPolicy", "iam:PutRolePolicy", "iam:*"],
          Resource: ["*", "arn:aws:iam::123456789012:role/*"],
        },
      ),
    ]);
  });

  it("a Deny with NotResource is not taken to refuse registry-wide actions (the evaluator says it may not; failing closed)", () => {
    const document = policy(
      {
        Effect: "Deny",
        Action: ["ecr:*", "sts:AssumeRole"],
        NotResource: ["arn:aws:ecr:*:123456789012:repository/app"],
      },
      { Effect: "Allow", Action: ["*"], Resource: ["arn:aws:s3:::bucket/*"] },
    );
    agreeOnPermissions([document]);
    assert.ok(analyzeRolePolicies([document]).some((f) => f.kind === "registry-write"));
  });

  it("a witness repository is of the policy's own account and a real partition", () => {
    agreeOnPermissions([
      policy(
        { Effect: "Allow", Action: ["ecr:PutImage", "sts:AssumeRole"], NotResource: ["arn:aws:*"] },
        {
          Effect: "Allow",
          Action: ["sts:AssumeRole"],
          Resource: ["arn:aws:iam::123456789012:role/*"],
        },
      ),
    ]);
  });

  it("the repositories a role names are those of every Allow, and of a Deny's NotResource", () => {
    agreeOnPermissions([
      policy(
        {
          Effect: "Allow",
          NotAction: ["ecr:GetAuthorizationToken"],
          Resource: ["arn:aws:ecr:eu-west-2:123456789012:repository/app*", "arn:aws:s3:::bucket/*"],
        },
        {
          Effect: "Allow",
          Action: ["ecr:PutImage", "ecr:SetRepositoryPolicy", "iam:Get*"],
          Resource: ["arn:aws:ecr:eu-west-2:123456789012:repository/app", "arn:*"],
        },
      ),
    ]);
    agreeOnPermissions([
      policy(
        {
          Effect: "Deny",
          Action: ["ecr:*", "sts:AssumeRole"],
          NotResource: ["arn:aws:ecr:us-east-1:123456789012:repository/app"],
        },
        { Effect: "Allow", NotAction: ["ecr:PutImage", "iam:Get*"], Resource: ["arn:aws:*"] },
      ),
    ]);
  });

  it("an ARN of fewer parts in NotResource excludes only what it matches (the evaluator is more cautious; the model follows IAM)", () => {
    const document = policy({
      Effect: "Allow",
      Action: ["iam:PutRolePolicy"],
      NotResource: ["arn:aws:ecr:*"],
    });
    assert.equal(
      identityAllows([document], "iam:PutRolePolicy", "arn:aws:iam::123456789012:role/admin"),
      false,
      "the evaluator does not let an IAM action through arn:aws:ecr:*",
    );
    assert.deepEqual(
      analyzeRolePolicies([document]).map((f) => f.kind),
      ["escalation"],
    );
  });
});

describe("resource access counter-examples", () => {
  const everyone = { Effect: "Allow", Principal: "*", Action: "ecr:*" };

  it('Principal "*" lets services in too, acting for any account', () => {
    agreeOnAccess(
      policy({
        ...everyone,
        Condition: { "ForAnyValue:StringNotLike": { "aws:SourceAccount": ["1*"] } },
      }),
    );
  });

  it("any service is one the policy does not name: a Deny of lambda leaves the others in", () => {
    agreeOnAccess(
      policy(
        { Effect: "Deny", Principal: { Service: "lambda.amazonaws.com" }, Action: "ecr:*" },
        everyone,
      ),
    );
  });

  it("a service scenario for a named service does not stand for every service", () => {
    agreeOnAccess(
      policy(
        {
          Effect: "Allow",
          Principal: "*",
          Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
        },
        { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "ecr:*" },
      ),
    );
  });

  it("ArnLike with a value of fewer than six parts is unknown to the model, and assumed to hold in an Allow", () => {
    const document = policy(
      { ...everyone, Condition: { ArnLike: { "aws:PrincipalArn": ["*"] } } },
      { ...everyone, Condition: { StringEquals: { "aws:PrincipalOrgID": ["*"] } } },
    );
    const { findings, undecided } = analyzeResourceAccess(
      parsePolicyDocument(document) as PolicyDocument,
      ecrActions,
    );
    assert.ok(undecided === undefined && findings.length > 0);
  });

  it("org paths under an operator without ForAnyValue are unknown to the model, and assumed to hold in an Allow", () => {
    const document = policy({
      ...everyone,
      Condition: { StringLike: { "aws:PrincipalOrgPaths": ["o-*/r-*/ou-*/"] } },
    });
    assert.equal(
      canAccess(document, {
        principal: "arn:aws:iam::999999999999:role/x",
        action: "ecr:PutImage",
        context: {
          "aws:PrincipalAccount": "999999999999",
          "aws:PrincipalOrgID": "o-zzzzzzzzzz",
          "aws:PrincipalOrgPaths": ["o-zzzzzzzzzz/r-zzzz/ou-zzzz-zzzzzzzz/"],
        },
      }),
      false,
      "the evaluator reads the operator as not matching",
    );
    const { findings, undecided } = analyzeResourceAccess(
      parsePolicyDocument(document) as PolicyDocument,
      ecrActions,
    );
    assert.ok(undecided === undefined && findings.length > 0);
  });
});

// Found by the existential search with Z3 (test/iam/z3Existential.test.ts, Z3_HARD=1, 2026-12),
// shrunk; the evaluator confirms each witness.
describe("counter-examples the Z3 search found", () => {
  it("StringEqualsIgnoreCase on one subject admits REPO:..., which names no repository (GitHub writes repo:)", () => {
    const sub = "token.actions.githubusercontent.com:sub";
    const document = policy({
      Effect: "Allow",
      ...web,
      Condition: {
        StringEqualsIgnoreCase: { [sub]: "repo:acme/app:ref:refs/heads/main" },
        StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" },
      },
    });
    assert.ok(
      canAssume(document, {
        provider: github,
        sub: "REPO:ACME/APP:REF:REFS/HEADS/MAIN",
        aud: "sts.amazonaws.com",
      }),
      "the evaluator admits the upper-case subject",
    );
    const findings = trustOf(document).findings;
    assert.deepEqual(
      findings.map((f) => f.kind),
      ["not-a-repository"],
    );
    const witness = findings[0].tokens[0].sub;
    assert.ok(!witness.startsWith("repo:"), witness);
    assert.ok(canAssume(document, { provider: github, sub: witness, aud: "sts.amazonaws.com" }));
  });

  it("the same subject under StringEquals stays one repository's: only repo: itself is read exactly", () => {
    const document = policy({
      Effect: "Allow",
      ...web,
      Condition: {
        StringEquals: {
          "token.actions.githubusercontent.com:sub": "repo:Acme/App:ref:refs/heads/main",
          "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
        },
      },
    });
    const analysis = trustOf(document);
    assert.deepEqual(analysis.findings, []);
    assert.equal(analysis.repository?.toLowerCase(), "acme/app");
  });

  it("ForAnyValue:StringNotLike on org paths lets in a role of an account in its organisation's root", () => {
    const document = policy({
      Effect: "Allow",
      Principal: "*",
      Action: "ecr:*",
      Condition: { "ForAnyValue:StringNotLike": { "aws:PrincipalOrgPaths": ["o-*/r-*/ou-*/"] } },
    });
    assert.ok(
      canAccess(document, {
        principal: "arn:aws:iam::000000000000:role/x",
        action: "ecr:BatchGetImage",
        context: {
          "aws:PrincipalAccount": "000000000000",
          "aws:PrincipalOrgID": "o-0000000000",
          "aws:PrincipalOrgPaths": ["o-0000000000/r-0000/"],
        },
      }),
      "the evaluator lets a role of an account in the root pull",
    );
    const { findings, undecided } = analyzeResourceAccess(
      parsePolicyDocument(document) as PolicyDocument,
      ecrActions,
    );
    assert.ok(undecided !== undefined || findings.length > 0, "the model reports an outsider");
  });
});
