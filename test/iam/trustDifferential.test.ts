/**
 * The trust model against an independent IAM evaluator (@cloud-copilot/iam-simulate), on
 * generated trust policies: every token the model shows must really be admitted, and every
 * policy the evaluator finds admitting a foreign token (another repository, another issuer,
 * another audience, a pull request) must be a finding of the model.
 */
import { strict as assert } from "assert";
import fc from "fast-check";
import { parsePolicyDocument, PolicyDocument } from "../../policy-pack/iam/document";
import { analyzeTrust, TrustAnalysis, TrustFinding } from "../../policy-pack/iam/trust";
import {
  admits,
  evaluatorProblems,
  isPullRequest,
  probes,
  repositoryOf,
  trustPolicy,
} from "./trustGenerators";

/** Why a finding's tokens do not show what it says, per the evaluator; undefined when they do. */
function unsupported(policy: unknown, finding: TrustFinding): string | undefined {
  const { kind, tokens } = finding;
  for (const token of tokens) {
    if (!admits(policy, token)) {
      return `the evaluator refuses ${JSON.stringify(token)}`;
    }
  }
  const [a, b] = tokens;
  switch (kind) {
    case "audience":
      return a.aud !== "sts.amazonaws.com" ? undefined : "its token has the STS audience";
    case "pull-request":
      return isPullRequest(a.sub) ? undefined : `${a.sub} is not a pull request's`;
    case "not-a-repository":
      return repositoryOf(a.sub) === undefined ? undefined : `${a.sub} names a repository`;
    case "other-issuer":
      return tokens.some((t) => t.issuer !== a.issuer) ? undefined : "one issuer only";
    case "no-subject":
    case "other-owner":
    case "other-repository":
      return b !== undefined && repositoryOf(a.sub) !== repositoryOf(b.sub)
        ? undefined
        : "its tokens are of one repository";
    case "invalid":
      return /NotPrincipal/.test(finding.problem) ? undefined : "not about NotPrincipal";
    case "undecided":
      return "the model could not decide";
  }
}

function analyze(policy: unknown): TrustAnalysis {
  const document = parsePolicyDocument(policy);
  assert.ok(!("error" in document), JSON.stringify(document));
  return analyzeTrust(document as PolicyDocument);
}

/** The property: the model and the evaluator agree, as described above. */
export function agreeOnTrust(policy: unknown): void {
  const analysis = analyze(policy);
  for (const finding of analysis.findings) {
    const why = unsupported(policy, finding);
    assert.equal(why, undefined, `finding "${finding.problem}" is not real: ${why}`);
  }
  const problems = evaluatorProblems(policy);
  if (problems.length > 0) {
    assert.ok(
      analysis.findings.length > 0,
      `the evaluator finds the policy unsafe (${problems.join("; ")}), the model finds nothing`,
    );
  }
  if (!analysis.trustsGitHub && !analysis.findings.some((f) => f.kind === "invalid")) {
    const admitted = probes.filter((probe) => admits(policy, probe));
    assert.deepEqual(admitted, [], "the model says no GitHub token is admitted");
  }
  for (const whole of analysis.wholeRepository) {
    const token = { issuer: analysis.issuer!, sub: whole.example, aud: "sts.amazonaws.com" };
    assert.ok(admits(policy, token), `whole-repository example ${whole.example} is refused`);
  }
}

describe("the trust model, against an IAM evaluator on generated trust policies", function () {
  this.timeout(300000);

  it("shows only tokens the evaluator admits, and finds every foreign token the evaluator admits", () => {
    fc.assert(
      fc.property(trustPolicy, (policy) => agreeOnTrust(policy)),
      { numRuns: Number(process.env.TRUST_RUNS ?? 1500) },
    );
  });
});
