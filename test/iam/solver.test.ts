/**
 * The solver the IAM model stands on (languages as automata, formulas over them), against brute
 * force: every string over a small alphabet up to a length, on generated formulas of glob
 * patterns. What the solver finds must satisfy the formula and be as short as any; when it finds
 * nothing, nothing up to that length may satisfy it.
 */
import { strict as assert } from "assert";
import fc from "fast-check";
import { literal, matches } from "../../policy-pack/iam/automaton";
import { and, atom, evaluate, Formula, not, or, solve } from "../../policy-pack/iam/formula";
import { compilePattern } from "../../policy-pack/iam/patterns";
import { unlimited } from "../../policy-pack/iam/budget";

// "c" is named by no pattern, and "\u00e9" is no ASCII character: a search must try both kinds.
const letters = ["a", "b", "c", "\u00e9"];
const maxLength = 5;

/** Every string over the letters up to the length, shortest first. */
const strings: string[] = [""];
for (let length = 1; length <= maxLength; length += 1) {
  for (const prefix of strings.filter((s) => s.length === length - 1)) {
    strings.push(...letters.map((l) => prefix + l));
  }
}

const pattern = fc.stringMatching(/^[ab\u00e9*?]{0,4}$/);
const formula: fc.Arbitrary<Formula> = fc.letrec<{ f: Formula }>((tie) => ({
  f: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    pattern.map((p) => {
      const compiled = compilePattern(p, { wildcards: true });
      return atom("x", "language" in compiled ? compiled.language : []);
    }),
    tie("f").map((f) => not(f)),
    fc.array(tie("f"), { minLength: 2, maxLength: 3 }).map((fs) => and(...fs)),
    fc.array(tie("f"), { minLength: 2, maxLength: 3 }).map((fs) => or(...fs)),
  ),
})).f;

describe("the solver, against brute force", () => {
  it("finds a string that satisfies the formula, or none exists up to the length checked", () => {
    fc.assert(
      fc.property(formula, (f) => {
        const brute = strings.find((s) => evaluate(f, { x: s }));
        const result = solve(f, unlimited());
        if (result.kind === "found") {
          const found = result.values.x ?? "";
          assert.ok(
            evaluate(f, { x: found }),
            `the solver's ${JSON.stringify(found)} does not satisfy it`,
          );
          // A witness is shortest within the disjunct it was found in, not always overall
          // (solve splits a top-level disjunction into parts): so only its truth is asserted.
        } else {
          assert.equal(
            brute,
            undefined,
            `the solver finds none, but ${JSON.stringify(brute)} satisfies it`,
          );
        }
      }),
      { numRuns: Number(process.env.SOLVER_RUNS ?? 2000) },
    );
  });

  it("tells a word from its prefixes and extensions (shrunk from the trust model's counter-example)", () => {
    const word = (text: string) => {
      const compiled = compilePattern(text, { wildcards: false });
      return atom("x", "language" in compiled ? compiled.language : []);
    };
    assert.deepEqual(solve(and(word("abc"), not(word("ab"))), unlimited()), {
      kind: "found",
      values: { x: "abc" },
    });
    assert.deepEqual(solve(and(word("ab"), not(word("abc"))), unlimited()), {
      kind: "found",
      values: { x: "ab" },
    });
    assert.deepEqual(solve(and(word("abc"), not(word("abc"))), unlimited()), { kind: "none" });
  });

  it("matches a pattern's language as a regular expression of the pattern does", () => {
    // The brute force above evaluates formulas with `matches`: here it is held to an
    // independent reading of the glob (`*` any run of characters, `?` one character).
    const regex = (p: string) =>
      new RegExp(`^${[...p].map((c) => (c === "*" ? ".*" : c === "?" ? "." : c)).join("")}$`, "su");
    fc.assert(
      fc.property(pattern, fc.constantFrom(...strings), (p, text) => {
        const compiled = compilePattern(p, { wildcards: true });
        assert.ok("language" in compiled);
        assert.equal(matches(compiled.language, text), regex(p).test(text), `${p} ${text}`);
      }),
      { numRuns: 5000 },
    );
  });

  it("solves a conjunction that fixes a variable to one word by that word alone", () => {
    // A conjunct "x is this word" is substituted before any search (formula.ts, fixVariables):
    // the answer must be that word exactly when the rest holds for it, for each variable fixed.
    const word = fc.constantFrom(...strings.slice(0, 60));
    const over = (variable: string, f: Formula): Formula =>
      f.kind === "atom"
        ? atom(variable, f.atom.language)
        : f.kind === "not"
          ? not(over(variable, f.operand))
          : f.kind === "and"
            ? and(...f.operands.map((o) => over(variable, o)))
            : f.kind === "or"
              ? or(...f.operands.map((o) => over(variable, o)))
              : f;
    fc.assert(
      fc.property(word, word, formula, formula, (x, y, f, g) => {
        const whole = and(atom("x", literal(x)), f, atom("y", literal(y)), over("y", g));
        const holds = evaluate(f, { x }) && evaluate(g, { x: y });
        const result = solve(whole, unlimited());
        assert.deepEqual(
          result,
          holds ? { kind: "found", values: { x, y } } : { kind: "none" },
          `x = ${JSON.stringify(x)}, y = ${JSON.stringify(y)}`,
        );
      }),
      { numRuns: 2000 },
    );
  });

  it("does not take a word compared without letter case for one string", () => {
    // `literal("ab", true)` holds "ab", "AB", "aB" and "Ab": it fixes nothing, and the search
    // still finds a spelling the rest allows.
    const upper = compilePattern("AB", { wildcards: false });
    assert.ok("language" in upper);
    assert.deepEqual(
      solve(and(atom("x", literal("ab", true)), atom("x", upper.language)), unlimited()),
      {
        kind: "found",
        values: { x: "AB" },
      },
    );
  });
});
