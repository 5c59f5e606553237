/**
 * Adoption of registries that exist only in the account (made in the console, or by ECR on
 * push): read from AWS, read-only, and moved into a stack through the phases adoption from
 * Terraform uses (app entries, drift, imports, the stack's binding to its region and account).
 */
import { repositoryPolicyReading } from "../appEntries";
import { defaultTagPrefix } from "../../../components/defaults";
import { repositoryNameProblem } from "../../../components/formats";
import { Problem, problem } from "../../../components/problems";
import { platformConfigValues } from "../../../programs/platform/config";
import { adoptedApps } from "../appEntries";
import { registryDrift } from "../drift";
import { importFile } from "../importFile";
import {
  AdoptedRegistry,
  AdoptionPlan,
  bindStack,
  withSigningNote,
  writeAppEntries,
} from "../adoptionPlan";
import { ExistingRegistry } from "../registry";
import { appsSetting } from "../../workspace/appsSetting";
import { AwsClients } from "../../aws/clients";
import { readCallerIdentity } from "../../aws/identity";
import {
  listRepositoryNames,
  LiveRepository,
  readRepositoriesByName,
} from "../../aws/readRegistries";
import { nothingReadError, permissionsRemedy, unreadLine } from "../../aws/access";
import { Unread } from "../../aws/unread";
import { AwsSettings, readAwsSettings, regionProblem } from "../../workspace/awsConfig";
import { CliError, InvalidInputError, UsageError } from "../../core/errors";
import { displayPath, PulumiProject, stackFileName, stackFilePath } from "../../workspace/project";
import { StackFileEditor } from "../../workspace/stackFile";
import { listed } from "../../core/text";
import { accountGovernance, GovernanceFlags } from "./governance";
import { existingRegistry } from "./liveRegistry";

export interface AccountAdoptOptions {
  readonly project: PulumiProject;
  readonly stack: string;
  /** The repositories to adopt, by name; none lists the candidates and adopts nothing. */
  readonly registries: readonly string[];
  /** The region, where the stack has no `aws:region` (and must agree with it where it has). */
  readonly region?: string;
  /** Owner of the app repositories of registries new to the stack: `<owner>/<registry name>`. */
  readonly githubOwner?: string;
  /** App repository per registry name, where it is not `<githubOwner>/<name>`. */
  readonly githubRepositories?: Readonly<Record<string, string>>;
  /** Metadata per registry where its tags lack it. */
  readonly metadata?: Partial<GovernanceFlags>;
  /** @default "goldenpath.idp/" */
  readonly tagPrefix?: string;
  /** Read-only clients (`awsClients()`), with the SDK's credential chain. */
  readonly clients: AwsClients;
}

/** The read-only ECR client of the adoption's region. */
type EcrClient = ReturnType<AwsClients["ecr"]>;

/**
 * `subject: each unread part, and what to do`, as one error: exit 1 when some of what adoption
 * compares was read, exit 3 when none of it was (`cli/aws/access.ts`).
 */
function unreadError(
  where: string,
  unread: readonly (readonly [string, Unread])[],
  nothingElseRead: boolean,
): CliError {
  if (nothingElseRead) {
    return nothingReadError(`could not read what adoption compares from ${where}`, unread);
  }
  return new CliError(
    [
      `could not read what adoption compares from ${where}; nothing was written:`,
      ...unread.map(([subject, u]) => `  - ${unreadLine(u, subject)}`),
      permissionsRemedy,
    ].join("\n"),
  );
}

/**
 * Works out how registries that exist only in the account move into a stack. The input first,
 * before AWS is asked anything: the stack's AWS settings, the region (the stack's `aws:region`,
 * or `--region` where it has none), the names. Then the caller's account (it must be one the
 * stack allows), each named repository as it is live (a missing one, or one whose tags or
 * lifecycle policy could not be read, is refused), its governance from its tags or the flags,
 * its app entry (checked and resolved as the program will), and what `pulumi up` would change.
 * Nothing is written here, and nothing is written to AWS ever.
 */
export async function planAccountAdoption(options: AccountAdoptOptions): Promise<AdoptionPlan> {
  const { project, stack } = options;
  const tagPrefix = options.tagPrefix ?? defaultTagPrefix;
  const file = stackFilePath(project, stack);
  const stackFile = displayPath(project, file);
  const subject = `Adopting from AWS into stack "${stackFileName(stack)}" (${stackFile})`;

  const editor = StackFileEditor.load(file, stackFile);
  const config = editor.config();
  const { key: appsKey, apps: existingApps } = appsSetting(project, editor, stackFileName(stack));
  const raw = platformConfigValues(project.name, config);
  const environment = typeof raw.environment === "string" ? raw.environment : stackFileName(stack);
  const aws = readAwsSettings(config);
  const { region, problems } = adoptionInput(options, aws, stackFile);
  if (problems.length > 0 || region === undefined) {
    throw new InvalidInputError(subject, problems);
  }

  const account = await callerAccount(options.clients, region, aws.settings, subject);
  const where = `account ${account} in ${region}`;
  const ecr = options.clients.ecr(region);
  const names = [...new Set(options.registries)];
  if (names.length === 0) {
    throw await registriesNeeded(ecr, region, where, existingApps, stackFileName(stack));
  }
  const live = await liveRegistries(ecr, region, names, where, aws.settings.defaultTags);
  problems.push(...live.problems);

  const metadata: GovernanceFlags = {
    id: options.metadata?.id ?? {},
    owner: options.metadata?.owner ?? {},
    risk: options.metadata?.risk ?? {},
  };
  const governed = accountGovernance(
    live.registries,
    metadata,
    { apps: existingApps, key: appsKey, file: stackFile },
    tagPrefix,
  );
  problems.push(...governed.problems);
  const apps = adoptedApps(
    live.registries,
    governed.governance,
    { key: appsKey, apps: existingApps, file: stackFile, environment },
    { githubOwner: options.githubOwner, githubRepositories: options.githubRepositories ?? {} },
    tagPrefix,
    { tagsIn: "AWS", registriesIn: "the --registry list" },
  );
  problems.push(...apps.problems);
  if (problems.length > 0) {
    throw new InvalidInputError(subject, problems);
  }

  const adopted = apps.adopted.map(({ registry, app }): AdoptedRegistry => ({
    registry,
    app,
    drift: registryDrift(registry, app.settings, aws.settings.defaultTags),
    notes: [...(governed.notes.get(registry.name) ?? []), ...(live.notes.get(registry.name) ?? [])],
  }));
  bindStack(editor, aws.settings, { region, account });
  const signingNote = writeAppEntries(
    editor,
    project,
    { name: stackFileName(stack), file: stackFile },
    { key: appsKey, existing: existingApps },
    adopted,
  );
  return {
    stackFile,
    editor,
    registries: withSigningNote(adopted, signingNote),
    region,
    account,
    importFile: importFile(adopted.map((a) => a.registry)),
  };
}

/**
 * The input, checked before AWS is asked anything: the stack's AWS settings, the region (the
 * stack's `aws:region`, or `--region` where it has none, never another) and the names.
 */
function adoptionInput(
  options: AccountAdoptOptions,
  aws: ReturnType<typeof readAwsSettings>,
  stackFile: string,
): { region?: string; problems: Problem[] } {
  const problems: Problem[] = [...aws.problems];
  let region = aws.settings.region;
  const badRegion =
    options.region === undefined ? undefined : regionProblem("--region", options.region);
  if (badRegion !== undefined) {
    problems.push(badRegion);
  } else if (region !== undefined && options.region !== undefined && options.region !== region) {
    problems.push(
      problem(
        "--region",
        options.region,
        `must be the stack's aws:region, "${region}", or be left out: a stack is one region; adopt the registries of ${options.region} into a stack for ${options.region}`,
      ),
    );
  }
  region ??= options.region;
  if (region === undefined && !aws.problems.some((p) => p.field === "aws:region")) {
    problems.push(
      problem(
        "aws:region",
        undefined,
        `must be the region of the registries to adopt: set it in ${stackFile}, or pass --region <region>`,
      ),
    );
  }
  for (const name of options.registries) {
    const bad = repositoryNameProblem("--registry", name);
    if (bad !== undefined) {
      problems.push(bad);
    }
  }
  return { region, problems };
}

/** The credentials' account, read before anything else there: it must be one the stack allows. */
async function callerAccount(
  clients: AwsClients,
  region: string,
  aws: AwsSettings,
  subject: string,
): Promise<string> {
  const caller = await readCallerIdentity(clients.sts(region));
  const account = caller.account;
  if (aws.allowedAccountIds !== undefined && !aws.allowedAccountIds.includes(account)) {
    throw new InvalidInputError(subject, [
      problem(
        "aws:allowedAccountIds",
        aws.allowedAccountIds,
        `must include the account the credentials are for, "${account}" (${caller.arn}): this stack deploys to another account; adopt its registries with that account's credentials`,
      ),
    ]);
  }
  return account;
}

/** Without --registry, the error to throw: the account's repositories no app of the stack names. */
async function registriesNeeded(
  ecr: EcrClient,
  region: string,
  where: string,
  existingApps: Readonly<Record<string, unknown>>,
  stack: string,
): Promise<CliError> {
  const listedNames = await listRepositoryNames(ecr, region);
  if (listedNames instanceof Unread) {
    return unreadError(where, [["the repositories", listedNames]], true);
  }
  const candidates = listedNames.filter((name) => !(name in existingApps)).sort();
  return new UsageError(
    `adopt-aws needs --registry <name> for each registry to adopt (repeatable); ${
      candidates.length === 0
        ? `every repository of ${where} is an app of stack "${stack}" already`
        : `the repositories of ${where} that no app of stack "${stack}" names: ${listed(candidates)}`
    }`,
  );
}

/**
 * Each named repository as it is live, with notes on its repository policy; a missing one is a
 * problem, and any part that could not be read fails the adoption (never taken as absent).
 */
async function liveRegistries(
  ecr: EcrClient,
  region: string,
  names: readonly string[],
  where: string,
  defaultTags: AwsSettings["defaultTags"],
): Promise<{
  registries: ExistingRegistry[];
  notes: Map<string, string[]>;
  problems: Problem[];
}> {
  const live = await readRepositoriesByName(ecr, region, names);
  const registries: ExistingRegistry[] = [];
  const unread: [string, Unread][] = [];
  const notes = new Map<string, string[]>();
  const problems: Problem[] = [];
  for (const name of names) {
    const repository = live.get(name);
    if (repository instanceof Unread) {
      unread.push([name, repository]);
    } else if (repository === undefined) {
      problems.push(
        problem("--registry", name, `must name an ECR repository of ${where}; there is none`),
      );
    } else {
      const found = existingRegistry(repository, region, defaultTags);
      if ("unread" in found) {
        unread.push(...found.unread.map((u): [string, Unread] => [name, u]));
        continue;
      }
      registries.push(found.registry);
      notes.set(name, repositoryPolicyNotes(repository.repositoryPolicy, found.registry));
    }
  }
  if (unread.length > 0) {
    // None read when every repository named failed to be read at all (DescribeRepositories).
    throw unreadError(
      where,
      unread,
      names.every((name) => live.get(name) instanceof Unread),
    );
  }
  return { registries, notes, problems };
}

/**
 * What adoption says of a repository's policy: adopted as `ecr.pull` when it is one the pipeline
 * writes, else left unmanaged, naming the statement `ecr.pull` cannot express.
 */
function repositoryPolicyNotes(
  policy: LiveRepository["repositoryPolicy"],
  registry: ExistingRegistry,
): string[] {
  if (policy instanceof Unread) {
    return [
      `its repository policy could not be read (${policy.action}: ${policy.reason}); the pipeline leaves it unmanaged`,
    ];
  }
  const read = repositoryPolicyReading(registry);
  if (read === undefined) {
    return [];
  }
  return "pull" in read
    ? ["its repository policy is adopted as ecr.pull, unchanged"]
    : [
        `it keeps its repository policy, which ecr.pull cannot express (${read.statement}: ${read.reason}): the pipeline leaves it unmanaged, and trusted-delivery audit judges it`,
      ];
}
