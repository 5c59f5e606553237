import { spawn, spawnSync } from "child_process";

export interface NodeChildOptions {
  /** Options for `node` itself, before the script (`--expose-gc`, ...). */
  readonly nodeOptions?: readonly string[];
  readonly cwd?: string;
}

/**
 * Runs `node <nodeOptions> <args>` in a fresh process and returns the JSON it printed as its
 * last line of output. Throws with the child's stderr when it fails.
 */
export function runNode<Result>(args: readonly string[], options: NodeChildOptions = {}): Result {
  const child = spawnSync(process.execPath, [...(options.nodeOptions ?? []), ...args], {
    cwd: options.cwd,
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
  const lastLine = child.stdout?.trim().split("\n").pop();
  if (child.status !== 0 || !lastLine) {
    throw new Error(
      `node ${args.map((a) => (a.length > 80 ? `${a.slice(0, 77)}...` : a)).join(" ")} failed (${child.error ?? `exit code ${child.status}`}):\n${child.stderr}`,
    );
  }
  return JSON.parse(lastLine) as Result;
}

/** Runs a bench child script with its request as one JSON argument; see {@link runNode}. */
export function runNodeChild<Result>(
  script: string,
  request: unknown,
  options: NodeChildOptions = {},
): Result {
  return runNode<Result>([script, JSON.stringify(request)], options);
}

/** A `node` process the bench timed, and what it printed. */
export interface TimedNodeRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** From spawning the process to the last output it printed on stdout. */
  readonly outputMilliseconds: number;
  /** From spawning the process to its exit. */
  readonly exitMilliseconds: number;
}

/**
 * Runs `node <nodeOptions> <args>` in a fresh process, as a user would start it, and times it
 * from the spawn (Node's own start-up and module loading included) to its last output on
 * stdout and to its exit.
 */
export function timeNode(
  args: readonly string[],
  options: NodeChildOptions & {
    readonly env?: NodeJS.ProcessEnv;
    /** Told of the process as it starts (to watch it meanwhile); its return is called at its close. */
    readonly onSpawn?: (pid: number) => () => void;
  } = {},
): Promise<TimedNodeRun> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(process.execPath, [...(options.nodeOptions ?? []), ...args], {
      cwd: options.cwd,
      env: options.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const closed = child.pid === undefined ? undefined : options.onSpawn?.(child.pid);
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let lastOutput = start;
    child.stdout.on("data", (chunk: Buffer) => {
      lastOutput = process.hrtime.bigint();
      stdout.push(chunk);
    });
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.on("error", reject);
    child.on("close", (status) => {
      const exit = process.hrtime.bigint();
      closed?.();
      resolve({
        status,
        stdout: Buffer.concat(stdout).toString("utf8"),
        stderr: Buffer.concat(stderr).toString("utf8"),
        outputMilliseconds: Number(lastOutput - start) / 1e6,
        exitMilliseconds: Number(exit - start) / 1e6,
      });
    });
  });
}
