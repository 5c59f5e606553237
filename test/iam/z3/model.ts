/**
 * The one place the Z3 check calls the policy pack's model of IAM, so a change of the model's
 * API (a context argument, new fields on findings) is adapted here and nowhere else.
 */
import { ecrActions } from "../../../policy-pack/governance/actions";
import { parsePolicyDocument, PolicyDocument } from "../../../policy-pack/iam/document";
import { analyzeResourceAccess } from "../../../policy-pack/iam/resourceAccess";
import { analyzeTrust } from "../../../policy-pack/iam/trust";

/**
 * Whether the model reports a problem with a trust policy: some finding. A document the model
 * cannot read counts: the pack refuses it ("give a valid policy document").
 */
export function modelFindsTrustProblem(policy: unknown): boolean {
  const document = parsePolicyDocument(policy);
  if ("error" in document) {
    return true;
  }
  return analyzeTrust(document as PolicyDocument).findings.length > 0;
}

/**
 * Whether the model reports an outsider in a repository policy: a finding, or undecided (which
 * the pack reports as a violation, failing closed).
 */
export function modelFindsOutsider(policy: unknown): boolean {
  const document = parsePolicyDocument(policy);
  if ("error" in document) {
    return true;
  }
  const analysis = analyzeResourceAccess(document as PolicyDocument, ecrActions);
  return analysis.undecided !== undefined || analysis.findings.length > 0;
}
