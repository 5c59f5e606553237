import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { types } from "../../lib/resourceTypes";
import { knownOrUndefined, physicalName } from "../../lib/resources";

/**
 * Repositories whose images never expire: no lifecycle policy attached in the stack. A policy
 * attaches by depending on the repository's output, or by naming it. Indexed once, so a stack
 * of thousands of registries costs one pass, not one per pair.
 */
export function withoutLifecyclePolicy(resources: readonly PolicyResource[]): PolicyResource[] {
  const attachedUrns = new Set<string>();
  const attachedNames = new Set<unknown>();
  for (const policy of resources) {
    if (policy.type !== types.ecrLifecyclePolicy) {
      continue;
    }
    for (const dependency of policy.propertyDependencies.repository ?? []) {
      attachedUrns.add(dependency.urn);
    }
    for (const name of [knownOrUndefined(() => policy.props.repository)].flat()) {
      attachedNames.add(name);
    }
  }
  return resources.filter((resource) => {
    if (resource.type === types.nativeEcrRepository) {
      return resource.props.lifecyclePolicy?.lifecyclePolicyText === undefined;
    }
    if (resource.type !== types.ecrRepository) {
      return false;
    }
    const name = physicalName(resource, "name");
    return !attachedUrns.has(resource.urn) && !(name !== undefined && attachedNames.has(name));
  });
}

export const ecrLifecyclePolicyPresent: StackValidationPolicy = {
  name: "ecr-lifecycle-policy-present",
  description: "Every ECR repository has a lifecycle policy in the stack, so old images expire.",
  enforcementLevel: "advisory",
  severity: "low",
  remediationSteps:
    "Attach an aws.ecr.LifecyclePolicy to the repository (TrustedDeliveryPipeline keeps the last 20, 30 or 50 images by risk).",
  configSchema: { properties: {} },
  validateStack: (args, reportViolation) => {
    for (const repository of withoutLifecyclePolicy(args.resources)) {
      reportViolation(
        `ECR repository "${physicalName(repository, repository.type === types.nativeEcrRepository ? "repositoryName" : "name") ?? repository.name}" has no lifecycle policy, so its images never expire: attach an aws.ecr.LifecyclePolicy`,
        repository.urn,
      );
    }
  },
};
