/**
 * A small evaluator of ECR lifecycle policies, written from AWS's documentation and nothing else
 * (it shares no code with policy-pack/resources/lifecycleRules.ts, whose judgement the tests
 * cross-check against it). Given a policy and a repository's images, it says which images ECR
 * expires and which it moves to archive storage, per the Amazon ECR User Guide, "Automate the
 * cleanup of images by using lifecycle policies" (Lifecycle policy evaluation rules) and
 * "Lifecycle policy properties":
 * - "All rules are evaluated at the same time, regardless of rule priority. After all rules are
 *   evaluated, they are then applied based on rule priority."
 * - "An image is expired or archived by exactly one or zero rules."
 * - "An image that matches the tagging requirements of a rule cannot be expired or archived by a
 *   rule with a lower priority." (Lower priority: a higher `rulePriority` number.)
 * - "Rules can never mark images that are marked by higher priority rules, but can still identify
 *   them as if they haven't been expired or archived": a count counts every image it selects.
 * - "With countType = imageCountMoreThan, images are sorted from youngest to oldest based on
 *   pushed_at_time and then all images greater than the specified count are expired."
 * - `sinceImagePushed` / `sinceImagePulled` / `sinceImageTransitioned`: images older than
 *   `countNumber` days since their push, last pull, or move to archive. An image never pulled is
 *   taken as pulled when it was pushed.
 * - "An image is successfully matched if all of the tags in the tagPatternList or tagPrefixList
 *   value are matched against any of the image's tags"; `*` matches any run of characters.
 * - storageClass: "The rule will only select images of this storage class" (default standard).
 * It checks nothing ECR would refuse: give it policies ECR accepts.
 */

/** An image in a repository, its times in days before the evaluation. */
export interface EvaluatedImage {
  readonly id: string;
  readonly tags: readonly string[];
  readonly pushedDaysAgo: number;
  /** Never pulled when absent: its push counts as its last pull. */
  readonly pulledDaysAgo?: number;
  /** @default "standard" */
  readonly storageClass?: "standard" | "archive";
  /** When it was moved to archive storage (archived images only). */
  readonly transitionedDaysAgo?: number;
}

/** What ECR does to the images: ids expired and ids moved to archive, each with its rule. */
export interface LifecycleOutcome {
  readonly expired: Map<string, number>;
  readonly transitioned: Map<string, number>;
}

interface Rule {
  rulePriority: number;
  selection: {
    tagStatus: "tagged" | "untagged" | "any";
    tagPatternList?: string[];
    tagPrefixList?: string[];
    storageClass?: "standard" | "archive";
    countType: string;
    countNumber: number;
  };
  action: { type: "expire" | "transition" };
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** `*` any run of characters (none included), every other character itself. */
export function tagPatternMatches(pattern: string, tag: string): boolean {
  return new RegExp(`^${pattern.split("*").map(escapeRegExp).join("[\\s\\S]*")}$`).test(tag);
}

/** Whether the rule's tag status, tag list and storage class select the image. */
function selects(rule: Rule, image: EvaluatedImage): boolean {
  const { selection } = rule;
  if ((selection.storageClass ?? "standard") !== (image.storageClass ?? "standard")) {
    return false;
  }
  switch (selection.tagStatus) {
    case "any":
      return true;
    case "untagged":
      return image.tags.length === 0;
    case "tagged":
      return (
        image.tags.length > 0 &&
        (selection.tagPatternList ?? []).every((p) =>
          image.tags.some((t) => tagPatternMatches(p, t)),
        ) &&
        (selection.tagPrefixList ?? []).every((p) => image.tags.some((t) => t.startsWith(p)))
      );
  }
}

/** The images the rule would act on by itself, ignoring every other rule. */
function marks(rule: Rule, images: readonly EvaluatedImage[]): EvaluatedImage[] {
  const selected = images.filter((image) => selects(rule, image));
  const n = rule.selection.countNumber;
  switch (rule.selection.countType) {
    case "imageCountMoreThan":
      return [...selected].sort((a, b) => a.pushedDaysAgo - b.pushedDaysAgo).slice(n);
    case "sinceImagePushed":
      return selected.filter((i) => i.pushedDaysAgo > n);
    case "sinceImagePulled":
      return selected.filter((i) => (i.pulledDaysAgo ?? i.pushedDaysAgo) > n);
    case "sinceImageTransitioned":
      return selected.filter(
        (i) => i.transitionedDaysAgo !== undefined && i.transitionedDaysAgo > n,
      );
    default:
      throw new Error(`countType ${rule.selection.countType} is not one ECR documents`);
  }
}

/** What ECR does to the images under the policy (JSON text or object). */
export function evaluateLifecycle(
  policy: string | { rules: unknown[] },
  images: readonly EvaluatedImage[],
): LifecycleOutcome {
  const rules = [...((typeof policy === "string" ? JSON.parse(policy) : policy).rules as Rule[])];
  rules.sort((a, b) => a.rulePriority - b.rulePriority);
  // Every rule marks its images at once; then, by priority, a rule acts on a marked image only
  // when no earlier rule's selection matches it (which also covers images an earlier rule acted on).
  const marked = rules.map((rule) => marks(rule, images));
  const outcome: LifecycleOutcome = { expired: new Map(), transitioned: new Map() };
  rules.forEach((rule, r) => {
    for (const image of marked[r]) {
      if (rules.slice(0, r).some((earlier) => selects(earlier, image))) {
        continue;
      }
      (rule.action.type === "expire" ? outcome.expired : outcome.transitioned).set(
        image.id,
        rule.rulePriority,
      );
    }
  });
  return outcome;
}
