/**
 * The AWS regions, as the AWS SDK installed with this package lists them: the partitions file
 * (`partitions.json`) the SDK's clients resolve endpoints with, read from the copy of
 * `@aws-sdk/core` that `@aws-sdk/client-ecr` itself loads. Never a list copied by hand: the SDK
 * adds a region the day AWS launches it, and a copy here would fall behind without a sign.
 *
 * Each partition (`aws`, `aws-cn`, `aws-us-gov`, ...) lists its regions and gives a
 * `regionRegex`. A name the regex matches but the list lacks is refused, not accepted with a
 * note. The regex is there so that the SDK can build an endpoint for a region launched after
 * its release; it does not tell names from slips: `eu-wst-2` matches the `aws` partition's
 * `^(us|eu|ap|...)\-\w+\-\d+$`, and accepting it would accept exactly the typo a check of region
 * names is for. A wrong region is not harmless either: it is written into stack files (adoption
 * binds a stack to it), and a registry read in a region that does not exist is an empty one. The
 * cost of refusing is an upgrade when AWS launches a region after the installed SDK: a few
 * regions a year, and the message says so.
 *
 * Names the lists hold that are no region (`aws-global`, `aws-cn-global`: the pseudo-regions of
 * global endpoints) do not match their partition's own regex, which is how they are left out,
 * without naming them here.
 */
import * as fs from "fs";
import * as path from "path";

/** A partition of AWS and the regions the SDK lists in it. */
export interface AwsPartition {
  /** `aws`, `aws-cn`, `aws-us-gov`, `aws-iso`, ... */
  readonly id: string;
  /** What the SDK takes for a region of this partition it does not list (a newer one). */
  readonly regionRegex: RegExp;
  /** The regions it lists, sorted; pseudo-regions (`aws-global`) left out. */
  readonly regions: readonly string[];
}

/** Every partition, and where the list was read. */
export interface AwsRegionList {
  /** The package the list is from, with its version: `@aws-sdk/core 3.981.1`. */
  readonly source: string;
  readonly partitions: readonly AwsPartition[];
}

/** What a name is to the SDK's list. */
export type RegionStatus =
  | { readonly kind: "listed"; readonly partition: string }
  /** Matches a partition's `regionRegex`, but the list lacks it: a slip, or newer than the SDK. */
  | { readonly kind: "unlisted"; readonly partition: string }
  | { readonly kind: "unknown" };

/**
 * Where SDK releases have kept the partitions, newest layout first, relative to the package
 * named. `@aws-sdk/core` bundles them since it absorbed `@aws-sdk/util-endpoints`; the older
 * package shipped the JSON file itself.
 */
const locations: readonly { readonly pkg: string; readonly file: string }[] = [
  { pkg: "@aws-sdk/core", file: "dist-es/submodules/client/util-endpoints/lib/aws/partitions.js" },
  { pkg: "@aws-sdk/util-endpoints", file: "dist-cjs/lib/aws/partitions.json" },
];

interface PartitionsFile {
  readonly partitions: readonly {
    readonly id: string;
    readonly regionRegex: string;
    readonly regions: Readonly<Record<string, unknown>>;
  }[];
}

/** The package's directory as the ECR client resolves it, or undefined when it is not there. */
function packageDirectory(pkg: string): string | undefined {
  try {
    const client = path.dirname(require.resolve("@aws-sdk/client-ecr/package.json"));
    return path.dirname(require.resolve(`${pkg}/package.json`, { paths: [client] }));
  } catch {
    return undefined;
  }
}

/** The JSON of the partitions, whether a `.json` file or the module that exports it as data. */
function parsePartitions(text: string): PartitionsFile {
  // The module is `export const partitionsInfo = { ...JSON... };`, generated from the JSON file.
  const json = text.slice(text.indexOf("{"), text.lastIndexOf("}") + 1);
  return JSON.parse(json) as PartitionsFile;
}

function readRegionList(): AwsRegionList {
  for (const { pkg, file } of locations) {
    const dir = packageDirectory(pkg);
    const full = dir === undefined ? undefined : path.join(dir, file);
    if (full === undefined || !fs.existsSync(full)) {
      continue;
    }
    const version = String(
      (JSON.parse(fs.readFileSync(path.join(dir!, "package.json"), "utf8")) as { version?: string })
        .version,
    );
    const partitions = parsePartitions(fs.readFileSync(full, "utf8")).partitions.map((p) => {
      const regionRegex = new RegExp(p.regionRegex);
      return {
        id: p.id,
        regionRegex,
        regions: Object.keys(p.regions)
          .filter((name) => regionRegex.test(name))
          .sort(),
      };
    });
    return { source: `${pkg} ${version}`, partitions };
  }
  // A bug of this package against a new SDK layout, not the user's to fix: loud, with a stack.
  throw new Error(
    `the AWS SDK's partitions (its region list) are in none of the places they have been: ${locations
      .map((l) => `${l.pkg}/${l.file}`)
      .join(", ")}; components/awsRegions.ts must learn where this SDK keeps them`,
  );
}

let cached: AwsRegionList | undefined;

/** The SDK's partitions and regions, read once per process. */
export function awsRegionList(): AwsRegionList {
  cached ??= readRegionList();
  return cached;
}

/** Every region the SDK lists, in every partition, sorted. */
export function knownRegions(): string[] {
  return awsRegionList()
    .partitions.flatMap((p) => p.regions)
    .sort();
}

/** Whether the SDK lists `name` as a region, and in which partition. */
export function regionStatus(name: string): RegionStatus {
  const { partitions } = awsRegionList();
  const listed = partitions.find((p) => p.regions.includes(name));
  if (listed !== undefined) {
    return { kind: "listed", partition: listed.id };
  }
  const matching = partitions.find((p) => p.regionRegex.test(name));
  return matching === undefined
    ? { kind: "unknown" }
    : { kind: "unlisted", partition: matching.id };
}
