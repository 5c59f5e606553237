/**
 * "Did you mean …?" for names a user types: commands, options, event names, regions. The
 * distance is Damerau-Levenshtein (an adjacent swap counts one), so `plna` finds `plan`; the
 * same as config keys are checked with (`components/stackConfig.ts`), which is stricter there
 * because a match refuses input, where here it only helps.
 */
import { editDistance } from "../../components/stackConfig";

export { editDistance };

/**
 * The candidates `value` is most likely a slip for, nearest first: those within a third of
 * its length (at least one edit, at most three), ignoring case; or, when none is, the ones it
 * is a prefix of. Empty when nothing is close: then no suggestion beats a wrong one.
 */
export function closest(value: string, candidates: Iterable<string>): string[] {
  const wanted = value.toLowerCase();
  const limit = Math.min(3, Math.max(1, Math.floor(wanted.length / 3)));
  const scored = [...new Set(candidates)]
    .map((candidate) => ({ candidate, distance: editDistance(wanted, candidate.toLowerCase()) }))
    .filter(({ distance }) => distance <= limit)
    .sort((x, y) => x.distance - y.distance || x.candidate.localeCompare(y.candidate));
  if (scored.length > 0) {
    const best = scored[0].distance;
    return scored.filter(({ distance }) => distance === best).map(({ candidate }) => candidate);
  }
  return wanted.length < 2
    ? []
    : [...new Set(candidates)].filter((c) => c.toLowerCase().startsWith(wanted)).sort();
}

/** `; did you mean "x"?` (or `"x" or "y"`), or nothing when nothing is close. */
export function didYouMeanText(value: string, candidates: Iterable<string>, quote = true): string {
  const near = closest(value, candidates).slice(0, 3);
  if (near.length === 0) {
    return "";
  }
  const shown = near.map((n) => (quote ? JSON.stringify(n) : n));
  return `; did you mean ${shown.join(" or ")}?`;
}
