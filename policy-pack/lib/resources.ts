import { PolicyResource } from "@pulumi/policy";
import { types } from "./resourceTypes";

/**
 * Reads a value, or gives undefined when it is unknown during preview. Only for lookups where an
 * unknown value may safely count as "no match" (never as compliant): everything else reads
 * values directly, so the SDK reports that the check cannot run yet.
 */
export function knownOrUndefined<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch (e) {
    // The policy SDK's UnknownValueError is internal to it; its class name is what identifies it.
    if (e instanceof Error && e.constructor.name === "UnknownValueError") {
      return undefined;
    }
    throw e;
  }
}

/** An ECR repository's tags as a map, from either AWS provider's shape. */
export function ecrTags(type: string, props: Record<string, any>): Record<string, unknown> {
  if (type === types.nativeEcrRepository) {
    const tags: Record<string, unknown> = {};
    for (const tag of props.tags ?? []) {
      tags[tag.key] = tag.value;
    }
    return tags;
  }
  return { ...(props.tags ?? {}) };
}

/** The property path of a repository's encryption type, for messages. */
export function encryptionTypePath(type: string): string {
  return type === types.nativeEcrRepository
    ? "encryptionConfiguration.encryptionType"
    : "encryptionConfigurations[0].encryptionType";
}

/** A repository's encryption type; AES256 when none is set, as ECR defaults. */
export function encryptionType(type: string, props: Record<string, any>): string {
  const configuration =
    type === types.nativeEcrRepository
      ? props.encryptionConfiguration
      : (props.encryptionConfigurations ?? [])[0];
  return configuration?.encryptionType ?? "AES256";
}

/** A role's trust policy document, from either AWS provider's shape. */
export function trustPolicyOf(resource: { type: string; props: Record<string, any> }): unknown {
  return resource.type === types.nativeIamRole
    ? resource.props.assumeRolePolicyDocument
    : resource.props.assumeRolePolicy;
}

export function isRole(resource: { type: string }): boolean {
  return resource.type === types.iamRole || resource.type === types.nativeIamRole;
}

/** A resource's physical name, when set and known: `name`, `roleName` or `repositoryName`. */
export function physicalName(resource: PolicyResource, property: string): string | undefined {
  const value = knownOrUndefined(() => resource.props[property]);
  return typeof value === "string" ? value : undefined;
}
