/**
 * Boolean combinations of "this string is in that language", and their translation to Z3 with
 * one membership per string wherever the formula allows it.
 *
 * Why not hand Z3 the formula as it stands: z3-solver 5.2 (Z3 in WebAssembly) decides one
 * membership of a string in an intersection of languages in milliseconds, but runs out of time
 * on the same question asked as two memberships, or with a negated one:
 * `s ∈ repo:<repository>:pull_request` and `s ≠ "x"` took longer than 4 s,
 * `s ∈ (repo:<repository>:pull_request ∩ ¬"x")` 30 ms. So a negation becomes a complement,
 * and the memberships of one string under one `and` (`or`)
 * become one membership of the intersection (union): a statement's conditions on one key, all
 * of a Deny's conditions on `sub`, collapse into one regular expression. What stays a boolean
 * formula is only what links different strings (an Allow on `sub` and `aud` together), which
 * `search.ts` splits by cases.
 */
import type { Bool, Re, Seq } from "z3-solver";
import { Z3 } from "./solver";

export type Term =
  | { readonly kind: "true" }
  | { readonly kind: "false" }
  /** The string named `variable` is in the language `re`. */
  | { readonly kind: "in"; readonly variable: string; readonly re: Re<"main"> }
  | { readonly kind: "and" | "or"; readonly terms: readonly Term[] }
  | { readonly kind: "not"; readonly term: Term };

export const TRUE: Term = { kind: "true" };
export const FALSE: Term = { kind: "false" };
export const constant = (value: boolean): Term => (value ? TRUE : FALSE);
export const member = (variable: string, re: Re<"main">): Term => ({ kind: "in", variable, re });
export const and = (...terms: Term[]): Term => ({ kind: "and", terms });
export const or = (...terms: Term[]): Term => ({ kind: "or", terms });
export const not = (term: Term): Term => ({ kind: "not", term });

/** The term with its negations pushed into the languages, and memberships of one string merged. */
export function simplify(z3: Z3, term: Term, negated = false): Term {
  switch (term.kind) {
    case "true":
    case "false":
      return constant((term.kind === "true") !== negated);
    case "in":
      return negated ? member(term.variable, z3.Complement(term.re)) : term;
    case "not":
      return simplify(z3, term.term, !negated);
    case "and":
    case "or": {
      // De Morgan: under a negation an `and` is an `or` of the negated terms.
      const conjunction = (term.kind === "and") !== negated;
      const parts = term.terms.map((t) => simplify(z3, t, negated));
      return merge(z3, conjunction, parts);
    }
  }
}

function merge(z3: Z3, conjunction: boolean, parts: readonly Term[]): Term {
  const absorbing = conjunction ? "false" : "true";
  const byVariable = new Map<string, Re<"main">[]>();
  const rest: Term[] = [];
  const visit = (part: Term) => {
    if (part.kind === absorbing) {
      throw absorbed;
    }
    if (part.kind === "true" || part.kind === "false") {
      return;
    }
    if (part.kind === (conjunction ? "and" : "or")) {
      (part as { terms: readonly Term[] }).terms.forEach(visit);
    } else if (part.kind === "in") {
      byVariable.set(part.variable, [...(byVariable.get(part.variable) ?? []), part.re]);
    } else {
      rest.push(part);
    }
  };
  try {
    parts.forEach(visit);
  } catch (error) {
    if (error === absorbed) {
      return constant(!conjunction);
    }
    throw error;
  }
  const merged = [...byVariable].map(([variable, res]) =>
    member(
      variable,
      res.length === 1 ? res[0] : conjunction ? z3.Intersect(...res) : z3.Union(...res),
    ),
  );
  const all = [...merged, ...rest];
  if (all.length === 0) {
    return constant(conjunction);
  }
  return all.length === 1 ? all[0] : { kind: conjunction ? "and" : "or", terms: all };
}

const absorbed = Symbol("absorbed");

/** The Z3 formula of a term, over the strings named by its variables. */
export function toZ3(
  z3: Z3,
  term: Term,
  variables: Readonly<Record<string, Seq<"main">>>,
): Bool<"main"> {
  const emit = (t: Term): Bool<"main"> => {
    switch (t.kind) {
      case "true":
      case "false":
        return z3.Bool.val(t.kind === "true");
      case "in":
        return z3.InRe(variables[t.variable], t.re);
      case "not":
        return z3.Not(emit(t.term));
      case "and":
        return z3.And(...t.terms.map(emit));
      case "or":
        return z3.Or(...t.terms.map(emit));
    }
  };
  return emit(simplify(z3, term));
}

/** The variables a term mentions. */
export function variablesOf(term: Term, found = new Set<string>()): Set<string> {
  if (term.kind === "in") {
    found.add(term.variable);
  } else if (term.kind === "and" || term.kind === "or") {
    term.terms.forEach((t) => variablesOf(t, found));
  } else if (term.kind === "not") {
    variablesOf(term.term, found);
  }
  return found;
}

/** The memberships of one variable a term holds (each node once). */
export function membershipsOf(
  term: Term,
  variable: string,
  found: Extract<Term, { kind: "in" }>[] = [],
): Extract<Term, { kind: "in" }>[] {
  if (term.kind === "in") {
    if (term.variable === variable && !found.includes(term)) {
      found.push(term);
    }
  } else if (term.kind === "and" || term.kind === "or") {
    term.terms.forEach((t) => membershipsOf(t, variable, found));
  } else if (term.kind === "not") {
    membershipsOf(term.term, variable, found);
  }
  return found;
}

/** The term with these memberships replaced by their answers. */
export function substitute(term: Term, answers: ReadonlyMap<Term, boolean>): Term {
  const answer = answers.get(term);
  if (answer !== undefined) {
    return constant(answer);
  }
  switch (term.kind) {
    case "and":
    case "or":
      return { kind: term.kind, terms: term.terms.map((t) => substitute(t, answers)) };
    case "not":
      return not(substitute(term.term, answers));
    default:
      return term;
  }
}

/** The memberships of `variable` every value must meet: those at the top of the term's `and`. */
export function requiredOf(term: Term, variable: string): Re<"main">[] {
  if (term.kind === "in") {
    return term.variable === variable ? [term.re] : [];
  }
  return term.kind === "and" ? term.terms.flatMap((t) => requiredOf(t, variable)) : [];
}
