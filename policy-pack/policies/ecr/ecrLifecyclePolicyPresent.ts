import type { StackValidationPolicy } from "@pulumi/policy";
import { awsNativeTypes, awsTypes } from "../../governance/typeTokens";
import { eachKnown, stackReporter } from "../../lib/judge";
import { normalize } from "../../resources/normalize";
import { registrySettings } from "../../resources/registries";
import { knownOrUndefined, StackIndex, StackResource } from "../../resources/stackIndex";

/**
 * Repositories whose images never expire: no lifecycle policy attached in the stack. A policy
 * attaches by depending on the repository's output, or by naming it; an aws-native repository
 * carries its own. Indexed once, so a stack of thousands of registries costs one pass.
 */
export function withoutLifecyclePolicy(resources: readonly StackResource[]): StackResource[] {
  const index = StackIndex.of(resources);
  const attachedUrns = new Set<string>();
  const attachedNames = new Set<unknown>();
  for (const policy of index.ofTypes(awsTypes.ecrLifecyclePolicy)) {
    for (const dependency of policy.propertyDependencies.repository ?? []) {
      attachedUrns.add(dependency.urn);
    }
    attachedNames.add(knownOrUndefined(() => policy.props.repository));
  }
  const missing: StackResource[] = [];
  eachKnown(index.ofTypes(awsTypes.ecrRepository, awsNativeTypes.ecrRepository), (resource) => {
    const { type, props } = normalize(resource);
    if (type === awsNativeTypes.ecrRepository) {
      if (props.lifecyclePolicy?.lifecyclePolicyText === undefined) {
        missing.push(resource);
      }
      return;
    }
    const name = knownOrUndefined(() => registrySettings(resource)?.name);
    if (!attachedUrns.has(resource.urn) && !(name !== undefined && attachedNames.has(name))) {
      missing.push(resource);
    }
  });
  return missing;
}

export const ecrLifecyclePolicyPresent: StackValidationPolicy = {
  name: "ecr-lifecycle-policy-present",
  description: "Every ECR repository has a lifecycle policy in the stack, so old images expire.",
  enforcementLevel: "advisory",
  severity: "low",
  remediationSteps:
    "Attach an aws.ecr.LifecyclePolicy to the repository (TrustedDeliveryPipeline keeps the last 20, 30 or 50 images by risk).",
  configSchema: { properties: {} },
  validateStack: (args, report) => {
    const reportViolation = stackReporter(args.resources, report);
    for (const repository of withoutLifecyclePolicy(args.resources)) {
      const name = knownOrUndefined(() => registrySettings(repository)?.name);
      reportViolation(
        `ECR repository "${name ?? repository.name}" has no lifecycle policy, so its images never expire: attach an aws.ecr.LifecyclePolicy`,
        repository.urn,
      );
    }
  },
};
