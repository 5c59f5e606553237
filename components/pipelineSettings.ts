import * as pulumi from "@pulumi/pulumi";
import { lifecyclePolicyDocument } from "./lifecyclePolicy";
import {
  buildPushWorkflowPath,
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
  readonly tagPrefix: string;
  /** Governance tags, then `Environment`, then the extra tags. */
  readonly tags: { readonly [key: string]: pulumi.Input<string> };
  readonly roleName: string;
  /** Existing resources to adopt, by ID. */
  readonly importIds: { readonly repository?: string; readonly lifecyclePolicy?: string };
  readonly github: {
    readonly repository: string;
    readonly owner: string;
    readonly name: string;
    readonly branches: readonly string[];
    readonly tags: readonly string[];
    /** GitHub deployment environments the pipeline creates and trusts (then the only subjects). */
    readonly environments: readonly string[];
    /** Their protection, every default applied. */
    readonly environmentProtection: {
      readonly reviewerUsers: readonly number[];
      readonly reviewerTeams: readonly number[];
      readonly preventSelfReview: boolean;
      readonly deploymentBranches: readonly string[];
      readonly deploymentTags: readonly string[];
      readonly waitTimer: number;
    };
    /** The trust policy's `sub` values. */
    readonly subjects: readonly string[];
    /** Whether the pipeline commits the build-and-push workflow, and where. */
    readonly commitWorkflow: boolean;
    readonly workflowPath: string;
    readonly secretName: string;
    readonly repositoryUrlVariableName: string;
    readonly regionVariableName: string;
  };
}

/**
 * The tags a resource is given, when the AWS provider already applies `defaultTags`: those the
 * defaults set to the same value are left to them (the resource still carries them, in
 * `tagsAll`), so the resource's own `tags` read back exactly as AWS and Terraform store them and
 * adopted resources show no diff. Governance tags always stay on the resource, where policies look.
 */
export function tagsBesideProviderDefaults(
  settings: PipelineSettings,
  providerDefaultTags: Readonly<Record<string, string>>,
): { [key: string]: pulumi.Input<string> } {
  const governance = [
    `${settings.tagPrefix}id`,
    `${settings.tagPrefix}owner`,
    `${settings.tagPrefix}risk`,
  ];
  return Object.fromEntries(
    Object.entries(settings.tags).filter(
      ([key, value]) => governance.includes(key) || providerDefaultTags[key] !== value,
    ),
  );
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
  const environments = unique(github.environments ?? []);
  const branches = unique(github.branches ?? (environments.length > 0 ? [] : ["main"]));
  const tags = unique(github.tags ?? []);
  const protection = github.environmentProtection ?? {};
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
    tagPrefix,
    tags: {
      [`${tagPrefix}id`]: metadata.id,
      [`${tagPrefix}owner`]: metadata.owner,
      [`${tagPrefix}risk`]: metadata.risk,
      Environment: environment,
      ...args.tags,
    },
    roleName: pushRoleName(repositoryName, environment),
    importIds: { ...args.importIds },
    github: {
      repository: github.repository,
      owner,
      name: repository,
      branches,
      tags,
      environments,
      environmentProtection: {
        reviewerUsers: protection.reviewerUsers ?? [],
        reviewerTeams: protection.reviewerTeams ?? [],
        preventSelfReview: protection.preventSelfReview ?? true,
        deploymentBranches: protection.deploymentBranches ?? ["main"],
        deploymentTags: protection.deploymentTags ?? [],
        waitTimer: protection.waitTimer ?? 0,
      },
      subjects: githubSubjects({
        repository: github.repository,
        branches,
        tags,
        environments,
        ownerId: github.ownerId,
        repositoryId: github.repositoryId,
      }),
      commitWorkflow: github.commitWorkflow ?? false,
      workflowPath: buildPushWorkflowPath(environment),
      secretName: github.secretName ?? defaultRoleSecretName(environment),
      repositoryUrlVariableName:
        github.variableNames?.repositoryUrl ?? defaultRepositoryUrlVariableName(environment),
      regionVariableName: github.variableNames?.region ?? defaultRegionVariableName(environment),
    },
  };
}
