import type { BenchResults } from "./results";

/** Whether a run met a target, or could not tell. */
export type TargetStatus = "met" | "not met" | "not measured";

/** What a target asks of one ratio, and the figure it is judged on. */
export interface TargetOutcome {
  /** What is measured, as the targets table names it. */
  readonly target: string;
  /** The ratio must be at least (`atLeast`) or at most (`atMost`) the limit. */
  readonly bound: "atLeast" | "atMost";
  readonly limit: number;
  /** The ratio this run measured (rounded to two decimals, as the tables show it). */
  readonly measured?: number;
  /** Where the figure comes from (which table, at what size), or why there is none. */
  readonly basis: string;
  readonly status: TargetStatus;
}

/** A target's figure in a run, or why the run has none. */
type Measurement =
  { readonly value: number; readonly basis: string } | { readonly missing: string };

interface TargetSpec {
  readonly target: string;
  readonly bound: TargetOutcome["bound"];
  readonly limit: number;
  readonly measure: (results: MeasuredResults) => Measurement;
}

/** A run's results before its targets are judged. */
export type MeasuredResults = Omit<BenchResults, "targets">;

function figure(value: number | undefined, basis: string, missing: string): Measurement {
  return value === undefined ? { missing } : { value, basis };
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

/** The targets (#15), in the order the targets table lists them. */
export const targetSpecs: readonly TargetSpec[] = [
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
    limit: 1.3,
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
];

function largestSize(sizes: readonly { readonly apps: number }[]): string {
  return Math.max(0, ...sizes.map((s) => s.apps)).toLocaleString("en-US");
}

/** Whether `value` keeps within the limit, the limit itself included. */
export function withinLimit(value: number, bound: TargetOutcome["bound"], limit: number): boolean {
  return bound === "atLeast" ? value >= limit : value <= limit;
}

/** Every target judged on a run's results. */
export function judgeTargets(results: MeasuredResults): TargetOutcome[] {
  return targetSpecs.map(({ target, bound, limit, measure }) => {
    const measurement = measure(results);
    if ("missing" in measurement) {
      return { target, bound, limit, basis: measurement.missing, status: "not measured" };
    }
    return {
      target,
      bound,
      limit,
      measured: measurement.value,
      basis: measurement.basis,
      status: withinLimit(measurement.value, bound, limit) ? "met" : "not met",
    };
  });
}
