import type * as Pulumi from "@pulumi/pulumi";
import { Problem } from "./problems";

/**
 * The Pulumi SDK, loaded on first use: the name checks below serve the CLI too, whose commands
 * start without the SDK (loading it takes about a second), and read no stack.
 */
let sdk: typeof Pulumi | undefined;
function pulumiSdk(): typeof Pulumi {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, see above
  return (sdk ??= require("@pulumi/pulumi") as typeof Pulumi);
}

/**
 * What the stack being deployed has read from its config, by key. A stack's config does not
 * change while its program runs (the engine configures the providers from it once), but the
 * SDK keeps it as one JSON text and parses the whole text on every read: with a pipeline per
 * app reading the same keys, and the platform's `apps` map in that text, a stack of n apps
 * spent time growing with n² on reads alone (a quarter of the construction time at 1,000 apps).
 */
const readsByStack = new WeakMap<Pulumi.ComponentResource, Map<string, unknown>>();

/**
 * `read()`, once per stack: later calls with the same key in the same stack return the first
 * call's value, shared (so callers must not change it). Each run of a program
 * (`runInPulumiStack`) has a stack of its own; outside one (`setMocks` alone, as unit tests
 * construct resources), every call reads. A read that throws is not remembered, so every caller
 * throws the same error.
 */
export function readOncePerStack<T>(key: string, read: () => T): T {
  const stack = pulumiSdk().runtime.getStackResource();
  if (stack === undefined) {
    return read();
  }
  let reads = readsByStack.get(stack);
  if (reads === undefined) {
    reads = new Map();
    readsByStack.set(stack, reads);
  }
  if (!reads.has(key)) {
    reads.set(key, read());
  }
  return reads.get(key) as T;
}

/**
 * The optimal-string-alignment distance between `a` and `b` (Damerau-Levenshtein without
 * editing a substring twice): insertions, deletions, substitutions and swaps of two adjacent
 * characters each count one, so `platfrom` is one edit from `platform`.
 */
export function editDistance(a: string, b: string): number {
  // Three rows of the table: two back (for swaps), the last, and the one being filled.
  let beforeLast: number[] = [];
  let last = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min(last[j] + 1, row[j - 1] + 1, last[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        row[j] = Math.min(row[j], beforeLast[j - 2] + 1);
      }
    }
    beforeLast = last;
    last = row;
  }
  return last[b.length];
}

/** A name as a slip may respell it: case and the separators `-`, `_`, `.` and spaces ignored. */
function folded(name: string): string {
  return name.toLowerCase().replace(/[-_.\s]/g, "");
}

/**
 * How many edits (after {@link folded}) still read as a slip for a name of `length`
 * characters: none below 4 (`aws` is not a slip for `app`), one below 8, at most two. Callers
 * refuse input on a match, so a wrong match costs more than a missed one.
 */
function slipBudget(length: number): number {
  return Math.min(2, Math.floor(length / 4));
}

/**
 * The candidate `value` is most likely a slip for: one that differs from it only in case or
 * separators (`Trusted_Delivery` for `trusted-delivery`), or within a small number of edits
 * relative to its length (see {@link editDistance}; two for names of 8 characters or more,
 * one from 4, none below). The nearest wins; of equally near ones, the first given. Undefined
 * when nothing is that close (no suggestion beats a wrong one), or when `value` is itself a
 * candidate.
 */
export function didYouMean(value: string, candidates: Iterable<string>): string | undefined {
  const list = [...candidates];
  if (list.includes(value)) {
    return undefined;
  }
  const wanted = folded(value);
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of list) {
    const near = folded(candidate);
    if (near === "") {
      continue;
    }
    const distance = editDistance(wanted, near);
    if (distance <= slipBudget(near.length) && (best === undefined || distance < best.distance)) {
      best = { candidate, distance };
    }
  }
  return best?.candidate;
}

/**
 * Namespaces a stack's config may use even when they look like the project's name: Pulumi's
 * own, and those of the providers the platform program configures. A project named `githubs`
 * must not have its `github:token` refused.
 */
export const knownConfigNamespaces: readonly string[] = [
  "pulumi",
  "aws",
  "aws-native",
  "github",
  "terraform",
];

/**
 * Config keys (`<namespace>:<key>`) whose namespace is not the project's but looks like a slip
 * for it (`trusted-delivery-platfrom:apps` in project `trusted-delivery-platform`, see
 * {@link didYouMean}): no program or provider reads them, so the setting would silently not
 * apply. Each is a problem naming the key and the key meant. Bare keys are the project's, and
 * namespaces far from the project's name (`aws:`, `github:`, any other package's) pass.
 */
export function configNamespaceProblems(project: string, keys: Iterable<string>): Problem[] {
  const problems: Problem[] = [];
  for (const key of keys) {
    const colon = key.indexOf(":");
    const namespace = key.slice(0, colon);
    if (
      colon <= 0 ||
      namespace === project ||
      knownConfigNamespaces.includes(namespace) ||
      didYouMean(namespace, [project]) === undefined
    ) {
      continue;
    }
    const meant = `${project}${key.slice(colon)}`;
    problems.push({
      field: key,
      message: `${key} has unknown namespace ${namespace}; did you mean ${meant}?`,
    });
  }
  return problems;
}
