import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

// The npm that ships with this node, run by it: `npm` on PATH may belong to another install.
const npmCli = path.join(path.dirname(process.execPath), "../lib/node_modules/npm/bin/npm-cli.js");

/** Runs npm in `cwd` and returns what it printed on stdout; throws when it fails. */
export function npm(args: readonly string[], cwd: string): string {
  const command = fs.existsSync(npmCli) ? [process.execPath, npmCli] : ["npm"];
  return execFileSync(command[0], [...command.slice(1), ...args], {
    cwd,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, npm_config_audit: "false", npm_config_fund: "false" },
  });
}
