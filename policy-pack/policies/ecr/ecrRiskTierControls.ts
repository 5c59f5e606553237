import type { PolicyConfigSchema, ResourceValidationPolicy } from "@pulumi/policy";
import {
  defaultTagPrefix,
  governanceTagKeys,
  kmsEncryptionTypes,
  requiredTierControls,
  TierControls,
} from "../../governance/registry";
import { configWithDefaults } from "../../lib/config";
import { judgeResource } from "../../lib/judge";
import { describeRegistry, RegistrySettings, registrySettings } from "../../resources/registries";

export type { TierControls };

export interface RiskTierControlsConfig {
  readonly tagPrefix: string;
  readonly tiers: Readonly<Record<string, TierControls>>;
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
  // IMMUTABLE_WITH_EXCLUSION lets the excluded tags move: not immutable.
  if (controls.imageTagMutability === "IMMUTABLE" && mutability !== "IMMUTABLE") {
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
    "ECR repositories and repository creation templates have the controls their risk tag requires; by default high-risk ones use immutable tags and KMS encryption.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps:
    "Use the risk tier's settings (TrustedDeliveryPipeline applies them): for high risk, imageTagMutability IMMUTABLE and KMS encryption.",
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
