import { spawnSync } from "child_process";

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
