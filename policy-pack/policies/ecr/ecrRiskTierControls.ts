import type { PolicyConfigSchema, ResourceValidationPolicy } from "@pulumi/policy";
import {
  defaultTagPrefix,
  governanceTagKeys,
  kmsEncryptionTypes,
  requiredTierControls,
  TierControls,
} from "../../governance/registry";
import { matchesEveryTag, patternCovers } from "../../governance/tagFilters";
import { configWithDefaults } from "../../lib/config";
import { judgeResource } from "../../lib/judge";
import { describeRegistry, RegistrySettings, registrySettings } from "../../resources/registries";

export type { TierControls };

export interface RiskTierControlsConfig {
  readonly tagPrefix: string;
  readonly tiers: Readonly<Record<string, TierControls>>;
  /** Tag patterns a tier requiring immutable tags may exclude (`IMMUTABLE_WITH_EXCLUSION`). */
  readonly immutableTagExceptions: readonly string[];
}

export const riskTierControlsConfigSchema: PolicyConfigSchema = {
  properties: {
    tagPrefix: { type: "string", minLength: 1, default: defaultTagPrefix },
    tiers: {
      type: "object",
      description: "Per risk level, the controls its repositories must have.",
      additionalProperties: {
        type: "object",
        properties: {
          imageTagMutability: { type: "string", enum: ["IMMUTABLE"] },
          encryption: { type: "string", enum: ["KMS"] },
        },
        additionalProperties: false,
      },
      default: requiredTierControls,
    },
    immutableTagExceptions: {
      type: "array",
      items: { type: "string", pattern: "^[A-Za-z0-9._*-]{1,128}$" },
      description:
        "Tag patterns (ECR wildcard filters) that repositories of a tier requiring immutable tags may leave mutable with IMMUTABLE_WITH_EXCLUSION: each exclusion filter must be covered by one of them, and none may match every tag. Default: none.",
      default: [],
    },
  },
};

/** What a registry lacks of the controls its risk tag requires, as violation messages. */
export function riskTierViolations(
  registry: RegistrySettings,
  config: RiskTierControlsConfig,
  subject = "ECR repository",
): string[] {
  const risk = registry.tags()[governanceTagKeys(config.tagPrefix).risk];
  const controls = typeof risk === "string" ? config.tiers[risk] : undefined;
  if (controls === undefined) {
    return [];
  }
  const violations: string[] = [];
  const mutability = registry.imageTagMutability();
  // IMMUTABLE_WITH_EXCLUSION lets the excluded tags move: immutable only where every filter is
  // an exception the config allows, judged as the patterns they are.
  const filters = mutability === "IMMUTABLE_WITH_EXCLUSION" ? registry.exclusionFilters() : [];
  // With no filter to read, what is excluded is not known (ECR refuses none): not proven immutable.
  if (controls.imageTagMutability === "IMMUTABLE" && filters.length > 0) {
    for (const filter of filters) {
      if (matchesEveryTag(filter)) {
        violations.push(
          `${subject} tagged "${risk}" risk must use immutable tags: its exclusion filter "${filter}" matches every tag, which makes every tag mutable: set ${registry.paths.imageTagMutability} = "IMMUTABLE"`,
        );
      } else if (!config.immutableTagExceptions.some((allowed) => patternCovers(allowed, filter))) {
        violations.push(
          `${subject} tagged "${risk}" risk must use immutable tags: its exclusion filter "${filter}" lets tags move that immutableTagExceptions (${config.immutableTagExceptions.length === 0 ? "none" : config.immutableTagExceptions.map((p) => `"${p}"`).join(", ")}) does not cover: remove the filter, or allow it in the pack's immutableTagExceptions`,
        );
      }
    }
  } else if (controls.imageTagMutability === "IMMUTABLE" && mutability !== "IMMUTABLE") {
    violations.push(
      `${subject} tagged "${risk}" risk must use immutable tags: set ${registry.paths.imageTagMutability} = "IMMUTABLE" (it is "${mutability}")`,
    );
  }
  const encryption = registry.encryptionType();
  if (controls.encryption === "KMS" && !kmsEncryptionTypes.includes(encryption)) {
    violations.push(
      `${subject} tagged "${risk}" risk must be encrypted with KMS: set ${registry.paths.encryptionType} = "KMS" (it is "${encryption}")`,
    );
  }
  return violations;
}

export const ecrRiskTierControls: ResourceValidationPolicy = {
  name: "ecr-risk-tier-controls",
  description:
    "ECR repositories and repository creation templates have the controls their risk tag requires; by default high-risk ones use immutable tags (exclusion filters only where immutableTagExceptions covers them) and KMS encryption.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps:
    "Use the risk tier's settings (TrustedDeliveryPipeline applies them): for high risk, imageTagMutability IMMUTABLE (or IMMUTABLE_WITH_EXCLUSION with filters immutableTagExceptions covers) and KMS encryption.",
  configSchema: riskTierControlsConfigSchema,
  validateResource: (args, reportViolation) =>
    judgeResource(args, reportViolation, (resource, reportViolation) => {
      const registry = registrySettings(resource);
      if (registry === undefined) {
        return;
      }
      const config = configWithDefaults<RiskTierControlsConfig>(
        riskTierControlsConfigSchema,
        args.getConfig(),
      );
      const subject =
        registry.kind === "repository"
          ? "ECR repository"
          : describeRegistry(registry, resource.name);
      riskTierViolations(registry, config, subject).forEach((v) => reportViolation(v));
    }),
};
