/**
 * ECR lifecycle policies as ECR reads them: {@link parseLifecyclePolicy} turns a policy (its JSON
 * text, or the object) into rules, refusing what ECR refuses; {@link judgeLifecycle} says which
 * rules can expire release images (tags matching protected patterns) sooner than a risk tier
 * keeps its images, and which rules on every image keep fewer images than the tier.
 *
 * Sources quoted below (Amazon ECR User Guide):
 * - [Rules] "Automate the cleanup of images by using lifecycle policies", section "Lifecycle
 *   policy evaluation rules" (docs.aws.amazon.com/AmazonECR/latest/userguide/LifecyclePolicies.html).
 * - [Properties] "Lifecycle policy properties in Amazon ECR" (lifecycle_policy_parameters.html).
 * - [Examples] "Examples of lifecycle policies in Amazon ECR" (lifecycle_policy_examples.html).
 * - [Archive] "Archiving an image" (archive-image.html).
 *
 * ## Why "no finding" is a proof
 *
 * How ECR applies rules, from [Rules]:
 * - (E1) "All rules are evaluated at the same time, regardless of rule priority. After all rules
 *   are evaluated, they are then applied based on rule priority."
 * - (E2) "An image is expired or archived by exactly one or zero rules."
 * - (E3) "An image that matches the tagging requirements of a rule cannot be expired or archived
 *   by a rule with a lower priority."
 * - (E4) "Rules can never mark images that are marked by higher priority rules, but can still
 *   identify them as if they haven't been expired or archived."
 * - (E5) "An image is successfully matched if all of the tags in the `tagPatternList` or
 *   `tagPrefixList` value are matched against any of the image's tags." A tag list is a
 *   conjunction over the image's tags: an image with several tags is selected by every rule each
 *   of whose patterns one of its tags matches ([Examples]: "tags are not exclusive"), so a
 *   release that also carries the tag `pr-7` is selected by a `pr-*` rule.
 * - (E6) storageClass: "The rule will only select images of this storage class" [Properties].
 * - (E7) "With `countType = imageCountMoreThan`, images are sorted from youngest to oldest based
 *   on `pushed_at_time` and then all images greater than the specified count are expired or
 *   archived."
 *
 * So an image belongs to the first rule (lowest `rulePriority`) of its storage class whose tag
 * selection it matches (E3, E6), and only that rule can act on it (E2); a rule counting images
 * counts every image it selects, its own or not (E4). Take an image x carrying a tag that a
 * protected pattern P matches, expired by rule R:
 * - R's action is `expire`: `transition` only moves images "to archive storage" [Properties].
 * - R is not `untagged`: x has a tag, and untagged rules select images without one.
 * - No earlier rule E of R's storage class selects x (E3).
 * - If R counts by age, x went by age: that is reported whenever R can own an image tagged P.
 *   If R counts images, x had at least `countNumber` newer images that R selects (E7), so it can
 *   expire with fewer than `keepImages` newer images only when `countNumber < keepImages`.
 *
 * Whether R can own an image tagged P is decided exactly, by {@link claimsAll}: an earlier rule E
 * selects every image tagged P that R selects iff each of E's patterns includes P or includes one
 * of R's patterns (then the P tag, or the tag that matches R's pattern, matches it: E5).
 * Conversely, when every earlier rule has a pattern including neither, take the image whose tags
 * are the canonical tags of P and of R's patterns (each pattern with its `*`s replaced by a
 * character no pattern contains). A canonical tag matches a pattern only if that pattern includes
 * its own (see {@link includes}), so R selects the image and no earlier rule does: R owns it, and
 * it expires given `countNumber` newer images selected by R (each tagged with R's canonical tags),
 * or once it is old enough. No union of earlier rules does what no single one does, because
 * canonical tags escape each of them separately: the judgement never guesses that an earlier rule
 * "always takes the image first".
 *
 * ## Where a finding can over-approximate (every gap fails closed: it reports)
 * - Inclusion is decided over all strings, and the image set above uses a character no pattern
 *   contains: if ECR's tag alphabet has none left, or a canonical tag is one ECR would refuse,
 *   the finding may be shown by no real repository. A pattern covering another only over valid
 *   tags is not taken as covering it: the rule after it is still reported.
 * - "If an image is referenced by a manifest list, it cannot be expired or archived without the
 *   manifest list being deleted or archived first" [Rules]: ignored; it only keeps images longer.
 * - Rules of the archive storage class are judged even when no rule archives release images:
 *   "You can archive images manually" [Archive].
 * - "If an image was archived and then restored at any point in the past, the image's
 *   `last_activated_at` is used instead of `pushed_at_time`" [Rules]: ages count from a later
 *   time (so expire later, never sooner), and "newer" above is in that order, the one ECR counts.
 * Tested by test/policy-pack/lifecycleRules.test.ts: an independent evaluator of the documented
 * rules, on AWS's examples, and on generated policies in both directions (every expiry it shows
 * is reported; every finding is shown by the canonical image set above).
 */

/** Which images a rule selects by their tags [Properties, "Tag status"]. */
export type TagStatus = "tagged" | "untagged" | "any";

/** How a rule counts [Properties, "Count type"]. */
export type CountType =
  "imageCountMoreThan" | "sinceImagePushed" | "sinceImagePulled" | "sinceImageTransitioned";

/** Where an image is stored: `standard` can be pulled; "Archived images cannot be pulled". */
export type StorageClass = "standard" | "archive";

/** `expire` deletes images; `transition` moves them to archive storage [Properties, "Action"]. */
export type LifecycleActionType = "expire" | "transition";

/** A tag pattern: its literal segments, with a `*` between each two. `v*` is `["v", ""]`. */
export interface TagPattern {
  /** As the policy (or config) spells it: `v*`, or a prefix `v` as `tagPrefixList` gives it. */
  readonly text: string;
  readonly segments: readonly string[];
}

/** A rule of a lifecycle policy, as ECR accepted it. */
export interface LifecycleRule {
  readonly rulePriority: number;
  readonly description?: string;
  readonly tagStatus: TagStatus;
  /** Tagged rules only: the list the rule gives, as given. */
  readonly tagList?: {
    readonly field: "tagPatternList" | "tagPrefixList";
    readonly values: readonly string[];
  };
  /** The patterns of the tag list: a prefix `p` is the pattern `p*`, its text taken literally. */
  readonly patterns: readonly TagPattern[];
  readonly storageClass: StorageClass;
  readonly countType: CountType;
  readonly countNumber: number;
  readonly action: LifecycleActionType;
}

/** A policy ECR accepts (its rules by priority), or every reason it would refuse it. */
export type ParsedLifecyclePolicy =
  | { readonly ok: true; readonly rules: readonly LifecycleRule[] }
  | { readonly ok: false; readonly problems: readonly string[] };

// ---------------------------------------------------------------------------------------------
// Tag patterns: `*` is the only wildcard [Rules: "if a filter of `prod*` is applied, it would
// match image-tags whose name begins with `prod` such as `prod`, `prod1`, or `production-team1`"]
// (so `*` also matches nothing). Matching is taken as case-sensitive: were ECR to ignore case,
// earlier rules would only select more, so a judgement of no finding would still hold.

/** A `tagPatternList` entry (or a protected pattern from config). */
export function tagPattern(text: string): TagPattern {
  return { text, segments: text.split("*") };
}

/** A `tagPrefixList` entry: tags that begin with it, its characters taken literally. */
export function prefixPattern(prefix: string): TagPattern {
  return { text: prefix, segments: [prefix, ""] };
}

/**
 * Whether the pattern matches the tag. With `*` the only wildcard, the first and last segments
 * anchor the ends and the middle ones may be found leftmost-first: a later occurrence never
 * leaves more room for the rest than the leftmost one does.
 */
export function matchesTag(pattern: TagPattern, tag: string): boolean {
  const { segments } = pattern;
  const first = segments[0];
  if (segments.length === 1) {
    return tag === first;
  }
  const last = segments[segments.length - 1];
  if (tag.length < first.length + last.length || !tag.startsWith(first) || !tag.endsWith(last)) {
    return false;
  }
  let at = first.length;
  const end = tag.length - last.length;
  for (const segment of segments.slice(1, -1)) {
    const found = tag.indexOf(segment, at);
    if (found < 0 || found + segment.length > end) {
      return false;
    }
    at = found + segment.length;
  }
  return true;
}

/** A character that none of the patterns' text contains (from Unicode's private use area). */
function freshCharacter(patterns: readonly TagPattern[]): string {
  const used = patterns.map((p) => p.segments.join("")).join("");
  let code = 0xe000;
  while (used.includes(String.fromCharCode(code))) {
    code += 1;
  }
  return String.fromCharCode(code);
}

/** The pattern with each `*` replaced by a character: a tag it matches, and the most specific. */
export function canonicalTag(pattern: TagPattern, wildcard: string): string {
  return pattern.segments.join(wildcard);
}

/**
 * Whether `outer` matches every tag `inner` matches. Exact, for `*`-only patterns: with `c` a
 * character `outer`'s text does not contain, `outer` includes `inner` iff `outer` matches
 * `inner` with each `*` replaced by `c`. If it includes it, it matches that string, which
 * `inner` matches. If it matches it, each `c` falls inside what one of `outer`'s `*`s matched
 * (its literal text has no `c`), so putting any strings in place of the `c`s leaves a match:
 * `outer` matches every tag `inner` matches.
 */
export function includes(outer: TagPattern, inner: TagPattern): boolean {
  return matchesTag(outer, canonicalTag(inner, freshCharacter([outer])));
}

/** Whether the pattern matches every tag (it is only `*`s). */
function matchesEveryTag(pattern: TagPattern): boolean {
  return pattern.segments.every((segment) => segment === "");
}

// ---------------------------------------------------------------------------------------------
// Parsing. Every problem is collected, each naming the rule and the field.

const policyFields = ["rules"];
const ruleFields = ["rulePriority", "description", "selection", "action"];
const selectionFields = [
  "tagStatus",
  "tagPatternList",
  "tagPrefixList",
  "storageClass",
  "countType",
  "countUnit",
  "countNumber",
];
const actionFields = ["type", "targetStorageClass"];
const tagStatuses: readonly TagStatus[] = ["tagged", "untagged", "any"];
const countTypes: readonly CountType[] = [
  "imageCountMoreThan",
  "sinceImagePushed",
  "sinceImagePulled",
  "sinceImageTransitioned",
];
const ageCountTypes: readonly CountType[] = countTypes.filter((t) => t !== "imageCountMoreThan");

/** [Rules]: "There is a maximum limit of four wildcards (`*`) per string." */
const maxWildcards = 4;
/** [Archive]: "You cannot configure lifecycle policies that delete images that have been in archive for less than 90 days." */
const minArchiveDays = 90;

const show = (value: unknown): string =>
  value === undefined
    ? "missing"
    : typeof value === "string"
      ? `"${value}"`
      : JSON.stringify(value);

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const isPositiveInteger = (value: unknown): value is number =>
  typeof value === "number" && Number.isSafeInteger(value) && value >= 1;

/**
 * Fields the pack does not know. ECR's template lists every field a policy has [Examples,
 * "Lifecycle policy template"]; a field beyond it could change what a rule selects, so a policy
 * with one is not judged as if it were absent.
 */
function unknownFields(
  value: Record<string, unknown>,
  known: readonly string[],
  path: string,
): string[] {
  return Object.keys(value)
    .filter((key) => !known.includes(key))
    .map(
      (key) => `${path}${key} is not a lifecycle policy field; the fields are ${known.join(", ")}`,
    );
}

/** The policy as a value: JSON text is parsed; an object is taken as it is. */
function policyValue(policy: unknown): { value?: unknown; problem?: string } {
  if (typeof policy !== "string") {
    return { value: policy };
  }
  try {
    return { value: JSON.parse(policy) };
  } catch (e) {
    return {
      problem: `the lifecycle policy is not JSON (${(e as Error).message}); give the text ECR accepts, e.g. {"rules":[...]}`,
    };
  }
}

/** Parses a lifecycle policy (JSON text or object); its rules sorted by priority, or every problem. */
export function parseLifecyclePolicy(policy: unknown): ParsedLifecyclePolicy {
  const { value, problem } = policyValue(policy);
  if (problem !== undefined) {
    return { ok: false, problems: [problem] };
  }
  if (!isObject(value)) {
    return {
      ok: false,
      problems: [`the lifecycle policy is ${show(value)}; an object with a list of rules`],
    };
  }
  const problems = unknownFields(value, policyFields, "");
  const rawRules = value.rules;
  if (!Array.isArray(rawRules) || rawRules.length === 0) {
    problems.push(`rules is ${show(rawRules)}; a list of at least one rule`);
    return { ok: false, problems };
  }
  const rules: LifecycleRule[] = [];
  rawRules.forEach((raw, index) => {
    const parsed = parseRule(raw, index);
    problems.push(...parsed.problems);
    if (parsed.rule !== undefined) {
      rules.push(parsed.rule);
    }
  });
  problems.push(...duplicatePriorities(rawRules));
  if (problems.length > 0) {
    return { ok: false, problems };
  }
  rules.sort((a, b) => a.rulePriority - b.rulePriority);
  problems.push(...storageClassProblems(rules));
  return problems.length > 0 ? { ok: false, problems } : { ok: true, rules };
}

/** [Properties]: "you must give them each a unique value for `rulePriority`". */
function duplicatePriorities(rawRules: readonly unknown[]): string[] {
  const firstAt = new Map<unknown, number>();
  const problems: string[] = [];
  rawRules.forEach((raw, index) => {
    const priority = isObject(raw) ? raw.rulePriority : undefined;
    if (!isPositiveInteger(priority)) {
      return;
    }
    const first = firstAt.get(priority);
    if (first === undefined) {
      firstAt.set(priority, index);
    } else {
      problems.push(
        `rules[${index}].rulePriority is ${priority}, as is rules[${first}]'s; each rule needs its own rulePriority`,
      );
    }
  });
  return problems;
}

/** Parses one rule: the rule, or its problems (each beginning with how it names the rule). */
function parseRule(raw: unknown, index: number): { rule?: LifecycleRule; problems: string[] } {
  if (!isObject(raw)) {
    return {
      problems: [
        `rules[${index}] is ${show(raw)}; an object with rulePriority, selection and action`,
      ],
    };
  }
  const priority = raw.rulePriority;
  const name = isPositiveInteger(priority) ? `rule ${priority}` : `rules[${index}]`;
  const problems = unknownFields(raw, ruleFields, `${name}: `);
  if (!isPositiveInteger(priority)) {
    problems.push(`${name}: rulePriority is ${show(priority)}; a positive integer, e.g. 1`);
  }
  if (raw.description !== undefined && typeof raw.description !== "string") {
    problems.push(`${name}: description is ${show(raw.description)}; a string`);
  }
  if (!isObject(raw.selection)) {
    problems.push(
      `${name}: selection is ${show(raw.selection)}; an object with tagStatus, countType and countNumber`,
    );
  }
  if (!isObject(raw.action)) {
    problems.push(
      `${name}: action is ${show(raw.action)}; an object with type expire or transition`,
    );
  }
  if (problems.length > 0) {
    return { problems };
  }
  const selection = parseSelection(raw.selection as Record<string, unknown>, name);
  const action = parseAction(raw.action as Record<string, unknown>, name, selection.countType);
  problems.push(...selection.problems, ...action.problems);
  if (problems.length > 0) {
    return { problems };
  }
  const { tagStatus, tagList, storageClass, countType, countNumber } = selection;
  const patterns =
    tagList === undefined
      ? []
      : tagList.values.map(tagList.field === "tagPatternList" ? tagPattern : prefixPattern);
  const rule: LifecycleRule = {
    rulePriority: priority as number,
    ...(typeof raw.description === "string" && { description: raw.description }),
    tagStatus: tagStatus!,
    ...(tagList !== undefined && { tagList }),
    patterns,
    storageClass: storageClass!,
    countType: countType!,
    countNumber: countNumber!,
    action: action.type!,
  };
  return { rule, problems: [] };
}

interface ParsedSelection {
  tagStatus?: TagStatus;
  tagList?: LifecycleRule["tagList"];
  storageClass?: StorageClass;
  countType?: CountType;
  countNumber?: number;
  problems: string[];
}

function parseSelection(selection: Record<string, unknown>, name: string): ParsedSelection {
  const at = `${name}: selection.`;
  const problems = unknownFields(selection, selectionFields, at);
  const { tagStatus, countType, countNumber } = selection;
  if (!tagStatuses.includes(tagStatus as TagStatus)) {
    problems.push(`${at}tagStatus is ${show(tagStatus)}; one of ${tagStatuses.join(", ")}`);
  }
  const tags = parseTagList(selection, at, tagStatus);
  problems.push(...tags.problems);
  if (!countTypes.includes(countType as CountType)) {
    problems.push(`${at}countType is ${show(countType)}; one of ${countTypes.join(", ")}`);
  }
  if (!isPositiveInteger(countNumber)) {
    problems.push(
      `${at}countNumber is ${show(countNumber)}; a positive integer ("0 is not an accepted value"), e.g. 30`,
    );
  }
  const counting = parseCounting(selection, at, countType as CountType);
  problems.push(...counting.problems);
  return {
    tagStatus: tagStatus as TagStatus,
    tagList: tags.tagList,
    storageClass: counting.storageClass,
    countType: countType as CountType,
    countNumber: countNumber as number,
    problems,
  };
}

/**
 * [Properties]: "If you specify `tagged`, then you must also specify a `tagPrefixList` value or
 * a `tagPatternList` value. If you specify `untagged`, then you must omit both"; [Rules]: "A
 * lifecycle policy rule may specify either `tagPatternList` or `tagPrefixList`, but not both"
 * and they "may only used if the `tagStatus` is `tagged`".
 */
function parseTagList(
  selection: Record<string, unknown>,
  at: string,
  tagStatus: unknown,
): { tagList?: LifecycleRule["tagList"]; problems: string[] } {
  const given = (["tagPatternList", "tagPrefixList"] as const).filter(
    (field) => selection[field] !== undefined,
  );
  if (tagStatus !== "tagged") {
    return {
      problems: given.map(
        (field) =>
          `${at}${field} is given with tagStatus ${show(tagStatus)}; tag lists only go with tagStatus "tagged"`,
      ),
    };
  }
  if (given.length !== 1) {
    return {
      problems: [
        given.length === 0
          ? `${at}tagPatternList is missing; tagStatus "tagged" needs tagPatternList or tagPrefixList, e.g. tagPatternList ["v*"]`
          : `${at}tagPrefixList is given with tagPatternList; a rule takes one of them, not both`,
      ],
    };
  }
  const field = given[0];
  const values = selection[field];
  if (
    !Array.isArray(values) ||
    values.length === 0 ||
    !values.every((v) => typeof v === "string" && v !== "")
  ) {
    return {
      problems: [`${at}${field} is ${show(values)}; a list of non-empty strings, e.g. ["v*"]`],
    };
  }
  const problems =
    field === "tagPatternList"
      ? (values as string[])
          .filter((v) => v.split("*").length - 1 > maxWildcards)
          .map(
            (v) =>
              `${at}tagPatternList entry "${v}" has ${v.split("*").length - 1} wildcards; at most ${maxWildcards} per pattern`,
          )
      : [];
  return { tagList: { field, values: [...(values as string[])] }, problems };
}

/** [Properties, "Storage class", "Count unit"] and the archive minimum [Archive]. */
function parseCounting(
  selection: Record<string, unknown>,
  at: string,
  countType: CountType,
): { storageClass?: StorageClass; problems: string[] } {
  const { storageClass, countUnit, countNumber } = selection;
  const problems: string[] = [];
  const byAge = ageCountTypes.includes(countType);
  if (byAge && countUnit !== "days") {
    problems.push(`${at}countUnit is ${show(countUnit)}; ${countType} counts "days"`);
  }
  if (!byAge && countUnit !== undefined && countTypes.includes(countType)) {
    problems.push(
      `${at}countUnit is ${show(countUnit)} with countType ${countType}; countUnit only goes with ${ageCountTypes.join(", ")}`,
    );
  }
  if (storageClass !== undefined && storageClass !== "standard" && storageClass !== "archive") {
    problems.push(`${at}storageClass is ${show(storageClass)}; standard or archive`);
    return { problems };
  }
  // "When using a count type of `sinceImageTransitioned`, this is required, and the only
  // supported value is `archive`. If you omit this, the value of `standard` will be used."
  if (countType === "sinceImageTransitioned") {
    if (storageClass !== "archive") {
      problems.push(
        `${at}storageClass is ${show(storageClass)}; sinceImageTransitioned needs "archive"`,
      );
    }
    if (isPositiveInteger(countNumber) && countNumber < minArchiveDays) {
      problems.push(
        `${at}countNumber is ${countNumber} with countType sinceImageTransitioned; at least ${minArchiveDays} (archived images stay 90 days)`,
      );
    }
  } else if (storageClass === "archive" && countTypes.includes(countType)) {
    problems.push(
      `${at}storageClass is "archive" with countType ${countType}; only "standard" (archive goes with sinceImageTransitioned)`,
    );
  }
  return { storageClass: (storageClass as StorageClass | undefined) ?? "standard", problems };
}

/**
 * [Properties, "Action"]; [Examples]: "The `sinceImagePulled` count type must be used with the
 * `transition` action. It cannot be used with the `expire` action." and "The
 * `sinceImageTransitioned` count type must be used with the `expire` action and the `archive`
 * storage class."
 */
function parseAction(
  action: Record<string, unknown>,
  name: string,
  countType: CountType | undefined,
): { type?: LifecycleActionType; problems: string[] } {
  const at = `${name}: action.`;
  const problems = unknownFields(action, actionFields, at);
  const { type, targetStorageClass } = action;
  if (type !== "expire" && type !== "transition") {
    problems.push(
      `${at}type is ${show(type)}; expire (to delete images) or transition (to archive them)`,
    );
    return { problems };
  }
  if (type === "transition" && targetStorageClass !== "archive") {
    problems.push(
      `${at}targetStorageClass is ${show(targetStorageClass)}; transition needs "archive"`,
    );
  }
  if (type === "expire" && targetStorageClass !== undefined) {
    problems.push(
      `${at}targetStorageClass is ${show(targetStorageClass)} with type expire; it only goes with transition`,
    );
  }
  if (type === "expire" && countType === "sinceImagePulled") {
    problems.push(
      `${at}type is "expire" with countType sinceImagePulled; sinceImagePulled only archives: use type "transition"`,
    );
  }
  if (type === "transition" && countType === "sinceImageTransitioned") {
    problems.push(
      `${at}type is "transition" with countType sinceImageTransitioned; sinceImageTransitioned only expires: use type "expire"`,
    );
  }
  return { type, problems };
}

/**
 * What [Rules] asks of the rules selecting one storage class: "The set of all rules selecting a
 * specific storage class must contain a unique set of prefixes", and "Only one rule selecting a
 * specific storage class is allowed to select untagged images"; and [Properties]: "A rule with a
 * `tagStatus` value of `any` must have the highest value for `rulePriority` and be evaluated
 * last". That is per storage class: [Examples, "Combining archive and expire rules"] has an
 * `any` rule of each class, priorities 1 and 2.
 */
function storageClassProblems(rules: readonly LifecycleRule[]): string[] {
  const problems: string[] = [];
  for (const storageClass of ["standard", "archive"] as const) {
    const ofClass = rules.filter((r) => r.storageClass === storageClass);
    const last = ofClass[ofClass.length - 1];
    for (const rule of ofClass.filter((r) => r.tagStatus === "any" && r !== last)) {
      problems.push(
        `rule ${rule.rulePriority}: tagStatus "any" must have the highest rulePriority of the ${storageClass} rules, but rule ${last.rulePriority} comes after it`,
      );
    }
    const untagged = ofClass.filter((r) => r.tagStatus === "untagged");
    for (const rule of untagged.slice(1)) {
      problems.push(
        `rule ${rule.rulePriority}: tagStatus "untagged" is also rule ${untagged[0].rulePriority}'s; one ${storageClass} rule may select untagged images`,
      );
    }
    const seen = new Map<string, number>();
    for (const rule of ofClass.filter((r) => r.tagList !== undefined)) {
      const key = JSON.stringify([rule.tagList!.field, [...new Set(rule.tagList!.values)].sort()]);
      const first = seen.get(key);
      if (first === undefined) {
        seen.set(key, rule.rulePriority);
      } else {
        problems.push(
          `rule ${rule.rulePriority}: selection.${rule.tagList!.field} ${JSON.stringify(rule.tagList!.values)} repeats rule ${first}'s; the ${storageClass} rules need unique tag lists`,
        );
      }
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Judging.

/** What a lifecycle policy is judged against: a risk tier, and the tags of release images. */
export interface LifecycleJudgeOptions {
  /** How many images the tier keeps: none expire before this many newer ones exist. */
  readonly keepImages: number;
  /** Patterns (`*` the only wildcard) of tags that mark an image as a release. */
  readonly protectedTagPatterns: readonly string[];
}

/** Release-like tags (the governance's fact, re-exported for the policies that judge them). */
export { defaultProtectedTagPatterns } from "../governance/registry";

/** The policy cannot be read, or ECR would refuse it: it is not shown to keep anything. */
export interface UnreadableLifecyclePolicy {
  readonly kind: "unreadable";
  readonly problems: readonly string[];
}

/** A rule that expires release images, or images in general, sooner than the tier keeps them. */
export interface LifecycleRuleFinding {
  readonly kind: "rule";
  readonly rule: LifecycleRule;
  /** `age`: it expires by days since a push or an archival; `count`: it keeps too few. */
  readonly by: "age" | "count";
  /** The protected patterns whose images it can expire (empty when only `everyImage`). */
  readonly protectedPatterns: readonly string[];
  /** A `tagStatus: any` rule of standard storage that can leave fewer images than the tier. */
  readonly everyImage: boolean;
}

export type LifecycleFinding = UnreadableLifecyclePolicy | LifecycleRuleFinding;

/**
 * Whether rule `earlier` selects every image that `rule` selects and that carries a tag matching
 * `protectedPattern` (E3, E5): each of its patterns includes the protected one or one of the
 * rule's. Exact; see the argument at the top of this file.
 */
export function claimsAll(
  earlier: LifecycleRule,
  protectedPattern: TagPattern,
  rule: LifecycleRule,
): boolean {
  return (
    earlier.tagStatus === "tagged" &&
    earlier.storageClass === rule.storageClass &&
    earlier.patterns.every(
      (pattern) =>
        includes(pattern, protectedPattern) || rule.patterns.some((own) => includes(pattern, own)),
    )
  );
}

/**
 * Whether a `tagStatus: any` rule owns some image: an untagged one, unless an earlier rule of its
 * storage class selects untagged images; a tagged one, unless an earlier rule matches every tag.
 */
function ownsSomeImage(earlier: readonly LifecycleRule[]): boolean {
  return (
    !earlier.some((e) => e.tagStatus === "untagged") ||
    !earlier.some((e) => e.tagStatus === "tagged" && e.patterns.every(matchesEveryTag))
  );
}

/** The finding on one rule, given the rules before it; undefined when it keeps what it must. */
function judgeRule(
  rule: LifecycleRule,
  before: readonly LifecycleRule[],
  protectedPatterns: readonly TagPattern[],
  keepImages: number,
): LifecycleRuleFinding | undefined {
  // Transition rules move images "to archive storage" and expire nothing; untagged rules select
  // images without tags ([Properties, "Tag status"]), never an image carrying a release tag.
  if (rule.action !== "expire" || rule.tagStatus === "untagged") {
    return undefined;
  }
  const by = rule.countType === "imageCountMoreThan" ? "count" : "age";
  if (by === "count" && rule.countNumber >= keepImages) {
    return undefined;
  }
  const earlier = before.filter((e) => e.storageClass === rule.storageClass);
  const reached = protectedPatterns
    .filter((p) => !earlier.some((e) => claimsAll(e, p, rule)))
    .map((p) => p.text);
  // The tier counts images that can be pulled: "Archived images cannot be pulled" [Archive].
  const everyImage =
    rule.tagStatus === "any" && rule.storageClass === "standard" && ownsSomeImage(earlier);
  return reached.length > 0 || everyImage
    ? { kind: "rule", rule, by, protectedPatterns: reached, everyImage }
    : undefined;
}

/**
 * The findings on a lifecycle policy (JSON text or object) for a tier: an unreadable policy is
 * one finding with every problem; otherwise one finding per rule that can expire an image tagged
 * with a protected pattern by age, or before `keepImages` newer images exist, or that is a rule on
 * every image keeping fewer than `keepImages`. None means none of that can happen (see the
 * argument at the top of this file).
 */
export function judgeLifecycle(
  policy: unknown,
  options: LifecycleJudgeOptions,
): LifecycleFinding[] {
  const parsed = parseLifecyclePolicy(policy);
  if (!parsed.ok) {
    return [{ kind: "unreadable", problems: parsed.problems }];
  }
  const protectedPatterns = options.protectedTagPatterns.map(tagPattern);
  const findings: LifecycleFinding[] = [];
  parsed.rules.forEach((rule, i) => {
    const finding = judgeRule(
      rule,
      parsed.rules.slice(0, i),
      protectedPatterns,
      options.keepImages,
    );
    if (finding !== undefined) {
      findings.push(finding);
    }
  });
  return findings;
}

/**
 * Whether the rule selects every image tagged with the protected pattern, whatever its other tags
 * (each of its patterns includes it): a rule for those releases, fixed by its own count.
 */
export function selectsAllTagged(rule: LifecycleRule, protectedPattern: string): boolean {
  const pattern = tagPattern(protectedPattern);
  return rule.tagStatus === "tagged" && rule.patterns.every((own) => includes(own, pattern));
}

/** How a message names a rule's selection: `tagPatternList ["pr-*"]`, `tagStatus any`. */
export function describeSelection(rule: LifecycleRule): string {
  return rule.tagList === undefined
    ? `tagStatus ${rule.tagStatus}`
    : `${rule.tagList.field} ${JSON.stringify(rule.tagList.values)}`;
}
