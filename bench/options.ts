import type { OfflinePlanSizes } from "./offlinePlan";
import { ProgramSize } from "./programCost";

export const usage = `Usage: npm run bench -- [--readme] [--quick]

Measures the platform program's cost, the deployment critical path, the policy pack's throughput
and memory, the offline plan end to end and the package's start-up, each beside a reference
measured in the same run, then checks them against their targets; prints the tables and writes
bench/results/latest.json. Takes ten minutes or more; not part of npm test.

  --readme  also write the tables into README.md, between its bench markers
  --quick   smaller sizes and fewer repetitions, to iterate on the bench itself (five minutes or
            so, most of it the one plan of 1,000 apps); the results go to a temporary file only
            (not bench/results, and not with --readme)
  --help    print this text`;

export interface BenchOptions {
  readonly readme: boolean;
  readonly quick: boolean;
  readonly help: boolean;
}

/** The command line's options; throws, naming the argument, on anything else. */
export function parseBenchArgs(args: readonly string[]): BenchOptions {
  const known = ["--readme", "--quick", "--help"];
  const unknown = args.filter((arg) => !known.includes(arg));
  if (unknown.length > 0) {
    throw new Error(`unknown argument ${unknown.map((a) => `"${a}"`).join(", ")}\n\n${usage}`);
  }
  const options = {
    readme: args.includes("--readme"),
    quick: args.includes("--quick"),
    help: args.includes("--help"),
  };
  if (options.readme && options.quick) {
    throw new Error(
      "--quick results are for iterating on the bench and never go into README.md: drop --quick or --readme",
    );
  }
  return options;
}

/** Sizes and repetitions of one bench run. */
export interface BenchPlan {
  readonly programSizes: readonly ProgramSize[];
  /** Default apps in the stack whose whole critical path is measured. */
  readonly graphStackApps: number;
  /** About how many resources the policy packs analyze (custom resources sent to `Analyze`). */
  readonly policyResources: number;
  /** How many `AnalyzeStack` calls to take the median of. */
  readonly analyzeStackRepetitions: number;
  /** Fresh processes per module for start-up. */
  readonly startupRepetitions: number;
  /** Runs of `trusted-delivery plan` per stack, each without and with the policy pack. */
  readonly offlinePlan: OfflinePlanSizes;
}

export const fullPlan: BenchPlan = {
  programSizes: [
    { apps: 1, repetitions: 5 },
    { apps: 10, repetitions: 5 },
    { apps: 100, repetitions: 3 },
    { apps: 1000, repetitions: 1 },
  ],
  graphStackApps: 10,
  policyResources: 10000,
  analyzeStackRepetitions: 3,
  startupRepetitions: 9,
  offlinePlan: { devRepetitions: 5, generatedApps: 1000, generatedRepetitions: 2 },
};

export const quickPlan: BenchPlan = {
  programSizes: [
    { apps: 1, repetitions: 3 },
    { apps: 10, repetitions: 3 },
    { apps: 100, repetitions: 1 },
  ],
  graphStackApps: 10,
  policyResources: 1000,
  analyzeStackRepetitions: 1,
  startupRepetitions: 3,
  // The 1,000-app plan is the slowest measurement here, but its target is for 1,000 apps.
  offlinePlan: { devRepetitions: 3, generatedApps: 1000, generatedRepetitions: 1 },
};

/**
 * Apps for a platform stack whose custom resources number about `resources`, given what one
 * pipeline and the shared resources (OIDC provider, GitHub provider) count.
 */
export function appsForResources(resources: number, perPipeline: number, shared: number): number {
  return Math.max(1, Math.round((resources - shared) / perPipeline));
}
