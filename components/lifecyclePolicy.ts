import { matchesEveryTag, tagFilterPattern } from "../policy-pack/governance/tagFilters";
import {
  Fields,
  fieldNames,
  isPlainObject,
  Problem,
  problem,
  stringList,
  unknownKeys,
} from "./problems";
import { releaseRetentionRiskLevels, RiskLevel, riskTiers } from "./riskTiers";

/** The description the Terraform module gives its single lifecycle rule. */
export function lifecycleRuleDescription(keepImages: number, risk: RiskLevel): string {
  return `Keep last ${keepImages} images (${risk} risk policy)`;
}

/**
 * The ECR lifecycle policy that keeps the last `keepImages` images, whatever their tags.
 *
 * The text is byte for byte what the Terraform module's `jsonencode` wrote (keys sorted, no
 * whitespace), so a registry that module created is adopted with no diff.
 */
export function lifecyclePolicyDocument(keepImages: number, risk: RiskLevel): string {
  return JSON.stringify({
    rules: [
      {
        action: { type: "expire" },
        description: lifecycleRuleDescription(keepImages, risk),
        rulePriority: 1,
        selection: {
          countNumber: keepImages,
          countType: "imageCountMoreThan",
          tagStatus: "any",
        },
      },
    ],
  });
}

/**
 * How many images a lifecycle policy keeps, when it is exactly the one
 * {@link lifecyclePolicyDocument} writes (one rule expiring images beyond a count, whatever their
 * tags); undefined for any other policy. Its inverse, so that adoption reads back what the
 * pipeline would write: `keptImages(lifecyclePolicyDocument(n, risk)) === n`.
 */
export function keptImages(policy: string | undefined): number | undefined {
  let rules: unknown;
  try {
    rules = JSON.parse(policy ?? "").rules;
  } catch {
    return undefined;
  }
  if (!Array.isArray(rules) || rules.length !== 1) {
    return undefined;
  }
  const [rule] = rules;
  const selection = rule?.selection;
  return rule?.action?.type === "expire" &&
    selection?.countType === "imageCountMoreThan" &&
    selection?.tagStatus === "any" &&
    Number.isSafeInteger(selection.countNumber) &&
    selection.countNumber >= 1
    ? selection.countNumber
    : undefined;
}

// ---------------------------------------------------------------------------------------------
// Retention that protects what runs: release tags shielded, untagged images cleaned up by age,
// releases nobody pulls archived, and the last N images kept.
//
// Why the policy below never expires an image carrying a protected tag, from the rules quoted in
// policy-pack/resources/lifecycleRules.ts (Amazon ECR User Guide, "Lifecycle policy evaluation
// rules"): (E2) "An image is expired or archived by exactly one or zero rules"; (E3) "An image
// that matches the tagging requirements of a rule cannot be expired or archived by a rule with a
// lower priority"; (E5) a `tagPatternList` selects an image when every pattern in it matches one
// of the image's tags. Each protected pattern gets a rule of its own, before every other rule
// (rule priorities 1, 2, ...): a list of several patterns would select only images carrying all
// of them. An image with a protected tag matches that rule's tagging requirements, so no later
// rule can act on it (E3); the shield rule itself either
// - expires images beyond a count ECR never reaches: `imageCountMoreThan` 100,000, the "Images per
//   repository" quota (Amazon ECR service quotas, default 100,000): a repository holding at most
//   100,000 images never has more than 100,000 selected by one rule, so the rule expires nothing.
//   (The quota is adjustable: a repository whose quota is raised past 100,000 could, once it holds
//   more than 100,000 release images, expire the oldest of them.) Or
// - with `archiveAfterDaysNotPulled`, moves them to the archive storage class once they have not
//   been pulled for that many days (`sinceImagePulled`, action `transition`): transition deletes
//   nothing, and no rule of the archive storage class is written, so archived releases stay until
//   someone restores or deletes them. ECR applies `sinceImagePulled` only with `transition` ("It
//   cannot be used with the `expire` action", [Examples]), and selects images of standard storage.
//
// Why archiving applies to release images only: by E2 and E3, every image belongs to one rule, the
// first whose tag selection it matches. A rule archiving unprotected images (it would have to be
// `tagged` `["*"]`: the one `tagStatus: any` rule of a storage class must come last, [Properties])
// would own every tagged image before the keep-last-N rule, which could then expire none of them;
// an `untagged` one would take the place of the untagged expiry (one untagged rule per storage
// class, [Rules]). Releases are the images kept whatever the count, so archiving is where they
// stop costing standard storage.

/** The "Images per repository" quota (Amazon ECR service quotas): a count no rule can exceed. */
export const neverReachedImageCount = 100_000;

/** [Properties, tagPatternList]: "You can use up to four wildcards (`*`) per string." */
export const maxTagPatternWildcards = 4;

/** Amazon ECR service quotas, "Lifecycle policy length": "The maximum number of characters". */
export const maxLifecyclePolicyLength = 30_720;

/** Days accepted for `untaggedExpireDays` and `archiveAfterDaysNotPulled`: up to ten years. */
export const retentionDayRange = { min: 1, max: 3650 } as const;

/**
 * How a registry's lifecycle policy keeps images. With only `keepImages`, the policy is the one
 * {@link lifecyclePolicyDocument} writes (what the Terraform module wrote), so existing registries
 * adopt with no diff.
 */
export interface RetentionSettings {
  /**
   * Keep the newest N images of standard storage, counting every image (releases and untagged
   * ones included, as ECR counts: "Rules can ... still identify them as if they haven't been
   * expired"); older ones expire unless an earlier rule owns them: release images (protected
   * tags) never, untagged ones by `untaggedExpireDays`. At least 1, and at least the tier's count
   * for tiers that serve production.
   */
  readonly keepImages: number;
  /**
   * Expire untagged images this many days after their push, whatever the count (1 to 3650).
   * @default none: untagged images are kept or expired by `keepImages` like the others.
   */
  readonly untaggedExpireDays?: number;
  /**
   * ECR tag patterns (`*` the only wildcard, at most 4 per pattern, e.g. `v*`, `release-*`):
   * images with a tag any of them matches are never expired by the policy, whatever the count.
   * `*` (every tag) is refused: it would keep every tagged image forever.
   * @default none: every image counts towards `keepImages`.
   */
  readonly protectedTagPatterns?: readonly string[];
  /**
   * Move release images (those `protectedTagPatterns` protects) that have not been pulled for
   * this many days to the archive storage class (ECR's `sinceImagePulled`, action `transition`),
   * 1 to 3650. Archived images are never deleted by the policy, but "cannot be pulled" until
   * restored: choose more days than any environment runs a release without pulling it.
   * @default none: release images stay in standard storage.
   */
  readonly archiveAfterDaysNotPulled?: number;
}

/** The key list of its interface, tied to it by the compiler. */
export const retentionFields = {
  keepImages: true,
  untaggedExpireDays: true,
  protectedTagPatterns: true,
  archiveAfterDaysNotPulled: true,
} as const satisfies Fields<RetentionSettings>;

/**
 * The settings as a policy expresses them: unset fields and an empty pattern list left out, and
 * no archiving without patterns to archive (the policy has no rule for it). What
 * {@link retentionFromPolicy} reads back from {@link retentionPolicyDocument}'s policy.
 */
export function normalRetention(retention: RetentionSettings): RetentionSettings {
  const patterns = retention.protectedTagPatterns ?? [];
  return {
    keepImages: retention.keepImages,
    ...(retention.untaggedExpireDays !== undefined && {
      untaggedExpireDays: retention.untaggedExpireDays,
    }),
    ...(patterns.length > 0 && { protectedTagPatterns: [...new Set(patterns)] }),
    ...(patterns.length > 0 &&
      retention.archiveAfterDaysNotPulled !== undefined && {
        archiveAfterDaysNotPulled: retention.archiveAfterDaysNotPulled,
      }),
  };
}

const dayCount = (n: number) => (n === 1 ? "1 day" : `${n} days`);

/** A rule with its keys sorted, as the Terraform module's `jsonencode` wrote them. */
interface RuleText {
  action: { targetStorageClass?: "archive"; type: "expire" | "transition" };
  description: string;
  rulePriority: number;
  selection: {
    countNumber: number;
    countType: "imageCountMoreThan" | "sinceImagePushed" | "sinceImagePulled";
    countUnit?: "days";
    tagPatternList?: string[];
    tagStatus: "any" | "tagged" | "untagged";
  };
}

/** The rules, without priorities, in the order ECR must apply them (see the argument above). */
function retentionRules(
  retention: RetentionSettings,
  risk: RiskLevel,
): Omit<RuleText, "rulePriority">[] {
  const { keepImages, untaggedExpireDays, protectedTagPatterns, archiveAfterDaysNotPulled } =
    normalRetention(retention);
  const shields = (protectedTagPatterns ?? []).map((pattern): Omit<RuleText, "rulePriority"> =>
    archiveAfterDaysNotPulled === undefined
      ? {
          action: { type: "expire" },
          description: `Never expire images tagged ${pattern}: no repository holds more than ${neverReachedImageCount} images (${risk} risk policy)`,
          selection: {
            countNumber: neverReachedImageCount,
            countType: "imageCountMoreThan",
            tagPatternList: [pattern],
            tagStatus: "tagged",
          },
        }
      : {
          action: { targetStorageClass: "archive", type: "transition" },
          description: `Archive images tagged ${pattern} not pulled for ${dayCount(archiveAfterDaysNotPulled)}, never expire them (${risk} risk policy)`,
          selection: {
            countNumber: archiveAfterDaysNotPulled,
            countType: "sinceImagePulled",
            countUnit: "days",
            tagPatternList: [pattern],
            tagStatus: "tagged",
          },
        },
  );
  const untagged: Omit<RuleText, "rulePriority">[] =
    untaggedExpireDays === undefined
      ? []
      : [
          {
            action: { type: "expire" },
            description: `Expire untagged images ${dayCount(untaggedExpireDays)} after their push (${risk} risk policy)`,
            selection: {
              countNumber: untaggedExpireDays,
              countType: "sinceImagePushed",
              countUnit: "days",
              tagStatus: "untagged",
            },
          },
        ];
  // The `any` rule comes last, as ECR requires; its description is the Terraform module's.
  const keepLast: Omit<RuleText, "rulePriority"> = {
    action: { type: "expire" },
    description: lifecycleRuleDescription(keepImages, risk),
    selection: { countNumber: keepImages, countType: "imageCountMoreThan", tagStatus: "any" },
  };
  return [...shields, ...untagged, keepLast];
}

/**
 * The ECR lifecycle policy for the retention settings: a rule per protected pattern (priorities
 * 1, 2, ...: never expiring, or archiving, its images), then the untagged expiry, then the
 * `tagStatus: any` rule keeping the last `keepImages` (the highest priority number, as ECR
 * requires). No image with a protected tag is expired by any rule (see the argument above). With
 * only `keepImages`, exactly {@link lifecyclePolicyDocument}'s text. Keys are sorted and there is
 * no whitespace, as the Terraform module wrote its policies.
 */
export function retentionPolicyDocument(retention: RetentionSettings, risk: RiskLevel): string {
  const rules = retentionRules(retention, risk);
  if (rules.length === 1) {
    return lifecyclePolicyDocument(retention.keepImages, risk);
  }
  return JSON.stringify({
    rules: rules.map((rule, i) => ({
      action: rule.action,
      description: rule.description,
      rulePriority: i + 1,
      selection: rule.selection,
    })),
  });
}

/** Whether two parsed JSON values are equal, keys in any order. */
function sameJson(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) &&
      Array.isArray(b) &&
      a.length === b.length &&
      a.every((item, i) => sameJson(item, b[i]))
    );
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a);
    return (
      keys.length === Object.keys(b).length &&
      keys.every((key) => Object.prototype.hasOwnProperty.call(b, key) && sameJson(a[key], b[key]))
    );
  }
  return a === b;
}

/**
 * The retention settings a lifecycle policy expresses, when it is exactly a policy
 * {@link retentionPolicyDocument} writes (rule descriptions aside: they name the risk, which the
 * settings do not hold); undefined for any other policy. A one-rule policy is read as
 * {@link keptImages} reads it, so every policy it accepts (the Terraform module's among them)
 * reads back as `{ keepImages }`. Its inverse, for adoption:
 * `retentionFromPolicy(retentionPolicyDocument(r, risk))` deep-equals `normalRetention(r)`.
 */
export function retentionFromPolicy(policy: string | undefined): RetentionSettings | undefined {
  const kept = keptImages(policy);
  if (kept !== undefined) {
    return { keepImages: kept };
  }
  let rules: unknown;
  try {
    rules = JSON.parse(policy ?? "").rules;
  } catch {
    return undefined;
  }
  if (!Array.isArray(rules) || rules.length < 2 || !rules.every(isPlainObject)) {
    return undefined;
  }
  const selection = (rule: Record<string, unknown>) =>
    isPlainObject(rule.selection) ? rule.selection : {};
  const last = selection(rules[rules.length - 1]);
  const untagged = rules.find((rule) => selection(rule).tagStatus === "untagged");
  const shields = rules.filter((rule) => selection(rule).tagStatus === "tagged");
  const patterns = shields.map((rule) => {
    const list = selection(rule).tagPatternList;
    return Array.isArray(list) && list.length === 1 ? list[0] : undefined;
  });
  const archive = shields.length > 0 ? selection(shields[0]) : {};
  const candidate = {
    keepImages: last.countNumber,
    ...(untagged !== undefined && { untaggedExpireDays: selection(untagged).countNumber }),
    ...(shields.length > 0 && { protectedTagPatterns: patterns }),
    ...(archive.countType === "sinceImagePulled" && {
      archiveAfterDaysNotPulled: archive.countNumber,
    }),
  };
  // Only well-formed values are written back: each count a whole number, each pattern a string.
  const counts = [
    candidate.keepImages,
    candidate.untaggedExpireDays,
    candidate.archiveAfterDaysNotPulled,
  ].filter((n) => n !== undefined);
  if (
    !counts.every((n) => Number.isSafeInteger(n) && (n as number) >= 1) ||
    !patterns.every((p) => typeof p === "string" && p !== "")
  ) {
    return undefined;
  }
  const retention = candidate as RetentionSettings;
  // The policy is one the settings write, or not theirs at all: compare every field but the
  // descriptions with what they write.
  const withoutDescriptions = (text: unknown) =>
    (text as Record<string, unknown>[]).map(({ description: _, ...rule }) => rule);
  const written = JSON.parse(retentionPolicyDocument(retention, "low")).rules;
  const descriptionsAreStrings = rules.every(
    (rule) => rule.description === undefined || typeof rule.description === "string",
  );
  return descriptionsAreStrings &&
    sameJson(withoutDescriptions(rules), withoutDescriptions(written)) &&
    sameJson(normalRetention(retention), retention)
    ? retention
    : undefined;
}

/**
 * Every problem with retention settings given at `field` (e.g. `ecr.retention`), as untyped data:
 * each names the setting, the value and what is allowed. `keepImages` is checked as
 * `ecr.keepImages` is (at least 1; at least the tier's count where the tier serves production),
 * the days as whole numbers from 1 to 3650, the patterns as ECR's tag patterns (letters, digits,
 * `._-` and `*`, up to 128 characters, at most 4 wildcards, none repeated), never one matching
 * every tag.
 */
export function retentionProblems(field: string, value: unknown, risk: RiskLevel): Problem[] {
  if (!isPlainObject(value)) {
    return [
      problem(
        field,
        value,
        `must be an object with keepImages and any of ${fieldNames(retentionFields)
          .filter((key) => key !== "keepImages")
          .join(", ")}`,
      ),
    ];
  }
  const problems: Problem[] = [
    ...unknownKeys(field, value, fieldNames(retentionFields)),
    ...countProblems(field, value, risk),
    ...patternProblems(field, value),
  ];
  if (problems.length === 0) {
    const length = retentionPolicyDocument(
      value as Partial<RetentionSettings> as RetentionSettings,
      risk,
    ).length;
    if (length > maxLifecyclePolicyLength) {
      problems.push(
        problem(
          `${field}.protectedTagPatterns`,
          value.protectedTagPatterns,
          `makes a lifecycle policy of ${length} characters; ECR takes at most ${maxLifecyclePolicyLength}: give fewer patterns`,
        ),
      );
    }
  }
  return problems;
}

/** `keepImages` as `ecr.keepImages` is checked, and the days as whole numbers in range. */
function countProblems(field: string, value: Record<string, unknown>, risk: RiskLevel): Problem[] {
  const problems: Problem[] = [];
  const keepField = `${field}.keepImages`;
  const minimum = releaseRetentionRiskLevels.includes(risk) ? riskTiers[risk].keepImages : 1;
  if (!(Number.isSafeInteger(value.keepImages) && (value.keepImages as number) >= 1)) {
    problems.push(
      problem(keepField, value.keepImages, "must be a whole number of images, at least 1"),
    );
  } else if ((value.keepImages as number) < minimum) {
    problems.push(
      problem(
        keepField,
        value.keepImages,
        `must be at least ${minimum} for a ${risk}-risk registry, which serves production: fewer would expire releases an environment may still run`,
      ),
    );
  }
  for (const key of ["untaggedExpireDays", "archiveAfterDaysNotPulled"] as const) {
    const days = value[key];
    if (
      days !== undefined &&
      !(
        Number.isSafeInteger(days) &&
        (days as number) >= retentionDayRange.min &&
        (days as number) <= retentionDayRange.max
      )
    ) {
      problems.push(
        problem(
          `${field}.${key}`,
          days,
          `must be a whole number of days from ${retentionDayRange.min} to ${retentionDayRange.max}`,
        ),
      );
    }
  }
  return problems;
}

/** The protected patterns: ECR's, listed once each, and given when archiving asks for them. */
function patternProblems(field: string, value: Record<string, unknown>): Problem[] {
  const problems: Problem[] = [];
  const patternsField = `${field}.protectedTagPatterns`;
  const patterns = value.protectedTagPatterns;
  if (patterns !== undefined && !(Array.isArray(patterns) && patterns.length > 0)) {
    problems.push(
      problem(patternsField, patterns, 'must list at least one ECR tag pattern, e.g. ["v*"]'),
    );
  }
  const listed = stringList(
    patternsField,
    Array.isArray(patterns) ? patterns : undefined,
    tagPatternProblem,
  );
  problems.push(...listed.problems);
  // ECR refuses two rules of a storage class with the same tag list [Rules].
  if (Array.isArray(patterns)) {
    patterns.forEach((pattern, i) => {
      const first = patterns.indexOf(pattern);
      if (typeof pattern === "string" && first < i) {
        problems.push(
          problem(
            `${patternsField}[${i}]`,
            pattern,
            `repeats ${patternsField}[${first}]; list each pattern once`,
          ),
        );
      }
    });
  }
  if (value.archiveAfterDaysNotPulled !== undefined && patterns === undefined) {
    problems.push(
      problem(
        `${field}.archiveAfterDaysNotPulled`,
        value.archiveAfterDaysNotPulled,
        `archives the images protectedTagPatterns protects: give ${patternsField} too, e.g. ["v*"]`,
      ),
    );
  }
  return problems;
}

/** The problem with one protected tag pattern, if any. */
function tagPatternProblem(pattern: string, at: string): Problem | undefined {
  if (!tagFilterPattern.test(pattern)) {
    return problem(
      at,
      pattern,
      "must be an ECR tag pattern: 1 to 128 letters, digits, '.', '_', '-' or '*', e.g. \"v*\"",
    );
  }
  const wildcards = pattern.split("*").length - 1;
  if (wildcards > maxTagPatternWildcards) {
    return problem(
      at,
      pattern,
      `has ${wildcards} wildcards; ECR takes at most ${maxTagPatternWildcards} per pattern, e.g. "v*.*.*"`,
    );
  }
  if (matchesEveryTag(pattern)) {
    return problem(
      at,
      pattern,
      'matches every tag, so it would keep every tagged image forever; name release tags, e.g. "v*" or "release-*"',
    );
  }
  return undefined;
}
