/**
 * IAM policy documents read the way IAM reads them: given as JSON text or as objects, a
 * `Statement` that is one object or a list, values that are one string or a list, condition
 * operators and keys in any letter case, `ForAnyValue:`/`ForAllValues:` qualifiers and
 * `IfExists` suffixes.
 *
 * Nothing here catches errors other than JSON parse errors: a value that is unknown during
 * preview throws the policy SDK's UnknownValueError when read, and that must reach the SDK so it
 * reports that the check cannot run yet.
 */

export interface Condition {
  /** The operator as written, e.g. `ForAnyValue:StringLike`. */
  readonly operator: string;
  /** Lower-cased, without qualifier or `IfExists`: `stringlike`. */
  readonly base: string;
  /** The condition key, lower-cased (IAM compares keys case-insensitively). */
  readonly key: string;
  readonly values: readonly string[];
}

export interface Statement {
  /** `statement "<Sid>"`, or `statement <n>` (1-based) without a Sid. */
  readonly label: string;
  readonly effect: string;
  /** `*` for any principal; otherwise principal type (lower-cased) to values. */
  readonly principal: "*" | Readonly<Record<string, readonly string[]>> | undefined;
  readonly actions: readonly string[];
  /** True when the statement uses NotAction: it grants everything except its actions. */
  readonly notAction: boolean;
  readonly resources: readonly string[];
  readonly notResource: boolean;
  readonly conditions: readonly Condition[];
}

export type ParsedDocument =
  { readonly statements: readonly Statement[] } | { readonly error: string };

function list(value: unknown): unknown[] {
  if (value === undefined || value === null) {
    return [];
  }
  return Array.isArray(value) ? [...value] : [value];
}

function strings(value: unknown): string[] {
  return list(value).map((item) => String(item));
}

function conditions(value: unknown): Condition[] {
  if (typeof value !== "object" || value === null) {
    return [];
  }
  const found: Condition[] = [];
  for (const [operator, entries] of Object.entries(value as Record<string, unknown>)) {
    const base = operator
      .toLowerCase()
      .replace(/^for(any|all)value:/, "")
      .replace(/ifexists$/, "");
    if (typeof entries !== "object" || entries === null) {
      continue;
    }
    for (const [key, values] of Object.entries(entries as Record<string, unknown>)) {
      found.push({ operator, base, key: key.toLowerCase(), values: strings(values) });
    }
  }
  return found;
}

function principal(value: unknown): Statement["principal"] {
  if (value === undefined || value === null) {
    return undefined;
  }
  if (typeof value === "string") {
    return value === "*" ? "*" : { aws: [value] };
  }
  const principals: Record<string, string[]> = {};
  for (const [type, values] of Object.entries(value as Record<string, unknown>)) {
    principals[type.toLowerCase()] = strings(values);
  }
  return principals;
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
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { error: "is not a policy document" };
  }
  const statements = list((value as Record<string, unknown>).Statement).map(
    (raw, index): Statement => {
      const s = (raw ?? {}) as Record<string, unknown>;
      return {
        label:
          typeof s.Sid === "string" && s.Sid !== ""
            ? `statement "${s.Sid}"`
            : `statement ${index + 1}`,
        effect: String(s.Effect ?? ""),
        principal: principal(s.Principal),
        actions: strings(s.Action ?? s.NotAction),
        notAction: s.Action === undefined && s.NotAction !== undefined,
        resources: strings(s.Resource ?? s.NotResource),
        notResource: s.Resource === undefined && s.NotResource !== undefined,
        conditions: conditions(s.Condition),
      };
    },
  );
  return { statements };
}

export function isAllow(statement: Statement): boolean {
  return statement.effect.toLowerCase() === "allow";
}

/** Whether an IAM wildcard pattern (`*`, `?`) matches a value, case-insensitively as for actions. */
export function globMatches(pattern: string, value: string): boolean {
  const regex = pattern
    .split("")
    .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\/]/g, "\\$&")))
    .join("");
  return new RegExp(`^${regex}$`, "i").test(value);
}

/** Whether the statement's actions (or NotAction) include `action`. */
export function grantsAction(statement: Statement, action: string): boolean {
  const listed = statement.actions.some((pattern) => globMatches(pattern, action));
  return statement.notAction ? !listed : listed;
}

/** Condition operators that restrict a key to the values listed (as opposed to excluding them). */
export const restrictingStringOperators: readonly string[] = [
  "stringequals",
  "stringequalsignorecase",
  "stringlike",
];
