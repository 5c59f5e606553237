import { governanceTagKeys } from "../../../components/defaults";
import { isRiskLevel } from "../../../components/riskTiers";
import { Problem, problem } from "../../../components/problems";
import { RegistryMetadata } from "../../../components/pipelineArgs";
import { TerraformRegistry } from "./state";
import { DeclaredRegistry, moduleRiskDefault } from "./tfvars";

/**
 * Each registry's governance metadata, read from its governance tags; a registry without them
 * (or with a risk that is no level) is a problem: it must be governed in Terraform first.
 */
export function metadataFromTags(
  registries: readonly TerraformRegistry[],
  tagPrefix: string,
): { metadata: Map<string, RegistryMetadata>; problems: Problem[] } {
  const keys = governanceTagKeys(tagPrefix);
  const metadata = new Map<string, RegistryMetadata>();
  const problems: Problem[] = [];
  for (const registry of registries) {
    const [id, owner, risk] = [keys.id, keys.owner, keys.risk].map((key) => registry.tags[key]);
    if (id === undefined || owner === undefined || !isRiskLevel(risk)) {
      problems.push(
        problem(
          `${registry.address}.tags`,
          registry.tags,
          `must carry ${keys.id}, ${keys.owner} and ${keys.risk} (low, medium or high) to be adopted as a governed registry: tag it in Terraform and apply first`,
        ),
      );
      continue;
    }
    metadata.set(registry.name, { id, owner, risk });
  }
  return { metadata, problems };
}

/** Where the tfvars come from, as the problems name them. */
export interface TfvarsSource {
  readonly file: string;
  readonly variable: string;
}

/**
 * Where the tfvars and the state disagree: a registry declared but not applied, one applied but
 * no longer declared (Terraform would destroy it), or metadata the variables set differently
 * from the tags the state holds. Adoption needs them to agree, so the stack says what
 * Terraform did.
 */
export function tfvarsStateProblems(
  declared: Readonly<Record<string, DeclaredRegistry>>,
  source: TfvarsSource,
  registries: readonly TerraformRegistry[],
  metadata: ReadonlyMap<string, RegistryMetadata>,
  tagPrefix: string,
): Problem[] {
  const { file, variable } = source;
  const keys = governanceTagKeys(tagPrefix);
  const problems: Problem[] = [];
  for (const [name, entry] of Object.entries(declared)) {
    const tagged = metadata.get(name);
    if (!registries.some((r) => r.name === name)) {
      problems.push(
        problem(
          `${variable}["${name}"]`,
          { id: entry.id, owner: entry.owner, risk: entry.risk },
          `is declared in ${file} but absent from the state: apply Terraform first, or remove it`,
        ),
      );
    } else if (tagged !== undefined) {
      for (const key of ["id", "owner", "risk"] as const) {
        if (tagged[key] !== entry[key]) {
          const defaulted =
            key === "risk" && entry.riskDefaulted
              ? ` (the entry does not set risk, so the module's default "${moduleRiskDefault}" applies)`
              : "";
          problems.push(
            problem(
              `${variable}["${name}"].metadata.${key}`,
              entry[key],
              `must match the registry's tag ${keys[key]} in state, ${JSON.stringify(tagged[key])}${defaulted}: apply Terraform so state and variables agree`,
            ),
          );
        }
      }
    }
  }
  for (const registry of registries) {
    if (!(registry.name in declared)) {
      problems.push(
        problem(
          registry.address,
          registry.name,
          `is in the state but not declared in ${variable} of ${file}: Terraform would destroy it; reconcile them first`,
        ),
      );
    }
  }
  return problems;
}
