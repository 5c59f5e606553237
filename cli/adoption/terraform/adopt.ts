import { defaultTagPrefix } from "../../../components/defaults";
import { RegistryMetadata } from "../../../components/pipelineArgs";
import { Problem } from "../../../components/problems";
import { platformConfigValues } from "../../../programs/platform/config";
import { AdoptedApp, adoptedApps, Governance, StackApps } from "../appEntries";
import { registryDrift } from "../drift";
import { importFile } from "../importFile";
import {
  AdoptedRegistry,
  AdoptionPlan as Plan,
  bindStack,
  withSigningNote,
  writeAppEntries,
} from "../adoptionPlan";
import { appsSetting } from "../../workspace/appsSetting";
import { readAwsSettings } from "../../workspace/awsConfig";
import { InvalidInputError } from "../../core/errors";
import { displayPath, PulumiProject, stackFileName, stackFilePath } from "../../workspace/project";
import { StackFileEditor } from "../../workspace/stackFile";
import { adoptedDefaultTags } from "./defaultTags";
import { stateRmCommands } from "./handover";
import { metadataFromTags, tfvarsStateProblems } from "./metadata";
import { registryPlace, stackPlaceProblems } from "./place";
import { registriesInState, TerraformRegistry } from "./state";
import { DeclaredRegistry, declaredRegistries, moduleRiskDefault } from "./tfvars";

export { changes, replacements } from "../adoptionPlan";

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

/** A Terraform state's registries moved into a stack, with what hands them over. */
export interface AdoptionPlan extends Plan<TerraformRegistry> {
  /** What Terraform applied through the AWS provider's default_tags (tags_all minus tags). */
  readonly defaultTags: Readonly<Record<string, string>>;
  /** The commands that hand each adopted address over to Pulumi. */
  readonly stateRmCommands: readonly string[];
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

  const {
    metadata,
    declared,
    problems: governanceProblems,
  } = await stateGovernance(options, registries, tagPrefix);
  problems.push(...governanceProblems);

  const stackHasDefaultTags =
    config["aws:defaultTags"] !== undefined &&
    !aws.problems.some((p) => p.field.startsWith("aws:defaultTags"));
  const defaultTags = adoptedDefaultTags(registries, aws.settings, stackHasDefaultTags, stackFile);
  problems.push(...defaultTags.problems);

  const stackApps = { key: appsKey, apps: existingApps, file: stackFile, environment };
  const apps = stateApps(options, registries, metadata, stackApps, tagPrefix);
  problems.push(...apps.problems);
  if (problems.length > 0) {
    throw new InvalidInputError(subject, problems);
  }

  const adopted = apps.adopted.map(({ registry, app }): AdoptedRegistry<TerraformRegistry> => ({
    registry,
    app,
    drift: registryDrift(registry, app.settings, defaultTags.tags.provider),
    notes: tfvarsNotes(declared?.[registry.name], options.tfvarsFile),
  }));

  bindStack(editor, aws.settings, place);
  if (defaultTags.tags.stack === undefined && Object.keys(defaultTags.tags.terraform).length > 0) {
    editor.setConfig("aws:defaultTags", { tags: defaultTags.tags.terraform });
  }
  const signingNote = writeAppEntries(
    editor,
    project,
    { name: stackFileName(stack), file: stackFile },
    { key: appsKey, existing: existingApps },
    adopted,
  );

  const adoptedRegistries = adopted.map((a) => a.registry);
  return {
    stackFile,
    editor,
    registries: withSigningNote(adopted, signingNote),
    defaultTags: defaultTags.tags.terraform,
    region: place.region,
    account: place.account,
    stateRmCommands: stateRmCommands(adoptedRegistries),
    importFile: importFile(adoptedRegistries),
  };
}

/**
 * The registries' governance metadata, from their tags in the state, checked against the tfvars
 * (and the registries the tfvars declare) when given.
 */
async function stateGovernance(
  options: AdoptOptions,
  registries: readonly TerraformRegistry[],
  tagPrefix: string,
): Promise<{
  metadata: Map<string, RegistryMetadata>;
  declared?: Record<string, DeclaredRegistry>;
  problems: Problem[];
}> {
  const { metadata, problems } = metadataFromTags(registries, tagPrefix);
  if (options.tfvarsFile === undefined) {
    return { metadata, problems };
  }
  const variable = options.tfvarsVariable ?? "ecr_repositories";
  const declared = await declaredRegistries(options.tfvarsFile, variable);
  problems.push(
    ...tfvarsStateProblems(
      declared,
      { file: options.tfvarsFile, variable },
      registries,
      metadata,
      tagPrefix,
    ),
  );
  return { metadata, declared, problems };
}

/** A registry whose risk the tfvars leave to the module's default says so in its drift table. */
function tfvarsNotes(declared: DeclaredRegistry | undefined, tfvarsFile?: string): string[] {
  return declared?.riskDefaulted === true
    ? [
        `risk "${moduleRiskDefault}" is the module variable's default: ${tfvarsFile} does not set it`,
      ]
    : [];
}

/** Each registry's app entry, its governance read from its tags in the state. */
function stateApps(
  options: AdoptOptions,
  registries: readonly TerraformRegistry[],
  metadata: ReadonlyMap<string, RegistryMetadata>,
  stack: StackApps,
  tagPrefix: string,
): { adopted: AdoptedApp<TerraformRegistry>[]; problems: Problem[] } {
  // Every registry here carries its governance tags (the others are problems already).
  const governance = new Map<string, Governance>(
    [...metadata].map(([name, tagged]) => [name, { tagged, metadata: tagged }]),
  );
  return adoptedApps(
    registries,
    governance,
    stack,
    { githubOwner: options.githubOwner, githubRepositories: options.githubRepositories ?? {} },
    tagPrefix,
    { tagsIn: "state", registriesIn: options.stateFile },
  );
}
