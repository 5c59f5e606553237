import { strict as assert } from "assert";
import { planAtScaleGrowth, PlanAtScaleSize } from "../../bench/planAtScale";
import { ProgramCostAtSize, scalingOf } from "../../bench/programCost";
import { PackThroughput } from "../../bench/policyThroughput";
import {
  judgePlanAtScaleTargets,
  judgeTargets,
  judgeWorstCaseTargets,
  MeasuredResults,
  TargetOutcome,
  withinLimit,
} from "../../bench/targets";
import type { WorstCaseResults } from "../../bench/worstCaseMeasure";
import { programSize, sampleResults, sampleWorstCase } from "./sampleResults";

function outcome(results: MeasuredResults, target: string): TargetOutcome {
  const found = judgeTargets(results).find((t) => t.target.startsWith(target));
  assert.ok(found, `no target starting "${target}"`);
  return found;
}

function size(apps: number, milliseconds: number, timeRatio: number): ProgramCostAtSize {
  return programSize(apps, milliseconds, milliseconds / timeRatio, timeRatio);
}

function withProgramSizes(sizes: ProgramCostAtSize[]): MeasuredResults {
  return { ...sampleResults, programCost: { sizes, scaling: scalingOf(sizes) } };
}

const awsguard: PackThroughput = {
  pack: "pulumi-awsguard",
  version: "0.3.1",
  policies: 26,
  stackPolicies: 2,
  startMilliseconds: 3000,
  analyze: { resources: 9998, milliseconds: 12500, resourcesPerSecond: 800, diagnostics: 0 },
  analyzeStack: { resources: 11427, milliseconds: 3125, resourcesPerSecond: 3656, diagnostics: 0 },
};

describe("the bench's targets", () => {
  it("are met at the limit itself, from above or below as each asks", () => {
    assert.equal(withinLimit(1.5, "atLeast", 1.5), true);
    assert.equal(withinLimit(1.49, "atLeast", 1.5), false);
    assert.equal(withinLimit(1.05, "atMost", 1.05), true);
    assert.equal(withinLimit(1.06, "atMost", 1.05), false);
  });

  it("judge the policy packs' throughput, ours over awsguard, as at least 1.5×", () => {
    const results: MeasuredResults = {
      ...sampleResults,
      policyThroughput: {
        ...sampleResults.policyThroughput,
        awsguard,
        ratio: { analyze: 1.5, analyzeStack: 0.62 },
      },
    };
    assert.deepEqual(outcome(results, "`Analyze` resources/s, ours over awsguard"), {
      target: "`Analyze` resources/s, ours over awsguard",
      bound: "atLeast",
      limit: 1.5,
      measured: 1.5,
      basis: "policy throughput, 9,998 resources",
      status: "met",
    });
    const stack = outcome(results, "`AnalyzeStack` resources/s, ours over awsguard");
    assert.deepEqual([stack.status, stack.measured], ["not met", 0.62]);
  });

  it("leave the policy targets unmeasured, saying why, when awsguard did not run", () => {
    const analyzeStack = outcome(sampleResults, "`AnalyzeStack` resources/s, ours over awsguard");
    assert.equal(analyzeStack.status, "not measured");
    assert.equal(analyzeStack.basis, "awsguard did not run");
    assert.equal(analyzeStack.measured, undefined);
  });

  it("hold the offline plan with the pack to 1.5× the program alone for dev, 1.2× for 1,000 apps", () => {
    assert.equal(outcome(sampleResults, "offline plan of the dev stack").status, "met");
    const large = outcome(sampleResults, "offline plan of 1,000 apps");
    assert.deepEqual([large.limit, large.measured, large.status], [1.2, 1.31, "not met"]);
  });

  it("judge the pack against the protocol floor: throughput at least 0.9×, memory at most 1.15×, start at most 1.1×", () => {
    // The sample: ours 500 and 2,285 resources/s, 300 MiB, 4 s; the floor 1,000 and 4,570, 100 MiB, 1.5 s.
    const judged = (target: string) => {
      const t = outcome(sampleResults, target);
      return [t.limit, t.measured, t.status];
    };
    assert.deepEqual(judged("`Analyze` resources/s, ours over the protocol floor"), [
      0.9,
      0.5,
      "not met",
    ]);
    assert.deepEqual(judged("`AnalyzeStack` resources/s, ours over the protocol floor"), [
      0.9,
      0.5,
      "not met",
    ]);
    assert.deepEqual(judged("the pack's peak memory"), [1.15, 3, "not met"]);
    assert.deepEqual(judged("the pack's cold start"), [1.1, 2.67, "not met"]);
    const close: MeasuredResults = {
      ...sampleResults,
      policyThroughput: {
        ...sampleResults.policyThroughput,
        ours: {
          ...sampleResults.policyThroughput.ours,
          analyze: { ...sampleResults.policyThroughput.ours.analyze, resourcesPerSecond: 900 },
          peakRssBytes: 115 * 1024 ** 2,
          startMilliseconds: 1650,
        },
      },
    };
    assert.equal(
      outcome(close, "`Analyze` resources/s, ours over the protocol floor").status,
      "met",
    );
    assert.equal(outcome(close, "the pack's peak memory").status, "met");
    assert.equal(outcome(close, "the pack's cold start").status, "met");
    const noFloor: MeasuredResults = {
      ...sampleResults,
      policyThroughput: { ...sampleResults.policyThroughput, floor: undefined },
    };
    const missing = outcome(noFloor, "the pack's cold start");
    assert.deepEqual(
      [missing.status, missing.basis],
      ["not measured", "the floor pack did not run"],
    );
  });

  it("leave the 1,000-app plan unmeasured when the run planned another number of apps", () => {
    const results: MeasuredResults = {
      ...sampleResults,
      offlinePlan: {
        ...sampleResults.offlinePlan,
        generated: { ...sampleResults.offlinePlan.generated, apps: 250, ratio: 1.1 },
      },
    };
    const large = outcome(results, "offline plan of 1,000 apps");
    assert.deepEqual([large.status, large.basis], ["not measured", "this run planned 250 apps"]);
  });

  it("judge the program's cost and its per-app scaling at 1,000 apps against 10", () => {
    const results = withProgramSizes([size(10, 150, 0.9), size(1000, 16500, 1.05)]);
    const cost = outcome(results, "program cost at 1,000 apps");
    assert.deepEqual([cost.measured, cost.status], [1.05, "met"]);
    // 16.5 ms per app against 15: 1.1×, the limit.
    const scaling = outcome(results, "per-app time");
    assert.deepEqual([scaling.measured, scaling.status], [1.1, "met"]);
    const slower = outcome(
      withProgramSizes([size(10, 150, 0.9), size(1000, 16650, 1.06)]),
      "per-app time",
    );
    assert.deepEqual([slower.measured, slower.status], [1.11, "not met"]);
  });

  it("leave the program's targets unmeasured when the run stopped short of 1,000 apps", () => {
    const quick = withProgramSizes([size(1, 20, 1), size(10, 150, 0.9), size(100, 1500, 1)]);
    for (const target of ["program cost at 1,000 apps", "per-app time"]) {
      const t = outcome(quick, target);
      assert.deepEqual([t.status, t.basis], ["not measured", "this run measured up to 100 apps"]);
    }
  });

  it("judge start-up as require of the package over @pulumi/aws, at most 1.05×", () => {
    const slow = { ...sampleResults, startup: { ...sampleResults.startup, ratio: 1.06 } };
    assert.equal(outcome(sampleResults, "`require`").status, "met");
    assert.equal(outcome(slow, "`require`").status, "not met");
  });

  const everyDocument = "every document within AWS's limits decided within 1 s";
  const medianDocument = "the median document of the worst-case table decided within 100 ms";
  /** The sample table, measured to the end, with its slowest size at `milliseconds`. */
  const completeTable = (milliseconds: number, median = 40): WorstCaseResults => ({
    ...sampleWorstCase,
    worst: {
      n: 206,
      characters: 4093,
      calls: 1,
      milliseconds,
      family: "trust-values-per-condition",
    },
    median: { milliseconds: median },
    skippedSizes: 0,
    complete: true,
  });
  const withTable = (worstCase: WorstCaseResults): MeasuredResults => ({
    ...sampleResults,
    worstCase,
  });

  it("judge every document within AWS's limits against 1 s, by the worst-case table's slowest size", () => {
    assert.deepEqual(outcome(withTable(completeTable(1000)), everyDocument), {
      target: everyDocument,
      bound: "atMost",
      limit: 1000,
      unit: "milliseconds",
      measured: 1000,
      basis: "worst case, values per condition at n = 206 (4,093 characters)",
      status: "met",
    });
    assert.equal(outcome(withTable(completeTable(1000.5)), everyDocument).status, "not met");
  });

  it("count a call past its deadline as taking at least the deadline, which misses the target", () => {
    assert.deepEqual(outcome(sampleResults, everyDocument), {
      target: everyDocument,
      bound: "atMost",
      limit: 1000,
      unit: "milliseconds",
      measured: 20000,
      lowerBound: true,
      basis:
        "worst case, Deny statements with wildcard subjects at n = 8 (2,603 characters), past its deadline",
      status: "not met",
    });
  });

  it("leave every document unmeasured when sizes within the target were all the table reached", () => {
    const partial: WorstCaseResults = { ...completeTable(400), skippedSizes: 3, complete: false };
    const t = outcome(withTable(partial), everyDocument);
    assert.deepEqual(
      [t.status, t.basis],
      ["not measured", "the worst-case table left 3 sizes unmeasured, or a call failed"],
    );
  });

  it("judge the median document against 100 ms, and leave it unmeasured when the middle was not measured", () => {
    assert.deepEqual(
      [
        outcome(sampleResults, medianDocument).measured,
        outcome(sampleResults, medianDocument).status,
      ],
      [150, "not met"],
    );
    assert.equal(outcome(withTable(completeTable(400, 100)), medianDocument).status, "met");
    const unknown: WorstCaseResults = { ...sampleWorstCase, median: undefined };
    assert.deepEqual(
      [
        outcome(withTable(unknown), medianDocument).status,
        outcome(withTable(unknown), medianDocument).basis,
      ],
      ["not measured", "half the worst-case table's documents or more were not measured"],
    );
  });

  it("judge a median past the deadlines' mean as missing the target, never as meeting it", () => {
    const slow: WorstCaseResults = { ...sampleWorstCase, median: { overMilliseconds: 60 } };
    const t = outcome(withTable(slow), medianDocument);
    assert.deepEqual(
      [t.status, t.basis],
      ["not measured", "worst case, median of 9 documents, past deadlines: a lower bound only"],
    );
  });

  it("hold the 3,000-app plan's peak memory to 1.5 GB, and its growth per app to 1.25× from step to step", () => {
    const memory = outcome(sampleResults, "peak memory of the offline plan of 3,000 apps");
    assert.deepEqual(
      [memory.limit, memory.unit, memory.measured, memory.status],
      [1.5e9, "bytes", 1800 * 1024 ** 2, "not met"],
    );
    assert.equal(outcome(sampleResults, "peak memory per app added").measured, 1.05);
    assert.equal(outcome(sampleResults, "time per app added").status, "met");
  });

  it("leave the plan at scale's targets unmeasured without a 3,000-app size, or below three sizes", () => {
    const sizes: PlanAtScaleSize[] = sampleResults.planAtScale.sizes.slice(0, 2);
    const planAtScale = { command: "plan", sizes, ...planAtScaleGrowth(sizes) };
    assert.deepEqual(
      judgePlanAtScaleTargets(planAtScale).map((t) => [t.status, t.basis]),
      [
        ["not measured", "this run planned no stack of 3,000 apps"],
        ["not measured", "this run planned fewer than three sizes, or memory did not grow"],
        ["not measured", "this run planned fewer than three sizes, or time did not grow"],
      ],
    );
  });

  it("judge growth that turns steeper past 1.25× as missing the target", () => {
    const sizes = sampleResults.planAtScale.sizes.map((s) =>
      s.apps === 3000 ? { ...s, peakRssBytes: 3000 * 1024 ** 2, milliseconds: 200000 } : s,
    );
    const judged = judgePlanAtScaleTargets({
      ...sampleResults.planAtScale,
      sizes,
      ...planAtScaleGrowth(sizes),
    });
    assert.deepEqual(
      judged.slice(1).map((t) => [t.measured, t.status]),
      [
        [2.25, "not met"],
        [3.31, "not met"],
      ],
    );
  });

  it("judge the worst-case table's targets alone, for --only worst-case", () => {
    assert.deepEqual(
      judgeWorstCaseTargets(sampleWorstCase).map((t) => [t.target, t.status]),
      [
        [everyDocument, "not met"],
        [medianDocument, "not met"],
      ],
    );
  });
});
