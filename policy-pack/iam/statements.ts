/**
 * What the analyses share about statements: whether one covers an action, how sure its effect
 * is, and how statements become what IAM admits, read in the direction that grants access when
 * the model is unsure (MODEL.md, "Doubt grants").
 */
import { Statement } from "./document";
import { and, bound, FALSE, Formula, not, or, TRUE, unknown } from "./formula";
import { actionMatches } from "./patterns";

/** A statement's action patterns split once: printable ASCII names without wildcards, lower-cased, and the rest. */
interface ActionList {
  readonly names: ReadonlySet<string>;
  readonly others: readonly string[];
}

const printableAscii = /^[ -~]*$/;
const actionLists = new WeakMap<readonly string[], ActionList>();

function actionList(patterns: readonly string[]): ActionList {
  let list = actionLists.get(patterns);
  if (list === undefined) {
    const names = new Set<string>();
    const others: string[] = [];
    for (const pattern of patterns) {
      if (printableAscii.test(pattern) && !/[*?]/.test(pattern)) {
        names.add(pattern.toLowerCase());
      } else {
        others.push(pattern);
      }
    }
    list = { names, others };
    actionLists.set(patterns, list);
  }
  return list;
}

/**
 * Whether a statement's patterns name `action`. A printable ASCII pattern without wildcards names a printable ASCII
 * action exactly when both lower-case alike (what `actionMatches`' case-insensitive comparison
 * does on those characters), so those are looked up in a set; every other pair is compared as
 * `actionMatches` compares it.
 */
function listsAction(patterns: readonly string[], action: string): boolean {
  const { names, others } = actionList(patterns);
  if (printableAscii.test(action)) {
    return names.has(action.toLowerCase()) || others.some((p) => actionMatches(p, action));
  }
  return patterns.some((pattern) => actionMatches(pattern, action));
}

/**
 * The lower-cased names a statement's Action lists, when those are all it covers: an `Action`
 * (not `NotAction`) of printable ASCII names without wildcards, none unresolved. Such a
 * statement covers a printable ASCII action exactly when the action lower-cases to one of them,
 * and no other action, as `coversAction` says; undefined for every other statement.
 */
export function onlyNamedActions(statement: Statement): ReadonlySet<string> | undefined {
  const { patterns, not: negated, unresolved } = statement.actions;
  if (negated || unresolved !== undefined) {
    return undefined;
  }
  const { names, others } = actionList(patterns);
  return others.length === 0 ? names : undefined;
}

/** Whether every action is printable ASCII (what `onlyNamedActions`' reading needs of them). */
export function allPrintableAscii(actions: readonly string[]): boolean {
  return actions.every((action) => printableAscii.test(action));
}

/** Whether the statement covers `action`: TRUE, FALSE, or unknown when its actions are unresolved. */
export function coversAction(statement: Statement, action: string): Formula {
  const { patterns, not: negated, unresolved } = statement.actions;
  const listed = listsAction(patterns, action);
  if (listed) {
    return negated ? FALSE : TRUE;
  }
  if (unresolved !== undefined) {
    return unknown(`actions that hold ${unresolved}`);
  }
  return negated ? TRUE : FALSE;
}

/** Whether the statement may cover `action` at all. */
export function mayCover(statement: Statement, action: string): boolean {
  return coversAction(statement, action).kind !== "false";
}

/** TRUE, or unknown when IAM may not apply the statement as its Effect says. */
export function effectFormula(statement: Statement): Formula {
  return statement.effectDoubt === undefined ? TRUE : unknown(statement.effectDoubt);
}

/** A statement's formula, bounded both ways: what it may do (`upper`) and surely does (`lower`). */
export interface Bounded {
  readonly label: string;
  readonly upper: Formula;
  readonly lower: Formula;
  /** The formula before bounding, for the assumptions it makes. */
  readonly raw: Formula;
}

/** A statement, and how a message names it. */
export interface Labelled {
  readonly statement: Statement;
  readonly label: string;
}

/** Statements named by their own labels. */
export function labelled(statements: readonly Statement[]): Labelled[] {
  return statements.map((statement) => ({ statement, label: statement.label }));
}

/**
 * The Allows and Denies of some statements, each with its formula (from `rawOf`), the effect's
 * doubt included. A statement whose Effect is unknown is both.
 */
export function byEffect<T extends Labelled>(
  entries: readonly T[],
  rawOf: (entry: T) => Formula,
): { allows: Bounded[]; denies: Bounded[] } {
  const allows: Bounded[] = [];
  const denies: Bounded[] = [];
  for (const entry of entries) {
    const { statement } = entry;
    const raw = and(effectFormula(statement), rawOf(entry));
    const bounded = {
      label: entry.label,
      upper: bound(raw, "upper"),
      lower: bound(raw, "lower"),
      raw,
    };
    if (statement.effect === "Allow" || statement.effectUnknown) {
      allows.push(bounded);
    }
    if (statement.effect === "Deny" || statement.effectUnknown) {
      denies.push(bounded);
    }
  }
  return { allows, denies };
}

/** What IAM may allow: some Allow may apply and no Deny surely applies. */
export function mayBeAllowed(allows: readonly Bounded[], denies: readonly Bounded[]): Formula {
  return and(or(...allows.map((a) => a.upper)), not(or(...denies.map((d) => d.lower))));
}

/** What IAM surely allows: some Allow surely applies and no Deny may apply. */
export function surelyAllowed(allows: readonly Bounded[], denies: readonly Bounded[]): Formula {
  return and(or(...allows.map((a) => a.lower)), not(or(...denies.map((d) => d.upper))));
}
