import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { types } from "../../lib/resourceTypes";
import { physicalName, refersTo } from "../../lib/resources";

/** Repositories whose images never expire: no lifecycle policy attached in the stack. */
export function withoutLifecyclePolicy(resources: readonly PolicyResource[]): PolicyResource[] {
  const lifecyclePolicies = resources.filter((r) => r.type === types.ecrLifecyclePolicy);
  return resources.filter((resource) => {
    if (resource.type === types.nativeEcrRepository) {
      return resource.props.lifecyclePolicy?.lifecyclePolicyText === undefined;
    }
    if (resource.type !== types.ecrRepository) {
      return false;
    }
    const name = physicalName(resource, "name");
    return !lifecyclePolicies.some((policy) => refersTo(policy, "repository", resource, name));
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
