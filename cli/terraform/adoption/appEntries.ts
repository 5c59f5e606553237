import { requiredTierControls, riskTiers } from "../../../components/defaults";
import { keptImages } from "../../../components/lifecyclePolicy";
import { RegistryMetadata } from "../../../components/pipelineArgs";
import { reservedTagKeys } from "../../../components/checks/pipeline";
import { isPlainObject, prefixProblems, Problem, problem } from "../../../components/problems";
import { AppConfig, checkApp, ResolvedApp } from "../../../programs/platform/config";
import { listed } from "../../text";
import { TerraformRegistry } from "../state";

/** The `ecr` settings under which the pipeline keeps a registry as the state holds it, where its tier allows. */
function keptSettings(registry: TerraformRegistry, metadata: RegistryMetadata): AppConfig["ecr"] {
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
  const kept = keptImages(registry.lifecyclePolicy?.policy);
  if (kept !== undefined && kept !== tier.keepImages) {
    ecr.keepImages = kept;
  }
  return Object.keys(ecr).length > 0 ? (ecr as AppConfig["ecr"]) : undefined;
}

/** The import IDs that make `pulumi up` adopt a registry and its lifecycle policy. */
function importIds(registry: TerraformRegistry): NonNullable<AppConfig["importIds"]> {
  return {
    repository: registry.id,
    ...(registry.lifecyclePolicy && { lifecyclePolicy: registry.lifecyclePolicy.id }),
  };
}

/**
 * The app entry for a registry new to the stack: metadata from its tags, and wherever the state
 * departs from the risk tier in a way the tier allows, that setting, so adoption keeps the
 * registry as it is. Departures the tier refuses (a mutable high-risk registry, force delete)
 * are left to the tier and show in the drift.
 */
export function newAppEntry(
  registry: TerraformRegistry,
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
export interface AdoptedApp {
  readonly registry: TerraformRegistry;
  readonly app: ResolvedApp;
}

/**
 * The app entry of each governed registry, checked and resolved as the platform program will:
 * the stack's own entry with import IDs added (its metadata must match the tags), or a new
 * entry for the app repository given. Problems name the stack file's keys and the options.
 */
export function adoptedApps(
  registries: readonly TerraformRegistry[],
  metadata: ReadonlyMap<string, RegistryMetadata>,
  stack: StackApps,
  repositories: AppRepositories,
  tagPrefix: string,
  stateFile: string,
): { adopted: AdoptedApp[]; problems: Problem[] } {
  const problems: Problem[] = [];
  const mappings = repositories.githubRepositories;
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
          `must name a registry in ${stateFile}; it has ${listed(registries.map((r) => r.name))}`,
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

  const adopted: AdoptedApp[] = [];
  for (const registry of registries) {
    const tagged = metadata.get(registry.name);
    if (tagged === undefined) {
      continue;
    }
    const existing = stack.apps[registry.name];
    let entry: unknown;
    if (isPlainObject(existing)) {
      const declared = isPlainObject(existing.metadata) ? existing.metadata : {};
      for (const key of ["id", "owner", "risk"] as const) {
        if (declared[key] !== tagged[key]) {
          problems.push(
            problem(
              `${stack.key}.${registry.name}.metadata.${key}`,
              declared[key],
              `must match the registry's tag ${tagPrefix}${key} in state, ${JSON.stringify(tagged[key])}`,
            ),
          );
        }
      }
      entry = { ...existing, importIds: importIds(registry) };
    } else {
      const repository =
        mappings[registry.name] ??
        (repositories.githubOwner === undefined
          ? undefined
          : `${repositories.githubOwner}/${registry.name}`);
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
      entry = newAppEntry(registry, tagged, repository, tagPrefix);
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
