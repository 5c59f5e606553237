import type { AuditPlan } from "./auditAtScale";
import type { OfflinePlanSizes } from "./offlinePlan";
import { ProgramSize } from "./programCost";
import type { WorstCasePlan } from "./worstCaseMeasure";

export const usage = `Usage: npm run bench -- [--readme] [--quick] [--only worst-case [--pack <dir>] | --only plan-at-scale | --only audit]

Measures the platform program's cost, the deployment critical path, the policy pack's throughput
and memory, the offline plan end to end and at 300 to 3,000 apps (time and peak memory), the
package's start-up, the worst case of one policy pack call as an IAM document grows, and the
audit of moto's AWS accounts (calls and time), each beside a reference measured in the same run, then checks them against their targets; prints the
tables and writes bench/results/latest.json. Takes ten minutes or more; not part of npm test.

  --readme  also write the tables into README.md, between its bench markers
  --quick   smaller sizes and fewer repetitions, to iterate on the bench itself (eight minutes
            or so, most of it the plans of 1,000 and 3,000 apps); the results go to a temporary
            file only (not bench/results, and not with --readme)
  --only worst-case
            measure the worst-case table alone (three minutes at most; one with --quick) and
            print it with its targets; the results go to a temporary file only
  --only plan-at-scale
            measure the offline plan of 300, 1,000 and 3,000 apps alone (two minutes or so) and
            print it with its targets; the results go to a temporary file only
  --only audit
            measure trusted-delivery audit alone on moto (five minutes at most; two with
            --quick): its AWS calls per API against the model's minimum, its time against a
            reference reader, and the model at internet scale; the results go to a temporary
            file only
  --pack <dir>
            with --only worst-case: measure the policy pack in <dir> instead of policy-pack/,
            e.g. an earlier commit's, for figures before a change:
            git archive <commit> policy-pack | tar -x -C scratch/before
            npm run bench -- --only worst-case --pack scratch/before/policy-pack
  --help    print this text`;

/** The parts `--only` can measure alone. */
export const benchParts = ["worst-case", "plan-at-scale", "audit"] as const;
export type BenchPart = (typeof benchParts)[number];

export interface BenchOptions {
  readonly readme: boolean;
  readonly quick: boolean;
  readonly help: boolean;
  /** Measure this part alone. */
  readonly only?: BenchPart;
  /** The policy pack the worst-case table measures, instead of the repository's. */
  readonly pack?: string;
}

/** The command line's options; throws, naming the argument, on anything else. */
export function parseBenchArgs(args: readonly string[]): BenchOptions {
  const flags = ["--readme", "--quick", "--help"];
  const valued = ["--only", "--pack"];
  const values: Record<string, string> = {};
  const unknown: string[] = [];
  for (let i = 0; i < args.length; i += 1) {
    const [name, inline] = args[i].startsWith("--") ? args[i].split(/=(.*)/s) : [args[i]];
    if (valued.includes(name)) {
      const value = inline ?? args[(i += 1)];
      if (value === undefined || value.startsWith("--")) {
        throw new Error(`${name} needs a value\n\n${usage}`);
      }
      values[name] = value;
    } else if (!flags.includes(args[i])) {
      unknown.push(args[i]);
    }
  }
  if (unknown.length > 0) {
    throw new Error(`unknown argument ${unknown.map((a) => `"${a}"`).join(", ")}\n\n${usage}`);
  }
  const only = values["--only"];
  if (only !== undefined && !benchParts.includes(only as BenchPart)) {
    throw new Error(
      `--only is "${only}"; the parts measured alone are ${benchParts.map((p) => `"${p}"`).join(", ")}, e.g. --only worst-case`,
    );
  }
  const options: BenchOptions = {
    readme: args.includes("--readme"),
    quick: args.includes("--quick"),
    help: args.includes("--help"),
    ...(only !== undefined && { only: only as BenchPart }),
    ...(values["--pack"] !== undefined && { pack: values["--pack"] }),
  };
  if (options.readme && options.quick) {
    throw new Error(
      "--quick results are for iterating on the bench and never go into README.md: drop --quick or --readme",
    );
  }
  if (options.readme && options.only !== undefined) {
    throw new Error(
      "--only measures one table, and README.md holds them all: drop --only or --readme",
    );
  }
  if (options.pack !== undefined && options.only !== "worst-case") {
    throw new Error(
      "--pack is for the worst-case table alone, whose figures never go into README.md or bench/results: add --only worst-case",
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
  /** The worst-case table's ladders, deadline and time budget. */
  readonly worstCase: WorstCasePlan;
  /** Apps of each offline plan at scale (one run each, with the pack). */
  readonly planAtScaleApps: readonly number[];
  /** The estates `trusted-delivery audit` reads on moto, and its concurrency. */
  readonly audit: AuditPlan;
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
  // One AnalyzeStack of the floor took from 2.4 to 3.3 s within one run (when its garbage
  // collections fall varies), ours 3.2 to 3.4 s: a median of 3 read that spread as a ratio.
  analyzeStackRepetitions: 7,
  startupRepetitions: 9,
  offlinePlan: { devRepetitions: 5, generatedApps: 1000, generatedRepetitions: 2 },
  worstCase: {
    ladderFactor: Math.SQRT2,
    deadlineMilliseconds: 20000,
    budgetSeconds: 180,
    repetitions: { calls: 5, belowMilliseconds: 100 },
  },
  planAtScaleApps: [300, 1000, 3000],
  // The targets are for 1,000 repositories and 500 roles (a fifth trusted by GitHub), and for
  // an organisation of several accounts and regions.
  audit: {
    concurrency: 16,
    scenarios: [
      {
        id: "one-account",
        accounts: 1,
        regions: ["eu-west-2"],
        repositoriesPerRegion: 1000,
        roles: 500,
        githubRoles: 100,
        // Two runs of each reader: about 100 s a pair here, moto being the slowest part.
        runs: 2,
      },
      {
        id: "organization",
        accounts: 4,
        regions: ["eu-west-2", "us-east-1", "eu-central-1"],
        repositoriesPerRegion: 40,
        roles: 60,
        githubRoles: 12,
        runs: 3,
      },
    ],
  },
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
  // Each size four times the last: 1, 4, 16, ... and the size limit.
  worstCase: {
    ladderFactor: 4,
    deadlineMilliseconds: 5000,
    budgetSeconds: 45,
    repetitions: { calls: 3, belowMilliseconds: 100 },
  },
  // The target is for 3,000 apps, and the growth needs three sizes.
  planAtScaleApps: [300, 1000, 3000],
  // A fifth of the target's estate, once each: the counts are still checked exactly.
  audit: {
    concurrency: 16,
    scenarios: [
      {
        id: "one-account",
        accounts: 1,
        regions: ["eu-west-2"],
        repositoriesPerRegion: 200,
        roles: 100,
        githubRoles: 20,
        runs: 1,
      },
      {
        id: "organization",
        accounts: 4,
        regions: ["eu-west-2", "us-east-1", "eu-central-1"],
        repositoriesPerRegion: 10,
        roles: 20,
        githubRoles: 4,
        runs: 1,
      },
    ],
  },
};

/**
 * Apps for a platform stack whose custom resources number about `resources`, given what one
 * pipeline and the shared resources (OIDC provider, GitHub provider) count.
 */
export function appsForResources(resources: number, perPipeline: number, shared: number): number {
  return Math.max(1, Math.round((resources - shared) / perPipeline));
}
