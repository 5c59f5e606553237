import { auditTargetScenario, AuditResults, AuditScenarioResult } from "./auditAtScale";
import {
  planAtScaleMemoryTargetBytes,
  planAtScaleTargetApps,
  PlanAtScaleResults,
} from "./planAtScale";
import type { PackThroughput } from "./policyThroughput";
import type { BenchResults } from "./results";
import { ratio, round } from "./stats";
import { WorstCaseResults, worstCaseTargets } from "./worstCaseMeasure";

/** Whether a run met a target, or could not tell. */
export type TargetStatus = "met" | "not met" | "not measured";

/** What a target asks of one figure (a ratio, or a time), and the figure it is judged on. */
export interface TargetOutcome {
  /** What is measured, as the targets table names it. */
  readonly target: string;
  /** The figure must be at least (`atLeast`) or at most (`atMost`) the limit. */
  readonly bound: "atLeast" | "atMost";
  readonly limit: number;
  /** The limit and the figure are milliseconds, bytes, or a count; absent for a ratio. */
  readonly unit?: "milliseconds" | "bytes" | "count";
  /** The figure this run measured (a ratio rounded to two decimals, as the tables show it). */
  readonly measured?: number;
  /** The figure is a lower bound: a call ran past its deadline, and took at least this. */
  readonly lowerBound?: true;
  /** Where the figure comes from (which table, at what size), or why there is none. */
  readonly basis: string;
  readonly status: TargetStatus;
}

/** A target's figure in a run (a lower bound, when a call ran past its deadline), or why the run has none. */
type Measurement =
  | { readonly value: number; readonly basis: string; readonly lowerBound?: true }
  | { readonly missing: string };

interface TargetSpec<Results = MeasuredResults> {
  readonly target: string;
  readonly bound: TargetOutcome["bound"];
  readonly limit: number;
  readonly unit?: TargetOutcome["unit"];
  readonly measure: (results: Results) => Measurement;
}

/** A run's results before its targets are judged. */
export type MeasuredResults = Omit<BenchResults, "targets">;

function figure(value: number | undefined, basis: string, missing: string): Measurement {
  return value === undefined ? { missing } : { value, basis };
}

/**
 * The figure for a target against the protocol's floor (a pack whose policies apply to nothing
 * here, started and driven alike): ours over the floor, for a call's resources/s (higher is
 * faster), the peak resident memory or the start (lower is better).
 */
function floorRatio(
  figureOf: (pack: PackThroughput) => number | undefined,
  what: string,
): (results: MeasuredResults) => Measurement {
  return ({ policyThroughput: p }) => {
    if (p.floor === undefined) {
      return { missing: "the floor pack did not run" };
    }
    const ours = figureOf(p.ours);
    const floor = figureOf(p.floor);
    return ours === undefined || floor === undefined || floor === 0
      ? { missing: `the floor's ${what} was not measured` }
      : {
          value: round(ratio(ours, floor)!, 2),
          basis: `policy throughput, ${p.apps.toLocaleString("en-US")} apps, against the floor`,
        };
  };
}

/** The figure for a target of the policy throughput table, ours over awsguard. */
function policyRatio(call: "analyze" | "analyzeStack"): (results: MeasuredResults) => Measurement {
  return ({ policyThroughput: p }) =>
    "error" in p.awsguard
      ? { missing: "awsguard did not run" }
      : figure(
          p.ratio[call],
          `policy throughput, ${p.ours[call].resources.toLocaleString("en-US")} resources`,
          "awsguard's throughput was zero",
        );
}

const targetApps = 1000;

const count = (value: number) => value.toLocaleString("en-US");

/** The slowest document of the worst-case table, where it is known to be the slowest. */
function worstDocument(w: WorstCaseResults): Measurement {
  const worst = w.worst;
  if (worst === undefined) {
    return { missing: "the worst-case table measured no document" };
  }
  const family = w.families.find((f) => f.id === worst.family)!;
  const basis = `worst case, ${family.title} at n = ${count(worst.n)} (${count(worst.characters)} characters)`;
  if (worst.milliseconds === undefined) {
    return {
      value: worst.overMilliseconds!,
      lowerBound: true,
      basis: `${basis}, past its deadline`,
    };
  }
  if (!w.complete && worst.milliseconds <= worstCaseTargets.worstMilliseconds) {
    return {
      missing: `the worst-case table left ${count(w.skippedSizes)} sizes unmeasured, or a call failed`,
    };
  }
  return { value: worst.milliseconds, basis };
}

/** The median document of the worst-case table, those not measured counted as slower. */
function medianDocument(w: WorstCaseResults): Measurement {
  const basis = `worst case, median of ${count(w.documents + w.skippedSizes)} documents`;
  if (w.median === undefined) {
    return { missing: "half the worst-case table's documents or more were not measured" };
  }
  return w.median.milliseconds === undefined
    ? { value: w.median.overMilliseconds!, lowerBound: true, basis: `${basis}, past deadlines` }
    : { value: w.median.milliseconds, basis };
}

/** The worst-case table's targets: what the model's rewrite is for. */
const worstCaseTargetSpecs: readonly TargetSpec<WorstCaseResults>[] = [
  {
    target: "every document within AWS's limits decided within 1 s",
    bound: "atMost",
    limit: worstCaseTargets.worstMilliseconds,
    unit: "milliseconds",
    measure: worstDocument,
  },
  {
    target: "the median document of the worst-case table decided within 100 ms",
    bound: "atMost",
    limit: worstCaseTargets.medianMilliseconds,
    unit: "milliseconds",
    measure: medianDocument,
  },
];

/** `plan at scale, 1,000 → 3,000 apps over 300 → 1,000`: the steps a growth ratio compares. */
function growthBasis(growth: PlanAtScaleResults["growth"]): string {
  const step = (g: PlanAtScaleResults["growth"][number]) =>
    `${count(g.fromApps)} → ${count(g.toApps)}`;
  if (growth.length < 2) {
    return "plan at scale";
  }
  return `plan at scale, ${step(growth[growth.length - 1])} apps over ${step(growth[0])}`;
}

/** The targets of the offline plan at scale (issue 21): its peak memory, and linear growth. */
const planAtScaleTargetSpecs: readonly TargetSpec<PlanAtScaleResults>[] = [
  {
    target: `peak memory of the offline plan of ${count(planAtScaleTargetApps)} apps with the policy pack (the plan's process)`,
    bound: "atMost",
    limit: planAtScaleMemoryTargetBytes,
    unit: "bytes",
    measure: ({ sizes }) => {
      const size = sizes.find((s) => s.apps === planAtScaleTargetApps);
      return size === undefined
        ? { missing: `this run planned no stack of ${count(planAtScaleTargetApps)} apps` }
        : { value: size.peakRssBytes, basis: `plan at scale, ${count(size.apps)} apps` };
    },
  },
  {
    target:
      "peak memory per app added, from the middle size to the largest over from the smallest to the middle",
    bound: "atMost",
    limit: 1.25,
    measure: ({ growth, memoryGrowthRatio }) =>
      figure(
        memoryGrowthRatio,
        growthBasis(growth),
        "this run planned fewer than three sizes, or memory did not grow",
      ),
  },
  {
    target:
      "time per app added, from the middle size to the largest over from the smallest to the middle",
    bound: "atMost",
    limit: 1.25,
    measure: ({ growth, timeGrowthRatio }) =>
      figure(
        timeGrowthRatio,
        growthBasis(growth),
        "this run planned fewer than three sizes, or time did not grow",
      ),
  },
];

/** `1,000 repositories and 500 roles`, the one-account audit's target size. */
const auditTargetSize = `${count(auditTargetScenario.repositories)} repositories and ${count(auditTargetScenario.roles)} roles`;

/**
 * The audit scenario a target is judged on, or why there is none: the one-account audit only at
 * the target's size (a --quick run audits a smaller one).
 */
function auditScenario(
  audit: AuditResults,
  id: AuditScenarioResult["id"],
): AuditScenarioResult | { readonly missing: string } {
  const scenario = audit.scenarios.find((s) => s.id === id);
  if (scenario === undefined) {
    return {
      missing: `this run audited no ${id === "one-account" ? "single account" : "organisation"}`,
    };
  }
  if (
    id === "one-account" &&
    (scenario.repositories !== auditTargetScenario.repositories ||
      scenario.roles !== auditTargetScenario.roles)
  ) {
    return {
      missing: `this run audited ${count(scenario.repositories)} repositories and ${count(scenario.roles)} roles, not ${auditTargetSize}`,
    };
  }
  return scenario;
}

/** `audit, 4 accounts × 3 regions, 480 repositories, 240 roles (48 GitHub's)`. */
function auditBasis(s: AuditScenarioResult): string {
  return `audit, ${s.accounts} account${s.accounts === 1 ? "" : "s"} × ${s.regions.length} region${s.regions.length === 1 ? "" : "s"}, ${count(s.repositories)} repositories, ${count(s.roles)} roles (${count(s.githubRoles)} GitHub's)`;
}

/** The audit's targets, for the single account at the target size and for the organisation. */
const auditTargetSpecs: readonly TargetSpec<AuditResults>[] = (
  [
    ["one-account", `one account of ${auditTargetSize}`],
    ["organization", "an organisation of several accounts and regions"],
  ] as const
).flatMap(([id, what]): TargetSpec<AuditResults>[] => [
  {
    target: `audit of ${what}: AWS calls over the model's minimum`,
    bound: "atMost",
    limit: 1.01,
    measure: (audit) => {
      const s = auditScenario(audit, id);
      return "missing" in s
        ? s
        : figure(s.callRatio, `${auditBasis(s)}, against the model`, "the model counted no call");
    },
  },
  {
    target: `audit of ${what}: APIs whose calls differ from the model's (the CLI's or the reference's)`,
    bound: "atMost",
    limit: 0,
    unit: "count",
    measure: (audit) => {
      const s = auditScenario(audit, id);
      return "missing" in s
        ? s
        : {
            value: s.calls.filter((c) => c.measured !== c.model || c.reference !== c.model).length,
            basis: `${auditBasis(s)}, every run`,
          };
    },
  },
  {
    target: `audit of ${what}: wall time over the reference reader at the same concurrency`,
    bound: "atMost",
    limit: 1.2,
    measure: (audit) => {
      const s = auditScenario(audit, id);
      return "missing" in s
        ? s
        : figure(
            s.timeRatio,
            `${auditBasis(s)}, median of ${s.runs}, at ${s.concurrency} in flight`,
            "the reference took no time",
          );
    },
  },
]);

/** The targets (#15) and the worst-case table's, in the order the targets table lists them. */
export const targetSpecs: readonly TargetSpec[] = [
  // Against the protocol's floor (issue 23): no pack that judges every resource can pass it, so
  // it, not awsguard (whose stack policies apply to nothing on this stack), is the limit.
  {
    target: "`AnalyzeStack` resources/s, ours over the protocol floor",
    bound: "atLeast",
    limit: 0.9,
    measure: floorRatio((pack) => pack.analyzeStack.resourcesPerSecond, "AnalyzeStack"),
  },
  {
    target: "`Analyze` resources/s, ours over the protocol floor",
    bound: "atLeast",
    limit: 0.9,
    measure: floorRatio((pack) => pack.analyze.resourcesPerSecond, "Analyze"),
  },
  {
    target: "the pack's peak memory, ours over the protocol floor",
    bound: "atMost",
    limit: 1.15,
    measure: floorRatio((pack) => pack.peakRssBytes, "peak memory"),
  },
  {
    target: "the pack's cold start, ours over the protocol floor",
    bound: "atMost",
    limit: 1.1,
    measure: floorRatio((pack) => pack.startMilliseconds, "start"),
  },
  // awsguard stays a reference (issue 15's targets, kept to show the trend).
  {
    target: "`AnalyzeStack` resources/s, ours over awsguard",
    bound: "atLeast",
    limit: 1.5,
    measure: policyRatio("analyzeStack"),
  },
  {
    target: "`Analyze` resources/s, ours over awsguard",
    bound: "atLeast",
    limit: 1.5,
    measure: policyRatio("analyze"),
  },
  {
    target: "offline plan of the dev stack, with the policy pack over the program alone",
    bound: "atMost",
    limit: 1.5,
    measure: ({ offlinePlan: { dev } }) =>
      figure(dev.ratio, `offline plan, ${dev.apps} apps`, "the program alone took no time"),
  },
  {
    target: `offline plan of ${targetApps.toLocaleString("en-US")} apps, with the policy pack over the program alone`,
    bound: "atMost",
    limit: 1.2,
    measure: ({ offlinePlan: { generated } }) =>
      generated.apps !== targetApps
        ? { missing: `this run planned ${generated.apps} apps` }
        : figure(
            generated.ratio,
            `offline plan, ${generated.apps.toLocaleString("en-US")} apps`,
            "the program alone took no time",
          ),
  },
  {
    target: `program cost at ${targetApps.toLocaleString("en-US")} apps, over as many bare resources`,
    bound: "atMost",
    limit: 1.05,
    measure: ({ programCost }) => {
      const size = programCost.sizes.find((s) => s.apps === targetApps);
      return size === undefined
        ? { missing: `this run measured up to ${largestSize(programCost.sizes)} apps` }
        : figure(
            size.ratio.time,
            `program cost, ${size.resources.toLocaleString("en-US")} resources`,
            "the reference took no time",
          );
    },
  },
  {
    target: `per-app time at ${targetApps.toLocaleString("en-US")} apps over that at 10`,
    bound: "atMost",
    limit: 1.1,
    measure: ({ programCost: { scaling, sizes } }) => {
      if (!sizes.some((s) => s.apps === targetApps)) {
        return { missing: `this run measured up to ${largestSize(sizes)} apps` };
      }
      if (scaling?.fromApps !== 10 || scaling.toApps !== targetApps) {
        return { missing: "this run has no 10-app size, or sizes past 1,000 apps" };
      }
      return figure(scaling.perAppTime, "program cost, scaling", "per-app time at 10 was zero");
    },
  },
  ...planAtScaleTargetSpecs.map((spec) => ({
    ...spec,
    measure: (results: MeasuredResults) => spec.measure(results.planAtScale),
  })),
  ...worstCaseTargetSpecs.map((spec) => ({
    ...spec,
    measure: (results: MeasuredResults) => spec.measure(results.worstCase),
  })),
  {
    target: "`require` of the package over `@pulumi/aws`",
    bound: "atMost",
    limit: 1.05,
    measure: ({ startup }) =>
      figure(
        startup.ratio,
        `start-up, median of ${startup.repetitions}`,
        "`@pulumi/aws` took no time",
      ),
  },
  ...auditTargetSpecs.map((spec) => ({
    ...spec,
    measure: (results: MeasuredResults): Measurement =>
      results.audit === undefined
        ? { missing: "this run did not audit moto's accounts" }
        : spec.measure(results.audit),
  })),
];

function largestSize(sizes: readonly { readonly apps: number }[]): string {
  return Math.max(0, ...sizes.map((s) => s.apps)).toLocaleString("en-US");
}

/** Whether `value` keeps within the limit, the limit itself included. */
export function withinLimit(value: number, bound: TargetOutcome["bound"], limit: number): boolean {
  return bound === "atLeast" ? value >= limit : value <= limit;
}

/** These targets judged on some results. */
function judge<Results>(results: Results, specs: readonly TargetSpec<Results>[]): TargetOutcome[] {
  return specs.map(({ target, bound, limit, unit, measure }) => {
    const measurement = measure(results);
    const spec = { target, bound, limit, ...(unit && { unit }) };
    if ("missing" in measurement) {
      return { ...spec, basis: measurement.missing, status: "not measured" };
    }
    const within = withinLimit(measurement.value, bound, limit);
    // A lower bound within an upper limit says nothing of the figure itself.
    if (measurement.lowerBound && within === (bound === "atMost")) {
      return { ...spec, basis: `${measurement.basis}: a lower bound only`, status: "not measured" };
    }
    return {
      ...spec,
      measured: measurement.value,
      ...(measurement.lowerBound && { lowerBound: true as const }),
      basis: measurement.basis,
      status: within ? "met" : "not met",
    };
  });
}

/** Every target judged on a run's results. */
export function judgeTargets(results: MeasuredResults): TargetOutcome[] {
  return judge(results, targetSpecs);
}

/** The plan at scale's targets judged on it alone (`--only plan-at-scale`). */
export function judgePlanAtScaleTargets(planAtScale: PlanAtScaleResults): TargetOutcome[] {
  return judge(planAtScale, planAtScaleTargetSpecs);
}

/** The worst-case table's targets judged on it alone (`--only worst-case`). */
export function judgeWorstCaseTargets(worstCase: WorstCaseResults): TargetOutcome[] {
  return judge(worstCase, worstCaseTargetSpecs);
}

/** The audit's targets judged on it alone (`--only audit`). */
export function judgeAuditTargets(audit: AuditResults): TargetOutcome[] {
  return judge(audit, auditTargetSpecs);
}
