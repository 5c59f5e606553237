import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";
import { InvalidInputError, UsageError } from "../core/errors";
import {
  Problem,
  isPlainObject,
  prefixProblems,
  problem,
  unknownKeys,
} from "../../components/problems";
import { configNamespaceProblems } from "../../components/stackConfig";

/** A Pulumi project on disk: what `Pulumi.yaml` says, with paths made absolute. */
export interface PulumiProject {
  readonly name: string;
  /** `Pulumi.yaml` itself. */
  readonly file: string;
  /** The directory holding `Pulumi.yaml`. */
  readonly root: string;
  /** The program's entry (directory or file). */
  readonly main: string;
  /** Where `Pulumi.<stack>.yaml` files live. */
  readonly stackConfigDir: string;
  /** Project-level config declarations (`config:` in `Pulumi.yaml`). */
  readonly config: Readonly<Record<string, unknown>>;
  /** The language runtime's name (`runtime` or `runtime.name`), e.g. `nodejs`. */
  readonly runtime: string;
}

/** An error the CLI reports by its message alone, without a stack trace, with its exit code. */
/** A path as messages show it: relative to the working directory when inside it. */
export function userPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative !== "" && !relative.startsWith("..") && !path.isAbsolute(relative)
    ? relative
    : file;
}

/**
 * YAML text as a document and as data, refusing, with an error naming the file, text that is
 * not valid YAML or that expands past the yaml package's `maxAliasCount` (a "billion laughs"
 * of nested aliases, which would exhaust memory). Every YAML file the CLI reads goes through
 * here.
 */
export function parseYaml(
  text: string,
  display: string,
  options: YAML.ParseOptions = {},
): { document: YAML.Document.Parsed; data: unknown } {
  const document = YAML.parseDocument(text, options);
  if (document.errors.length > 0) {
    throw new UsageError(`${display} is not valid YAML: ${document.errors[0].message}`);
  }
  try {
    return { document, data: document.toJS() };
  } catch (e) {
    throw new UsageError(`${display} is not valid YAML: ${(e as Error).message}`);
  }
}

/** Reads a file the user named, refusing with `<what> is <path>; must be ...: <why>` when it cannot. */
export function readUserFile(what: string, file: string, allowed: string, display = file): string {
  try {
    return fs.readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const reason =
      code === "ENOENT"
        ? "it does not exist"
        : code === "EISDIR"
          ? "it is a directory"
          : code === "EACCES" || code === "EPERM"
            ? "it cannot be read (permission denied)"
            : code === "ENOTDIR"
              ? "a part of its path is not a directory"
              : (e as Error).message;
    throw new UsageError(problem(what, display, `${allowed}: ${reason}`).message);
  }
}

/** Finds `Pulumi.yaml` in `start` or above it, as the Pulumi CLI does. */
export function findProject(start: string): PulumiProject {
  let dir = path.resolve(start);
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(dir);
  } catch {
    stat = undefined;
  }
  if (!stat?.isDirectory()) {
    throw new UsageError(
      problem(
        "--cwd",
        start,
        `must be a directory in a Pulumi project: ${stat ? "it is not a directory" : "it does not exist"}`,
      ).message,
    );
  }
  for (;;) {
    for (const file of ["Pulumi.yaml", "Pulumi.yml"]) {
      const candidate = path.join(dir, file);
      if (fs.existsSync(candidate)) {
        return readProject(candidate);
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new UsageError(
        `no Pulumi.yaml in ${path.resolve(start)} or above it: run this inside a Pulumi project`,
      );
    }
    dir = parent;
  }
}

// tokens.ValidateProjectName in the Pulumi CLI.
const projectNamePattern = /^[A-Za-z0-9_.-]{1,100}$/;
const configTypes = ["string", "integer", "boolean", "array", "object"];
const configDeclarationKeys = ["type", "items", "description", "secret", "default", "value"];

/** Every problem with the `Pulumi.yaml` settings the CLI reads, with the project's own schema. */
function projectProblems(document: Record<string, unknown>): Problem[] {
  // Other keys are Pulumi's business: its schema allows keys it does not know.
  const problems: Problem[] = [];
  if (typeof document.name !== "string" || !projectNamePattern.test(document.name)) {
    problems.push(
      problem(
        "name",
        document.name,
        'must be the project\'s name: 1 to 100 letters, digits, hyphens, underscores and periods, e.g. "trusted-delivery-platform"',
      ),
    );
  }
  const runtime = document.runtime;
  const runtimeName = isPlainObject(runtime) ? runtime.name : runtime;
  if (typeof runtimeName !== "string" || runtimeName === "") {
    problems.push(
      problem(
        isPlainObject(runtime) ? "runtime.name" : "runtime",
        runtimeName,
        'must name the language runtime, e.g. "nodejs" or { name: nodejs, options: { typescript: true } }',
      ),
    );
  }
  if (isPlainObject(runtime)) {
    problems.push(...unknownKeys("runtime", runtime, ["name", "options"]));
    if (
      runtime.options !== undefined &&
      runtime.options !== null &&
      !isPlainObject(runtime.options)
    ) {
      problems.push(
        problem("runtime.options", runtime.options, "must be a map of runtime options"),
      );
    }
  }
  for (const key of ["main", "stackConfigDir"] as const) {
    const value = document[key];
    if (value !== undefined && value !== null && (typeof value !== "string" || value === "")) {
      problems.push(
        problem(
          key,
          value,
          key === "main"
            ? 'must be the path of the program (a file or directory) relative to Pulumi.yaml, e.g. "programs/platform"'
            : 'must be the directory of the stack files relative to Pulumi.yaml, e.g. "programs/platform"',
        ),
      );
    }
  }
  problems.push(
    ...configProblems(
      document.config,
      typeof document.name === "string" ? document.name : undefined,
    ),
  );
  return problems;
}

/**
 * The project's `config`: a map of keys to plain values or declarations Pulumi accepts, none
 * in a namespace that looks like a slip for the project's (`<project>`, when it has a name).
 */
function configProblems(config: unknown, project: string | undefined): Problem[] {
  if (config !== undefined && config !== null && !isPlainObject(config)) {
    return [
      problem(
        "config",
        config,
        'must be a map of config keys to declarations or values, e.g. { "aws:region": eu-west-2 } (stack files\' directory goes in stackConfigDir)',
      ),
    ];
  }
  const declared = isPlainObject(config) ? config : {};
  const problems: Problem[] =
    project === undefined
      ? []
      : prefixProblems("config", configNamespaceProblems(project, Object.keys(declared)));
  for (const [key, value] of Object.entries(declared)) {
    const field = `config.${key}`;
    if (isPlainObject(value)) {
      problems.push(...unknownKeys(field, value, configDeclarationKeys));
      if (value.type !== undefined && !configTypes.includes(value.type as string)) {
        problems.push(
          problem(`${field}.type`, value.type, `must be one of ${configTypes.join(", ")}`),
        );
      }
    } else if (
      !(typeof value === "string" || typeof value === "boolean" || Array.isArray(value)) &&
      !Number.isInteger(value)
    ) {
      problems.push(
        problem(
          field,
          value,
          "must be a string, integer, boolean, list, or a declaration { type, description, default, value, secret }",
        ),
      );
    }
  }
  return problems;
}

export function readProject(file: string): PulumiProject {
  const display = userPath(file);
  const { data } = parseYaml(fs.readFileSync(file, "utf8"), display);
  const document = data ?? {};
  if (!isPlainObject(document)) {
    throw new InvalidInputError(`Pulumi project file ${display}`, [
      problem(
        "(the whole file)",
        document,
        "must be a map of project settings, e.g. name: my-project",
      ),
    ]);
  }
  const problems = projectProblems(document);
  if (problems.length > 0) {
    throw new InvalidInputError(`Pulumi project file ${display}`, problems);
  }
  const root = path.dirname(file);
  const runtime = document.runtime;
  return {
    name: document.name as string,
    file,
    root,
    main: path.resolve(root, (document.main as string | null | undefined) ?? "."),
    stackConfigDir: path.resolve(
      root,
      (document.stackConfigDir as string | null | undefined) ?? ".",
    ),
    config: (document.config as Record<string, unknown> | null | undefined) ?? {},
    runtime: (isPlainObject(runtime) ? runtime.name : runtime) as string,
  };
}

/** The stacks that have a config file. */
export function listStacks(project: PulumiProject): string[] {
  if (
    !fs.existsSync(project.stackConfigDir) ||
    !fs.statSync(project.stackConfigDir).isDirectory()
  ) {
    return [];
  }
  return fs
    .readdirSync(project.stackConfigDir)
    .map((file) => /^Pulumi\.(.+)\.ya?ml$/.exec(file)?.[1])
    .filter((stack): stack is string => stack !== undefined)
    .sort();
}

/** The stack name as its file is named: `org/project/dev` and `dev` both use `Pulumi.dev.yaml`. */
export function stackFileName(stack: string): string {
  return stack.split("/").pop()!;
}

// A stack name in the Pulumi CLI: letters, digits, -, _ and ., up to 100 of them.
const stackNamePattern = /^[A-Za-z0-9_.-]{1,100}$/;

/**
 * Why `stack` is not a stack of `project`, or undefined when it is one: a stack name, or
 * `<org>/<name>`, or `<org>/<project>/<name>` with this project's name, as the Pulumi CLI takes
 * them. `field` names where it came from (`--stack`).
 */
export function stackNameProblem(
  project: PulumiProject,
  stack: string,
  field = "--stack",
): string | undefined {
  const parts = stack.split("/");
  const allowed = `must be a stack of project ${project.name}: <stack>, <org>/<stack> or <org>/${project.name}/<stack>, each part letters, digits, hyphens, underscores and periods, e.g. "dev"`;
  if (
    parts.length > 3 ||
    !parts.every((part) => stackNamePattern.test(part) && /[^.]/.test(part))
  ) {
    return problem(field, stack, allowed).message;
  }
  if (parts.length === 3 && parts[1] !== project.name) {
    return problem(field, stack, `${allowed}; "${parts[1]}" is another project`).message;
  }
  return undefined;
}

/** The stack's config file; refuses a name that is not a stack of the project. */
export function stackFilePath(project: PulumiProject, stack: string, field = "--stack"): string {
  const issue = stackNameProblem(project, stack, field);
  if (issue !== undefined) {
    throw new UsageError(issue);
  }
  const base = path.join(project.stackConfigDir, `Pulumi.${stackFileName(stack)}`);
  return fs.existsSync(`${base}.yml`) && !fs.existsSync(`${base}.yaml`)
    ? `${base}.yml`
    : `${base}.yaml`;
}

/** A path as the user should see it: relative to the project root. */
export function displayPath(project: PulumiProject, file: string): string {
  return path.relative(project.root, file) || ".";
}

/** Stack config as the language host passes it to a program. */
export interface StackConfig {
  readonly stack: string;
  readonly file: string;
  /** `<namespace>:<key>` to its value: strings as they are, anything else as JSON. */
  readonly values: Readonly<Record<string, string>>;
  /** Keys whose values are `secure:` ciphertext, replaced by {@link secretPlaceholder}. */
  readonly secretKeys: readonly string[];
}

/** Stands in for `secure:` values, which only the Pulumi CLI can decrypt. */
export const secretPlaceholder = "[secret]";

function qualify(project: PulumiProject, key: string): string {
  return key.includes(":") ? key : `${project.name}:${key}`;
}

/**
 * A stack file's config that sets one key twice, bare (`apps`, which means the project's) and
 * namespaced (`<project>:apps`): which one counts would be a guess, so it is refused.
 */
export function duplicateKeyProblem(
  project: PulumiProject,
  config: Readonly<Record<string, unknown>>,
): string | undefined {
  const bare = Object.keys(config).find(
    (key) => !key.includes(":") && `${project.name}:${key}` in config,
  );
  return bare === undefined
    ? undefined
    : `config sets both ${bare} and ${project.name}:${bare}, which are the same key; keep one`;
}

function replaceSecure(value: unknown): { value: unknown; secret: boolean } {
  if (typeof value === "object" && value !== null) {
    if (!Array.isArray(value) && Object.keys(value).length === 1 && "secure" in value) {
      return { value: secretPlaceholder, secret: true };
    }
    let secret = false;
    const entries = Object.entries(value).map(([k, v]) => {
      const replaced = replaceSecure(v);
      secret ||= replaced.secret;
      return [k, replaced.value] as const;
    });
    return {
      value: Array.isArray(value) ? entries.map(([, v]) => v) : Object.fromEntries(entries),
      secret,
    };
  }
  return { value, secret: false };
}

/**
 * Reads a stack's config file and the project's config defaults into the form the Pulumi CLI
 * hands a program. An unknown stack is an error that lists the stacks there are.
 */
export function readStackConfig(
  project: PulumiProject,
  stack: string,
  field = "--stack",
): StackConfig {
  const file = stackFilePath(project, stack, field);
  if (!fs.existsSync(file)) {
    const stacks = listStacks(project);
    throw new UsageError(
      `stack "${stack}" has no config file ${displayPath(project, file)}; stacks with one: ${stacks.length > 0 ? stacks.join(", ") : "none"}`,
    );
  }
  const display = displayPath(project, file);
  const document = (parseYaml(
    readUserFile("stack file", file, "must be a readable stack config file"),
    display,
  ).data ?? {}) as any;
  if (!isPlainObject(document)) {
    throw new UsageError(
      `${display} must be a map with a config key, e.g. config: { aws:region: eu-west-2 }`,
    );
  }
  const values: Record<string, string> = {};
  const secretKeys: string[] = [];
  const set = (key: string, raw: unknown) => {
    const { value, secret } = replaceSecure(raw);
    values[key] = typeof value === "string" ? value : JSON.stringify(value);
    if (secret) {
      secretKeys.push(key);
    }
  };
  for (const [key, declaration] of Object.entries(project.config)) {
    const value =
      typeof declaration === "object" && declaration !== null && !Array.isArray(declaration)
        ? ((declaration as Record<string, unknown>).value ??
          (declaration as Record<string, unknown>).default)
        : declaration;
    if (value !== undefined) {
      set(qualify(project, key), value);
    }
  }
  const config = document.config ?? {};
  if (!isPlainObject(config)) {
    throw new UsageError(`${display}: "config" must be a map of keys to values`);
  }
  const duplicate = duplicateKeyProblem(project, config);
  if (duplicate !== undefined) {
    throw new UsageError(`${display}: ${duplicate}`);
  }
  refuseNamespaceSlips(project, stackFileName(stack), display, config);
  for (const [key, value] of Object.entries(config)) {
    set(qualify(project, key), value);
  }
  return { stack: stackFileName(stack), file, values, secretKeys };
}

/**
 * Refuses a stack file's config with keys in a namespace that looks like a slip for the
 * project's (`trusted-delivery-platfrom:apps`): nothing would read them, and the stack would
 * deploy as if they were not there. Every such key is named, with the key meant, as the
 * platform program names them.
 */
export function refuseNamespaceSlips(
  project: PulumiProject,
  stack: string,
  display: string,
  config: Readonly<Record<string, unknown>>,
): void {
  const slips = configNamespaceProblems(project.name, Object.keys(config));
  if (slips.length > 0) {
    throw new InvalidInputError(`Stack "${stack}" config (${display})`, slips);
  }
}
