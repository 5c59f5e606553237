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
import { AppConfig, pipelineArgsFor, validateAppConfig } from "../../programs/platform/config";
import { displayPath, PulumiProject, stackFileName, stackFilePath } from "../project";
import { sameData, StackFileEditor } from "../stackFile";
import { DriftRow, registryDrift } from "./drift";
import { registriesInState, TerraformRegistry } from "./state";
import { declaredRegistries } from "./tfvars";

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
}

export interface AdoptionPlan {
  /** The stack file, relative to the project root. */
  readonly stackFile: string;
  /** The stack file with the adoption applied, not yet written. */
  readonly editor: StackFileEditor;
  readonly registries: readonly AdoptedRegistry[];
  /** What Terraform applied through the AWS provider's default_tags (tags_all minus tags). */
  readonly defaultTags: Readonly<Record<string, string>>;
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

/**
 * Works out how a Terraform-managed set of registries moves into a stack: the app entries and
 * default tags to write, what `pulumi up` would change on each registry, and the commands that
 * release them from Terraform. Every input problem is refused, in one error, before anything is
 * edited; nothing is written here.
 */
export async function planAdoption(options: AdoptOptions): Promise<AdoptionPlan> {
  const { project, stack } = options;
  const tagPrefix = options.tagPrefix ?? defaultTagPrefix;
  const registries = registriesInState(options.stateFile);
  const file = stackFilePath(project, stack);
  const stackFile = displayPath(project, file);
  const editor = StackFileEditor.load(file, stackFile);
  const config = editor.config();
  const appsKey = `${project.name}:apps`;
  const existingApps = isPlainObject(config[appsKey])
    ? (config[appsKey] as Record<string, unknown>)
    : {};
  const environment = String(config[`${project.name}:environment`] ?? stackFileName(stack));

  const problems: Problem[] = [];
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

  if (options.tfvarsFile !== undefined) {
    const variable = options.tfvarsVariable ?? "ecr_repositories";
    const declared = await declaredRegistries(options.tfvarsFile, variable);
    for (const [name, entry] of Object.entries(declared)) {
      const metadata = metadataOf.get(name);
      if (!registries.some((r) => r.name === name)) {
        problems.push(
          problem(
            `${variable}["${name}"]`,
            entry,
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
                `must match the registry's tag ${tagPrefix}${key} in state, ${JSON.stringify(metadata[key])}: apply Terraform so state and variables agree`,
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
  const defaultTags = registries.length > 0 ? defaultsOf(registries[0]) : {};
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
  const existingDefaults = (config["aws:defaultTags"] as { tags?: unknown } | undefined)?.tags;
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

  const adopted: AdoptedRegistry[] = [];
  for (const registry of registries) {
    const metadata = metadataOf.get(registry.name);
    if (metadata === undefined) {
      continue;
    }
    const existing = existingApps[registry.name];
    let app: AppConfig;
    if (isPlainObject(existing)) {
      const declared = isPlainObject(existing.metadata) ? existing.metadata : {};
      for (const key of ["id", "owner", "risk"] as const) {
        if (declared[key] !== metadata[key]) {
          problems.push(
            problem(
              `${appsKey}.${registry.name}.metadata.${key}`,
              declared[key],
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
        options.githubRepositories?.[registry.name] ??
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
    adopted.push({ registry, app, drift: registryDrift(registry, settings, defaultTags) });
  }
  if (problems.length > 0) {
    throw new InvalidArgumentsError(
      `Adopting ${options.stateFile} into stack "${stackFileName(stack)}"`,
      problems,
    );
  }

  if (Object.keys(defaultTags).length > 0) {
    editor.setConfig("aws:defaultTags", { tags: defaultTags });
  }
  for (const { registry, app } of adopted) {
    editor.setEntry(appsKey, registry.name, app);
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
  return { stackFile, editor, registries: adopted, defaultTags, stateRmCommands, importFile };
}
