/**
 * ECR's wildcard tag filters (`latest`, `dev-*`), as the patterns they are: `*` matches any run
 * of characters (none included), every other character itself, case-sensitively. Used for the
 * tag-mutability exclusion filters, by the component (which refuses filters a tier does not
 * allow) and by the pack (which judges them).
 */

/** ECR's filter: letters, digits, `._-` and `*`, 1 to 128 characters. */
export const tagFilterPattern = /^[A-Za-z0-9._*-]{1,128}$/;

/** At most this many exclusion filters per repository (ECR's). */
export const maxExclusionFilters = 5;

/** Whether a filter matches every tag: it is wildcards only. */
export function matchesEveryTag(filter: string): boolean {
  return /^\*+$/.test(filter);
}

/**
 * Whether some tag matches both patterns. Exact for `*`-only patterns: a position pair is
 * reachable when a common prefix string takes both patterns there; a `*` on either side may
 * take one character of the other side's literal, or be passed over.
 */
export function patternsIntersect(a: string, b: string): boolean {
  const memo = new Map<number, boolean>();
  const at = (i: number, j: number): boolean => {
    const key = i * (b.length + 1) + j;
    const known = memo.get(key);
    if (known !== undefined) {
      return known;
    }
    memo.set(key, false);
    let result: boolean;
    if (i === a.length && j === b.length) {
      result = true;
    } else if (i < a.length && a[i] === "*") {
      result = at(i + 1, j) || (j < b.length && at(i, j + 1));
    } else if (j < b.length && b[j] === "*") {
      result = at(i, j + 1) || (i < a.length && at(i + 1, j));
    } else {
      result = i < a.length && j < b.length && a[i] === b[j] && at(i + 1, j + 1);
    }
    memo.set(key, result);
    return result;
  };
  return at(0, 0);
}

/**
 * Whether every tag `inner` matches, `outer` matches too. Sound, not complete: true only when
 * `outer`'s wildcards can take every run `inner`'s can (a literal of `outer` never stands for a
 * `*` of `inner`), so a false answer may be a covered pattern the check cannot show: then it is
 * not proven covered (fail closed).
 */
export function patternCovers(outer: string, inner: string): boolean {
  const memo = new Map<number, boolean>();
  const at = (j: number, i: number): boolean => {
    const key = j * (inner.length + 1) + i;
    const known = memo.get(key);
    if (known !== undefined) {
      return known;
    }
    let result: boolean;
    if (j === outer.length) {
      result = i === inner.length;
    } else if (outer[j] === "*") {
      result = at(j + 1, i) || (i < inner.length && at(j, i + 1));
    } else {
      result = i < inner.length && inner[i] !== "*" && inner[i] === outer[j] && at(j + 1, i + 1);
    }
    memo.set(key, result);
    return result;
  };
  return at(0, 0);
}
