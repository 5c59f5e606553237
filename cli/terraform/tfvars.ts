import { parse } from "@cdktf/hcl2json";
import * as fs from "fs";
import {
  InvalidArgumentsError,
  isPlainObject,
  Problem,
  problem,
} from "../../components/validation";

/** A registry as the Terraform module's `ecr_repositories` variable declares it. */
export interface DeclaredRegistry {
  readonly id: string;
  readonly owner: string;
  readonly risk: string;
}

/**
 * The registries a tfvars file declares in its registry map (`ecr_repositories` by default),
 * parsed with HashiCorp's own HCL parser. Refuses, naming the file, a file that does not parse
 * or a map whose entries lack `metadata = { id, owner, risk }`.
 */
export async function declaredRegistries(
  file: string,
  variable = "ecr_repositories",
  text = fs.readFileSync(file, "utf8"),
): Promise<Record<string, DeclaredRegistry>> {
  const subject = `Terraform variables ${file}`;
  let document: Record<string, unknown>;
  try {
    document = await parse(file, text);
  } catch (e) {
    const reason = String((e as Error)?.message ?? e).replace(/^Error: /, "");
    throw new InvalidArgumentsError(subject, [
      problem("file", file, `must be HCL that Terraform reads: ${reason}`),
    ]);
  }
  const registries = document[variable];
  if (!isPlainObject(registries)) {
    throw new InvalidArgumentsError(subject, [
      problem(
        variable,
        registries,
        "must be a map of registry names to { metadata = { id, owner, risk } }",
      ),
    ]);
  }
  const problems: Problem[] = [];
  const declared: Record<string, DeclaredRegistry> = {};
  for (const [name, entry] of Object.entries(registries)) {
    const metadata = isPlainObject(entry) ? entry.metadata : undefined;
    if (
      !isPlainObject(metadata) ||
      typeof metadata.id !== "string" ||
      typeof metadata.owner !== "string" ||
      typeof metadata.risk !== "string"
    ) {
      problems.push(
        problem(
          `${variable}["${name}"].metadata`,
          metadata,
          "must be { id, owner, risk } as strings",
        ),
      );
      continue;
    }
    declared[name] = { id: metadata.id, owner: metadata.owner, risk: metadata.risk };
  }
  if (problems.length > 0) {
    throw new InvalidArgumentsError(subject, problems);
  }
  return declared;
}
