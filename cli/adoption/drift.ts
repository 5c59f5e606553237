import { PipelineSettings } from "../../components/pipelineSettings";
import {
  RegistryAttribute,
  registryAttributeNames,
  registryAttributes,
} from "../registry/attributes";
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

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Every attribute a pipeline sets on its repository and lifecycle policy (the attribute table's,
 * `cli/registry/attributes.ts`), against what the registry has where it was found (a Terraform
 * state, or the account), with what `pulumi up` would do: keep it (`same`), change it in place
 * (`update`), recreate the repository and lose its images (`replace`), or add a lifecycle policy
 * the registry lacked (`create`). Tags are compared as the pipeline sets them beside the AWS
 * provider's default tags, and the lifecycle policy as JSON.
 */
export function registryDrift(
  registry: ExistingRegistry,
  settings: PipelineSettings,
  providerDefaultTags: Readonly<Record<string, string>>,
): DriftRow[] {
  const rows: DriftRow[] = registryAttributeNames.map((name) => {
    const attribute = registryAttributes[name] as RegistryAttribute<unknown>;
    const existing = registry[name];
    const pipeline = attribute.pipeline(settings, providerDefaultTags);
    return {
      attribute: attribute.terraform,
      existing: attribute.show(existing),
      pipeline:
        pipeline === undefined ? (attribute.unset ?? "(not set)") : attribute.show(pipeline),
      effect: pipeline === undefined || sameData(existing, pipeline) ? "same" : attribute.onChange,
    };
  });
  const policy = registry.lifecyclePolicy?.policy;
  const { lifecyclePolicy } = settings.ecr;
  rows.push({
    attribute: "lifecycle_policy",
    existing: policy ?? "(none)",
    pipeline: lifecyclePolicy,
    effect:
      policy === undefined
        ? "create"
        : sameData(parseJson(policy), parseJson(lifecyclePolicy))
          ? "same"
          : "update",
  });
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
