/**
 * The worst-case table's measurement: each family of ./worstCase.ts at growing sizes, one
 * protocol call at a time, against the repository's pack started as the Pulumi CLI starts it.
 */
import * as path from "path";
import { Diagnostic, PolicyPackProcess } from "../cli/policyPack/analyzerClient";
import { resolvePolicyConfig } from "../cli/policyPack/policyConfig";
import { growthOrder, GrowthOrder } from "./growthOrder";
import { repositoryRoot } from "./packageBuild";
import { median, millisecondsSince, round } from "./stats";
import {
  AnalyzerRequest,
  analyzerRequest,
  DocumentKind,
  documentKinds,
  iamCharacters,
  ladder,
  largestSize,
  WorstCaseFamily,
  worstCaseFamilies,
} from "./worstCase";

/** Sizes, deadlines and repetitions of one run of the table. */
export interface WorstCasePlan {
  /** Each size of a family's ladder is this many times the last (then the size limit itself). */
  readonly ladderFactor: number;
  /** How long one call may take before it is recorded as over the deadline (and the pack restarted). */
  readonly deadlineMilliseconds: number;
  /**
   * Wall time the whole table may take after the pack's start and warm-up, restarts included.
   * Each family may spend an equal share of what is left when it starts (so time a fast family
   * leaves goes to the later ones); a call's deadline is cut to what its family has left, and a
   * family stops when that is below the target (1 s), too little to tell a call within it.
   */
  readonly budgetSeconds: number;
  /**
   * Calls per size where the first was quick (the figure is their median), to see past the
   * noise where it is largest; one call where it was slower, to leave the time to larger sizes.
   */
  readonly repetitions: { readonly calls: number; readonly belowMilliseconds: number };
}

/** The targets the table is read against: every document within 1 s, half within 100 ms. */
export const worstCaseTargets = { worstMilliseconds: 1000, medianMilliseconds: 100 } as const;

/** A time measured, or the deadline a call ran past (a lower bound). */
export interface Timing {
  readonly milliseconds?: number;
  readonly overMilliseconds?: number;
}

export interface WorstCaseSize extends Timing {
  readonly n: number;
  /** The document's size as IAM counts it. */
  readonly characters: number;
  /** Calls made (the figure is their median), the last one past the deadline when it is. */
  readonly calls: number;
  /** Diagnostics the pack returned for the last call answered. */
  readonly diagnostics?: number;
  /** The call failed (the pack answered with an error, or stopped). */
  readonly error?: string;
}

export interface WorstCaseFamilyResult {
  readonly id: string;
  readonly title: string;
  readonly unit: string;
  readonly kind: DocumentKind;
  readonly call: "Analyze" | "AnalyzeStack";
  readonly limitCharacters: number;
  /** The n whose document is at the size limit: the ladder's last size. */
  readonly largestSize: number;
  readonly sizes: readonly WorstCaseSize[];
  /** Sizes of the ladder left unmeasured, and why. */
  readonly skipped?: {
    readonly sizes: readonly { readonly n: number; readonly characters: number }[];
    readonly reason: string;
  };
  /** The slowest size measured (one past its deadline first). */
  readonly worst?: WorstCaseSize;
  /** The median of its sizes, counted as the table's median is (see {@link WorstCaseResults}). */
  readonly median?: Timing;
  readonly growth?: GrowthOrder;
}

export interface WorstCaseResults {
  readonly plan: WorstCasePlan;
  /**
   * The pack measured: `policy-pack` unless `--pack` named another (relative to the repository,
   * or absolute when outside it).
   */
  readonly pack: string;
  /** From spawning the pack to its answer to `GetAnalyzerInfo`. */
  readonly startMilliseconds: number;
  /** Restarts after calls past their deadline. */
  readonly restarts: number;
  readonly families: readonly WorstCaseFamilyResult[];
  /** The slowest size of every family, and which family it is. */
  readonly worst?: WorstCaseSize & { readonly family: string };
  /**
   * The median over every size of every family, a size not measured counted as slower than any
   * measured; absent when the middle is a size not measured.
   */
  readonly median?: Timing;
  /** Sizes measured, over every family. */
  readonly documents: number;
  /** Sizes of the ladders left unmeasured, over every family. */
  readonly skippedSizes: number;
  /** Whether every family was measured up to its size limit. */
  readonly complete: boolean;
}

/**
 * Whether `a` is slower than `b`: one past its deadline is slower than any measured, and of
 * two past their deadlines, the longer deadline is the larger lower bound.
 */
function slowerThan(a: Timing, b: Timing): boolean {
  if ((a.milliseconds === undefined) !== (b.milliseconds === undefined)) {
    return a.milliseconds === undefined;
  }
  return (a.milliseconds ?? a.overMilliseconds ?? 0) > (b.milliseconds ?? b.overMilliseconds ?? 0);
}

/** The slowest of some timings (of those past their deadline, the longest deadline's). */
export function slowest<T extends Timing>(timings: readonly T[]): T | undefined {
  return timings.reduce<T | undefined>(
    (worst, t) => (worst === undefined || slowerThan(t, worst) ? t : worst),
    undefined,
  );
}

/**
 * The median of some timings, one past its deadline counted as slower than every measured one
 * (where the middle holds one, the median is past the mean of the middle values' lower bounds),
 * and a size not measured (undefined) as slower still, of unknown time: where the middle holds
 * one, there is no median.
 */
export function medianTiming(timings: readonly (Timing | undefined)[]): Timing | undefined {
  if (timings.length === 0) {
    return undefined;
  }
  // Measured first, by time; then past a deadline, by deadline; then not measured.
  const key = (t: Timing | undefined): [number, number] =>
    t === undefined
      ? [2, 0]
      : t.milliseconds !== undefined
        ? [0, t.milliseconds]
        : [1, t.overMilliseconds ?? 0];
  const sorted = [...timings].sort((a, b) => {
    const [ka, kb] = [key(a), key(b)];
    return ka[0] - kb[0] || ka[1] - kb[1];
  });
  const middle = Math.floor(sorted.length / 2);
  const middles = sorted.length % 2 === 1 ? [sorted[middle]] : [sorted[middle - 1], sorted[middle]];
  if (middles.some((t) => t === undefined)) {
    return undefined;
  }
  const known = middles as Timing[];
  const value = (t: Timing) => (t.milliseconds ?? t.overMilliseconds)!;
  const mean = round(known.reduce((sum, t) => sum + value(t), 0) / known.length, 1);
  return known.every((t) => t.milliseconds !== undefined)
    ? { milliseconds: mean }
    : { overMilliseconds: mean };
}

/** A family's or a table's sizes for its median: the measured ones, and each skipped one as unknown. */
function forMedian(
  sizes: readonly WorstCaseSize[],
  skipped: number,
): (WorstCaseSize | undefined)[] {
  return [...sizes.filter((s) => s.error === undefined), ...Array(skipped).fill(undefined)];
}

/** What one family's measured sizes come to: its slowest, median and growth order. */
export function summarizeFamily(
  family: WorstCaseFamily,
  largest: number,
  sizes: readonly WorstCaseSize[],
  skipped?: WorstCaseFamilyResult["skipped"],
): WorstCaseFamilyResult {
  const timed = sizes.filter((s) => s.error === undefined);
  const worst = slowest(timed);
  const typical = medianTiming(forMedian(sizes, skipped?.sizes.length ?? 0));
  const growth = growthOrder(timed);
  return {
    id: family.id,
    title: family.title,
    unit: family.unit,
    kind: family.kind,
    call: documentKinds[family.kind].call,
    limitCharacters: documentKinds[family.kind].limitCharacters,
    largestSize: largest,
    sizes,
    ...(skipped && { skipped }),
    ...(worst && { worst }),
    ...(typical && { median: typical }),
    ...(growth && { growth }),
  };
}

/** The table's totals over its families. */
export function summarizeTable(
  plan: WorstCasePlan,
  pack: string,
  startMilliseconds: number,
  restarts: number,
  families: readonly WorstCaseFamilyResult[],
): WorstCaseResults {
  const sizes = families.flatMap((f) =>
    f.sizes.filter((s) => s.error === undefined).map((s) => ({ ...s, family: f.id })),
  );
  const worst = slowest(sizes);
  const skippedSizes = families.reduce((sum, f) => sum + (f.skipped?.sizes.length ?? 0), 0);
  const typical = medianTiming(forMedian(sizes, skippedSizes));
  return {
    plan,
    pack,
    startMilliseconds: round(startMilliseconds, 0),
    restarts,
    families,
    ...(worst && { worst }),
    ...(typical && { median: typical }),
    documents: sizes.length,
    skippedSizes,
    complete: families.every(
      (f) => f.skipped === undefined && f.sizes.every((s) => s.error === undefined),
    ),
  };
}

type CallOutcome =
  | { readonly milliseconds: number; readonly diagnostics: number }
  | { readonly over: true }
  | { readonly error: string };

/** A pack process for the table: started, configured and warmed up, restarted when a call overruns. */
class PackSession {
  private constructor(
    private pack: PolicyPackProcess,
    private readonly packDir: string,
    private readonly warmUp: readonly AnalyzerRequest[],
  ) {}

  restarts = 0;

  static async start(
    packDir: string,
    warmUp: readonly AnalyzerRequest[],
  ): Promise<{ session: PackSession; startMilliseconds: number }> {
    const started = process.hrtime.bigint();
    const pack = await PackSession.launch(packDir);
    const startMilliseconds = millisecondsSince(started);
    const session = new PackSession(pack, packDir, warmUp);
    await session.warm();
    return { session, startMilliseconds };
  }

  private static async launch(packDir: string): Promise<PolicyPackProcess> {
    const pack = await PolicyPackProcess.start(packDir);
    await pack.configure(resolvePolicyConfig(await pack.getAnalyzerInfo(), undefined));
    return pack;
  }

  /**
   * Every family's smallest document, twice, so each policy's code is compiled before timing;
   * a failure here shows again, and is recorded, when that family is measured.
   */
  private async warm(): Promise<void> {
    for (let round = 0; round < 2; round += 1) {
      for (const request of this.warmUp) {
        await send(this.pack, request).catch(() => undefined);
      }
    }
  }

  /** One call, or "over" once the deadline passes: then the busy pack is killed and restarted. */
  async call(request: AnalyzerRequest, deadlineMilliseconds: number): Promise<CallOutcome> {
    const start = process.hrtime.bigint();
    const answer = send(this.pack, request);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<"over">((resolve) => {
      timer = setTimeout(() => resolve("over"), deadlineMilliseconds);
    });
    try {
      const outcome = await Promise.race([answer, late]);
      if (outcome === "over") {
        // The pack is computing still and answers nothing else until it is done: replace it.
        answer.catch(() => undefined);
        await this.restart();
        return { over: true };
      }
      return { milliseconds: millisecondsSince(start), diagnostics: outcome.length };
    } catch (error) {
      await this.restart();
      return { error: String(error).split("\n")[0] };
    } finally {
      clearTimeout(timer);
    }
  }

  private async restart(): Promise<void> {
    await stopWithin(this.pack, 5000);
    this.restarts += 1;
    this.pack = await PackSession.launch(this.packDir);
    await this.warm();
  }

  async stop(): Promise<void> {
    await stopWithin(this.pack, 5000);
  }
}

function send(pack: PolicyPackProcess, request: AnalyzerRequest): Promise<Diagnostic[]> {
  return request.call === "Analyze"
    ? pack.analyze(request.resource)
    : pack.analyzeStack(request.resources);
}

/** Stops a pack, killing it outright (its pid, which this bench started) if it has not exited in time. */
async function stopWithin(pack: PolicyPackProcess, milliseconds: number): Promise<void> {
  const stopped = pack.stop().then(() => "stopped" as const);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<"late">((resolve) => {
    timer = setTimeout(() => resolve("late"), milliseconds);
  });
  if ((await Promise.race([stopped, late])) === "late" && pack.pid !== undefined) {
    process.kill(pack.pid, "SIGKILL");
  }
  clearTimeout(timer);
  await stopped;
}

/** Calls to make of one size: a few when the first was quick, that one otherwise. */
function callsFor(plan: WorstCasePlan, firstMilliseconds: number): number {
  return firstMilliseconds < plan.repetitions.belowMilliseconds ? plan.repetitions.calls : 1;
}

const formatSeconds = (milliseconds: number) => `${round(milliseconds / 1000, 1)} s`;

/** Where a family's calls stand: the pack, the deadline left, the spellings used so far. */
interface FamilyRun {
  readonly session: PackSession;
  readonly plan: WorstCasePlan;
  readonly family: WorstCaseFamily;
  /** The deadline for the next call: the plan's, or less when the family's share is nearly spent. */
  readonly deadline: () => number;
  /** A spelling of the document no call has used. */
  readonly nextVariant: () => number;
  readonly progress: (message: string) => void;
}

/** One size: a few calls when the first was quick (their median), each on a fresh spelling. */
async function measureSize(run: FamilyRun, n: number): Promise<WorstCaseSize> {
  const { session, plan, family } = run;
  const characters = iamCharacters(family.document(n));
  const times: number[] = [];
  let diagnostics = 0;
  for (let call = 0; call < callsFor(plan, times[0] ?? 0); call += 1) {
    const limit = run.deadline();
    if (call > 0 && limit < worstCaseTargets.worstMilliseconds) {
      break;
    }
    const request = analyzerRequest(family.kind, family.document(n, run.nextVariant()));
    const outcome = await session.call(request, limit);
    if ("over" in outcome) {
      run.progress(
        `worst case: ${family.id} at n = ${n} (${characters} characters) ran past its ${formatSeconds(limit)} deadline; the pack was restarted`,
      );
      return { n, characters, calls: call + 1, overMilliseconds: limit };
    }
    if ("error" in outcome) {
      return { n, characters, calls: call + 1, error: outcome.error };
    }
    times.push(outcome.milliseconds);
    diagnostics = outcome.diagnostics;
  }
  return {
    n,
    characters,
    calls: times.length,
    milliseconds: round(median(times), 2),
    diagnostics,
  };
}

/**
 * One family's ladder, up the sizes until its size limit, a call past its deadline or a
 * failure, or until its share of the budget is too little for a deadline of the target's length.
 */
async function measureFamily(run: FamilyRun): Promise<WorstCaseFamilyResult> {
  const { family, plan } = run;
  const largest = largestSize(family);
  const rungs = ladder(largest, plan.ladderFactor);
  const unmeasured = (ns: readonly number[]) =>
    ns.map((n) => ({ n, characters: iamCharacters(family.document(n)) }));
  const sizes: WorstCaseSize[] = [];
  let skipped: WorstCaseFamilyResult["skipped"];
  for (const [rung, n] of rungs.entries()) {
    if (run.deadline() < worstCaseTargets.worstMilliseconds) {
      skipped = {
        sizes: unmeasured(rungs.slice(rung)),
        reason: `the family's share of the ${plan.budgetSeconds} s budget was spent`,
      };
      break;
    }
    const size = await measureSize(run, n);
    sizes.push(size);
    if (size.milliseconds === undefined) {
      const rest = rungs.slice(rung + 1);
      if (rest.length > 0) {
        skipped = {
          sizes: unmeasured(rest),
          reason:
            size.error === undefined
              ? `n = ${n} ran past its deadline`
              : `n = ${n} failed: ${size.error}`,
        };
      }
      break;
    }
  }
  return summarizeFamily(family, largest, sizes, skipped);
}

/** A family's sizes and times on one line, for the progress on stderr. */
function familyLine(result: WorstCaseFamilyResult): string {
  const times = result.sizes.map(
    (s) =>
      `${s.n}: ${s.milliseconds !== undefined ? `${s.milliseconds} ms` : s.error !== undefined ? "failed" : `over ${formatSeconds(s.overMilliseconds!)}`}`,
  );
  const skipped = result.skipped
    ? ` (not measured: ${result.skipped.sizes.map((s) => s.n).join(", ")})`
    : "";
  return `worst case: ${result.id}: ${times.join(", ")}${skipped}`;
}

/**
 * Measures every family's ladder (see {@link WorstCasePlan} for the deadlines and the budget)
 * on the repository's policy pack, or the one in `packDir`, started as the Pulumi CLI starts
 * it and warmed up first.
 */
export async function measureWorstCase(
  plan: WorstCasePlan,
  progress: (message: string) => void,
  families: readonly WorstCaseFamily[] = worstCaseFamilies,
  packDir: string = path.join(repositoryRoot, "policy-pack"),
): Promise<WorstCaseResults> {
  progress(`worst case: starting the pack and warming it up on ${families.length} families`);
  const warmUp = families.map((f) => analyzerRequest(f.kind, f.document(1)));
  const { session, startMilliseconds } = await PackSession.start(packDir, warmUp);
  const results: WorstCaseFamilyResult[] = [];
  const tableStart = process.hrtime.bigint();
  let variant = 0;
  try {
    for (const [index, family] of families.entries()) {
      // An equal share of what is left, so that time a quick family leaves goes to later ones.
      const allowance =
        (plan.budgetSeconds * 1000 - millisecondsSince(tableStart)) / (families.length - index);
      const familyStart = process.hrtime.bigint();
      const result = await measureFamily({
        session,
        plan,
        family,
        deadline: () =>
          Math.floor(
            Math.min(plan.deadlineMilliseconds, allowance - millisecondsSince(familyStart)),
          ),
        nextVariant: () => (variant += 1),
        progress,
      });
      results.push(result);
      progress(familyLine(result));
    }
  } finally {
    await session.stop();
  }
  const relative = path.relative(repositoryRoot, path.resolve(packDir));
  const pack = relative.startsWith("..")
    ? path.resolve(packDir)
    : relative.split(path.sep).join("/");
  return summarizeTable(plan, pack, startMilliseconds, session.restarts, results);
}
