import { manageSigningForSignedApps } from "../workspace/platformStack";
/**
 * `add-app`: adding an app to the stack files of a project, as the platform program will read
 * it, checked before anything is written.
 */
import YAML from "yaml";
import {
  AppConfig,
  parsePlatformConfig,
  platformConfigValues,
} from "../../programs/platform/config";
import {
  addAppGitHubTrust,
  defaultGitHubTrust,
  defaultRegistryId,
  defaultRiskLevel,
} from "../../components/defaults";
import { GitHubTrust } from "../../components/githubTrust";
import { ReusableWorkflow } from "../../components/pipelineArgs";
import { riskLevels } from "../../components/riskTiers";
import { appsSetting } from "../workspace/appsSetting";
import { lineDiff } from "../core/lineDiff";
import { editFilesLocked } from "../workspace/fileWrites";
import {
  displayPath,
  PulumiProject,
  stackFileName,
  stackFilePath,
  stackNameProblem,
} from "../workspace/project";
import { formatProblems, Problem } from "../../components/problems";
import { InvalidArgumentsError } from "../../components/invalidArguments";
import { environmentCollisionsOf, readEnvironmentClaims } from "../workspace/environmentClaims";
import { CliError, InvalidInputError, UsageError } from "../core/errors";
import { ask, Terminal } from "../core/prompt";
import { sameData, StackFileEditor } from "../workspace/stackFile";

/** What `add-app` is asked to add. */
export interface AddAppRequest {
  /** The ECR repository name, which is the app's key. */
  readonly app: string;
  /** @default REGISTRY_<APP>, the app name upper-cased with `_` for anything else */
  readonly id?: string;
  readonly owner: string;
  /** @default the governance default risk, {@link defaultRiskLevel} ("medium") */
  readonly risk?: string;
  readonly description?: string;
  /** `owner/name`. */
  readonly repository: string;
  /** @default the pipeline's default (main, or none with environments) */
  readonly branches?: readonly string[];
  readonly tags?: readonly string[];
  readonly environments?: readonly string[];
  /**
   * What the trust policy pins the repository by, `name` or `id`.
   * @default {@link addAppGitHubTrust} ("id"): new apps are trusted by GitHub's ids
   */
  readonly trust?: string;
  /**
   * Reusable workflows that alone may assume the push role, each
   * `<owner>/<name>/.github/workflows/<file>.yml@<ref>` (see {@link workflowOption}).
   * @default none (any workflow of the trusted runs)
   */
  readonly workflows?: readonly string[];
  /** The push role's permissions boundary, a managed policy's ARN. @default none */
  readonly permissionsBoundary?: string;
  /** The push role's longest session, in seconds. @default the pipeline's (3600) */
  readonly maxSessionDuration?: number;
  /** The push role's IAM path. @default the pipeline's ("/") */
  readonly rolePath?: string;
  readonly stacks: readonly string[];
  /** Replace an entry of the same app with other settings. */
  readonly force?: boolean;
}

export type AddAppStatus = "added" | "unchanged" | "replaced";

export interface AddAppOutcome {
  readonly stack: string;
  readonly file: string;
  readonly status: AddAppStatus;
  readonly entry: AppConfig;
  readonly editor: StackFileEditor;
  /** What else the stack file gains for the app (the registry's signing), in words. */
  readonly note?: string;
}

/** How `--workflow` is written. */
export const workflowOptionForm = "<owner>/<name>/.github/workflows/<file>.yml@<ref>";

/**
 * A `--workflow` value as the reusable workflow it names: the repository is its first two path
 * parts, the path the rest up to the first `@` (which workflow paths never hold), the ref what
 * follows. Each part is then checked as `github.workflows` is.
 */
export function workflowOption(text: string): ReusableWorkflow {
  const match = /^([^/@]+\/[^/@]+)\/([^@]+)@(.+)$/.exec(text.trim());
  if (!match) {
    throw new UsageError(
      `--workflow is ${JSON.stringify(text)}; must be ${workflowOptionForm}, e.g. acme/platform-workflows/.github/workflows/build-push.yml@refs/heads/main`,
    );
  }
  return { repository: match[1], path: match[2], ref: match[3] };
}

/** The app entry the request describes: only what was asked for, defaults left implicit. */
export function appEntry(request: AddAppRequest): AppConfig {
  const listed = (values: readonly string[] | undefined) =>
    values !== undefined && values.length > 0 ? [...values] : undefined;
  const branches = listed(request.branches);
  const tags = listed(request.tags);
  const environments = listed(request.environments);
  const role = {
    ...(request.permissionsBoundary !== undefined && {
      permissionsBoundary: request.permissionsBoundary,
    }),
    ...(request.maxSessionDuration !== undefined && {
      maxSessionDuration: request.maxSessionDuration,
    }),
    ...(request.rolePath !== undefined && { path: request.rolePath }),
  };
  return {
    metadata: {
      id: request.id ?? defaultRegistryId(request.app),
      owner: request.owner,
      risk: (request.risk ?? defaultRiskLevel) as AppConfig["metadata"]["risk"],
      ...(request.description === undefined ? {} : { description: request.description }),
    },
    github: {
      repository: request.repository,
      ...(branches && { branches }),
      ...(tags && { tags }),
      ...(environments && { environments }),
      // A new app is trusted by id unless asked otherwise; "name" is the pipeline's default.
      ...((request.trust ?? addAppGitHubTrust) !== defaultGitHubTrust && {
        trust: (request.trust ?? addAppGitHubTrust) as GitHubTrust,
      }),
      ...(request.workflows !== undefined && {
        workflows: request.workflows.map(workflowOption),
      }),
    },
    ...(Object.keys(role).length > 0 && { role }),
  };
}

/**
 * Adds an app to the config of each stack, as the platform program will read it: every stack is
 * checked with the program's own validation (the component's, and the stack's cross-app rules)
 * before any file is touched, and the edited file is read back as the program reads it, every
 * app that was there still there. The apps may be kept in any form the program accepts (a YAML
 * map or JSON text of one, under the namespaced or the bare key); the entry is added in that
 * form. An identical entry is left alone; a different one is refused with the difference,
 * unless `force`. A stack named twice (`dev`, `acme/dev`) is edited once. Nothing is written
 * here.
 */
export function planAddApp(project: PulumiProject, request: AddAppRequest): AddAppOutcome[] {
  if (request.stacks.length === 0) {
    throw new UsageError(
      "add-app needs --stack: name the stack(s) to add the app to, e.g. --stack dev",
    );
  }
  const entry = appEntry(request);
  const files = new Set<string>();
  const outcomes: AddAppOutcome[] = [];
  for (const stack of request.stacks) {
    const path = stackFilePath(project, stack);
    if (files.has(path)) {
      continue;
    }
    files.add(path);
    const file = displayPath(project, path);
    const editor = StackFileEditor.load(path, file);
    const source = { project: project.name, stack: stackFileName(stack), file };
    const { key, apps } = appsSetting(project, editor, source.stack);
    const existing = apps[request.app];
    const note = manageSigningForSignedApps(editor, project.name, file, {
      ...apps,
      [request.app]: entry,
    });
    const raw = platformConfigValues(project.name, editor.config());
    blamingOptions(project.name, request.app, () =>
      parsePlatformConfig(source, { ...raw, apps: { ...apps, [request.app]: entry } }),
    );
    if (existing !== undefined && sameData(existing, entry)) {
      outcomes.push({ stack, file, status: "unchanged", entry, editor });
      continue;
    }
    if (existing !== undefined && !request.force) {
      throw new UsageError(
        [
          `${request.app} is already in ${file} with other settings (- there now, + asked for):`,
          lineDiff(YAML.stringify(existing), YAML.stringify(entry)),
          "Pass --force to replace it.",
        ].join("\n"),
      );
    }
    editor.setEntry(key, request.app, entry);
    const written = parsePlatformConfig(
      source,
      platformConfigValues(project.name, editor.config()),
    );
    const lost = [...Object.keys(apps), request.app].filter((name) => !(name in written.apps));
    if (lost.length > 0) {
      throw new CliError(
        `adding ${request.app} to ${file} would lose ${lost.join(", ")}; nothing was written`,
      );
    }
    outcomes.push({
      stack,
      file,
      status: existing === undefined ? "added" : "replaced",
      entry,
      editor,
      ...(note !== undefined && { note }),
    });
  }
  refuseEnvironmentCollisions(project, request.app, outcomes);
  return outcomes;
}

/** The option of add-app each field of the entry comes from. */
const entryOptions: readonly (readonly [RegExp, string])[] = [
  [/^metadata\.id$/, "--id"],
  [/^metadata\.owner$/, "--owner"],
  [/^metadata\.risk$/, "--risk"],
  [/^metadata\.description$/, "--description"],
  [/^github\.repository$/, "--github-repository"],
  [/^github\.branches(\[\d+\])?$/, "--branches"],
  [/^github\.tags(\[\d+\])?$/, "--tags"],
  [/^github\.environments(\[\d+\])?$/, "--environments"],
  [/^github\.trust$/, "--trust"],
  [/^github\.workflows(\[\d+\](\.\w+)?)?$/, "--workflow"],
  [/^role\.permissionsBoundary$/, "--permissions-boundary"],
  [/^role\.maxSessionDuration$/, "--max-session-duration"],
  [/^role\.path$/, "--role-path"],
];

/**
 * Runs `check` (the stack's validation with the new entry in it) and blames what it refuses in
 * the entry on the option that gave it (`--risk is "HIGH"; must be one of ...`), not on the
 * stack file, which holds none of it yet; problems of the file itself stay the file's.
 */
function blamingOptions(project: string, app: string, check: () => unknown): void {
  try {
    check();
  } catch (e) {
    if (!(e instanceof InvalidArgumentsError)) {
      throw e;
    }
    const prefix = `${project}:apps.${app}`;
    const ofOptions: Problem[] = [];
    const ofFile: Problem[] = [];
    for (const p of e.problems) {
      const rest = p.field.startsWith(`${prefix}.`) ? p.field.slice(prefix.length + 1) : undefined;
      const option =
        p.field === prefix
          ? "<app>"
          : entryOptions.find(([pattern]) => rest !== undefined && pattern.test(rest))?.[1];
      if (option === undefined) {
        ofFile.push(p);
      } else {
        ofOptions.push({ field: option, message: p.message.replace(p.field, option) });
      }
    }
    if (ofOptions.length === 0) {
      throw e;
    }
    throw new UsageError(
      [
        formatProblems("add-app", ofOptions),
        ...(ofFile.length > 0 ? [formatProblems(e.subject, ofFile)] : []),
      ].join("\n"),
    );
  }
}

/**
 * Refuses an app whose GitHub environment another stack of the project declares for the same
 * repository (GitHub compares names without case): the two stacks' roles would trust each
 * other's deployments. Read from every stack file, with the edited ones as they would be
 * written.
 */
function refuseEnvironmentCollisions(
  project: PulumiProject,
  app: string,
  outcomes: readonly AddAppOutcome[],
): void {
  const claims = readEnvironmentClaims(
    project,
    outcomes.map((o) => ({ stack: o.stack, content: o.editor.content() })),
  );
  const edited = new Set(outcomes.map((o) => o.file));
  const collisions = environmentCollisionsOf(claims.claims).filter((c) =>
    c.claims.some((claim) => claim.app === app && edited.has(claim.file)),
  );
  if (collisions.length > 0) {
    throw new InvalidInputError(`the project's stack files, with ${app} added`, collisions);
  }
}

/**
 * Adds the app as {@link planAddApp} says, and writes every stack file it changes, or none
 * (`dryRun`: writes nothing, and takes no lock). Each stack file is locked while it is read,
 * checked and written, so that add-app runs on one stack at once each keep the others' apps;
 * and each is written only if it still holds what was read (an editor ignores the locks).
 */
export async function applyAddApp(
  project: PulumiProject,
  request: AddAppRequest,
  options: { readonly dryRun: boolean },
): Promise<AddAppOutcome[]> {
  if (options.dryRun) {
    return planAddApp(project, request);
  }
  // A stack that is not one is left to planAddApp, to be refused in its turn.
  const files = request.stacks
    .filter((stack) => stackNameProblem(project, stack, "--stack") === undefined)
    .map((stack) => stackFilePath(project, stack))
    .map((file) => ({ path: file, display: displayPath(project, file) }));
  return editFilesLocked(files, () => {
    const outcomes = planAddApp(project, request);
    const writes = outcomes
      .filter((o) => o.status !== "unchanged")
      .map((o) => ({
        path: o.editor.file,
        content: o.editor.content(),
        display: o.file,
        expected: o.editor.original,
      }));
    return { writes, result: outcomes };
  });
}

/** Fills in missing required settings by asking, on a terminal only. */
export async function completeRequest(
  given: Partial<AddAppRequest>,
  terminal: Terminal,
): Promise<AddAppRequest> {
  const missing = (["owner", "repository"] as const).filter((key) => given[key] === undefined);
  if (given.app === undefined || missing.length > 0) {
    if (!terminal.interactive) {
      const flags = [
        ...(given.app === undefined ? ["<app>"] : []),
        ...missing.map((m) => (m === "owner" ? "--owner" : "--github-repository")),
      ];
      throw new UsageError(
        `add-app needs ${flags.join(" and ")} (or run it in a terminal to be asked)`,
      );
    }
    const answers = await ask(terminal, [
      ...(given.app === undefined
        ? [{ key: "app", question: "ECR repository name (the app)" }]
        : []),
      ...(given.owner === undefined ? [{ key: "owner", question: "Owning team" }] : []),
      ...(given.repository === undefined
        ? [{ key: "repository", question: "GitHub repository (owner/name)" }]
        : []),
      ...(given.risk === undefined
        ? [
            {
              key: "risk",
              question: `Risk (${riskLevels.join(", ")})`,
              default: defaultRiskLevel,
            },
          ]
        : []),
    ]);
    return { ...given, ...answers } as AddAppRequest;
  }
  return given as AddAppRequest;
}
