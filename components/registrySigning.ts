import { signedImageRiskLevels } from "../policy-pack/governance/registry";
import { RiskLevel } from "./riskTiers";

/**
 * The AWS Signer platform of the profiles ECR managed signing signs with: Notation (the Notary
 * Project's format), ECDSA with SHA-384, the one platform ECR accepts for container images.
 */
export const imageSigningPlatformId = "Notation-OCI-SHA384-ECDSA";

/** How many repository filters one rule of ECR's signing configuration may hold (the API's limit). */
export const signingRuleFilterLimit = 100;

/**
 * A stand-in signing profile ARN, for checking an app entry whose profile the platform only
 * creates at deploy time: it has the form a profile ARN has, and names no real profile.
 */
export const standInSigningProfileArn =
  "arn:aws:signer:us-east-1:000000000000:/signing-profiles/platform_profile";

/** One rule of the registry's signing configuration (`aws-native:ecr:SigningConfiguration`). */
export interface RegistrySigningRule {
  readonly signingProfileArn: string;
  readonly repositoryFilters: readonly {
    readonly filter: string;
    readonly filterType: "WILDCARD_MATCH";
  }[];
}

/** A profile's name for an environment: Signer takes 2 to 64 letters, digits and `_`. */
export function signingProfileName(environment: string): string {
  return `trusted_delivery_${environment.replace(/[^A-Za-z0-9]/g, "_")}`.slice(0, 64);
}

/** Whether an app's images are signed: `ecr.signing` as given, else its tier's. */
export function signsImages(signing: boolean | undefined, risk: unknown): boolean {
  return signing ?? signedImageRiskLevels.includes(risk as RiskLevel);
}

/**
 * The registry's signing rules for these repositories, all with the one profile: each
 * repository named by a filter without `*`, so repositories outside the stack are not signed
 * with the stack's profile (were ECR to match names containing a filter, as its scanning
 * filters do, more repositories would be signed, never fewer). ECR allows 100 filters a rule; more
 * repositories take more rules with the same profile.
 */
export function registrySigningRules(
  signingProfileArn: string,
  repositoryNames: readonly string[],
): RegistrySigningRule[] {
  const names = [...new Set(repositoryNames)];
  const rules: RegistrySigningRule[] = [];
  for (let start = 0; start < names.length; start += signingRuleFilterLimit) {
    rules.push({
      signingProfileArn,
      repositoryFilters: names
        .slice(start, start + signingRuleFilterLimit)
        .map((filter) => ({ filter, filterType: "WILDCARD_MATCH" as const })),
    });
  }
  return rules;
}
