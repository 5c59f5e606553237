import * as pulumi from "@pulumi/pulumi";
import { EncryptionType, RiskLevel } from "./riskTiers";

/**
 * Tag mutability as a registry may set it: the tier's two, and each with exceptions (the
 * `imageTagMutabilityExclusionFilters` tags behave the other way).
 */
export const TagMutabilitySetting = {
  /** A tag can be moved to a new image (`latest`, `main`). */
  Mutable: "MUTABLE",
  /** A tag, once pushed, always names the same image. */
  Immutable: "IMMUTABLE",
  /** Immutable, but for the tags the exclusion filters match. */
  ImmutableWithExclusion: "IMMUTABLE_WITH_EXCLUSION",
  /** Mutable, but for the tags the exclusion filters match. */
  MutableWithExclusion: "MUTABLE_WITH_EXCLUSION",
} as const;

export type TagMutabilitySetting = (typeof TagMutabilitySetting)[keyof typeof TagMutabilitySetting];
import { GitHubTrust } from "./githubTrust";
import { VulnerabilitySeverity } from "./vulnerabilityGate";

/** Governance metadata every registry carries as tags. */
export interface RegistryMetadata {
  /** The registry's id in the platform catalog: upper-case letters, digits and `_`, e.g. `REGISTRY_PAYMENTS_API`. */
  readonly id: string;
  /** The team that owns the images, e.g. `team-payments`. */
  readonly owner: string;
  /** The risk tier: decides tag mutability, encryption and how many images are kept. */
  readonly risk: RiskLevel;
  /** What the images are, for the catalog. Not applied to AWS. */
  readonly description?: string;
}

/** Names of the Actions variables the pipeline writes into the app repository. */
export interface GitHubVariableNames {
  /**
   * The variable holding the ECR repository URL.
   * @default `ECR_REPOSITORY_URL_<ENVIRONMENT>`
   */
  readonly repositoryUrl?: string;
  /**
   * The variable holding the AWS region.
   * @default `AWS_REGION_<ENVIRONMENT>`
   */
  readonly region?: string;
}

/** How the pipeline protects the GitHub deployment environments it creates. */
export interface EnvironmentProtection {
  /**
   * GitHub user ids that may approve a deployment (`gh api users/<login> --jq .id`).
   * @default [] (no required reviewer, unless teams are given)
   */
  readonly reviewerUsers?: number[];
  /**
   * GitHub team ids that may approve a deployment (`gh api orgs/<org>/teams/<slug> --jq .id`).
   * @default []
   */
  readonly reviewerTeams?: number[];
  /**
   * Whether whoever triggered a deployment is kept from approving it.
   * @default true
   */
  readonly preventSelfReview?: boolean;
  /**
   * Branches (patterns allowed) that may deploy to the environment.
   * @default ["main"]
   */
  readonly deploymentBranches?: string[];
  /**
   * Tags (patterns allowed) that may deploy to the environment.
   * @default []
   */
  readonly deploymentTags?: string[];
  /**
   * Minutes a deployment waits before it starts (0 to 43200).
   * @default 0
   */
  readonly waitTimer?: number;
}

/** The GitHub repository whose workflows push images, and when they may. */
export interface GitHubRepositoryAccess {
  /** The app repository, `owner/name` as on GitHub. Only its workflows can assume the push role. */
  readonly repository: string;
  /**
   * Branches whose workflow runs may push (`repo:<owner>/<name>:ref:refs/heads/<branch>`). A `*`
   * makes a pattern (`release/*`), matched with `StringLike`; a bare `*` is refused. Not
   * combined with `environments`.
   * @default ["main"], or [] when environments are given
   */
  readonly branches?: string[];
  /**
   * Tags whose workflow runs may push (`:ref:refs/tags/<tag>`), patterns as for branches.
   * @default [] (no tag may push)
   */
  readonly tags?: string[];
  /**
   * GitHub deployment environments whose jobs may push (`:environment:<name>`): exact names of
   * up to 255 letters, digits, `_ . -` and single spaces (`production` for a `prod` stack, say),
   * distinct without case as GitHub compares them. The pipeline creates them, with
   * `environmentProtection`, stores the role ARN as an environment secret in each, and then trusts
   * only jobs that run in them: branches and tags cannot be given as well. Two stacks must not
   * declare one environment of one repository (each role would trust the other's deployments):
   * `trusted-delivery plan` and `add-app` check that across the project's stack files.
   * @default [] (no environment: branch and tag subjects, and a repository secret)
   */
  readonly environments?: string[];
  /**
   * Reviewers and deployment policy of the environments the pipeline creates.
   * @default reviewers none, self-review prevented, deployments from main only, no wait
   */
  readonly environmentProtection?: EnvironmentProtection;
  /**
   * Whether the pipeline commits the build-and-push workflow to the app repository, as
   * `.github/workflows/ci-build-push-<environment>.yml` on its default branch.
   * @default false
   */
  readonly commitWorkflow?: boolean;
  /**
   * Whether the build-and-push workflow attests each pushed image: a signed SLSA build provenance
   * and an SBOM (SPDX), stored by GitHub and pushed to the ECR repository beside the image, so
   * `gh attestation verify oci://<image>@<digest>` can check where it came from. GitHub offers
   * artifact attestations in public repositories on every plan, but in private and internal
   * repositories only on GitHub Enterprise Cloud: turn them off for a private repository on
   * another plan, where the attesting step would fail. The workflow records the pushed digest
   * either way.
   * @default true
   */
  readonly attestations?: boolean;
  /**
   * The lowest vulnerability severity that stops the build-and-push workflow: it scans the built
   * image with Trivy before pushing it, and fails on a finding of this severity or higher, so
   * nothing is pushed. A low- or medium-risk app opts in by setting it; a high-risk app always
   * scans, and a lower severity only makes its gate stricter.
   * @default the risk tier's: `CRITICAL` for high; no scan for low and medium
   */
  readonly vulnerabilityGate?: VulnerabilitySeverity;
  /**
   * The lowest severity of the registry's own scan findings (ECR's basic scan on push, or
   * enhanced scanning with Amazon Inspector) that fails the build-and-push workflow after the
   * push and the generated deploy gate before a deploy: the workflow waits (bounded) for the
   * scan of the pushed digest, and a finding of this severity or higher fails it, naming the
   * findings. The push role may then read the repository's scan findings
   * (`ecr:DescribeImageScanFindings`) and Amazon Inspector's (`inspector2:ListFindings`, which
   * IAM grants only on `*`; enhanced findings need it).
   * @default the risk tier's: `CRITICAL` for high; none for low and medium
   */
  readonly registryFindingsGate?: VulnerabilitySeverity;
  /**
   * The Actions secret that receives the push role's ARN. Must contain the upper-cased
   * environment as a word, so stacks of other environments never write the same secret.
   * @default `TF_AWS_IAM_ROLE_<ENVIRONMENT>`
   */
  readonly secretName?: string;
  /** Names of the Actions variables for the repository URL and the region. */
  readonly variableNames?: GitHubVariableNames;
  /**
   * The owner's numeric GitHub id (`gh api repos/<owner>/<name> --jq .owner.id`), given with
   * `repositoryId`. With `trust: "name"`, the trust policy then uses GitHub's immutable subject
   * form `repo:<owner>@<ownerId>/<name>@<repositoryId>:...` alone (as before `trust` existed).
   * With `trust: "id"`, the given ids are used instead of the ones the pipeline looks up on
   * GitHub, and nothing is looked up: ids that are not the repository's lock the app out.
   * @default undefined (with `trust: "name"`, the name-only form `repo:<owner>/<name>:...`; with
   * `trust: "id"`, the ids GitHub gives at deploy time)
   */
  readonly ownerId?: number;
  /**
   * The repository's numeric GitHub id (`gh api repos/<owner>/<name> --jq .id`). See `ownerId`.
   * @default undefined
   */
  readonly repositoryId?: number;
  /**
   * What the push role's trust policy recognises the repository by.
   *
   * - `"name"`: `sub` names the repository (`repo:<owner>/<name>:...`, or the immutable form when
   *   `ownerId` and `repositoryId` are given): the trust policy the pipeline has always made,
   *   byte for byte, so existing roles and adopted Terraform stay unchanged, and nothing is read
   *   from GitHub. A repository deleted and created again under the name, or another one renamed
   *   to it, is trusted too.
   * - `"id"`: beside `aud`, the trust policy requires `repository_id` and `repository_owner_id`
   *   (as strings) to be the repository's and its owner's GitHub ids, and admits `sub` in both
   *   forms, `repo:<owner>/<name>:...` and `repo:<owner>@<ownerId>/<name>@<repositoryId>:...`,
   *   for every branch, tag and environment: GitHub issues the immutable form only for
   *   repositories created, renamed or transferred since 2026-07-15, so which one a token carries
   *   depends on the repository, while the ids pin the repository either way. The ids are looked
   *   up on GitHub at deploy time with the GitHub provider (`getRepository`, `getUser`), unless
   *   `ownerId` and `repositoryId` are given; a repository that cannot be found is refused,
   *   naming `github.repository`. The pipeline also manages the repository's OIDC subject claim
   *   template (GitHub's default), which the `sub` conditions rely on.
   *
   * `trusted-delivery add-app` writes `"id"` for new apps.
   * @default "name" (existing trusts and adopted Terraform stay unchanged, and no GitHub read is
   * needed)
   */
  readonly trust?: GitHubTrust;
  /**
   * Reusable workflows that alone may assume the push role: a job may then assume it only while
   * it runs one of these (its `job_workflow_ref` claim is `<owner>/<name>/<path>@<ref>` of one of
   * them), besides running in the repository on a trusted branch, tag or environment. Matched
   * with `StringEquals`, or `StringLike` when a ref holds a `*`. The pipeline also manages the
   * repository's OIDC subject claim template (GitHub's default), which the `sub` conditions rely
   * on.
   *
   * Refused, because no job could then assume the role: an empty list (leave the setting out to
   * admit any workflow); a path outside `.github/workflows/` or in a directory below it (GitHub
   * runs reusable workflows from that directory only), or not ending `.yml` or `.yaml`; a ref
   * that is not `refs/heads/<branch>`, `refs/tags/<tag>` or a full 40-digit lower-case commit
   * SHA (`main` or a short SHA match nothing, since GitHub writes the full ref); a pattern in a
   * commit SHA. A ref pattern of `*` alone (every branch of the workflow's repository) is refused
   * as it is for `branches`.
   * @default undefined (any workflow of the repository's trusted runs)
   */
  readonly workflows?: ReusableWorkflow[];
}

/** A reusable workflow, at a ref, that may assume the push role (see `github.workflows`). */
export interface ReusableWorkflow {
  /** The repository holding the workflow, `owner/name` (the app repository or another one). */
  readonly repository: string;
  /** The workflow file, `.github/workflows/<file>.yml` (or `.yaml`). */
  readonly path: string;
  /**
   * The ref the workflow is called at: `refs/heads/<branch>`, `refs/tags/<tag>` (either may hold
   * `*` patterns) or a 40-digit commit SHA.
   */
  readonly ref: string;
}

/**
 * Who may pull the registry's images besides the account that holds it: the accounts that run
 * them. The pipeline writes the repository policy: pull actions only, never push or policy
 * changes, and the policy pack's `ecr-no-public-access` accepts exactly the readers its
 * `allowedPullAccounts` and `allowedPullOrganizations` allow.
 */
export interface PullAccess {
  /** Accounts (12-digit ids) whose principals may pull, as their own IAM policies allow. */
  readonly accounts?: string[];
  /**
   * AWS Organizations whose accounts may pull: an organisation id (`o-<id>`: every account of it)
   * or an organisation path (`o-<id>/r-<id>/ou-<id>/`: the accounts under that unit).
   */
  readonly organizations?: string[];
  /**
   * AWS services that may pull for this account and the `accounts`: `lambda` (container image
   * functions), confined by `aws:SourceAccount` and `aws:SourceArn` as AWS documents. (A string
   * list for other languages' SDKs; any other value is refused.)
   */
  readonly services?: string[];
}

/** An AWS service that pulls images for its functions or tasks. */
export const PullService = {
  /** Container image functions. */
  Lambda: "lambda",
} as const;

export type PullService = (typeof PullService)[keyof typeof PullService];

/** Retention beyond the count (`RetentionSettings` of `lifecyclePolicy.ts`, but `keepImages`). */
export interface RetentionOverrides {
  /** Expire untagged images this many days after their push (1 to 3650). */
  readonly untaggedExpireDays?: number;
  /** ECR tag patterns whose images are never expired, whatever the count (not `*`). */
  readonly protectedTagPatterns?: string[];
  /** Archive release images not pulled for this many days (1 to 3650; with patterns). */
  readonly archiveAfterDaysNotPulled?: number;
}

/** Overrides of the registry settings the risk tier gives. */
export interface EcrSettings {
  /**
   * Whether a tag can be pushed again with other content. `IMMUTABLE_WITH_EXCLUSION` (and
   * `MUTABLE_WITH_EXCLUSION`) make the tags matching `imageTagMutabilityExclusionFilters` the
   * exception.
   * @default the risk tier's: `MUTABLE` for low and medium, `IMMUTABLE` for high. High-risk
   * registries cannot be made mutable; they may be `IMMUTABLE_WITH_EXCLUSION` with filters that
   * match no release tag (and the pack's `highRiskMutableTagFilters` must allow them).
   */
  readonly imageTagMutability?: TagMutabilitySetting;
  /**
   * The tags that are the exception to `imageTagMutability` `..._WITH_EXCLUSION`: ECR wildcard
   * filters (letters, digits, `._-` and `*`, up to 128 characters), e.g. `latest`, `dev-*`. A
   * filter of wildcards only (every tag) is refused: say `MUTABLE` or `IMMUTABLE` instead.
   * @default none; required (1 to 5 filters) with a `..._WITH_EXCLUSION` mutability
   */
  readonly imageTagMutabilityExclusionFilters?: string[];
  /**
   * Who may pull besides this account.
   * @default nobody but this account: no repository policy
   */
  readonly pull?: PullAccess;
  /**
   * How ECR encrypts images at rest.
   * @default the risk tier's: `AES256` for low and medium, `KMS` for high. High-risk registries
   * cannot drop KMS.
   */
  readonly encryption?: EncryptionType;
  /**
   * The KMS key for `KMS` encryption.
   * @default undefined (AWS uses its managed `aws/ecr` key)
   */
  readonly kmsKeyArn?: pulumi.Input<string>;
  /**
   * How many images the lifecycle policy keeps. A high-risk registry keeps at least its tier's 50
   * (it serves production, where an expired release breaks a rollback).
   * @default the risk tier's: 20 for low, 30 for medium, 50 for high
   */
  readonly keepImages?: number;
  /**
   * Retention beyond the count: untagged images expired after days, release tags protected
   * whatever the count, and release images not pulled for days archived (see
   * `RetentionSettings` in `lifecyclePolicy.ts`), in one lifecycle policy with `keepImages` as
   * its last rule.
   * @default none: the one rule "keep the last `keepImages` images, any tag"
   */
  readonly retention?: RetentionOverrides;
  /**
   * Whether every image pushed to the repository is signed by ECR managed signing with the
   * platform's AWS Signer profile (`signingProfileArn`): the push role may sign with that one
   * profile (`signer:SignPayload`) and read the image's signing status, and the generated deploy
   * gate requires the signature. High-risk registries are always signed.
   * @default the risk tier's: true for high; for low and medium, true when `signingProfileArn`
   * is given
   */
  readonly signing?: boolean;
  /**
   * Whether deleting the repository also deletes its images.
   * @default false
   */
  readonly forceDelete?: boolean;
  /**
   * Whether Pulumi refuses to delete the repository (`protect`). Its images cannot be rebuilt
   * byte for byte; unprotect deliberately (`pulumi state unprotect`) before removing an app.
   * @default true
   */
  readonly protect?: boolean;
}

/**
 * Settings of the push role that GitHub OIDC role modules commonly offer. Each leaves the role
 * as IAM makes it when not given.
 */
export interface PushRoleSettings {
  /**
   * The ARN of an IAM managed policy set as the role's permissions boundary
   * (`permissionsBoundary`): the role may then do only what both its own policies and the
   * boundary allow. A customer managed policy, `arn:<partition>:iam::<account>:policy/<path/name>`,
   * or an AWS managed one, `arn:<partition>:iam::aws:policy/<path/name>`. An ARN only known once
   * resources exist (a policy of the same program) is checked by IAM, not here.
   * @default undefined (no permissions boundary)
   */
  readonly permissionsBoundary?: pulumi.Input<string>;
  /**
   * The longest session, in seconds, that assuming the role may ask for: a whole number from
   * 3600 (one hour) to 43200 (12 hours). A workflow asks with `role-duration-seconds`.
   * @default 3600 (IAM's default: one hour)
   */
  readonly maxSessionDuration?: number;
  /**
   * The role's IAM path, which becomes part of its ARN (`arn:aws:iam::<account>:role<path><name>`):
   * `/`, or segments between slashes (`/delivery/ecr/`), 1 to 512 printable ASCII characters
   * without spaces.
   * @default "/"
   */
  readonly path?: string;
}

/**
 * Existing resources the pipeline adopts instead of creating them (Pulumi's `import` option), for
 * registries another tool created. Once a `pulumi up` has imported them the IDs do nothing, and
 * can be removed.
 */
export interface PipelineImportIds {
  /** The existing ECR repository's ID: its name, which must be this pipeline's repository name. */
  readonly repository?: string;
  /** The existing lifecycle policy's ID: its repository's name. */
  readonly lifecyclePolicy?: string;
  /** The existing repository policy's ID (its repository's name), adopted as `ecr.pull`'s. */
  readonly repositoryPolicy?: string;
}

/** The arguments of a {@link TrustedDeliveryPipeline}. */
export interface TrustedDeliveryPipelineArgs {
  /**
   * The ECR repository's name.
   * @default the resource name
   */
  readonly repositoryName?: string;
  /** The environment this stack deploys (`dev`, `staging`, `prod`): tagged, and part of every name. */
  readonly environment: string;
  /** Governance metadata: the registry's catalog id, owner and risk tier. */
  readonly metadata: RegistryMetadata;
  /** The app repository on GitHub whose workflows push, and when they may. */
  readonly github: GitHubRepositoryAccess;
  /**
   * The account's GitHub Actions OIDC provider, shared by every pipeline of the account.
   * @default undefined: the pipeline creates the provider as its own child, which suits an
   * account with a single app only (IAM allows one provider per URL and account)
   */
  readonly oidcProviderArn?: pulumi.Input<string>;
  /** Overrides of the registry settings the risk tier gives; each documents its default. */
  readonly ecr?: EcrSettings;
  /**
   * The AWS Signer signing profile (platform `Notation-OCI-SHA384-ECDSA`) that the registry's
   * signing configuration signs this repository's images with,
   * `arn:<partition>:signer:<region>:<account>:/signing-profiles/<name>`. The platform program
   * creates it with `registrySigning: managed`. Required when images are signed (`ecr.signing`,
   * always for high risk).
   * @default undefined (no signing, unless the risk tier requires it, when it must be given)
   */
  readonly signingProfileArn?: pulumi.Input<string>;
  /**
   * Prefix of the governance tag keys: `<prefix>id`, `<prefix>owner`, `<prefix>risk`.
   * @default "goldenpath.idp/"
   */
  readonly tagPrefix?: string;
  /**
   * Extra tags for the repository and the role. They cannot replace the governance tags or
   * `Environment`.
   * @default {}
   */
  readonly tags?: { readonly [key: string]: pulumi.Input<string> };
  /**
   * The push role's permissions boundary, maximum session duration and IAM path; each documents
   * its default.
   * @default {} (no boundary, IAM's one-hour sessions, path "/")
   */
  readonly role?: PushRoleSettings;
  /**
   * Adopt an existing repository and lifecycle policy instead of creating them.
   * @default undefined (both are created)
   */
  readonly importIds?: PipelineImportIds;
  /**
   * The account's "Role trust policy length" quota in IAM: a push role whose trust policy is
   * longer is refused before anything is created. Raise the quota in Service Quotas (up to
   * 8192) before raising this.
   * @default 2048 (IAM's default quota)
   */
  readonly trustPolicyMaxLength?: number;
}
