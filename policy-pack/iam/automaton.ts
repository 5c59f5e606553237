/**
 * Languages of strings as IAM compares them, and searches over combinations of them.
 *
 * A language is a union of sequences; a sequence is a list of steps, each matching one
 * character of a set, or (`repeat`) any number of them (`*` in an IAM pattern, `+` in a
 * grammar). That is exactly what IAM's `StringLike` and ARN patterns, exact and case-insensitive
 * strings and the small grammars of GitHub subjects and ARNs need.
 *
 * A search reads strings one character class at a time (`charset.ts`'s `partition`: the classes
 * the languages tell apart, which cover every character), runs one deterministic automaton per
 * language, built lazily as sets of positions, and explores their product breadth first, so the
 * first state in which the query holds gives a shortest witness, and a search that runs out of
 * states has tried every string (MODEL.md, "Why none is a proof"). Every state and transition is
 * paid for from the document's `Budget`; past it the search throws, it never answers.
 */
import { Budget } from "./budget";
import { caseFold, CharSet, partition } from "./charset";

export { CharSet };

/** One step of a sequence: one character of `set`, or (`repeat`) any number of them. */
export interface Step {
  readonly set: CharSet;
  readonly repeat: boolean;
}

/** A union of sequences. */
export type Language = readonly (readonly Step[])[];

export const emptyLanguage: Language = Object.freeze([]);

/** Every character. */
export const anyChar: CharSet = CharSet.all;

export function charsOf(text: string): CharSet {
  return CharSet.of(text);
}

/** Every character but those of `text`. */
export function charsExcept(text: string): CharSet {
  return CharSet.of(text).complement();
}

/**
 * The steps reading `text`; with `ignoreCase`, each letter in either ASCII case (GitHub compares
 * owner and repository names so; IAM's own case folding is `caseFold`'s).
 */
export function literalSteps(text: string, ignoreCase = false): Step[] {
  return [...text].map((c) => ({
    set: ignoreCase ? caseFold(c).surely : CharSet.of(c),
    repeat: false,
  }));
}

/** The language holding `text` only; with `ignoreCase`, in any ASCII letter case. */
export function literal(text: string, ignoreCase = false): Language {
  return [literalSteps(text, ignoreCase)];
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

/** Whether `text` is in the language: each sequence simulated as a set of positions. */
export function matches(language: Language, text: string): boolean {
  const points: number[] = [];
  for (const c of text) {
    points.push(c.codePointAt(0)!);
  }
  return language.some((sequence) => sequenceMatches(sequence, points));
}

/** Marks `position` and the positions after it that repeat steps let a match skip to. */
function markClosure(sequence: readonly Step[], reached: Uint8Array, position: number): void {
  reached[position] = 1;
  while (position < sequence.length && sequence[position].repeat) {
    position += 1;
    reached[position] = 1;
  }
}

function sequenceMatches(sequence: readonly Step[], points: readonly number[]): boolean {
  if (sequence.every((step) => !step.repeat)) {
    return (
      sequence.length === points.length && sequence.every((step, i) => step.set.has(points[i]))
    );
  }
  let current = new Uint8Array(sequence.length + 1);
  let next = new Uint8Array(sequence.length + 1);
  markClosure(sequence, current, 0);
  for (const point of points) {
    next.fill(0);
    let any = false;
    for (let position = 0; position < sequence.length; position += 1) {
      const step = sequence[position];
      if (current[position] === 1 && step.set.has(point)) {
        markClosure(sequence, next, step.repeat ? position : position + 1);
        any = true;
      }
    }
    if (!any) {
      return false;
    }
    [current, next] = [next, current];
  }
  return current[sequence.length] === 1;
}

/** The character classes some languages tell apart, and each step set's membership per class. */
class Alphabet {
  readonly letters: readonly string[];
  private readonly membership = new Map<string, readonly boolean[]>();

  constructor(languages: readonly Language[], budget: Budget) {
    const sets = new Map<string, CharSet>();
    for (const language of languages) {
      for (const sequence of language) {
        for (const step of sequence) {
          sets.set(step.set.key(), step.set);
        }
      }
    }
    const list = [...sets.values()];
    budget.spend(list.reduce((sum, set) => sum + set.bounds.length + 1, 0) * 2);
    const { classes, memberships } = partition(list);
    budget.spend(classes.length * list.length);
    this.letters = classes.map((c) => c.representative);
    list.forEach((set, i) => this.membership.set(set.key(), memberships[i]));
  }

  holds(set: CharSet, letter: number): boolean {
    return this.membership.get(set.key())![letter];
  }
}

/**
 * A language read one character class at a time: a deterministic automaton built as the search
 * needs it. A state is the set of positions every sequence can be in, interned as a number.
 */
class LazyDfa {
  private readonly steps: Step[] = [];
  /** Global positions that are a sequence's end (a sentinel step past it is never read). */
  private readonly ends = new Set<number>();
  private readonly starts: number[] = [];
  private readonly ids = new Map<string, number>();
  private readonly positions: number[][] = [];
  readonly accepting: boolean[] = [];
  /** Whether every continuation from the state is in the language. */
  readonly universal: boolean[] = [];
  /** For each position: every step from it to its sequence's end is `*` of every character. */
  private readonly tailAny: boolean[] = [];
  private readonly table: number[][] = [];

  constructor(
    language: Language,
    private readonly alphabet: Alphabet,
    private readonly budget: Budget,
  ) {
    for (const sequence of language) {
      this.starts.push(this.steps.length);
      this.steps.push(...sequence);
      this.ends.add(this.steps.length);
      this.steps.push({ set: CharSet.none, repeat: false });
    }
    budget.spend(this.steps.length);
    for (let position = this.steps.length - 1; position >= 0; position -= 1) {
      const step = this.steps[position];
      this.tailAny[position] = this.ends.has(position)
        ? true
        : step.repeat && step.set.isAll() && this.tailAny[position + 1];
    }
  }

  start(): number {
    return this.intern(this.close(this.starts));
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

  private intern(reached: number[]): number {
    // From a position whose every remaining step is `*` of every character, every continuation
    // is in the language: the other positions no longer matter, and keeping them would tell
    // apart states no string can (a union of patterns would remember which of them matched).
    const universalAt = reached.find((p) => !this.ends.has(p) && this.tailAny[p]);
    const positions = universalAt === undefined ? reached : this.close([universalAt]);
    const key = positions.join(",");
    let id = this.ids.get(key);
    if (id === undefined) {
      this.budget.spend(positions.length + 1);
      id = this.positions.length;
      this.ids.set(key, id);
      this.positions.push(positions);
      this.accepting.push(positions.some((p) => this.ends.has(p)));
      this.universal.push(positions.some((p) => !this.ends.has(p) && this.tailAny[p]));
      this.table.push([]);
    }
    return id;
  }

  /** Whether no string leads from `state` into the language any more. */
  isDead(state: number): boolean {
    return this.positions[state].length === 0;
  }

  private readonly live: (readonly number[] | undefined)[] = [];

  /**
   * The letters that lead from `state` to a state that is not dead: for a state inside literal
   * text, one or two of them. Worked out once per state.
   */
  liveLetters(state: number, letterCount: number): readonly number[] {
    let letters = this.live[state];
    if (letters === undefined) {
      const found: number[] = [];
      for (let letter = 0; letter < letterCount; letter += 1) {
        if (!this.isDead(this.next(state, letter))) {
          found.push(letter);
        }
      }
      letters = found;
      this.live[state] = letters;
    }
    return letters;
  }

  next(state: number, letter: number): number {
    const known = this.table[state][letter];
    if (known !== undefined) {
      return known;
    }
    this.budget.spend(this.positions[state].length + 1);
    const reached: number[] = [];
    for (const position of this.positions[state]) {
      if (this.ends.has(position)) {
        continue;
      }
      const step = this.steps[position];
      if (this.alphabet.holds(step.set, letter)) {
        reached.push(step.repeat ? position : position + 1);
      }
    }
    const id = this.intern(reached.length === 0 ? reached : this.close(reached));
    this.table[state][letter] = id;
    return id;
  }
}

/**
 * A combination of languages, each asking "is the string in it?". `holds` is given the answers,
 * in the order of `languages`, and says whether the string is wanted. `mayHold` is given what is
 * settled (an answer no longer string can change: `true`, `false`) and `undefined` for the
 * rest, and says whether some answers for the rest could make `holds` true; it may say true when
 * unsure, never false when some could.
 */
export interface Query {
  readonly languages: readonly Language[];
  readonly holds: (inLanguage: readonly boolean[]) => boolean;
  readonly mayHold?: (settled: readonly (boolean | undefined)[]) => boolean;
}

export type SearchResult =
  { readonly kind: "found"; readonly witness: string } | { readonly kind: "none" };

const languageKeys = new WeakMap<Language, string>();

/** A text two languages share exactly when they are written with the same steps. */
function languageKey(language: Language): string {
  let key = languageKeys.get(language);
  if (key === undefined) {
    key = language
      .map((sequence) =>
        sequence.map((step) => `${step.set.key()}${step.repeat ? "*" : ""}`).join(";"),
      )
      .join("|");
    languageKeys.set(language, key);
  }
  return key;
}

/** The automata of some languages over one alphabet, built once per analysis (`Budget.memo`). */
class Automata {
  readonly alphabet: Alphabet;
  readonly automata: LazyDfa[];

  private constructor(languages: readonly Language[], budget: Budget) {
    this.alphabet = new Alphabet(languages, budget);
    this.automata = languages.map((language) => new LazyDfa(language, this.alphabet, budget));
  }

  static of(languages: readonly Language[], budget: Budget): Automata {
    const key = `automata:${languages.map(languageKey).join("\n")}`;
    let automata = budget.memo.get(key) as Automata | undefined;
    if (automata === undefined) {
      automata = new Automata(languages, budget);
      budget.memo.set(key, automata);
    }
    return automata;
  }
}

/** One walk through the product of some automata: the states seen, and how each was reached. */
class Product {
  readonly automata: LazyDfa[];
  readonly letters: readonly string[];
  private readonly parents = new Map<string, { parent: string | undefined; letter: string }>();

  constructor(
    languages: readonly Language[],
    readonly budget: Budget,
  ) {
    const built = Automata.of(languages, budget);
    this.automata = built.automata;
    this.letters = built.alphabet.letters;
  }

  start(): number[] {
    const state = this.automata.map((a) => a.start());
    this.parents.set(state.join(","), { parent: undefined, letter: "" });
    return state;
  }

  answers(state: readonly number[]): boolean[] {
    return state.map((s, i) => this.automata[i].accepting[s]);
  }

  /** What no longer string can change: dead automata answer no for ever, universal ones yes. */
  settled(state: readonly number[]): (boolean | undefined)[] {
    return state.map((s, i) =>
      this.automata[i].isDead(s) ? false : this.automata[i].universal[s] ? true : undefined,
    );
  }

  /**
   * The successors of a state not seen before. Only letters some automaton can read on from
   * here are tried one by one; every other letter kills every open automaton alike, so one of
   * them stands for all (MODEL.md, "Why none is a proof": a letter no open automaton reads
   * changes no answer but to "dead").
   */
  successors(state: readonly number[]): number[][] {
    const key = state.join(",");
    const found: number[][] = [];
    const tried = new Set<number>();
    let open = false;
    for (let i = 0; i < this.automata.length; i += 1) {
      const automaton = this.automata[i];
      if (automaton.isDead(state[i]) || automaton.universal[state[i]]) {
        continue;
      }
      open = true;
      automaton.liveLetters(state[i], this.letters.length).forEach((l) => tried.add(l));
    }
    const letters = open
      ? [...tried].sort((a, b) => a - b)
      : Array.from({ length: this.letters.length }, (_, l) => l);
    if (open) {
      // One letter no open automaton reads on, if there is one: the first in rank.
      for (let letter = 0; letter < this.letters.length; letter += 1) {
        if (!tried.has(letter)) {
          letters.push(letter);
          break;
        }
      }
    }
    for (const letter of open ? letters : letters.slice(0, 1)) {
      this.budget.spend(this.automata.length);
      const successor = state.map((s, i) => this.automata[i].next(s, letter));
      const successorKey = successor.join(",");
      if (!this.parents.has(successorKey)) {
        this.parents.set(successorKey, { parent: key, letter: this.letters[letter] });
        found.push(successor);
      }
    }
    return found;
  }

  witness(state: readonly number[]): string {
    const read: string[] = [];
    for (let key: string | undefined = state.join(","); key !== undefined;) {
      const entry: { parent: string | undefined; letter: string } = this.parents.get(key)!;
      read.push(entry.letter);
      key = entry.parent;
    }
    return read.reverse().join("");
  }
}

/**
 * The shortest string for which the query holds, or "none" when no string does (every product
 * state reachable was explored, or could no longer lead to one: `mayHold`).
 */
export function search(query: Query, budget: Budget): SearchResult {
  const product = new Product(query.languages, budget);
  let frontier = [product.start()];
  while (frontier.length > 0) {
    const next: number[][] = [];
    for (const state of frontier) {
      if (query.holds(product.answers(state))) {
        return { kind: "found", witness: product.witness(state) };
      }
      if (query.mayHold && !query.mayHold(product.settled(state))) {
        continue;
      }
      next.push(...product.successors(state));
    }
    frontier = next;
  }
  return { kind: "none" };
}

/** A combination of answers some string gives, and a shortest such string. */
export interface Realized {
  readonly answers: readonly boolean[];
  readonly witness: string;
}

/**
 * Every combination of answers the languages can give together, each with a shortest string
 * giving it, shortest first, as the product is explored (lazily: a caller that has what it needs
 * stops the walk). A state whose every answer is settled is not expanded, its answers can no
 * longer change; nor is one from which `mayHold` says nothing wanted can follow. At most as many
 * as the product has states, however many languages there are.
 */
export function* realizable(
  languages: readonly Language[],
  budget: Budget,
  mayHold?: (settled: readonly (boolean | undefined)[]) => boolean,
): Generator<Realized> {
  // A walk that pruned nothing found every combination: it is kept for the same languages.
  const memoKey = `realizable:${languages.map(languageKey).join("\n")}`;
  const known = budget.memo.get(memoKey) as Realized[] | undefined;
  if (known !== undefined) {
    yield* known;
    return;
  }
  const product = new Product(languages, budget);
  const seen = new Map<string, Realized>();
  let pruned = false;
  let frontier = [product.start()];
  while (frontier.length > 0) {
    const next: number[][] = [];
    for (const state of frontier) {
      const settled = product.settled(state);
      if (mayHold && !mayHold(settled)) {
        pruned = true;
        continue;
      }
      const answers = product.answers(state);
      const key = answers.map((a) => (a ? "1" : "0")).join("");
      if (!seen.has(key)) {
        const realized = { answers, witness: product.witness(state) };
        seen.set(key, realized);
        budget.spend(answers.length);
        yield realized;
      }
      if (settled.every((s) => s !== undefined)) {
        continue;
      }
      next.push(...product.successors(state));
    }
    frontier = next;
  }
  if (!pruned) {
    budget.memo.set(memoKey, [...seen.values()]);
  }
}
