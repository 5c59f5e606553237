import { Problem, isPlainObject, problem } from "../../components/problems";

/** The AWS provider settings of a stack the CLI reads, checked. */
export interface AwsSettings {
  /** `aws:region`, if set. */
  readonly region?: string;
  /** `aws:defaultTags.tags`: what the provider adds to every resource's tags. */
  readonly defaultTags: Readonly<Record<string, string>>;
  /** `aws:allowedAccountIds`, if set: the accounts the provider may act in. */
  readonly allowedAccountIds?: readonly string[];
}

/** AWS region names: `eu-west-2`, `us-gov-west-1`, `cn-north-1`, `us-isob-east-1`. */
export const regionPattern = /^[a-z]{2}(?:-[a-z]+)+-\d+$/;
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
    const raw = config["aws:region"];
    if (typeof raw === "string" && regionPattern.test(raw)) {
      region = raw;
    } else {
      // Shown as the stack file has it, not as the JSON text the language host would pass.
      const { value } = structured(raw);
      problems.push(problem("aws:region", value, 'must be an AWS region, e.g. "eu-west-2"'));
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
