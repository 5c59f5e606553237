/**
 * The common case proven from the formulas' structure alone, without a search: every Allow that
 * may apply pins `aud` to STS's audience and `sub` to subjects of one repository that can never
 * be a pull request's. Each Allow's formula is a conjunction, so every token it admits meets its
 * atoms; Denies only take tokens away. So every admitted token is of that repository, for STS,
 * not a pull request: the verdict a search would reach, at the cost of reading the formulas.
 */
import { CharSet, Step } from "../automaton";
import { Formula } from "../formula";
import { parseSubject, pullRequestContext, stsAudience } from "../../governance/github";
import { Scenario } from "./scenarios";

/** The character a set holds, ignoring ASCII letter case; undefined unless it is one such. */
function singleCharacter(set: CharSet): string | undefined {
  const points: number[] = [];
  for (let i = 0; i < set.bounds.length; i += 2) {
    for (let point = set.bounds[i]; point < set.bounds[i + 1]; point += 1) {
      points.push(point);
      if (points.length > 2) {
        return undefined;
      }
    }
  }
  const chars = [...new Set(points.map((p) => String.fromCodePoint(p).toLowerCase()))];
  return chars.length === 1 && (points.length === 1 || /^[a-z]$/.test(chars[0]))
    ? chars[0]
    : undefined;
}

/** The single character a step reads, ignoring letter case, or undefined for a wildcard. */
function stepChar(step: Step): string | undefined {
  return step.repeat ? undefined : singleCharacter(step.set);
}

/** The repository part a sequence of a sub language fixes, and the steps after it. */
function fixedRepository(
  sequence: readonly Step[],
): { repository: string; key: string; rest: readonly Step[] } | undefined {
  let text = "";
  let written = "";
  for (let i = 0; i < sequence.length; i += 1) {
    const c = stepChar(sequence[i]);
    if (c === undefined) {
      return undefined;
    }
    if (c === ":" && text.length > "repo:".length) {
      const parsed = parseSubject(`${written}:`);
      // The repository by name: the immutable form spells the same name with its ids, so both
      // forms of one name are one repository's (as the search reads them, claims.ts).
      const name = parsed?.repository.replace(/@\d+(?=\/|$)/g, "");
      return parsed && name
        ? { repository: name, key: name.toLowerCase(), rest: sequence.slice(i + 1) }
        : undefined;
    }
    // `repo:` itself must be read exactly: a subject that starts with `REPO:` names no
    // repository in the token space (GitHub writes `repo:`), so a step that also reads `R` is
    // not proven one repository's (Z3's counter-example, test/iam/counterexamples.test.ts).
    if (
      i < "repo:".length &&
      !(
        sequence[i].set.bounds.length === 2 &&
        sequence[i].set.hasChar("repo:"[i]) &&
        sequence[i].set.bounds[1] - sequence[i].set.bounds[0] === 1
      )
    ) {
      return undefined;
    }
    text += c;
    // As written: a step of one character is that character.
    written += sequence[i].set.first() ?? c;
    if (!"repo:".startsWith(text) && !text.startsWith("repo:")) {
      return undefined;
    }
  }
  return undefined;
}

/** Whether a context sequence can never read `pull_request` (alone or followed by `:`). */
function neverPullRequest(rest: readonly Step[]): boolean {
  const word = pullRequestContext;
  for (let i = 0; i < rest.length && i <= word.length; i += 1) {
    const step = rest[i];
    if (step.repeat) {
      return false;
    }
    const wanted = i < word.length ? word[i] : ":";
    if (step.set.hasChar(wanted)) {
      continue;
    }
    return true;
  }
  // It reads a prefix of "pull_request" and ends, or reads all of it.
  return rest.length < word.length;
}

function conjuncts(formula: Formula): readonly Formula[] {
  return formula.kind === "and" ? formula.operands : [formula];
}

function pinsAudience(formula: Formula): boolean {
  return conjuncts(formula).some(
    (part) =>
      part.kind === "atom" &&
      part.atom.variable === "aud" &&
      part.atom.language.length > 0 &&
      part.atom.language.every(
        (sequence) =>
          sequence.length === stsAudience.length &&
          sequence.every(
            (step, i) =>
              !step.repeat &&
              step.set.bounds.length === 2 &&
              step.set.bounds[1] - step.set.bounds[0] === 1 &&
              step.set.hasChar(stsAudience[i]),
          ),
      ),
  );
}

/** The one repository every subject the formula admits names, if its atoms pin one. */
function pinnedRepository(formula: Formula): { repository: string; key: string } | undefined {
  for (const part of conjuncts(formula)) {
    if (part.kind !== "atom" || part.atom.variable !== "sub" || part.atom.language.length === 0) {
      continue;
    }
    const fixed = part.atom.language.map(fixedRepository);
    if (
      fixed.every((f) => f !== undefined && f.key === fixed[0]!.key && neverPullRequest(f.rest))
    ) {
      return fixed[0]!;
    }
  }
  return undefined;
}

/** The one repository of every scenario, proven from the formulas' structure; undefined when not provable so. */
export function provenRepository(scenarios: readonly Scenario[]): string | undefined {
  let repository: { repository: string; key: string } | undefined;
  for (const allow of scenarios.flatMap((s) => s.allows)) {
    if (allow.upper.kind === "false") {
      continue;
    }
    const pinned = pinnedRepository(allow.upper);
    if (pinned === undefined || !pinsAudience(allow.upper)) {
      return undefined;
    }
    if (repository !== undefined && repository.key !== pinned.key) {
      return undefined;
    }
    repository ??= pinned;
  }
  return repository?.repository;
}
