import { PipelineSettings, tagsBesideProviderDefaults } from "../../components/pipelineSettings";
import { sameData } from "../workspace/stackFile";
import { ExistingRegistry } from "./registry";

/** What adopting a registry would do to one attribute. */
export type DriftEffect = "same" | "update" | "replace" | "create";

export interface DriftRow {
  readonly attribute: string;
  /** The value where the registry was found: the Terraform state, or the live registry. */
  readonly existing: string;
  readonly pipeline: string;
  readonly effect: DriftEffect;
}

function showTags(tags: Readonly<Record<string, unknown>>): string {
  const entries = Object.entries(tags).sort(([a], [b]) => a.localeCompare(b));
  return entries.length === 0 ? "(none)" : entries.map(([k, v]) => `${k}=${v}`).join(", ");
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Every attribute a pipeline sets on its repository and lifecycle policy, against what the
 * registry has where it was found (a Terraform state, or the account), with what `pulumi up`
 * would do: keep it (`same`), change it in place
 * (`update`), recreate the repository and lose its images (`replace`), or add a lifecycle policy
 * the registry lacked (`create`). Tags are compared as the pipeline sets them beside the AWS
 * provider's default tags, and the lifecycle policy as JSON.
 */
export function registryDrift(
  registry: ExistingRegistry,
  settings: PipelineSettings,
  providerDefaultTags: Readonly<Record<string, string>>,
): DriftRow[] {
  const row = (
    attribute: string,
    existing: string,
    pipeline: string,
    changes: DriftEffect,
    equal: boolean,
  ): DriftRow => ({
    attribute,
    existing,
    pipeline,
    effect: equal ? "same" : changes,
  });
  const { ecr } = settings;
  const tags = tagsBesideProviderDefaults(settings, providerDefaultTags) as Record<string, string>;
  const tagsAll = { ...providerDefaultTags, ...tags };
  const kmsKey = typeof ecr.kmsKeyArn === "string" ? ecr.kmsKeyArn : undefined;
  const rows = [
    row(
      "name",
      registry.name,
      settings.repositoryName,
      "replace",
      registry.name === settings.repositoryName,
    ),
    row(
      "image_tag_mutability",
      registry.imageTagMutability,
      ecr.imageTagMutability,
      "update",
      registry.imageTagMutability === ecr.imageTagMutability,
    ),
    row(
      "encryption_type",
      registry.encryptionType,
      ecr.encryption,
      "replace",
      registry.encryptionType === ecr.encryption,
    ),
    row(
      "kms_key",
      registry.kmsKey || "(none)",
      kmsKey ?? (ecr.encryption === "KMS" ? "(not set: keeps the key AWS chose)" : "(none)"),
      "replace",
      kmsKey === undefined || kmsKey === registry.kmsKey,
    ),
    row(
      "scan_on_push",
      String(registry.scanOnPush),
      String(ecr.scanOnPush),
      "update",
      registry.scanOnPush === ecr.scanOnPush,
    ),
    row(
      "force_delete",
      String(registry.forceDelete),
      String(ecr.forceDelete),
      "update",
      registry.forceDelete === ecr.forceDelete,
    ),
    row("tags", showTags(registry.tags), showTags(tags), "update", sameData(registry.tags, tags)),
    row(
      "tags_all",
      showTags(registry.tagsAll),
      showTags(tagsAll),
      "update",
      sameData(registry.tagsAll, tagsAll),
    ),
  ];
  const policy = registry.lifecyclePolicy?.policy;
  rows.push(
    policy === undefined
      ? row("lifecycle_policy", "(none)", ecr.lifecyclePolicy, "create", false)
      : row(
          "lifecycle_policy",
          policy,
          ecr.lifecyclePolicy,
          "update",
          sameData(parseJson(policy), parseJson(ecr.lifecyclePolicy)),
        ),
  );
  return rows;
}

/**
 * The drift of one registry as a table, for people: one value where both sides agree, both
 * where not, the registry's side labelled by `source` (`terraform state`, `live registry`);
 * then any notes (where a value came from, say).
 */
export function formatDrift(
  source: string,
  registry: string,
  rows: readonly DriftRow[],
  notes: readonly string[] = [],
): string {
  const width = Math.max(...rows.map((r) => r.attribute.length));
  const changes = rows.filter((r) => r.effect !== "same").length;
  const [existing, pipeline] = [`${source}:`, "trusted-delivery:"];
  const labelWidth = Math.max(existing.length, pipeline.length) + 1;
  const lines = [
    `Registry ${registry}: ${changes === 0 ? "adopts with no change" : `${changes} change${changes === 1 ? "" : "s"} on adoption`}`,
  ];
  for (const row of rows) {
    const lead = `  ${row.attribute.padEnd(width)}  ${(row.effect === "same" ? "same" : row.effect.toUpperCase()).padEnd(7)}  `;
    if (row.effect === "same") {
      lines.push(`${lead}${row.existing}`);
    } else {
      lines.push(`${lead}${existing.padEnd(labelWidth)}${row.existing}`);
      lines.push(`${" ".repeat(lead.length)}${pipeline.padEnd(labelWidth)}${row.pipeline}`);
    }
  }
  lines.push(...notes.map((note) => `  note: ${note}`));
  return lines.join("\n");
}
