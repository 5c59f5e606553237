/**
 * Conditions of IAM statements as formulas over "is this request value in that language?", with
 * a third value for what cannot be known (a key the model does not know, a policy variable, an
 * operator it does not evaluate), and a search for values that make a formula hold.
 */
import { Language, matches, realizable, search } from "./automaton";
import { Budget } from "./budget";

/** "The value of `variable` is in `language`." */
export interface Atom {
  readonly variable: string;
  readonly language: Language;
}

export type Formula =
  | { readonly kind: "true" }
  | { readonly kind: "false" }
  /** Cannot be known: the model does not evaluate it. */
  | { readonly kind: "unknown"; readonly reason: string }
  | { readonly kind: "atom"; readonly atom: Atom }
  | { readonly kind: "not"; readonly operand: Formula }
  | { readonly kind: "and"; readonly operands: readonly Formula[] }
  | { readonly kind: "or"; readonly operands: readonly Formula[] };

export const TRUE: Formula = Object.freeze({ kind: "true" });
export const FALSE: Formula = Object.freeze({ kind: "false" });

export function unknown(reason: string): Formula {
  return { kind: "unknown", reason };
}

export function atom(variable: string, language: Language): Formula {
  return { kind: "atom", atom: { variable, language } };
}

export function not(operand: Formula): Formula {
  switch (operand.kind) {
    case "true":
      return FALSE;
    case "false":
      return TRUE;
    case "not":
      return operand.operand;
    default:
      return { kind: "not", operand };
  }
}

export function and(...operands: readonly Formula[]): Formula {
  const kept: Formula[] = [];
  for (const operand of operands) {
    if (operand.kind === "false") {
      return FALSE;
    }
    if (operand.kind === "and") {
      kept.push(...operand.operands);
    } else if (operand.kind !== "true") {
      kept.push(operand);
    }
  }
  return kept.length === 0 ? TRUE : kept.length === 1 ? kept[0] : { kind: "and", operands: kept };
}

export function or(...operands: readonly Formula[]): Formula {
  const kept: Formula[] = [];
  for (const operand of operands) {
    if (operand.kind === "true") {
      return TRUE;
    }
    if (operand.kind === "or") {
      kept.push(...operand.operands);
    } else if (operand.kind !== "false") {
      kept.push(operand);
    }
  }
  return kept.length === 0 ? FALSE : kept.length === 1 ? kept[0] : { kind: "or", operands: kept };
}

/**
 * The formula with every unknown replaced so that the result holds whenever the original might
 * (`"upper"`: an over-approximation) or only when it surely does (`"lower"`). IAM allows what an
 * Allow statement's conditions admit and refuses what a Deny's admit: to find every request that
 * might be allowed, Allow conditions are read as their upper bound and Deny conditions as their
 * lower bound.
 */
export function bound(formula: Formula, direction: "upper" | "lower"): Formula {
  switch (formula.kind) {
    case "unknown":
      return direction === "upper" ? TRUE : FALSE;
    case "not":
      return not(bound(formula.operand, direction === "upper" ? "lower" : "upper"));
    case "and":
      return and(...formula.operands.map((o) => bound(o, direction)));
    case "or":
      return or(...formula.operands.map((o) => bound(o, direction)));
    default:
      return formula;
  }
}

/** Whether a formula has unknown parts, and the reasons given for them. */
export function unknownReasons(formula: Formula): string[] {
  switch (formula.kind) {
    case "unknown":
      return [formula.reason];
    case "not":
      return unknownReasons(formula.operand);
    case "and":
    case "or":
      return formula.operands.flatMap(unknownReasons);
    default:
      return [];
  }
}

/** Whether a formula has an atom on `variable`. */
export function mentions(formula: Formula, variable: string): boolean {
  switch (formula.kind) {
    case "atom":
      return formula.atom.variable === variable;
    case "not":
      return mentions(formula.operand, variable);
    case "and":
    case "or":
      return formula.operands.some((o) => mentions(o, variable));
    default:
      return false;
  }
}

/** Values for the variables of a request: a string, or undefined for a value not given. */
export type Assignment = Readonly<Record<string, string | undefined>>;

/** Evaluates a formula (without unknowns: bound it first) on concrete values. */
export function evaluate(formula: Formula, values: Assignment): boolean {
  switch (formula.kind) {
    case "true":
      return true;
    case "false":
      return false;
    case "unknown":
      throw new Error(`cannot evaluate an unknown condition (${formula.reason}); bound it first`);
    case "atom": {
      const value = values[formula.atom.variable];
      return value !== undefined && matches(formula.atom.language, value);
    }
    case "not":
      return !evaluate(formula.operand, values);
    case "and":
      return formula.operands.every((o) => evaluate(o, values));
    case "or":
      return formula.operands.some((o) => evaluate(o, values));
  }
}

function collectAtoms(formula: Formula, into: Map<string, Atom[]>): void {
  switch (formula.kind) {
    case "atom": {
      const list = into.get(formula.atom.variable) ?? [];
      if (!list.includes(formula.atom)) {
        list.push(formula.atom);
      }
      into.set(formula.atom.variable, list);
      return;
    }
    case "not":
      collectAtoms(formula.operand, into);
      return;
    case "and":
    case "or":
      formula.operands.forEach((o) => collectAtoms(o, into));
      return;
    default:
      return;
  }
}

/** Replaces the atoms of `variable` by the truth values given. */
function substitute(formula: Formula, truth: ReadonlyMap<Atom, boolean>): Formula {
  switch (formula.kind) {
    case "atom": {
      const value = truth.get(formula.atom);
      return value === undefined ? formula : value ? TRUE : FALSE;
    }
    case "not":
      return not(substitute(formula.operand, truth));
    case "and":
      return and(...formula.operands.map((o) => substitute(o, truth)));
    case "or":
      return or(...formula.operands.map((o) => substitute(o, truth)));
    default:
      return formula;
  }
}

/** The formula as a function of its atoms' answers, given in the order of `atoms`. */
function compile(
  formula: Formula,
  atoms: readonly Atom[],
): (answers: readonly boolean[]) => boolean {
  switch (formula.kind) {
    case "true":
      return () => true;
    case "false":
      return () => false;
    case "unknown":
      throw new Error(`cannot evaluate an unknown condition (${formula.reason}); bound it first`);
    case "atom": {
      const index = atoms.indexOf(formula.atom);
      if (index < 0) {
        throw new Error("a formula has an atom of another variable than the one searched");
      }
      return (answers) => answers[index];
    }
    case "not": {
      const operand = compile(formula.operand, atoms);
      return (answers) => !operand(answers);
    }
    case "and": {
      const operands = formula.operands.map((o) => compile(o, atoms));
      return (answers) => operands.every((o) => o(answers));
    }
    case "or": {
      const operands = formula.operands.map((o) => compile(o, atoms));
      return (answers) => operands.some((o) => o(answers));
    }
  }
}

type Three = boolean | undefined;

/**
 * The formula in Kleene's three-valued logic over its atoms' answers (`undefined`: not known
 * yet). A definite answer is the formula's value for every way of filling in the unknown ones,
 * which is what lets a search drop a state (MODEL.md, "Why none is a proof").
 */
function compileThree(
  formula: Formula,
  atoms: readonly Atom[],
): (answers: readonly Three[]) => Three {
  switch (formula.kind) {
    case "true":
      return () => true;
    case "false":
      return () => false;
    case "unknown":
      throw new Error(`cannot evaluate an unknown condition (${formula.reason}); bound it first`);
    case "atom": {
      const index = atoms.indexOf(formula.atom);
      return (answers) => answers[index];
    }
    case "not": {
      const operand = compileThree(formula.operand, atoms);
      return (answers) => {
        const value = operand(answers);
        return value === undefined ? undefined : !value;
      };
    }
    case "and": {
      const operands = formula.operands.map((o) => compileThree(o, atoms));
      return (answers) => {
        let result: Three = true;
        for (const operand of operands) {
          const value = operand(answers);
          if (value === false) {
            return false;
          }
          if (value === undefined) {
            result = undefined;
          }
        }
        return result;
      };
    }
    case "or": {
      const operands = formula.operands.map((o) => compileThree(o, atoms));
      return (answers) => {
        let result: Three = false;
        for (const operand of operands) {
          const value = operand(answers);
          if (value === true) {
            return true;
          }
          if (value === undefined) {
            result = undefined;
          }
        }
        return result;
      };
    }
  }
}

export type SolveResult =
  { readonly kind: "found"; readonly values: Assignment } | { readonly kind: "none" };

/**
 * Values of the formula's variables that make it hold (a variable without atoms gets none), or
 * "none" when no values do. The formula must have no unknowns (bound it first). The work is
 * paid for from `budget`, which throws when it runs out: there is no third answer.
 *
 * Variables are independent strings, so the formula holds for some values exactly when some
 * choice of answers, one combination per variable that a string of that variable really gives
 * (`realizable`), makes it true. Every variable but the last is enumerated so, fewest atoms
 * first; the last is searched for directly, with the others' answers substituted.
 */
export function solve(formula: Formula, budget: Budget): SolveResult {
  if (unknownReasons(formula).length > 0) {
    throw new Error("solve needs a formula without unknowns: bound it first");
  }
  // A disjunction holds when one of its parts does: the widest one at the top (what an Allow
  // admits is the disjunction of its statements') is split into its parts, each solved alone,
  // so that statements are not searched as one product. One split only: splitting every
  // disjunction (a Deny's negation is one) would multiply the parts.
  for (const part of disjuncts(formula)) {
    const found = solveConjunction(part, budget);
    if (found.kind === "found") {
      return found;
    }
  }
  return { kind: "none" };
}

/** The parts of the widest disjunction at the formula's top, each with the rest; or itself. */
function disjuncts(formula: Formula): readonly Formula[] {
  if (formula.kind === "or") {
    return formula.operands;
  }
  if (formula.kind !== "and") {
    return [formula];
  }
  const widest = formula.operands
    .filter((o) => o.kind === "or")
    .reduce<Formula | undefined>(
      (best, o) =>
        best === undefined ||
        (o as { operands: readonly Formula[] }).operands.length >
          (best as { operands: readonly Formula[] }).operands.length
          ? o
          : best,
      undefined,
    );
  if (widest === undefined || widest.kind !== "or" || widest.operands.length < 3) {
    return [formula];
  }
  const rest = formula.operands.filter((o) => o !== widest);
  return widest.operands.map((d) => and(...rest, d));
}

/**
 * The one string a language holds, when it holds exactly one written out character by character
 * (`literal`'s languages, case kept); undefined otherwise.
 */
function onlyString(language: Language): string | undefined {
  if (language.length !== 1) {
    return undefined;
  }
  let text = "";
  for (const { set, repeat } of language[0]) {
    const [lo, hi] = set.bounds;
    if (repeat || set.bounds.length !== 2 || hi !== lo + 1) {
      return undefined;
    }
    text += String.fromCodePoint(lo);
  }
  return text;
}

/**
 * Variables a conjunction fixes: a conjunct "`v` is in a language of one string" leaves `v` that
 * string or nothing. Each is substituted before any search: its other atoms are decided by
 * `matches` on that string, so a value the formula fixes (a subject tried by name, STS's
 * audience) costs no automaton. Exact: a solution must give `v` that string, and that string
 * answers every atom of `v` as the substitution does.
 */
function fixVariables(
  formula: Formula,
  budget: Budget,
): { readonly rest: Formula; readonly values: Record<string, string> } {
  const values: Record<string, string> = {};
  let rest = formula;
  for (;;) {
    const conjuncts = rest.kind === "and" ? rest.operands : [rest];
    let fixed: { variable: string; value: string } | undefined;
    for (const c of conjuncts) {
      if (c.kind !== "atom") {
        continue;
      }
      const value = onlyString(c.atom.language);
      if (value !== undefined) {
        fixed = { variable: c.atom.variable, value };
        break;
      }
    }
    if (fixed === undefined) {
      return { rest, values };
    }
    const atoms = new Map<string, Atom[]>();
    collectAtoms(rest, atoms);
    const own = atoms.get(fixed.variable)!;
    budget.spend(own.length);
    rest = substitute(rest, new Map(own.map((a) => [a, matches(a.language, fixed.value)])));
    values[fixed.variable] = fixed.value;
  }
}

function solveConjunction(whole: Formula, budget: Budget): SolveResult {
  const { rest: formula, values: fixedValues } = fixVariables(whole, budget);
  const atoms = new Map<string, Atom[]>();
  collectAtoms(formula, atoms);
  const variables = [...atoms.keys()].sort(
    (a, b) => atoms.get(a)!.length - atoms.get(b)!.length || a.localeCompare(b),
  );
  const step = (current: Formula, index: number, values: Record<string, string>): SolveResult => {
    if (current.kind === "false") {
      return { kind: "none" };
    }
    if (current.kind === "true" || index >= variables.length) {
      return current.kind === "true" ? { kind: "found", values } : { kind: "none" };
    }
    const variable = variables[index];
    const own = atoms.get(variable)!.filter((a) => mentionsAtom(current, a));
    if (own.length === 0) {
      return step(current, index + 1, values);
    }
    const languages = own.map((a) => a.language);
    if (index === variables.length - 1) {
      const result = search(
        { languages, holds: compile(current, own), mayHold: mayHoldOf(current, own) },
        budget,
      );
      return result.kind === "found"
        ? { kind: "found", values: { ...values, [variable]: result.witness } }
        : result;
    }
    // States of this variable from which the formula is false whatever the rest answer are
    // not walked: its answers there cannot be part of a solution.
    const othersOpen = mayHoldOf(current, own);
    for (const { answers, witness } of realizable(languages, budget, othersOpen)) {
      budget.spend(own.length);
      const rest = substitute(current, new Map(own.map((a, i) => [a, answers[i]])));
      const found = step(rest, index + 1, { ...values, [variable]: witness });
      if (found.kind === "found") {
        return found;
      }
    }
    return { kind: "none" };
  };
  return step(formula, 0, fixedValues);
}

function mayHoldOf(formula: Formula, atoms: readonly Atom[]) {
  const three = compileThree(formula, atoms);
  return (settled: readonly Three[]) => three(settled) !== false;
}

function mentionsAtom(formula: Formula, target: Atom): boolean {
  switch (formula.kind) {
    case "atom":
      return formula.atom === target;
    case "not":
      return mentionsAtom(formula.operand, target);
    case "and":
    case "or":
      return formula.operands.some((o) => mentionsAtom(o, target));
    default:
      return false;
  }
}
