import { defaultTagPrefix } from "../../components/defaults";
import { Problem } from "../../components/problems";
import { parsePlatformConfig, platformConfigValues } from "../../programs/platform/config";
import { appsSetting } from "../appsSetting";
import { readAwsSettings } from "../awsConfig";
import { CliError, InvalidInputError } from "../errors";
import { displayPath, PulumiProject, stackFileName, stackFilePath } from "../project";
import { StackFileEditor } from "../stackFile";
import { AdoptedApp, adoptedApps } from "./adoption/appEntries";
import { adoptedDefaultTags } from "./adoption/defaultTags";
import { ImportFile, importFile, stateRmCommands } from "./adoption/handover";
import { metadataFromTags, tfvarsStateProblems } from "./adoption/metadata";
import { registryPlace, stackPlaceProblems } from "./adoption/place";
import { DriftRow, registryDrift } from "./drift";
import { registriesInState } from "./state";
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

export interface AdoptedRegistry extends AdoptedApp {
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
  readonly importFile: ImportFile;
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

/**
 * Works out how a Terraform-managed set of registries moves into a stack, in phases: where they
 * are (one region and account, the stack's), their governance metadata (tags, checked against
 * the tfvars), the provider's default tags, each app entry (checked and resolved as the program
 * will), what `pulumi up` would change on each registry, and the hand-over (imports and
 * `terraform state rm`). Every input problem is refused, in one error naming the stack file,
 * before anything is edited; the edited stack file is read back as the platform program reads
 * it (every app there before still there). Nothing is written here.
 */
export async function planAdoption(options: AdoptOptions): Promise<AdoptionPlan> {
  const { project, stack } = options;
  const tagPrefix = options.tagPrefix ?? defaultTagPrefix;
  const file = stackFilePath(project, stack);
  const stackFile = displayPath(project, file);
  const registries = registriesInState(options.stateFile);
  const subject = `Adopting ${options.stateFile} into stack "${stackFileName(stack)}" (${stackFile})`;

  // One stack is one region and one account: nothing else is worth checking until that holds.
  const { place, problems: placeProblems } = registryPlace(registries, options.stateFile);
  if (placeProblems.length > 0) {
    throw new InvalidInputError(subject, placeProblems);
  }

  const editor = StackFileEditor.load(file, stackFile);
  const config = editor.config();
  const { key: appsKey, apps: existingApps } = appsSetting(project, editor, stackFileName(stack));
  const raw = platformConfigValues(project.name, config);
  const environment = typeof raw.environment === "string" ? raw.environment : stackFileName(stack);

  const problems: Problem[] = [];
  const aws = readAwsSettings(config);
  problems.push(...aws.problems);
  problems.push(...stackPlaceProblems(aws.settings, place, options.stateFile));

  const { metadata, problems: metadataProblems } = metadataFromTags(registries, tagPrefix);
  problems.push(...metadataProblems);
  let declared: Record<string, DeclaredRegistry> | undefined;
  if (options.tfvarsFile !== undefined) {
    const variable = options.tfvarsVariable ?? "ecr_repositories";
    declared = await declaredRegistries(options.tfvarsFile, variable);
    problems.push(
      ...tfvarsStateProblems(
        declared,
        { file: options.tfvarsFile, variable },
        registries,
        metadata,
        tagPrefix,
      ),
    );
  }

  const stackHasDefaultTags =
    config["aws:defaultTags"] !== undefined &&
    !aws.problems.some((p) => p.field.startsWith("aws:defaultTags"));
  const defaultTags = adoptedDefaultTags(registries, aws.settings, stackHasDefaultTags, stackFile);
  problems.push(...defaultTags.problems);

  const apps = adoptedApps(
    registries,
    metadata,
    { key: appsKey, apps: existingApps, file: stackFile, environment },
    { githubOwner: options.githubOwner, githubRepositories: options.githubRepositories ?? {} },
    tagPrefix,
    options.stateFile,
  );
  problems.push(...apps.problems);
  if (problems.length > 0) {
    throw new InvalidInputError(subject, problems);
  }

  const adopted = apps.adopted.map(({ registry, app }): AdoptedRegistry => ({
    registry,
    app,
    drift: registryDrift(registry, app.settings, defaultTags.tags.provider),
    notes:
      declared?.[registry.name]?.riskDefaulted === true
        ? [
            `risk "${moduleRiskDefault}" is the module variable's default: ${options.tfvarsFile} does not set it`,
          ]
        : [],
  }));

  if (aws.settings.region === undefined) {
    editor.setConfig("aws:region", place.region);
  }
  if (aws.settings.allowedAccountIds === undefined) {
    // The provider then refuses credentials of any other account, before importing anything.
    editor.setConfig("aws:allowedAccountIds", [place.account]);
  }
  if (defaultTags.tags.stack === undefined && Object.keys(defaultTags.tags.terraform).length > 0) {
    editor.setConfig("aws:defaultTags", { tags: defaultTags.tags.terraform });
  }
  for (const { registry, app } of adopted) {
    editor.setEntry(appsKey, registry.name, app.entry);
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

  const adoptedRegistries = adopted.map((a) => a.registry);
  return {
    stackFile,
    editor,
    registries: adopted,
    defaultTags: defaultTags.tags.terraform,
    region: place.region,
    account: place.account,
    stateRmCommands: stateRmCommands(adoptedRegistries),
    importFile: importFile(adoptedRegistries),
  };
}
