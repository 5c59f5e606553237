import type { PolicyConfigSchema, ReportViolation, StackValidationPolicy } from "@pulumi/policy";
import {
  defaultRiskLevel,
  defaultTagPrefix,
  governanceTagKeys,
  isRiskLevel,
  releaseRetentionRiskLevels,
  RiskLevel,
  riskLevels,
  riskTiers,
} from "../../governance/registry";
import { configWithDefaults } from "../../lib/config";
import { eachKnown, stackReporter } from "../../lib/judge";
import { registryLifecyclePolicies } from "../../resources/lifecyclePolicies";
import {
  defaultProtectedTagPatterns,
  describeSelection,
  judgeLifecycle,
  LifecycleRuleFinding,
  selectsAllTagged,
} from "../../resources/lifecycleRules";
import { describeRegistry, registrySettings } from "../../resources/registries";
import type { StackResource } from "../../resources/stackIndex";

export interface LifecycleProtectsReleasesConfig {
  readonly tagPrefix: string;
  readonly protectedTagPatterns: readonly string[];
}

export const lifecycleProtectsReleasesConfigSchema: PolicyConfigSchema = {
  properties: {
    tagPrefix: { type: "string", minLength: 1, default: defaultTagPrefix },
    protectedTagPatterns: {
      type: "array",
      items: { type: "string", minLength: 1 },
      minItems: 1,
      description:
        "Tags of release images, `*` the only wildcard as in tagPatternList. The defaults never match the commit-SHA tags the pipeline pushes (hex digits) nor latest; add `*.*.*` for bare semantic versions.",
      default: [...defaultProtectedTagPatterns],
    },
  },
};

/**
 * Risk levels judged by the mandatory policy: high-risk registries serve production, where an
 * expired release breaks rollback and deploys by digest. The others get the advisory one.
 */
export const mandatoryLifecycleRiskLevels: readonly RiskLevel[] = releaseRetentionRiskLevels;

type Enforcement = "mandatory" | "advisory";

/** A registry's tier as this policy judges it. */
interface JudgedTier {
  /** For messages: `high-risk`. */
  readonly label: string;
  /** For messages, after "tier": how the tier was chosen when no risk tag chose it. */
  readonly note: string;
  readonly keepImages: number;
  readonly enforcement: Enforcement;
}

const strictestKeep = Math.max(...riskLevels.map((risk) => riskTiers[risk].keepImages));

/**
 * The tier of a risk tag: no tag is the default risk, as the component and the Terraform module
 * give it; a value that is no risk level is judged as the strictest tier, by the mandatory policy
 * (ecr-governance-metadata reports the value itself).
 */
function tierOf(risk: unknown, riskKey: string): JudgedTier {
  const enforcement = (level: RiskLevel): Enforcement =>
    mandatoryLifecycleRiskLevels.includes(level) ? "mandatory" : "advisory";
  if (risk === undefined || risk === "") {
    return {
      label: `${defaultRiskLevel}-risk`,
      note: ` (the default: no "${riskKey}" tag)`,
      keepImages: riskTiers[defaultRiskLevel].keepImages,
      enforcement: enforcement(defaultRiskLevel),
    };
  }
  if (isRiskLevel(risk)) {
    const keepImages = riskTiers[risk].keepImages;
    return { label: `${risk}-risk`, note: "", keepImages, enforcement: enforcement(risk) };
  }
  return {
    label: `"${String(risk)}"-risk`,
    note: " (not a risk level, so judged as the strictest)",
    keepImages: strictestKeep,
    enforcement: "mandatory",
  };
}

const days = (n: number) => (n === 1 ? "1 day" : `${n} days`);
const orList = (patterns: readonly string[]) => patterns.map((p) => `"${p}"`).join(" or ");

/** What the rule does wrong, in a message. */
function whatItDoes(finding: LifecycleRuleFinding, keepImages: number): string {
  const { rule, by, protectedPatterns } = finding;
  const n = rule.countNumber;
  if (protectedPatterns.length === 0) {
    return by === "count"
      ? `keeps only the newest ${n} images`
      : `expires every image ${days(n)} after it is pushed, leaving fewer than ${keepImages} when pushes are rare`;
  }
  // Images the rule selects by their release tag, and those it selects only when they also carry
  // a tag of its own (a release retagged from a build it cleans up).
  const own = protectedPatterns.filter(
    (p) => rule.tagStatus === "any" || selectsAllTagged(rule, p),
  );
  const others = protectedPatterns.filter((p) => !own.includes(p));
  const images = [
    ...(own.length > 0 ? [`images tagged ${orList(own)}`] : []),
    ...(others.length > 0
      ? [`images tagged ${orList(others)} that also carry a tag it selects`]
      : []),
  ].join(", and ");
  const spaced = own.length > 0 && others.length > 0 ? `${images},` : images;
  if (by === "count") {
    return `keeps only the newest ${n} images it selects, so ${spaced} can expire before ${keepImages} newer images exist`;
  }
  return rule.countType === "sinceImageTransitioned"
    ? `expires archived ${spaced} ${days(n)} after they were archived`
    : `expires ${spaced} ${days(n)} after they are pushed`;
}

/**
 * How to fix it, in a message. Counting at least the tier's images always fixes the rule; a rule
 * cleaning up other tags may instead leave releases to an earlier rule of their own (one per
 * pattern: a list of several patterns selects only images carrying all of them).
 */
function howToFix(finding: LifecycleRuleFinding, keepImages: number): string {
  const { rule, by, protectedPatterns } = finding;
  if (rule.storageClass === "archive") {
    return "remove the rule, or restore release images before it acts: archive rules only expire by age (sinceImageTransitioned), so no earlier rule can keep them";
  }
  const count =
    by === "count"
      ? `set its countNumber to ${keepImages} or more`
      : `use countType imageCountMoreThan with countNumber ${keepImages} or more`;
  const ownReleases = protectedPatterns.some((p) => selectsAllTagged(rule, p));
  if (rule.tagStatus === "any" || protectedPatterns.length === 0 || ownReleases) {
    return count;
  }
  const lists = protectedPatterns.map((p) => JSON.stringify([p])).join(", then ");
  const shield = `add before it (a lower rulePriority) a rule per pattern with tagStatus tagged, tagPatternList ${lists}, countType imageCountMoreThan and countNumber ${keepImages} or more: no later rule can expire what an earlier rule selects`;
  return by === "count" ? `${count}, or ${shield}` : shield;
}

/** The violations of one registry's lifecycle policy, for the policy of one enforcement level. */
function registryViolations(
  entry: ReturnType<typeof registryLifecyclePolicies>[number],
  config: LifecycleProtectsReleasesConfig,
  enforcement: Enforcement,
): string[] {
  const settings = registrySettings(entry.registry)!;
  const riskKey = governanceTagKeys(config.tagPrefix).risk;
  const tier = tierOf(settings.tags()[riskKey], riskKey);
  if (tier.enforcement !== enforcement) {
    return [];
  }
  const subject = describeRegistry(settings, entry.registry.name);
  const holds = (finding: LifecycleRuleFinding) =>
    finding.protectedPatterns.length > 0
      ? `${subject} must keep release images as long as its ${tier.label} tier${tier.note} keeps images (the newest ${tier.keepImages})`
      : `${subject} must keep the newest ${tier.keepImages} images, as its ${tier.label} tier${tier.note} does`;
  const findings = judgeLifecycle(entry.policy(), {
    keepImages: tier.keepImages,
    protectedTagPatterns: config.protectedTagPatterns,
  });
  return findings.flatMap((finding) =>
    finding.kind === "unreadable"
      ? finding.problems.map(
          (problem) =>
            `${subject} must have a lifecycle policy ECR accepts, so that it can be shown to keep release images: ${entry.where}: ${problem}`,
        )
      : [
          `${holds(finding)}: lifecycle rule ${finding.rule.rulePriority} (${describeSelection(finding.rule)}) of ${entry.where} ${whatItDoes(finding, tier.keepImages)}; ${howToFix(finding, tier.keepImages)}`,
        ],
  );
}

/**
 * The judging both policies share: each lifecycle policy of the stack's registries whose tier is
 * judged at this enforcement level, reported on the resource that holds the policy. A policy
 * unknown during a preview is judged at the update.
 */
export function lifecycleProtectsReleasesViolations(
  resources: readonly StackResource[],
  config: LifecycleProtectsReleasesConfig,
  enforcement: Enforcement,
): { message: string; urn: string }[] {
  const violations: { message: string; urn: string }[] = [];
  eachKnown(registryLifecyclePolicies(resources), (entry) => {
    for (const message of registryViolations(entry, config, enforcement)) {
      violations.push({ message, urn: entry.holder.urn });
    }
  });
  return violations;
}

const keptByTier = riskLevels.map((risk) => `${risk} ${riskTiers[risk].keepImages}`).join(", ");

const remediationSteps = `Give release tags a rule of their own before every other rule: tagStatus tagged, tagPatternList ["v*"] (a rule per protected pattern), countType imageCountMoreThan, countNumber at least the tier's count (${keptByTier}); keep rules on every image (tagStatus any) at imageCountMoreThan with at least that count, and never expire release images by age. TrustedDeliveryPipeline's policy (the last N images, any tag) complies.`;

function validateAt(enforcement: Enforcement): StackValidationPolicy["validateStack"] {
  return (args, report: ReportViolation) => {
    const reportViolation = stackReporter(args.resources, report);
    const config = configWithDefaults<LifecycleProtectsReleasesConfig>(
      lifecycleProtectsReleasesConfigSchema,
      args.getConfig(),
    );
    for (const { message, urn } of lifecycleProtectsReleasesViolations(
      args.resources,
      config,
      enforcement,
    )) {
      reportViolation(message, urn);
    }
  };
}

export const ecrLifecycleProtectsReleases: StackValidationPolicy = {
  name: "ecr-lifecycle-protects-releases",
  description:
    "The lifecycle policies of high-risk ECR repositories and creation templates never expire release images (tags matching the protected patterns) by age or before the tier's count of newer images, and rules on every image keep at least that count: these registries serve production, where an expired release breaks rollback and deploys by digest.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps,
  configSchema: lifecycleProtectsReleasesConfigSchema,
  validateStack: validateAt("mandatory"),
};

export const ecrLifecycleProtectsReleasesAdvisory: StackValidationPolicy = {
  name: "ecr-lifecycle-protects-releases-advisory",
  description:
    "The lifecycle policies of low- and medium-risk ECR repositories and creation templates never expire release images (tags matching the protected patterns) by age or before the tier's count of newer images, and rules on every image keep at least that count.",
  enforcementLevel: "advisory",
  severity: "medium",
  remediationSteps,
  configSchema: lifecycleProtectsReleasesConfigSchema,
  validateStack: validateAt("advisory"),
};
