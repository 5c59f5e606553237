/**
 * IAM condition operators, evaluated as IAM documents them, over request values that are known,
 * absent, symbolic (a variable the caller searches over) or unknown to the model:
 *
 * - every operator of a statement, and every key of an operator, must hold; the values listed
 *   for a key are alternatives (for negated operators: none may match);
 * - a key absent from the request fails positive operators and satisfies negated ones
 *   (`StringNotEquals`, `StringNotLike`, `ArnNotLike`, ...); `...IfExists` holds on an absent key;
 *   `ForAnyValue:` fails on an absent key, with `IfExists` too, and `ForAllValues:` holds;
 *   `Null` tests presence;
 * - condition keys are compared without letter case, values with it unless the operator says
 *   `IgnoreCase`; `StringLike` and `ArnLike` expand `*` and `?`;
 * - operators the model does not evaluate on a key (numbers, dates, addresses, binary) and
 *   operators IAM does not have are unknown.
 */
import { Language, matches, union } from "./automaton";
import { ConditionEntry } from "./document";
import { and, atom, FALSE, Formula, not, or, TRUE, unknown } from "./formula";
import { compileArnPattern, compilePattern } from "./patterns";

/** What a condition key is in the request being judged. */
export type KeyValue =
  | { readonly kind: "absent" }
  /**
   * A single string value, searched over: atoms on it name the variable. With `wrap`, the key is
   * a part of the variable (an account in a principal ARN): its languages are wrapped into the
   * variable's.
   */
  | {
      readonly kind: "variable";
      readonly variable: string;
      readonly wrap?: (language: Language) => Language;
      /**
       * The key holds a set of values (one, here): operators without `ForAnyValue:` or
       * `ForAllValues:` on it are not documented, so they are unknown.
       */
      readonly multivalued?: boolean;
    }
  /**
   * A value the caller derives from its variables (a claim that is a part of another claim in
   * some tokens, a variable of its own in others), which some requests may lack: `holds(l)` is
   * "present, with a value in `l`", `present` when the request has the key at all.
   */
  | {
      readonly kind: "derived";
      readonly holds: (language: Language) => Formula;
      readonly present: Formula;
    }
  | { readonly kind: "known"; readonly value: string }
  | { readonly kind: "unknown"; readonly reason: string };

export type KeyResolver = (lowerCaseKey: string) => KeyValue;

type Family = "string" | "arn" | "null" | "other";

interface Operator {
  readonly family: Family;
  readonly negated: boolean;
  readonly ignoreCase: boolean;
  readonly wildcards: boolean;
  readonly qualifier?: "any" | "all";
  readonly ifExists: boolean;
}

const baseOperators: Readonly<Record<string, Omit<Operator, "qualifier" | "ifExists">>> = {
  StringEquals: { family: "string", negated: false, ignoreCase: false, wildcards: false },
  StringNotEquals: { family: "string", negated: true, ignoreCase: false, wildcards: false },
  StringEqualsIgnoreCase: { family: "string", negated: false, ignoreCase: true, wildcards: false },
  StringNotEqualsIgnoreCase: {
    family: "string",
    negated: true,
    ignoreCase: true,
    wildcards: false,
  },
  StringLike: { family: "string", negated: false, ignoreCase: false, wildcards: true },
  StringNotLike: { family: "string", negated: true, ignoreCase: false, wildcards: true },
  ArnEquals: { family: "arn", negated: false, ignoreCase: false, wildcards: true },
  ArnLike: { family: "arn", negated: false, ignoreCase: false, wildcards: true },
  ArnNotEquals: { family: "arn", negated: true, ignoreCase: false, wildcards: true },
  ArnNotLike: { family: "arn", negated: true, ignoreCase: false, wildcards: true },
  Null: { family: "null", negated: false, ignoreCase: false, wildcards: false },
  ...Object.fromEntries(
    [
      "NumericEquals",
      "NumericLessThan",
      "NumericLessThanEquals",
      "NumericGreaterThan",
      "NumericGreaterThanEquals",
      "DateEquals",
      "DateLessThan",
      "DateLessThanEquals",
      "DateGreaterThan",
      "DateGreaterThanEquals",
      "Bool",
      "BinaryEquals",
      "IpAddress",
    ].map((name) => [
      name,
      { family: "other" as const, negated: false, ignoreCase: false, wildcards: false },
    ]),
  ),
  ...Object.fromEntries(
    ["NumericNotEquals", "DateNotEquals", "NotIpAddress"].map((name) => [
      name,
      { family: "other" as const, negated: true, ignoreCase: false, wildcards: false },
    ]),
  ),
};

/** An operator as written, or undefined when IAM has no such operator. */
export function parseOperator(written: string): Operator | undefined {
  let name = written;
  let qualifier: Operator["qualifier"];
  const colon = name.indexOf(":");
  if (colon >= 0) {
    const prefix = name.slice(0, colon);
    if (prefix === "ForAnyValue") {
      qualifier = "any";
    } else if (prefix === "ForAllValues") {
      qualifier = "all";
    } else {
      return undefined;
    }
    name = name.slice(colon + 1);
  }
  const ifExists = name.endsWith("IfExists");
  if (ifExists) {
    name = name.slice(0, -"IfExists".length);
  }
  const base = baseOperators[name];
  if (base === undefined || (ifExists && base.family === "null")) {
    return undefined;
  }
  return { ...base, ...(qualifier && { qualifier }), ifExists };
}

/** The language of a condition's values, what it may also match, and what cannot be known. */
interface ValuesLanguage {
  readonly language: Language;
  /** A superset of `language` that some reading of IAM matches (letter case: `caseFold`). */
  readonly maybe?: Language;
  readonly unknown?: string;
}

/** Why `maybe` differs from the language: IAM's folding of letters outside ASCII. */
const caseDoubt =
  "the letter case of characters outside ASCII, which IAM's documentation does not say how it compares";

function valuesLanguage(
  operator: Operator,
  values: readonly string[],
  variables: boolean,
): ValuesLanguage {
  const languages: Language[] = [];
  const maybes: Language[] = [];
  let doubtful = false;
  let unknownReason: string | undefined;
  for (const value of values) {
    const compiled =
      operator.family === "arn"
        ? compileArnPattern(value, operator.wildcards)
        : compilePattern(value, {
            wildcards: operator.wildcards,
            ignoreCase: operator.ignoreCase,
            variables,
          });
    if ("unknown" in compiled) {
      unknownReason ??= compiled.unknown;
    } else {
      languages.push(compiled.language);
      maybes.push(compiled.maybe ?? compiled.language);
      doubtful ||= compiled.maybe !== undefined;
    }
  }
  return {
    language: union(...languages),
    ...(doubtful && { maybe: union(...maybes) }),
    ...(unknownReason && { unknown: unknownReason }),
  };
}

/** "The key's value is among the values", for a key whose value is known or searched over. */
function matchedFormula(value: KeyValue, values: ValuesLanguage): Formula {
  const { language, maybe } = values;
  if (value.kind === "known") {
    return matches(language, value.value)
      ? TRUE
      : maybe !== undefined && matches(maybe, value.value)
        ? unknown(caseDoubt)
        : FALSE;
  }
  if (value.kind !== "variable" && value.kind !== "derived") {
    throw new Error(`matchedFormula on a ${value.kind} key`);
  }
  const on = (l: Language) =>
    l.length === 0
      ? FALSE
      : value.kind === "derived"
        ? value.holds(l)
        : atom(value.variable, value.wrap ? value.wrap(l) : l);
  const sure = on(language);
  return maybe === undefined ? sure : or(sure, and(on(maybe), unknown(caseDoubt)));
}

/** One condition entry (operator, key, values) as a formula. */
export function conditionFormula(
  entry: ConditionEntry,
  resolve: KeyResolver,
  variables: boolean,
): Formula {
  if (entry.unresolved !== undefined) {
    return unknown(
      `the condition ${entry.operator} on ${entry.key}, whose values hold ${entry.unresolved}`,
    );
  }
  const operator = parseOperator(entry.operator);
  if (operator === undefined) {
    return unknown(`the condition operator "${entry.operator}", which IAM does not have`);
  }
  const value = resolve(entry.key.toLowerCase());
  if (value.kind === "unknown") {
    return unknown(value.reason);
  }
  if (operator.family === "null") {
    const wanted = entry.values.map((v) => v.toLowerCase());
    if (!wanted.every((v) => v === "true" || v === "false")) {
      return unknown(`Null on ${entry.key} with values other than "true" or "false"`);
    }
    const present = presence(value);
    return or(...wanted.map((v) => (v === "true" ? not(present) : present)));
  }
  if (value.kind === "absent") {
    return onAbsentKey(operator) ? TRUE : FALSE;
  }
  if (value.kind === "variable" && value.multivalued && operator.qualifier === undefined) {
    return unknown(
      `${entry.operator} on the multivalued key ${entry.key} without ForAnyValue or ForAllValues`,
    );
  }
  if (operator.family === "other") {
    return unknown(`${entry.operator} on ${entry.key}, which the model does not evaluate`);
  }
  const values = valuesLanguage(operator, entry.values, variables);
  let matched = matchedFormula(value, values);
  if (values.unknown !== undefined) {
    matched = or(matched, unknown(values.unknown));
  }
  if (value.kind !== "derived") {
    return operator.negated ? not(matched) : matched;
  }
  // A key some requests lack: as IAM decides it when present (`matched` already says present),
  // and as on an absent key when not.
  const present = value.present;
  const whenPresent = operator.negated ? and(present, not(matched)) : matched;
  return onAbsentKey(operator) ? or(not(present), whenPresent) : whenPresent;
}

/** When the request has the key: always, never, or as the derived key says. */
function presence(value: KeyValue): Formula {
  return value.kind === "absent" ? FALSE : value.kind === "derived" ? value.present : TRUE;
}

/** How an operator decides a key the request lacks. */
function onAbsentKey(operator: Operator): boolean {
  // A set operator decides on the empty set first, IfExists or not (seen in IAM itself:
  // ForAnyValue:StringEqualsIfExists on a missing key does not match).
  if (operator.qualifier === "any") {
    return false;
  }
  if (operator.qualifier === "all" || operator.ifExists) {
    return true;
  }
  return operator.negated;
}

/** A statement's conditions: every entry must hold. */
export function conditionsFormula(
  entries: readonly ConditionEntry[],
  resolve: KeyResolver,
  variables: boolean,
): Formula {
  return and(...entries.map((entry) => conditionFormula(entry, resolve, variables)));
}
