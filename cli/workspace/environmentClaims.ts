/**
 * Which stack of a project declares which GitHub deployment environment of which repository,
 * read from every stack file, and the environments two stacks both declare.
 *
 * A pipeline trusts the jobs that run in its environments. Two stacks declaring one environment
 * of one repository would each create it and each trust its jobs, so one stack's push role would
 * trust the other stack's deployments. A pipeline sees only its own stack, so this is checked
 * here, across the project's stack files. GitHub compares environment names without case
 * ("Environment names are not case sensitive", docs.github.com, "Managing environments for
 * deployment"), and owner and repository names too, so both are compared so.
 *
 * Only reads: nothing is written, and a stack's content about to be written (by `add-app`) can be
 * given instead of its file.
 */
import { UsageError } from "../core/errors";
import { isPlainObject, Problem, problem } from "../../components/problems";
import { platformConfigValues } from "../../programs/platform/config";
import {
  displayPath,
  duplicateKeyProblem,
  listStacks,
  parseYaml,
  PulumiProject,
  readUserFile,
  stackFileName,
  stackFilePath,
} from "./project";

/** A stack's content as it is about to be written, read instead of its file. */
export interface StackFileOverride {
  /** The stack, as `--stack` names it (`dev`, `acme/dev`). It need not have a file yet. */
  readonly stack: string;
  /** The whole stack file's text, e.g. `StackFileEditor.content()`. */
  readonly content: string;
}

/** One environment one app of one stack declares. */
export interface EnvironmentClaim {
  /** The stack, as its file is named (`dev`). */
  readonly stack: string;
  /** Its stack file, relative to the project root (`programs/platform/Pulumi.dev.yaml`). */
  readonly file: string;
  /** The app: its ECR repository name, the key of its entry. */
  readonly app: string;
  /** The GitHub repository, `owner/name`, as the entry spells it. */
  readonly repository: string;
  /** The environment's name, as the entry spells it. */
  readonly environment: string;
  /** Where the entry declares it: `<project>:apps.<app>.github.environments[<i>]`. */
  readonly field: string;
}

/** What the stack files declare, and the files that could not be read. */
export interface EnvironmentClaims {
  /** Every claim, by stack (in name order), then in the order of each file. */
  readonly claims: readonly EnvironmentClaim[];
  /**
   * A problem per stack file that could not be read (not valid YAML, not a map, apps that are
   * not a map or are encrypted): its environments are unknown, so a collision with them cannot
   * be ruled out.
   */
  readonly unreadable: readonly Problem[];
}

/** One environment of one repository that apps of two or more stacks declare. */
export interface EnvironmentCollision extends Problem {
  /** The repository, as the first claim spells it. */
  readonly repository: string;
  /** The environment, as the first claim spells it. */
  readonly environment: string;
  /** Every claim on it, by stack: at least two stacks. */
  readonly claims: readonly EnvironmentClaim[];
}

/**
 * Every problem with the GitHub environments the project's stacks declare: the stack files
 * that could not be read, then each environment of a repository that two or more stacks declare
 * (see {@link environmentCollisionsOf}). `overrides` replace stack files by what is about to be
 * written to them. Reads the stack files and nothing else; throws only a `UsageError` for an
 * override naming no stack of the project.
 */
export function environmentCollisions(
  project: PulumiProject,
  overrides: readonly StackFileOverride[] = [],
): Problem[] {
  const { claims, unreadable } = readEnvironmentClaims(project, overrides);
  return [...unreadable, ...environmentCollisionsOf(claims)];
}

/** The environments every stack file of the project declares, with `overrides` read instead. */
export function readEnvironmentClaims(
  project: PulumiProject,
  overrides: readonly StackFileOverride[] = [],
): EnvironmentClaims {
  const given = new Map<string, string>();
  for (const override of overrides) {
    // Refuses a name that is no stack of the project, as every command does.
    stackFilePath(project, override.stack, "override.stack");
    given.set(stackFileName(override.stack), override.content);
  }
  const stacks = [...new Set([...listStacks(project), ...given.keys()])].sort();
  const claims: EnvironmentClaim[] = [];
  const unreadable: Problem[] = [];
  for (const stack of stacks) {
    const path = stackFilePath(project, stack);
    const file = displayPath(project, path);
    const read = stackClaims(project, stack, file, () =>
      given.has(stack)
        ? given.get(stack)!
        : readUserFile("the stack file", path, "must be a readable file", file),
    );
    claims.push(...read.claims);
    unreadable.push(...read.problems);
  }
  return { claims, unreadable };
}

/**
 * The environments of a repository that apps of two or more stacks declare, one problem each,
 * naming the first claim (by stack name) as its field and every other claim: file, app, field
 * and name as spelt. Claims within one stack are the stack's own check (two apps writing one
 * environment); they collide here only beside another stack's.
 */
export function environmentCollisionsOf(
  claims: readonly EnvironmentClaim[],
): EnvironmentCollision[] {
  const byEnvironment = new Map<string, EnvironmentClaim[]>();
  for (const claim of claims) {
    // GitHub compares repository and environment names without case.
    const key = JSON.stringify([claim.repository.toLowerCase(), claim.environment.toLowerCase()]);
    byEnvironment.set(key, [...(byEnvironment.get(key) ?? []), claim]);
  }
  const collisions: EnvironmentCollision[] = [];
  for (const group of byEnvironment.values()) {
    const [first, ...rest] = group;
    const others = rest.filter((claim) => claim.stack !== first.stack);
    if (others.length === 0) {
      continue;
    }
    const declared = others
      .map(
        (claim) =>
          `${claim.file} declares it for app ${claim.app} (${claim.field} is ${JSON.stringify(claim.environment)})`,
      )
      .join(", and ");
    const field = `${first.file}: ${first.field}`;
    const found = problem(
      field,
      first.environment,
      `must be declared by one stack only, but ${declared}: GitHub compares environment names without case, so these are one environment of ${first.repository}, and each stack's push role would trust the jobs the other stack deploys there; give each stack its own environments, e.g. "staging" in the staging stack and "production" in the prod stack`,
    );
    collisions.push({
      ...found,
      repository: first.repository,
      environment: first.environment,
      claims: group,
    });
  }
  return collisions;
}

/**
 * The claims of one stack file, from its text, read as the platform program reads its config:
 * the project's config defaults (`Pulumi.yaml`), then the file's, apps under `<project>:apps` or
 * the bare `apps`, as a map or as JSON text of one. A file that cannot be read is one problem,
 * naming it. Entries the stack's own checks refuse (an app, `github` or `environments` that is
 * not a map or a list, a repository or environment that is not a string) declare nothing here.
 */
function stackClaims(
  project: PulumiProject,
  stack: string,
  file: string,
  text: () => string,
): { claims: EnvironmentClaim[]; problems: Problem[] } {
  const unknown =
    "its GitHub environments cannot be compared with the other stacks' until it is fixed";
  let config: Record<string, unknown>;
  try {
    config = stackConfig(project, file, text());
  } catch (error) {
    if (!(error instanceof UsageError)) {
      throw error;
    }
    return { claims: [], problems: [{ field: file, message: `${error.message}; ${unknown}` }] };
  }
  const appsField = `${project.name}:apps`;
  const apps = platformConfigValues(project.name, config).apps;
  if (apps === undefined || apps === null) {
    return { claims: [], problems: [] };
  }
  const encrypted = isPlainObject(apps) && Object.keys(apps).length === 1 && "secure" in apps;
  if (!isPlainObject(apps) || encrypted) {
    const found = encrypted
      ? {
          field: appsField,
          message: `${appsField} is an encrypted value; must be readable: keep apps unencrypted (their settings are not secrets)`,
        }
      : problem(
          appsField,
          apps,
          "must be a map from ECR repository name to { metadata, github, ecr?, tags? }, or JSON text of one",
        );
    return {
      claims: [],
      problems: [
        { field: `${file}: ${found.field}`, message: `${file}: ${found.message}; ${unknown}` },
      ],
    };
  }
  const claims: EnvironmentClaim[] = [];
  for (const [app, entry] of Object.entries(apps)) {
    const github = isPlainObject(entry) ? entry.github : undefined;
    if (!isPlainObject(github) || typeof github.repository !== "string") {
      continue;
    }
    const repository = github.repository;
    const environments = Array.isArray(github.environments) ? github.environments : [];
    const seen = new Set<string>();
    environments.forEach((environment, i) => {
      // One app naming one environment twice is the pipeline's own check.
      if (typeof environment === "string" && !seen.has(environment.toLowerCase())) {
        seen.add(environment.toLowerCase());
        const field = `${appsField}.${app}.github.environments[${i}]`;
        claims.push({ stack, file, app, repository, environment, field });
      }
    });
  }
  return { claims, problems: [] };
}

/**
 * The config a stack file's text gives, with the project's defaults under it, refusing (as the
 * CLI's reader of stack files does, with the same words) text that is not YAML, not a map, whose
 * config is not a map, or which sets one key bare and namespaced.
 */
function stackConfig(project: PulumiProject, file: string, text: string): Record<string, unknown> {
  const document = parseYaml(text, file).data ?? {};
  if (!isPlainObject(document)) {
    throw new UsageError(
      `${file} must be a map with a config key, e.g. config: { aws:region: eu-west-2 }`,
    );
  }
  const config = document.config ?? {};
  if (!isPlainObject(config)) {
    throw new UsageError(`${file}: "config" must be a map of keys to values`);
  }
  const duplicate = duplicateKeyProblem(project, config);
  if (duplicate !== undefined) {
    throw new UsageError(`${file}: ${duplicate}`);
  }
  const defaults: Record<string, unknown> = {};
  for (const [key, declaration] of Object.entries(project.config)) {
    const value = isPlainObject(declaration)
      ? (declaration.value ?? declaration.default)
      : declaration;
    if (value !== undefined) {
      // Project keys without a namespace are the project's, as in a stack file.
      defaults[key.includes(":") ? key : `${project.name}:${key}`] = value;
    }
  }
  const qualified = Object.fromEntries(
    Object.entries(config).map(([key, value]) => [
      key.includes(":") ? key : `${project.name}:${key}`,
      value,
    ]),
  );
  return { ...defaults, ...qualified };
}
