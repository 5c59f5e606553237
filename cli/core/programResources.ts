/**
 * Resources as a run of a program registers them, and the app each belongs to: shared by the
 * offline plan and `trust-diff`, which both read a run's registrations.
 */
import { trustedDeliveryPipelineType } from "../../components/names";

/** What finding a resource's app needs of a registration. */
export interface ParentedResource {
  readonly urn: string;
  readonly type: string;
  readonly parent?: string;
}

/**
 * The app each resource belongs to: the pipeline it is, or the nearest pipeline among its
 * ancestors; undefined for a resource outside every app.
 */
export function pipelineFinder<R extends ParentedResource>(
  resources: readonly R[],
): (resource: R) => R | undefined {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  return (resource) => {
    for (let r: R | undefined = resource; r; r = r.parent ? byUrn.get(r.parent) : undefined) {
      if (r.type === trustedDeliveryPipelineType) {
        return r;
      }
    }
    return undefined;
  };
}
