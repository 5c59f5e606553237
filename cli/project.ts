import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";

/** A Pulumi project on disk: what `Pulumi.yaml` says, with paths made absolute. */
export interface PulumiProject {
  readonly name: string;
  /** The directory holding `Pulumi.yaml`. */
  readonly root: string;
  /** The program's entry (directory or file). */
  readonly main: string;
  /** Where `Pulumi.<stack>.yaml` files live. */
  readonly stackConfigDir: string;
  /** Project-level config declarations (`config:` in `Pulumi.yaml`). */
  readonly config: Readonly<Record<string, unknown>>;
}

/** Bad input the user can fix: printed without a stack trace, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** Finds `Pulumi.yaml` in `start` or above it, as the Pulumi CLI does. */
export function findProject(start: string): PulumiProject {
  let dir = path.resolve(start);
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

export function readProject(file: string): PulumiProject {
  const document = YAML.parse(fs.readFileSync(file, "utf8"));
  if (typeof document?.name !== "string") {
    throw new UsageError(`${file} has no project name`);
  }
  const root = path.dirname(file);
  return {
    name: document.name,
    root,
    main: path.resolve(root, document.main ?? "."),
    stackConfigDir: path.resolve(root, document.stackConfigDir ?? "."),
    config: document.config ?? {},
  };
}

/** The stacks that have a config file. */
export function listStacks(project: PulumiProject): string[] {
  if (!fs.existsSync(project.stackConfigDir)) {
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

export function stackFilePath(project: PulumiProject, stack: string): string {
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
export function readStackConfig(project: PulumiProject, stack: string): StackConfig {
  const file = stackFilePath(project, stack);
  if (!fs.existsSync(file)) {
    const stacks = listStacks(project);
    throw new UsageError(
      `stack "${stack}" has no config file ${displayPath(project, file)}; stacks with one: ${stacks.length > 0 ? stacks.join(", ") : "none"}`,
    );
  }
  let document: any;
  try {
    document = YAML.parse(fs.readFileSync(file, "utf8")) ?? {};
  } catch (e) {
    throw new UsageError(
      `${displayPath(project, file)} is not valid YAML: ${(e as Error).message}`,
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
  if (typeof config !== "object" || Array.isArray(config)) {
    throw new UsageError(`${displayPath(project, file)}: "config" must be a map of keys to values`);
  }
  for (const [key, value] of Object.entries(config)) {
    set(qualify(project, key), value);
  }
  return { stack: stackFileName(stack), file, values, secretKeys };
}
