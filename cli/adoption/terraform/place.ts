import { Problem, problem } from "../../../components/problems";
import { AwsSettings } from "../../workspace/awsConfig";
import { RegistryPlace } from "../adoptionPlan";
import { listed } from "../../core/text";
import { TerraformRegistry } from "./state";

/**
 * The one region and account of all registries, from their ARNs, or a problem naming each
 * region (or account) and its registries.
 */
export function registryPlace(
  registries: readonly TerraformRegistry[],
  stateFile: string,
): { place: RegistryPlace; problems: Problem[] } {
  const problems: Problem[] = [];
  for (const what of ["region", "account"] as const) {
    const by = new Map<string, string[]>();
    for (const registry of registries) {
      by.set(registry[what], [...(by.get(registry[what]) ?? []), registry.name]);
    }
    if (by.size > 1) {
      const places = [...by].map(([place, names]) => `${place} (${names.join(", ")})`);
      problems.push({
        field: what,
        message: `the registries in ${stateFile} are in ${by.size} ${what === "region" ? "regions" : "accounts"}, ${listed(places)}; one stack is one region and one account: adopt each ${what}'s registries into a stack of its own, from a state that holds only those`,
      });
    }
  }
  return { place: { region: registries[0].region, account: registries[0].account }, problems };
}

/** What stops the stack from deploying where the registries are: its region or its accounts. */
export function stackPlaceProblems(
  aws: AwsSettings,
  place: RegistryPlace,
  stateFile: string,
): Problem[] {
  const problems: Problem[] = [];
  if (aws.region !== undefined && aws.region !== place.region) {
    problems.push(
      problem(
        "aws:region",
        aws.region,
        `must be the region of the registries in ${stateFile}, "${place.region}" (from their ARNs): a stack is one region; adopt them into a stack for ${place.region}`,
      ),
    );
  }
  if (aws.allowedAccountIds !== undefined && !aws.allowedAccountIds.includes(place.account)) {
    problems.push(
      problem(
        "aws:allowedAccountIds",
        aws.allowedAccountIds,
        `must include the account of the registries in ${stateFile}, "${place.account}" (from their ARNs): this stack deploys to another account; adopt them into that account's stack`,
      ),
    );
  }
  return problems;
}
