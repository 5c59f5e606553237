import { randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { problem } from "../../components/problems";
import { CliError, UsageError } from "../core/errors";
import { FileToLock, lockFiles, LockOptions } from "./fileLock";

/** One file a command writes: where, and its whole new content. */
export interface FileWrite {
  readonly path: string;
  readonly content: string;
  /** The path as messages show it. @default path */
  readonly display?: string;
  /**
   * What the command read from the file and edited: checked right before the file is replaced,
   * so that a change made meanwhile is never overwritten. `null`: the file must not exist.
   * @default not checked: the file is replaced whatever it holds
   */
  readonly expected?: string | null;
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

/**
 * A file changed between the command reading it and replacing it (another command that took no
 * lock, or an editor); nothing was written. Exit 1: running the command again reads the change.
 */
export class ChangedWhileEditingError extends CliError {
  constructor(readonly file: string) {
    super(
      `${file} changed while trusted-delivery was editing it (another command or an editor); nothing was written: run the command again`,
    );
    this.name = "ChangedWhileEditingError";
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
  readonly expected?: string | null;
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
 * A file given its `expected` content is read again once every file is staged, right before
 * the first rename: if any no longer holds what the command read, the staged files are removed
 * and a {@link ChangedWhileEditingError} names it. (A change in the microseconds between that
 * check and the rename is still possible for an editor; other trusted-delivery commands are kept
 * out of it by the locks of {@link editFilesLocked}.)
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
      staged.push({ target, display, temporary, original, mode, expected: file.expected });
      if (mode !== undefined) {
        fs.chmodSync(temporary, mode);
      }
    }
  } catch (e) {
    staged.forEach((s) => removeQuietly(s.temporary));
    throw e;
  }
  const changed = staged.find((s) => !holdsExpected(s));
  if (changed !== undefined) {
    staged.forEach((s) => removeQuietly(s.temporary));
    throw new ChangedWhileEditingError(changed.display);
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

/** Whether a staged target still holds what its command read (always, when it read nothing). */
function holdsExpected(s: Staged): boolean {
  if (s.expected === undefined) {
    return true;
  }
  if (s.expected === null) {
    try {
      fs.lstatSync(s.target);
      return false;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === "ENOENT";
    }
  }
  try {
    return fs.readFileSync(s.target, "utf8") === s.expected;
  } catch {
    return false;
  }
}

/**
 * Edits files under their locks ({@link lockFiles}): takes the lock of each of `files` (waiting
 * for other commands that hold one), then runs `edit`, which must read the files itself (they may
 * have changed while this waited), and writes what it returns with {@link writeFilesAtomically},
 * each write given the `expected` content its edit read; the locks are released whatever happens.
 * Resolves to the edit's result. Every write must be of one of `files`.
 */
export async function editFilesLocked<T>(
  files: readonly (string | FileToLock)[],
  edit: () => { readonly writes: readonly FileWrite[]; readonly result: T },
  options: LockOptions = {},
): Promise<T> {
  const locks = await lockFiles(files, options);
  try {
    const { writes, result } = edit();
    for (const write of writes) {
      // A lock that cannot be made means its directory cannot be written: say so as the write
      // would have, once the edit has said what it refuses.
      const error = locks.lockError(write.path);
      if (error !== undefined) {
        throw new FileWriteError(write.display ?? write.path, fileSystemReason(error, true));
      }
    }
    writeFilesAtomically(writes);
    return result;
  } finally {
    locks.release();
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
