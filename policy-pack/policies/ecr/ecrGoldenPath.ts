import type { PolicyConfigSchema, StackValidationPolicy } from "@pulumi/policy";
import { awsNativeTypes, awsTypes, componentTypes } from "../../governance/typeTokens";
import { configWithDefaults } from "../../lib/config";
import { eachKnown, stackReporter } from "../../lib/judge";
import { registrySettings } from "../../resources/registries";
import { knownOrUndefined, StackIndex, StackResource } from "../../resources/stackIndex";

export interface GoldenPathConfig {
  /** Repositories allowed outside a pipeline, by logical or ECR repository name. */
  readonly allowedRepositories: readonly string[];
  /** Component types that count as the golden path. */
  readonly componentTypes: readonly string[];
}

export const goldenPathConfigSchema: PolicyConfigSchema = {
  properties: {
    allowedRepositories: {
      type: "array",
      items: { type: "string" },
      description:
        "ECR repositories (by Pulumi resource name or ECR repository name) allowed outside a TrustedDeliveryPipeline.",
      default: [],
    },
    componentTypes: {
      type: "array",
      items: { type: "string" },
      minItems: 1,
      description: "Component type tokens whose children count as created on the golden path.",
      default: [componentTypes.trustedDeliveryPipeline],
    },
  },
};

function repositoryName(resource: StackResource): string | undefined {
  return knownOrUndefined(() => registrySettings(resource)?.name);
}

/** Repositories with no golden-path component among their ancestors, and not allowed by name. */
export function offGoldenPath(
  resources: readonly StackResource[],
  config: GoldenPathConfig,
): StackResource[] {
  const repositories = StackIndex.of(resources).ofTypes(
    awsTypes.ecrRepository,
    awsNativeTypes.ecrRepository,
  );
  return repositories.filter((resource) => {
    for (let ancestor = resource.parent; ancestor; ancestor = ancestor.parent) {
      if (config.componentTypes.includes(ancestor.type)) {
        return false;
      }
    }
    const name = repositoryName(resource);
    return !config.allowedRepositories.some(
      (allowed) => allowed === resource.name || allowed === name,
    );
  });
}

export const ecrGoldenPath: StackValidationPolicy = {
  name: "ecr-golden-path",
  description:
    "Every ECR repository is created by a TrustedDeliveryPipeline (found in its parent chain), except repositories allowed by name.",
  enforcementLevel: "advisory",
  severity: "medium",
  remediationSteps:
    "Declare the registry as an app of the platform stack (trusted-delivery add-app), or list it in allowedRepositories while it migrates.",
  configSchema: goldenPathConfigSchema,
  validateStack: (args, report) => {
    const reportViolation = stackReporter(args.resources, report);
    const config = configWithDefaults<GoldenPathConfig>(goldenPathConfigSchema, args.getConfig());
    eachKnown(offGoldenPath(args.resources, config), (repository) =>
      reportViolation(
        `ECR repository "${repositoryName(repository) ?? repository.name}" must be created by a TrustedDeliveryPipeline: declare it as an app of the platform stack, or list it in allowedRepositories`,
        repository.urn,
      ),
    );
  },
};
