import { ResourceValidationPolicy } from "@pulumi/policy";
import { unsafeGitHubTrust, trustsGitHub } from "../../lib/githubTrust";
import { parsePolicyDocument } from "../../lib/iamDocument";
import { isRole, trustPolicyOf } from "../../lib/resources";

/** Violation messages for a role's trust policy, given as JSON text or an object. */
export function trustScopeViolations(trustPolicy: unknown): string[] {
  const document = parsePolicyDocument(trustPolicy);
  if ("error" in document) {
    return [`IAM role trust policy ${document.error}: give a valid policy document`];
  }
  if (!trustsGitHub(document)) {
    return [];
  }
  return unsafeGitHubTrust(document).map(
    (finding) =>
      `GitHub OIDC trust must be scoped to one repository, with aud "sts.amazonaws.com": ${finding.statement} ${finding.problem}; list exact subjects such as "repo:<owner>/<name>:ref:refs/heads/main"`,
  );
}

export const iamGithubOidcTrustScoped: ResourceValidationPolicy = {
  name: "iam-github-oidc-trust-scoped",
  description:
    "IAM roles that trust GitHub Actions' OIDC provider pin aud to sts.amazonaws.com in every statement, and every sub value names one specific repository (repo:<owner>/<name>:... or repo:<owner>@<id>/<name>@<id>:...).",
  enforcementLevel: "mandatory",
  severity: "critical",
  remediationSteps:
    'Create the role with TrustedDeliveryPipeline, or give every statement StringEquals "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" and sub values that each name one repository and the branches, tags or environments that may assume it, e.g. "repo:acme/payments-api:ref:refs/heads/main". Never "*", "repo:*" or "repo:<owner>/*".',
  configSchema: { properties: {} },
  validateResource: (args, reportViolation) => {
    if (!isRole(args)) {
      return;
    }
    trustScopeViolations(trustPolicyOf(args)).forEach((v) => reportViolation(v));
  },
};
