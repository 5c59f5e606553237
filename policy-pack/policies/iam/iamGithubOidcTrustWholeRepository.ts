import type { ResourceValidationPolicy } from "@pulumi/policy";
import { judgeResource } from "../../lib/judge";
import { statementsPhrase, trustOf } from "../../lib/trustMessages";
import { Placement, unplaced } from "../../iam/placement";
import { roleView } from "../../resources/iam";
import { placementOfJudged } from "../../resources/declared";

export function wholeRepositoryViolations(
  trustPolicy: unknown,
  placement: Placement = unplaced,
): string[] {
  const analysis = trustOf(trustPolicy, placement);
  if ("error" in analysis) {
    return [];
  }
  return analysis.wholeRepository.map(
    (finding) =>
      `GitHub OIDC trust should name the refs or environments that may assume the role: ${statementsPhrase(finding.statements)} ${finding.problem}; list the branches, tags or environments that may push instead of a wildcard`,
  );
}

export const iamGithubOidcTrustWholeRepository: ResourceValidationPolicy = {
  name: "iam-github-oidc-trust-whole-repository",
  description:
    "IAM roles that trust GitHub Actions do not admit every branch, every tag or every deployment environment of a repository (repo:<owner>/<name>:*, :ref:*, :environment:*), judged as IAM evaluates the trust policy.",
  enforcementLevel: "advisory",
  severity: "medium",
  remediationSteps:
    'Replace "repo:<owner>/<name>:*" (or ":ref:*", ":environment:*") with the subjects that may push: ":ref:refs/heads/main", ":ref:refs/tags/v*", ":environment:production". Set this policy to mandatory once no role relies on whole-repository trust.',
  configSchema: { properties: {} },
  validateResource: (args, reportViolation) =>
    judgeResource(args, reportViolation, (resource, reportViolation) => {
      const role = roleView(resource);
      if (role !== undefined) {
        wholeRepositoryViolations(role.trustPolicy(), placementOfJudged(resource)).forEach((v) =>
          reportViolation(v),
        );
      }
    }),
};
