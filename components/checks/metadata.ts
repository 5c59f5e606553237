import { isRiskLevel, riskLevels } from "../../policy-pack/governance/registry";
import { RegistryMetadata } from "../pipelineArgs";
import { registryIdProblem, tagValueProblem } from "../formats";
import {
  Checked,
  checked,
  Fields,
  fieldNames,
  isPlainObject,
  Problem,
  problem,
  unknownKeys,
} from "../problems";

/** The key list of its interface, tied to it by the compiler. */
export const metadataFields = {
  id: true,
  owner: true,
  risk: true,
  description: true,
} as const satisfies Fields<RegistryMetadata>;

/** The governance metadata, checked. */
export function checkMetadata(metadata: unknown): Checked<RegistryMetadata> {
  if (!isPlainObject(metadata)) {
    return {
      problems: [problem("metadata", metadata, "must be an object with id, owner and risk")],
    };
  }
  const problems: Problem[] = unknownKeys("metadata", metadata, fieldNames(metadataFields));
  const idProblem = registryIdProblem("metadata.id", metadata.id);
  if (idProblem) {
    problems.push(idProblem);
  }
  if (typeof metadata.owner !== "string" || metadata.owner.trim() === "") {
    problems.push(
      problem("metadata.owner", metadata.owner, 'must name the owning team, e.g. "team-payments"'),
    );
  } else {
    const ownerProblem = tagValueProblem("metadata.owner", metadata.owner);
    if (ownerProblem) {
      problems.push(ownerProblem);
    }
  }
  if (!isRiskLevel(metadata.risk)) {
    problems.push(
      problem(
        "metadata.risk",
        metadata.risk,
        `must be one of ${riskLevels.map((r) => `"${r}"`).join(", ")}`,
      ),
    );
  }
  if (
    metadata.description !== undefined &&
    (typeof metadata.description !== "string" || metadata.description.length > 1000)
  ) {
    problems.push(
      problem(
        "metadata.description",
        metadata.description,
        "must be a string of up to 1000 characters",
      ),
    );
  }
  return checked(problems, () => ({
    id: metadata.id as string,
    owner: metadata.owner as string,
    risk: metadata.risk as RegistryMetadata["risk"],
    ...(metadata.description === undefined ? {} : { description: metadata.description as string }),
  }));
}
