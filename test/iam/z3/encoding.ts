/**
 * IAM policy documents as Z3 constraints, written from IAM's documentation (the policy grammar,
 * "IAM JSON policy elements: Condition operators", "single-valued vs. multivalued context keys",
 * "policy variables") and independent of the policy pack's model: nothing here imports
 * `policy-pack/`. A document is read into statements; a statement's principal, action and
 * resource are decided in JavaScript (the request's are concrete), and its conditions become a
 * term (`terms.ts`: memberships of the keys' strings in regular languages), which `search.ts`
 * asks Z3 about.
 *
 * What is read (anything else makes the document `Unsupported`, and its test skips it):
 * - `Statement`: one object or a list; `Effect` `Allow` or `Deny`; `Principal`/`NotPrincipal`;
 *   `Action`/`NotAction` (patterns with `*` and `?`, without letter case); `Resource`/
 *   `NotResource`; `Condition`.
 * - Condition operators: `String(Not)Equals`, `String(Not)EqualsIgnoreCase`, `String(Not)Like`,
 *   `Arn(Not)Equals`, `Arn(Not)Like`, `Null`; the `ForAnyValue:`/`ForAllValues:` qualifiers and
 *   the `IfExists` suffix. Condition keys are compared without letter case.
 * - Values: `*` and `?` are wildcards in the Like and Arn operators only; in the 2012-10-17
 *   language `${*}`, `${?}` and `${$}` are the characters themselves, in every operator ("these
 *   special characters can be used in any string that supports policy variables"), and any
 *   other policy variable is unsupported. The evaluator reads them so only where wildcards are
 *   (in `StringEquals`, `${*}` is the four characters to it): a witness relying on one there is
 *   refused by it, and counted as such.
 * - Without letter case: as ECMAScript compares characters (`Regexes.ignoringCase`); IAM's
 *   documentation says no more than "ignoring case".
 *
 * IAM's rules, as encoded (each is a sentence of the documentation):
 * - The entries of a Condition all hold (AND); a key's values are alternatives (OR), and a
 *   negated operator holds when none of them matches.
 * - A key absent from the request: `ForAnyValue:` fails, `ForAllValues:` holds, then `...IfExists`
 *   holds, then a negated operator holds and a positive one fails. `Null` tests presence
 *   (`"true"`: absent). The set qualifiers decide before `IfExists`: the documentation defines
 *   them on the request's set of values, which is empty when the key is absent.
 * - A single-valued key present: `ForAnyValue:` and `ForAllValues:` judge its one value as the
 *   plain operator does. A multivalued key needs a set operator: a plain operator on it fails.
 * - `ArnEquals` and `ArnLike` are the same: each of the six colon-separated parts is matched
 *   separately, with wildcards (which then cannot match a colon, except in the last part).
 */
import type { Re } from "z3-solver";
import { Regexes, Z3 } from "./solver";
import { and, constant, FALSE, member, not, or, Term } from "./terms";

/** A document or statement this encoder does not read; its policy is skipped, not judged. */
export class Unsupported extends Error {}

export type Effect = "Allow" | "Deny";

/** A principal element: `"*"`, or principal types to their values. */
export type PrincipalElement = "*" | Readonly<Record<string, readonly string[]>>;

export interface ConditionEntry {
  readonly operator: string;
  readonly key: string;
  readonly values: readonly string[];
}

export interface PolicyStatement {
  readonly effect: Effect;
  readonly principal?: { readonly not: boolean; readonly value: PrincipalElement };
  readonly action: { readonly not: boolean; readonly patterns: readonly string[] };
  readonly resource?: { readonly not: boolean; readonly patterns: readonly string[] };
  readonly conditions: readonly ConditionEntry[];
}

export interface Policy {
  /** Whether `${...}` is a policy variable: only in the 2012-10-17 language. */
  readonly variables: boolean;
  readonly statements: readonly PolicyStatement[];
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** A string or a list of strings; other scalars as JSON writes them. */
function strings(value: unknown, what: string): string[] {
  const list = Array.isArray(value) ? value : [value];
  return list.map((v) => {
    if (typeof v === "string") {
      return v;
    }
    if (typeof v === "number" || typeof v === "boolean") {
      return String(v);
    }
    throw new Unsupported(`${what} is ${JSON.stringify(value)}`);
  });
}

function principalElement(value: unknown): PrincipalElement {
  if (value === "*") {
    return "*";
  }
  if (!isObject(value)) {
    throw new Unsupported(`a principal is ${JSON.stringify(value)}`);
  }
  return Object.fromEntries(
    Object.entries(value).map(([type, values]) => [type, strings(values, "a principal")]),
  );
}

function conditionEntries(value: unknown): ConditionEntry[] {
  if (value === undefined) {
    return [];
  }
  if (!isObject(value)) {
    throw new Unsupported(`a Condition is ${JSON.stringify(value)}`);
  }
  return Object.entries(value).flatMap(([operator, keys]) => {
    if (!isObject(keys)) {
      throw new Unsupported(`the keys of ${operator} are ${JSON.stringify(keys)}`);
    }
    return Object.entries(keys).map(([key, values]) => ({
      operator,
      key,
      values: strings(values, `a value of ${key}`),
    }));
  });
}

/** Exactly one of two elements (`Action` or `NotAction`), or neither when `optional`. */
function either(
  raw: Record<string, unknown>,
  name: string,
  optional: boolean,
): { not: boolean; value: unknown } | undefined {
  const plain = raw[name];
  const negated = raw[`Not${name}`];
  if (plain !== undefined && negated !== undefined) {
    throw new Unsupported(`a statement has both ${name} and Not${name}`);
  }
  if (plain === undefined && negated === undefined) {
    if (optional) {
      return undefined;
    }
    throw new Unsupported(`a statement has neither ${name} nor Not${name}`);
  }
  return plain !== undefined ? { not: false, value: plain } : { not: true, value: negated };
}

/** Reads a policy document (an object, or its JSON text). */
export function readPolicy(document: unknown): Policy {
  const value = typeof document === "string" ? JSON.parse(document) : document;
  if (!isObject(value) || value.Statement === undefined) {
    throw new Unsupported("not a policy document with a Statement");
  }
  const raws = Array.isArray(value.Statement) ? value.Statement : [value.Statement];
  const statements = raws.map((raw: unknown): PolicyStatement => {
    if (!isObject(raw)) {
      throw new Unsupported(`a statement is ${JSON.stringify(raw)}`);
    }
    if (raw.Effect !== "Allow" && raw.Effect !== "Deny") {
      throw new Unsupported(`an Effect is ${JSON.stringify(raw.Effect)}`);
    }
    const principal = either(raw, "Principal", true);
    const action = either(raw, "Action", false)!;
    const resource = either(raw, "Resource", true);
    return {
      effect: raw.Effect,
      ...(principal && {
        principal: { not: principal.not, value: principalElement(principal.value) },
      }),
      action: { not: action.not, patterns: strings(action.value, "an action") },
      ...(resource && {
        resource: { not: resource.not, patterns: strings(resource.value, "a resource") },
      }),
      conditions: conditionEntries(raw.Condition),
    };
  });
  return { variables: value.Version === "2012-10-17", statements };
}

/** Whether a glob (`*`, `?`) matches a concrete text, with or without letter case. */
export function globMatches(pattern: string, text: string, ignoreCase: boolean): boolean {
  const source = [...pattern]
    .map((c) =>
      c === "*" ? "[\\s\\S]*" : c === "?" ? "[\\s\\S]" : c.replace(/[\\^$.|+()[\]{}*?/]/g, "\\$&"),
    )
    .join("");
  return new RegExp(`^${source}$`, ignoreCase ? "iu" : "u").test(text);
}

/** Whether a statement's Action (or NotAction) covers a concrete action; actions have no case. */
export function coversAction(statement: PolicyStatement, action: string): boolean {
  const listed = statement.action.patterns.some((p) => globMatches(p, action, true));
  return statement.action.not ? !listed : listed;
}

/** Whether a statement's Resource (or NotResource) covers a concrete resource ARN. */
export function coversResource(statement: PolicyStatement, resource: string): boolean {
  if (statement.resource === undefined) {
    return true;
  }
  const listed = statement.resource.patterns.some((p) => globMatches(p, resource, false));
  return statement.resource.not ? !listed : listed;
}

/** A context key the request carries: the string variable holding its value. */
export interface KeyValue {
  readonly variable: string;
  /**
   * When the key's value is a part of the variable (the account of a role's ARN): the language
   * of the variable whose part is in `re`. The variable's domain must parse it one way only, so
   * that the complement of a part's language is the complement of the whole's.
   */
  readonly part?: (re: Re<"main">) => Re<"main">;
  /** A multivalued key (its one value as a set of one); plain operators fail on it. */
  readonly multivalued?: boolean;
}

/** The request's keys: undefined for a key the request does not carry. */
export type RequestKeys = (key: string) => KeyValue | undefined;

type Comparison = "equals" | "ignoreCase" | "like" | "arn";

/** The condition operators, as data: how each compares, and whether it negates. */
const operators: Readonly<Record<string, { comparison: Comparison; negated: boolean }>> = {
  StringEquals: { comparison: "equals", negated: false },
  StringNotEquals: { comparison: "equals", negated: true },
  StringEqualsIgnoreCase: { comparison: "ignoreCase", negated: false },
  StringNotEqualsIgnoreCase: { comparison: "ignoreCase", negated: true },
  StringLike: { comparison: "like", negated: false },
  StringNotLike: { comparison: "like", negated: true },
  ArnEquals: { comparison: "arn", negated: false },
  ArnNotEquals: { comparison: "arn", negated: true },
  ArnLike: { comparison: "arn", negated: false },
  ArnNotLike: { comparison: "arn", negated: true },
};

/** A value's characters: literal text, or (in Like and Arn operators) a wildcard. */
type Piece = { readonly text: string } | { readonly wildcard: "*" | "?" };

/** A condition value as pieces: wildcards when `wildcards`, policy variables as escapes. */
export function pieces(value: string, wildcards: boolean, variables: boolean): Piece[] {
  const found: Piece[] = [];
  const push = (text: string) => {
    const last = found[found.length - 1];
    if (last !== undefined && "text" in last) {
      found[found.length - 1] = { text: last.text + text };
    } else {
      found.push({ text });
    }
  };
  for (let i = 0; i < value.length;) {
    const c = value[i];
    if (variables && value.startsWith("${", i) && value.indexOf("}", i + 2) >= 0) {
      const end = value.indexOf("}", i + 2);
      const name = value.slice(i + 2, end);
      if (name !== "*" && name !== "?" && name !== "$") {
        throw new Unsupported(`the policy variable \${${name}}`);
      }
      push(name);
      i = end + 1;
    } else if (wildcards && (c === "*" || c === "?")) {
      found.push({ wildcard: c });
      i += 1;
    } else {
      push(c);
      i += 1;
    }
  }
  return found;
}

const textOf = (parts: readonly Piece[]) => parts.map((p) => ("text" in p ? p.text : "")).join("");

/** The strings a condition value matches, as a regular expression. */
function valueRegex(
  re: Regexes,
  comparison: Comparison,
  value: string,
  variables: boolean,
): Re<"main"> {
  const glob = (parts: Piece[], anyChar: Re<"main">) =>
    // Only stars: every string. Written as Z3's full language, which its rewriter absorbs in
    // unions and intersections; as a star of characters, the complement of a union holding it
    // took Z3 longer than its time limit.
    parts.length > 0 && parts.every((p) => "wildcard" in p && p.wildcard === "*") && anyChar === any
      ? re.all()
      : re.concat(
          parts.map((p) =>
            "text" in p ? re.text(p.text) : p.wildcard === "?" ? anyChar : re.star(anyChar),
          ),
        );
  const any = re.anyChar();
  switch (comparison) {
    case "equals":
      return re.text(textOf(pieces(value, false, variables)));
    case "ignoreCase":
      return re.ignoringCase(textOf(pieces(value, false, variables)));
    case "like":
      return glob(pieces(value, true, variables), any);
    case "arn": {
      const parts = value.split(":");
      if (parts.length < 6) {
        // How IAM compares an ARN pattern of fewer parts is not documented.
        throw new Unsupported(`the ARN pattern ${JSON.stringify(value)} has fewer than six parts`);
      }
      const regexes = [...parts.slice(0, 5), parts.slice(5).join(":")].map((part, i) =>
        glob(pieces(part, true, variables), i < 5 ? re.charExcept(":") : any),
      );
      return re.concat(regexes.flatMap((r, i) => (i === 0 ? [r] : [re.text(":"), r])));
    }
  }
}

/** The term of one condition entry, over the request's keys. */
export function entryTerm(
  z3: Z3,
  entry: ConditionEntry,
  keys: RequestKeys,
  variables: boolean,
): Term {
  const match = /^(ForAnyValue:|ForAllValues:)?(.*?)(IfExists)?$/.exec(entry.operator)!;
  const qualifier = match[1];
  const base = match[2];
  const ifExists = match[3] !== undefined;
  const key = keys(entry.key);
  if (base === "Null") {
    if (qualifier !== undefined || ifExists) {
      throw new Unsupported(`the operator ${entry.operator}`);
    }
    return constant(
      entry.values.some((v) => {
        if (v.toLowerCase() !== "true" && v.toLowerCase() !== "false") {
          throw new Unsupported(`Null with ${JSON.stringify(v)}`);
        }
        return (v.toLowerCase() === "true") === (key === undefined);
      }),
    );
  }
  const operator = operators[base];
  if (operator === undefined) {
    throw new Unsupported(`the operator ${entry.operator}`);
  }
  if (key === undefined) {
    return constant(
      qualifier === "ForAnyValue:"
        ? false
        : qualifier === "ForAllValues:"
          ? true
          : ifExists || operator.negated,
    );
  }
  if (key.multivalued && qualifier === undefined) {
    return FALSE;
  }
  const re = new Regexes(z3);
  const values = re.union(
    entry.values.map((v) => valueRegex(re, operator.comparison, v, variables)),
  );
  if (key.part !== undefined) {
    // The complement taken of the part, not of the whole: the same strings in the variable's
    // domain (which parses it one way only), and a far smaller question for Z3.
    return member(key.variable, key.part(operator.negated ? re.complement(values) : values));
  }
  const matches = member(key.variable, values);
  return operator.negated ? not(matches) : matches;
}

/** The term of a statement's conditions: every entry holds. */
export function conditionsTerm(
  z3: Z3,
  statement: PolicyStatement,
  keys: RequestKeys,
  variables: boolean,
): Term {
  return and(...statement.conditions.map((entry) => entryTerm(z3, entry, keys, variables)));
}

/**
 * What a policy decides for one request: some Allow applies and no Deny applies. `applies`
 * says, per statement, whether its principal, action and resource cover the request.
 */
export function admittedTerm(
  z3: Z3,
  policy: Policy,
  keys: RequestKeys,
  applies: (statement: PolicyStatement) => boolean,
): Term {
  const covering = policy.statements.filter(applies);
  const terms = (effect: Effect) =>
    covering
      .filter((s) => s.effect === effect)
      .map((s) => conditionsTerm(z3, s, keys, policy.variables));
  return and(or(...terms("Allow")), not(or(...terms("Deny"))));
}
