import { randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { problem } from "../../components/problems";
import { UsageError } from "../core/errors";

/** One file a command writes: where, and its whole new content. */
export interface FileWrite {
  readonly path: string;
  readonly content: string;
  /** The path as messages show it. @default path */
  readonly display?: string;
}

/** A file the command could not write; nothing it meant to write was written. */
export class FileWriteError extends UsageError {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`cannot write ${file}: ${reason}; nothing was written`);
    this.name = "FileWriteError";
  }
}

/** What a failed file system call means, in words. */
export function fileSystemReason(error: unknown, writing: boolean): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case "ENOENT":
      return writing ? "its directory does not exist" : "it does not exist";
    case "ENOTDIR":
      return "a part of its path is not a directory";
    case "EISDIR":
      return "it is a directory";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "EROFS":
      return "the file system is read-only";
    case "ENOSPC":
      return "no space left on the device";
    default:
      return String((error as Error | undefined)?.message ?? error);
  }
}

function statOf(file: string): fs.Stats | undefined {
  try {
    return fs.statSync(file);
  } catch {
    return undefined;
  }
}

interface Staged {
  readonly target: string;
  readonly display: string;
  readonly temporary: string;
  /** The target's bytes before, to put back if a later file fails; undefined when it had none. */
  readonly original?: Buffer;
  readonly mode?: number;
}

function removeQuietly(file: string): void {
  try {
    fs.rmSync(file, { force: true });
  } catch {
    // Already gone, or never made.
  }
}

/**
 * Writes several files so that either all of them change or none does, and a reader never
 * sees half a file. Each new content goes to a temporary file beside its target first; only
 * when all are written are they renamed over their targets, one by one. If a write or a rename
 * fails, the temporary files are removed and every target already renamed gets its old
 * content back (or is removed, if it did not exist), then a {@link FileWriteError} names the
 * file and why. Existing targets keep their permissions; a symbolic link is written through.
 */
export function writeFilesAtomically(files: readonly FileWrite[]): void {
  const staged: Staged[] = [];
  const seen = new Set<string>();
  const failure = (display: string, error: unknown, writing = true) =>
    new FileWriteError(display, fileSystemReason(error, writing));
  try {
    for (const file of files) {
      const display = file.display ?? file.path;
      const resolved = path.resolve(file.path);
      const stat = statOf(resolved);
      const target = stat ? fs.realpathSync(resolved) : resolved;
      if (seen.has(target)) {
        throw new Error(`${display} is written twice in one change`);
      }
      seen.add(target);
      let original: Buffer | undefined;
      if (stat?.isFile()) {
        try {
          original = fs.readFileSync(target);
        } catch (e) {
          throw failure(display, e, false);
        }
      }
      const temporary = path.join(
        path.dirname(target),
        `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`,
      );
      try {
        fs.writeFileSync(temporary, file.content, { flag: "wx" });
      } catch (e) {
        throw failure(display, e);
      }
      const mode = stat?.isFile() ? stat.mode & 0o7777 : undefined;
      staged.push({ target, display, temporary, original, mode });
      if (mode !== undefined) {
        fs.chmodSync(temporary, mode);
      }
    }
  } catch (e) {
    staged.forEach((s) => removeQuietly(s.temporary));
    throw e;
  }
  const renamed: Staged[] = [];
  for (const s of staged) {
    try {
      fs.renameSync(s.temporary, s.target);
      renamed.push(s);
    } catch (e) {
      staged.forEach((other) => removeQuietly(other.temporary));
      const unrestored = renamed.reverse().filter((done) => !restore(done));
      const error = failure(s.display, e);
      if (unrestored.length > 0) {
        throw new FileWriteError(
          s.display,
          `${error.reason}; and ${unrestored.map((u) => u.display).join(", ")}, already written, could not be put back`,
        );
      }
      throw error;
    }
  }
}

/** Puts a renamed target's old content back; returns whether it could. */
function restore(s: Staged): boolean {
  try {
    if (s.original === undefined) {
      fs.rmSync(s.target, { force: true });
    } else {
      fs.writeFileSync(s.temporary, s.original, { flag: "wx" });
      if (s.mode !== undefined) {
        fs.chmodSync(s.temporary, s.mode);
      }
      fs.renameSync(s.temporary, s.target);
    }
    return true;
  } catch {
    removeQuietly(s.temporary);
    return false;
  }
}

/**
 * Why `file` could not be written, checked before a command computes or writes anything, or
 * undefined when it can: the directory must exist and be writable, and the file must not be a
 * directory. `option` names the setting that gave the path, e.g. `--import-file`.
 */
export function unwritableTargetProblem(option: string, file: string): string | undefined {
  const resolved = path.resolve(file);
  const directory = path.dirname(resolved);
  const allowed = "must be a file path in an existing directory you can write to";
  const directoryStat = statOf(directory);
  let reason: string | undefined;
  if (directoryStat === undefined) {
    reason = `its directory ${path.dirname(file)} does not exist`;
  } else if (!directoryStat.isDirectory()) {
    reason = `${path.dirname(file)} is not a directory`;
  } else if (statOf(resolved)?.isDirectory()) {
    reason = "it is a directory";
  } else {
    try {
      fs.accessSync(directory, fs.constants.W_OK | fs.constants.X_OK);
    } catch (e) {
      reason = `${fileSystemReason(e, true)} in ${path.dirname(file)}`;
    }
  }
  return reason === undefined ? undefined : problem(option, file, `${allowed}: ${reason}`).message;
}
