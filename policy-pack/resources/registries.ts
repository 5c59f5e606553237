/**
 * ECR resources that make or expose registries, read into one shape: repositories of either
 * provider, creation templates (which make repositories on push, pull-through and replication),
 * the registry policy, replication, pull-through cache rules and the registry's scanning
 * configuration. Reading a property unknown during a preview throws the policy SDK's
 * UnknownValueError; callers decide what that means.
 */
import { awsNativeTypes, awsTypes } from "../governance/typeTokens";
import { normalize, ResourceLike } from "./normalize";

/** A repository, or a template repositories are made from: what governance asks of both. */
export interface RegistrySettings {
  readonly kind: "repository" | "creation template";
  /** The repository's name, or the template's prefix. */
  readonly name: string | undefined;
  /** Tags, or the tags a template gives its repositories (read on access). */
  readonly tags: () => Record<string, unknown>;
  readonly imageTagMutability: () => string;
  /** The tag-mutability exclusion filters' patterns (with a `..._WITH_EXCLUSION` mutability). */
  readonly exclusionFilters: () => string[];
  readonly encryptionType: () => string;
  /** Repositories only; templates leave scanning to the registry's configuration. */
  readonly scanOnPush?: () => boolean;
  /** Property paths, for messages. */
  readonly paths: {
    readonly tags: string;
    readonly imageTagMutability: string;
    readonly encryptionType: string;
    readonly scanOnPush: string;
  };
}

function tagList(value: unknown): Record<string, unknown> {
  const tags: Record<string, unknown> = {};
  for (const tag of (value as { key: string; value: unknown }[] | undefined) ?? []) {
    tags[tag.key] = tag.value;
  }
  return tags;
}

const optionalString = (value: unknown): string | undefined =>
  typeof value === "string" ? value : undefined;

/** The filters' patterns, from `@pulumi/aws`'s `{ filter }` or the native `{ ...FilterValue }`. */
function filterValues(value: unknown): string[] {
  return ((value as Record<string, unknown>[] | undefined) ?? []).map((f) =>
    String(f?.filter ?? f?.imageTagMutabilityExclusionFilterValue ?? ""),
  );
}

/** The registry settings of a repository or creation template; undefined for other resources. */
export function registrySettings(resource: ResourceLike): RegistrySettings | undefined {
  const normalized = normalize(resource);
  const { type } = normalized;
  switch (type) {
    case awsTypes.ecrRepository:
      return {
        kind: "repository",
        name: optionalString(normalized.props.name),
        tags: () => ({ ...(normalized.props.tags ?? {}) }),
        imageTagMutability: () => normalized.props.imageTagMutability ?? "MUTABLE",
        exclusionFilters: () => filterValues(normalized.props.imageTagMutabilityExclusionFilters),
        encryptionType: () =>
          (normalized.props.encryptionConfigurations ?? [])[0]?.encryptionType ?? "AES256",
        scanOnPush: () => normalized.props.imageScanningConfiguration?.scanOnPush === true,
        paths: {
          tags: "tags",
          imageTagMutability: "imageTagMutability",
          encryptionType: "encryptionConfigurations[0].encryptionType",
          scanOnPush: "imageScanningConfiguration.scanOnPush",
        },
      };
    case awsNativeTypes.ecrRepository:
      return {
        kind: "repository",
        name: optionalString(normalized.props.repositoryName),
        tags: () => tagList(normalized.props.tags),
        imageTagMutability: () => normalized.props.imageTagMutability ?? "MUTABLE",
        exclusionFilters: () => filterValues(normalized.props.imageTagMutabilityExclusionFilters),
        encryptionType: () => normalized.props.encryptionConfiguration?.encryptionType ?? "AES256",
        scanOnPush: () => normalized.props.imageScanningConfiguration?.scanOnPush === true,
        paths: {
          tags: "tags",
          imageTagMutability: "imageTagMutability",
          encryptionType: "encryptionConfiguration.encryptionType",
          scanOnPush: "imageScanningConfiguration.scanOnPush",
        },
      };
    case awsTypes.ecrRepositoryCreationTemplate:
      return {
        kind: "creation template",
        name: optionalString(normalized.props.prefix),
        tags: () => ({ ...(normalized.props.resourceTags ?? {}) }),
        imageTagMutability: () => normalized.props.imageTagMutability ?? "MUTABLE",
        exclusionFilters: () => filterValues(normalized.props.imageTagMutabilityExclusionFilters),
        encryptionType: () =>
          (normalized.props.encryptionConfigurations ?? [])[0]?.encryptionType ?? "AES256",
        paths: {
          tags: "resourceTags",
          imageTagMutability: "imageTagMutability",
          encryptionType: "encryptionConfigurations[0].encryptionType",
          scanOnPush: "",
        },
      };
    case awsNativeTypes.ecrRepositoryCreationTemplate:
      return {
        kind: "creation template",
        name: optionalString(normalized.props.prefix),
        tags: () => tagList(normalized.props.resourceTags),
        imageTagMutability: () => normalized.props.imageTagMutability ?? "MUTABLE",
        exclusionFilters: () => filterValues(normalized.props.imageTagMutabilityExclusionFilters),
        encryptionType: () => normalized.props.encryptionConfiguration?.encryptionType ?? "AES256",
        paths: {
          tags: "resourceTags",
          imageTagMutability: "imageTagMutability",
          encryptionType: "encryptionConfiguration.encryptionType",
          scanOnPush: "",
        },
      };
    default:
      return undefined;
  }
}

/** How a message names it: `ECR repository "x"`, `ECR creation template for prefix "x"`. */
export function describeRegistry(settings: RegistrySettings, fallback: string): string {
  return settings.kind === "repository"
    ? `ECR repository "${settings.name ?? fallback}"`
    : `ECR repository creation template "${settings.name ?? fallback}"`;
}

/** A resource policy that lets principals reach a registry's repositories, if it is one. */
export interface RegistryPolicyDocument {
  /** What it is, for messages: `ECR repository policy`, `ECR registry policy`, ... */
  readonly what: string;
  readonly document: () => unknown;
}

export function registryPolicyDocument(resource: ResourceLike): RegistryPolicyDocument | undefined {
  const normalized = normalize(resource);
  const { type } = normalized;
  switch (type) {
    case awsTypes.ecrRepositoryPolicy:
      return { what: "ECR repository policy", document: () => normalized.props.policy };
    case awsNativeTypes.ecrRepository:
      return normalized.props.repositoryPolicyText === undefined
        ? undefined
        : { what: "ECR repository policy", document: () => normalized.props.repositoryPolicyText };
    case awsTypes.ecrRegistryPolicy:
      return { what: "ECR registry policy", document: () => normalized.props.policy };
    case awsNativeTypes.ecrRegistryPolicy:
      return { what: "ECR registry policy", document: () => normalized.props.policyText };
    case awsTypes.ecrRepositoryCreationTemplate:
    case awsNativeTypes.ecrRepositoryCreationTemplate:
      return normalized.props.repositoryPolicy === undefined
        ? undefined
        : {
            what: `ECR repository creation template "${normalized.props.prefix}"'s repository policy`,
            document: () => normalized.props.repositoryPolicy,
          };
    default:
      return undefined;
  }
}

/** Where a replication configuration copies images: registry (account) ids and regions. */
export function replicationDestinations(
  resource: ResourceLike,
): { registryId: string; region: string }[] | undefined {
  const normalized = normalize(resource);
  const { type } = normalized;
  if (
    type !== awsTypes.ecrReplicationConfiguration &&
    type !== awsNativeTypes.ecrReplicationConfiguration
  ) {
    return undefined;
  }
  const rules: any[] = normalized.props.replicationConfiguration?.rules ?? [];
  return rules.flatMap((rule) =>
    (rule.destinations ?? []).map((d: any) => ({
      registryId: String(d.registryId),
      region: String(d.region),
    })),
  );
}

/** What repository creation templates apply to. */
export type TemplateUse = "CREATE_ON_PUSH" | "PULL_THROUGH_CACHE" | "REPLICATION";

/** A creation template's prefix and uses; undefined for other resources. */
export function creationTemplate(
  resource: ResourceLike,
): { prefix: string; appliesTo: string[] } | undefined {
  const normalized = normalize(resource);
  const { type } = normalized;
  if (type === awsTypes.ecrRepositoryCreationTemplate) {
    return {
      prefix: String(normalized.props.prefix),
      appliesTo: [...(normalized.props.appliedFors ?? [])],
    };
  }
  if (type === awsNativeTypes.ecrRepositoryCreationTemplate) {
    return {
      prefix: String(normalized.props.prefix),
      appliesTo: [...(normalized.props.appliedFor ?? [])],
    };
  }
  return undefined;
}

/** A pull-through cache rule's repository prefix; undefined for other resources. */
export function pullThroughCachePrefix(resource: ResourceLike): string | undefined {
  const normalized = normalize(resource);
  const { type } = normalized;
  return type === awsTypes.ecrPullThroughCacheRule ||
    type === awsNativeTypes.ecrPullThroughCacheRule
    ? String(normalized.props.ecrRepositoryPrefix)
    : undefined;
}

/** A registry scanning configuration's rules; undefined for other resources. */
export function registryScanningRules(
  resource: ResourceLike,
): { scanType: string; rules: { frequency: string; filters: string[] }[] } | undefined {
  const normalized = normalize(resource);
  const { type } = normalized;
  if (
    type !== awsTypes.ecrRegistryScanningConfiguration &&
    type !== awsNativeTypes.ecrRegistryScanningConfiguration
  ) {
    return undefined;
  }
  const rules: any[] = normalized.props.rules ?? [];
  return {
    scanType: String(normalized.props.scanType ?? "BASIC"),
    rules: rules.map((rule) => ({
      frequency: String(rule.scanFrequency),
      filters: (rule.repositoryFilters ?? []).map((f: any) => String(f.filter)),
    })),
  };
}

/** ECR Public repositories, which publish to everyone; the name, or undefined for others. */
export function publicRepositoryName(
  resource: ResourceLike & { name: string },
): string | undefined {
  const normalized = normalize(resource);
  const { type } = normalized;
  return type === awsTypes.ecrPublicRepository || type === awsNativeTypes.ecrPublicRepository
    ? (normalized.props.repositoryName ?? resource.name)
    : undefined;
}
