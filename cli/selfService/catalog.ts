/**
 * `catalog`: the registries of a stack in the catalog format the platform's catalog uses.
 */
import YAML from "yaml";
import { PlatformConfig } from "../../programs/platform/config";

export interface CatalogHeader {
  readonly domain: string;
  readonly owner: string;
  readonly physicalRegistry: string;
  /** `YYYY-MM-DD`. */
  readonly lastUpdated: string;
}

/**
 * The registries of a stack in the platform's registry catalog format (the one Backstage and
 * audits read, as `ecr-catalog.yaml` had it).
 */
export function registryCatalog(
  config: PlatformConfig,
  header: CatalogHeader,
): Record<string, unknown> {
  return {
    version: "1.0",
    domain: header.domain,
    owner: header.owner,
    last_updated: header.lastUpdated,
    managed_by: header.owner,
    physical_registry: header.physicalRegistry,
    repositories: Object.fromEntries(
      Object.entries(config.apps).map(([name, { settings }]) => [
        name,
        {
          metadata: {
            id: settings.metadata.id,
            owner: settings.metadata.owner,
            risk: settings.metadata.risk,
            environment: config.environment,
            status: "active",
            ...(settings.metadata.description === undefined
              ? {}
              : { description: settings.metadata.description }),
          },
        },
      ]),
    ),
  };
}

/** The catalog as YAML, with the version and date quoted as YAML 1.1 readers need them. */
export function catalogYaml(catalog: Record<string, unknown>): string {
  const document = new YAML.Document(catalog);
  for (const key of ["version", "last_updated"]) {
    const node = document.get(key, true) as YAML.Scalar;
    node.type = "QUOTE_DOUBLE";
  }
  return document.toString();
}

/** Whether `text` is a day of the calendar written YYYY-MM-DD (2026-02-30 is not). */
export function isCalendarDate(text: string): boolean {
  const parsed = new Date(`${text}T00:00:00Z`);
  return (
    /^\d{4}-\d{2}-\d{2}$/.test(text) &&
    !Number.isNaN(parsed.getTime()) &&
    parsed.toISOString().slice(0, 10) === text
  );
}
