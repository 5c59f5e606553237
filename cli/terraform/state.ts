import * as fs from "fs";
import {
  InvalidArgumentsError,
  isPlainObject,
  Problem,
  problem,
} from "../../components/validation";

/** An ECR repository as the Terraform state holds it, with its lifecycle policy if it has one. */
export interface TerraformRegistry {
  /** The repository's name, which is also its ID and the app's key. */
  readonly name: string;
  /** The state address, for `terraform state rm`. */
  readonly address: string;
  readonly id: string;
  readonly arn: string;
  readonly imageTagMutability: string;
  readonly encryptionType: string;
  /** The KMS key ARN AWS reports ("" for AES256). */
  readonly kmsKey: string;
  readonly scanOnPush: boolean;
  readonly forceDelete: boolean;
  readonly tags: Readonly<Record<string, string>>;
  readonly tagsAll: Readonly<Record<string, string>>;
  readonly lifecyclePolicy?: {
    readonly address: string;
    readonly id: string;
    readonly policy: string;
  };
}

interface StateInstance {
  readonly address: string;
  readonly attributes: Record<string, unknown>;
}

function instancesOf(resources: unknown[], type: string): StateInstance[] {
  const found: StateInstance[] = [];
  for (const resource of resources) {
    if (!isPlainObject(resource) || resource.mode !== "managed" || resource.type !== type) {
      continue;
    }
    const prefix = typeof resource.module === "string" ? `${resource.module}.` : "";
    for (const instance of Array.isArray(resource.instances) ? resource.instances : []) {
      const key = isPlainObject(instance) ? instance.index_key : undefined;
      const index = key === undefined ? "" : `[${JSON.stringify(key)}]`;
      found.push({
        address: `${prefix}${resource.type}.${resource.name}${index}`,
        attributes:
          isPlainObject(instance) && isPlainObject(instance.attributes) ? instance.attributes : {},
      });
    }
  }
  return found;
}

function stringMap(value: unknown): Record<string, string> | undefined {
  if (value === null) {
    return {};
  }
  if (!isPlainObject(value) || !Object.values(value).every((v) => typeof v === "string")) {
    return undefined;
  }
  return value as Record<string, string>;
}

/** What a registry attribute must look like in state, by name. */
const repositoryAttributes: Record<string, (value: unknown) => boolean> = {
  id: (v) => typeof v === "string" && v !== "",
  name: (v) => typeof v === "string" && v !== "",
  arn: (v) => typeof v === "string",
  image_tag_mutability: (v) => typeof v === "string",
  encryption_configuration: (v) =>
    Array.isArray(v) &&
    v.length === 1 &&
    isPlainObject(v[0]) &&
    typeof v[0].encryption_type === "string",
  image_scanning_configuration: (v) =>
    Array.isArray(v) &&
    v.length === 1 &&
    isPlainObject(v[0]) &&
    typeof v[0].scan_on_push === "boolean",
  force_delete: (v) => typeof v === "boolean",
  tags: (v) => stringMap(v) !== undefined,
  tags_all: (v) => stringMap(v) !== undefined,
};

/**
 * Every ECR repository a Terraform state manages, found by resource type wherever it sits
 * (any module, any instance key), paired with the lifecycle policy of the same repository.
 * Refuses, naming the file and each problem, state that is not version 4 JSON or lacks what
 * adoption reads.
 */
export function registriesInState(
  file: string,
  text = fs.readFileSync(file, "utf8"),
): TerraformRegistry[] {
  const subject = `Terraform state ${file}`;
  let state: unknown;
  try {
    state = JSON.parse(text);
  } catch {
    throw new InvalidArgumentsError(subject, [
      problem("file", file, "must be Terraform state as JSON, as `terraform state pull` prints it"),
    ]);
  }
  if (!isPlainObject(state) || state.version !== 4) {
    const version = isPlainObject(state) ? state.version : state;
    throw new InvalidArgumentsError(subject, [
      problem(
        "version",
        version,
        "must be 4, the state format of Terraform 0.12 and later: pull the state with a current Terraform",
      ),
    ]);
  }
  const resources = Array.isArray(state.resources) ? state.resources : [];
  const problems: Problem[] = [];
  const policies = new Map<string, StateInstance>();
  for (const instance of instancesOf(resources, "aws_ecr_lifecycle_policy")) {
    const repository = instance.attributes.repository;
    if (
      typeof repository !== "string" ||
      typeof instance.attributes.policy !== "string" ||
      typeof instance.attributes.id !== "string"
    ) {
      problems.push({
        field: instance.address,
        message: `${instance.address} lacks the attribute repository, policy or id that adoption reads`,
      });
    } else {
      policies.set(repository, instance);
    }
  }
  const registries: TerraformRegistry[] = [];
  for (const instance of instancesOf(resources, "aws_ecr_repository")) {
    const a = instance.attributes;
    const bad = Object.entries(repositoryAttributes).filter(([name, check]) => !check(a[name]));
    if (bad.length > 0) {
      for (const [name] of bad) {
        problems.push(
          problem(
            `${instance.address}.${name}`,
            a[name],
            "is not what hashicorp/aws 4 or later writes there; refresh the state (terraform apply -refresh-only) and pull it again",
          ),
        );
      }
      continue;
    }
    const encryption = (a.encryption_configuration as Record<string, unknown>[])[0];
    const policy = policies.get(a.name as string);
    registries.push({
      name: a.name as string,
      address: instance.address,
      id: a.id as string,
      arn: a.arn as string,
      imageTagMutability: a.image_tag_mutability as string,
      encryptionType: encryption.encryption_type as string,
      kmsKey: typeof encryption.kms_key === "string" ? encryption.kms_key : "",
      scanOnPush: (a.image_scanning_configuration as Record<string, unknown>[])[0]
        .scan_on_push as boolean,
      forceDelete: a.force_delete as boolean,
      tags: stringMap(a.tags)!,
      tagsAll: stringMap(a.tags_all)!,
      ...(policy && {
        lifecyclePolicy: {
          address: policy.address,
          id: policy.attributes.id as string,
          policy: policy.attributes.policy as string,
        },
      }),
    });
  }
  if (problems.length === 0 && registries.length === 0) {
    problems.push(
      problem(
        "resources",
        `${resources.length} resources`,
        "must include at least one aws_ecr_repository to adopt",
      ),
    );
  }
  if (problems.length > 0) {
    throw new InvalidArgumentsError(subject, problems);
  }
  return registries.sort((a, b) => a.name.localeCompare(b.name));
}
