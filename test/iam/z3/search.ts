/**
 * One existential question to Z3, answered with a witness only the evaluator confirms.
 *
 * Z3's answer is a proof only of the encoding, so each witness it finds is put to the
 * independent evaluator, and one the evaluator refuses is excluded and the question asked
 * again (a few times). Refusals are kept: each is a disagreement between the encoding and the
 * evaluator, counted by the test.
 *
 * How a question of several strings is asked (`solve`): z3-solver 5.2 decides one string's
 * membership of one language quickly, but a boolean formula linking two strings through many
 * memberships (an Allow on `sub` and `aud`, and forty Denies each on `sub` and `aud`) ran out
 * of time, and runs with hundreds of timeouts ended in memory errors of its WebAssembly build
 * (one was a term released by the garbage collector under an asynchronous call). So the
 * strings are split by cases: Z3 finds a value of the string with the fewest memberships; that
 * value answers each of its memberships; the formula, with those answers, is asked about the
 * other strings. When it has no answer there, every value answering the same way is excluded
 * (one language: the intersection of the memberships' languages or their complements) and the
 * next value is sought. That is complete: the formula's truth depends on the first string only
 * through those answers, and there are finitely many combinations of them.
 */
import type { Model, Seq } from "z3-solver";
import { Answer, check, literal, valueOf as readString, Z3 } from "./solver";
import {
  and,
  member,
  membershipsOf,
  not,
  or,
  requiredOf,
  simplify,
  substitute,
  Term,
  toZ3,
  variablesOf,
} from "./terms";

export type Outcome<W> =
  /** Z3 found a witness and the evaluator confirms it. */
  | { readonly kind: "witness"; readonly witness: W; readonly refused: readonly W[] }
  /** No witness exists (unsat), apart from any the evaluator refused. */
  | { readonly kind: "none"; readonly refused: readonly W[] }
  /** Z3 ran out of time, or every witness it found was refused. Skipped, never a failure. */
  | { readonly kind: "unknown"; readonly reason: string; readonly refused: readonly W[] };

/** Values of the strings, by variable name. */
export type Values = Readonly<Record<string, string>>;

export interface Question<W> {
  /** What a witness satisfies, over the strings named by `strings`' keys. */
  readonly term: Term;
  readonly strings: Readonly<Record<string, Seq<"main">>>;
  /** The witness the strings' values show. */
  read(values: Values): W;
  /** Whether the evaluator confirms the witness. */
  confirm(witness: W): boolean;
  /** A term excluding this witness. */
  exclude(witness: W): Term;
}

/** How many witnesses the evaluator may refuse before a question is given up as unknown. */
const attempts = 3;

/** How many cases (combinations of one string's answers) a question may try. */
const maxCases = 64;

export async function ask<W>(z3: Z3, question: Question<W>): Promise<Outcome<W>> {
  const refused: W[] = [];
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    const answer = await solve(
      z3,
      and(question.term, ...refused.map(question.exclude)),
      question.strings,
    );
    if (answer.kind === "unsat") {
      return { kind: "none", refused };
    }
    if (answer.kind === "unknown") {
      return { kind: "unknown", reason: answer.reason, refused };
    }
    const witness = question.read(answer.value);
    if (question.confirm(witness)) {
      return { kind: "witness", witness, refused };
    }
    refused.push(witness);
  }
  return { kind: "unknown", reason: `the evaluator refused ${attempts} witnesses`, refused };
}

function valuesOf(
  z3: Z3,
  model: Model<"main">,
  strings: Readonly<Record<string, Seq<"main">>>,
  names: Iterable<string>,
): Values {
  return Object.fromEntries([...names].map((name) => [name, readString(z3, model, strings[name])]));
}

/** Values of the strings that make the term hold, by cases (see above). */
export async function solve(
  z3: Z3,
  term: Term,
  strings: Readonly<Record<string, Seq<"main">>>,
): Promise<Answer<Values>> {
  const simple = simplify(z3, term);
  const variables = [...variablesOf(simple)];
  if (variables.length <= 1) {
    const answer = await check(z3, [toZ3(z3, simple, strings)], (model) =>
      valuesOf(z3, model, strings, variables),
    );
    return answer.kind === "unknown" ? { ...answer, reason: `Z3: ${answer.reason}` } : answer;
  }
  const [first] = variables
    .map((v) => ({ v, n: membershipsOf(simple, v).length }))
    .sort((a, b) => a.n - b.n || a.v.localeCompare(b.v));
  const variable = first.v;
  const memberships = membershipsOf(simple, variable);
  const required = requiredOf(simple, variable);
  const excluded: Term[] = [];
  let unknown: string | undefined;
  for (let n = 0; n < maxCases; n += 1) {
    const found = await check(
      z3,
      [toZ3(z3, and(...required.map((re) => member(variable, re)), ...excluded), strings)],
      (model) => readString(z3, model, strings[variable]),
    );
    if (found.kind === "unsat") {
      return unknown === undefined ? found : { kind: "unknown", reason: unknown };
    }
    if (found.kind === "unknown") {
      return { kind: "unknown", reason: `Z3: ${found.reason}` };
    }
    const value = found.value;
    const answers = await membershipAnswers(z3, value, memberships);
    const rest = await solve(z3, substitute(simple, answers), strings);
    if (rest.kind === "sat") {
      return { kind: "sat", value: { ...rest.value, [variable]: value } };
    }
    if (rest.kind === "unknown") {
      // Another case may still have a witness; without one, the question stays unknown.
      unknown ??= rest.reason;
    }
    // Every value answering as this one does: none has a witness (or none was found in time).
    excluded.push(or(...memberships.map((m) => (answers.get(m) ? not(m) : m))));
  }
  return { kind: "unknown", reason: `more than ${maxCases} cases of ${variable}` };
}

/** How a concrete value answers each membership. */
async function membershipAnswers(
  z3: Z3,
  value: string,
  memberships: readonly Extract<Term, { kind: "in" }>[],
): Promise<Map<Term, boolean>> {
  const text = literal(z3, value);
  const answers = new Map<Term, boolean>();
  // One question for all: bit i of the sum is membership i's answer. Asked of a solver, which
  // holds its terms while it works (Z3's asynchronous simplify does not, and the garbage
  // collector may release them under it); its rewriter decides ground memberships at once.
  const bits = memberships.map((m, i) =>
    z3.If(z3.InRe(text, m.re), z3.Int.val(1n << BigInt(i)), z3.Int.val(0)),
  );
  const mask = z3.Int.const("answers");
  const found = await check(
    z3,
    [mask.eq(bits.length === 1 ? bits[0] : z3.Sum(bits[0], ...bits.slice(1)))],
    (model) => BigInt(model.eval(mask, true).toString()),
  );
  if (found.kind !== "sat") {
    throw new Error(`Z3 could not decide whether ${JSON.stringify(value)} is in its languages`);
  }
  memberships.forEach((m, i) => answers.set(m, ((found.value >> BigInt(i)) & 1n) === 1n));
  return answers;
}
