/**
 * The attributes of an ECR repository the pipeline manages, each declared once: what Terraform's
 * state calls it and how it holds it, how the live registry gives it (as the AWS provider imports
 * it), how the program registers it, what the pipeline sets, what `pulumi up` does when they
 * differ, and how people read it. Adoption from a state, adoption from the account, the drift
 * table and the offline plan all derive from this table; `registryAttributes` is typed by
 * `RegistryAttributeValues`, so an attribute added there without its row fails to compile.
 */
import { PipelineSettings, tagsBesideProviderDefaults } from "../../components/pipelineSettings";
import { LiveRepository } from "../aws/readRegistries";

/** The values of the attributes a pipeline manages on its repository. */
export interface RegistryAttributeValues {
  /** The repository's name, which is also its ID and the app's key. */
  readonly name: string;
  readonly imageTagMutability: string;
  readonly encryptionType: string;
  /** The KMS key ARN AWS reports ("" for AES256). */
  readonly kmsKey: string;
  readonly scanOnPush: boolean;
  readonly forceDelete: boolean;
  /** The tags besides the AWS provider's default tags. */
  readonly tags: Readonly<Record<string, string>>;
  /** Every tag the repository carries, the provider's default tags included. */
  readonly tagsAll: Readonly<Record<string, string>>;
}

export type RegistryAttributeName = keyof RegistryAttributeValues;

/** What the program registers for a repository: its inputs, and the outputs mocks answer. */
export interface RegisteredRepository {
  readonly inputs: Readonly<Record<string, any>>;
  readonly outputs: Readonly<Record<string, any>>;
}

export interface RegistryAttribute<T> {
  /** The attribute as Terraform's aws provider names it in state (and in drift tables). */
  readonly terraform: string;
  /** Its value in a state instance's attributes, or undefined when not what hashicorp/aws 4+ writes. */
  readonly fromState: (attributes: Readonly<Record<string, unknown>>) => T | undefined;
  /**
   * Its value in the live repository, as the AWS provider would import it (`tags` the live tags,
   * `defaults` the stack's `aws:defaultTags`).
   */
  readonly fromLive: (
    live: LiveRepository,
    tags: Readonly<Record<string, string>>,
    defaults: Readonly<Record<string, string>>,
  ) => T;
  /** Its value in the repository the program registers. */
  readonly fromProgram: (repository: RegisteredRepository) => T;
  /**
   * The value the pipeline gives it beside the provider's default tags; undefined when the
   * pipeline leaves it to AWS (`unset` says what that means).
   */
  readonly pipeline: (
    settings: PipelineSettings,
    defaults: Readonly<Record<string, string>>,
  ) => T | undefined;
  /** What the pipeline leaving it unset means, for the drift table. */
  readonly unset?: string;
  /** What `pulumi up` does when the pipeline's value differs from the registry's. */
  readonly onChange: "update" | "replace";
  /** The value as people read it. */
  readonly show: (value: T) => string;
}

type AttributeTable = {
  readonly [K in RegistryAttributeName]: RegistryAttribute<RegistryAttributeValues[K]>;
};

/** A map of strings as Terraform's state holds one: `null` when there is none. */
function stringMap(value: unknown): Record<string, string> | undefined {
  if (value === null) {
    return {};
  }
  return typeof value === "object" &&
    !Array.isArray(value) &&
    Object.values(value as object).every((v) => typeof v === "string")
    ? (value as Record<string, string>)
    : undefined;
}

/** The one block of a Terraform nested block list (`encryption_configuration[0]`). */
function onlyBlock(value: unknown): Record<string, unknown> | undefined {
  return Array.isArray(value) &&
    value.length === 1 &&
    typeof value[0] === "object" &&
    value[0] !== null
    ? (value[0] as Record<string, unknown>)
    : undefined;
}

const string = (value: unknown) => (typeof value === "string" ? value : undefined);
const boolean = (value: unknown) => (typeof value === "boolean" ? value : undefined);

export function showTags(tags: Readonly<Record<string, unknown>>): string {
  const entries = Object.entries(tags).sort(([a], [b]) => a.localeCompare(b));
  return entries.length === 0 ? "(none)" : entries.map(([k, v]) => `${k}=${v}`).join(", ");
}

const pipelineTags = (settings: PipelineSettings, defaults: Readonly<Record<string, string>>) =>
  tagsBesideProviderDefaults(settings, defaults) as Record<string, string>;

export const registryAttributes: AttributeTable = {
  name: {
    terraform: "name",
    fromState: (a) => (a.name !== "" ? string(a.name) : undefined),
    fromLive: (live) => live.name,
    fromProgram: ({ inputs }) => String(inputs.name),
    pipeline: (settings) => settings.repositoryName,
    onChange: "replace",
    show: (value) => value,
  },
  imageTagMutability: {
    terraform: "image_tag_mutability",
    fromState: (a) => string(a.image_tag_mutability),
    fromLive: (live) => live.imageTagMutability,
    fromProgram: ({ inputs }) => inputs.imageTagMutability ?? "MUTABLE",
    pipeline: (settings) => settings.ecr.imageTagMutability,
    onChange: "update",
    show: (value) => value,
  },
  encryptionType: {
    terraform: "encryption_type",
    fromState: (a) => string(onlyBlock(a.encryption_configuration)?.encryption_type),
    fromLive: (live) => live.encryptionType,
    fromProgram: ({ inputs }) => inputs.encryptionConfigurations?.[0]?.encryptionType ?? "AES256",
    pipeline: (settings) => settings.ecr.encryption,
    onChange: "replace",
    show: (value) => value,
  },
  kmsKey: {
    terraform: "kms_key",
    fromState: (a) => {
      const block = onlyBlock(a.encryption_configuration);
      return block === undefined ? undefined : (string(block.kms_key) ?? "");
    },
    fromLive: (live) => live.kmsKey ?? "",
    fromProgram: ({ inputs }) => String(inputs.encryptionConfigurations?.[0]?.kmsKey ?? ""),
    pipeline: (settings) =>
      typeof settings.ecr.kmsKeyArn === "string"
        ? settings.ecr.kmsKeyArn
        : settings.ecr.encryption === "KMS"
          ? undefined
          : "",
    unset: "(not set: keeps the key AWS chose)",
    onChange: "replace",
    show: (value) => value || "(none)",
  },
  scanOnPush: {
    terraform: "scan_on_push",
    fromState: (a) => boolean(onlyBlock(a.image_scanning_configuration)?.scan_on_push),
    fromLive: (live) => live.scanOnPush,
    fromProgram: ({ inputs }) => inputs.imageScanningConfiguration?.scanOnPush === true,
    pipeline: (settings) => settings.ecr.scanOnPush,
    onChange: "update",
    show: String,
  },
  forceDelete: {
    terraform: "force_delete",
    fromState: (a) => boolean(a.force_delete),
    // AWS does not hold it: an import starts from the provider's default.
    fromLive: () => false,
    fromProgram: ({ inputs }) => inputs.forceDelete === true,
    pipeline: (settings) => settings.ecr.forceDelete,
    onChange: "update",
    show: String,
  },
  tags: {
    terraform: "tags",
    fromState: (a) => stringMap(a.tags),
    // A tag whose key and value the stack's default tags give is the provider's.
    fromLive: (_, tags, defaults) =>
      Object.fromEntries(Object.entries(tags).filter(([key, value]) => defaults[key] !== value)),
    fromProgram: ({ inputs }) => ({ ...(inputs.tags ?? {}) }),
    pipeline: pipelineTags,
    onChange: "update",
    show: showTags,
  },
  tagsAll: {
    terraform: "tags_all",
    fromState: (a) => stringMap(a.tags_all),
    fromLive: (_, tags) => tags,
    fromProgram: ({ inputs, outputs }) => ({ ...(outputs.tagsAll ?? {}), ...(inputs.tags ?? {}) }),
    pipeline: (settings, defaults) => ({ ...defaults, ...pipelineTags(settings, defaults) }),
    onChange: "update",
    show: showTags,
  },
};

export const registryAttributeNames = Object.keys(registryAttributes) as RegistryAttributeName[];

/**
 * The values a state instance holds, or the attributes (by Terraform's name) that are not what
 * hashicorp/aws 4 or later writes there.
 */
export function attributesFromState(
  attributes: Readonly<Record<string, unknown>>,
): { values: RegistryAttributeValues } | { bad: string[] } {
  const values: Partial<Record<RegistryAttributeName, unknown>> = {};
  const bad: string[] = [];
  for (const name of registryAttributeNames) {
    const value = registryAttributes[name].fromState(attributes);
    if (value === undefined) {
      bad.push(registryAttributes[name].terraform);
    } else {
      values[name] = value;
    }
  }
  // Every name of the table has a value: the table is typed by RegistryAttributeValues.
  return bad.length > 0 ? { bad } : { values: values as RegistryAttributeValues };
}

/** The values of the live repository, as the AWS provider would import it. */
export function attributesFromLive(
  live: LiveRepository,
  tags: Readonly<Record<string, string>>,
  defaults: Readonly<Record<string, string>>,
): RegistryAttributeValues {
  const values: Partial<Record<RegistryAttributeName, unknown>> = {};
  for (const name of registryAttributeNames) {
    values[name] = registryAttributes[name].fromLive(live, tags, defaults);
  }
  return values as RegistryAttributeValues;
}

/** The values of the repository the program registers. */
export function attributesFromProgram(repository: RegisteredRepository): RegistryAttributeValues {
  const values: Partial<Record<RegistryAttributeName, unknown>> = {};
  for (const name of registryAttributeNames) {
    values[name] = registryAttributes[name].fromProgram(repository);
  }
  return values as RegistryAttributeValues;
}
