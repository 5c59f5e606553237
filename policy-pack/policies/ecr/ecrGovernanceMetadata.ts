import { PolicyConfigSchema, ResourceValidationPolicy } from "@pulumi/policy";
import { configWithDefaults } from "../../lib/config";
import { ecrRepositoryTypes } from "../../lib/resourceTypes";
import { ecrTags } from "../../lib/resources";

export interface GovernanceMetadataConfig {
  readonly tagPrefix: string;
  readonly idPattern: string;
  readonly allowedRisks: readonly string[];
}

export const governanceMetadataConfigSchema: PolicyConfigSchema = {
  properties: {
    tagPrefix: { type: "string", minLength: 1, default: "goldenpath.idp/" },
    idPattern: { type: "string", minLength: 1, default: "^[A-Z0-9_]+$" },
    allowedRisks: {
      type: "array",
      items: { type: "string" },
      minItems: 1,
      default: ["low", "medium", "high"],
    },
  },
};

/** What is missing or wrong in a repository's governance tags, as violation messages. */
export function governanceMetadataViolations(
  tags: Record<string, unknown>,
  config: GovernanceMetadataConfig,
): string[] {
  const { tagPrefix, idPattern, allowedRisks } = config;
  const violations: string[] = [];
  const present = (key: string) =>
    typeof tags[key] === "string" && (tags[key] as string).trim() !== "";
  const idKey = `${tagPrefix}id`;
  if (!present(idKey)) {
    violations.push(
      `ECR repository must carry its catalog id: set tag "${idKey}" (matching ${idPattern}), or create the repository with TrustedDeliveryPipeline`,
    );
  } else if (!new RegExp(idPattern).test(tags[idKey] as string)) {
    violations.push(
      `ECR repository tag "${idKey}" is "${tags[idKey]}" but must match ${idPattern}, e.g. "REGISTRY_PAYMENTS_API"`,
    );
  }
  const ownerKey = `${tagPrefix}owner`;
  if (!present(ownerKey)) {
    violations.push(
      `ECR repository must carry its owner: set tag "${ownerKey}" to the owning team`,
    );
  }
  const riskKey = `${tagPrefix}risk`;
  if (!present(riskKey)) {
    violations.push(
      `ECR repository must carry its risk: set tag "${riskKey}" to one of ${allowedRisks.join(", ")}`,
    );
  } else if (!allowedRisks.includes(tags[riskKey] as string)) {
    violations.push(
      `ECR repository tag "${riskKey}" is "${tags[riskKey]}" but must be one of ${allowedRisks.join(", ")}`,
    );
  }
  return violations;
}

export const ecrGovernanceMetadata: ResourceValidationPolicy = {
  name: "ecr-governance-metadata",
  description:
    "Every ECR repository carries the governance tags: <prefix>id matching the id pattern, a non-empty <prefix>owner, and <prefix>risk from the allowed set.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps:
    "Create the repository with TrustedDeliveryPipeline (it sets the tags from the app's metadata), or set the tags goldenpath.idp/id, goldenpath.idp/owner and goldenpath.idp/risk on it.",
  configSchema: governanceMetadataConfigSchema,
  validateResource: (args, reportViolation) => {
    if (!ecrRepositoryTypes.includes(args.type)) {
      return;
    }
    const config = configWithDefaults<GovernanceMetadataConfig>(
      governanceMetadataConfigSchema,
      args.getConfig(),
    );
    for (const violation of governanceMetadataViolations(ecrTags(args.type, args.props), config)) {
      reportViolation(violation);
    }
  },
};
