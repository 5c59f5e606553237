/**
 * The regions an account has enabled (EC2 DescribeRegions), which the audit reads when no
 * `--region` is given: a registry in a region nobody thought to name is still a registry.
 */
import { DescribeRegionsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { attempt, Unread } from "./unread";

/**
 * The account's enabled regions of its partition (`inPartition` says which are), sorted, or why
 * they could not be listed.
 *
 * `AllRegions: false` asks for the enabled ones only (opt-in regions the account opted in to, and
 * the regions that need no opt-in). The answer is filtered again all the same: a region marked
 * `not-opted-in` is not read (its endpoints refuse the account's credentials), nor one of another
 * partition (its credentials are another's); an emulator lists both.
 */
export async function readEnabledRegions(
  ec2: EC2Client,
  inPartition: (region: string) => boolean,
): Promise<readonly string[] | Unread> {
  const answer = await attempt("ec2:DescribeRegions", { region: await ec2.config.region() }, () =>
    ec2.send(new DescribeRegionsCommand({ AllRegions: false })),
  );
  if (answer instanceof Unread) {
    return answer;
  }
  return (answer?.Regions ?? [])
    .filter((r) => r.RegionName !== undefined && r.OptInStatus !== "not-opted-in")
    .map((r) => r.RegionName!)
    .filter(inPartition)
    .sort();
}

/**
 * Which regions an audit reads: the ones given, or (none given) every region the account has
 * enabled, listed from `home`, the region the SDK is configured with, which also signs the
 * global services' calls.
 */
export interface RegionSelection {
  readonly home: string;
  /** The `--region`s; undefined: every enabled region of each account read. */
  readonly given?: readonly string[];
}

/** How the selection reads in progress lines and reports: the regions, or "every enabled region". */
export function describeSelection(selection: RegionSelection): string {
  return selection.given === undefined
    ? `every enabled region (listed from ${selection.home})`
    : selection.given.join(", ");
}
