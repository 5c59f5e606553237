import { parsePlatformConfig, platformConfigValues } from "../../programs/platform/config";
import { AwsSettings } from "../workspace/awsConfig";
import { CliError } from "../core/errors";
import { PulumiProject } from "../workspace/project";
import { manageSigningForSignedApps } from "../workspace/platformStack";
import { StackFileEditor } from "../workspace/stackFile";
import { AdoptedApp } from "./appEntries";
import { DriftRow } from "./drift";
import { ImportFile } from "./importFile";
import { ExistingRegistry } from "./registry";

export interface AdoptedRegistry<
  R extends ExistingRegistry = ExistingRegistry,
> extends AdoptedApp<R> {
  readonly drift: readonly DriftRow[];
  /** What the drift table should say besides its rows (where a value came from, say). */
  readonly notes: readonly string[];
}

/** The adopted registries, with the signing note (if any) under each whose images are signed. */
export function withSigningNote<R extends AdoptedRegistry<ExistingRegistry>>(
  adopted: readonly R[],
  note: string | undefined,
): R[] {
  return adopted.map((registry) =>
    note !== undefined && registry.app.settings.ecr.signing
      ? { ...registry, notes: [...registry.notes, `Also ${note}.`] }
      : registry,
  );
}

/** Where the adopted registries are: one stack is one region and one account. */
export interface RegistryPlace {
  readonly region: string;
  readonly account: string;
}

/** What adopting registries into a stack does, worked out and not yet written. */
export interface AdoptionPlan<R extends ExistingRegistry = ExistingRegistry> extends RegistryPlace {
  /** The stack file, relative to the project root. */
  readonly stackFile: string;
  /** The stack file with the adoption applied, not yet written. */
  readonly editor: StackFileEditor;
  readonly registries: readonly AdoptedRegistry<R>[];
  /** The same imports as a `pulumi import --file` document. */
  readonly importFile: ImportFile;
}

/** Registries whose adoption replaces anything (their images would be lost). */
export function replacements<R extends ExistingRegistry>(
  plan: AdoptionPlan<R>,
): AdoptedRegistry<R>[] {
  return plan.registries.filter((r) => r.drift.some((row) => row.effect === "replace"));
}

/** Registries whose adoption changes anything in place. */
export function changes<R extends ExistingRegistry>(plan: AdoptionPlan<R>): AdoptedRegistry<R>[] {
  return plan.registries.filter((r) =>
    r.drift.some((row) => row.effect === "update" || row.effect === "create"),
  );
}

/**
 * Binds the stack to where the registries are: `aws:region` when it has none, and
 * `aws:allowedAccountIds` when it has none (the provider then refuses credentials of any other
 * account, before importing anything). Settings it has were checked against the place already.
 */
export function bindStack(editor: StackFileEditor, aws: AwsSettings, place: RegistryPlace): void {
  if (aws.region === undefined) {
    editor.setConfig("aws:region", place.region);
  }
  if (aws.allowedAccountIds === undefined) {
    editor.setConfig("aws:allowedAccountIds", [place.account]);
  }
}

/**
 * Writes each adopted app's entry into the stack file (in memory), then reads the file back as
 * the platform program reads it: every app that was there, and every one adopted, must still be
 * there, or nothing is written. A stack that gains signed apps without a signing profile takes
 * over the account's signing ({@link manageSigningForSignedApps}): the note saying so is
 * returned.
 */
export function writeAppEntries(
  editor: StackFileEditor,
  project: PulumiProject,
  stack: { readonly name: string; readonly file: string },
  apps: { readonly key: string; readonly existing: Readonly<Record<string, unknown>> },
  adopted: readonly AdoptedApp[],
): string | undefined {
  for (const { registry, app } of adopted) {
    editor.setEntry(apps.key, registry.name, app.entry);
  }
  const signingNote = manageSigningForSignedApps(editor, project.name, stack.file, {
    ...apps.existing,
    ...Object.fromEntries(adopted.map(({ registry, app }) => [registry.name, app.entry])),
  });
  const written = parsePlatformConfig(
    { project: project.name, stack: stack.name, file: stack.file },
    platformConfigValues(project.name, editor.config()),
  );
  const lost = [...Object.keys(apps.existing), ...adopted.map((a) => a.registry.name)].filter(
    (name) => !(name in written.apps),
  );
  if (lost.length > 0) {
    throw new CliError(
      `adopting into ${stack.file} would lose ${lost.join(", ")}; nothing was written`,
    );
  }
  return signingNote;
}
