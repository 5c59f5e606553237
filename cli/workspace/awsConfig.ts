import { awsRegionList, knownRegions, regionStatus } from "../../components/awsRegions";
import { Problem, isPlainObject, problem } from "../../components/problems";
import { didYouMeanText } from "../core/suggest";

/** The AWS provider settings of a stack the CLI reads, checked. */
export interface AwsSettings {
  /** `aws:region`, if set. */
  readonly region?: string;
  /** `aws:defaultTags.tags`: what the provider adds to every resource's tags. */
  readonly defaultTags: Readonly<Record<string, string>>;
  /** `aws:allowedAccountIds`, if set: the accounts the provider may act in. */
  readonly allowedAccountIds?: readonly string[];
}

/**
 * The shape of AWS region names (`eu-west-2`, `us-gov-west-1`, `cn-north-1`): a shape only, which
 * `eu-wst-2` has too: check names with {@link regionProblem}, which knows the regions.
 */
export const regionPattern = /^[a-z]{2}(?:-[a-z]+)+-\d+$/;

/**
 * Why `value`, given as `field` (`--region`, `aws:region`), is not an AWS region, or undefined
 * when the installed AWS SDK lists it (`components/awsRegions.ts`). The problem names the field
 * and the value, and the nearest regions when one is near (`eu-wst-2`: did you mean
 * "eu-west-2"?). A name of a region's form that the SDK does not list is refused too, saying the
 * SDK's version: a region launched since needs a newer SDK, and a slip must not pass for one.
 */
export function regionProblem(field: string, value: unknown): Problem | undefined {
  const status = typeof value === "string" ? regionStatus(value) : undefined;
  if (status?.kind === "listed") {
    return undefined;
  }
  const nearest = typeof value === "string" ? didYouMeanText(value, knownRegions()) : "";
  if (status?.kind === "unlisted") {
    const { source } = awsRegionList();
    return problem(
      field,
      value,
      `must be a region the AWS SDK lists, and ${source} lists none of this name in partition ${status.partition} (if AWS launched it since, upgrade the SDK: npm update ${source.split(" ")[0]})${nearest}`,
    );
  }
  return problem(field, value, `must be an AWS region, e.g. "eu-west-2"${nearest}`);
}

const accountIdPattern = /^\d{12}$/;

/** Config as the language host passes it (maps as JSON text) or as a stack file holds it. */
function structured(value: unknown): { value: unknown; json: boolean } {
  if (typeof value !== "string") {
    return { value, json: true };
  }
  try {
    return { value: JSON.parse(value), json: true };
  } catch {
    return { value, json: false };
  }
}

/**
 * Reads `aws:region`, `aws:defaultTags` and `aws:allowedAccountIds` from a stack's config,
 * whether as the language host passes it (maps as JSON text) or as the stack file holds it,
 * with every problem in the `<field> is <value>; <what is allowed>` form. Tag values that are
 * numbers or booleans become strings, as the provider makes them.
 */
export function readAwsSettings(config: Readonly<Record<string, unknown>>): {
  settings: AwsSettings;
  problems: Problem[];
} {
  const problems: Problem[] = [];
  let region: string | undefined;
  if (config["aws:region"] !== undefined) {
    // Shown as the stack file has it, not as the JSON text the language host would pass.
    const { value } = structured(config["aws:region"]);
    const bad = regionProblem("aws:region", value);
    if (bad === undefined) {
      region = value as string;
    } else {
      problems.push(bad);
    }
  }

  let defaultTags: Record<string, string> = {};
  if (config["aws:defaultTags"] !== undefined) {
    const { value, json } = structured(config["aws:defaultTags"]);
    const allowed =
      "must be { tags: { <key>: <value> } } (or JSON text of it), e.g. { tags: { ManagedBy: pulumi } }";
    const tags = isPlainObject(value) ? value.tags : undefined;
    if (!json) {
      problems.push(problem("aws:defaultTags", value, `${allowed}; this text is not JSON`));
    } else if (!isPlainObject(value) || !isPlainObject(tags)) {
      problems.push(problem("aws:defaultTags", value, allowed));
    } else {
      for (const key of Object.keys(value).filter((k) => k !== "tags")) {
        problems.push({
          field: `aws:defaultTags.${key}`,
          message: `aws:defaultTags.${key} is not a setting of the AWS provider's default tags; allowed: tags`,
        });
      }
      for (const [key, tag] of Object.entries(tags)) {
        if (typeof tag === "string" || typeof tag === "number" || typeof tag === "boolean") {
          defaultTags[key] = String(tag);
        } else {
          problems.push(problem(`aws:defaultTags.tags.${key}`, tag, "must be a string"));
        }
      }
    }
    if (problems.some((p) => p.field.startsWith("aws:defaultTags"))) {
      defaultTags = {};
    }
  }

  let allowedAccountIds: string[] | undefined;
  if (config["aws:allowedAccountIds"] !== undefined) {
    const { value } = structured(config["aws:allowedAccountIds"]);
    const ids = Array.isArray(value) ? value.map((id) => String(id)) : undefined;
    if (ids === undefined || ids.length === 0 || !ids.every((id) => accountIdPattern.test(id))) {
      problems.push(
        problem(
          "aws:allowedAccountIds",
          value,
          'must be a list of 12-digit AWS account ids, as strings, e.g. ["123456789012"]',
        ),
      );
    } else {
      allowedAccountIds = ids;
    }
  }
  return {
    settings: {
      ...(region === undefined ? {} : { region }),
      defaultTags,
      ...(allowedAccountIds === undefined ? {} : { allowedAccountIds }),
    },
    problems,
  };
}
