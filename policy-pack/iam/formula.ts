/**
 * Conditions of IAM statements as formulas over "is this request value in that language?", with
 * a third value for what cannot be known (a key the model does not know, a policy variable, an
 * operator it does not evaluate), and a search for values that make a formula hold.
 */
import { defaultSearchLimits, Language, matches, search, SearchLimits } from "./automaton";

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

export type SolveResult =
  | { readonly kind: "found"; readonly values: Assignment }
  | { readonly kind: "none" }
  | { readonly kind: "unknown" };

/**
 * Values of the formula's variables that make it hold (a variable without atoms gets none), or
 * "none", or "unknown" when the search exceeded its bounds. The formula must have no unknowns.
 *
 * Variables are independent: for all but the last, each combination of answers its atoms can
 * give together is tried (found by the search), and the last is searched for directly.
 */
export function solve(formula: Formula, limits: SearchLimits = defaultSearchLimits): SolveResult {
  if (unknownReasons(formula).length > 0) {
    throw new Error("solve needs a formula without unknowns: bound it first");
  }
  const atoms = new Map<string, Atom[]>();
  collectAtoms(formula, atoms);
  const variables = [...atoms.keys()].sort(
    (a, b) => atoms.get(a)!.length - atoms.get(b)!.length || a.localeCompare(b),
  );
  let inconclusive = false;
  const step = (current: Formula, index: number, values: Record<string, string>): SolveResult => {
    if (current.kind === "false") {
      return { kind: "none" };
    }
    if (current.kind === "true" || index >= variables.length) {
      return current.kind === "true" ? { kind: "found", values } : { kind: "none" };
    }
    const variable = variables[index];
    const own = atoms.get(variable)!;
    if (index === variables.length - 1) {
      const result = search(
        { languages: own.map((a) => a.language), holds: compile(current, own) },
        limits,
      );
      return result.kind === "found"
        ? { kind: "found", values: { ...values, [variable]: result.witness } }
        : result;
    }
    // Every combination of answers for this variable's atoms that some value gives.
    for (let mask = 0; mask < 1 << own.length; mask += 1) {
      const truth = new Map(own.map((a, i) => [a, (mask & (1 << i)) !== 0]));
      const rest = substitute(current, truth);
      if (rest.kind === "false") {
        continue;
      }
      const realised = search(
        {
          languages: own.map((a) => a.language),
          holds: (answers) => answers.every((answer, i) => answer === ((mask & (1 << i)) !== 0)),
        },
        limits,
      );
      if (realised.kind === "unknown") {
        inconclusive = true;
        continue;
      }
      if (realised.kind === "none") {
        continue;
      }
      const found = step(rest, index + 1, { ...values, [variable]: realised.witness });
      if (found.kind === "found") {
        return found;
      }
      if (found.kind === "unknown") {
        inconclusive = true;
      }
    }
    return { kind: "none" };
  };
  const result = step(formula, 0, {});
  return result.kind === "none" && inconclusive ? { kind: "unknown" } : result;
}
