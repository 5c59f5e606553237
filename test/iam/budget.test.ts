/**
 * The one bound on the model's work (MODEL.md, "Budgets"): every analysis that runs out of it
 * says the document is not proven safe, and never answers "none" from a search it did not
 * finish. Each analysis is run here with a budget too small for the document, and must stop so.
 */
import { strict as assert } from "assert";
import { Budget, BudgetExhausted } from "../../policy-pack/iam/budget";
import { parsePolicyDocument, PolicyDocument } from "../../policy-pack/iam/document";
import { and, atom, not, solve } from "../../policy-pack/iam/formula";
import { realizable, search } from "../../policy-pack/iam/automaton";
import { compilePattern } from "../../policy-pack/iam/patterns";
import { analyzePermissions } from "../../policy-pack/iam/permissions";
import { analyzeResourceAccess } from "../../policy-pack/iam/resourceAccess";
import { analyzeTrust } from "../../policy-pack/iam/trust";
import { ecrActions } from "../../policy-pack/governance/actions";
import { questions } from "./oracles";

const parse = (policy: unknown) => parsePolicyDocument(policy) as PolicyDocument;
const glob = (pattern: string) => {
  const compiled = compilePattern(pattern, { wildcards: true });
  assert.ok("language" in compiled);
  return compiled.language;
};
const github = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";
const foreignTrust = {
  Version: "2012-10-17",
  Statement: [
    {
      Effect: "Allow",
      Principal: { Federated: github },
      Action: "sts:AssumeRoleWithWebIdentity",
      Condition: {
        StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" },
        StringLike: { "token.actions.githubusercontent.com:sub": "repo:acme/*" },
      },
    },
  ],
};

describe("the budget: every limit ends in not proven safe", () => {
  it("a search that needs more than its budget throws, it never answers none", () => {
    const query = {
      languages: [glob("*a??????????"), glob("*b*")],
      holds: (answers: readonly boolean[]) => answers[0] && !answers[1],
    };
    assert.throws(() => search(query, new Budget(50)), BudgetExhausted);
    assert.equal(search(query, new Budget(1_000_000)).kind, "found");
  });

  it("so does the walk of the answers languages can give together", () => {
    assert.throws(
      () => [...realizable([glob("*a????????"), glob("*b*")], new Budget(50))],
      BudgetExhausted,
    );
  });

  it("and solving a formula over several variables", () => {
    const formula = and(atom("x", glob("*a*")), not(atom("y", glob("b*"))), atom("y", glob("*c")));
    assert.throws(() => solve(formula, new Budget(20)), BudgetExhausted);
    assert.equal(solve(formula, new Budget(1_000_000)).kind, "found");
  });

  it("a trust analysis out of budget is a mandatory finding, and still trusts GitHub (least privilege stays on)", () => {
    const analysis = analyzeTrust(parse(foreignTrust), {}, new Budget(200));
    assert.equal(analysis.trustsGitHub, true);
    assert.deepEqual(
      analysis.findings.map((f) => [f.kind, f.certain]),
      [["undecided", false]],
    );
    assert.match(
      analysis.findings[0].problem,
      /^cannot be proven to admit one repository only: the analysis needed more than 200 steps \(working out .+\), the limit for one document; use exact subjects/,
    );
    // With its real budget the same document is decided.
    assert.equal(analyzeTrust(parse(foreignTrust)).findings[0].kind, "other-repository");
  });

  it("a permission analysis out of budget is an undecided finding naming the limit", () => {
    const policy = {
      Statement: [
        { Effect: "Allow", Action: "ecr:PutImage", Resource: "arn:aws:ecr:*:*:repository/zz*" },
      ],
    };
    const findings = analyzePermissions(
      [{ label: "policy", document: parse(policy) }],
      questions,
      {},
      new Budget(10),
    );
    assert.deepEqual(findings.at(-1)?.kind, "undecided");
    assert.match(findings.at(-1)!.reason!, /^the analysis needed more than 10 steps/);
  });

  it("a resource-access analysis out of budget says why it could not decide", () => {
    const policy = {
      Statement: [
        {
          Effect: "Allow",
          Principal: "*",
          Action: "ecr:BatchGetImage",
          Condition: { StringLike: { "aws:PrincipalAccount": "9*" } },
        },
      ],
    };
    const analysis = analyzeResourceAccess(parse(policy), ecrActions, {}, new Budget(10));
    assert.match(
      analysis.undecided ?? "",
      /^the analysis needed more than 10 steps \(working out who of kind .+ it lets in\)$/,
    );
    assert.equal(analyzeResourceAccess(parse(policy), ecrActions).undecided, undefined);
  });
});
