import type { ReportViolation } from "@pulumi/policy";
import { normalize, ResourceLike, UnreadableDesiredState } from "../resources/normalize";
import { isUnknownValueError } from "../resources/stackIndex";

/**
 * Runs a resource policy's check, reporting a Cloud Control resource whose desired state cannot
 * be read (it cannot be judged, so it does not pass). A value unknown during a preview still
 * reaches the policy SDK, which reports that the check cannot run until the update.
 */
export function judgeResource(
  resource: ResourceLike,
  report: ReportViolation,
  check: () => void,
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
  check();
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
