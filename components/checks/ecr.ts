import { defaultForceDelete, defaultProtect, requiredTierControls, riskTiers } from "../defaults";
import { booleanProblem, kmsKeyArnProblem } from "../formats";
import { retentionPolicyDocument, retentionProblems } from "../lifecyclePolicy";
import { signsImages } from "../registrySigning";
import { EcrSettings, PullAccess, PullService } from "../pipelineArgs";
import {
  defaultProtectedTagPatterns,
  signedImageRiskLevels,
} from "../../policy-pack/governance/registry";
import {
  matchesEveryTag,
  maxExclusionFilters,
  patternsIntersect,
  tagFilterPattern,
} from "../../policy-pack/governance/tagFilters";
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
  imageTagMutabilityExclusionFilters: true,
  pull: true,
  retention: true,
  signing: true,
} as const satisfies Fields<EcrSettings>;

/** The key list of its interface, tied to it by the compiler. */
export const pullFields = {
  accounts: true,
  organizations: true,
  services: true,
} as const satisfies Fields<PullAccess>;

const pullServices: readonly PullService[] = ["lambda"];
const accountIdPattern = /^\d{12}$/;
/** `o-<id>`, or a path `o-<id>/r-<id>/ou-<id>-<id>/...`, `/`-terminated (aws:PrincipalOrgPaths). */
const organizationPattern =
  /^o-[a-z0-9]{10,32}(\/r-[a-z0-9]{4,32}\/(ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}\/)*)?$/;
const mutabilities = ["MUTABLE", "IMMUTABLE", "IMMUTABLE_WITH_EXCLUSION", "MUTABLE_WITH_EXCLUSION"];

/**
 * The registry's settings: the risk tier's, with the overrides given, where the tier allows
 * them (a tier with immutable tags or KMS may not give them up). `risk` is the metadata's, and
 * may be invalid (reported with the metadata); then only the overrides' own formats are checked.
 */
export function checkEcr(
  ecr: unknown,
  risk: unknown,
  signingProfileGiven = false,
): Checked<PipelineSettings["ecr"]> {
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
    ...exclusionFilterProblems(given, risk),
    ...pullProblems(given.pull),
    ...retentionSettingProblems(given, risk),
    ...signingProblems(given, risk),
  ];
  for (const key of ["forceDelete", "protect", "signing"] as const) {
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
  return checked(problems, () => resolveEcr(settings, risk, signingProfileGiven));
}

/**
 * Tag mutability and encryption: each one of its values, and the risk tier's where the tier
 * requires it (a tier with immutable tags or KMS may not give them up).
 */
function tierControlProblems(given: Record<string, unknown>, risk: unknown): Problem[] {
  const problems: Problem[] = [];
  const required = typeof risk === "string" ? (requiredTierControls[risk] ?? {}) : {};
  if (given.imageTagMutability !== undefined) {
    if (!mutabilities.includes(given.imageTagMutability as string)) {
      problems.push(
        problem(
          "ecr.imageTagMutability",
          given.imageTagMutability,
          `must be one of ${mutabilities.map((m) => `"${m}"`).join(", ")}`,
        ),
      );
    } else if (
      required.imageTagMutability &&
      given.imageTagMutability !== required.imageTagMutability &&
      given.imageTagMutability !== "IMMUTABLE_WITH_EXCLUSION"
    ) {
      problems.push(
        problem(
          "ecr.imageTagMutability",
          given.imageTagMutability,
          `must be "${required.imageTagMutability}" (or "IMMUTABLE_WITH_EXCLUSION" with filters that match no release tag) for a ${risk}-risk registry`,
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

/**
 * Exclusion filters go with a `..._WITH_EXCLUSION` mutability, and only then: 1 to 5 of ECR's
 * wildcard filters, none matching every tag; where the tier requires immutable tags, none that
 * can match a release tag (`defaultProtectedTagPatterns`: the tags environments run).
 */
function exclusionFilterProblems(given: Record<string, unknown>, risk: unknown): Problem[] {
  const filters = given.imageTagMutabilityExclusionFilters;
  const withExclusion = String(given.imageTagMutability ?? "").endsWith("_WITH_EXCLUSION");
  const field = "ecr.imageTagMutabilityExclusionFilters";
  if (filters === undefined) {
    return withExclusion
      ? [
          problem(
            field,
            filters,
            `must list 1 to ${maxExclusionFilters} tag filters with ecr.imageTagMutability "${String(given.imageTagMutability)}", e.g. ["latest"]`,
          ),
        ]
      : [];
  }
  if (!withExclusion) {
    return [
      problem(
        field,
        filters,
        'is only used with ecr.imageTagMutability "IMMUTABLE_WITH_EXCLUSION" or "MUTABLE_WITH_EXCLUSION"',
      ),
    ];
  }
  if (!Array.isArray(filters) || filters.length < 1 || filters.length > maxExclusionFilters) {
    return [
      problem(
        field,
        filters,
        `must be a list of 1 to ${maxExclusionFilters} tag filters, e.g. ["latest", "dev-*"]`,
      ),
    ];
  }
  const problems: Problem[] = [];
  const immutableTier =
    typeof risk === "string" && requiredTierControls[risk]?.imageTagMutability === "IMMUTABLE";
  filters.forEach((filter, index) => {
    const at = `${field}[${index}]`;
    if (typeof filter !== "string" || !tagFilterPattern.test(filter)) {
      problems.push(
        problem(
          at,
          filter,
          'must be an ECR tag filter: 1 to 128 of letters, digits, ._- and * (any run of characters), e.g. "dev-*"',
        ),
      );
    } else if (matchesEveryTag(filter)) {
      problems.push(
        problem(
          at,
          filter,
          `matches every tag: use ecr.imageTagMutability "${String(given.imageTagMutability).replace("_WITH_EXCLUSION", "") === "IMMUTABLE" ? "MUTABLE" : "IMMUTABLE"}" instead`,
        ),
      );
    } else if (immutableTier) {
      const release = defaultProtectedTagPatterns.find((p) => patternsIntersect(p, filter));
      if (release !== undefined) {
        problems.push(
          problem(
            at,
            filter,
            `can match release tags ("${release}"), which must stay immutable on a ${String(risk)}-risk registry: exclude only tags like "latest" or "dev-*"`,
          ),
        );
      }
    }
  });
  return problems;
}

/** Who may pull: account ids, organisation ids or paths, and known services. */
export function pullProblems(pull: unknown, field = "ecr.pull"): Problem[] {
  if (pull === undefined) {
    return [];
  }
  if (!isPlainObject(pull)) {
    return [
      problem(field, pull, `must be an object with any of ${fieldNames(pullFields).join(", ")}`),
    ];
  }
  const problems: Problem[] = [...unknownKeys(field, pull, fieldNames(pullFields))];
  const lists: [keyof PullAccess, (v: unknown) => boolean, string][] = [
    [
      "accounts",
      (v) => typeof v === "string" && accountIdPattern.test(v),
      'an AWS account id of 12 digits, e.g. "210987654321"',
    ],
    [
      "organizations",
      (v) => typeof v === "string" && organizationPattern.test(v),
      'an organisation id ("o-abc123defg") or an organisation path ("o-abc123defg/r-ab12/ou-ab12-11111111/", ending in /)',
    ],
    [
      "services",
      (v) => pullServices.includes(v as PullService),
      `one of ${pullServices.map((p) => `"${p}"`).join(", ")}`,
    ],
  ];
  for (const [key, valid, allowed] of lists) {
    const values = pull[key];
    if (values === undefined) {
      continue;
    }
    if (!Array.isArray(values)) {
      problems.push(problem(`${field}.${key}`, values, `must be a list, each ${allowed}`));
      continue;
    }
    values.forEach((value, index) => {
      if (!valid(value)) {
        problems.push(problem(`${field}.${key}[${index}]`, value, `must be ${allowed}`));
      }
    });
  }
  return problems;
}

/**
 * `ecr.retention`, checked with the count it will go with (`ecr.keepImages`, checked on its
 * own above, or the tier's): the whole lifecycle policy must be one ECR takes.
 */
function retentionSettingProblems(given: Record<string, unknown>, risk: unknown): Problem[] {
  const retention = given.retention;
  if (retention === undefined || !isRiskLevel(risk)) {
    return [];
  }
  if (!isPlainObject(retention)) {
    return [
      problem(
        "ecr.retention",
        retention,
        "must be an object with any of untaggedExpireDays, protectedTagPatterns, archiveAfterDaysNotPulled",
      ),
    ];
  }
  if ("keepImages" in retention) {
    return [
      problem(
        "ecr.retention.keepImages",
        retention.keepImages,
        "is not a retention setting: the count is ecr.keepImages",
      ),
    ];
  }
  const keepImages = Number.isSafeInteger(given.keepImages)
    ? (given.keepImages as number)
    : riskTiers[risk].keepImages;
  return retentionProblems("ecr.retention", { ...retention, keepImages }, risk).filter(
    (p) => p.field !== "ecr.retention.keepImages",
  );
}

/** A tier that signs its images may not stop: `ecr.signing: false` is refused for it. */
function signingProblems(given: Record<string, unknown>, risk: unknown): Problem[] {
  return given.signing === false && isRiskLevel(risk) && signedImageRiskLevels.includes(risk)
    ? [
        problem(
          "ecr.signing",
          false,
          `must be true for a ${risk}-risk registry: its images are always signed (ECR managed signing), so a deploy gate can refuse one the registry did not sign`,
        ),
      ]
    : [];
}

/**
 * Whether the registry's images are signed: as given, else the tier's (always for a tier that
 * signs), else whenever a signing profile is given.
 */
export function resolvedSigning(
  signing: boolean | undefined,
  risk: RiskLevel,
  signingProfileGiven: boolean,
): boolean {
  return signsImages(signing, risk) || (signing === undefined && signingProfileGiven);
}

/** The checked registry settings: the risk tier's, with the overrides given. */
function resolveEcr(
  settings: EcrSettings,
  risk: RiskLevel,
  signingProfileGiven: boolean,
): PipelineSettings["ecr"] {
  const tier = riskTiers[risk];
  const keepImages = settings.keepImages ?? tier.keepImages;
  return {
    imageTagMutability: settings.imageTagMutability ?? tier.imageTagMutability,
    imageTagMutabilityExclusionFilters: settings.imageTagMutabilityExclusionFilters ?? [],
    pull: {
      accounts: [...new Set(settings.pull?.accounts ?? [])],
      organizations: [...new Set(settings.pull?.organizations ?? [])],
      services: [...new Set(settings.pull?.services ?? [])],
    },
    encryption: settings.encryption ?? tier.encryption,
    ...(settings.kmsKeyArn === undefined ? {} : { kmsKeyArn: settings.kmsKeyArn }),
    keepImages,
    forceDelete: settings.forceDelete ?? defaultForceDelete,
    protect: settings.protect ?? defaultProtect,
    scanOnPush: true,
    retention: settings.retention ?? {},
    signing: resolvedSigning(settings.signing, risk, signingProfileGiven),
    lifecyclePolicy: retentionPolicyDocument({ ...settings.retention, keepImages }, risk),
  };
}

/**
 * An app's readers with the stack's default readers (`pull` of the platform config): both, each
 * list without repeats, the defaults first.
 */
export function withDefaultReaders(
  defaults: PullAccess | undefined,
  app: PullAccess | undefined,
): PullAccess | undefined {
  if (defaults === undefined) {
    return app;
  }
  const merged = (key: keyof PullAccess) => [
    ...new Set([...(defaults[key] ?? []), ...(app?.[key] ?? [])]),
  ];
  return {
    accounts: merged("accounts"),
    organizations: merged("organizations"),
    services: merged("services") as PullService[],
  };
}
