import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { timeNode } from "./childProcess";
import { planEnvironment, readPlanOutput, tsNodeBin, writeGeneratedProject } from "./offlinePlan";
import { repositoryRoot } from "./packageBuild";
import { ratio, round } from "./stats";

/**
 * The offline plan of large stacks (issue 21, item 5): a user planned 3,001 apps, and the plan
 * ran 9 minutes with no output, peaking at 4.5 GB resident. Each size is one run of
 * `trusted-delivery plan` with the policy pack, in a fresh process, timed from its start to its
 * exit, and its peak resident set read by the process itself as it exits.
 */

/** What the user reported before the work on issue 21: the references the figures stand beside. */
export const reportedPlan = {
  apps: 3001,
  milliseconds: 9 * 60 * 1000,
  peakRssBytes: 4.5e9,
} as const;

/** The apps of the size the targets are for. */
export const planAtScaleTargetApps = 3000;

/** The most a plan of {@link planAtScaleTargetApps} apps may hold resident (1.5 GB). */
export const planAtScaleMemoryTargetBytes = 1.5e9;

export interface PlanAtScaleSize {
  readonly apps: number;
  /** Resources the plan lists (to create or import). */
  readonly resources: number;
  /** Violations the pack reported. */
  readonly violations: number;
  /** From the process's start to its exit. */
  readonly milliseconds: number;
  readonly perAppMilliseconds: number;
  /**
   * The plan's process's peak resident set (`process.resourceUsage().maxRSS` as it exits): the
   * program's thread and the policy session's worker, everything but the pack's own process.
   */
  readonly peakRssBytes: number;
  /**
   * The pack's process's peak resident set (`VmHWM` of `/proc/<pid>/status`, read every 250 ms
   * while it runs); absent where there is no `/proc`.
   */
  readonly packPeakRssBytes?: number;
}

/** How the figures grow from one size to the next: per app added. */
export interface PlanAtScaleGrowth {
  readonly fromApps: number;
  readonly toApps: number;
  readonly peakBytesPerApp: number;
  readonly millisecondsPerApp: number;
}

export interface PlanAtScaleResults {
  /** How each run is started, in the repository. */
  readonly command: string;
  readonly sizes: readonly PlanAtScaleSize[];
  /** Between each size and the next. */
  readonly growth: readonly PlanAtScaleGrowth[];
  /**
   * Memory per app added over the last step over that over the first (1 is linear): absent
   * below three sizes.
   */
  readonly memoryGrowthRatio?: number;
  /** The same for time. */
  readonly timeGrowthRatio?: number;
}

/** `npm run plan`'s script (package.json), as the offline plan's table runs it. */
const planScript = ["--transpile-only", "cli/main.ts", "plan", "dev"];

/**
 * Preloaded (`NODE_OPTIONS=--require`) into the plan's process: as the process exits, its main
 * thread writes the process's peak resident set (`ru_maxrss`, every thread's: the program's and
 * the policy session's worker) to `<TD_BENCH_PEAK_DIR>/<pid>.json`. JavaScript, since every
 * Node process the plan starts (the pack's) loads it too; only those that exit write.
 */
const peakPreload = `const { isMainThread } = require("worker_threads");
const dir = process.env.TD_BENCH_PEAK_DIR;
if (isMainThread && dir) {
  process.on("exit", () => {
    const maxRssBytes = process.resourceUsage().maxRSS * 1024;
    require("fs").writeFileSync(require("path").join(dir, process.pid + ".json"), JSON.stringify({ maxRssBytes }));
  });
}
`;

/** The peak resident set of each process whose parent is `pid`, by pid, read from /proc. */
function childrenPeaks(pid: number, peaks: Map<number, number>): void {
  try {
    for (const task of fs.readdirSync(`/proc/${pid}/task`)) {
      const children = fs.readFileSync(`/proc/${pid}/task/${task}/children`, "utf8");
      for (const child of children.split(" ").filter(Boolean).map(Number)) {
        const status = fs.readFileSync(`/proc/${child}/status`, "utf8");
        const kib = /^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1];
        if (kib !== undefined) {
          peaks.set(child, Math.max(peaks.get(child) ?? 0, Number(kib) * 1024));
        }
      }
    }
  } catch {
    // Gone between two reads, or no /proc: what was read stands.
  }
}

/** One plan of a generated stack of `apps` apps, with the repository's pack. */
async function planOnce(apps: number): Promise<PlanAtScaleSize> {
  const project = writeGeneratedProject(apps);
  const peaks = fs.mkdtempSync(path.join(os.tmpdir(), "td-bench-peak-"));
  const preload = path.join(peaks, "preload.js");
  fs.writeFileSync(preload, peakPreload);
  const packPeaks = new Map<number, number>();
  let pid = 0;
  try {
    const args = [tsNodeBin(), ...planScript, "--cwd", project.directory];
    const run = await timeNode([...args, "--policy-pack", "policy-pack"], {
      cwd: repositoryRoot,
      env: {
        ...planEnvironment(),
        NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --require ${preload}`.trim(),
        TD_BENCH_PEAK_DIR: peaks,
      },
      onSpawn: (spawned) => {
        pid = spawned;
        const timer = setInterval(() => childrenPeaks(spawned, packPeaks), 250);
        return () => clearInterval(timer);
      },
    });
    const refused = run.status === 1 && /mandatory violations?:/.test(run.stdout);
    if (run.status !== 0 && !refused) {
      throw new Error(
        `plan of ${apps} apps failed (exit code ${run.status}):\n${run.stderr}${run.stdout.slice(-2000)}`,
      );
    }
    const output = readPlanOutput(run.stdout);
    const peak = JSON.parse(fs.readFileSync(path.join(peaks, `${pid}.json`), "utf8")) as {
      maxRssBytes: number;
    };
    return {
      apps: output.apps,
      resources: output.resources,
      violations: output.violations ?? 0,
      milliseconds: round(run.exitMilliseconds, 0),
      perAppMilliseconds: round(run.exitMilliseconds / output.apps, 2),
      peakRssBytes: peak.maxRssBytes,
      ...(packPeaks.size > 0 && { packPeakRssBytes: Math.max(...packPeaks.values()) }),
    };
  } finally {
    project.remove();
    fs.rmSync(peaks, { recursive: true, force: true });
  }
}

/** The growth between consecutive sizes, and how the last step's compares with the first's. */
export function planAtScaleGrowth(
  sizes: readonly PlanAtScaleSize[],
): Pick<PlanAtScaleResults, "growth" | "memoryGrowthRatio" | "timeGrowthRatio"> {
  const sorted = [...sizes].sort((a, b) => a.apps - b.apps);
  const growth = sorted.slice(1).map((to, i): PlanAtScaleGrowth => {
    const from = sorted[i];
    const apps = to.apps - from.apps;
    return {
      fromApps: from.apps,
      toApps: to.apps,
      peakBytesPerApp: Math.round((to.peakRssBytes - from.peakRssBytes) / apps),
      millisecondsPerApp: round((to.milliseconds - from.milliseconds) / apps, 2),
    };
  });
  if (growth.length < 2) {
    return { growth };
  }
  const [first, last] = [growth[0], growth[growth.length - 1]];
  const memoryGrowthRatio = ratio(last.peakBytesPerApp, first.peakBytesPerApp);
  const timeGrowthRatio = ratio(last.millisecondsPerApp, first.millisecondsPerApp);
  return {
    growth,
    ...(memoryGrowthRatio !== undefined && { memoryGrowthRatio }),
    ...(timeGrowthRatio !== undefined && { timeGrowthRatio }),
  };
}

/**
 * Plans generated stacks of each number of apps, smallest first, each once in a fresh process
 * with the repository's pack, and reports each plan's time and peak memory, and their growth.
 */
export async function measurePlanAtScale(
  appCounts: readonly number[],
  progress: (message: string) => void,
): Promise<PlanAtScaleResults> {
  const sizes: PlanAtScaleSize[] = [];
  for (const apps of [...appCounts].sort((a, b) => a - b)) {
    progress(`offline plan at scale: ${apps.toLocaleString("en-US")} apps`);
    sizes.push(await planOnce(apps));
  }
  return {
    command: `ts-node ${planScript.join(" ")} --cwd <project> --policy-pack policy-pack`,
    sizes,
    ...planAtScaleGrowth(sizes),
  };
}
