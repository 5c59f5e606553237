import { PolicyConfigSchema, ResourceValidationPolicy } from "@pulumi/policy";
import { configWithDefaults } from "../../lib/config";
import { ecrRepositoryTypes } from "../../lib/resourceTypes";
import { ecrTags, encryptionType, encryptionTypePath } from "../../lib/resources";

/** The controls a risk level requires; a control left out is not required. */
export interface TierControls {
  readonly imageTagMutability?: "IMMUTABLE";
  readonly encryption?: "KMS";
}

export interface RiskTierControlsConfig {
  readonly tagPrefix: string;
  readonly tiers: Readonly<Record<string, TierControls>>;
}

export const riskTierControlsConfigSchema: PolicyConfigSchema = {
  properties: {
    tagPrefix: { type: "string", minLength: 1, default: "goldenpath.idp/" },
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
      default: { high: { imageTagMutability: "IMMUTABLE", encryption: "KMS" } },
    },
  },
};

/** KMS_DSSE (dual-layer KMS) satisfies a KMS requirement. */
const kmsTypes = ["KMS", "KMS_DSSE"];

export function riskTierViolations(
  type: string,
  props: Record<string, any>,
  config: RiskTierControlsConfig,
): string[] {
  const risk = ecrTags(type, props)[`${config.tagPrefix}risk`];
  const controls = typeof risk === "string" ? config.tiers[risk] : undefined;
  if (controls === undefined) {
    return [];
  }
  const violations: string[] = [];
  const mutability = props.imageTagMutability ?? "MUTABLE";
  if (controls.imageTagMutability === "IMMUTABLE" && mutability !== "IMMUTABLE") {
    violations.push(
      `ECR repository tagged "${risk}" risk must use immutable tags: set imageTagMutability = "IMMUTABLE" (it is "${mutability}")`,
    );
  }
  const encryption = encryptionType(type, props);
  if (controls.encryption === "KMS" && !kmsTypes.includes(encryption)) {
    violations.push(
      `ECR repository tagged "${risk}" risk must be encrypted with KMS: set ${encryptionTypePath(type)} = "KMS" (it is "${encryption}")`,
    );
  }
  return violations;
}

export const ecrRiskTierControls: ResourceValidationPolicy = {
  name: "ecr-risk-tier-controls",
  description:
    "ECR repositories have the controls their risk tag requires; by default high-risk repositories use immutable tags and KMS encryption.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps:
    "Use the risk tier's settings (TrustedDeliveryPipeline applies them): for high risk, imageTagMutability IMMUTABLE and KMS encryption.",
  configSchema: riskTierControlsConfigSchema,
  validateResource: (args, reportViolation) => {
    if (!ecrRepositoryTypes.includes(args.type)) {
      return;
    }
    const config = configWithDefaults<RiskTierControlsConfig>(
      riskTierControlsConfigSchema,
      args.getConfig(),
    );
    for (const violation of riskTierViolations(args.type, args.props, config)) {
      reportViolation(violation);
    }
  },
};
