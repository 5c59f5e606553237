import * as fs from "fs";
import * as path from "path";
import { problem } from "../../components/problems";
import { lineDiff } from "../core/lineDiff";
import type { CommandOutput } from "../core/output";
import { CliError } from "../core/errors";
import { fileSystemReason, writeFilesAtomically } from "../workspace/fileWrites";
import { userPath } from "../workspace/project";

export type { CommandOutput };

/** How an `--output` file that exists and holds something else is treated. */
export type Overwrite = "replace" | "refuse-different";

/**
 * Why `file` cannot be an output file, or undefined: the nearest existing ancestor must be a
 * directory this process can write (missing directories are created), and the file itself must
 * not be a directory.
 */
export function outputTargetProblem(option: string, file: string): string | undefined {
  const allowed = "must be a file path where you can write";
  const resolved = path.resolve(file);
  let reason: string | undefined;
  if (fs.existsSync(resolved) && fs.statSync(resolved).isDirectory()) {
    reason = "it is a directory";
  } else {
    let dir = path.dirname(resolved);
    while (!fs.existsSync(dir)) {
      dir = path.dirname(dir);
    }
    if (!fs.statSync(dir).isDirectory()) {
      reason = `${userPath(dir)} is not a directory`;
    } else {
      try {
        fs.accessSync(dir, fs.constants.W_OK | fs.constants.X_OK);
      } catch (e) {
        reason = `${fileSystemReason(e, true)} in ${userPath(dir)}`;
      }
    }
  }
  return reason === undefined ? undefined : problem(option, file, `${allowed}: ${reason}`).message;
}

/**
 * Writes `content` to `file`, creating the directories it lacks (and removing them again if
 * the write fails). With "refuse-different", an existing file that holds something else is left
 * alone and the difference shown, so a hand-edited file is never overwritten silently; the same
 * content is not written again. Returns whether the file changed.
 */
export function writeOutputFile(
  file: string,
  content: string,
  overwrite: Overwrite,
  option = "--output",
): boolean {
  const resolved = path.resolve(file);
  if (fs.existsSync(resolved)) {
    const existing = fs.readFileSync(resolved, "utf8");
    if (existing === content) {
      return false;
    }
    if (overwrite === "refuse-different") {
      throw new CliError(
        [
          `${option} ${file} exists and holds something else (- there now, + new); nothing was written:`,
          lineDiff(existing, content),
          "Pass --force to replace it, or write elsewhere.",
        ].join("\n"),
      );
    }
  }
  const created: string[] = [];
  for (let dir = path.dirname(resolved); !fs.existsSync(dir); dir = path.dirname(dir)) {
    created.unshift(dir);
  }
  try {
    created.forEach((dir) => fs.mkdirSync(dir));
    writeFilesAtomically([{ path: resolved, content, display: userPath(file) }]);
  } catch (e) {
    for (const dir of created.reverse()) {
      fs.rmSync(dir, { recursive: false, force: true, maxRetries: 0 });
    }
    throw e;
  }
  return true;
}

/** The output of one run of a command. */
export class RunOutput implements CommandOutput {
  private readonly collected: string[] = [];

  constructor(
    readonly format: string,
    readonly quiet: boolean,
    readonly file: string | undefined,
    private readonly machine: boolean,
    readonly optionProblems: readonly string[] = [],
    private readonly stdout: NodeJS.WritableStream = process.stdout,
    private readonly stderr: NodeJS.WritableStream = process.stderr,
  ) {}

  result(text: string): void {
    if (this.file === undefined) {
      this.stdout.write(text);
    } else {
      this.collected.push(text);
    }
  }

  progress(line: string): void {
    if (!this.quiet) {
      this.stderr.write(`${line}\n`);
    }
  }

  hint(line: string): void {
    if (!this.quiet) {
      (this.machine || this.file !== undefined ? this.stderr : this.stdout).write(`${line}\n`);
    }
  }

  warn(line: string): void {
    this.stderr.write(`warning: ${line}\n`);
  }

  /** Writes the collected result to the `--output` file, when there is one. */
  finish(overwrite: Overwrite): void {
    if (this.file !== undefined) {
      const changed = writeOutputFile(this.file, this.collected.join(""), overwrite);
      this.progress(
        changed ? `Wrote ${userPath(this.file)}.` : `${userPath(this.file)} is unchanged.`,
      );
    }
  }
}
