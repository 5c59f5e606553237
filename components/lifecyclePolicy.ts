import { RiskLevel } from "./riskTiers";

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
