import type { StackValidationPolicy } from "@pulumi/policy";
import { parseGitHubIssuer } from "../../governance/github";
import { awsNativeTypes, awsTypes } from "../../governance/typeTokens";
import { eachKnown, stackReporter } from "../../lib/judge";
import { oidcProviderUrl } from "../../resources/iam";
import { StackIndex, StackResource } from "../../resources/stackIndex";

/** GitHub OIDC providers declared more than once for the same issuer URL, grouped by URL. */
export function duplicateGitHubProviders(
  resources: readonly StackResource[],
): Map<string, StackResource[]> {
  const byIssuer = new Map<string, StackResource[]>();
  eachKnown(
    StackIndex.of(resources).ofTypes(awsTypes.iamOidcProvider, awsNativeTypes.iamOidcProvider),
    (resource) => {
      const issuer = parseGitHubIssuer(oidcProviderUrl(resource)!)?.issuer;
      if (issuer !== undefined) {
        byIssuer.set(issuer, [...(byIssuer.get(issuer) ?? []), resource]);
      }
    },
  );
  return new Map([...byIssuer].filter(([, providers]) => providers.length > 1));
}

export const iamOneGithubOidcProvider: StackValidationPolicy = {
  name: "iam-one-github-oidc-provider",
  description:
    "A stack declares GitHub Actions' OIDC provider at most once per issuer URL: IAM allows one per URL and account, so a second fails at deploy time.",
  enforcementLevel: "mandatory",
  severity: "medium",
  remediationSteps:
    "Create one GitHubOidcProvider per account and pass its ARN to every pipeline (oidcProviderArn), or set githubOidcProviderArn in the platform stack's config when the account already has one.",
  configSchema: { properties: {} },
  validateStack: (args, report) => {
    const reportViolation = stackReporter(args.resources, report);
    for (const [issuer, providers] of duplicateGitHubProviders(args.resources)) {
      const names = providers.map((p) => `"${p.name}"`).join(", ");
      for (const provider of providers) {
        reportViolation(
          `GitHub OIDC provider for ${issuer} is declared ${providers.length} times in this stack (${names}); IAM allows one per account: create it once and share its ARN`,
          provider.urn,
        );
      }
    }
  },
};
