/**
 * Languages of strings as IAM compares them, and a search for a string that satisfies a
 * combination of them.
 *
 * A language here is a union of sequences; a sequence is a list of steps, each matching one
 * character of a set, or any number of them (`*` in an IAM pattern, `+` in a grammar). That is
 * exactly what IAM's `StringLike` and ARN patterns, exact strings, case-insensitive strings and
 * the small grammars of GitHub subjects and ARNs need, and it keeps the search simple: every
 * sequence is simulated as a set of positions, the product of all of them is explored breadth
 * first, and the first state in which the formula holds gives the shortest witness.
 *
 * The alphabet is infinite, but only the characters some set names can be told apart: they are
 * grouped by which sets hold them, and one character stands for each group, plus one for every
 * character no set names. The search is therefore exact, and bounded: past a number of states it
 * answers "unknown", which callers treat as "not proven" (fail closed).
 */

/** A set of characters: every character, those listed, or (`except`) all but those listed. */
export type CharSet =
  { readonly any: true } | { readonly chars: ReadonlySet<string>; readonly except?: boolean };

export const anyChar: CharSet = Object.freeze({ any: true });

export function charsOf(text: string): CharSet {
  return { chars: new Set([...text]) };
}

/** One step of a sequence: one character of `set`, or (`repeat`) any number of them. */
export interface Step {
  readonly set: CharSet;
  readonly repeat: boolean;
}

/** A union of sequences. */
export type Language = readonly (readonly Step[])[];

export const emptyLanguage: Language = Object.freeze([]);

/** The language holding `text` only; with `ignoreCase`, in any letter case. */
export function literal(text: string, ignoreCase = false): Language {
  return [literalSteps(text, ignoreCase)];
}

export function literalSteps(text: string, ignoreCase = false): Step[] {
  return [...text].map((c) => ({
    set: ignoreCase ? { chars: new Set([c, c.toLowerCase(), c.toUpperCase()]) } : charsOf(c),
    repeat: false,
  }));
}

/** Every string. */
export const anyString: Language = Object.freeze([[{ set: anyChar, repeat: true }]]);

/** One or more characters of `set`. */
export function plus(set: CharSet): Step[] {
  return [
    { set, repeat: false },
    { set, repeat: true },
  ];
}

/** Exactly `count` characters of `set`. */
export function times(set: CharSet, count: number): Step[] {
  return Array.from({ length: count }, () => ({ set, repeat: false }));
}

/** The concatenation of languages: every sequence of one, followed by every sequence of the next. */
export function concat(...parts: readonly Language[]): Language {
  let result: (readonly Step[])[] = [[]];
  for (const part of parts) {
    const next: Step[][] = [];
    for (const prefix of result) {
      for (const sequence of part) {
        next.push([...prefix, ...sequence]);
      }
    }
    result = next;
  }
  return result;
}

export function union(...parts: readonly Language[]): Language {
  return parts.flat();
}

/** Every character but those of `text`. */
export function charsExcept(text: string): CharSet {
  return { chars: new Set([...text]), except: true };
}

function inSet(set: CharSet, c: string): boolean {
  return "any" in set || set.chars.has(c) !== (set.except === true);
}

/** Positions reachable from `positions` without reading a character (repeat steps may be skipped). */
export function closure(sequence: readonly Step[], positions: Iterable<number>): number[] {
  const reached = new Set<number>();
  for (let position of positions) {
    while (!reached.has(position)) {
      reached.add(position);
      if (position < sequence.length && sequence[position].repeat) {
        position += 1;
      } else {
        break;
      }
    }
  }
  return [...reached].sort((a, b) => a - b);
}

function advance(sequence: readonly Step[], positions: readonly number[], c: string): number[] {
  const next: number[] = [];
  for (const position of positions) {
    if (position >= sequence.length) {
      continue;
    }
    const step = sequence[position];
    if (inSet(step.set, c)) {
      next.push(step.repeat ? position : position + 1);
    }
  }
  return next.length === 0 ? next : closure(sequence, next);
}

/** Whether `text` is in the language. */
export function matches(language: Language, text: string): boolean {
  const chars = [...text];
  return language.some((sequence) => {
    let positions = closure(sequence, [0]);
    for (const c of chars) {
      positions = advance(sequence, positions, c);
      if (positions.length === 0) {
        return false;
      }
    }
    return positions.includes(sequence.length);
  });
}

/**
 * A combination of languages, each asking "is the string in it?": the formula is given the
 * answers, in the order of `languages`, and says whether the string is wanted.
 */
export interface Query {
  readonly languages: readonly Language[];
  readonly holds: (inLanguage: readonly boolean[]) => boolean;
}

export type SearchResult =
  | { readonly kind: "found"; readonly witness: string }
  | { readonly kind: "none" }
  | { readonly kind: "unknown" };

/** Characters preferred as representatives, so witnesses read naturally. */
const preferred = "abcdefghijklmnopqrstuvwxyz0123456789-_./:@ABCDEFGHIJKLMNOPQRSTUVWXYZ";
/** Characters no pattern is likely to name, for the group of characters no set names. */
const outsiders = "xqzjkvwybdfghmnpstulorei0123456789~\u00e6\u00f8\u00df\u4e00";

/**
 * The character groups the languages can tell apart, each with one representative: characters
 * are grouped by which listed sets hold them; every character no set lists is one more group.
 */
function alphabet(languages: readonly Language[]): string[] {
  // A set and its complement tell the same characters apart: the listed ones are what counts.
  // Partition refinement: start with every listed character in one group, split by each set.
  let groups: string[][] = [];
  const seen = new Set<ReadonlySet<string>>();
  const listed = new Set<string>();
  for (const language of languages) {
    for (const sequence of language) {
      for (const step of sequence) {
        if (!("chars" in step.set) || seen.has(step.set.chars)) {
          continue;
        }
        const set = step.set.chars;
        seen.add(set);
        const fresh = [...set].filter((c) => !listed.has(c));
        fresh.forEach((c) => listed.add(c));
        const refined: string[][] = [];
        for (const group of groups) {
          const inside = group.filter((c) => set.has(c));
          if (inside.length === 0 || inside.length === group.length) {
            refined.push(group);
          } else {
            refined.push(
              inside,
              group.filter((c) => !set.has(c)),
            );
          }
        }
        if (fresh.length > 0) {
          refined.push(fresh);
        }
        groups = refined;
      }
    }
  }
  const rank = (c: string) => {
    const at = preferred.indexOf(c);
    return at < 0 ? preferred.length + c.codePointAt(0)! : at;
  };
  const representatives = groups.map((group) =>
    group.reduce((best, c) => (rank(c) < rank(best) ? c : best)),
  );
  representatives.sort((a, b) => rank(a) - rank(b));
  const outsider = [...outsiders].find((c) => !listed.has(c));
  if (outsider !== undefined) {
    representatives.push(outsider);
  }
  return representatives;
}

export interface SearchLimits {
  /** States explored before the search gives up and answers "unknown". */
  readonly maxStates: number;
}

export const defaultSearchLimits: SearchLimits = { maxStates: 20000 };

/**
 * A language read one character (group) at a time: a deterministic automaton built as the
 * search needs it. A state is the set of positions every sequence can be in, interned as a
 * number; `accepting[state]` says whether the string so far is in the language.
 */
class LazyDfa {
  private readonly offsets: number[] = [];
  private readonly steps: Step[] = [];
  /** For each global position: the sequence's length end marker. */
  private readonly ends = new Set<number>();
  private readonly ids = new Map<string, number>();
  private readonly positions: number[][] = [];
  readonly accepting: boolean[] = [];
  /** Whether every continuation from the state is in the language (a `*` ends some sequence). */
  readonly universal: boolean[] = [];
  /**
   * For each position: whether every step from it to its sequence's end is `*` (vacuously true
   * at the end itself, which only the recursion reads).
   */
  private readonly tailAny: boolean[] = [];
  private readonly table: number[][] = [];

  constructor(
    language: Language,
    private readonly letters: readonly string[],
  ) {
    for (const sequence of language) {
      this.offsets.push(this.steps.length);
      this.steps.push(...sequence);
      this.ends.add(this.steps.length);
      // A sentinel step past each sequence's end, never read.
      this.steps.push({ set: { chars: new Set() }, repeat: false });
    }
    for (let position = this.steps.length - 1; position >= 0; position -= 1) {
      const step = this.steps[position];
      this.tailAny[position] = this.ends.has(position)
        ? true
        : step.repeat && "any" in step.set && this.tailAny[position + 1];
    }
  }

  /** The start state. */
  start(): number {
    return this.intern(this.close(this.offsets));
  }

  private close(positions: Iterable<number>): number[] {
    const reached = new Set<number>();
    for (let position of positions) {
      while (!reached.has(position)) {
        reached.add(position);
        if (!this.ends.has(position) && this.steps[position].repeat) {
          position += 1;
        } else {
          break;
        }
      }
    }
    return [...reached].sort((a, b) => a - b);
  }

  private intern(positions: number[]): number {
    const key = positions.join(",");
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.positions.length;
      this.ids.set(key, id);
      this.positions.push(positions);
      this.accepting.push(positions.some((p) => this.ends.has(p)));
      // A position past a sequence's end accepts the string so far, and no longer one.
      this.universal.push(positions.some((p) => !this.ends.has(p) && this.tailAny[p]));
      this.table.push([]);
    }
    return id;
  }

  /** Whether no string leads from `state` into the language any more. */
  isDead(state: number): boolean {
    return this.positions[state].length === 0;
  }

  next(state: number, letter: number): number {
    const known = this.table[state][letter];
    if (known !== undefined) {
      return known;
    }
    const c = this.letters[letter];
    const reached: number[] = [];
    for (const position of this.positions[state]) {
      if (this.ends.has(position)) {
        continue;
      }
      const step = this.steps[position];
      if (inSet(step.set, c)) {
        reached.push(step.repeat ? position : position + 1);
      }
    }
    const id = this.intern(reached.length === 0 ? reached : this.close(reached));
    this.table[state][letter] = id;
    return id;
  }
}

/**
 * The shortest string for which the query holds, "none" when no string does, or "unknown" when
 * finding out would take more than `limits.maxStates` states.
 */
export function search(query: Query, limits: SearchLimits = defaultSearchLimits): SearchResult {
  const letters = alphabet(query.languages);
  const automata = query.languages.map((language) => new LazyDfa(language, letters));
  const start = automata.map((a) => a.start());
  const holds = (state: readonly number[]) =>
    query.holds(state.map((s, i) => automata[i].accepting[s]));
  // A state is hopeless when the answers no longer string can change (a dead automaton answers
  // no for ever, a universal one yes) make the query fail whatever the others answer.
  const hopeless = (state: readonly number[]) => {
    const open: number[] = [];
    const answers = state.map((s, i) => {
      const automaton = automata[i];
      if (automaton.isDead(s)) {
        return false;
      }
      if (automaton.universal[s]) {
        return true;
      }
      open.push(i);
      return false;
    });
    if (open.length > 6) {
      return false;
    }
    for (let mask = 0; mask < 1 << open.length; mask += 1) {
      open.forEach((index, bit) => (answers[index] = (mask & (1 << bit)) !== 0));
      if (query.holds(answers)) {
        return false;
      }
    }
    return true;
  };
  // States as keys: one number while there are few automata (ids stay far below 2^16), text else.
  const keyOf =
    automata.length <= 3
      ? (state: readonly number[]) => state.reduce((key, s) => key * 65536 + s, 0)
      : (state: readonly number[]) => state.join(",");
  type Key = number | string;
  const parents = new Map<Key, { parent: Key | undefined; letter: string }>();
  parents.set(keyOf(start), { parent: undefined, letter: "" });
  const witnessOf = (key: Key) => {
    const read: string[] = [];
    for (let k: Key | undefined = key; k !== undefined;) {
      const entry: { parent: Key | undefined; letter: string } = parents.get(k)!;
      read.push(entry.letter);
      k = entry.parent;
    }
    return read.reverse().join("");
  };
  let frontier: (readonly number[])[] = [start];
  while (frontier.length > 0) {
    const next: number[][] = [];
    for (const state of frontier) {
      const key = keyOf(state);
      if (holds(state)) {
        return { kind: "found", witness: witnessOf(key) };
      }
      if (hopeless(state)) {
        continue;
      }
      for (let letter = 0; letter < letters.length; letter += 1) {
        const successor = state.map((s, i) => automata[i].next(s, letter));
        const successorKey = keyOf(successor);
        if (!parents.has(successorKey)) {
          if (parents.size >= limits.maxStates) {
            return { kind: "unknown" };
          }
          parents.set(successorKey, { parent: key, letter: letters[letter] });
          next.push(successor);
        }
      }
    }
    frontier = next;
  }
  return { kind: "none" };
}
