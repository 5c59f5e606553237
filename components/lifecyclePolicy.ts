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
