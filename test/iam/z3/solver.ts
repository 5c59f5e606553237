/**
 * Z3 (compiled to WebAssembly), started once per test file, and what the encoder needs of it:
 * string literals of any character, regular expressions for IAM's wildcards and for comparison
 * without letter case, and a check with a time limit whose `unknown` is an answer, not a failure.
 */
import { init } from "z3-solver";
import type { Bool, Context, Model, Re, Seq } from "z3-solver";

type Api = Awaited<ReturnType<typeof init>>;
export type Z3 = Context<"main">;

/** The last code point of Z3's strings (its default Unicode encoding). */
const maxChar = 0x2ffff;

let api: Api | undefined;
let context: Z3 | undefined;

/** Starts Z3 (about a second), or returns the context already started. */
export async function startZ3(): Promise<Z3> {
  if (context === undefined) {
    api = await init();
    context = new api.Context("main");
    // JavaScript's garbage collector releases Z3 terms on the main thread while a check runs on
    // a worker thread; without this, a release during a check corrupts the context's terms.
    api.Z3.enable_concurrent_dec_ref(context.ptr);
    deferReleasesDuringChecks(api);
  }
  return context;
}

/** How many checks are running on Z3's worker thread, and the releases held back meanwhile. */
let checking = 0;
const heldReleases: (() => void)[] = [];

/**
 * Holds back every release (`*dec_ref`) the garbage collector makes while a check runs, and
 * makes them after it. `enable_concurrent_dec_ref` alone is not enough on Node.js 26: within a
 * few dozen policies of a run (`Z3_SEED=1`) a release during a check corrupts the context (Z3
 * fails with "memory access out of bounds" in `smt::context::bcp`, and its worker thread never
 * answers). The high-level API calls the low-level functions off this object at each release,
 * so replacing them here reaches every one.
 */
function deferReleasesDuringChecks(z3api: Api): void {
  const low = z3api.Z3 as unknown as Record<string, unknown>;
  for (const name of Object.keys(low).filter((n) => n.endsWith("dec_ref"))) {
    const release = low[name] as (...args: unknown[]) => unknown;
    low[name] = (...args: unknown[]) => {
      if (checking > 0) {
        heldReleases.push(() => release(...args));
        return undefined;
      }
      return release(...args);
    };
  }
}

/** Runs a check with releases held back until it ends. */
async function withoutReleases<T>(run: () => Promise<T>): Promise<T> {
  checking += 1;
  try {
    return await run();
  } finally {
    checking -= 1;
    if (checking === 0) {
      for (const release of heldReleases.splice(0)) {
        release();
      }
    }
  }
}

/** Ends Z3's worker threads, which would otherwise keep the process (and mocha) alive. */
export function stopZ3(): void {
  api?.em.PThread.terminateAllThreads();
  api = undefined;
  context = undefined;
}

/**
 * A string literal of any characters. Z3's `mk_string` reads its argument as bytes and
 * `\u{...}` as an escape, so every character outside printable ASCII (and the backslash)
 * is written as its escape: `String.val("é")` would be the two characters of its UTF-8 bytes.
 */
export function literal(z3: Z3, text: string): Seq<"main"> {
  const escaped = [...text]
    .map((c) => {
      const point = c.codePointAt(0)!;
      return point >= 0x20 && point <= 0x7e && c !== "\\" ? c : `\\u{${point.toString(16)}}`;
    })
    .join("");
  return z3.String.val(escaped);
}

/** A string's value in a model, read character by character (no escapes to undo). */
export function valueOf(z3: Z3, model: Model<"main">, expr: Seq<"main">): string {
  const value = model.eval(expr, true) as Seq<"main">;
  const length = api!.Z3.get_string_length(z3.ptr, value.ast);
  return String.fromCodePoint(...api!.Z3.get_string_contents(z3.ptr, value.ast, length));
}

/** The regular expressions the encoder builds, over Z3's strings. */
export class Regexes {
  private readonly sort;
  constructor(private readonly z3: Z3) {
    this.sort = z3.Re.sort(z3.String.sort());
  }

  /** Exactly this text. */
  text(text: string): Re<"main"> {
    return this.z3.Re.toRe(literal(this.z3, text));
  }

  /**
   * One character, any: every code point Z3's strings hold (0 to 0x2FFFF). The same language as
   * `re.allchar`, but z3-solver 5.2 intersects languages built with a range far faster: a
   * question with `AllChar` and two memberships of one string ran out of time where this takes
   * 30 ms.
   */
  anyChar(): Re<"main"> {
    return this.range(0, maxChar);
  }

  /** Every string. */
  all(): Re<"main"> {
    return this.z3.Full(this.sort);
  }

  /** One character, any but these. */
  charExcept(chars: string): Re<"main"> {
    const points = [...new Set([...chars].map((c) => c.codePointAt(0)!))].sort((a, b) => a - b);
    const ranges: Re<"main">[] = [];
    let lo = 0;
    for (const point of points) {
      if (point > lo) {
        ranges.push(this.range(lo, point - 1));
      }
      lo = point + 1;
    }
    if (lo <= maxChar) {
      ranges.push(this.range(lo, maxChar));
    }
    return this.union(ranges);
  }

  /**
   * One character a request's string may hold: printable characters of the Basic Multilingual
   * Plane before the surrogates (the line and paragraph separators among them, which the
   * evaluator's wildcards do not match, only lead to a witness it refuses). There IAM's, the
   * evaluator's (JavaScript's UTF-16) and JSON's notions of one character agree.
   */
  requestChar(): Re<"main"> {
    return this.union([this.range(0x20, 0x7e), this.range(0xa0, 0xd7ff)]);
  }

  /** One character from `lo` to `hi` (code points, inclusive). */
  range(lo: number, hi: number): Re<"main"> {
    return this.z3.Range(
      literal(this.z3, String.fromCodePoint(lo)),
      literal(this.z3, String.fromCodePoint(hi)),
    );
  }

  /** One character of these, as ranges of consecutive code points (Z3 decides ranges fastest). */
  charsOf(chars: string): Re<"main"> {
    const points = [...new Set([...chars].map((c) => c.codePointAt(0)!))].sort((a, b) => a - b);
    const ranges: [number, number][] = [];
    for (const point of points) {
      const last = ranges[ranges.length - 1];
      if (last !== undefined && last[1] === point - 1) {
        last[1] = point;
      } else {
        ranges.push([point, point]);
      }
    }
    return this.union(
      ranges.map(([lo, hi]) =>
        lo === hi ? this.text(String.fromCodePoint(lo)) : this.range(lo, hi),
      ),
    );
  }

  union(res: readonly Re<"main">[]): Re<"main"> {
    return res.length === 0
      ? this.z3.Empty(this.sort)
      : res.length === 1
        ? res[0]
        : this.z3.Union(...res);
  }

  concat(res: readonly Re<"main">[]): Re<"main"> {
    return res.length === 0 ? this.text("") : res.length === 1 ? res[0] : this.z3.ReConcat(...res);
  }

  star(re: Re<"main">): Re<"main"> {
    return this.z3.Star(re);
  }

  plus(re: Re<"main">): Re<"main"> {
    return this.z3.Plus(re);
  }

  /** `re` exactly `n` times. */
  times(re: Re<"main">, n: number): Re<"main"> {
    return this.z3.Loop(re, n, n);
  }

  complement(re: Re<"main">): Re<"main"> {
    return this.z3.Complement(re);
  }

  /**
   * This text without letter case. IAM documents no case folding beyond "ignoring case"; this
   * is ECMAScript's, which the evaluator uses (a case-insensitive regular expression): two
   * characters are equal when their upper-case forms are, where an upper-case form of several
   * characters, or an ASCII one of a non-ASCII character, counts as the character itself. So
   * `σ`, `ς` and `Σ` are one letter, `ß` matches only itself, and the Kelvin sign `K` does not
   * match `k`. Outside the Basic Multilingual Plane a character matches only itself.
   */
  ignoringCase(text: string): Re<"main"> {
    return this.concat(
      [...text].map((c) => {
        const point = c.codePointAt(0)!;
        const forms = point > 0xffff ? [point] : (caseClasses().get(canonical(point)) ?? [point]);
        return this.charsOf(String.fromCodePoint(...forms));
      }),
    );
  }
}

/** ECMAScript's `Canonicalize` for case-insensitive, non-Unicode regular expressions. */
function canonical(point: number): number {
  const c = String.fromCharCode(point);
  const upper = c.toUpperCase();
  return upper.length !== 1 || (point >= 128 && upper.charCodeAt(0) < 128)
    ? point
    : upper.charCodeAt(0);
}

let classes: Map<number, number[]> | undefined;

/** The characters of the Basic Multilingual Plane by their canonical form. */
function caseClasses(): Map<number, number[]> {
  if (classes === undefined) {
    classes = new Map();
    for (let point = 0; point <= 0xffff; point += 1) {
      const key = canonical(point);
      classes.set(key, [...(classes.get(key) ?? []), point]);
    }
  }
  return classes;
}

export type Answer<T> =
  | { readonly kind: "sat"; readonly value: T }
  | { readonly kind: "unsat" }
  | { readonly kind: "unknown"; readonly reason: string };

/** The time Z3 may take on one question; past it, the question is skipped as unknown. */
export const timeoutMs = Number(process.env.Z3_TIMEOUT_MS ?? 2000);

/**
 * The check's result, or a failure naming the crash when Z3 does not answer well past its time
 * limit: a Z3 worker thread that crashes never settles its promise, and the test would hang.
 */
async function answered<T>(result: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const silence = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new Error(
            `Z3 gave no answer ${timeoutMs + 30000} ms into a check limited to ${timeoutMs} ms: its worker thread crashed (see the "RuntimeError" above)`,
          ),
        ),
      timeoutMs + 30000,
    );
  });
  try {
    return await Promise.race([result, silence]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Whether the constraints can all hold, within the time limit, and if so what `read` makes of
 * a model. The solver is released at once: its memory lives in WebAssembly's heap, which the
 * garbage collector does not see, and solvers left to it exhaust the heap within a few hundred
 * questions (Z3 then fails with corrupted terms).
 */
export async function check<T>(
  z3: Z3,
  constraints: readonly Bool<"main">[],
  read: (model: Model<"main">) => T,
): Promise<Answer<T>> {
  const solver = new z3.Solver();
  try {
    solver.set("timeout", timeoutMs);
    for (const constraint of constraints) {
      solver.add(constraint);
    }
    const result = await withoutReleases(() => answered(solver.check()));
    if (result === "sat") {
      const model = solver.model();
      try {
        return { kind: "sat", value: read(model) };
      } finally {
        model.release();
      }
    }
    return result === "unsat"
      ? { kind: "unsat" }
      : { kind: "unknown", reason: solver.reasonUnknown() };
  } finally {
    solver.release();
  }
}
