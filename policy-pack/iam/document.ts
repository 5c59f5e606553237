/**
 * IAM policy documents read the way IAM reads them: JSON text or an object; `Statement` one
 * object or a list; `Principal`/`NotPrincipal`, `Action`/`NotAction`, `Resource`/`NotResource`,
 * each one value or a list; `Effect` `Allow` or `Deny`; conditions as operator → key → values.
 *
 * Nothing here catches errors other than JSON syntax: a value unknown during a preview throws
 * the policy SDK's UnknownValueError when read, and callers decide what that means.
 */

export type Effect = "Allow" | "Deny";

/** `*`, or principal type (`AWS`, `Federated`, `Service`, `CanonicalUser`) to values. */
export type PrincipalValue = "*" | Readonly<Record<string, readonly string[]>>;

export interface ConditionEntry {
  /** The operator as written, e.g. `ForAnyValue:StringLikeIfExists`. */
  readonly operator: string;
  /** The condition key as written; IAM compares keys without letter case. */
  readonly key: string;
  readonly values: readonly string[];
}

export interface Statement {
  /** `statement "<Sid>"`, or `statement <n>` (1-based) without a Sid. */
  readonly label: string;
  readonly effect: Effect;
  /** Absent in identity policies. `not` for NotPrincipal. */
  readonly principal?: { readonly not: boolean; readonly value: PrincipalValue };
  /** `not` for NotAction. */
  readonly actions: { readonly not: boolean; readonly patterns: readonly string[] };
  /** Absent in trust and repository policies. `not` for NotResource. */
  readonly resources?: { readonly not: boolean; readonly patterns: readonly string[] };
  readonly conditions: readonly ConditionEntry[];
}

export interface PolicyDocument {
  /** `Version`: policy variables (`${...}`) are only read as such in "2012-10-17". */
  readonly version?: string;
  readonly statements: readonly Statement[];
}

export type ParsedDocument = PolicyDocument | { readonly error: string };

function list(value: unknown): unknown[] {
  if (value === undefined || value === null) {
    return [];
  }
  return Array.isArray(value) ? [...value] : [value];
}

function strings(value: unknown): string[] {
  return list(value).map((item) => String(item));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function principal(value: unknown): PrincipalValue | undefined {
  if (value === "*") {
    return "*";
  }
  if (typeof value === "string") {
    // IAM refuses a bare principal other than "*"; read it as an AWS principal.
    return { AWS: [value] };
  }
  if (!isObject(value)) {
    return undefined;
  }
  const principals: Record<string, string[]> = {};
  for (const [type, values] of Object.entries(value)) {
    principals[type] = strings(values);
  }
  return principals;
}

function conditions(value: unknown): ConditionEntry[] | undefined {
  if (value === undefined || value === null) {
    return [];
  }
  if (!isObject(value)) {
    return undefined;
  }
  const found: ConditionEntry[] = [];
  for (const [operator, entries] of Object.entries(value)) {
    if (!isObject(entries)) {
      return undefined;
    }
    for (const [key, values] of Object.entries(entries)) {
      found.push({ operator, key, values: strings(values) });
    }
  }
  return found;
}

/** Parses a policy document given as JSON text or as an object. */
export function parsePolicyDocument(document: unknown): ParsedDocument {
  let value = document;
  if (typeof document === "string") {
    try {
      value = JSON.parse(document);
    } catch {
      return { error: "is not valid JSON" };
    }
  }
  if (!isObject(value)) {
    return { error: "is not a policy document (a JSON object with a Statement list)" };
  }
  if (value.Statement === undefined) {
    return { error: "has no Statement" };
  }
  const statements: Statement[] = [];
  for (const [index, raw] of list(value.Statement).entries()) {
    if (!isObject(raw)) {
      return { error: `has a statement that is not an object (statement ${index + 1})` };
    }
    const label =
      typeof raw.Sid === "string" && raw.Sid !== ""
        ? `statement "${raw.Sid}"`
        : `statement ${index + 1}`;
    const effect = String(raw.Effect ?? "").toLowerCase();
    if (effect !== "allow" && effect !== "deny") {
      return {
        error: `has ${label} whose Effect is ${JSON.stringify(raw.Effect)}, not Allow or Deny`,
      };
    }
    const principalKey =
      raw.Principal !== undefined
        ? "Principal"
        : raw.NotPrincipal !== undefined
          ? "NotPrincipal"
          : undefined;
    const principalValue = principalKey === undefined ? undefined : principal(raw[principalKey]);
    if (principalKey !== undefined && principalValue === undefined) {
      return { error: `has ${label} whose ${principalKey} is not "*" or a map of principal types` };
    }
    const condition = conditions(raw.Condition);
    if (condition === undefined) {
      return { error: `has ${label} whose Condition is not a map of operators to keys and values` };
    }
    const notAction = raw.Action === undefined && raw.NotAction !== undefined;
    const resourceKey =
      raw.Resource !== undefined
        ? "Resource"
        : raw.NotResource !== undefined
          ? "NotResource"
          : undefined;
    statements.push({
      label,
      effect: effect === "allow" ? "Allow" : "Deny",
      ...(principalKey !== undefined && {
        principal: { not: principalKey === "NotPrincipal", value: principalValue! },
      }),
      actions: { not: notAction, patterns: strings(notAction ? raw.NotAction : raw.Action) },
      ...(resourceKey !== undefined && {
        resources: { not: resourceKey === "NotResource", patterns: strings(raw[resourceKey]) },
      }),
      conditions: condition,
    });
  }
  return {
    ...(typeof value.Version === "string" && { version: value.Version }),
    statements,
  };
}

/** Whether policy variables are read as such: only in the 2012-10-17 policy language. */
export function usesPolicyVariables(document: PolicyDocument): boolean {
  return document.version === "2012-10-17";
}

/**
 * A value left to be resolved later, such as a CloudFormation intrinsic function (`Fn::GetAtt`,
 * a `Ref` to a resource) in a template's policy document. The model reads it as "could be
 * anything": a statement that holds one is judged in the direction that grants access.
 */
export class Unresolved {
  constructor(
    /** What it is, for messages: `Fn::GetAtt Role.Arn`. */
    readonly reason: string,
  ) {}
}
