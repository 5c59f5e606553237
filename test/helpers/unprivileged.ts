import { spawnSync } from "child_process";

let prefix: readonly string[] | null | undefined;

/**
 * The command that runs a child process bound by file permissions: nothing when the tests run
 * as an ordinary user; for root, whom permission bits do not bind, `setpriv` with every
 * capability dropped (root without capabilities reads and writes only what the bits allow).
 * Null when the tests run as root and setpriv is not there.
 */
export function unprivilegedPrefix(): readonly string[] | null {
  if (prefix === undefined) {
    if (process.getuid?.() !== 0) {
      prefix = [];
    } else {
      const command = ["setpriv", "--bounding-set=-all", "--inh-caps=-all"];
      const probe = spawnSync(command[0], [...command.slice(1), "true"]);
      prefix = probe.status === 0 ? command : null;
    }
  }
  return prefix;
}

/** Skips the test where nothing can run bound by file permissions (root without setpriv). */
export function requireBindingPermissions(context: Mocha.Context): void {
  if (unprivilegedPrefix() === null) {
    context.skip();
  }
}
