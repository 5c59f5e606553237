/**
 * The governance of registries, in one place: the component tags and configures registries by
 * it, the policy pack's defaults come from it, and the CLI (add-app, adoption, the audit) asks
 * it. The tiers are the Terraform registry module's, so registries it made adopt with no diff.
 */

/** Prefix of the governance tag keys: `<prefix>id`, `<prefix>owner`, `<prefix>risk`. */
export const defaultTagPrefix = "goldenpath.idp/";

/** The governance tag keys under a prefix. */
export function governanceTagKeys(tagPrefix: string) {
  return {
    id: `${tagPrefix}id`,
    owner: `${tagPrefix}owner`,
    risk: `${tagPrefix}risk`,
  } as const;
}

/** The tag the pipeline sets besides the governance tags: the stack's environment. */
export const environmentTagKey = "Environment";

/** A registry's id in the platform catalog: upper-case letters, digits and `_`. */
export const registryIdPattern = /^[A-Z0-9_]+$/;

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

export function isRiskLevel(value: unknown): value is RiskLevel {
  return typeof value === "string" && (riskLevels as readonly string[]).includes(value);
}

/**
 * The risk a registry gets when none is given: the Terraform module's variable declares
 * `risk = optional(string, "medium")`, and `add-app` asks for no more.
 */
export const defaultRiskLevel: RiskLevel = RiskLevel.Medium;

/** Whether a tag can be pushed again with other content. */
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

/** ECR's encryption types that count as KMS (dual-layer KMS among them). */
export const kmsEncryptionTypes: readonly string[] = ["KMS", "KMS_DSSE"];

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

/** The controls a risk level requires of every registry: what its tier may not give up. */
export interface TierControls {
  readonly imageTagMutability?: "IMMUTABLE";
  readonly encryption?: "KMS";
}

/**
 * The controls each tier requires, derived from the tiers: a tier with immutable tags requires
 * them, a tier with KMS requires it. The component refuses overrides that drop them, and the
 * policy pack reports registries without them.
 */
export const requiredTierControls: Readonly<Record<string, TierControls>> = Object.freeze(
  Object.fromEntries(
    Object.entries(riskTiers)
      .map(([risk, tier]): [string, TierControls] => [
        risk,
        {
          ...(tier.imageTagMutability === "IMMUTABLE" && { imageTagMutability: "IMMUTABLE" }),
          ...(tier.encryption === "KMS" && { encryption: "KMS" }),
        },
      ])
      .filter(([, controls]) => Object.keys(controls).length > 0),
  ),
);

/**
 * Risk levels whose registries must be scanned continuously (enhanced scanning, Amazon
 * Inspector): the governance policy of the system this replaces requires it of high-risk
 * registries. The platform program's managed registry scanning names them in a continuous rule;
 * the pack reports those no continuous rule covers.
 */
export const continuousScanRiskLevels: readonly RiskLevel[] = Object.freeze([RiskLevel.High]);

/**
 * Risk levels whose images must be signed on push (ECR managed signing, AWS Signer): a deploy
 * gate or admission policy can then refuse an image the registry did not sign. The component
 * signs them unless told otherwise and refuses to stop; the pack reports those no signing rule
 * of the stack covers.
 */
export const signedImageRiskLevels: readonly RiskLevel[] = Object.freeze([RiskLevel.High]);

/**
 * An AWS Signer signing profile's ARN naming one profile exactly, as ECR's signing configuration
 * takes it (its `SigningProfileArn` pattern):
 * `arn:<partition>:signer:<region>:<account>:/signing-profiles/<name>`, the name 2 to 64 letters,
 * digits and `_`, no wildcard anywhere. The component checks given ARNs with it, and the pack's
 * least-privilege rule counts a role's signing permission as scoped only to ARNs of this form.
 */
export const signingProfileArnPattern =
  /^arn:aws(?:-[a-z]+)*:signer:[a-z0-9-]+:\d{12}:\/signing-profiles\/[A-Za-z0-9_]{2,64}$/;

/** How many repository filters one ECR scanning rule may hold (the API's limit). */
export const scanningRuleFilterLimit = 100;

/**
 * The risk levels whose registries must keep their tier's count of images at least, release
 * images included: they serve production, where an expired release breaks rollback and deploys
 * by digest. The pack's `ecr-lifecycle-protects-releases` is mandatory for them; the component
 * refuses `ecr.keepImages` below the tier's count for them.
 */
export const releaseRetentionRiskLevels: readonly RiskLevel[] = Object.freeze([RiskLevel.High]);

/** Release-like tags: `v1.2.3` (Git tags as the pipeline's `refs/tags/v1.2.0`), `release-*`. */
export const defaultProtectedTagPatterns: readonly string[] = Object.freeze(["v*", "release-*"]);
