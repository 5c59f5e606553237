/** The governance risk levels a registry can carry, lowest first. */
export const riskLevels = ["low", "medium", "high"] as const;

export type RiskLevel = (typeof riskLevels)[number];

export type ImageTagMutability = "MUTABLE" | "IMMUTABLE";

export type EncryptionType = "AES256" | "KMS";

/** The registry controls a risk level implies. */
export interface RiskTier {
  readonly imageTagMutability: ImageTagMutability;
  readonly encryption: EncryptionType;
  /** How many images the lifecycle policy keeps; older ones expire. */
  readonly keepImages: number;
}

/**
 * The risk tiers of the Terraform registry module this package replaces. Keep them identical:
 * registries that module created are adopted with no diff only while these values agree.
 */
export const riskTiers: Readonly<Record<RiskLevel, RiskTier>> = Object.freeze({
  low: Object.freeze({ imageTagMutability: "MUTABLE", encryption: "AES256", keepImages: 20 }),
  medium: Object.freeze({ imageTagMutability: "MUTABLE", encryption: "AES256", keepImages: 30 }),
  high: Object.freeze({ imageTagMutability: "IMMUTABLE", encryption: "KMS", keepImages: 50 }),
});

export function isRiskLevel(value: unknown): value is RiskLevel {
  return typeof value === "string" && (riskLevels as readonly string[]).includes(value);
}
