/**
 * The lifecycle policies a stack gives its registries: an `aws.ecr.LifecyclePolicy` attached to
 * a repository (by depending on its output, or by naming it, as `withoutLifecyclePolicy` of the
 * `ecr-lifecycle-policy-present` policy attaches them), an aws-native repository's own
 * `lifecyclePolicy.lifecyclePolicyText`, and a repository creation template's `lifecyclePolicy`
 * (the policy of every repository it makes). Indexed once, so a stack of thousands of registries
 * costs one pass.
 */
import { awsNativeTypes, awsTypes } from "../governance/typeTokens";
import { normalize } from "./normalize";
import { registrySettings } from "./registries";
import { knownOrUndefined, StackIndex, StackResource } from "./stackIndex";

/** A lifecycle policy and the registry it governs. */
export interface RegistryLifecyclePolicy {
  /** The repository, or the creation template, whose tags give the tier. */
  readonly registry: StackResource;
  /** The resource holding the policy: where a violation is reported, and fixed. */
  readonly holder: StackResource;
  /** Where the policy is, for messages: `aws.ecr.LifecyclePolicy "x"`, or its property. */
  readonly where: string;
  /** The policy (JSON text or object), read on access: it may be unknown during a preview. */
  readonly policy: () => unknown;
}

/** `aws.ecr.LifecyclePolicy` resources by the repository URN they depend on, and by name. */
function attachedPolicies(index: StackIndex): {
  byUrn: Map<string, StackResource[]>;
  byName: Map<unknown, StackResource[]>;
} {
  const byUrn = new Map<string, StackResource[]>();
  const byName = new Map<unknown, StackResource[]>();
  const add = <K>(map: Map<K, StackResource[]>, key: K, policy: StackResource) => {
    const list = map.get(key) ?? [];
    if (!list.includes(policy)) {
      list.push(policy);
    }
    map.set(key, list);
  };
  for (const policy of index.ofTypes(awsTypes.ecrLifecyclePolicy)) {
    for (const dependency of policy.propertyDependencies.repository ?? []) {
      add(byUrn, dependency.urn, policy);
    }
    const name = knownOrUndefined(() => policy.props.repository);
    if (name !== undefined) {
      add(byName, name, policy);
    }
  }
  return { byUrn, byName };
}

/**
 * Every lifecycle policy of the stack with the registry it governs. A policy attached to no
 * repository of the stack is left out (its repository, and so its tier, is elsewhere); a value
 * unknown during a preview is read only when `policy()` is called.
 */
export function registryLifecyclePolicies(
  resources: readonly StackResource[],
): RegistryLifecyclePolicy[] {
  const index = StackIndex.of(resources);
  const { byUrn, byName } = attachedPolicies(index);
  const found: RegistryLifecyclePolicy[] = [];
  for (const registry of index.ofTypes(awsTypes.ecrRepository)) {
    const name = knownOrUndefined(() => registrySettings(registry)?.name);
    const attached = new Set([
      ...(byUrn.get(registry.urn) ?? []),
      ...(name === undefined ? [] : (byName.get(name) ?? [])),
    ]);
    for (const holder of attached) {
      found.push({
        registry,
        holder,
        where: `aws.ecr.LifecyclePolicy "${holder.name}"`,
        policy: () => holder.props.policy,
      });
    }
  }
  for (const registry of index.ofTypes(awsNativeTypes.ecrRepository)) {
    const text = knownOrUndefined(
      () => normalize(registry).props.lifecyclePolicy?.lifecyclePolicyText,
    );
    if (text !== undefined) {
      found.push({
        registry,
        holder: registry,
        where: "lifecyclePolicy.lifecyclePolicyText",
        policy: () => normalize(registry).props.lifecyclePolicy.lifecyclePolicyText,
      });
    }
  }
  const templates = index.ofTypes(
    awsTypes.ecrRepositoryCreationTemplate,
    awsNativeTypes.ecrRepositoryCreationTemplate,
  );
  for (const registry of templates) {
    if (knownOrUndefined(() => normalize(registry).props.lifecyclePolicy) !== undefined) {
      found.push({
        registry,
        holder: registry,
        where: "lifecyclePolicy",
        policy: () => normalize(registry).props.lifecyclePolicy,
      });
    }
  }
  return found;
}
