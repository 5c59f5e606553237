import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { githubIssuer } from "../../lib/githubTrust";
import { types } from "../../lib/resourceTypes";

/** GitHub OIDC providers declared more than once for the same issuer URL, grouped by URL. */
export function duplicateGitHubProviders(
  resources: readonly PolicyResource[],
): Map<string, PolicyResource[]> {
  const byIssuer = new Map<string, PolicyResource[]>();
  for (const resource of resources) {
    if (resource.type !== types.iamOidcProvider && resource.type !== types.nativeIamOidcProvider) {
      continue;
    }
    const url = String(resource.props.url ?? "");
    const issuer = githubIssuer(url.replace(/^https:\/\//i, "").replace(/\/+$/, ""));
    if (issuer !== undefined) {
      byIssuer.set(issuer, [...(byIssuer.get(issuer) ?? []), resource]);
    }
  }
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
  validateStack: (args, reportViolation) => {
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
