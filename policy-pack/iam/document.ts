/**
 * IAM policy documents read the way IAM reads them: JSON text or an object; `Statement` one
 * object or a list; `Principal`/`NotPrincipal`, `Action`/`NotAction`, `Resource`/`NotResource`,
 * each one value or a list; `Effect` `Allow` or `Deny`; conditions as operator → key → values.
 *
 * Nothing here catches errors other than JSON syntax: a value unknown during a preview throws
 * the policy SDK's UnknownValueError when read, and callers decide what that means.
 */

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

export type Effect = "Allow" | "Deny";

/** `*`, or principal type (`AWS`, `Federated`, `Service`, `CanonicalUser`) to values. */
export type PrincipalValue = "*" | Readonly<Record<string, readonly string[]>>;

export interface ConditionEntry {
  /** The operator as written, e.g. `ForAnyValue:StringLikeIfExists`. */
  readonly operator: string;
  /** The condition key as written; IAM compares keys without letter case. */
  readonly key: string;
  readonly values: readonly string[];
  /** Set when some values are Unresolved: what they are. The entry could then be anything. */
  readonly unresolved?: string;
}

/** Values of a list, and what of them could not be read. */
export interface Values {
  readonly not: boolean;
  readonly patterns: readonly string[];
  /** Set when some values are Unresolved: they may match anything. */
  readonly unresolved?: string;
}

export interface Statement {
  /** `statement "<Sid>"`, or `statement <n>` (1-based) without a Sid. */
  readonly label: string;
  readonly effect: Effect;
  /**
   * Set when IAM may not apply the statement as `effect` says: its Effect is spelt in another
   * letter case than `Allow`/`Deny`, or is Unresolved. The analyses then read it as an Allow
   * that may apply and a Deny that may not (MODEL.md, "Doubt grants").
   */
  readonly effectDoubt?: string;
  /** Set when the Effect is Unresolved: the statement may be an Allow or a Deny. */
  readonly effectUnknown?: boolean;
  /** Absent in identity policies. `not` for NotPrincipal. */
  readonly principal?: {
    readonly not: boolean;
    readonly value: PrincipalValue;
    /** Set when some principals are Unresolved: they may be anyone. */
    readonly unresolved?: string;
  };
  /** `not` for NotAction. */
  readonly actions: Values;
  /** Absent in trust and repository policies. `not` for NotResource. */
  readonly resources?: Values;
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

/** The strings of a value (one or a list), and the first Unresolved item's reason. */
function strings(value: unknown): { values: string[]; unresolved?: string } {
  const values: string[] = [];
  let unresolved: string | undefined;
  for (const item of list(value)) {
    if (item instanceof Unresolved) {
      unresolved ??= item.reason;
    } else {
      values.push(String(item));
    }
  }
  return { values, ...(unresolved !== undefined && { unresolved }) };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function principal(value: unknown): { value: PrincipalValue; unresolved?: string } | undefined {
  if (value === "*") {
    return { value: "*" };
  }
  if (value instanceof Unresolved) {
    return { value: {}, unresolved: value.reason };
  }
  if (typeof value === "string") {
    // IAM refuses a bare principal other than "*"; read it as an AWS principal.
    return { value: { AWS: [value] } };
  }
  if (!isObject(value)) {
    return undefined;
  }
  const principals: Record<string, string[]> = {};
  let unresolved: string | undefined;
  for (const [type, values] of Object.entries(value)) {
    const read = strings(values);
    principals[type] = read.values;
    unresolved ??= read.unresolved;
  }
  return { value: principals, ...(unresolved !== undefined && { unresolved }) };
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
      const read = strings(values);
      found.push({
        operator,
        key,
        values: read.values,
        ...(read.unresolved !== undefined && { unresolved: read.unresolved }),
      });
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
  if (value instanceof Unresolved) {
    return { error: `is ${value.reason}, which cannot be read before it is resolved` };
  }
  if (!isObject(value)) {
    return { error: "is not a policy document (a JSON object with a Statement list)" };
  }
  if (value.Statement === undefined) {
    return { error: "has no Statement" };
  }
  const statements: Statement[] = [];
  for (const [index, raw] of list(value.Statement).entries()) {
    const statement = parseStatement(raw, index);
    if ("error" in statement) {
      return statement;
    }
    statements.push(statement);
  }
  return {
    ...(typeof value.Version === "string" && { version: value.Version }),
    statements,
  };
}

/**
 * The effect as IAM may read it: `Allow` and `Deny` as written are certain; the same words in
 * another letter case are doubtful (IAM's grammar spells them so; whether it accepts others is
 * not documented), and so is an Unresolved effect (read as an Allow that may apply).
 */
function parseEffect(
  raw: unknown,
  label: string,
): { effect: Effect; effectDoubt?: string; effectUnknown?: boolean } | { error: string } {
  if (raw === "Allow" || raw === "Deny") {
    return { effect: raw };
  }
  if (raw instanceof Unresolved) {
    return { effect: "Allow", effectDoubt: `its Effect is ${raw.reason}`, effectUnknown: true };
  }
  const lower = String(raw ?? "").toLowerCase();
  if (lower === "allow" || lower === "deny") {
    return {
      effect: lower === "allow" ? "Allow" : "Deny",
      effectDoubt: `its Effect is spelt ${JSON.stringify(raw)}, not ${lower === "allow" ? '"Allow"' : '"Deny"'}`,
    };
  }
  return { error: `has ${label} whose Effect is ${JSON.stringify(raw)}, not Allow or Deny` };
}

function parseStatement(raw: unknown, index: number): Statement | { error: string } {
  if (raw instanceof Unresolved) {
    return {
      error: `has a statement that is ${raw.reason} (statement ${index + 1}), which cannot be read before it is resolved`,
    };
  }
  if (!isObject(raw)) {
    return { error: `has a statement that is not an object (statement ${index + 1})` };
  }
  const label =
    typeof raw.Sid === "string" && raw.Sid !== ""
      ? `statement "${raw.Sid}"`
      : `statement ${index + 1}`;
  const effect = parseEffect(raw.Effect, label);
  if ("error" in effect) {
    return effect;
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
  const condition = raw.Condition instanceof Unresolved ? undefined : conditions(raw.Condition);
  if (condition === undefined) {
    return { error: `has ${label} whose Condition is not a map of operators to keys and values` };
  }
  const notAction = raw.Action === undefined && raw.NotAction !== undefined;
  const actions = strings(notAction ? raw.NotAction : raw.Action);
  const resourceKey =
    raw.Resource !== undefined
      ? "Resource"
      : raw.NotResource !== undefined
        ? "NotResource"
        : undefined;
  const resources = resourceKey === undefined ? undefined : strings(raw[resourceKey]);
  return {
    label,
    ...effect,
    ...(principalKey !== undefined && {
      principal: { not: principalKey === "NotPrincipal", ...principalValue! },
    }),
    actions: { not: notAction, patterns: actions.values, ...unresolvedOf(actions) },
    ...(resources !== undefined && {
      resources: {
        not: resourceKey === "NotResource",
        patterns: resources.values,
        ...unresolvedOf(resources),
      },
    }),
    conditions: condition,
  };
}

function unresolvedOf(read: { unresolved?: string }): { unresolved?: string } {
  return read.unresolved === undefined ? {} : { unresolved: read.unresolved };
}

/** Whether policy variables are read as such: only in the 2012-10-17 policy language. */
export function usesPolicyVariables(document: PolicyDocument): boolean {
  return document.version === "2012-10-17";
}
