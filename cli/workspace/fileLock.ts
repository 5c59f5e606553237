/**
 * Advisory locks on the files a command edits, so that two trusted-delivery commands editing the
 * same stack file one after the other each see the other's change, instead of the later rename
 * silently dropping the earlier one (issue 21).
 *
 * Why it holds, claim by claim (the tests in `test/cli/concurrentEdits.test.ts` back each):
 *
 * - **One holder.** The lock of `<file>` is `<file>.lock` beside the file it guards (its real
 *   target, when `<file>` is a symbolic link, so every spelling of the path shares one lock). It
 *   is created with O_CREAT | O_EXCL (`wx`): of any number of processes creating it, exactly
 *   one succeeds. It holds who made it ({@link LockHolder}), with a random nonce, so that no two
 *   locks ever made have the same text. ("keeps every app, and every comment, when ten add-app
 *   runs edit two stacks at once"; "takes one lock for every spelling of a file")
 * - **No deadlock.** A command locks all its files before editing any, in one order (sorted by
 *   lock path), and holds none of them while waiting for a lock that sorts before one it holds.
 *   ("takes the locks in one order whatever order the stacks are named in")
 * - **Only the holder removes a live lock.** A holder removes its lock only if the lock still
 *   holds its own text; nothing else removes a lock unless it is stale.
 * - **Stale means the holder can never release it**: it names this host and a pid that no longer
 *   runs (or this very process, which knows which locks it holds: in a container every run may
 *   get the same pid). A lock of another host is never judged (its pid means nothing here): it is
 *   waited for, and the timeout names it. A pid reused by another process reads as alive: that
 *   fails closed, to waiting. ("takes over a lock left by a process that is gone"; "waits for a
 *   lock of another host"; "waits for a lock a running command holds, then gives up")
 * - **Taking over a stale lock: two takers never both win.** Removing the stale lock and then
 *   creating one's own is not enough: taker B may judge the stale text S, taker A remove S and
 *   create its own lock, and B then remove A's live lock. So a taker first claims S itself, by
 *   creating `<file>.lock.<hash of S>.takeover` with `wx`; holding the claim it reads the lock
 *   again, and removes it only if it still is S; then it drops the claim and competes for the
 *   lock with `wx` like anyone else. While the claim is held the lock cannot stop being S: S's
 *   holder is dead, every other taker of S fails to claim it, and a taker of an older stale text
 *   S' only removes the lock after reading S' in it under its own claim, which excludes S being
 *   there. A claim made after S is gone reads a lock that is not S (S, with its nonce, is never
 *   made again), and removes nothing. ("of two takers of one stale lock, only the first removes
 *   it"; "of eight processes taking over the same stale locks at the same moment, exactly one
 *   holds each": removing without the claim fails it within 200 rounds)
 * - **Always released.** Locks are released in a `finally`; on SIGINT or SIGTERM while this
 *   process holds or waits for locks, they are released and the signal is raised again (so the
 *   command ends as it would have), unless other code handles it (the CLI's own SIGINT handler
 *   exits 130); a `process.exit` releases them too (the 'exit' hook). ("releases the locks it
 *   holds when a SIGTERM stops it"; "releases the locks of a refused add-app") Only a
 *   SIGKILL or a crash of the runtime leaves a lock: then it is stale, and taken over. A taker
 *   killed while it holds a claim (a few microseconds) leaves that stale lock in place: every
 *   later command then times out with a message saying which lock to delete.
 *
 * The locks are advisory: an editor ignores them. `writeFilesAtomically` therefore also checks,
 * right before renaming, that each file still holds what the command read.
 */
import { createHash, randomBytes } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { problem } from "../../components/problems";
import { CliError, InterruptedError, UsageError } from "../core/errors";

/** The environment variable that sets how long a command waits for another's lock, in seconds. */
export const lockTimeoutVariable = "TRUSTED_DELIVERY_LOCK_TIMEOUT";

/** How long a command waits for another command's lock, unless {@link lockTimeoutVariable} says. */
export const defaultLockTimeoutSeconds = 30;

/** What a lock file holds: who holds the lock, since when, and what for. */
export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  /** The command line that holds it, e.g. `trusted-delivery add-app billing-api --stack dev`. */
  readonly command: string;
  /** When it was taken, as an ISO 8601 time. */
  readonly since: string;
  /** Random: no two locks ever have the same text (see the argument above). */
  readonly nonce: string;
}

/** A file to lock, and its path as messages show it. */
export interface FileToLock {
  readonly path: string;
  /** @default path */
  readonly display?: string;
}

export interface LockOptions {
  /** Seconds to wait for a lock another command holds. @default {@link lockTimeoutSeconds}() */
  readonly timeoutSeconds?: number;
  /** The command line the lock names. @default this process's arguments, as `trusted-delivery …` */
  readonly command?: string;
}

/** The locks one call of {@link lockFiles} took. */
export interface HeldLocks {
  /**
   * Undefined when the lock of `file` is held; the file system's error when it could not be made
   * (its directory is missing or cannot be written, say: then `file` cannot be written either,
   * and the write reports it). Throws for a file that was not asked for.
   */
  lockError(file: string): NodeJS.ErrnoException | undefined;
  /** Removes the locks; safe to call more than once. */
  release(): void;
}

/** Another command held a lock for longer than this command would wait; nothing was written. */
export class LockTimeoutError extends CliError {
  constructor(
    readonly file: string,
    readonly lockFile: string,
    readonly holder: LockHolder | undefined,
    readonly waitedSeconds: number,
  ) {
    const who =
      holder === undefined
        ? `another process (its lock, ${lockFile}, does not say which)`
        : `another trusted-delivery command: ${holder.command} (pid ${holder.pid} on ${holder.host}, since ${holder.since})`;
    super(
      `${file} is being edited by ${who}; waited ${waitedSeconds} s for it (${lockTimeoutVariable} sets how long), and wrote nothing. If no trusted-delivery command is running, delete ${lockFile}`,
    );
    this.name = "LockTimeoutError";
  }
}

/** The lock file of `file`: beside its real target, which need not exist yet. */
export function lockPathOf(file: string): string {
  const resolved = path.resolve(file);
  let target: string;
  try {
    target = fs.realpathSync(resolved);
  } catch {
    try {
      target = path.join(fs.realpathSync(path.dirname(resolved)), path.basename(resolved));
    } catch {
      target = resolved;
    }
  }
  return `${target}.lock`;
}

/** Seconds to wait for a lock, from {@link lockTimeoutVariable}; refuses anything but a number. */
export function lockTimeoutSeconds(env: NodeJS.ProcessEnv = process.env): number {
  const value = env[lockTimeoutVariable];
  if (value === undefined || value.trim() === "") {
    return defaultLockTimeoutSeconds;
  }
  const seconds = Number(value.trim());
  if (!Number.isFinite(seconds) || seconds < 0) {
    throw new UsageError(
      problem(
        lockTimeoutVariable,
        value,
        `must be how many seconds to wait for another trusted-delivery command's lock, 0 or more, e.g. ${defaultLockTimeoutSeconds}`,
      ).message,
    );
  }
  return seconds;
}

/** The holder a lock's text names, or undefined when it names none (being written, or junk). */
export function parseLockHolder(text: string): LockHolder | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const holder = value as Partial<LockHolder> | null;
  return typeof holder === "object" &&
    holder !== null &&
    Number.isInteger(holder.pid) &&
    holder.pid! > 0 &&
    typeof holder.host === "string" &&
    typeof holder.command === "string" &&
    typeof holder.since === "string" &&
    typeof holder.nonce === "string"
    ? (holder as LockHolder)
    : undefined;
}

/** The locks this process holds: lock file to the text it wrote there. */
const held = new Map<string, string>();
/** Calls of {@link lockFiles} under way or not yet released: signal handlers stay while any is. */
let sections = 0;
let interruptedBy: NodeJS.Signals | undefined;
let exitHookInstalled = false;
const signals: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM"];

function releaseLock(lockFile: string): void {
  const text = held.get(lockFile);
  held.delete(lockFile);
  try {
    if (text !== undefined && fs.readFileSync(lockFile, "utf8") === text) {
      fs.unlinkSync(lockFile);
    }
  } catch {
    // Gone already: deleted by hand, as the timeout message suggests.
  }
}

function releaseAll(): void {
  [...held.keys()].forEach(releaseLock);
}

/**
 * Ctrl-C (or a SIGTERM) while locks are held or awaited: release them, then let the signal do
 * what it would have done. When other code listens for the signal too, it decides; the wait for
 * a lock then ends with an {@link InterruptedError}.
 */
function onSignal(signal: NodeJS.Signals): void {
  releaseAll();
  interruptedBy = signal;
  if (process.listenerCount(signal) === 1) {
    removeSignalHandlers();
    process.kill(process.pid, signal);
  }
}

function installSignalHandlers(): void {
  if (!exitHookInstalled) {
    process.on("exit", releaseAll);
    exitHookInstalled = true;
  }
  if (sections++ === 0) {
    interruptedBy = undefined;
    signals.forEach((s) => process.on(s, onSignal));
  }
}

function removeSignalHandlers(): void {
  signals.forEach((s) => process.removeListener(s, onSignal));
}

function endSection(): void {
  if (--sections === 0) {
    removeSignalHandlers();
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it runs, as another user.
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Whether the holder can never release its lock (see "Stale means" above). */
function isStale(holder: LockHolder, lockFile: string): boolean {
  if (holder.host !== os.hostname()) {
    return false;
  }
  return holder.pid === process.pid ? !held.has(lockFile) : !isAlive(holder.pid);
}

/**
 * Removes the stale lock `lockFile` if it still holds `staleText`, the text its taker judged
 * stale; returns whether it did. Of any number of takers of one stale lock, however they
 * interleave, at most one removes it, and none removes a lock made since (see "Taking over" above).
 * The taker then competes to create its own lock like anyone else. Exported for tests.
 */
export function takeOverStaleLock(lockFile: string, staleText: string): boolean {
  const digest = createHash("sha256").update(staleText).digest("hex").slice(0, 16);
  const claim = `${lockFile}.${digest}.takeover`;
  try {
    fs.writeFileSync(claim, `${process.pid}\n`, { flag: "wx" });
  } catch {
    // Another taker holds the claim (or none can be made here): not ours to take.
    return false;
  }
  try {
    if (fs.readFileSync(lockFile, "utf8") !== staleText) {
      return false;
    }
    fs.unlinkSync(lockFile);
    return true;
  } catch {
    // Gone already: its taker removed it.
    return false;
  } finally {
    try {
      fs.unlinkSync(claim);
    } catch {
      // Nothing else removes a claim; if it is gone, there is nothing to clean.
    }
  }
}

/** This process's command line, as a lock names it. */
function thisCommand(): string {
  const quoted = process.argv
    .slice(2)
    .map((a) => (/^[\w@%+=:,./*-]+$/.test(a) ? a : JSON.stringify(a)));
  return ["trusted-delivery", ...quoted].join(" ");
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

type Attempt =
  | { readonly kind: "locked" }
  | { readonly kind: "unlockable"; readonly error: NodeJS.ErrnoException }
  | { readonly kind: "held"; readonly text: string | undefined };

/** One try at creating the lock; when another holds it, what it holds (undefined: gone again). */
function tryLock(lockFile: string, text: string): Attempt {
  try {
    fs.writeFileSync(lockFile, text, { flag: "wx" });
    held.set(lockFile, text);
    return { kind: "locked" };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") {
      return { kind: "unlockable", error: e as NodeJS.ErrnoException };
    }
  }
  try {
    return { kind: "held", text: fs.readFileSync(lockFile, "utf8") };
  } catch {
    return { kind: "held", text: undefined };
  }
}

interface Wanted {
  readonly lockFile: string;
  readonly display: string;
  readonly lockDisplay: string;
}

/**
 * Takes one lock, waiting (with backoff) while a live holder has it and taking it over when
 * stale; resolves to the error that stops it being made at all, or undefined once held.
 */
async function acquire(
  wanted: Wanted,
  text: () => string,
  deadline: number,
  timeoutSeconds: number,
): Promise<NodeJS.ErrnoException | undefined> {
  let delay = 5;
  for (;;) {
    if (interruptedBy !== undefined) {
      throw new InterruptedError(
        `interrupted (${interruptedBy}) while waiting to edit ${wanted.display}; nothing was written`,
      );
    }
    const attempt = tryLock(wanted.lockFile, text());
    if (attempt.kind === "locked") {
      return undefined;
    }
    if (attempt.kind === "unlockable") {
      return attempt.error;
    }
    if (attempt.text === undefined) {
      continue; // Released between the two calls: try again at once.
    }
    const holder = parseLockHolder(attempt.text);
    if (
      holder !== undefined &&
      isStale(holder, wanted.lockFile) &&
      takeOverStaleLock(wanted.lockFile, attempt.text)
    ) {
      continue; // Removed: compete for it again. (Another taker's claim: wait for it.)
    }
    const left = deadline - Date.now();
    if (left <= 0) {
      throw new LockTimeoutError(wanted.display, wanted.lockDisplay, holder, timeoutSeconds);
    }
    await sleep(Math.min(left, delay * (0.5 + Math.random())));
    delay = Math.min(delay * 2, 250);
  }
}

/**
 * Locks `files` for this process: each file's lock is taken in one sorted order, waiting up to
 * `timeoutSeconds` in all for locks other commands hold, and taking over stale ones. A lock that
 * cannot be made at all (no directory, no permission) is reported by `lockError`, not thrown:
 * the command's own checks come first, and the file cannot be written either. Throws a {@link LockTimeoutError} (exit 1) naming the holder when the wait runs
 * out, having released what it took. Release the locks in a `finally`.
 */
export async function lockFiles(
  files: readonly (string | FileToLock)[],
  options: LockOptions = {},
): Promise<HeldLocks> {
  const timeoutSeconds = options.timeoutSeconds ?? lockTimeoutSeconds();
  const byLock = new Map<string, Wanted>();
  for (const file of files) {
    const { path: given, display = given } = typeof file === "string" ? { path: file } : file;
    const lockFile = lockPathOf(given);
    const besideGiven = lockFile === `${path.resolve(given)}.lock`;
    byLock.set(lockFile, {
      lockFile,
      display,
      lockDisplay: besideGiven ? `${display}.lock` : lockFile,
    });
    if (held.has(lockFile)) {
      throw new Error(`${display} is locked twice by one process`);
    }
  }
  const wanted = [...byLock.values()].sort((a, b) => (a.lockFile < b.lockFile ? -1 : 1));
  const command = options.command ?? thisCommand();
  // Made afresh at each try: `since` says when the lock was taken, not when the wait began.
  const text = () =>
    `${JSON.stringify({
      pid: process.pid,
      host: os.hostname(),
      command,
      since: new Date().toISOString(),
      nonce: randomBytes(8).toString("hex"),
    } satisfies LockHolder)}\n`;
  const errors = new Map<string, NodeJS.ErrnoException>();
  const deadline = Date.now() + timeoutSeconds * 1000;
  let released = false;
  const release = () => {
    if (!released) {
      released = true;
      wanted.forEach((w) => releaseLock(w.lockFile));
      endSection();
    }
  };
  installSignalHandlers();
  try {
    for (const w of wanted) {
      const error = await acquire(w, text, deadline, timeoutSeconds);
      if (error !== undefined) {
        errors.set(w.lockFile, error);
      }
    }
  } catch (e) {
    release();
    throw e;
  }
  return {
    lockError(file) {
      const lockFile = lockPathOf(file);
      if (!byLock.has(lockFile)) {
        throw new Error(`${file} is written without its lock`);
      }
      return errors.get(lockFile);
    },
    release,
  };
}
