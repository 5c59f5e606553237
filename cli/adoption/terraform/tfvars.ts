import { parse } from "@cdktf/hcl2json";
import { InvalidInputError } from "../../core/errors";
import { Problem, isPlainObject, problem } from "../../../components/problems";
import { readUserFile } from "../../workspace/project";

/**
 * The registry module's default for an entry that does not set its risk: its variable is
 * `map(object({ metadata = object({ id = string, owner = string, risk = optional(string, "medium") }) }))`.
 */
export const moduleRiskDefault = "medium";

/** The module variable's type, as errors quote it. */
const moduleVariableType = `map(object({ metadata = object({ id = string, owner = string, risk = optional(string, "${moduleRiskDefault}") }) }))`;

/** A registry as the Terraform module's `ecr_repositories` variable declares it. */
export interface DeclaredRegistry {
  readonly id: string;
  readonly owner: string;
  readonly risk: string;
  /** True when the entry does not set risk, so the variable's default ({@link moduleRiskDefault}) applies. */
  readonly riskDefaulted: boolean;
}

/**
 * A tfvars value as Terraform converts it to `string`: strings as they are, numbers and bools
 * as their text; anything else (or null, for a required attribute) is not a string.
 */
function asTerraformString(value: unknown): string | undefined {
  if (typeof value === "string") {
    return value;
  }
  if (typeof value === "number" || typeof value === "boolean") {
    return String(value);
  }
  return undefined;
}

/**
 * The registries a tfvars file declares in its registry map (`ecr_repositories` by default),
 * parsed with HashiCorp's own HCL parser and converted as Terraform converts them to the module
 * variable's type: `id` and `owner` are required; `risk` is optional, and an entry without it
 * (or with null) gets the variable's default, {@link moduleRiskDefault}. Refuses, naming the
 * file, a file that cannot be read or does not parse, and entries the type refuses.
 */
export async function declaredRegistries(
  file: string,
  variable = "ecr_repositories",
  text = readUserFile(
    "--tfvars",
    file,
    "must be the environment's Terraform variables file (terraform.tfvars)",
  ),
): Promise<Record<string, DeclaredRegistry>> {
  const subject = `Terraform variables ${file}`;
  let document: Record<string, unknown>;
  try {
    document = await parse(file, text);
  } catch (e) {
    const reason = String((e as Error)?.message ?? e).replace(/^Error: /, "");
    throw new InvalidInputError(subject, [
      problem("file", file, `must be HCL that Terraform reads: ${reason}`),
    ]);
  }
  const registries = document[variable];
  if (!isPlainObject(registries)) {
    throw new InvalidInputError(subject, [
      problem(
        variable,
        registries,
        `must be a map of registry names to { metadata = { id, owner, risk } } (${moduleVariableType})`,
      ),
    ]);
  }
  const problems: Problem[] = [];
  const declared: Record<string, DeclaredRegistry> = {};
  for (const [name, entry] of Object.entries(registries)) {
    const converted = declaredRegistry(`${variable}["${name}"]`, entry);
    if ("problems" in converted) {
      problems.push(...converted.problems);
    } else {
      declared[name] = converted.registry;
    }
  }
  if (problems.length > 0) {
    throw new InvalidInputError(subject, problems);
  }
  return declared;
}

/**
 * One entry of the registry map, converted as Terraform converts it to the module variable's
 * type; or what the type refuses in it.
 */
function declaredRegistry(
  field: string,
  entry: unknown,
): { registry: DeclaredRegistry } | { problems: Problem[] } {
  const metadata = isPlainObject(entry) ? entry.metadata : undefined;
  if (!isPlainObject(entry) || !isPlainObject(metadata)) {
    return {
      problems: [
        isPlainObject(entry)
          ? problem(
              `${field}.metadata`,
              metadata,
              `must be { id, owner, risk }: the module's variable is ${moduleVariableType}`,
            )
          : problem(
              field,
              entry,
              `must be { metadata = { id, owner, risk } }: the module's variable is ${moduleVariableType}`,
            ),
      ],
    };
  }
  const problems: Problem[] = [];
  const id = asTerraformString(metadata.id);
  const owner = asTerraformString(metadata.owner);
  const defaulted = metadata.risk === undefined || metadata.risk === null;
  const risk = defaulted ? moduleRiskDefault : asTerraformString(metadata.risk);
  for (const [key, value, raw] of [
    ["id", id, metadata.id],
    ["owner", owner, metadata.owner],
  ] as const) {
    if (value === undefined) {
      problems.push(
        problem(
          `${field}.metadata.${key}`,
          raw,
          `must be a string: the module's variable requires id and owner (risk is optional, default "${moduleRiskDefault}")`,
        ),
      );
    }
  }
  if (risk === undefined) {
    problems.push(
      problem(
        `${field}.metadata.risk`,
        metadata.risk,
        `must be a string, or left out for the module's default "${moduleRiskDefault}"`,
      ),
    );
  }
  return id !== undefined && owner !== undefined && risk !== undefined
    ? { registry: { id, owner, risk, riskDefaulted: defaulted } }
    : { problems };
}
