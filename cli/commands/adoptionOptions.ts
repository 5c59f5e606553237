/**
 * The options both adoption commands take (`adopt-terraform`, `adopt-aws`), and how they are
 * read: the app repositories, acceptance of in-place changes, the import file, a dry run.
 */
import { UsageError } from "../core/errors";
import { unwritableTargetProblem } from "../workspace/fileWrites";
import { CommandOption } from "./command";

/** The options both adoption commands take, as the usage lists them. */
export const adoptionOptions = {
  "github-owner": {
    type: "string",
    help: "Owner of the app repositories: <owner>/<registry name>.",
  },
  "github-repository": {
    type: "string",
    multiple: true,
    help: "<registry>=<owner>/<name>, for an app repository not named after its registry. Repeatable.",
  },
  "accept-changes": {
    type: "boolean",
    help: "Write even when adoption changes registries in place (never when it replaces one).",
  },
  "import-file": {
    type: "string",
    help: "Also write the imports as a `pulumi import --file` JSON document here.",
  },
  "dry-run": { type: "boolean", help: "Show what would be written, and write nothing." },
} as const satisfies Record<string, CommandOption>;

/**
 * `<registry>=<value>` options (`--github-repository staging-api=acme/api`) as a map, refusing a
 * value not of that form (`form`, e.g. `<registry>=<owner>/<name>`) and a registry given twice
 * with different values.
 */
export function registryMappings(
  flag: string,
  values: unknown,
  form: string,
  example: string,
): Record<string, string> {
  const mappings: Record<string, string> = {};
  for (const value of (values as string[] | undefined) ?? []) {
    const match = /^([^=]+)=(.+)$/.exec(value);
    if (!match) {
      throw new UsageError(`${flag} is ${JSON.stringify(value)}; must be ${form}, e.g. ${example}`);
    }
    if (match[1] in mappings && mappings[match[1]] !== match[2]) {
      throw new UsageError(
        `${flag} ${match[1]} is given twice, as ${mappings[match[1]]} and ${match[2]}; give it once`,
      );
    }
    mappings[match[1]] = match[2];
  }
  return mappings;
}

/** `--import-file`, refused before anything is read when it cannot be written. */
export function importFileOption(options: Record<string, unknown>): string | undefined {
  const importFile = options["import-file"] as string | undefined;
  const issue =
    importFile === undefined ? undefined : unwritableTargetProblem("--import-file", importFile);
  if (issue !== undefined) {
    throw new UsageError(issue);
  }
  return importFile;
}
