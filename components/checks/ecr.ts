import { defaultForceDelete, defaultProtect, requiredTierControls, riskTiers } from "../defaults";
import { booleanProblem, kmsKeyArnProblem } from "../formats";
import { lifecyclePolicyDocument } from "../lifecyclePolicy";
import { EcrSettings } from "../pipelineArgs";
import type { PipelineSettings } from "../pipelineSettings";
import {
  Checked,
  checked,
  Fields,
  fieldNames,
  isPlainObject,
  isUnknownYet,
  Problem,
  problem,
  unknownKeys,
} from "../problems";
import { isRiskLevel, releaseRetentionRiskLevels, RiskLevel } from "../riskTiers";

/** The key list of its interface, tied to it by the compiler. */
export const ecrFields = {
  imageTagMutability: true,
  encryption: true,
  kmsKeyArn: true,
  keepImages: true,
  forceDelete: true,
  protect: true,
} as const satisfies Fields<EcrSettings>;

/**
 * The registry's settings: the risk tier's, with the overrides given, where the tier allows
 * them (a tier with immutable tags or KMS may not give them up). `risk` is the metadata's, and
 * may be invalid (reported with the metadata); then only the overrides' own formats are checked.
 */
export function checkEcr(ecr: unknown, risk: unknown): Checked<PipelineSettings["ecr"]> {
  const given = ecr ?? {};
  if (!isPlainObject(given)) {
    return {
      problems: [
        problem("ecr", ecr, `must be an object with any of ${fieldNames(ecrFields).join(", ")}`),
      ],
    };
  }
  const problems: Problem[] = [
    ...unknownKeys("ecr", given, fieldNames(ecrFields)),
    ...tierControlProblems(given, risk),
    ...kmsKeyArnProblems(given, risk),
    ...keepImagesProblems(given, risk),
  ];
  for (const key of ["forceDelete", "protect"] as const) {
    const booleanIssue = booleanProblem(`ecr.${key}`, given[key]);
    if (booleanIssue) {
      problems.push(booleanIssue);
    }
  }
  if (!isRiskLevel(risk)) {
    // The risk is reported with the metadata; without it there are no settings to resolve.
    return { problems };
  }
  const settings = given as EcrSettings;
  return checked(problems, () => resolveEcr(settings, risk));
}

/**
 * Tag mutability and encryption: each one of its values, and the risk tier's where the tier
 * requires it (a tier with immutable tags or KMS may not give them up).
 */
function tierControlProblems(given: Record<string, unknown>, risk: unknown): Problem[] {
  const problems: Problem[] = [];
  const required = typeof risk === "string" ? (requiredTierControls[risk] ?? {}) : {};
  if (given.imageTagMutability !== undefined) {
    if (given.imageTagMutability !== "MUTABLE" && given.imageTagMutability !== "IMMUTABLE") {
      problems.push(
        problem(
          "ecr.imageTagMutability",
          given.imageTagMutability,
          'must be "MUTABLE" or "IMMUTABLE"',
        ),
      );
    } else if (
      required.imageTagMutability &&
      given.imageTagMutability !== required.imageTagMutability
    ) {
      problems.push(
        problem(
          "ecr.imageTagMutability",
          given.imageTagMutability,
          `must be "${required.imageTagMutability}" for a ${risk}-risk registry`,
        ),
      );
    }
  }
  if (given.encryption !== undefined) {
    if (given.encryption !== "AES256" && given.encryption !== "KMS") {
      problems.push(problem("ecr.encryption", given.encryption, 'must be "AES256" or "KMS"'));
    } else if (required.encryption && given.encryption !== required.encryption) {
      problems.push(
        problem(
          "ecr.encryption",
          given.encryption,
          `must be "${required.encryption}" for a ${risk}-risk registry`,
        ),
      );
    }
  }
  return problems;
}

/**
 * A KMS key is a key's ARN, and only with KMS encryption (given, or the tier's). A key that is
 * only known once resources exist is skipped, not guessed.
 */
function kmsKeyArnProblems(given: Record<string, unknown>, risk: unknown): Problem[] {
  if (given.kmsKeyArn === undefined || isUnknownYet(given.kmsKeyArn)) {
    return [];
  }
  const encryption =
    given.encryption ?? (isRiskLevel(risk) ? riskTiers[risk].encryption : undefined);
  const arnProblem = kmsKeyArnProblem("ecr.kmsKeyArn", given.kmsKeyArn);
  if (arnProblem) {
    return [arnProblem];
  }
  return encryption === "AES256"
    ? [problem("ecr.kmsKeyArn", given.kmsKeyArn, 'is only used with ecr.encryption "KMS"')]
    : [];
}

/** At least one image is kept, and at least the tier's for registries that serve production. */
function keepImagesProblems(given: Record<string, unknown>, risk: unknown): Problem[] {
  const problems: Problem[] = [];
  if (
    given.keepImages !== undefined &&
    !(Number.isSafeInteger(given.keepImages) && (given.keepImages as number) >= 1)
  ) {
    problems.push(
      problem("ecr.keepImages", given.keepImages, "must be a whole number of images, at least 1"),
    );
  }
  if (
    Number.isSafeInteger(given.keepImages) &&
    isRiskLevel(risk) &&
    releaseRetentionRiskLevels.includes(risk) &&
    (given.keepImages as number) < riskTiers[risk].keepImages
  ) {
    problems.push(
      problem(
        "ecr.keepImages",
        given.keepImages,
        `must be at least ${riskTiers[risk].keepImages} for a ${risk}-risk registry, which serves production: fewer would expire releases an environment may still run`,
      ),
    );
  }
  return problems;
}

/** The checked registry settings: the risk tier's, with the overrides given. */
function resolveEcr(settings: EcrSettings, risk: RiskLevel): PipelineSettings["ecr"] {
  const tier = riskTiers[risk];
  const keepImages = settings.keepImages ?? tier.keepImages;
  return {
    imageTagMutability: settings.imageTagMutability ?? tier.imageTagMutability,
    encryption: settings.encryption ?? tier.encryption,
    ...(settings.kmsKeyArn === undefined ? {} : { kmsKeyArn: settings.kmsKeyArn }),
    keepImages,
    forceDelete: settings.forceDelete ?? defaultForceDelete,
    protect: settings.protect ?? defaultProtect,
    scanOnPush: true,
    lifecyclePolicy: lifecyclePolicyDocument(keepImages, risk),
  };
}
