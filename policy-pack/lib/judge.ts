import type { ReportViolation } from "@pulumi/policy";
import { declaredResources, JudgedResource } from "../resources/declared";
import { normalize, UnreadableDesiredState } from "../resources/normalize";
import { PlacedResource } from "../resources/placement";
import { isUnknownValueError } from "../resources/known";
import { StackIndex, StackResource } from "../resources/stackIndex";
import { registrySettings } from "../resources/registries";
import { governanceTagKeys } from "../governance/registry";
import { awsNativeTypes, awsTypes } from "../governance/typeTokens";

export type { JudgedResource } from "../resources/declared";

/**
 * Runs a resource policy's check on the resource and on every resource a CloudFormation
 * template it deploys declares (their violations say which template declares them), reporting
 * a Cloud Control resource whose desired state cannot be read (it cannot be judged, so it does
 * not pass). A value unknown during a preview still reaches the policy SDK, which reports that
 * the check cannot run until the update.
 */
export function judgeResource(
  resource: PlacedResource & { readonly name: string },
  report: ReportViolation,
  check: (resource: JudgedResource, report: ReportViolation) => void,
): void {
  try {
    normalize(resource);
  } catch (e) {
    if (e instanceof UnreadableDesiredState) {
      report(`${e.message}: give a desired state the policies can read`);
      return;
    }
    throw e;
  }
  check(resource, report);
  for (const { judged } of declaredResources(resource)) {
    check(judged, (message, urn) => report(`${judged.declaredBy}: ${message}`, urn));
  }
}

/**
 * Runs a stack policy's check on each resource on its own: a resource whose values are unknown
 * during a preview is skipped (it is judged at the update, when they are known), and never
 * keeps the others from being judged.
 */
export function eachKnown<T>(resources: readonly T[], check: (resource: T) => void): void {
  for (const resource of resources) {
    try {
      check(resource);
    } catch (e) {
      if (!isUnknownValueError(e) && !(e instanceof UnreadableDesiredState)) {
        throw e;
      }
    }
  }
}

/**
 * A stack policy's report: a violation of a resource a CloudFormation template declares is
 * reported on the template's stack (the engine knows no other resource), naming the resource.
 */
export function stackReporter(
  resources: readonly StackResource[],
  report: ReportViolation,
): ReportViolation {
  const index = StackIndex.of(resources);
  return (message, urn) => {
    const declared = urn === undefined ? undefined : index.declaredIn(urn);
    if (declared === undefined) {
      report(message, urn);
    } else {
      report(`${declared.declaredBy}: ${message}`, declared.urn);
    }
  };
}

/**
 * Each ECR repository of the stack (either provider's) tagged with one of `riskLevels` under
 * `tagPrefix`'s risk key, with its name (undefined when the stack does not know it) and risk:
 * the repositories a rule about a risk tier's registry-wide settings judges. Values unknown
 * during a preview skip the repository, as {@link eachKnown} does.
 */
export function eachRepositoryOfRisk(
  index: StackIndex,
  tagPrefix: string,
  riskLevels: readonly string[],
  judge: (repository: StackResource, name: string | undefined, risk: string) => void,
): void {
  const riskKey = governanceTagKeys(tagPrefix).risk;
  eachKnown(
    index.ofTypes(awsTypes.ecrRepository, awsNativeTypes.ecrRepository),
    (repository: StackResource) => {
      const registry = registrySettings(repository)!;
      const risk = registry.tags()[riskKey];
      if (typeof risk === "string" && riskLevels.includes(risk)) {
        judge(repository, registry.name, risk);
      }
    },
  );
}
