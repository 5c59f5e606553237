/**
 * The resource-access model against an independent IAM evaluator, on generated ECR repository
 * policies: every outsider it reports must really be let in, and every outsider the evaluator
 * lets in (a role of an account or organisation the policy does not name, or a service acting
 * for one) must be reported.
 */
import { strict as assert } from "assert";
import fc from "fast-check";
import { ecrActions } from "../../policy-pack/governance/actions";
import { parsePolicyDocument, PolicyDocument } from "../../policy-pack/iam/document";
import { analyzeResourceAccess } from "../../policy-pack/iam/resourceAccess";
import { lets, probeActions, probeOutsiders, repositoryPolicy } from "./accessGenerators";

export function agreeOnAccess(policy: unknown): void {
  const findings = analyzeResourceAccess(parsePolicyDocument(policy) as PolicyDocument, ecrActions);
  assert.notEqual(findings, "undecided", "the model could not decide");
  if (findings === "undecided") {
    return;
  }
  for (const finding of findings) {
    assert.ok(
      finding.actions.some((action) => lets(policy, finding.outsider, action)),
      `the evaluator refuses ${JSON.stringify(finding.outsider)} ${finding.actions.slice(0, 3).join(", ")}...`,
    );
  }
  for (const outsider of probeOutsiders) {
    for (const action of probeActions) {
      if (lets(policy, outsider, action)) {
        assert.ok(
          findings.length > 0,
          `the evaluator lets ${JSON.stringify(outsider)} perform ${action}; the model finds no outsider`,
        );
      }
    }
  }
}

describe("the resource-access model, against an IAM evaluator on generated repository policies", function () {
  this.timeout(300000);

  it("reports only outsiders the evaluator lets in, and finds every outsider it lets in", () => {
    fc.assert(
      fc.property(repositoryPolicy, (policy) => agreeOnAccess(policy)),
      { numRuns: Number(process.env.ACCESS_RUNS ?? 1000) },
    );
  });
});
