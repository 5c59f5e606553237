import * as pulumi from "@pulumi/pulumi";
import { governanceTagKeys } from "../policy-pack/governance/registry";
import { checkPipelineArgs } from "./checks/pipeline";
import {
  EcrSettings,
  EnvironmentProtection,
  GitHubRepositoryAccess,
  PipelineImportIds,
  PushRoleSettings,
  RegistryMetadata,
  TrustedDeliveryPipelineArgs,
} from "./pipelineArgs";
import { InvalidArgumentsError } from "./invalidArguments";
import { GitHubIds } from "./githubTrust";
import { VulnerabilitySeverity } from "./vulnerabilityGate";

/**
 * A settings interface with every setting resolved: none optional, lists read-only. Deriving the
 * resolved settings from the args interfaces means a new optional setting is missing from what
 * its check returns until the check resolves it: the compiler names the place to touch.
 */
export type Resolved<T> = {
  readonly [K in keyof T]-?: Exclude<T[K], undefined> extends readonly (infer E)[]
    ? readonly E[]
    : Exclude<T[K], undefined>;
};

/** The registry's settings: the tier's, with the overrides given, and what the pipeline always sets. */
export type EcrPipelineSettings = Resolved<Omit<EcrSettings, "kmsKeyArn">> &
  Pick<EcrSettings, "kmsKeyArn"> & {
    readonly scanOnPush: true;
    /** The lifecycle policy's JSON text. */
    readonly lifecyclePolicy: string;
  };

/** The push role's settings: IAM's defaults, with those given; the boundary only when given. */
export type RolePipelineSettings = Resolved<Omit<PushRoleSettings, "permissionsBoundary">> &
  Pick<PushRoleSettings, "permissionsBoundary">;

/** The GitHub side, resolved: the given settings and what the pipeline derives from them. */
export type GitHubPipelineSettings = Resolved<
  // Inputs consumed into other settings: the IDs into the subjects, the names into the two below;
  // and the vulnerability gate, which may resolve to none.
  Omit<
    GitHubRepositoryAccess,
    | "ownerId"
    | "repositoryId"
    | "variableNames"
    | "environmentProtection"
    | "vulnerabilityGate"
    | "registryFindingsGate"
  >
> & {
  /** The severity at which the workflow's scan fails, or `undefined`: no scan. */
  readonly vulnerabilityGate: VulnerabilitySeverity | undefined;
  /** The severity of registry scan findings that fails the gates, or `undefined`: no such gate. */
  readonly registryFindingsGate: VulnerabilitySeverity | undefined;
  /** The Actions variable holding the signing profile's ARN (written when images are signed). */
  readonly signingProfileVariableName: string;
  /** The deployment environments' protection, every default applied. */
  readonly environmentProtection: Resolved<EnvironmentProtection>;
  readonly owner: string;
  readonly name: string;
  /**
   * The trust policy's `sub` values known before deploying: all of them, except with
   * `trust: "id"` and no ids given, when the immutable-form ones follow from the ids looked up
   * at deploy time (`trustPolicy.ts`'s `pipelineTrust` makes the whole list from the ids).
   */
  readonly subjects: readonly string[];
  /** The ids given by hand (`ownerId`, `repositoryId`), which nothing then looks up. */
  readonly ids: GitHubIds | undefined;
  /** Where the pipeline commits the build-and-push workflow (when `commitWorkflow`). */
  readonly workflowPath: string;
  readonly repositoryUrlVariableName: string;
  readonly regionVariableName: string;
};

/** Everything a pipeline will create, with every default applied (from `defaults.ts`). */
export interface PipelineSettings {
  readonly repositoryName: string;
  readonly environment: string;
  readonly metadata: RegistryMetadata;
  readonly ecr: EcrPipelineSettings;
  readonly tagPrefix: string;
  /** Governance tags, then `Environment`, then the extra tags. */
  readonly tags: { readonly [key: string]: pulumi.Input<string> };
  /** The push role's name. */
  readonly roleName: string;
  /** The push role's boundary, session duration and path. */
  readonly role: RolePipelineSettings;
  /** Existing resources to adopt, by ID. */
  readonly importIds: PipelineImportIds;
  /** The signing profile images are signed with; given exactly when `ecr.signing`. */
  readonly signingProfileArn?: pulumi.Input<string>;
  readonly github: GitHubPipelineSettings;
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
  const governance = Object.values(governanceTagKeys(settings.tagPrefix)) as string[];
  return Object.fromEntries(
    Object.entries(settings.tags).filter(
      ([key, value]) => governance.includes(key) || providerDefaultTags[key] !== value,
    ),
  );
}

/**
 * Checks a pipeline's arguments and applies every default, in one pass (`checks/pipeline.ts`); throws an
 * {@link InvalidArgumentsError} listing all problems when the arguments are invalid.
 */
export function resolvePipelineSettings(
  name: string,
  args: TrustedDeliveryPipelineArgs,
): PipelineSettings {
  const result = checkPipelineArgs(name, args);
  if (result.value === undefined) {
    throw new InvalidArgumentsError(`TrustedDeliveryPipeline "${name}"`, result.problems);
  }
  return result.value;
}
