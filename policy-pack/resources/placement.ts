/**
 * Where a resource lives, as the stack knows it: its own ARN once it exists (or its registry's
 * account), else its provider's region and `allowedAccountIds`. What cannot be read (unknown
 * during a preview) is left out, and the model reads what is left out as any.
 */
import { Placement, placementOf } from "../iam/placement";
import { ResourceLike } from "./normalize";
import { knownOrUndefined } from "./known";

/** A resource with the provider the engine gives policies. */
export interface PlacedResource extends ResourceLike {
  readonly provider?: { readonly props: Record<string, any> };
}

export function placementOfResource(resource: PlacedResource): Placement {
  const read = <T>(f: () => T) => knownOrUndefined(f);
  const arn = read(() => resource.props.arn);
  const registryId = read(() => resource.props.registryId);
  const provider = read(() => resource.provider?.props);
  const region = read(() => provider?.region);
  const allowed = read(() => provider?.allowedAccountIds);
  const placement = placementOf({ arn, region, allowedAccountIds: allowed });
  if (
    placement.accounts === undefined &&
    typeof registryId === "string" &&
    /^\d{12}$/.test(registryId)
  ) {
    return { ...placement, accounts: [registryId] };
  }
  return placement;
}
