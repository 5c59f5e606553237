/**
 * The two versions of a stack `trust-diff` compares: the stack file (and `Pulumi.yaml`) at a git
 * ref, the working tree's, or a stack file named on the command line. Each is read into the
 * config the offline plan runs the working tree's program with.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { problem } from "../../components/problems";
import { CliError, UsageError } from "../core/errors";
import {
  displayPath,
  PulumiProject,
  readProject,
  readStackConfig,
  readUserFile,
  StackConfig,
  stackFileName,
  stackFilePath,
  stackNameProblem,
  userPath,
} from "../workspace/project";

/** One version of a stack, ready to run. */
export interface StackVersion {
  /** What the version is, for people: `origin/main`, `the working tree`, a file. */
  readonly label: string;
  /** The project to run: the working tree's program, with this version's project settings. */
  readonly project: PulumiProject;
  readonly stack: string;
  readonly config: StackConfig;
  /** The stack file, as messages name it. */
  readonly display: string;
}

/** The working tree's version of the stack. */
export function workingTreeVersion(project: PulumiProject, stack: string): StackVersion {
  const config = readStackConfig(project, stack);
  return {
    label: "the working tree",
    project,
    stack,
    config,
    display: displayPath(project, config.file),
  };
}

/** `fn` in a scratch directory, removed after. */
function inScratch<T>(fn: (dir: string) => T): T {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "td-trust-diff-"));
  try {
    return fn(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** A failure of reading a scratch copy, said of the file it copies. */
function renamed(e: unknown, scratch: string, display: string): unknown {
  if (!(e instanceof CliError)) {
    return e;
  }
  return new CliError(e.message.split(scratch).join(display), e.exitCode);
}

/** Runs git (no shell) in `cwd`; its output, or undefined when it fails. */
function git(cwd: string, args: readonly string[]): string | undefined {
  try {
    return execFileSync("git", args, {
      cwd,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") {
      throw new UsageError("--base needs git, which is not installed (or not on PATH)");
    }
    return undefined;
  }
}

/** A file's text at `ref`, by its path from the repository's top; undefined when not there. */
function showAt(top: string, ref: string, file: string): string | undefined {
  return git(top, ["show", `${ref}:${file}`]);
}

const posix = (p: string) => p.split(path.sep).join("/");

/**
 * The stack at the git `ref`: its stack file and `Pulumi.yaml` as committed there (read with
 * `git show`), with the working tree's program. A ref git does not know, or a file not at it,
 * is refused by name.
 */
export function versionAtRef(project: PulumiProject, stack: string, ref: string): StackVersion {
  if (ref.trim() === "" || ref.startsWith("-") || /[\s:]/.test(ref)) {
    throw new UsageError(
      problem("--base", ref, "must be a git ref: a branch, tag or commit, e.g. origin/main")
        .message,
    );
  }
  const top = git(project.root, ["rev-parse", "--show-toplevel"])?.trim();
  if (top === undefined) {
    throw new UsageError(
      `--base needs the project in a git repository; ${userPath(project.root)} is in none`,
    );
  }
  if (git(top, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]) === undefined) {
    throw new UsageError(
      problem(
        "--base",
        ref,
        `must be a git ref of ${userPath(top)}: a branch, tag or commit, e.g. origin/main; git knows no commit of that name (fetch it first?)`,
      ).message,
    );
  }
  const projectFile = posix(path.relative(fs.realpathSync(top), fs.realpathSync(project.file)));
  const projectText = showAt(top, ref, projectFile);
  if (projectText === undefined) {
    throw new UsageError(`${projectFile} is not at ${ref}: the project did not exist there`);
  }
  return inScratch((dir) => {
    const scratchProject = path.join(dir, path.basename(project.file));
    fs.writeFileSync(scratchProject, projectText);
    let atRef: PulumiProject;
    try {
      atRef = readProject(scratchProject);
    } catch (e) {
      throw renamed(e, userPath(scratchProject), `${projectFile} at ${ref}`);
    }
    const stacksDir = posix(
      path.join(path.dirname(projectFile), displayPath(atRef, atRef.stackConfigDir)),
    );
    const candidates = [".yaml", ".yml"].map((ext) =>
      posix(path.join(stacksDir, `Pulumi.${stackFileName(stack)}${ext}`)),
    );
    const found = candidates
      .map((file) => ({ file, text: showAt(top, ref, file) }))
      .find((c) => c.text !== undefined);
    if (found === undefined) {
      throw new UsageError(
        `stack "${stack}" has no stack file at ${ref}: ${candidates[0]} is not there (a stack added since shows as every app added: compare with --before and --after)`,
      );
    }
    const scratchStack = stackFilePath(atRef, stack);
    fs.mkdirSync(path.dirname(scratchStack), { recursive: true });
    fs.writeFileSync(scratchStack, found.text!);
    const display = `${found.file} at ${ref}`;
    let config: StackConfig;
    try {
      config = readStackConfig(atRef, stack);
    } catch (e) {
      throw renamed(e, displayPath(atRef, scratchStack), display);
    }
    return {
      label: ref,
      project: { ...atRef, file: project.file, root: project.root, main: project.main },
      stack,
      config,
      display,
    };
  });
}

/** The stack a stack file is of, by its name (`Pulumi.<stack>.yaml`). */
export function stackOfFile(file: string): string | undefined {
  return /^Pulumi\.(.+)\.ya?ml$/.exec(path.basename(file))?.[1];
}

/** A stack file named on the command line (`field`: `--before`, `--after`), as a version of `stack`. */
export function versionOfFile(
  project: PulumiProject,
  stack: string,
  field: string,
  file: string,
): StackVersion {
  const issue = stackNameProblem(project, stack, "-s/--stack");
  if (issue !== undefined) {
    throw new UsageError(issue);
  }
  const text = readUserFile(field, file, "must be a readable stack file");
  return inScratch((dir) => {
    const scratch = { ...project, stackConfigDir: dir };
    const scratchFile = stackFilePath(scratch, stack);
    fs.writeFileSync(scratchFile, text);
    const display = userPath(file);
    try {
      return {
        label: display,
        project,
        stack,
        config: readStackConfig(scratch, stack),
        display,
      };
    } catch (e) {
      throw renamed(e, displayPath(scratch, scratchFile), display);
    }
  });
}
