import { planAtScaleGrowth, PlanAtScaleSize } from "../../bench/planAtScale";
import type { ProgramCostAtSize } from "../../bench/programCost";
import { MeasuredResults } from "../../bench/targets";
import type { WorstCaseResults, WorstCaseSize } from "../../bench/worstCaseMeasure";
import { awsTypes, githubTypes } from "../../policy-pack/governance/typeTokens";

const valuesSizes: WorstCaseSize[] = [
  { n: 1, characters: 371, calls: 5, milliseconds: 2.5, diagnostics: 1 },
  { n: 16, characters: 626, calls: 3, milliseconds: 150, diagnostics: 1 },
  { n: 206, characters: 4093, calls: 1, milliseconds: 1800, diagnostics: 1 },
];
const denySizes: WorstCaseSize[] = [
  { n: 1, characters: 657, calls: 5, milliseconds: 1.2, diagnostics: 1 },
  { n: 2, characters: 935, calls: 5, milliseconds: 2.9, diagnostics: 1 },
  { n: 4, characters: 1491, calls: 5, milliseconds: 40, diagnostics: 1 },
  { n: 6, characters: 2047, calls: 3, milliseconds: 600, diagnostics: 1 },
  { n: 8, characters: 2603, calls: 1, overMilliseconds: 20000 },
];

/**
 * A worst-case table of two families: one measured up to its size limit, one whose call at
 * n = 8 ran past the deadline, leaving n = 13 unmeasured.
 */
export const sampleWorstCase: WorstCaseResults = {
  plan: {
    ladderFactor: 2,
    deadlineMilliseconds: 20000,
    budgetSeconds: 180,
    repetitions: { calls: 5, belowMilliseconds: 100 },
  },
  pack: "policy-pack",
  startMilliseconds: 3000,
  restarts: 1,
  families: [
    {
      id: "trust-values-per-condition",
      title: "values per condition",
      unit: "value in the one sub condition's list",
      kind: "trust",
      call: "Analyze",
      limitCharacters: 4096,
      largestSize: 206,
      sizes: valuesSizes,
      worst: valuesSizes[2],
      median: { milliseconds: 150 },
      growth: { order: "linear", slope: 0.98, atLeast: false },
    },
    {
      id: "trust-deny-wildcard-subjects",
      title: "Deny statements with wildcard subjects",
      unit: "Deny statement with a `StringLike` sub pattern, carving the repository's runs",
      kind: "trust",
      call: "Analyze",
      limitCharacters: 4096,
      largestSize: 13,
      sizes: denySizes,
      skipped: { sizes: [{ n: 13, characters: 3996 }], reason: "n = 8 ran past its deadline" },
      worst: denySizes[4],
      median: { milliseconds: 320 },
      growth: { order: "exponential", slope: 6.75, perUnit: 3.93, atLeast: true },
    },
  ],
  worst: { ...denySizes[4], family: "trust-deny-wildcard-subjects" },
  median: { milliseconds: 150 },
  documents: 8,
  skippedSizes: 1,
  complete: false,
};

const MiB = 1024 ** 2;

/** Plans of 300, 1,000 and 3,000 apps: memory and time growing about linearly, 1,800 MiB at 3,000. */
const planAtScaleSizes: PlanAtScaleSize[] = [
  {
    apps: 300,
    resources: 2403,
    violations: 100,
    milliseconds: 12000,
    perAppMilliseconds: 40,
    peakRssBytes: 400 * MiB,
    packPeakRssBytes: 250 * MiB,
  },
  {
    apps: 1000,
    resources: 8003,
    violations: 333,
    milliseconds: 30000,
    perAppMilliseconds: 30,
    peakRssBytes: 750 * MiB,
    packPeakRssBytes: 400 * MiB,
  },
  {
    apps: 3000,
    resources: 24003,
    violations: 1000,
    milliseconds: 81000,
    perAppMilliseconds: 27,
    peakRssBytes: 1800 * MiB,
  },
];

/** A run's results, small and made up, with awsguard failing to start, for the bench's tests. */
export const sampleResults: MeasuredResults = {
  date: "2025-01-02T03:04:05Z",
  quick: false,
  durationSeconds: 200,
  environment: {
    node: "v20.0.0",
    cpu: "Test CPU",
    cpus: 2,
    memoryGiB: 8,
    platform: "linux x64",
    pulumi: "3.0.0",
    pulumiAws: "7.0.0",
    pulumiGithub: "6.0.0",
    awsguard: "0.3.1",
  },
  programCost: {
    sizes: [
      {
        apps: 1000,
        resources: 8003,
        customResources: 7002,
        repetitions: 1,
        platform: { milliseconds: 26768.7, heapBytes: 800 * 1024 ** 2, perAppMilliseconds: 26.77 },
        reference: { milliseconds: 23499.8, heapBytes: 1000 * 1024 ** 2 },
        ratio: { time: 1.14, heap: 0.8 },
      },
    ],
  },
  deploymentGraph: {
    pipelines: [
      {
        variant: "default",
        environment: "dev",
        customResources: 7,
        criticalPath: 2,
        ratio: 0.29,
        chain: [
          { name: "r", type: awsTypes.ecrRepository },
          { name: "l", type: awsTypes.ecrLifecyclePolicy },
        ],
        fromEmptyStack: 2,
        fromEmptyStackChain: [
          { name: "github-acme", type: githubTypes.provider },
          { name: "s", type: githubTypes.actionsSecret },
        ],
      },
    ],
    stack: { apps: 10, customResources: 72, criticalPath: 3, ratio: 0.04, chain: [] },
  },
  policyThroughput: {
    apps: 1428,
    analyzeStackRepetitions: 3,
    ours: {
      pack: "trusted-delivery-guardrails",
      version: "0.1.0",
      policies: 10,
      stackPolicies: 2,
      startMilliseconds: 4000,
      analyze: { resources: 9998, milliseconds: 20000, resourcesPerSecond: 500, diagnostics: 0 },
      analyzeStack: {
        resources: 11427,
        milliseconds: 5000,
        resourcesPerSecond: 2285,
        diagnostics: 1,
      },
      peakRssBytes: 300 * 1024 ** 2,
    },
    awsguard: { pack: "@pulumi/awsguard 0.3.1", error: "Error: it broke\nat line 1" },
    awsguardCheck: "awsguard did not start: Error: it broke",
    floor: {
      pack: "floor",
      version: "0.0.0",
      policies: 2,
      stackPolicies: 1,
      startMilliseconds: 1500,
      analyze: { resources: 9998, milliseconds: 9998, resourcesPerSecond: 1000, diagnostics: 0 },
      analyzeStack: {
        resources: 11427,
        milliseconds: 2500,
        resourcesPerSecond: 4570,
        diagnostics: 0,
      },
      peakRssBytes: 100 * 1024 ** 2,
    },
    ratio: {},
  },
  offlinePlan: {
    command: "ts-node --transpile-only cli/main.ts plan dev --cwd <project> [--skip-policy]",
    dev: {
      stack: "dev",
      generated: false,
      apps: 3,
      resources: 28,
      violations: 0,
      repetitions: 5,
      programOnlyMilliseconds: 2800,
      withPackMilliseconds: 4200,
      ratio: 1.5,
    },
    generated: {
      stack: "dev",
      generated: true,
      apps: 1000,
      resources: 8003,
      violations: 333,
      repetitions: 2,
      programOnlyMilliseconds: 60000,
      withPackMilliseconds: 78600,
      ratio: 1.31,
    },
  },
  planAtScale: {
    command:
      "ts-node --transpile-only cli/main.ts plan dev --cwd <project> --policy-pack policy-pack",
    sizes: planAtScaleSizes,
    ...planAtScaleGrowth(planAtScaleSizes),
  },
  startup: {
    repetitions: 9,
    package: { module: "pkg", milliseconds: 1300 },
    reference: { module: "@pulumi/aws", milliseconds: 1250 },
    ratio: 1.04,
  },
  worstCase: sampleWorstCase,
};

/** One program size's figures: the platform's time, the reference's, and the time ratio if any. */
export function programSize(
  apps: number,
  milliseconds: number,
  referenceMilliseconds: number,
  timeRatio?: number,
): ProgramCostAtSize {
  return {
    apps,
    resources: apps * 8 + 3,
    customResources: apps * 7 + 2,
    repetitions: 1,
    platform: { milliseconds, heapBytes: 0, perAppMilliseconds: milliseconds / apps },
    reference: { milliseconds: referenceMilliseconds, heapBytes: 0 },
    ratio: timeRatio === undefined ? {} : { time: timeRatio },
  };
}
