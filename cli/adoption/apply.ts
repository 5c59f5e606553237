/**
 * What adoption does once a plan is made, whichever source it came from (a Terraform state, the
 * live account): the drift tables, the refusals (a replacement always, in-place changes unless
 * accepted), the dry run, and the all-or-nothing write of the stack file and the import file.
 */
import { formatDrift } from "./drift";
import { AdoptionPlan, changes, replacements } from "./adoptionPlan";
import { FileWrite, writeFilesAtomically } from "../workspace/fileWrites";

/**
 * Prints each registry's drift (its side labelled `source`), refuses (exit 1, nothing written)
 * a replacement, and in-place changes unless `--accept-changes`; then shows (`--dry-run`) or
 * writes the stack file and the import file together, and prints `next`. Resolves to the exit
 * code.
 */
export function applyAdoption(
  plan: AdoptionPlan,
  options: Record<string, unknown>,
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
): number {
  const out = (text = "") => process.stdout.write(`${text}\n`);
  for (const { registry, drift, notes } of plan.registries) {
    out(formatDrift(settings.source, registry.name, drift, notes));
    out();
  }
  const replaced = replacements(plan);
  const changed = changes(plan);
  if (replaced.length > 0) {
    process.stderr.write(
      `error: adopting ${replaced.map((r) => r.registry.name).join(", ")} would REPLACE the registry, deleting its images; make the app's settings match ${settings.holder} (see the table) and run again. Nothing was written.\n`,
    );
    return 1;
  }
  if (changed.length > 0 && !options["accept-changes"]) {
    process.stderr.write(
      `error: adopting ${changed.map((r) => r.registry.name).join(", ")} would change ${changed.length === 1 ? "it" : "them"} in place (see the table); pass --accept-changes to adopt with these changes. Nothing was written.\n`,
    );
    return 1;
  }
  const { importFile } = settings;
  const importJson = `${JSON.stringify(plan.importFile, null, 2)}\n`;
  if (options["dry-run"]) {
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
  // The stack file and the import file together, or neither.
  const files: FileWrite[] = [
    ...(plan.editor.changed()
      ? [{ path: plan.editor.file, content: plan.editor.content(), display: plan.stackFile }]
      : []),
    ...(importFile === undefined ? [] : [{ path: importFile, content: importJson }]),
  ];
  writeFilesAtomically(files);
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
  out();
  for (const line of settings.next) {
    out(line);
  }
  return 0;
}
