import type { PolicyConfigSchema, ResourceValidationPolicy } from "@pulumi/policy";
import {
  defaultTagPrefix,
  governanceTagKeys,
  registryIdPattern,
  riskLevels,
} from "../../governance/registry";
import { configWithDefaults } from "../../lib/config";
import { judgeResource } from "../../lib/judge";
import { describeRegistry, registrySettings } from "../../resources/registries";

export interface GovernanceMetadataConfig {
  readonly tagPrefix: string;
  readonly idPattern: string;
  readonly allowedRisks: readonly string[];
}

export const governanceMetadataConfigSchema: PolicyConfigSchema = {
  properties: {
    tagPrefix: { type: "string", minLength: 1, default: defaultTagPrefix },
    idPattern: { type: "string", minLength: 1, default: registryIdPattern.source },
    allowedRisks: {
      type: "array",
      items: { type: "string" },
      minItems: 1,
      default: [...riskLevels],
    },
  },
};

/** What is missing or wrong in a registry's governance tags, as violation messages. */
export function governanceMetadataViolations(
  tags: Record<string, unknown>,
  config: GovernanceMetadataConfig,
  subject = "ECR repository",
  tagsProperty = "tags",
): string[] {
  const { tagPrefix, idPattern, allowedRisks } = config;
  const keys = governanceTagKeys(tagPrefix);
  const violations: string[] = [];
  const present = (key: string) =>
    typeof tags[key] === "string" && (tags[key] as string).trim() !== "";
  const via = tagsProperty === "tags" ? "" : ` in ${tagsProperty}`;
  if (!present(keys.id)) {
    violations.push(
      `${subject} must carry its catalog id: set tag "${keys.id}"${via} (matching ${idPattern}), or create the repository with TrustedDeliveryPipeline`,
    );
  } else if (!new RegExp(idPattern).test(tags[keys.id] as string)) {
    violations.push(
      `${subject} tag "${keys.id}" is "${tags[keys.id]}" but must match ${idPattern}, e.g. "REGISTRY_PAYMENTS_API"`,
    );
  }
  if (!present(keys.owner)) {
    violations.push(
      `${subject} must carry its owner: set tag "${keys.owner}"${via} to the owning team`,
    );
  }
  if (!present(keys.risk)) {
    violations.push(
      `${subject} must carry its risk: set tag "${keys.risk}"${via} to one of ${allowedRisks.join(", ")}`,
    );
  } else if (!allowedRisks.includes(tags[keys.risk] as string)) {
    violations.push(
      `${subject} tag "${keys.risk}" is "${tags[keys.risk]}" but must be one of ${allowedRisks.join(", ")}`,
    );
  }
  return violations;
}

export const ecrGovernanceMetadata: ResourceValidationPolicy = {
  name: "ecr-governance-metadata",
  description:
    "Every ECR repository, and every repository creation template (through resourceTags, for the repositories it makes), carries the governance tags: <prefix>id matching the id pattern, a non-empty <prefix>owner, and <prefix>risk from the allowed set.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps:
    "Create the repository with TrustedDeliveryPipeline (it sets the tags from the app's metadata), or set the tags goldenpath.idp/id, goldenpath.idp/owner and goldenpath.idp/risk on it (on a creation template, in resourceTags).",
  configSchema: governanceMetadataConfigSchema,
  validateResource: (args, reportViolation) =>
    judgeResource(args, reportViolation, (resource, reportViolation) => {
      const registry = registrySettings(resource);
      if (registry === undefined) {
        return;
      }
      const config = configWithDefaults<GovernanceMetadataConfig>(
        governanceMetadataConfigSchema,
        args.getConfig(),
      );
      const subject =
        registry.kind === "repository"
          ? "ECR repository"
          : describeRegistry(registry, resource.name);
      for (const violation of governanceMetadataViolations(
        registry.tags(),
        config,
        subject,
        registry.paths.tags,
      )) {
        reportViolation(violation);
      }
    }),
};
