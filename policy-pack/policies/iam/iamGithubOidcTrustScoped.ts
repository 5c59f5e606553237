import type { ResourceValidationPolicy } from "@pulumi/policy";
import { judgeResource } from "../../lib/judge";
import { assumptionsNote, statementsPhrase, trustOf } from "../../lib/trustMessages";
import { Placement, unplaced } from "../../iam/placement";
import { roleView } from "../../resources/iam";
import { placementOfJudged } from "../../resources/declared";

/** Violation messages for a role's trust policy, given as JSON text or an object. */
export function trustScopeViolations(
  trustPolicy: unknown,
  placement: Placement = unplaced,
): string[] {
  const analysis = trustOf(trustPolicy, placement);
  if ("error" in analysis) {
    return [`IAM role trust policy ${analysis.error}: give a valid policy document`];
  }
  const note = assumptionsNote(analysis);
  return analysis.findings.map(
    (finding) =>
      `GitHub OIDC trust must admit one repository's workflow runs only, with aud "sts.amazonaws.com": ${statementsPhrase(finding.statements)} ${finding.problem}${note}; list exact subjects such as "repo:<owner>/<name>:ref:refs/heads/main"`,
  );
}

export const iamGithubOidcTrustScoped: ResourceValidationPolicy = {
  name: "iam-github-oidc-trust-scoped",
  description:
    "IAM roles that GitHub Actions' OIDC tokens can assume (judged as IAM evaluates the trust policy: every principal, operator, IfExists, Deny and wildcard) admit tokens of one issuer, with aud sts.amazonaws.com, and subjects of one repository only (repo:<owner>/<name>:... or repo:<owner>@<id>/<name>@<id>:...), never a pull request's.",
  enforcementLevel: "mandatory",
  severity: "critical",
  remediationSteps:
    'Create the role with TrustedDeliveryPipeline, or give it Principal.Federated the GitHub OIDC provider, StringEquals "token.actions.githubusercontent.com:aud": "sts.amazonaws.com", and sub values that each name one repository and the branches, tags or environments that may assume it, e.g. "repo:acme/payments-api:ref:refs/heads/main". Never "*", "repo:*", "repo:<owner>/*", conditions on another issuer\'s keys, or IfExists on sub.',
  configSchema: { properties: {} },
  validateResource: (args, reportViolation) =>
    judgeResource(args, reportViolation, (resource, reportViolation) => {
      const role = roleView(resource);
      if (role !== undefined) {
        trustScopeViolations(role.trustPolicy(), placementOfJudged(resource)).forEach((v) =>
          reportViolation(v),
        );
      }
    }),
};
