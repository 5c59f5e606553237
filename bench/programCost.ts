import type { MeasureProgramRequest, ProgramMeasurement } from "./children/measureProgram";
import { runNodeChild } from "./childProcess";
import { BuiltPackage } from "./packageBuild";
import { median, ratio, round } from "./stats";

/** How many apps to construct, and how many fresh processes to take the median of. */
export interface ProgramSize {
  readonly apps: number;
  readonly repetitions: number;
}

/** Medians of one program at one size. */
export interface ProgramFigures {
  readonly milliseconds: number;
  readonly heapBytes: number;
}

export interface ProgramCostAtSize {
  readonly apps: number;
  /** Resources the platform registers besides the stack; the reference registers as many. */
  readonly resources: number;
  readonly customResources: number;
  readonly repetitions: number;
  readonly platform: ProgramFigures & { readonly perAppMilliseconds: number };
  /** The same number of bare `aws.ecr.Repository` resources under the same mocks. */
  readonly reference: ProgramFigures;
  readonly ratio: { readonly time?: number; readonly heap?: number };
}

/** How per-app time grows from the smaller size to the larger. */
export interface ProgramCostScaling {
  readonly fromApps: number;
  readonly toApps: number;
  /** Per-app time at `toApps` over per-app time at `fromApps` (1 is linear). */
  readonly perAppTime?: number;
  /** The same for the reference, per resource. */
  readonly referencePerResourceTime?: number;
}

export interface ProgramCostResults {
  readonly sizes: readonly ProgramCostAtSize[];
  readonly scaling?: ProgramCostScaling;
}

/** Node options of every measuring child: a GC to call, and room for the largest stacks. */
const childNodeOptions = ["--expose-gc", "--max-old-space-size=6144"];

function measureOnce(built: BuiltPackage, request: MeasureProgramRequest): ProgramMeasurement {
  return runNodeChild<ProgramMeasurement>(built.childScript("children/measureProgram"), request, {
    nodeOptions: childNodeOptions,
    cwd: built.directory,
  });
}

function figures(measurements: readonly ProgramMeasurement[]): ProgramFigures {
  return {
    milliseconds: round(median(measurements.map((m) => m.milliseconds)), 1),
    heapBytes: Math.round(median(measurements.map((m) => m.heapBytes))),
  };
}

/**
 * Constructs the built platform program with each number of apps, and its reference, each
 * repetition in a fresh process (platform and reference alternating), and takes medians.
 */
export function measureProgramCost(
  built: BuiltPackage,
  sizes: readonly ProgramSize[],
  progress: (message: string) => void,
): ProgramCostResults {
  const results: ProgramCostAtSize[] = [];
  for (const size of sizes) {
    const platformRuns: ProgramMeasurement[] = [];
    const referenceRuns: ProgramMeasurement[] = [];
    for (let repetition = 1; repetition <= size.repetitions; repetition++) {
      progress(`program cost: ${size.apps} apps, run ${repetition} of ${size.repetitions}`);
      const platformRun = measureOnce(built, { program: "platform", apps: size.apps });
      platformRuns.push(platformRun);
      referenceRuns.push(
        measureOnce(built, {
          program: "bareRepositories",
          apps: size.apps,
          repositories: platformRun.resources,
        }),
      );
    }
    const platform = figures(platformRuns);
    const reference = figures(referenceRuns);
    results.push({
      apps: size.apps,
      resources: platformRuns[0].resources,
      customResources: platformRuns[0].customResources,
      repetitions: size.repetitions,
      platform: { ...platform, perAppMilliseconds: round(platform.milliseconds / size.apps, 2) },
      reference,
      ratio: {
        time: ratio(platform.milliseconds, reference.milliseconds),
        heap: ratio(platform.heapBytes, reference.heapBytes),
      },
    });
  }
  return { sizes: results, scaling: scalingOf(results) };
}

/** Per-app time at the largest size against 10 apps (or the smallest size above one app). */
export function scalingOf(sizes: readonly ProgramCostAtSize[]): ProgramCostScaling | undefined {
  const from = sizes.find((s) => s.apps === 10) ?? sizes.find((s) => s.apps > 1);
  const to = sizes.reduce<ProgramCostAtSize | undefined>(
    (largest, s) => (largest === undefined || s.apps > largest.apps ? s : largest),
    undefined,
  );
  if (from === undefined || to === undefined || to.apps <= from.apps) {
    return undefined;
  }
  const perResource = (s: ProgramCostAtSize) => s.reference.milliseconds / s.resources;
  return {
    fromApps: from.apps,
    toApps: to.apps,
    perAppTime: ratio(to.platform.milliseconds / to.apps, from.platform.milliseconds / from.apps),
    referencePerResourceTime: ratio(perResource(to), perResource(from)),
  };
}
