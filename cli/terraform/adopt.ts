import { resolvePipelineSettings } from "../../components/pipelineSettings";
import { riskTiers, isRiskLevel } from "../../components/riskTiers";
import { pipelineChildNames, trustedDeliveryPipelineType } from "../../components/names";
import {
  defaultTagPrefix,
  InvalidArgumentsError,
  isPlainObject,
  Problem,
  problem,
} from "../../components/validation";
import {
  AppConfig,
  parsePlatformConfig,
  pipelineArgsFor,
  platformConfigValues,
  validateAppConfig,
} from "../../programs/platform/config";
import { appsSetting } from "../appsSetting";
import { readAwsSettings } from "../awsConfig";
import { CliError, displayPath, PulumiProject, stackFileName, stackFilePath } from "../project";
import { sameData, StackFileEditor } from "../stackFile";
import { DriftRow, registryDrift } from "./drift";
import { registriesInState, TerraformRegistry } from "./state";
import { DeclaredRegistry, declaredRegistries, moduleRiskDefault } from "./tfvars";

export interface AdoptOptions {
  readonly project: PulumiProject;
  readonly stack: string;
  /** `terraform state pull` output. */
  readonly stateFile: string;
  /** The environment's tfvars, cross-checked against the state. */
  readonly tfvarsFile?: string;
  /** The tfvars variable holding the registry map. @default "ecr_repositories" */
  readonly tfvarsVariable?: string;
  /** Owner of the app repositories of registries new to the stack: `<owner>/<registry name>`. */
  readonly githubOwner?: string;
  /** App repository per registry name, where it is not `<githubOwner>/<name>`. */
  readonly githubRepositories?: Readonly<Record<string, string>>;
  /** @default "goldenpath.idp/" */
  readonly tagPrefix?: string;
}

export interface AdoptedRegistry {
  readonly registry: TerraformRegistry;
  /** The app entry as written to the stack file. */
  readonly app: AppConfig;
  readonly drift: readonly DriftRow[];
  /** What the drift table should say besides its rows (where a value came from, say). */
  readonly notes: readonly string[];
}

export interface AdoptionPlan {
  /** The stack file, relative to the project root. */
  readonly stackFile: string;
  /** The stack file with the adoption applied, not yet written. */
  readonly editor: StackFileEditor;
  readonly registries: readonly AdoptedRegistry[];
  /** What Terraform applied through the AWS provider's default_tags (tags_all minus tags). */
  readonly defaultTags: Readonly<Record<string, string>>;
  /** The region and account of every registry, from their ARNs: the stack's from now on. */
  readonly region: string;
  readonly account: string;
  /** The commands that hand each adopted address over to Pulumi. */
  readonly stateRmCommands: readonly string[];
  /** The same imports as a `pulumi import --file` document. */
  readonly importFile: { readonly resources: readonly Record<string, unknown>[] };
}

/** Registries whose adoption replaces anything (their images would be lost). */
export function replacements(plan: AdoptionPlan): AdoptedRegistry[] {
  return plan.registries.filter((r) => r.drift.some((row) => row.effect === "replace"));
}

/** Registries whose adoption changes anything in place. */
export function changes(plan: AdoptionPlan): AdoptedRegistry[] {
  return plan.registries.filter((r) =>
    r.drift.some((row) => row.effect === "update" || row.effect === "create"),
  );
}

/** The module's lifecycle policy format: how many images it keeps, if the policy is exactly that. */
function keptImages(policy: string | undefined): number | undefined {
  try {
    const rules = JSON.parse(policy ?? "").rules;
    const selection = rules?.[0]?.selection;
    return rules.length === 1 &&
      rules[0].action?.type === "expire" &&
      selection?.countType === "imageCountMoreThan" &&
      selection?.tagStatus === "any" &&
      Number.isSafeInteger(selection.countNumber)
      ? selection.countNumber
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The app entry for a registry new to the stack: metadata from its tags, and wherever the state
 * departs from the risk tier in a way the pipeline allows, that setting, so adoption keeps the
 * registry as it is. Departures the pipeline refuses (a mutable high-risk registry, force delete)
 * are left to the tier and show in the drift.
 */
function newAppEntry(
  registry: TerraformRegistry,
  metadata: AppConfig["metadata"],
  repository: string,
  tagPrefix: string,
): AppConfig {
  const tier = riskTiers[metadata.risk];
  const high = metadata.risk === "high";
  const ecr: Record<string, unknown> = {};
  const mutability = registry.imageTagMutability;
  if (
    mutability !== tier.imageTagMutability &&
    (mutability === "IMMUTABLE" || (mutability === "MUTABLE" && !high))
  ) {
    ecr.imageTagMutability = mutability;
  }
  const encryption = registry.encryptionType;
  if (
    encryption !== tier.encryption &&
    (encryption === "KMS" || (encryption === "AES256" && !high))
  ) {
    ecr.encryption = encryption;
  }
  const kept = keptImages(registry.lifecyclePolicy?.policy);
  if (kept !== undefined && kept !== tier.keepImages) {
    ecr.keepImages = kept;
  }
  const governance = [`${tagPrefix}id`, `${tagPrefix}owner`, `${tagPrefix}risk`, "Environment"];
  const extraTags = Object.fromEntries(
    Object.entries(registry.tags).filter(([key]) => !governance.includes(key)),
  );
  return {
    metadata,
    github: { repository },
    ...(Object.keys(ecr).length > 0 && { ecr }),
    ...(Object.keys(extraTags).length > 0 && { tags: extraTags }),
    importIds: {
      repository: registry.id,
      ...(registry.lifecyclePolicy && { lifecyclePolicy: registry.lifecyclePolicy.id }),
    },
  } as AppConfig;
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'"'"'`)}'`;
}

/** `a, b and c`. */
function listed(items: readonly string[]): string {
  return items.length <= 1
    ? items.join("")
    : `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

/**
 * The one region (or account) of all registries, or a problem naming each and its registries:
 * one stack is one region and one account.
 */
function onePlace(
  registries: readonly TerraformRegistry[],
  what: "region" | "account",
  stateFile: string,
): { value: string; problem?: Problem } {
  const by = new Map<string, string[]>();
  for (const registry of registries) {
    by.set(registry[what], [...(by.get(registry[what]) ?? []), registry.name]);
  }
  if (by.size <= 1) {
    return { value: registries[0][what] };
  }
  const places = [...by].map(([place, names]) => `${place} (${names.join(", ")})`);
  return {
    value: registries[0][what],
    problem: {
      field: what,
      message: `the registries in ${stateFile} are in ${by.size} ${what === "region" ? "regions" : "accounts"}, ${listed(places)}; one stack is one region and one account: adopt each ${what}'s registries into a stack of its own, from a state that holds only those`,
    },
  };
}

/**
 * Works out how a Terraform-managed set of registries moves into a stack: the app entries,
 * default tags, region and allowed account to write, what `pulumi up` would change on each
 * registry, and the commands that release them from Terraform. Every input problem is refused,
 * in one error naming the stack file, before anything is edited; the edited stack file is read
 * back as the platform program reads it (every app there before still there). Nothing is
 * written here.
 */
export async function planAdoption(options: AdoptOptions): Promise<AdoptionPlan> {
  const { project, stack } = options;
  const tagPrefix = options.tagPrefix ?? defaultTagPrefix;
  const file = stackFilePath(project, stack);
  const stackFile = displayPath(project, file);
  const registries = registriesInState(options.stateFile);
  const subject = `Adopting ${options.stateFile} into stack "${stackFileName(stack)}" (${stackFile})`;

  // One stack is one region and one account: nothing else is worth checking until that holds.
  const region = onePlace(registries, "region", options.stateFile);
  const account = onePlace(registries, "account", options.stateFile);
  const placeProblems = [region.problem, account.problem].filter((p): p is Problem => !!p);
  if (placeProblems.length > 0) {
    throw new InvalidArgumentsError(subject, placeProblems);
  }

  const editor = StackFileEditor.load(file, stackFile);
  const config = editor.config();
  const { key: appsKey, apps: existingApps } = appsSetting(project, editor, stackFileName(stack));
  const raw = platformConfigValues(project.name, config);
  const environment = typeof raw.environment === "string" ? raw.environment : stackFileName(stack);

  const problems: Problem[] = [];
  const aws = readAwsSettings(config);
  problems.push(...aws.problems);
  if (aws.settings.region !== undefined && aws.settings.region !== region.value) {
    problems.push(
      problem(
        "aws:region",
        aws.settings.region,
        `must be the region of the registries in ${options.stateFile}, "${region.value}" (from their ARNs): a stack is one region; adopt them into a stack for ${region.value}`,
      ),
    );
  }
  if (
    aws.settings.allowedAccountIds !== undefined &&
    !aws.settings.allowedAccountIds.includes(account.value)
  ) {
    problems.push(
      problem(
        "aws:allowedAccountIds",
        aws.settings.allowedAccountIds,
        `must include the account of the registries in ${options.stateFile}, "${account.value}" (from their ARNs): this stack deploys to another account; adopt them into that account's stack`,
      ),
    );
  }

  const metadataOf = new Map<string, AppConfig["metadata"]>();
  for (const registry of registries) {
    const tag = (name: string) => registry.tags[`${tagPrefix}${name}`];
    const [id, owner, risk] = [tag("id"), tag("owner"), tag("risk")];
    if (id === undefined || owner === undefined || !isRiskLevel(risk)) {
      problems.push(
        problem(
          `${registry.address}.tags`,
          registry.tags,
          `must carry ${tagPrefix}id, ${tagPrefix}owner and ${tagPrefix}risk (low, medium or high) to be adopted as a governed registry: tag it in Terraform and apply first`,
        ),
      );
      continue;
    }
    metadataOf.set(registry.name, { id, owner, risk });
  }

  let declared: Record<string, DeclaredRegistry> | undefined;
  if (options.tfvarsFile !== undefined) {
    const variable = options.tfvarsVariable ?? "ecr_repositories";
    declared = await declaredRegistries(options.tfvarsFile, variable);
    for (const [name, entry] of Object.entries(declared)) {
      const metadata = metadataOf.get(name);
      if (!registries.some((r) => r.name === name)) {
        problems.push(
          problem(
            `${variable}["${name}"]`,
            { id: entry.id, owner: entry.owner, risk: entry.risk },
            `is declared in ${options.tfvarsFile} but absent from the state: apply Terraform first, or remove it`,
          ),
        );
      } else if (metadata !== undefined) {
        for (const key of ["id", "owner", "risk"] as const) {
          if (metadata[key] !== entry[key]) {
            problems.push(
              problem(
                `${variable}["${name}"].metadata.${key}`,
                entry[key],
                `must match the registry's tag ${tagPrefix}${key} in state, ${JSON.stringify(metadata[key])}${key === "risk" && entry.riskDefaulted ? ` (the entry does not set risk, so the module's default "${moduleRiskDefault}" applies)` : ""}: apply Terraform so state and variables agree`,
              ),
            );
          }
        }
      }
    }
    for (const registry of registries) {
      if (!(registry.name in declared)) {
        problems.push(
          problem(
            registry.address,
            registry.name,
            `is in the state but not declared in ${variable} of ${options.tfvarsFile}: Terraform would destroy it; reconcile them first`,
          ),
        );
      }
    }
  }

  // Terraform's default_tags become the stack's AWS provider default tags: one set for all.
  const defaultsOf = (r: TerraformRegistry) =>
    Object.fromEntries(Object.entries(r.tagsAll).filter(([key]) => !(key in r.tags)));
  const defaultTags = defaultsOf(registries[0]);
  for (const registry of registries.slice(1)) {
    if (!sameData(defaultsOf(registry), defaultTags)) {
      problems.push(
        problem(
          `${registry.address}.tags_all`,
          registry.tagsAll,
          `must carry the same provider default tags as ${registries[0].address} (${JSON.stringify(defaultTags)}): registries with different default_tags go to different stacks`,
        ),
      );
    }
  }
  // The stack's own default tags, when it has readable ones (bad ones were reported above).
  const existingDefaults =
    config["aws:defaultTags"] === undefined ||
    aws.problems.some((p) => p.field.startsWith("aws:defaultTags"))
      ? undefined
      : aws.settings.defaultTags;
  if (
    existingDefaults !== undefined &&
    Object.keys(defaultTags).length > 0 &&
    !sameData(existingDefaults, defaultTags)
  ) {
    problems.push(
      problem(
        "aws:defaultTags",
        existingDefaults,
        `must equal the default_tags Terraform applied, ${JSON.stringify(defaultTags)}, or adopted registries would change: reconcile them in ${stackFile} first`,
      ),
    );
  }
  // What the provider will add to every registry: the stack's, or else Terraform's, written below.
  const providerDefaults = existingDefaults ?? defaultTags;

  const mappings = options.githubRepositories ?? {};
  for (const [name, repository] of Object.entries(mappings)) {
    if (!registries.some((r) => r.name === name)) {
      problems.push(
        problem(
          `--github-repository ${name}`,
          repository,
          `must name a registry in ${options.stateFile}; it has ${listed(registries.map((r) => r.name))}`,
        ),
      );
    } else {
      const existing = existingApps[name];
      const current =
        isPlainObject(existing) && isPlainObject(existing.github)
          ? existing.github.repository
          : undefined;
      if (existing !== undefined && current !== repository) {
        problems.push(
          problem(
            `--github-repository ${name}`,
            repository,
            `must match the app's github.repository in ${stackFile}, ${JSON.stringify(current)}, or be left out: adoption keeps the stack's entry`,
          ),
        );
      }
    }
  }

  const adopted: AdoptedRegistry[] = [];
  for (const registry of registries) {
    const metadata = metadataOf.get(registry.name);
    if (metadata === undefined) {
      continue;
    }
    const existing = existingApps[registry.name];
    let app: AppConfig;
    if (isPlainObject(existing)) {
      const declaredMetadata = isPlainObject(existing.metadata) ? existing.metadata : {};
      for (const key of ["id", "owner", "risk"] as const) {
        if (declaredMetadata[key] !== metadata[key]) {
          problems.push(
            problem(
              `${appsKey}.${registry.name}.metadata.${key}`,
              declaredMetadata[key],
              `must match the registry's tag ${tagPrefix}${key} in state, ${JSON.stringify(metadata[key])}`,
            ),
          );
        }
      }
      app = {
        ...(existing as unknown as AppConfig),
        importIds: {
          repository: registry.id,
          ...(registry.lifecyclePolicy && { lifecyclePolicy: registry.lifecyclePolicy.id }),
        },
      };
    } else {
      const repository =
        mappings[registry.name] ??
        (options.githubOwner === undefined ? undefined : `${options.githubOwner}/${registry.name}`);
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
      app = newAppEntry(registry, metadata, repository, tagPrefix);
    }
    const appProblems = validateAppConfig(registry.name, environment, app);
    if (appProblems.length > 0) {
      problems.push(
        ...appProblems.map((p) => ({
          field: `${appsKey}.${registry.name}.${p.field}`,
          message: `${appsKey}.${registry.name}.${p.message}`,
        })),
      );
      continue;
    }
    const settings = resolvePipelineSettings(registry.name, pipelineArgsFor(environment, app));
    const notes =
      declared?.[registry.name]?.riskDefaulted === true
        ? [
            `risk "${moduleRiskDefault}" is the module variable's default: ${options.tfvarsFile} does not set it`,
          ]
        : [];
    adopted.push({
      registry,
      app,
      drift: registryDrift(registry, settings, providerDefaults),
      notes,
    });
  }
  if (problems.length > 0) {
    throw new InvalidArgumentsError(subject, problems);
  }

  if (aws.settings.region === undefined) {
    editor.setConfig("aws:region", region.value);
  }
  if (aws.settings.allowedAccountIds === undefined) {
    // The provider then refuses credentials of any other account, before importing anything.
    editor.setConfig("aws:allowedAccountIds", [account.value]);
  }
  if (existingDefaults === undefined && Object.keys(defaultTags).length > 0) {
    editor.setConfig("aws:defaultTags", { tags: defaultTags });
  }
  for (const { registry, app } of adopted) {
    editor.setEntry(appsKey, registry.name, app);
  }
  // Read back as the program reads it: every app that was there, and every one adopted.
  const written = parsePlatformConfig(
    { project: project.name, stack: stackFileName(stack), file: stackFile },
    platformConfigValues(project.name, editor.config()),
  );
  const lost = [...Object.keys(existingApps), ...adopted.map((a) => a.registry.name)].filter(
    (name) => !(name in written.apps),
  );
  if (lost.length > 0) {
    throw new CliError(
      `adopting into ${stackFile} would lose ${lost.join(", ")}; nothing was written`,
    );
  }

  const importFile = {
    resources: adopted.flatMap(({ registry }) => {
      const names = pipelineChildNames(registry.name);
      return [
        { type: trustedDeliveryPipelineType, name: registry.name, component: true },
        {
          type: "aws:ecr/repository:Repository",
          name: names.repository,
          id: registry.id,
          parent: registry.name,
        },
        ...(registry.lifecyclePolicy
          ? [
              {
                type: "aws:ecr/lifecyclePolicy:LifecyclePolicy",
                name: names.lifecyclePolicy,
                id: registry.lifecyclePolicy.id,
                parent: registry.name,
              },
            ]
          : []),
      ];
    }),
  };
  const stateRmCommands = adopted.map(({ registry }) =>
    [
      "terraform state rm",
      registry.address,
      ...(registry.lifecyclePolicy ? [registry.lifecyclePolicy.address] : []),
    ]
      .map((part, i) => (i === 0 ? part : shellQuote(part)))
      .join(" "),
  );
  return {
    stackFile,
    editor,
    registries: adopted,
    defaultTags,
    region: region.value,
    account: account.value,
    stateRmCommands,
    importFile,
  };
}
