import { charsOf, concat, Language, literal, union } from "./automaton";

/**
 * Where a resource lives, as far as the stack knows it: its partition, account and region. A
 * field left out is not known, and the model then reads it as "any" (MODEL.md, "Context is
 * known or any"): nothing is guessed from the document being judged.
 */

export interface Placement {
  /** The partitions it may be in (`aws`, `aws-cn`, ...); absent: any. */
  readonly partitions?: readonly string[];
  /** The accounts it may be in (12-digit ids); absent: any. */
  readonly accounts?: readonly string[];
  /** The regions it may be in; absent: any. */
  readonly regions?: readonly string[];
}

/** Nothing known. */
export const unplaced: Placement = Object.freeze({});

/** AWS's partitions. */
export const awsPartitions: readonly string[] = [
  "aws",
  "aws-cn",
  "aws-us-gov",
  "aws-iso",
  "aws-iso-b",
  "aws-iso-e",
  "aws-iso-f",
  "aws-eusc",
];

/** The partition of a region, from AWS's region naming; undefined for a name it does not know. */
export function partitionOfRegion(region: string): string | undefined {
  const prefixes: [RegExp, string][] = [
    [/^cn-/, "aws-cn"],
    [/^us-gov-/, "aws-us-gov"],
    [/^us-isob-/, "aws-iso-b"],
    [/^us-iso-/, "aws-iso"],
    [/^eu-isoe-/, "aws-iso-e"],
    [/^us-isof-/, "aws-iso-f"],
    [/^eusc-/, "aws-eusc"],
    [/^[a-z]{2}-[a-z]+-\d+$/, "aws"],
  ];
  return prefixes.find(([pattern]) => pattern.test(region))?.[1];
}

const arnPattern = /^arn:(aws[a-z-]*):[a-z0-9-]+:([a-z0-9-]*):(\d{12})?:/;

/**
 * What a resource's own ARN (when known), its provider's region and `allowedAccountIds` say. The
 * ARN is the resource's, so it is the truth; the provider's settings bound what it can be.
 */
export function placementOf(known: {
  readonly arn?: unknown;
  readonly region?: unknown;
  readonly allowedAccountIds?: unknown;
}): Placement {
  const match = typeof known.arn === "string" ? arnPattern.exec(known.arn) : null;
  if (match && match[3] !== undefined) {
    return {
      partitions: [match[1]],
      accounts: [match[3]],
      ...(match[2] !== "" && { regions: [match[2]] }),
    };
  }
  const region = typeof known.region === "string" ? known.region : undefined;
  const partition = region === undefined ? undefined : partitionOfRegion(region);
  const accounts = Array.isArray(known.allowedAccountIds)
    ? known.allowedAccountIds.filter(
        (a): a is string => typeof a === "string" && /^\d{12}$/.test(a),
      )
    : [];
  return {
    ...(partition !== undefined && { partitions: [partition] }),
    ...(accounts.length > 0 && { accounts }),
    ...(region !== undefined && { regions: [region] }),
  };
}

/**
 * The partition part of an ARN in the placement's partitions; when it is not known, `aws` and
 * anything of letters and `-` after it: every partition there is (and names there are not, which
 * only makes the model look at more principals than exist: never fewer).
 */
export function partitionLanguage(placement: Placement): Language {
  return placement.partitions === undefined
    ? concat(literal("aws"), [[{ set: charsOf("abcdefghijklmnopqrstuvwxyz-"), repeat: true }]])
    : union(...placement.partitions.map((p) => literal(p)));
}
