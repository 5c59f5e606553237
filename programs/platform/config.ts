import { checkPipelineArgs } from "../../components/checks/pipeline";
import {
  environmentProblem,
  githubOidcIssuer,
  githubOidcIssuerProblem,
  oidcProviderArnProblem,
  repositoryNameProblem,
  signingProfileArnProblem,
} from "../../components/formats";
import { githubIssuerOfProvider } from "../../policy-pack/governance/github";
import type {
  EcrSettings,
  GitHubRepositoryAccess,
  PipelineImportIds,
  PushRoleSettings,
  RegistryMetadata,
  TrustedDeliveryPipelineArgs,
} from "../../components/pipelineArgs";
import type { PipelineSettings } from "../../components/pipelineSettings";
import { InvalidArgumentsError } from "../../components/invalidArguments";
import { registryScanningProblems } from "../../components/registryScanning";
import { signsImages, standInSigningProfileArn } from "../../components/registrySigning";
import { pullProblems, withDefaultReaders } from "../../components/checks/ecr";
import type { PullAccess } from "../../components/pipelineArgs";
import { configNamespaceProblems } from "../../components/stackConfig";
import {
  Checked,
  Fields,
  fieldNames,
  isPlainObject,
  prefixProblems,
  Problem,
  problem,
  unknownKeys,
} from "../../components/problems";

/** One application of a stack: the value of `apps.<ECR repository name>` in the stack config. */
export interface AppConfig {
  readonly metadata: RegistryMetadata;
  readonly github: GitHubRepositoryAccess;
  readonly ecr?: EcrSettings;
  readonly tags?: Record<string, string>;
  /** Existing resources to adopt (written by `trusted-delivery adopt-terraform`). */
  readonly importIds?: PipelineImportIds;
  /** The push role's permissions boundary, maximum session duration and IAM path. */
  readonly role?: PushRoleSettings;
}

/**
 * A Terraform state whose outputs the platform reads while both tools coexist, and which
 * settings take them: `outputs` maps a setting (`githubOidcProviderArn`, or
 * `apps.<app>.ecr.kmsKeyArn`) to a Terraform output name.
 */
export type TerraformStateConfig =
  | {
      readonly backend: "s3";
      readonly bucket: string;
      readonly key: string;
      readonly region?: string;
      readonly workspace?: string;
      readonly outputs: Readonly<Record<string, string>>;
    }
  | {
      readonly backend: "local";
      readonly path: string;
      readonly outputs: Readonly<Record<string, string>>;
    };

/** An app of a stack: its entry as the stack file gives it, and the pipeline's settings for it. */
export interface ResolvedApp {
  readonly entry: AppConfig;
  readonly settings: PipelineSettings;
}

/**
 * Whether the stack manages the account's ECR registry scanning configuration (enhanced
 * scanning: continuous for the stack's high-risk registries, on push for every other
 * repository). It is one per account and region, so at most one stack there may manage it.
 */
export const RegistryScanning = {
  /** The stack declares the account's registry scanning configuration. */
  Managed: "managed",
  /** The stack leaves registry scanning alone (the default). */
  Unmanaged: "unmanaged",
} as const;

export type RegistryScanning = (typeof RegistryScanning)[keyof typeof RegistryScanning];

/** Registry scanning is account-wide: a stack manages it only when told to. */
export const defaultRegistryScanning: RegistryScanning = RegistryScanning.Unmanaged;

/**
 * Whether the stack manages the account's ECR signing configuration (managed signing with one
 * AWS Signer profile for the environment, naming the stack's signed registries). It is one per
 * account and region, so at most one stack there may manage it.
 */
export const RegistrySigning = {
  /** The stack creates the environment's signing profile and the registry's signing configuration. */
  Managed: "managed",
  /**
   * The stack leaves the signing configuration alone (the default): signed apps then need
   * `signingProfileArn`, the profile the configuration managed elsewhere signs with.
   */
  Unmanaged: "unmanaged",
} as const;

export type RegistrySigning = (typeof RegistrySigning)[keyof typeof RegistrySigning];

/** Registry signing is account-wide: a stack manages it only when told to. */
export const defaultRegistrySigning: RegistrySigning = RegistrySigning.Unmanaged;

/** The platform program's settings for one stack, checked and resolved. */
export interface PlatformConfig {
  readonly environment: string;
  /** The account's existing GitHub OIDC provider; when absent the stack creates it. */
  readonly githubOidcProviderArn?: string;
  /**
   * The issuer of the GitHub OIDC provider the stack creates (without `githubOidcProviderArn`):
   * github.com's, an enterprise's (`token.actions.githubusercontent.com/<slug>`) or GHE.com's
   * (`token.actions.<subdomain>.ghe.com`). With `githubOidcProviderArn`, it must be that
   * provider's issuer.
   * @default "token.actions.githubusercontent.com"
   */
  readonly githubOidcIssuer?: string;
  readonly terraformState?: TerraformStateConfig;
  /** @default "unmanaged" */
  readonly registryScanning: RegistryScanning;
  /** @default "unmanaged" */
  readonly registrySigning: RegistrySigning;
  /**
   * The AWS Signer profile of a signing configuration managed elsewhere, which the stack's
   * signed apps sign with (only with `registrySigning: unmanaged`).
   * @default none
   */
  readonly signingProfileArn?: string;
  /**
   * Readers every app's registry has besides its own `ecr.pull` (the environment's workload
   * accounts, say): merged into each app's.
   * @default none
   */
  readonly pull?: PullAccess;
  /** Keyed by ECR repository name, in the order of the stack file. */
  readonly apps: Readonly<Record<string, ResolvedApp>>;
}

/** The key list of the platform config, tied to it by the compiler. */
export const platformConfigFields = {
  environment: true,
  githubOidcProviderArn: true,
  githubOidcIssuer: true,
  terraformState: true,
  registryScanning: true,
  registrySigning: true,
  signingProfileArn: true,
  pull: true,
  apps: true,
} as const satisfies Fields<PlatformConfig>;

/** The platform program's config keys (in the project's namespace). */
export const platformConfigKeys = fieldNames(platformConfigFields);

type TerraformBackend = TerraformStateConfig["backend"];
const terraformBackendKeys: { readonly [B in TerraformBackend]: readonly string[] } = {
  s3: fieldNames({
    backend: true,
    bucket: true,
    key: true,
    region: true,
    workspace: true,
    outputs: true,
  } as const satisfies Fields<Extract<TerraformStateConfig, { backend: "s3" }>>),
  local: fieldNames({
    backend: true,
    path: true,
    outputs: true,
  } as const satisfies Fields<Extract<TerraformStateConfig, { backend: "local" }>>),
};

/** Every problem with the terraformState setting, given the apps it may feed. */
function validateTerraformState(
  field: string,
  value: unknown,
  apps: Record<string, unknown>,
  resolved: Readonly<Record<string, ResolvedApp>>,
  githubOidcProviderArn: unknown,
): Problem[] {
  if (value === undefined) {
    return [];
  }
  if (!isPlainObject(value) || (value.backend !== "s3" && value.backend !== "local")) {
    return [
      problem(
        field,
        value,
        'must be { backend: "s3", bucket, key, region?, workspace?, outputs } or { backend: "local", path, outputs }',
      ),
    ];
  }
  const problems = terraformBackendProblems(field, value, value.backend);
  if (!isPlainObject(value.outputs)) {
    problems.push(
      problem(
        `${field}.outputs`,
        value.outputs,
        'must map settings to Terraform output names, e.g. { githubOidcProviderArn: "github_oidc_provider_arn" }',
      ),
    );
    return problems;
  }
  for (const [target, output] of Object.entries(value.outputs)) {
    const outputIssue = terraformOutputProblem(
      `${field}.outputs.${target}`,
      target,
      output,
      apps,
      resolved,
      githubOidcProviderArn,
    );
    if (outputIssue) {
      problems.push(outputIssue);
    }
  }
  return problems;
}

/** The backend's own keys only, and each of its strings non-empty (where required or given). */
function terraformBackendProblems(
  field: string,
  value: Record<string, unknown>,
  backend: TerraformBackend,
): Problem[] {
  const problems = unknownKeys(field, value, terraformBackendKeys[backend]);
  const required = backend === "s3" ? ["bucket", "key"] : ["path"];
  for (const key of [...required, ...(backend === "s3" ? ["region", "workspace"] : [])]) {
    const setting = value[key];
    if (
      (required.includes(key) || setting !== undefined) &&
      (typeof setting !== "string" || setting === "")
    ) {
      problems.push(
        problem(
          `${field}.${key}`,
          setting,
          `must be a non-empty string for the ${backend} backend`,
        ),
      );
    }
  }
  return problems;
}

/**
 * What is wrong with one Terraform output feeding a setting, if anything: it must be an output
 * name, and feed either the provider ARN (not also given) or a KMS key of an app of this stack
 * that uses KMS.
 */
function terraformOutputProblem(
  targetField: string,
  target: string,
  output: unknown,
  apps: Record<string, unknown>,
  resolved: Readonly<Record<string, ResolvedApp>>,
  githubOidcProviderArn: unknown,
): Problem | undefined {
  if (typeof output !== "string" || output === "") {
    return problem(targetField, output, "must be the name of a Terraform output");
  }
  if (target === "githubOidcProviderArn") {
    return githubOidcProviderArn === undefined
      ? undefined
      : problem(
          targetField,
          output,
          "cannot be set together with githubOidcProviderArn: keep one source of the provider ARN",
        );
  }
  const app = /^apps\.(.+)\.ecr\.kmsKeyArn$/.exec(target)?.[1];
  if (app === undefined || !(app in apps)) {
    return {
      field: targetField,
      message: `${targetField} is not a setting Terraform outputs can feed; allowed: githubOidcProviderArn, apps.<app>.ecr.kmsKeyArn for an app of this stack`,
    };
  }
  // An app with problems of its own is reported with them, and has no settings here.
  const settings = resolved[app]?.settings;
  return settings !== undefined && settings.ecr.encryption !== "KMS"
    ? problem(
        targetField,
        output,
        `needs app "${app}" to use KMS encryption (ecr.encryption: KMS); it uses ${settings.ecr.encryption}`,
      )
    : undefined;
}

/** The key list of its interface, tied to it by the compiler. */
export const appFields = {
  metadata: true,
  github: true,
  ecr: true,
  tags: true,
  importIds: true,
  role: true,
} as const satisfies Fields<AppConfig>;

/** The settings of an app entry. */
export const appConfigKeys = fieldNames(appFields);

/** An app entry's settings as read, before they are checked. */
type UncheckedAppConfig = { readonly [K in keyof AppConfig]?: unknown };

/** The stack's config keys in the project's namespace (without the namespace), as read. */
export type RawPlatformConfig = Record<string, unknown>;

export interface PlatformConfigSource {
  readonly project: string;
  readonly stack: string;
  /** The stack file, as the user should look for it, e.g. `programs/platform/Pulumi.dev.yaml`. */
  readonly file: string;
}

/** Keys whose values are maps: the engine passes them as JSON text. */
export const structuredPlatformKeys: readonly string[] = ["apps", "terraformState"];

/**
 * The platform config keys of a stack, from config as the language host passes it (namespaced
 * keys to strings, maps as JSON) or as a stack file holds it (plain data).
 */
export function platformConfigValues(
  project: string,
  config: Readonly<Record<string, unknown>>,
): RawPlatformConfig {
  const raw: RawPlatformConfig = {};
  for (const [key, value] of Object.entries(config)) {
    const name = key.startsWith(`${project}:`)
      ? key.slice(project.length + 1)
      : key.includes(":")
        ? undefined
        : key;
    if (name === undefined) {
      continue;
    }
    if (typeof value === "string" && structuredPlatformKeys.includes(name)) {
      try {
        raw[name] = JSON.parse(value);
        continue;
      } catch {
        // Not JSON: kept as the string it is, and refused as such.
      }
    }
    raw[name] = value;
  }
  return raw;
}

/** The pipeline arguments the platform program passes for one app. */
export function pipelineArgsFor(
  environment: string,
  app: AppConfig,
  oidcProviderArn?: TrustedDeliveryPipelineArgs["oidcProviderArn"],
  signingProfileArn?: TrustedDeliveryPipelineArgs["signingProfileArn"],
): TrustedDeliveryPipelineArgs {
  return {
    ...app,
    environment,
    ...(oidcProviderArn === undefined ? {} : { oidcProviderArn }),
    ...(signingProfileArn === undefined ? {} : { signingProfileArn }),
  };
}

/**
 * One app entry, checked and resolved as the pipeline resolves it: the problems have fields
 * relative to the entry (`metadata.id`, ...); a problem with the entry's key (the ECR repository
 * name) has the empty field. The stack's environment is the stack's, checked with it.
 */
export function checkApp(name: string, environment: string, app: unknown): Checked<ResolvedApp> {
  const nameIssue = repositoryNameProblem("", name, " (an app's key is its repository name)");
  const problems: Problem[] = nameIssue ? [nameIssue] : [];
  if (!isPlainObject(app)) {
    return {
      problems: [
        ...problems,
        problem(
          "",
          app,
          "must be a map with metadata and github (and optionally ecr, tags and importIds)",
        ),
      ],
    };
  }
  problems.push(...unknownKeys("", app, appConfigKeys));
  const given: UncheckedAppConfig = Object.fromEntries(
    Object.entries(app).filter(([key]) => (appConfigKeys as string[]).includes(key)),
  );
  // Unchecked until checkPipelineArgs below, which checks every field AppConfig declares; the
  // entry is returned only when it passes.
  const entry = given as AppConfig;
  // A signed app's profile is the platform's, known at deploy time: checked with a stand-in.
  const risk = isPlainObject(entry.metadata) ? entry.metadata.risk : undefined;
  const signingProfileArn = signsImages(entry.ecr?.signing, risk)
    ? standInSigningProfileArn
    : undefined;
  const pipeline = checkPipelineArgs(
    name,
    pipelineArgsFor(environment, entry, undefined, signingProfileArn),
  );
  // The repository name is the entry's key, checked above; the environment is the stack's.
  problems.push(
    ...pipeline.problems.filter((p) => p.field !== "repositoryName" && p.field !== "environment"),
  );
  return problems.length === 0 && pipeline.value !== undefined
    ? { problems: [], value: { entry, settings: pipeline.value } }
    : { problems };
}

/** Every problem with one app entry (see {@link checkApp}). */
export function validateAppConfig(name: string, environment: string, app: unknown): Problem[] {
  return [...checkApp(name, environment, app).problems];
}

/**
 * Checks a stack's platform config and returns it typed. Throws one {@link InvalidArgumentsError}
 * naming the stack file and every bad key (`<project>:apps.<app>.<field>`), before anything is
 * created. `keys`, every key of the stack's config (namespaced, as {@link platformConfigValues}
 * reads them), are checked for namespaces that look like a slip for the project's
 * (`trusted-delivery-platfrom:apps`): {@link platformConfigValues} would skip them, and the
 * stack would deploy without them.
 */
export function parsePlatformConfig(
  source: PlatformConfigSource,
  raw: RawPlatformConfig,
  keys: Iterable<string> = [],
): PlatformConfig {
  const key = (name: string) => `${source.project}:${name}`;
  const problems: Problem[] = [
    ...configNamespaceProblems(source.project, keys),
    ...unknownKeys("", raw, platformConfigKeys).map((p) => ({
      field: key(p.field),
      message: `${source.project}:${p.message}`,
    })),
  ];

  const environment = raw.environment ?? source.stack;
  const environmentIssue = environmentProblem(
    key("environment"),
    environment,
    raw.environment === undefined ? ` (it defaults to the stack name "${source.stack}")` : "",
  );
  if (environmentIssue) {
    problems.push(environmentIssue);
  }
  const arn = raw.githubOidcProviderArn;
  const arnIssue = oidcProviderArnProblem(key("githubOidcProviderArn"), arn);
  if (arnIssue) {
    problems.push(arnIssue);
  }
  const issuer = raw.githubOidcIssuer;
  problems.push(...oidcIssuerProblems(key("githubOidcIssuer"), issuer, arnIssue ? undefined : arn));

  // With a bad environment, apps are still checked (against a stand-in) so every problem shows
  // at once.
  const pullIssues = pullProblems(raw.pull, key("pull"));
  problems.push(...pullIssues);
  const defaultReaders =
    raw.pull === undefined || pullIssues.length > 0 ? undefined : (raw.pull as PullAccess);
  const apps = checkApps(
    source,
    withDefaultReadersOf(raw.apps, defaultReaders),
    environmentIssue ? "dev" : (environment as string),
  );
  problems.push(...apps.problems);
  problems.push(
    ...validateTerraformState(
      key("terraformState"),
      raw.terraformState,
      isPlainObject(raw.apps) ? raw.apps : {},
      apps.resolved,
      raw.githubOidcProviderArn,
    ),
  );
  const registryScanning = raw.registryScanning ?? defaultRegistryScanning;
  problems.push(...registryScanningSettingProblems(key, registryScanning, apps.resolved));
  const registrySigning = raw.registrySigning ?? defaultRegistrySigning;
  problems.push(
    ...registrySigningSettingProblems(key, registrySigning, raw.signingProfileArn, apps.resolved),
  );

  if (problems.length > 0) {
    throw new InvalidArgumentsError(`Stack "${source.stack}" config (${source.file})`, problems);
  }
  return {
    environment: environment as string,
    registryScanning: registryScanning as RegistryScanning,
    registrySigning: registrySigning as RegistrySigning,
    ...(typeof raw.signingProfileArn === "string" && { signingProfileArn: raw.signingProfileArn }),
    ...(typeof arn === "string" ? { githubOidcProviderArn: arn } : {}),
    ...(typeof issuer === "string" ? { githubOidcIssuer: githubOidcIssuer(issuer) } : {}),
    ...(defaultReaders !== undefined && { pull: defaultReaders }),
    ...(raw.terraformState === undefined
      ? {}
      : { terraformState: raw.terraformState as TerraformStateConfig }),
    apps: apps.resolved,
  };
}

/**
 * The issuer is one a provider can be created for; with a provider ARN, it is that provider's
 * (the trust conditions take their keys from the ARN, so another issuer would be ignored).
 */
function oidcIssuerProblems(field: string, issuer: unknown, providerArn: unknown): Problem[] {
  if (issuer === undefined) {
    return [];
  }
  const issuerIssue = githubOidcIssuerProblem(field, issuer);
  if (issuerIssue) {
    return [issuerIssue];
  }
  const arnIssuer =
    typeof providerArn === "string" ? githubIssuerOfProvider(providerArn)?.issuer : undefined;
  return arnIssuer !== undefined && arnIssuer !== githubOidcIssuer(issuer as string)
    ? [
        problem(
          field,
          issuer,
          `must be the issuer of githubOidcProviderArn, "${arnIssuer}", or be left out: the stack creates no provider when given its ARN`,
        ),
      ]
    : [];
}

/**
 * What a stack's config leaves to chance without being wrong, in the problem format, for the
 * program to log as warnings (the offline plan prints them; `pulumi up` shows them):
 *
 * - no apps (`<project>:apps` missing or empty): the stack deploys no pipeline, which is right
 *   for a new stack and wrong for one whose apps a slip emptied;
 * - no `aws:region`: the AWS provider then takes the region of whoever runs `pulumi up`
 *   (AWS_REGION, AWS_DEFAULT_REGION or their AWS profile), so one run from a shell set for
 *   another region would create the stack's registries there. A warning, not a problem: the
 *   provider's fallback is documented Pulumi behaviour that CI jobs rely on, and refusing it
 *   would break stacks that deploy today.
 *
 * `keys` are every key of the stack's config, namespaced.
 */
export function platformWarnings(
  source: PlatformConfigSource,
  raw: RawPlatformConfig,
  keys: Iterable<string>,
): Problem[] {
  const warnings: Problem[] = [];
  const apps = raw.apps;
  if (apps === undefined || (isPlainObject(apps) && Object.keys(apps).length === 0)) {
    warnings.push(
      problem(
        `${source.project}:apps`,
        apps,
        `the stack has no apps, so it deploys no pipeline: add one with trusted-delivery add-app <app> --stack ${source.stack}`,
      ),
    );
  }
  if (![...keys].includes("aws:region")) {
    warnings.push(
      problem(
        "aws:region",
        undefined,
        `set the stack's region (pulumi config set aws:region <region> -s ${source.stack}): without it the AWS provider takes the region of whoever runs pulumi up (AWS_REGION, AWS_DEFAULT_REGION or their AWS profile), and creates the stack's registries there`,
      ),
    );
  }
  return warnings;
}

/**
 * The stack's apps, each checked (its problems under `<project>:apps.<app>`) and resolved when
 * it passes, and apps that would overwrite each other's GitHub secrets or variables.
 */
/** The apps, each with the stack's default readers merged into its `ecr.pull`. */
function withDefaultReadersOf(apps: unknown, defaults: PullAccess | undefined): unknown {
  if (defaults === undefined || !isPlainObject(apps)) {
    return apps;
  }
  return Object.fromEntries(
    Object.entries(apps).map(([name, app]) => {
      if (!isPlainObject(app) || (app.ecr !== undefined && !isPlainObject(app.ecr))) {
        return [name, app];
      }
      const ecr = (app.ecr ?? {}) as Record<string, unknown>;
      const own = isPlainObject(ecr.pull) ? (ecr.pull as PullAccess) : undefined;
      if (
        (ecr.pull !== undefined && own === undefined) ||
        Object.values(own ?? {}).some((list) => !Array.isArray(list))
      ) {
        return [name, app];
      }
      return [name, { ...app, ecr: { ...ecr, pull: withDefaultReaders(defaults, own) } }];
    }),
  );
}

function checkApps(
  source: PlatformConfigSource,
  apps: unknown,
  environment: string,
): { resolved: Record<string, ResolvedApp>; problems: Problem[] } {
  const resolved: Record<string, ResolvedApp> = {};
  if (apps === undefined) {
    return { resolved, problems: [] };
  }
  const field = `${source.project}:apps`;
  if (!isPlainObject(apps)) {
    return {
      resolved,
      problems: [
        problem(
          field,
          apps,
          "must be a map from ECR repository name to { metadata, github, ecr?, tags? }",
        ),
      ],
    };
  }
  const problems: Problem[] = [];
  for (const [name, app] of Object.entries(apps)) {
    const checkedApp = checkApp(name, environment, app);
    problems.push(...prefixProblems(`${field}.${name}`, checkedApp.problems));
    if (checkedApp.value !== undefined) {
      resolved[name] = checkedApp.value;
    }
  }
  problems.push(...githubNameCollisions(source, resolved));
  return { resolved, problems };
}

/** The stack's apps whose images are signed, by repository name. */
export function signedApps(apps: Readonly<Record<string, ResolvedApp>>): string[] {
  return Object.values(apps)
    .filter(({ settings }) => settings.ecr.signing)
    .map(({ settings }) => settings.repositoryName);
}

/**
 * registrySigning is one of its modes; signed apps need a profile: the stack's own (managed) or
 * `signingProfileArn` (unmanaged), never both; managed, the stack's signed repositories must fit
 * ECR's signing rules.
 */
function registrySigningSettingProblems(
  key: (name: string) => string,
  registrySigning: unknown,
  signingProfileArn: unknown,
  apps: Readonly<Record<string, ResolvedApp>>,
): Problem[] {
  const modes: readonly unknown[] = Object.values(RegistrySigning);
  if (!modes.includes(registrySigning)) {
    return [
      problem(
        key("registrySigning"),
        registrySigning,
        `must be ${Object.values(RegistrySigning)
          .map((mode) => JSON.stringify(mode))
          .join(" or ")}`,
      ),
    ];
  }
  const formIssue = signingProfileArnProblem(key("signingProfileArn"), signingProfileArn);
  if (formIssue) {
    return [formIssue];
  }
  const signed = signedApps(apps);
  if (registrySigning === RegistrySigning.Managed && signingProfileArn !== undefined) {
    return [
      problem(
        key("signingProfileArn"),
        signingProfileArn,
        "cannot be given with registrySigning: managed, which creates the environment's own profile: leave out one or the other",
      ),
    ];
  }
  if (
    registrySigning === RegistrySigning.Unmanaged &&
    signingProfileArn === undefined &&
    signed.length > 0
  ) {
    return [
      problem(
        key("registrySigning"),
        registrySigning,
        `leaves ${signed.map((name) => `"${name}"`).join(", ")} without a signing profile, whose images are signed (ecr.signing, always for high risk): set registrySigning: managed (the stack creates the environment's AWS Signer profile and the registry's signing configuration), or signingProfileArn: the profile of a signing configuration managed elsewhere`,
      ),
    ];
  }
  return [];
}

/**
 * registryScanning is one of its modes; managed, it must suit every app of the stack (see
 * {@link registryScanningProblems}).
 */
function registryScanningSettingProblems(
  key: (name: string) => string,
  registryScanning: unknown,
  apps: Readonly<Record<string, ResolvedApp>>,
): Problem[] {
  const scanningModes: readonly unknown[] = Object.values(RegistryScanning);
  if (!scanningModes.includes(registryScanning)) {
    return [
      problem(
        key("registryScanning"),
        registryScanning,
        `must be ${Object.values(RegistryScanning)
          .map((mode) => JSON.stringify(mode))
          .join(" or ")}`,
      ),
    ];
  }
  if (registryScanning !== RegistryScanning.Managed) {
    return [];
  }
  return registryScanningProblems(
    key("registryScanning"),
    Object.values(apps).map(({ settings }) => ({
      name: settings.repositoryName,
      risk: settings.metadata.risk,
    })),
  );
}

/**
 * Two apps of one stack that write the same secret or variable into the same GitHub repository
 * (a monorepo with two images, say) would overwrite each other, and deleting one would delete
 * the other's.
 */
function githubNameCollisions(
  source: PlatformConfigSource,
  apps: Readonly<Record<string, ResolvedApp>>,
): Problem[] {
  const writers = new Map<string, string>();
  const problems: Problem[] = [];
  for (const [name, { settings }] of Object.entries(apps)) {
    const { github } = settings;
    const written: [string, string][] = [
      ["secretName", github.secretName],
      ["variableNames.repositoryUrl", github.repositoryUrlVariableName],
      ["variableNames.region", github.regionVariableName],
      ...github.environments.map((environment): [string, string] => ["environments", environment]),
    ];
    for (const [setting, value] of written) {
      // GitHub compares secret, variable and environment names without case.
      const slot = `${github.repository.toLowerCase()} ${setting === "environments" ? "environment " : ""}${value.toUpperCase()}`;
      const other = writers.get(slot);
      if (other !== undefined) {
        const field = `${source.project}:apps.${name}.github.${setting}`;
        problems.push(
          problem(
            field,
            value,
            `app "${other}" already writes ${value} into ${github.repository}; give this app its own github.${setting}`,
          ),
        );
      } else {
        writers.set(slot, name);
      }
    }
  }
  return problems;
}
