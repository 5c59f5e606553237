import { spawnSync } from "child_process";
import * as path from "path";

export const repositoryRoot = path.join(__dirname, "../..");

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the trusted-delivery CLI in a child process, as a user would. */
export function runCli(
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): CliResult {
  const result = spawnSync(
    process.execPath,
    ["-r", "ts-node/register/transpile-only", path.join(repositoryRoot, "cli/main.ts"), ...args],
    {
      cwd: options.cwd ?? repositoryRoot,
      env: {
        ...process.env,
        TS_NODE_PROJECT: path.join(repositoryRoot, "tsconfig.json"),
        ...options.env,
      },
      encoding: "utf8",
    },
  );
  return {
    code: result.status,
    stdout: result.stdout,
    stderr: result.stderr.replace(/^npm warn .*\n/gm, ""),
  };
}
