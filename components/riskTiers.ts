/**
 * The governance risk levels a registry can carry. The level decides tag mutability, encryption
 * and how many images are kept.
 */
export const RiskLevel = {
  /** Mutable tags, AES256, the last 20 images kept. */
  Low: "low",
  /** Mutable tags, AES256, the last 30 images kept. */
  Medium: "medium",
  /** Immutable tags, KMS, the last 50 images kept. */
  High: "high",
} as const;

export type RiskLevel = (typeof RiskLevel)[keyof typeof RiskLevel];

/** The risk levels, lowest first. */
export const riskLevels: readonly RiskLevel[] = Object.freeze(Object.values(RiskLevel));

/** Whether an image tag can be pushed again with other content. */
export const ImageTagMutability = {
  /** A tag can be moved to a new image (`latest`, `main`). */
  Mutable: "MUTABLE",
  /** A tag, once pushed, always names the same image. */
  Immutable: "IMMUTABLE",
} as const;

export type ImageTagMutability = (typeof ImageTagMutability)[keyof typeof ImageTagMutability];

/** How ECR encrypts images at rest. */
export const EncryptionType = {
  /** Amazon S3-managed keys. */
  Aes256: "AES256",
  /** An AWS KMS key: AWS's managed `aws/ecr` key, or the one given. */
  Kms: "KMS",
} as const;

export type EncryptionType = (typeof EncryptionType)[keyof typeof EncryptionType];

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
