import { pipelineChildNames } from "../../components/names";
import { awsTypes, componentTypes } from "../../policy-pack/governance/typeTokens";
import { adoptedPull } from "./appEntries";
import { ExistingRegistry } from "./registry";

/** A `pulumi import --file` document. */
export interface ImportFile {
  readonly resources: readonly Record<string, unknown>[];
}

/**
 * The registries' imports as a `pulumi import --file` document: each pipeline component, its
 * repository and its lifecycle policy, by the names the pipeline gives them.
 */
export function importFile(registries: readonly ExistingRegistry[]): ImportFile {
  return {
    resources: registries.flatMap((registry) => {
      const names = pipelineChildNames(registry.name);
      return [
        { type: componentTypes.trustedDeliveryPipeline, name: registry.name, component: true },
        {
          type: awsTypes.ecrRepository,
          name: names.repository,
          id: registry.id,
          parent: registry.name,
        },
        ...(registry.lifecyclePolicy
          ? [
              {
                type: awsTypes.ecrLifecyclePolicy,
                name: names.lifecyclePolicy,
                id: registry.lifecyclePolicy.id,
                parent: registry.name,
              },
            ]
          : []),
        ...(registry.repositoryPolicy && adoptedPull(registry) !== undefined
          ? [
              {
                type: awsTypes.ecrRepositoryPolicy,
                name: names.repositoryPolicy,
                id: registry.repositoryPolicy.id,
                parent: registry.name,
              },
            ]
          : []),
      ];
    }),
  };
}
