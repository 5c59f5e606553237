import { ResourceValidationPolicy } from "@pulumi/policy";
import { wholeRepositorySubjects } from "../../lib/githubTrust";
import { parsePolicyDocument } from "../../lib/iamDocument";
import { isRole, trustPolicyOf } from "../../lib/resources";

export function wholeRepositoryViolations(trustPolicy: unknown): string[] {
  return wholeRepositorySubjects(parsePolicyDocument(trustPolicy)).map(
    (finding) =>
      `GitHub OIDC trust should name the refs or environments that may assume the role: ${finding.statement} ${finding.problem}; list branches, tags or environments instead of ":*"`,
  );
}

export const iamGithubOidcTrustWholeRepository: ResourceValidationPolicy = {
  name: "iam-github-oidc-trust-whole-repository",
  description:
    "IAM roles that trust GitHub Actions do not admit every workflow run of a repository (repo:<owner>/<name>:*), which includes pull requests and every branch.",
  enforcementLevel: "advisory",
  severity: "medium",
  remediationSteps:
    'Replace "repo:<owner>/<name>:*" with the subjects that may push: ":ref:refs/heads/main", ":ref:refs/tags/v*", ":environment:production". Set this policy to mandatory once no role relies on whole-repository trust.',
  configSchema: { properties: {} },
  validateResource: (args, reportViolation) => {
    if (!isRole(args)) {
      return;
    }
    wholeRepositoryViolations(trustPolicyOf(args)).forEach((v) => reportViolation(v));
  },
};
