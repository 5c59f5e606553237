import { requiredTierControls, riskTiers } from "../../components/defaults";
import { keptImages, retentionFromPolicy } from "../../components/lifecyclePolicy";
import { PullAccess, RegistryMetadata } from "../../components/pipelineArgs";
import { pullFromPolicy, ReadPull } from "../../components/pullPolicy";
import { reservedTagKeys } from "../../components/checks/pipeline";
import { isPlainObject, prefixProblems, Problem, problem } from "../../components/problems";
import { AppConfig, checkApp, ResolvedApp } from "../../programs/platform/config";
import { listed } from "../core/text";
import { ExistingRegistry } from "./registry";

/** The `ecr` settings under which the pipeline keeps a registry as it is, where its tier allows. */
function keptSettings(registry: ExistingRegistry, metadata: RegistryMetadata): AppConfig["ecr"] {
  const tier = riskTiers[metadata.risk];
  const required = requiredTierControls[metadata.risk] ?? {};
  const ecr: Record<string, unknown> = {};
  const mutability = registry.imageTagMutability;
  if (
    (mutability === "MUTABLE" || mutability === "IMMUTABLE") &&
    mutability !== tier.imageTagMutability &&
    (required.imageTagMutability === undefined || required.imageTagMutability === mutability)
  ) {
    ecr.imageTagMutability = mutability;
  }
  const encryption = registry.encryptionType;
  if (
    (encryption === "AES256" || encryption === "KMS") &&
    encryption !== tier.encryption &&
    (required.encryption === undefined || required.encryption === encryption)
  ) {
    ecr.encryption = encryption;
  }
  // The lifecycle policy as retention settings when it is one the pipeline writes (the seed
  // module's one rule among them), so adoption keeps it byte for byte.
  const retention = retentionFromPolicy(registry.lifecyclePolicy?.policy);
  const kept = retention?.keepImages ?? keptImages(registry.lifecyclePolicy?.policy);
  if (kept !== undefined && kept !== tier.keepImages) {
    ecr.keepImages = kept;
  }
  if (retention !== undefined) {
    const { keepImages: _count, ...beyond } = retention;
    if (Object.keys(beyond).length > 0) {
      ecr.retention = beyond;
    }
  }
  const pull = adoptedPull(registry);
  if (pull !== undefined) {
    ecr.pull = Object.fromEntries(Object.entries(pull).filter(([, list]) => list.length > 0));
  }
  return Object.keys(ecr).length > 0 ? (ecr as AppConfig["ecr"]) : undefined;
}

/**
 * The readers of a registry's repository policy, when it is exactly one `ecr.pull` writes (so
 * adopting it changes nothing); undefined when it has none, or one the pipeline cannot express
 * (then the pipeline leaves it unmanaged, and adoption says which statement: see
 * {@link repositoryPolicyReading}).
 */
export function adoptedPull(registry: ExistingRegistry): Required<PullAccess> | undefined {
  const read = repositoryPolicyReading(registry);
  return read !== undefined && "pull" in read ? read.pull : undefined;
}

/** The repository policy read back as `ecr.pull`, or why not; undefined when there is none. */
export function repositoryPolicyReading(registry: ExistingRegistry): ReadPull | undefined {
  if (registry.repositoryPolicy === undefined) {
    return undefined;
  }
  const partition = registry.arn.split(":")[1] || "aws";
  return pullFromPolicy(registry.repositoryPolicy.policy, registry.account, partition);
}

/** The import IDs that make `pulumi up` adopt a registry, its lifecycle and repository policies. */
function importIds(registry: ExistingRegistry): NonNullable<AppConfig["importIds"]> {
  return {
    repository: registry.id,
    ...(registry.lifecyclePolicy && { lifecyclePolicy: registry.lifecyclePolicy.id }),
    ...(registry.repositoryPolicy &&
      adoptedPull(registry) !== undefined && { repositoryPolicy: registry.repositoryPolicy.id }),
  };
}

/**
 * The app entry for a registry new to the stack: its metadata, and wherever the registry departs
 * from the risk tier in a way the tier allows, that setting, so adoption keeps the registry as it
 * is. Departures the tier refuses (a mutable high-risk registry, force delete)
 * are left to the tier and show in the drift.
 */
export function newAppEntry(
  registry: ExistingRegistry,
  metadata: RegistryMetadata,
  repository: string,
  tagPrefix: string,
): AppConfig {
  const ecr = keptSettings(registry, metadata);
  const reserved = reservedTagKeys(tagPrefix);
  const tags = Object.fromEntries(
    Object.entries(registry.tags).filter(([key]) => !reserved.includes(key)),
  );
  return {
    metadata,
    github: { repository },
    ...(ecr && { ecr }),
    ...(Object.keys(tags).length > 0 && { tags }),
    importIds: importIds(registry),
  };
}

/** How the app repository of each registry new to the stack is named. */
export interface AppRepositories {
  /** `<owner>/<registry name>`, unless mapped. */
  readonly githubOwner?: string;
  /** The app repository per registry name. */
  readonly githubRepositories: Readonly<Record<string, string>>;
}

/** The stack file's apps, as adoption finds and names them. */
export interface StackApps {
  /** The config key of the apps map, e.g. `platform:apps`. */
  readonly key: string;
  readonly apps: Readonly<Record<string, unknown>>;
  /** The stack file, as errors name it. */
  readonly file: string;
  /** The stack's environment, as the platform program resolves it. */
  readonly environment: string;
}

/** An adopted registry's app entry, as written to the stack, and the settings it resolves to. */
export interface AdoptedApp<R extends ExistingRegistry = ExistingRegistry> {
  readonly registry: R;
  readonly app: ResolvedApp;
}

/** A registry's governance, as adoption found it. */
export interface Governance {
  /** The governance tags the registry carries: the stack's own entry must agree with them. */
  readonly tagged: Partial<RegistryMetadata>;
  /** The metadata of a new app entry; needed only where the stack has no entry. */
  readonly metadata?: RegistryMetadata;
}

/** Where the registries come from, as problems name it. */
export interface RegistrySource {
  /** Where their tags were read: `state`, `AWS`. */
  readonly tagsIn: string;
  /** What holds the registries: the state file, or the `--registry` list. */
  readonly registriesIn: string;
}

/**
 * The app entry of each registry whose governance is known, checked and resolved as the
 * platform program will: the stack's own entry with import IDs added (its metadata must match
 * the tags the registry carries), or a new entry with the registry's metadata for the app
 * repository given. Registries without governance are left out (their phase reported them).
 * Problems name the stack file's keys and the options.
 */
export function adoptedApps<R extends ExistingRegistry>(
  registries: readonly R[],
  governance: ReadonlyMap<string, Governance>,
  stack: StackApps,
  repositories: AppRepositories,
  tagPrefix: string,
  source: RegistrySource,
): { adopted: AdoptedApp<R>[]; problems: Problem[] } {
  const problems: Problem[] = repositoryMappingProblems(
    registries,
    stack,
    repositories.githubRepositories,
    source,
  );
  const adopted: AdoptedApp<R>[] = [];
  for (const registry of registries) {
    const known = governance.get(registry.name);
    if (known === undefined) {
      continue;
    }
    const existing = stack.apps[registry.name];
    let entry: unknown;
    if (isPlainObject(existing)) {
      problems.push(...entryMetadataProblems(registry, existing, known, stack, tagPrefix, source));
      entry = { ...existing, importIds: importIds(registry) };
    } else {
      if (known.metadata === undefined) {
        continue;
      }
      const repository = appRepositoryOf(registry, repositories);
      if (repository === undefined) {
        problems.push(
          problem(
            `--github-repository ${registry.name}`,
            undefined,
            `must name the app repository that pushes to "${registry.name}": pass --github-owner <owner> (for <owner>/${registry.name}) or --github-repository ${registry.name}=<owner>/<name>`,
          ),
        );
        continue;
      }
      entry = newAppEntry(registry, known.metadata, repository, tagPrefix);
    }
    const app = checkApp(registry.name, stack.environment, entry);
    if (app.value === undefined) {
      problems.push(...prefixProblems(`${stack.key}.${registry.name}`, app.problems));
      continue;
    }
    adopted.push({ registry, app: app.value });
  }
  return { adopted, problems };
}

/**
 * `--github-repository` must name a registry being adopted, and, for one the stack already
 * has, match its entry's repository (adoption keeps the stack's entry).
 */
function repositoryMappingProblems(
  registries: readonly ExistingRegistry[],
  stack: StackApps,
  mappings: AppRepositories["githubRepositories"],
  source: RegistrySource,
): Problem[] {
  const problems: Problem[] = [];
  for (const [name, repository] of Object.entries(mappings)) {
    const existing = stack.apps[name];
    const current =
      isPlainObject(existing) && isPlainObject(existing.github)
        ? existing.github.repository
        : undefined;
    if (!registries.some((r) => r.name === name)) {
      problems.push(
        problem(
          `--github-repository ${name}`,
          repository,
          `must name a registry in ${source.registriesIn}; it has ${listed(registries.map((r) => r.name))}`,
        ),
      );
    } else if (existing !== undefined && current !== repository) {
      problems.push(
        problem(
          `--github-repository ${name}`,
          repository,
          `must match the app's github.repository in ${stack.file}, ${JSON.stringify(current)}, or be left out: adoption keeps the stack's entry`,
        ),
      );
    }
  }
  return problems;
}

/** The stack's own entry for a registry must declare the metadata its governance tags carry. */
function entryMetadataProblems(
  registry: ExistingRegistry,
  existing: Record<string, unknown>,
  known: Governance,
  stack: StackApps,
  tagPrefix: string,
  source: RegistrySource,
): Problem[] {
  const declared = isPlainObject(existing.metadata) ? existing.metadata : {};
  const problems: Problem[] = [];
  for (const key of ["id", "owner", "risk"] as const) {
    const tag = known.tagged[key];
    if (tag !== undefined && declared[key] !== tag) {
      problems.push(
        problem(
          `${stack.key}.${registry.name}.metadata.${key}`,
          declared[key],
          `must match the registry's tag ${tagPrefix}${key} in ${source.tagsIn}, ${JSON.stringify(tag)}`,
        ),
      );
    }
  }
  return problems;
}

/** The app repository of a registry new to the stack: as mapped, else `<owner>/<registry name>`. */
function appRepositoryOf(
  registry: ExistingRegistry,
  repositories: AppRepositories,
): string | undefined {
  return (
    repositories.githubRepositories[registry.name] ??
    (repositories.githubOwner === undefined
      ? undefined
      : `${repositories.githubOwner}/${registry.name}`)
  );
}
