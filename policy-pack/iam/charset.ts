/**
 * Sets of characters as IAM compares them, exactly: a character is a Unicode scalar value (a
 * code point outside the surrogate range), and a set is a union of ranges of them. Every set the
 * model builds (one character, a pattern's `*`, a character class of a grammar, everything but
 * `:`) is one of these, so the alphabet of a search can be cut into classes that cover every
 * character there is (`partition`), with nothing left unnamed. See MODEL.md, "Characters".
 */

/** One past the last code point. */
const end = 0x110000;
const surrogatesStart = 0xd800;
const surrogatesEnd = 0xe000;

/** A set of characters: sorted, disjoint, non-adjacent half-open ranges `[lo, hi)`. */
export class CharSet {
  private constructor(
    /** `[lo0, hi0, lo1, hi1, ...]`. */
    readonly bounds: readonly number[],
  ) {}

  /** Code points `[lo, hi)`, clipped to scalar values. */
  static fromRange(lo: number, hi: number): CharSet {
    return new CharSet(lo < hi ? [lo, hi] : []).intersect(CharSet.all);
  }

  /** Every character. */
  static readonly all = new CharSet([0, surrogatesStart, surrogatesEnd, end]);
  /** No character. */
  static readonly none = new CharSet([]);

  /** The characters of `text`. */
  static of(text: string): CharSet {
    if (text.length === 1 || (text.length === 2 && text.codePointAt(0)! > 0xffff)) {
      return CharSet.ofPoint(text.codePointAt(0)!);
    }
    return CharSet.fromPoints([...text].map((c) => c.codePointAt(0)!));
  }

  /** One-character sets, made once each: literals are read a character at a time. */
  private static readonly points = new Map<number, CharSet>();

  private static ofPoint(point: number): CharSet {
    let set = CharSet.points.get(point);
    if (set === undefined) {
      set = CharSet.fromPoints([point]);
      if (CharSet.points.size < 4096) {
        CharSet.points.set(point, set);
      }
    }
    return set;
  }

  static fromPoints(points: readonly number[]): CharSet {
    const sorted = [...new Set(points)].sort((a, b) => a - b);
    const bounds: number[] = [];
    for (const point of sorted) {
      if (bounds.length > 0 && bounds[bounds.length - 1] === point) {
        bounds[bounds.length - 1] = point + 1;
      } else {
        bounds.push(point, point + 1);
      }
    }
    const scalars = sorted.every(
      (point) => point >= 0 && point < end && (point < surrogatesStart || point >= surrogatesEnd),
    );
    return scalars ? new CharSet(bounds) : new CharSet(bounds).intersect(CharSet.all);
  }

  /** Characters from `lo` to `hi`, both included. */
  static range(lo: string, hi: string): CharSet {
    return CharSet.fromRange(lo.codePointAt(0)!, hi.codePointAt(0)! + 1);
  }

  has(point: number): boolean {
    // The last range starting at or before `point`.
    let low = 0;
    let high = this.bounds.length / 2 - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      if (this.bounds[2 * middle] <= point) {
        low = middle + 1;
      } else {
        high = middle - 1;
      }
    }
    return high >= 0 && point < this.bounds[2 * high + 1];
  }

  hasChar(c: string): boolean {
    return this.has(c.codePointAt(0)!);
  }

  isEmpty(): boolean {
    return this.bounds.length === 0;
  }

  isAll(): boolean {
    return this.key() === CharSet.all.key();
  }

  /** The characters not in the set. */
  complement(): CharSet {
    return CharSet.all.minus(this);
  }

  union(other: CharSet): CharSet {
    return this.combine(other, (a, b) => a || b);
  }

  intersect(other: CharSet): CharSet {
    return this.combine(other, (a, b) => a && b);
  }

  minus(other: CharSet): CharSet {
    return this.combine(other, (a, b) => a && !b);
  }

  /** The sets combined point by point: a sweep over both sets' bounds. */
  private combine(other: CharSet, keep: (inThis: boolean, inOther: boolean) => boolean): CharSet {
    const points = [...new Set([...this.bounds, ...other.bounds])].sort((x, y) => x - y);
    const bounds: number[] = [];
    let inside = false;
    for (const point of points) {
      const now = keep(this.has(point), other.has(point));
      if (now !== inside) {
        bounds.push(point);
        inside = now;
      }
    }
    return new CharSet(bounds);
  }

  private cachedKey?: string;

  /** A text that two sets share exactly when they hold the same characters. */
  key(): string {
    return (this.cachedKey ??= this.bounds.join(","));
  }

  /** The first character of the set, for messages and tests. */
  first(): string | undefined {
    return this.bounds.length === 0 ? undefined : String.fromCodePoint(this.bounds[0]);
  }
}

/** A class of characters no set of a partition tells apart, and the one that stands for it. */
export interface CharClass {
  readonly representative: string;
  /** Its characters, for the tests of completeness. */
  readonly members: CharSet;
}

/** Characters preferred as representatives, so that witnesses read naturally. */
const preferred = "abcdefghijklmnopqrstuvwxyz0123456789-_./:@ABCDEFGHIJKLMNOPQRSTUVWXYZ";

function rank(point: number): number {
  const c = String.fromCodePoint(point);
  const at = preferred.indexOf(c);
  if (at >= 0) {
    return at;
  }
  // Then printable ASCII, then letters of other scripts, then everything else.
  if (point > 0x20 && point < 0x7f) {
    return 100 + point;
  }
  if (point >= 0xa1 && /\p{L}/u.test(c)) {
    return 1000 + point;
  }
  return 0x200000 + point;
}

/** The best-ranked character of `[lo, hi)`: a few candidates suffice, since ranks rise with code points past the preferred ones. */
function bestIn(lo: number, hi: number): number {
  let best = lo;
  for (const c of preferred) {
    const point = c.codePointAt(0)!;
    if (point >= lo && point < hi && rank(point) < rank(best)) {
      best = point;
    }
  }
  const candidates = [lo, Math.max(lo, 0x21), Math.max(lo, 0xa1)];
  for (let point = candidates[2]; point < Math.min(hi, candidates[2] + 64); point += 1) {
    candidates.push(point);
  }
  for (const point of candidates) {
    if (point < hi && rank(point) < rank(best)) {
      best = point;
    }
  }
  return best;
}

/**
 * The classes of characters that `sets` tell apart: two characters are in one class when every
 * set holds both or neither. The classes cover every character (their union is `CharSet.all`)
 * and are disjoint, so a search that tries one representative per class tries every character
 * there is, up to what the sets can observe.
 */
export function partition(sets: readonly CharSet[]): {
  classes: CharClass[];
  memberships: boolean[][];
} {
  const points = new Set<number>([0, end]);
  for (const set of sets) {
    set.bounds.forEach((p) => points.add(p));
  }
  CharSet.all.bounds.forEach((p) => points.add(p));
  const sorted = [...points].sort((a, b) => a - b);
  const bySignature = new Map<string, { intervals: number[]; member: boolean[] }>();
  for (let i = 0; i + 1 < sorted.length; i += 1) {
    const [lo, hi] = [sorted[i], sorted[i + 1]];
    if (!CharSet.all.has(lo)) {
      continue;
    }
    const member = sets.map((set) => set.has(lo));
    const signature = member.map((m) => (m ? "1" : "0")).join("");
    const group = bySignature.get(signature);
    if (group) {
      group.intervals.push(lo, hi);
    } else {
      bySignature.set(signature, { intervals: [lo, hi], member });
    }
  }
  const classes: CharClass[] = [];
  const memberships: boolean[][] = sets.map(() => []);
  const groups = [...bySignature.values()]
    .map((group) => {
      let best = group.intervals[0];
      for (let i = 0; i < group.intervals.length; i += 2) {
        const candidate = bestIn(group.intervals[i], group.intervals[i + 1]);
        if (rank(candidate) < rank(best)) {
          best = candidate;
        }
      }
      return { ...group, best };
    })
    .sort((a, b) => rank(a.best) - rank(b.best));
  for (const group of groups) {
    const members = group.intervals.reduce(
      (set, bound, i) =>
        i % 2 === 0 ? set.union(CharSet.fromRange(bound, group.intervals[i + 1])) : set,
      CharSet.none,
    );
    classes.push({ representative: String.fromCodePoint(group.best), members });
    group.member.forEach((m, s) => memberships[s].push(m));
  }
  return { classes, memberships };
}

// ---------------------------------------------------------------------------------------------
// Letter case, as `StringEqualsIgnoreCase` compares it.

/**
 * IAM's documentation does not say how `...IgnoreCase` folds letters outside ASCII. Java's
 * `equalsIgnoreCase` (per UTF-16 unit, upper case then lower case) and JavaScript's `/i`
 * (the evaluator's: upper case, never mapping a non-ASCII letter to ASCII) disagree, e.g. on
 * the Kelvin sign and `k`. So each character gets two sets: the characters every reading folds
 * to it (`surely`: itself, and its ASCII partner), and those some reading does (`maybe`).
 */
export interface CaseFold {
  readonly surely: CharSet;
  readonly maybe: CharSet;
}

let foldClasses: Map<string, number[]>[] | undefined;

function foldKeys(point: number): string[] {
  const c = String.fromCodePoint(point);
  const simpleUpper = (s: string) => {
    const u = s.toUpperCase();
    return u.length === s.length ? u : s;
  };
  const simpleLower = (s: string) => {
    const l = s.toLowerCase();
    return l.length === s.length ? l : s;
  };
  const upper = c.toUpperCase();
  const jsCanonical =
    upper.length !== c.length || (point >= 128 && upper.codePointAt(0)! < 128) ? c : upper;
  return [jsCanonical, simpleLower(simpleUpper(c)), simpleUpper(simpleLower(c))];
}

function classesOfFold(): Map<string, number[]>[] {
  if (foldClasses === undefined) {
    foldClasses = [new Map(), new Map(), new Map()];
    // Units of the Basic Multilingual Plane: outside it, neither reading folds letters.
    for (let point = 0; point < 0x10000; point += 1) {
      if (point >= surrogatesStart && point < surrogatesEnd) {
        continue;
      }
      foldKeys(point).forEach((key, i) => {
        const list = foldClasses![i].get(key);
        if (list) {
          list.push(point);
        } else {
          foldClasses![i].set(key, [point]);
        }
      });
    }
  }
  return foldClasses;
}

/** The characters `c` matches in a value compared without letter case. */
export function caseFold(c: string): CaseFold {
  const point = c.codePointAt(0)!;
  const asciiPartner = /^[A-Za-z]$/.test(c) ? [c.toLowerCase(), c.toUpperCase()] : [c];
  const surely = CharSet.of(asciiPartner.join(""));
  if ((point < 128 && !/[A-Za-z]/.test(c)) || point >= 0x10000) {
    // Nothing folds to ASCII punctuation or digits; outside the BMP neither reading folds.
    return { surely, maybe: surely };
  }
  const classes = classesOfFold();
  const points = foldKeys(point).flatMap((key, i) => classes[i].get(key) ?? []);
  return { surely, maybe: surely.union(CharSet.fromPoints(points)) };
}
