import * as aws from "@pulumi/aws";
import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import { awsTypes, githubTypes } from "../policy-pack/governance/typeTokens";
import { githubDotComIssuer } from "../policy-pack/governance/github";
import { oidcProviderArnProblem } from "./formats";
import { GitHubOidcProvider, knownIssuerOfArnOutput } from "./githubOidcProvider";
import { pipelineChildNames, trustedDeliveryPipelineType } from "./names";
import { PullAccess, RegistryMetadata, TrustedDeliveryPipelineArgs } from "./pipelineArgs";
import { describeReaders, hasReaders, pullPolicyDocument } from "./pullPolicy";
import {
  PipelineSettings,
  resolvePipelineSettings,
  tagsBesideProviderDefaults,
} from "./pipelineSettings";
import { ecrPushPolicy } from "./pushPolicy";
import {
  githubTrustPolicy,
  IdentityConditions,
  pipelineTrust,
  PipelineTrust,
  PolicyDocument,
} from "./trustPolicy";
import {
  defaultOidcSubjectTemplate,
  lookUpGitHubIds,
  unknownRepositoryProblem,
} from "./githubIdentity";
import { buildPushWorkflow } from "./workflow";
import { InvalidArgumentsError } from "./invalidArguments";
import { Problem, problem } from "./problems";
import { readOncePerStack } from "./stackConfig";

export { TrustedDeliveryPipelineArgs } from "./pipelineArgs";

/** The component's child resource names, all derived from its name. */
type ChildNames = ReturnType<typeof pipelineChildNames>;

/** The default AWS provider's `defaultTags.tags`, from the stack's config (read once per stack). */
function defaultProviderTags(): Readonly<Record<string, string>> {
  return readOncePerStack(
    "aws:defaultTags",
    () =>
      new pulumi.Config("aws").getObject<{ tags?: Record<string, string> }>("defaultTags")?.tags ??
      {},
  );
}

/**
 * An error in arguments found only once an output is known, inside an `apply`, shown by its
 * message alone, which names the pipeline and the argument. Its stack would hold only the SDK's
 * frames and this file's, none of the program's: the Pulumi CLI hides a `RunError`'s stack
 * anyway, and a test runner under mocks then prints the message without them. The SDK rethrows
 * the same error through every input it reaches and prefixes its message each time
 * (`error serializing property "outputs": error serializing property "role": ...`); the message
 * keeps its own text instead, as `withoutSerializingPrefixes` in the CLI would make it.
 */
function outputArgumentsError(name: string, problems: readonly Problem[]): InvalidArgumentsError {
  const error = new InvalidArgumentsError(`TrustedDeliveryPipeline "${name}"`, problems);
  const message = error.message;
  Object.defineProperties(error, {
    message: { configurable: true, get: () => message, set: () => undefined },
    stack: { configurable: true, get: () => `${error.name}: ${message}` },
  });
  return error;
}

/**
 * `compute()`, inside an `apply`; an {@link InvalidArgumentsError} it throws fails the input, as
 * it must (a resource whose input fails is not created, and the program exits with an error).
 * The engine then reports it. Without an engine (a test under `pulumi.runtime.setMocks`), the
 * SDK's rejection may reach nobody (mocha passes unhandled rejections on to no listener, and an
 * `apply` that awaits the input never runs), so the error is also written to stderr.
 */
function failingVisibly<T>(resource: pulumi.Resource, compute: () => T): T {
  try {
    return compute();
  } catch (error) {
    if (error instanceof InvalidArgumentsError && !pulumi.runtime.hasEngine()) {
      void pulumi.log.error(error.message, resource);
    }
    throw error;
  }
}

/**
 * The push role's trust policy, as JSON, once the provider's ARN is known. The issuer, which
 * prefixes the condition keys, is read from the ARN; unless it is known by construction (the
 * provider this pipeline creates, or a `GitHubOidcProvider`'s `arn` output: both are created
 * with GitHub's issuer URL), when the ARN is used as it is, whatever a test's mocks return for
 * it (`"arn"`, the resource's name, nothing). An ARN of another origin that names no GitHub
 * issuer is refused, naming the value: no trust policy would be right for it. `conditions` are
 * the trust's other conditions (ids, reusable workflows; none by default).
 */
export function trustPolicyJson(
  name: string,
  providerArn: unknown,
  subjects: readonly string[],
  knownIssuer: string | undefined,
  conditions: IdentityConditions = {},
): string {
  const field = "oidcProviderArn";
  if (typeof providerArn === "string" && oidcProviderArnProblem(field, providerArn) === undefined) {
    return JSON.stringify(githubTrustPolicy(providerArn, subjects, conditions));
  }
  if (knownIssuer !== undefined) {
    // The conditions depend on the issuer alone; the principal is the provider as it is.
    const standIn = `arn:aws:iam::${"0".repeat(12)}:oidc-provider/${knownIssuer}`;
    const policy: PolicyDocument = githubTrustPolicy(standIn, subjects, conditions);
    return JSON.stringify({
      ...policy,
      Statement: policy.Statement.map((statement) => ({
        ...statement,
        Principal: { Federated: providerArn },
      })),
    });
  }
  // `formats.ts` says what an ARN must be; read with an empty value to reuse its words.
  const allowed = oidcProviderArnProblem(field, "")!.message.slice(`${field} is ""; `.length);
  throw outputArgumentsError(name, [
    problem(
      field,
      providerArn,
      `${allowed}; it was given as an output, so it is checked once known (in a test under pulumi.runtime.setMocks, return such an ARN for it, or pass a GitHubOidcProvider's arn, whose issuer is known)`,
    ),
  ]);
}

/**
 * Everything an application repository on GitHub needs to push images to AWS without stored
 * keys: a governed ECR repository with its lifecycle policy, an IAM role that only that GitHub
 * repository's chosen refs and environments can assume and that can push to this repository
 * only, and the role's ARN, the repository URL and the region written into the GitHub
 * repository as an Actions secret and variables.
 *
 * GitHub resources are written with the `github` provider passed in `opts.providers`, whose
 * `owner` must be the app repository's owner.
 */
export class TrustedDeliveryPipeline extends pulumi.ComponentResource {
  public static readonly typeToken = trustedDeliveryPipelineType;

  /** The ECR repository's name. */
  public readonly repositoryName: pulumi.Output<string>;
  /** The registry URL images are pushed to, `<account>.dkr.ecr.<region>.amazonaws.com/<name>`. */
  public readonly repositoryUrl: pulumi.Output<string>;
  /** The ECR repository's ARN. */
  public readonly repositoryArn: pulumi.Output<string>;
  /** The push role's ARN: what the app's workflow assumes over OIDC. */
  public readonly roleArn: pulumi.Output<string>;
  /** The push role's name, `ecr-push-<environment>-<repository>` (cut and hashed past 64 characters). */
  public readonly roleName: pulumi.Output<string>;
  /** The ARN of the GitHub Actions OIDC provider the role trusts. */
  public readonly oidcProviderArn: pulumi.Output<string>;
  /** The app repository on GitHub, `owner/name`. */
  public readonly githubRepository: pulumi.Output<string>;
  /** The Actions secret holding the role ARN. */
  public readonly secretName: pulumi.Output<string>;
  /** The Actions variable holding the repository URL. */
  public readonly repositoryUrlVariableName: pulumi.Output<string>;
  /** The Actions variable holding the AWS region. */
  public readonly regionVariableName: pulumi.Output<string>;
  /** The `sub` values the role's trust policy admits. */
  public readonly subjects: pulumi.Output<string[]>;
  /** The registry's governance metadata, as given: what its governance tags say. */
  public readonly metadata: pulumi.Output<RegistryMetadata>;

  /** The ECR repository. */
  public readonly repository: aws.ecr.Repository;
  /** The repository's lifecycle policy: keeps the risk tier's number of images. */
  public readonly lifecyclePolicy: aws.ecr.LifecyclePolicy;
  /** The repository policy letting `ecr.pull`'s readers pull; absent when there are none. */
  public readonly repositoryPolicy?: aws.ecr.RepositoryPolicy;
  /** Who besides the registry's account can pull (`ecr.pull`), for people: empty for nobody. */
  public readonly readers: pulumi.Output<string[]>;
  /**
   * The account's IAM OIDC provider, created (inside a `GitHubOidcProvider` child) only when
   * `oidcProviderArn` was not given.
   */
  public readonly oidcProvider?: aws.iam.OpenIdConnectProvider;
  /** The push role, which only the app repository's workflows can assume. */
  public readonly role: aws.iam.Role;
  /** The role's inline policy: push to this one repository, and nothing else. */
  public readonly pushPolicy: aws.iam.RolePolicy;
  /** The repository secret holding the role ARN; absent when the pipeline uses environments. */
  public readonly roleSecret?: github.ActionsSecret;
  /** The GitHub deployment environments the pipeline created, by name. */
  public readonly environments: Readonly<Record<string, github.RepositoryEnvironment>>;
  /** The environment secrets holding the role ARN, by environment. */
  public readonly environmentSecrets: Readonly<Record<string, github.ActionsEnvironmentSecret>>;
  /** The committed build-and-push workflow, when `github.commitWorkflow` is set. */
  public readonly workflowFile?: github.RepositoryFile;
  /**
   * The app repository's OIDC subject claim template, kept at GitHub's default (which the trust
   * policy's subjects are written for): only with `github.trust: "id"` or `github.workflows`.
   */
  public readonly oidcSubjectTemplate?: github.ActionsRepositoryOidcSubjectClaimCustomizationTemplate;
  /** The Actions variable holding the repository URL. */
  public readonly repositoryUrlVariable: github.ActionsVariable;
  /** The Actions variable holding the AWS region. */
  public readonly regionVariable: github.ActionsVariable;
  /**
   * The Actions variable holding the signing profile's ARN, which the deploy gate requires the
   * image's signature to be made with; only when images are signed.
   */
  public readonly signingProfileVariable?: github.ActionsVariable;
  /** The AWS Signer profile the registry's images are signed with; undefined when unsigned. */
  public readonly signingProfileArn: pulumi.Output<string | undefined>;

  constructor(
    name: string,
    args: TrustedDeliveryPipelineArgs,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    // Invalid arguments register nothing, not even this component.
    const settings = resolvePipelineSettings(name, args);
    checkDefaultGitHubOwner(name, settings, opts);
    super(TrustedDeliveryPipeline.typeToken, name, {}, opts);
    const names = pipelineChildNames(name);

    if (args.oidcProviderArn === undefined) {
      this.oidcProvider = new GitHubOidcProvider(names.oidcProvider, {}, { parent: this }).provider;
    }
    this.oidcProviderArn = this.oidcProvider
      ? this.oidcProvider.arn
      : pulumi.output(args.oidcProviderArn!);

    // A provider of known origin has GitHub's issuer, whatever ARN it reports (see trustPolicyJson).
    const knownIssuer = this.oidcProvider
      ? githubDotComIssuer
      : knownIssuerOfArnOutput(args.oidcProviderArn);

    const registry = this.createRegistry(names, settings);
    this.repository = registry.repository;
    this.lifecyclePolicy = registry.lifecyclePolicy;
    this.repositoryPolicy = registry.repositoryPolicy;
    this.readers = pulumi.output(describeReaders(settings.ecr.pull as Required<PullAccess>));
    const trust = this.trustOf(name, settings);
    const pushRole = this.createPushRole(name, names, settings, trust, {
      oidcProviderArn: this.oidcProviderArn,
      knownIssuer,
      repository: this.repository,
    });
    this.role = pushRole.role;
    this.pushPolicy = pushRole.pushPolicy;

    const appRepository = this.appRepositoryName(name, settings);
    if (settings.github.trust === "id" || settings.github.workflows.length > 0) {
      this.oidcSubjectTemplate = defaultOidcSubjectTemplate(name, appRepository, this);
    }
    const environments = this.createEnvironments(names, settings, appRepository, this.role);
    this.environments = environments.environments;
    this.environmentSecrets = environments.environmentSecrets;
    const actions = this.createActionsSettings(
      names,
      settings,
      appRepository,
      this.role,
      this.repository,
    );
    this.roleSecret = actions.roleSecret;
    this.repositoryUrlVariable = actions.repositoryUrlVariable;
    this.regionVariable = actions.regionVariable;
    this.signingProfileVariable = actions.signingProfileVariable;
    this.signingProfileArn = pulumi.output(settings.signingProfileArn);

    this.repositoryName = this.repository.name;
    this.repositoryUrl = this.repository.repositoryUrl;
    this.repositoryArn = this.repository.arn;
    this.roleArn = this.role.arn;
    this.roleName = this.role.name;
    this.githubRepository = pulumi.output(settings.github.repository);
    this.secretName = pulumi.output(settings.github.secretName);
    if (settings.github.commitWorkflow) {
      this.workflowFile = this.createWorkflowFile(name, names, settings, appRepository);
    }
    this.repositoryUrlVariableName = this.repositoryUrlVariable.variableName;
    this.regionVariableName = this.regionVariable.variableName;
    this.subjects = trust.apply((t) => [...t.subjects]);
    this.metadata = pulumi.output({ ...settings.metadata });
    this.registerOutputs(this.engineOutputs());
  }

  /** The outputs the engine records for the component (`registerOutputs`). */
  private engineOutputs(): pulumi.Inputs {
    return {
      repositoryName: this.repositoryName,
      repositoryUrl: this.repositoryUrl,
      repositoryArn: this.repositoryArn,
      roleArn: this.roleArn,
      roleName: this.roleName,
      oidcProviderArn: this.oidcProviderArn,
      githubRepository: this.githubRepository,
      secretName: this.secretName,
      repositoryUrlVariableName: this.repositoryUrlVariableName,
      regionVariableName: this.regionVariableName,
      subjects: this.subjects,
      metadata: this.metadata,
      readers: this.readers,
      signingProfileArn: this.signingProfileArn,
    };
  }

  /**
   * The tags for a child of this type. With the default AWS provider, its default tags are known
   * from config; an explicit provider's are not, and the pipeline then sets every tag itself.
   */
  private tagsFor(
    settings: PipelineSettings,
    resourceType: string,
  ): Readonly<Record<string, pulumi.Input<string>>> {
    return this.getProvider(resourceType) === undefined
      ? tagsBesideProviderDefaults(settings, defaultProviderTags())
      : settings.tags;
  }

  /** The governed ECR repository and its lifecycle policy. */
  private createRegistry(
    names: ChildNames,
    settings: PipelineSettings,
  ): {
    repository: aws.ecr.Repository;
    lifecyclePolicy: aws.ecr.LifecyclePolicy;
    repositoryPolicy?: aws.ecr.RepositoryPolicy;
  } {
    const { ecr } = settings;
    const repository = new aws.ecr.Repository(
      names.repository,
      {
        name: settings.repositoryName,
        imageTagMutability: ecr.imageTagMutability,
        ...(ecr.imageTagMutabilityExclusionFilters.length > 0 && {
          imageTagMutabilityExclusionFilters: ecr.imageTagMutabilityExclusionFilters.map(
            (filter) => ({ filter, filterType: "WILDCARD" }),
          ),
        }),
        imageScanningConfiguration: { scanOnPush: ecr.scanOnPush },
        encryptionConfigurations: [
          ecr.kmsKeyArn === undefined
            ? { encryptionType: ecr.encryption }
            : { encryptionType: ecr.encryption, kmsKey: ecr.kmsKeyArn },
        ],
        forceDelete: ecr.forceDelete,
        tags: this.tagsFor(settings, awsTypes.ecrRepository),
      },
      { parent: this, protect: ecr.protect, import: settings.importIds.repository },
    );
    const lifecyclePolicy = new aws.ecr.LifecyclePolicy(
      names.lifecyclePolicy,
      { repository: repository.name, policy: ecr.lifecyclePolicy },
      { parent: this, import: settings.importIds.lifecyclePolicy },
    );
    const pull = ecr.pull as Required<PullAccess>;
    const repositoryPolicy = hasReaders(pull)
      ? new aws.ecr.RepositoryPolicy(
          names.repositoryPolicy,
          {
            repository: repository.name,
            // The registry's own account and partition, from its ARN once it exists.
            policy: repository.arn.apply((arn) => {
              const [, partition, , , account] = arn.split(":");
              return pullPolicyDocument(pull, account, partition);
            }),
          },
          { parent: this, import: settings.importIds.repositoryPolicy },
        )
      : undefined;
    return { repository, lifecyclePolicy, repositoryPolicy };
  }

  /**
   * The trust policy's subjects and conditions. With `trust: "id"` and no ids given, they wait
   * for GitHub's ids of the repository, looked up through the GitHub provider; a repository it
   * cannot read fails the deployment, naming `github.repository`: no trust would be right.
   */
  private trustOf(name: string, settings: PipelineSettings): pulumi.Output<PipelineTrust> {
    const given = settings.github;
    if (given.trust !== "id" || given.ids !== undefined) {
      const known: PipelineTrust = pipelineTrust(given, given.ids);
      return pulumi.output(known);
    }
    return lookUpGitHubIds(given.repository, this).apply((lookup) =>
      failingVisibly(this, () => {
        if (lookup.ids === undefined) {
          throw outputArgumentsError(name, [
            unknownRepositoryProblem(given.repository, lookup.failure),
          ]);
        }
        return pipelineTrust(given, lookup.ids);
      }),
    );
  }

  /** The push role, which only the trusted subjects can assume, and its policy: push here only. */
  private createPushRole(
    name: string,
    names: ChildNames,
    settings: PipelineSettings,
    trust: pulumi.Output<PipelineTrust>,
    {
      oidcProviderArn,
      knownIssuer,
      repository,
    }: {
      readonly oidcProviderArn: pulumi.Output<string>;
      readonly knownIssuer: string | undefined;
      readonly repository: aws.ecr.Repository;
    },
  ): { role: aws.iam.Role; pushPolicy: aws.iam.RolePolicy } {
    const role = new aws.iam.Role(
      names.role,
      {
        name: settings.roleName,
        description: `Pushes images to ECR repository ${settings.repositoryName} from GitHub Actions in ${settings.github.repository} (${settings.environment})`,
        assumeRolePolicy: pulumi
          .all([oidcProviderArn, trust])
          .apply(([arn, { subjects, conditions }]) =>
            failingVisibly(this, () =>
              trustPolicyJson(name, arn, subjects, knownIssuer, conditions),
            ),
          ),
        maxSessionDuration: settings.role.maxSessionDuration,
        path: settings.role.path,
        ...(settings.role.permissionsBoundary === undefined
          ? {}
          : { permissionsBoundary: settings.role.permissionsBoundary }),
        tags: this.tagsFor(settings, awsTypes.iamRole),
      },
      { parent: this },
    );
    const pushPolicy = new aws.iam.RolePolicy(
      names.pushPolicy,
      {
        role: role.name,
        name: "ecr-push",
        policy: pulumi
          .all([repository.arn, settings.signingProfileArn])
          .apply(([arn, signingProfileArn]) =>
            JSON.stringify(
              ecrPushPolicy(arn, {
                signingProfileArn,
                readsScanFindings: settings.github.registryFindingsGate !== undefined,
              }),
            ),
          ),
      },
      { parent: this },
    );
    return { role, pushPolicy };
  }

  /** Each GitHub deployment environment, with its deployment policies and role secret. */
  private createEnvironments(
    names: ChildNames,
    settings: PipelineSettings,
    appRepository: pulumi.Input<string>,
    role: aws.iam.Role,
  ): {
    environments: Record<string, github.RepositoryEnvironment>;
    environmentSecrets: Record<string, github.ActionsEnvironmentSecret>;
  } {
    const environments: Record<string, github.RepositoryEnvironment> = {};
    const environmentSecrets: Record<string, github.ActionsEnvironmentSecret> = {};
    for (const environment of settings.github.environments) {
      const created = this.createEnvironment(names, settings, appRepository, environment);
      environments[environment] = created;
      environmentSecrets[environment] = new github.ActionsEnvironmentSecret(
        names.environmentSecret(environment),
        {
          repository: appRepository,
          environment: created.environment,
          secretName: settings.github.secretName,
          value: role.arn,
        },
        { parent: this },
      );
    }
    return { environments, environmentSecrets };
  }

  /**
   * One deployment environment, protected as the settings say, and one deployment policy per
   * branch or tag pattern that may deploy there.
   */
  private createEnvironment(
    names: ChildNames,
    settings: PipelineSettings,
    appRepository: pulumi.Input<string>,
    environment: string,
  ): github.RepositoryEnvironment {
    const protection = settings.github.environmentProtection;
    const created = new github.RepositoryEnvironment(
      names.environment(environment),
      {
        repository: appRepository,
        environment,
        ...(protection.reviewerUsers.length + protection.reviewerTeams.length > 0 && {
          reviewers: [
            { users: [...protection.reviewerUsers], teams: [...protection.reviewerTeams] },
          ],
        }),
        preventSelfReview: protection.preventSelfReview,
        canAdminsBypass: false,
        waitTimer: protection.waitTimer,
        deploymentBranchPolicy: { protectedBranches: false, customBranchPolicies: true },
      },
      { parent: this },
    );
    const patterns = [
      ...protection.deploymentBranches.map((pattern) => ["branch", pattern] as const),
      ...protection.deploymentTags.map((pattern) => ["tag", pattern] as const),
    ];
    for (const [index, [kind, pattern]] of patterns.entries()) {
      new github.RepositoryEnvironmentDeploymentPolicy(
        names.deploymentPolicy(environment, kind, index),
        {
          repository: appRepository,
          environment: created.environment,
          ...(kind === "branch" ? { branchPattern: pattern } : { tagPattern: pattern }),
        },
        { parent: this },
      );
    }
    return created;
  }

  /**
   * The repository secret holding the role ARN (only without environments, whose own secrets
   * hold it then), and the variables holding the repository URL and the region.
   */
  private createActionsSettings(
    names: ChildNames,
    settings: PipelineSettings,
    appRepository: pulumi.Input<string>,
    role: aws.iam.Role,
    repository: aws.ecr.Repository,
  ): {
    roleSecret?: github.ActionsSecret;
    repositoryUrlVariable: github.ActionsVariable;
    regionVariable: github.ActionsVariable;
    signingProfileVariable?: github.ActionsVariable;
  } {
    const roleSecret =
      settings.github.environments.length === 0
        ? new github.ActionsSecret(
            names.roleSecret,
            { repository: appRepository, secretName: settings.github.secretName, value: role.arn },
            { parent: this },
          )
        : undefined;
    const repositoryUrlVariable = new github.ActionsVariable(
      names.repositoryUrlVariable,
      {
        repository: appRepository,
        variableName: settings.github.repositoryUrlVariableName,
        value: repository.repositoryUrl,
      },
      { parent: this },
    );
    const regionVariable = new github.ActionsVariable(
      names.regionVariable,
      {
        repository: appRepository,
        variableName: settings.github.regionVariableName,
        value: repository.region,
      },
      { parent: this },
    );
    const signingProfileVariable =
      settings.signingProfileArn === undefined
        ? undefined
        : new github.ActionsVariable(
            names.signingProfileVariable,
            {
              repository: appRepository,
              variableName: settings.github.signingProfileVariableName,
              value: settings.signingProfileArn,
            },
            { parent: this },
          );
    return { roleSecret, repositoryUrlVariable, regionVariable, signingProfileVariable };
  }

  /** The build-and-push workflow, committed into the app repository. */
  private createWorkflowFile(
    name: string,
    names: ChildNames,
    settings: PipelineSettings,
    appRepository: pulumi.Input<string>,
  ): github.RepositoryFile {
    return new github.RepositoryFile(
      names.workflowFile,
      {
        repository: appRepository,
        file: settings.github.workflowPath,
        content: buildPushWorkflow(name, settings),
        commitMessage: `ci: build and push ${settings.repositoryName} to ECR (${settings.environment}), from trusted-delivery`,
        overwriteOnCreate: true,
      },
      { parent: this },
    );
  }

  /**
   * The app repository's name for the GitHub resources. With an explicit GitHub provider, its
   * owner is checked first: writing the role ARN into a same-named repository of another owner
   * (a fork, say) must fail, not succeed quietly.
   */
  private appRepositoryName(
    pipelineName: string,
    settings: PipelineSettings,
  ): pulumi.Input<string> {
    const provider = this.getProvider(githubTypes.actionsSecret);
    const { owner, name, repository } = settings.github;
    if (provider === undefined || !github.Provider.isInstance(provider)) {
      return name;
    }
    return provider.owner.apply((providerOwner) =>
      failingVisibly(this, () => {
        if (providerOwner !== undefined && providerOwner.toLowerCase() !== owner.toLowerCase()) {
          throw outputArgumentsError(pipelineName, [
            problem(
              "github.repository",
              repository,
              `must belong to the owner of the GitHub provider it is given, "${providerOwner}": pass a provider whose owner is "${owner}"`,
            ),
          ]);
        }
        return name;
      }),
    );
  }
}

/**
 * With no GitHub provider given, the default provider writes to its configured owner
 * (`github:owner` or `GITHUB_OWNER`); refuse up front when that is not the app repository's.
 */
function checkDefaultGitHubOwner(
  name: string,
  settings: PipelineSettings,
  opts: pulumi.ComponentResourceOptions | undefined,
): void {
  if (hasExplicitGitHubProvider(opts)) {
    return;
  }
  const configured =
    readOncePerStack("github:owner", () => new pulumi.Config("github").get("owner")) ??
    process.env.GITHUB_OWNER;
  if (
    configured !== undefined &&
    configured.toLowerCase() !== settings.github.owner.toLowerCase()
  ) {
    throw new InvalidArgumentsError(`TrustedDeliveryPipeline "${name}"`, [
      problem(
        "github.repository",
        settings.github.repository,
        `must belong to the default GitHub provider's owner "${configured}" (github:owner): pass a github provider for "${settings.github.owner}" in opts.providers`,
      ),
    ]);
  }
}

function hasExplicitGitHubProvider(opts: pulumi.ComponentResourceOptions | undefined): boolean {
  const isGitHub = (p: unknown) => github.Provider.isInstance(p);
  const providers = opts?.providers;
  return (
    isGitHub(opts?.provider) ||
    (Array.isArray(providers) ? providers.some(isGitHub) : providers?.["github"] !== undefined) ||
    opts?.parent?.getProvider(githubTypes.actionsSecret) !== undefined
  );
}
