import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { buildPackageInto, repositoryRoot } from "../../scripts/buildPackage";
import { unprivilegedPrefix } from "./unprivileged";

export { repositoryRoot };

let built: string | Error | undefined;

/**
 * The package built as `npm run build` builds it, once per test run, into a scratch directory
 * (with the repository's node_modules): the CLI tests run what ships.
 */
export function builtPackage(): string {
  if (built === undefined) {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "td-build-"));
    process.on("exit", () => fs.rmSync(out, { recursive: true, force: true }));
    try {
      buildPackageInto(out);
      built = out;
    } catch (error) {
      // Every CLI test fails with the compiler's own message, without compiling again.
      built = error as Error;
    }
  }
  if (built instanceof Error) {
    throw built;
  }
  return built;
}

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the built trusted-delivery CLI in a child process, as a user would; with `unprivileged`,
 * bound by file permissions even when the tests run as root (see {@link unprivilegedPrefix}).
 */
export function runCli(
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; unprivileged?: boolean } = {},
): CliResult {
  const command = [process.execPath, path.join(builtPackage(), "dist/cli/main.js"), ...args];
  if (options.unprivileged) {
    const prefix = unprivilegedPrefix();
    if (prefix === null) {
      throw new Error("nothing here runs bound by file permissions: root without setpriv");
    }
    command.unshift(...prefix);
  }
  const result = spawnSync(command[0], command.slice(1), {
    cwd: options.cwd ?? repositoryRoot,
    env: {
      ...process.env,
      TS_NODE_PROJECT: path.join(repositoryRoot, "tsconfig.json"),
      // A plan reports progress to a log once it has run 5 s; tests that read stderr whole
      // would see it on a slow machine. Tests of progress set it themselves.
      TRUSTED_DELIVERY_PROGRESS_AFTER_SECONDS: "600",
      ...options.env,
    },
    encoding: "utf8",
  });
  return {
    code: result.status,
    stdout: result.stdout,
    stderr: result.stderr.replace(/^npm warn .*\n/gm, ""),
  };
}

/**
 * {@link runCli} without blocking this process: for runs that talk to servers this process
 * itself serves (a proxy in front of moto, say).
 */
export function runCliAsync(
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<CliResult> {
  const child = spawn(process.execPath, [path.join(builtPackage(), "dist/cli/main.js"), ...args], {
    cwd: options.cwd ?? repositoryRoot,
    env: {
      ...process.env,
      TS_NODE_PROJECT: path.join(repositoryRoot, "tsconfig.json"),
      // A plan reports progress to a log once it has run 5 s; tests that read stderr whole
      // would see it on a slow machine. Tests of progress set it themselves.
      TRUSTED_DELIVERY_PROGRESS_AFTER_SECONDS: "600",
      ...options.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => (stdout += String(chunk)));
  child.stderr.on("data", (chunk) => (stderr += String(chunk)));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) =>
      resolve({ code, stdout, stderr: stderr.replace(/^npm warn .*\n/gm, "") }),
    );
  });
}
