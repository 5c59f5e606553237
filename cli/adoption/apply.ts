/**
 * What adoption does once a plan is made, whichever source it came from (a Terraform state, the
 * live account): the drift tables, the refusals (a replacement always, in-place changes unless
 * accepted), the dry run, and the all-or-nothing write of the stack file and the import file.
 */
import { formatDrift } from "./drift";
import { AdoptionPlan, changes, replacements } from "./adoptionPlan";
import { editFilesLocked, FileWrite } from "../workspace/fileWrites";
import type { CommandOutput } from "../core/output";

/** What adoption did, as `-f json` prints it. */
type AdoptionOutcome =
  "refused-replacement" | "refused-changes" | "dry-run" | "written" | "unchanged";

/**
 * Prints each registry's drift (its side labelled `source`), refuses (exit 1, nothing written)
 * a replacement, and in-place changes unless `--accept-changes`; then shows (`--dry-run`) or
 * writes the stack file and the import file together, and prints `next`. Resolves to the exit
 * code. The files are written under their locks, the stack file only if it still holds what the
 * plan read (else a `ChangedWhileEditingError`, exit 1: the plan is made from the live account
 * or a state, which is not read again here; running the command again adopts into the new file).
 */
export async function applyAdoption(
  plan: AdoptionPlan,
  options: Record<string, unknown>,
  output: CommandOutput,
  settings: {
    /** The registry's side of the drift table: `terraform state`, `live registry`. */
    readonly source: string;
    /** What the app's settings should match instead of replacing: `the state`. */
    readonly holder: string;
    readonly stack: string;
    readonly importFile?: string;
    /** What to do after the files are written, one line each. */
    readonly next: readonly string[];
  },
): Promise<number> {
  const json = output.format === "json";
  const out = (text = "") => {
    if (!json) {
      output.result(`${text}\n`);
    }
  };
  const report = (outcome: AdoptionOutcome) => {
    if (json) {
      output.result(`${JSON.stringify(adoptionJson(plan, settings, outcome), null, 2)}\n`);
    }
  };
  for (const { registry, drift, notes } of plan.registries) {
    out(formatDrift(settings.source, registry.name, drift, notes));
    out();
  }
  const refused = refusal(plan, options, settings.holder);
  if (refused !== undefined) {
    report(refused.outcome);
    process.stderr.write(`error: ${refused.message} Nothing was written.\n`);
    return 1;
  }
  const { importFile } = settings;
  const importJson = `${JSON.stringify(plan.importFile, null, 2)}\n`;
  if (options["dry-run"]) {
    report("dry-run");
    out(
      plan.editor.changed()
        ? `Would write ${plan.stackFile}:\n\n${plan.editor.content()}`
        : `${plan.stackFile} is already up to date.`,
    );
    if (importFile !== undefined) {
      out(`Would write ${importFile}:\n\n${importJson}`);
    }
    return 0;
  }
  await writeAdoption(plan, importFile, importJson);
  report(plan.editor.changed() ? "written" : "unchanged");
  out(
    plan.editor.changed()
      ? `Wrote ${plan.stackFile}.`
      : `${plan.stackFile} is already up to date: nothing to write.`,
  );
  out(
    `Stack ${settings.stack} deploys to region ${plan.region} of account ${plan.account} only (aws:region, aws:allowedAccountIds): with another account's credentials, pulumi up stops before importing anything.`,
  );
  if (importFile !== undefined) {
    out(`Wrote ${importFile} (for pulumi import --file ${importFile} --generate-code=false).`);
  }
  output.hint("");
  for (const line of settings.next) {
    output.hint(line);
  }
  return 0;
}

/**
 * Writes the stack file and the import file together, or neither, under their locks; the stack
 * file only if it still holds what the plan read.
 */
async function writeAdoption(
  plan: AdoptionPlan,
  importFile: string | undefined,
  importJson: string,
): Promise<void> {
  const files: FileWrite[] = [
    ...(plan.editor.changed()
      ? [
          {
            path: plan.editor.file,
            content: plan.editor.content(),
            display: plan.stackFile,
            expected: plan.editor.original,
          },
        ]
      : []),
    ...(importFile === undefined ? [] : [{ path: importFile, content: importJson }]),
  ];
  await editFilesLocked(files, () => ({ writes: files, result: undefined }));
}

/**
 * Why adoption must not write: a replacement always (the registry's images would be lost),
 * in-place changes unless `--accept-changes`; undefined when it may.
 */
function refusal(
  plan: AdoptionPlan,
  options: Record<string, unknown>,
  holder: string,
): { readonly outcome: AdoptionOutcome; readonly message: string } | undefined {
  const replaced = replacements(plan);
  if (replaced.length > 0) {
    return {
      outcome: "refused-replacement",
      message: `adopting ${replaced.map((r) => r.registry.name).join(", ")} would REPLACE the registry, deleting its images; make the app's settings match ${holder} (see the table) and run again.`,
    };
  }
  const changed = changes(plan);
  if (changed.length > 0 && !options["accept-changes"]) {
    return {
      outcome: "refused-changes",
      message: `adopting ${changed.map((r) => r.registry.name).join(", ")} would change ${changed.length === 1 ? "it" : "them"} in place (see the table); pass --accept-changes to adopt with these changes.`,
    };
  }
  return undefined;
}

/**
 * An adoption as plain data, for `-f json`: where, what happened, each registry's drift rows
 * and notes, the imports, and what to do next. `schemaVersion` changes only when a field's
 * meaning does.
 */
function adoptionJson(
  plan: AdoptionPlan,
  settings: {
    readonly source: string;
    readonly stack: string;
    readonly importFile?: string;
    readonly next: readonly string[];
  },
  outcome: AdoptionOutcome,
): Record<string, unknown> {
  return {
    schemaVersion: 1,
    outcome,
    stack: settings.stack,
    stackFile: plan.stackFile,
    region: plan.region,
    account: plan.account,
    source: settings.source,
    registries: plan.registries.map(({ registry, drift, notes }) => ({
      name: registry.name,
      drift: drift.map((row) => ({ ...row })),
      notes,
    })),
    ...(outcome === "dry-run" &&
      plan.editor.changed() && { stackFileContent: plan.editor.content() }),
    imports: plan.importFile,
    ...(settings.importFile !== undefined && { importFile: settings.importFile }),
    next: settings.next,
  };
}
