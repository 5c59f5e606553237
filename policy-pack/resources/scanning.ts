/**
 * What a registry's scanning rules scan: ECR's filter semantics, as languages the IAM model's
 * solver can reason about.
 */
import { Language } from "../iam/automaton";
import { Budget, BudgetExhausted } from "../iam/budget";
import { and, atom, Formula, not, or, solve } from "../iam/formula";
import { compilePattern } from "../iam/patterns";

/** A registry scanning rule: how often, and which repositories. */
export interface ScanningRule {
  readonly frequency: string;
  readonly filters: readonly string[];
}

/**
 * The repository names an ECR scanning filter matches. ECR's rule: a filter with `*` matches
 * names where each `*` stands for zero or more characters; a filter without one matches every
 * name that contains it (`prod` matches `repo-prod-repo`).
 */
export function scanningFilterLanguage(filter: string): Language | undefined {
  const pattern = filter.includes("*") ? filter : `*${filter}*`;
  const compiled = compilePattern(pattern, { wildcards: true });
  return "language" in compiled ? compiled.language : undefined;
}

/** Whether `name` is one the rules of these frequencies scan, as a formula over `name`. */
export function scannedBy(rules: readonly ScanningRule[], frequencies: readonly string[]): Formula {
  return or(
    ...rules
      .filter((rule) => frequencies.includes(rule.frequency))
      .flatMap((rule) => rule.filters)
      .flatMap((filter) => {
        const language = scanningFilterLanguage(filter);
        return language === undefined ? [] : [atom("name", language)];
      }),
  );
}

/**
 * A name in `names` that the rules of these frequencies leave out, `"?"` when that cannot be
 * worked out, or undefined when they cover every name in `names`.
 */
export function unscannedName(
  names: Language,
  rules: readonly ScanningRule[],
  frequencies: readonly string[],
): string | undefined {
  try {
    const result = solve(
      and(atom("name", names), not(scannedBy(rules, frequencies))),
      new Budget(),
    );
    return result.kind === "none" ? undefined : (result.values.name ?? "");
  } catch (e) {
    if (e instanceof BudgetExhausted) {
      return "?";
    }
    throw e;
  }
}
