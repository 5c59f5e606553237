import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import YAML from "yaml";
import { readProject } from "../cli/workspace/project";
import { TimedNodeRun, timeNode } from "./childProcess";
import { repositoryRoot } from "./packageBuild";
import { median, ratio, round } from "./stats";
import { benchApps } from "./workload";

/** One stack's offline plan, end to end, without and with the policy pack. */
export interface PlanStackFigures {
  /** The stack's name (`dev` for both: the generated stack copies the dev stack's settings). */
  readonly stack: string;
  /** True for the stack the bench writes into a scratch project; false for the committed one. */
  readonly generated: boolean;
  /** Apps the plan lists. */
  readonly apps: number;
  /** Resources the plan lists (to create or import). */
  readonly resources: number;
  /** Violations the pack reported, every enforcement level. */
  readonly violations: number;
  /** How many runs of each the figures are the median of. */
  readonly repetitions: number;
  /** `plan <stack> --skip-policy`: the program alone, from the process's start to the plan printed. */
  readonly programOnlyMilliseconds: number;
  /** `plan <stack>`: the same, then the pack (start, `Analyze`, `AnalyzeStack`) to its report. */
  readonly withPackMilliseconds: number;
  /** With the pack over the program alone. */
  readonly ratio?: number;
}

export interface OfflinePlanResults {
  /** What each run is, as `npm run plan` runs it (npm's own start-up left out). */
  readonly command: string;
  /** The repository's `programs/platform/Pulumi.dev.yaml`. */
  readonly dev: PlanStackFigures;
  /** The dev stack's settings with generated apps (`benchApps`). */
  readonly generated: PlanStackFigures;
}

/** Runs of one bench: the dev stack's, and the generated stack's size and runs. */
export interface OfflinePlanSizes {
  readonly devRepetitions: number;
  readonly generatedApps: number;
  readonly generatedRepetitions: number;
}

/** `npm run plan`'s script (package.json), which the bench runs with `node` directly. */
const planScript = ["--transpile-only", "cli/main.ts", "plan"];

/** What the plan printed that the bench checks and reports. */
export interface PlanOutput {
  readonly apps: number;
  readonly resources: number;
  /** Violations in the pack's report; undefined when the output holds no report. */
  readonly violations?: number;
}

/**
 * The counts in a plan's output: its last line (`28 to create (3 apps).`, with `, 2 to import`
 * when there are imports) and the pack's report after it, when there is one. Throws when the
 * summary line is missing: the plan did not print to its end.
 */
export function readPlanOutput(stdout: string): PlanOutput {
  const summary = /^(\d+) to create(?:, (\d+) to import)? \((\d+) apps?\)\.$/m.exec(stdout);
  if (summary === null) {
    throw new Error(
      `the plan printed no summary line ("<n> to create (<m> apps).") in:\n${stdout.slice(-2000)}`,
    );
  }
  const report = stdout.slice(summary.index + summary[0].length);
  const hasReport = /^Policy pack \S+ \(\d+ polic/m.test(report);
  return {
    apps: Number(summary[3]),
    resources: Number(summary[1]) + Number(summary[2] ?? 0),
    ...(hasReport && {
      violations:
        report.match(/^ {2}\[(?:advisory|mandatory|remediate|disabled)\] /gm)?.length ?? 0,
    }),
  };
}

/** A scratch Pulumi project: the repository's, with a generated dev stack beside it. */
export interface GeneratedProject {
  readonly directory: string;
  remove(): void;
}

/**
 * Writes the repository's `Pulumi.yaml` into a scratch directory, pointing at the repository's
 * program, with a `Pulumi.dev.yaml` that is the committed dev stack's with `apps` generated
 * apps in place of its own.
 */
export function writeGeneratedProject(apps: number): GeneratedProject {
  const project = readProject(path.join(repositoryRoot, "Pulumi.yaml"));
  const projectDocument = YAML.parseDocument(fs.readFileSync(project.file, "utf8"));
  projectDocument.set("main", project.main);
  projectDocument.set("stackConfigDir", ".");

  const devFile = path.join(project.stackConfigDir, "Pulumi.dev.yaml");
  const stack = YAML.parseDocument(fs.readFileSync(devFile, "utf8"));
  const appsKey = ["config", `${project.name}:apps`];
  if (!stack.hasIn(appsKey)) {
    throw new Error(`${devFile} has no ${appsKey.join(".")}: the bench replaces it`);
  }
  stack.setIn(appsKey, stack.createNode(benchApps(apps)));
  // `managed` scanning names every high-risk repository in one continuous-scan rule, at most
  // 100 (ECR's limit), and a third of the generated apps are high-risk: the stack leaves
  // scanning alone, and the pack reports each high-risk repository (advisory).
  stack.deleteIn(["config", `${project.name}:registryScanning`]);

  const directory = fs.mkdtempSync(path.join(os.tmpdir(), "td-bench-plan-"));
  fs.writeFileSync(path.join(directory, "Pulumi.yaml"), projectDocument.toString());
  fs.writeFileSync(path.join(directory, "Pulumi.dev.yaml"), stack.toString());
  return { directory, remove: () => fs.rmSync(directory, { recursive: true, force: true }) };
}

/** The environment of `npm run`, without what would make the CLI move to npm's directory. */
export function planEnvironment(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => !["npm_lifecycle_event", "INIT_CWD"].includes(name),
    ),
  );
}

interface PlanRun {
  readonly milliseconds: number;
  readonly output: PlanOutput;
}

/**
 * Runs `ts-node --transpile-only cli/main.ts plan <stack> --cwd <project>` in the repository,
 * as `npm run plan` does, with the pack or `--skip-policy`, and checks that it printed the
 * plan (and the pack's report). Exit code 1 is accepted with a report that has mandatory
 * violations: that is the pack's verdict, printed in full.
 */
async function planOnce(
  project: string,
  stack: string,
  withPack: boolean,
  packDir: string | undefined,
): Promise<PlanRun> {
  const options = withPack
    ? packDir === undefined
      ? []
      : ["--policy-pack", packDir]
    : ["--skip-policy"];
  const args = [tsNodeBin(), ...planScript, stack, "--cwd", project, ...options];
  const run: TimedNodeRun = await timeNode(args, { cwd: repositoryRoot, env: planEnvironment() });
  const refused = run.status === 1 && withPack && /mandatory violations?:/.test(run.stdout);
  if (run.status !== 0 && !refused) {
    throw new Error(
      `plan ${stack} --cwd ${project} ${options.join(" ")} failed (exit code ${run.status}):\n${run.stderr}${run.stdout.slice(-2000)}`,
    );
  }
  const output = readPlanOutput(run.stdout);
  if (withPack && output.violations === undefined) {
    throw new Error(`plan ${stack} --cwd ${project} printed no policy report:\n${run.stderr}`);
  }
  return { milliseconds: run.outputMilliseconds, output };
}

export function tsNodeBin(): string {
  return require.resolve("ts-node/dist/bin.js", { paths: [repositoryRoot] });
}

/** Plans one stack `repetitions` times without and with the pack, alternating which goes first. */
async function measureStack(
  label: string,
  project: string,
  generated: boolean,
  repetitions: number,
  packDir: string | undefined,
  progress: (message: string) => void,
): Promise<PlanStackFigures> {
  const stack = "dev";
  const programOnly: PlanRun[] = [];
  const withPack: PlanRun[] = [];
  for (let repetition = 1; repetition <= repetitions; repetition++) {
    progress(`offline plan: ${label}, run ${repetition} of ${repetitions}`);
    // Alternate which goes first, so a drift in the machine's speed weighs on both alike.
    if (repetition % 2 === 1) {
      programOnly.push(await planOnce(project, stack, false, packDir));
      withPack.push(await planOnce(project, stack, true, packDir));
    } else {
      withPack.push(await planOnce(project, stack, true, packDir));
      programOnly.push(await planOnce(project, stack, false, packDir));
    }
  }
  const programOnlyMilliseconds = round(median(programOnly.map((r) => r.milliseconds)), 0);
  const withPackMilliseconds = round(median(withPack.map((r) => r.milliseconds)), 0);
  return {
    stack,
    generated,
    apps: withPack[0].output.apps,
    resources: withPack[0].output.resources,
    violations: withPack[0].output.violations ?? 0,
    repetitions,
    programOnlyMilliseconds,
    withPackMilliseconds,
    ratio: ratio(withPackMilliseconds, programOnlyMilliseconds),
  };
}

/**
 * The offline plan end to end, each run in a fresh process as a user starts it: the committed
 * dev stack, then the dev stack's settings with `generatedApps` apps in a scratch project,
 * each without and with the repository's policy pack. A warm-up of each comes first, so that
 * the measured runs find the file system's cache (and any compiled-pack cache) warm.
 */
export async function measureOfflinePlan(
  sizes: OfflinePlanSizes,
  progress: (message: string) => void,
): Promise<OfflinePlanResults> {
  progress("offline plan: warm-up, the dev stack without and with the pack");
  await planOnce(repositoryRoot, "dev", false, undefined);
  await planOnce(repositoryRoot, "dev", true, undefined);
  const dev = await measureStack(
    "dev stack",
    repositoryRoot,
    false,
    sizes.devRepetitions,
    undefined,
    progress,
  );

  const project = writeGeneratedProject(sizes.generatedApps);
  try {
    const generated = await measureStack(
      `dev stack with ${sizes.generatedApps} generated apps`,
      project.directory,
      true,
      sizes.generatedRepetitions,
      path.join(repositoryRoot, "policy-pack"),
      progress,
    );
    return {
      command: `ts-node ${planScript.join(" ")} dev --cwd <project> [--skip-policy]`,
      dev,
      generated,
    };
  } finally {
    project.remove();
  }
}
