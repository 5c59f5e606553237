import * as pulumi from "@pulumi/pulumi";
import { lifecyclePolicyDocument } from "./lifecyclePolicy";
import {
  defaultRegionVariableName,
  defaultRepositoryUrlVariableName,
  defaultRoleSecretName,
  pushRoleName,
} from "./names";
import { TrustedDeliveryPipelineArgs } from "./pipelineArgs";
import { EncryptionType, ImageTagMutability, RiskLevel, riskTiers } from "./riskTiers";
import { githubSubjects } from "./trustPolicy";
import {
  defaultTagPrefix,
  InvalidArgumentsError,
  validateTrustedDeliveryPipelineArgs,
} from "./validation";

/** Everything a pipeline will create, with every default applied: the single place defaults live. */
export interface PipelineSettings {
  readonly repositoryName: string;
  readonly environment: string;
  readonly metadata: {
    readonly id: string;
    readonly owner: string;
    readonly risk: RiskLevel;
    readonly description?: string;
  };
  readonly ecr: {
    readonly imageTagMutability: ImageTagMutability;
    readonly encryption: EncryptionType;
    readonly kmsKeyArn?: pulumi.Input<string>;
    readonly keepImages: number;
    readonly forceDelete: boolean;
    readonly protect: boolean;
    readonly scanOnPush: true;
    /** The lifecycle policy's JSON text. */
    readonly lifecyclePolicy: string;
  };
  /** Governance tags, then `Environment`, then the extra tags. */
  readonly tags: { readonly [key: string]: pulumi.Input<string> };
  readonly roleName: string;
  readonly github: {
    readonly repository: string;
    readonly owner: string;
    readonly name: string;
    /** The trust policy's `sub` values. */
    readonly subjects: readonly string[];
    readonly secretName: string;
    readonly repositoryUrlVariableName: string;
    readonly regionVariableName: string;
  };
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

/**
 * Validates a pipeline's arguments and applies every default. Throws an
 * {@link InvalidArgumentsError} listing all problems when the arguments are invalid.
 */
export function resolvePipelineSettings(
  name: string,
  args: TrustedDeliveryPipelineArgs,
): PipelineSettings {
  const problems = validateTrustedDeliveryPipelineArgs(name, args);
  if (problems.length > 0) {
    throw new InvalidArgumentsError(`TrustedDeliveryPipeline "${name}"`, problems);
  }
  const { metadata, github, environment } = args;
  const ecr = args.ecr ?? {};
  const tier = riskTiers[metadata.risk];
  const repositoryName = args.repositoryName ?? name;
  const keepImages = ecr.keepImages ?? tier.keepImages;
  const tagPrefix = args.tagPrefix ?? defaultTagPrefix;
  const [owner, repository] = github.repository.split("/");
  return {
    repositoryName,
    environment,
    metadata: {
      id: metadata.id,
      owner: metadata.owner,
      risk: metadata.risk,
      ...(metadata.description === undefined ? {} : { description: metadata.description }),
    },
    ecr: {
      imageTagMutability: ecr.imageTagMutability ?? tier.imageTagMutability,
      encryption: ecr.encryption ?? tier.encryption,
      ...(ecr.kmsKeyArn === undefined ? {} : { kmsKeyArn: ecr.kmsKeyArn }),
      keepImages,
      forceDelete: ecr.forceDelete ?? false,
      protect: ecr.protect ?? true,
      scanOnPush: true,
      lifecyclePolicy: lifecyclePolicyDocument(keepImages, metadata.risk),
    },
    tags: {
      [`${tagPrefix}id`]: metadata.id,
      [`${tagPrefix}owner`]: metadata.owner,
      [`${tagPrefix}risk`]: metadata.risk,
      Environment: environment,
      ...args.tags,
    },
    roleName: pushRoleName(repositoryName, environment),
    github: {
      repository: github.repository,
      owner,
      name: repository,
      subjects: unique(
        githubSubjects({
          repository: github.repository,
          branches: github.branches ?? ["main"],
          tags: github.tags ?? [],
          environments: github.environments ?? [],
          ownerId: github.ownerId,
          repositoryId: github.repositoryId,
        }),
      ),
      secretName: github.secretName ?? defaultRoleSecretName(environment),
      repositoryUrlVariableName:
        github.variableNames?.repositoryUrl ?? defaultRepositoryUrlVariableName(environment),
      regionVariableName: github.variableNames?.region ?? defaultRegionVariableName(environment),
    },
  };
}
