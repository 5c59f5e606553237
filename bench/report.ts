import { AuditResults, AuditScenarioResult } from "./auditAtScale";
import { ChainStep, PipelineCriticalPath } from "./deploymentGraph";
import { formatGrowthOrder } from "./growthOrder";
import { PipelineVariant } from "./workload";
import { analyzeTurn, PackFailure, PackThroughput, startRepetitions } from "./policyThroughput";
import { BenchResults } from "./results";
import { PlanStackFigures } from "./offlinePlan";
import {
  planAtScaleMemoryTargetBytes,
  PlanAtScaleResults,
  planAtScaleTargetApps,
  reportedPlan,
} from "./planAtScale";
import { ratio } from "./stats";
import { TargetOutcome } from "./targets";
import { documentKinds } from "./worstCase";
import {
  Timing,
  WorstCaseFamilyResult,
  WorstCaseResults,
  worstCaseTargets,
} from "./worstCaseMeasure";

export const readmeStart = "<!-- bench:start (written by npm run bench -- --readme) -->";
export const readmeEnd = "<!-- bench:end -->";

/**
 * README.md with the lines between its bench markers replaced by `body`; everything else,
 * the markers included, is kept byte for byte. Throws when the markers are missing, repeated
 * or out of order.
 */
export function replaceReadmeRegion(readme: string, body: string): string {
  const lines = readme.split("\n");
  const starts = lines.flatMap((line, index) => (line.trim() === readmeStart ? [index] : []));
  const ends = lines.flatMap((line, index) => (line.trim() === readmeEnd ? [index] : []));
  if (starts.length !== 1 || ends.length !== 1 || ends[0] < starts[0]) {
    throw new Error(
      `README.md must hold one line "${readmeStart}" and, after it, one line "${readmeEnd}" (found ${starts.length} and ${ends.length})`,
    );
  }
  const content = body === "" ? [] : body.replace(/\n+$/, "").split("\n");
  return [...lines.slice(0, starts[0] + 1), ...content, ...lines.slice(ends[0])].join("\n");
}

/** `1,234`. */
export function formatCount(value: number): string {
  return value.toLocaleString("en-US");
}

/** Milliseconds, with the precision a reader can use: `0.85 ms`, `24.8 ms`, `2,462 ms`. */
export function formatMilliseconds(value: number): string {
  const decimals = value < 10 ? 2 : value < 100 ? 1 : 0;
  return `${value.toLocaleString("en-US", {
    minimumFractionDigits: decimals,
    maximumFractionDigits: decimals,
  })} ms`;
}

/** Bytes as MiB with one decimal (two below 10 MiB): `0.82 MiB`, `1,430.5 MiB`. */
export function formatBytes(value: number): string {
  const mib = value / 1024 ** 2;
  const decimals = mib < 10 ? 2 : 1;
  return `${mib.toLocaleString("en-US", {
    minimumFractionDigits: decimals,
    maximumFractionDigits: decimals,
  })} MiB`;
}

/** A ratio such as `1.38×`, or `n/a` when the reference was zero. */
export function formatRatio(value: number | undefined): string {
  return value === undefined ? "n/a" : `${value.toFixed(2)}×`;
}

/** A resource type as a chain shows it: `Repository`, `github provider`. */
export function typeLabel(type: string): string {
  const provider = /^pulumi:providers:(.+)$/.exec(type);
  return provider ? `${provider[1]} provider` : type.slice(type.lastIndexOf(":") + 1);
}

function chainText(chain: readonly ChainStep[]): string {
  return chain.map((step) => typeLabel(step.type)).join(" → ");
}

function table(header: readonly string[], align: string, rows: readonly string[][]): string[] {
  return [
    `| ${header.join(" | ")} |`,
    `|${align
      .split("")
      .map((a) => (a === "r" ? " ---: " : " --- "))
      .join("|")}|`,
    ...rows.map((row) => `| ${row.join(" | ")} |`),
  ];
}

const variantLabels: Readonly<Record<PipelineVariant, string>> = {
  default: "default (branch `main`)",
  environments: 'GitHub environment (`environments: ["prod"]`, stack `prod`)',
  commitWorkflow: "`commitWorkflow: true`",
};

function programCostSection(results: BenchResults): string[] {
  const { sizes, scaling } = results.programCost;
  const lines = [
    "**Program cost**: constructing the platform program (the built package, as shipped) under Pulumi's mocks, from setting the mocks to the last registration; heap held once every resource is constructed, after a forced GC. Each run in a fresh process, after a one-app warm-up; median of the runs. Reference: as many bare `aws.ecr.Repository` resources under the same mocks (the Pulumi runtime's floor per resource).",
    "",
    ...table(
      [
        "Apps",
        "Resources",
        "Runs",
        "Time",
        "Per app",
        "Reference time",
        "Time ratio",
        "Heap",
        "Reference heap",
        "Heap ratio",
      ],
      "rrrrrrrrrr",
      sizes.map((s) => [
        formatCount(s.apps),
        formatCount(s.resources),
        String(s.repetitions),
        formatMilliseconds(s.platform.milliseconds),
        formatMilliseconds(s.platform.perAppMilliseconds),
        formatMilliseconds(s.reference.milliseconds),
        formatRatio(s.ratio.time),
        formatBytes(s.platform.heapBytes),
        formatBytes(s.reference.heapBytes),
        formatRatio(s.ratio.heap),
      ]),
    ),
  ];
  if (scaling) {
    lines.push(
      "",
      `Scaling: per-app time at ${formatCount(scaling.toApps)} apps is ${formatRatio(scaling.perAppTime)} the per-app time at ${formatCount(scaling.fromApps)} (1.00× would be linear); for the reference, per resource: ${formatRatio(scaling.referencePerResourceTime)}.`,
    );
  }
  return lines;
}

function pipelineRow(p: PipelineCriticalPath): string[] {
  return [
    variantLabels[p.variant],
    String(p.customResources),
    String(p.criticalPath),
    formatRatio(p.ratio),
    chainText(p.chain),
    `${p.fromEmptyStack}: ${chainText(p.fromEmptyStackChain)}`,
  ];
}

function criticalPathSection(results: BenchResults): string[] {
  const { pipelines, stack } = results.deploymentGraph;
  return [
    "**Deployment critical path**: the longest chain of custom resources that wait for one another (`dependencies` and `propertyDependencies` as registered; a component stands for its children), which bounds `pulumi up` however many run in parallel. Reference: the pipeline's custom resources, the steps of a fully serial deployment; ratio = critical path / resources.",
    "",
    ...table(
      [
        "Pipeline",
        "Resources",
        "Critical path",
        "Ratio",
        "Longest chain",
        "From an empty stack (with the shared OIDC and GitHub providers)",
      ],
      "lrrrll",
      [
        ...pipelines.map(pipelineRow),
        [
          `whole stack, ${formatCount(stack.apps)} default apps`,
          formatCount(stack.customResources),
          String(stack.criticalPath),
          formatRatio(stack.ratio),
          chainText(stack.chain),
          "",
        ],
      ],
    ),
  ];
}

function packRow(label: string, pack: PackThroughput | PackFailure): string[] {
  if ("error" in pack) {
    return [label, `did not run: ${pack.error.split("\n")[0]}`, "", "", "", "", "", ""];
  }
  return [
    label,
    `${pack.policies - pack.stackPolicies} + ${pack.stackPolicies}`,
    formatCount(pack.analyze.resources),
    formatCount(pack.analyze.resourcesPerSecond),
    formatCount(pack.analyzeStack.resources),
    formatCount(pack.analyzeStack.resourcesPerSecond),
    `${pack.analyze.diagnostics} + ${pack.analyzeStack.diagnostics}`,
    pack.peakRssBytes === undefined ? "n/a" : formatBytes(pack.peakRssBytes),
  ];
}

function policySection(results: BenchResults): string[] {
  const p = results.policyThroughput;
  const awsguardVersion = results.environment.awsguard;
  return [
    `**Policy throughput**: each pack started as the Pulumi CLI starts it and driven over the Analyzer gRPC protocol, on the platform stack with ${formatCount(p.apps)} apps: \`Analyze\` once per custom resource (inputs, one call after another), \`AnalyzeStack\` once with every resource (outputs, median of ${p.analyzeStackRepetitions}), after a warm-up. The packs (ours, awsguard, the floor) take turns, one call in flight at a time: \`Analyze\` ${analyzeTurn} resources each, then the next pack; \`AnalyzeStack\` one call each; the order turning at each round, so that a drift in the machine's speed weighs on all alike. Start: from spawning the pack to its answer to \`GetAnalyzerInfo\`, median of ${startRepetitions} starts, taken in turn as well. Peak memory: the pack process's peak resident set (\`VmHWM\` in \`/proc/<pid>/status\`) once the last call is answered, start-up and warm-up included. Reference: \`@pulumi/awsguard\` ${awsguardVersion} (\`new AwsGuard({ all: "advisory" })\`) on the same resources in the same run; for throughput a ratio above 1 is faster than awsguard, for memory a ratio below 1 is leaner.`,
    "",
    ...table(
      [
        "Pack",
        "Policies (resource + stack)",
        "Analyze: resources",
        "Analyze: resources/s",
        "AnalyzeStack: resources",
        "AnalyzeStack: resources/s",
        "Diagnostics (Analyze + AnalyzeStack)",
        "Peak memory",
      ],
      "lrrrrrrr",
      [
        packRow(`ours (\`${p.ours.pack}\`)`, p.ours),
        packRow(`awsguard ${awsguardVersion}`, p.awsguard),
        ...(p.floor
          ? [packRow("protocol floor (policies that apply to nothing here)", p.floor)]
          : []),
        [
          "ratio ours / awsguard",
          "",
          "",
          formatRatio(p.ratio.analyze),
          "",
          formatRatio(p.ratio.analyzeStack),
          "",
          formatRatio(p.ratio.peakRss),
        ],
      ],
    ),
    "",
    `awsguard check: ${p.awsguardCheck}.`,
    ...(p.floor ? ["", floorNote(p)] : []),
  ];
}

/** What the floor shows: how much of each pack's time is the protocol's own. */
function floorNote(p: BenchResults["policyThroughput"]): string {
  const floor = p.floor!;
  const share = (pack: PackThroughput | PackFailure, call: "analyze" | "analyzeStack") =>
    "error" in pack
      ? "n/a"
      : formatRatio(ratio(pack[call].resourcesPerSecond, floor[call].resourcesPerSecond));
  const ceiling = (call: "analyze" | "analyzeStack") =>
    "error" in p.awsguard
      ? "n/a"
      : formatRatio(ratio(floor[call].resourcesPerSecond, p.awsguard[call].resourcesPerSecond));
  return `Protocol floor: a pack whose two policies apply to no resource of this stack, so the SDK skips them by type, as it skips awsguard's two stack policies (ACM certificates, IAM access keys): what remains is the call itself, the SDK's decoding and the answer. Against the floor's resources/s, ours runs at ${share(p.ours, "analyze")} on \`Analyze\` and ${share(p.ours, "analyzeStack")} on \`AnalyzeStack\`, awsguard at ${share(p.awsguard, "analyze")} and ${share(p.awsguard, "analyzeStack")}. No pack that judges every resource passes the floor, so ours over awsguard is at most ${ceiling("analyze")} on \`Analyze\` and ${ceiling("analyzeStack")} on \`AnalyzeStack\` in this run.`;
}

function planRow(label: string, stack: PlanStackFigures): string[] {
  return [
    label,
    formatCount(stack.apps),
    formatCount(stack.resources),
    String(stack.repetitions),
    formatMilliseconds(stack.programOnlyMilliseconds),
    formatMilliseconds(stack.withPackMilliseconds),
    formatMilliseconds(stack.withPackMilliseconds - stack.programOnlyMilliseconds),
    formatRatio(stack.ratio),
    formatCount(stack.violations),
  ];
}

function offlinePlanSection(results: BenchResults): string[] {
  const { command, dev, generated } = results.offlinePlan;
  return [
    `**Offline plan, end to end**: \`trusted-delivery plan dev\` as \`npm run plan -- dev\` runs it (\`${command}\`, in the repository, on its sources; npm's own start-up left out), each run in a fresh process, timed from the process's start (Node, ts-node and every module loading) to its last line printed. Program alone: \`--skip-policy\`, to the plan printed (the program under Pulumi's mocks). With the policy pack: the same, with the repository's pack started as the Pulumi CLI starts it when the command begins (its start-up overlapping the program's loading and run), \`Analyze\` on every custom resource as its registration completes and \`AnalyzeStack\` once the program is done, to its report printed. The dev stack is the committed \`programs/platform/Pulumi.dev.yaml\`; the generated one its settings with ${formatCount(generated.apps)} generated apps in a scratch project (without \`registryScanning: managed\`, which can name at most 100 high-risk repositories: the pack reports, advisory, each high-risk one not scanned continuously). After a warm-up of each on the dev stack, so that every measured run finds the caches warm (the file system's, and any compiled pack); median of the runs. Reference: the program alone in the same run; ratio = with the pack / program alone.`,
    "",
    ...table(
      [
        "Stack",
        "Apps",
        "Resources",
        "Runs",
        "Program alone",
        "With the policy pack",
        "The pack's part",
        "Ratio",
        "Violations reported",
      ],
      "lrrrrrrrr",
      [
        planRow("`dev` (committed)", dev),
        planRow(`\`dev\` with ${formatCount(generated.apps)} generated apps`, generated),
      ],
    ),
  ];
}

/** `4.5 GB (4,291.5 MiB)`: a reference in the units it was given in, beside the tables' own. */
function formatGigabytes(bytes: number): string {
  return `${(bytes / 1e9).toLocaleString("en-US", { maximumFractionDigits: 2 })} GB (${formatBytes(bytes)})`;
}

/** `9 min 00 s (540,000 ms)`. */
function formatMinutes(milliseconds: number): string {
  const seconds = Math.round(milliseconds / 1000);
  return `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, "0")} s (${formatMilliseconds(milliseconds)})`;
}

/** The offline plan at scale: each size's time and peak memory, their growth, and the references. */
export function planAtScaleSection(p: PlanAtScaleResults): string[] {
  const largest = p.sizes.find((s) => s.apps === planAtScaleTargetApps);
  const growth = p.growth.map(
    (g) =>
      `from ${formatCount(g.fromApps)} to ${formatCount(g.toApps)} apps, ${formatBytes(g.peakBytesPerApp)} and ${formatMilliseconds(g.millisecondsPerApp)} per app added`,
  );
  return [
    `**Offline plan at scale** (issue 21): \`trusted-delivery plan dev\` with the repository's policy pack, as \`npm run plan\` runs it (\`${p.command}\`), on the dev stack's settings with generated apps (as in the table above), each size once in a fresh process, timed from its start to its exit. Peak memory: the plan's process's peak resident set (\`ru_maxrss\`, read by the process as it exits: the program's thread and the policy session's worker), and the pack's process's apart (\`VmHWM\` of \`/proc/<pid>/status\`, read every 250 ms). References: what was reported before the work on issue 21 (${formatCount(reportedPlan.apps)} apps: ${formatMinutes(reportedPlan.milliseconds)}, ${formatGigabytes(reportedPlan.peakRssBytes)} at its peak), and the target (${formatCount(planAtScaleTargetApps)} apps within ${formatGigabytes(planAtScaleMemoryTargetBytes)}).`,
    "",
    ...table(
      [
        "Apps",
        "Resources",
        "Violations reported",
        "Time",
        "Per app",
        "Peak memory (plan)",
        "Per app",
        "Peak memory (pack)",
      ],
      "rrrrrrrr",
      [
        ...p.sizes.map((s) => [
          formatCount(s.apps),
          formatCount(s.resources),
          formatCount(s.violations),
          formatMilliseconds(s.milliseconds),
          formatMilliseconds(s.perAppMilliseconds),
          formatBytes(s.peakRssBytes),
          formatBytes(s.peakRssBytes / s.apps),
          s.packPeakRssBytes === undefined ? "n/a" : formatBytes(s.packPeakRssBytes),
        ]),
        [
          `reported before (${formatCount(reportedPlan.apps)} apps)`,
          "",
          "",
          formatMilliseconds(reportedPlan.milliseconds),
          formatMilliseconds(reportedPlan.milliseconds / reportedPlan.apps),
          formatBytes(reportedPlan.peakRssBytes),
          formatBytes(reportedPlan.peakRssBytes / reportedPlan.apps),
          "",
        ],
      ],
    ),
    "",
    `Growth: ${growth.join("; ") || "one size only"}${p.memoryGrowthRatio === undefined && p.timeGrowthRatio === undefined ? "" : `; the last step over the first, ${formatRatio(p.memoryGrowthRatio)} for memory and ${formatRatio(p.timeGrowthRatio)} for time (1.00× is linear)`}.`,
    ...(largest === undefined
      ? []
      : [
          "",
          `At ${formatCount(largest.apps)} apps: peak memory ${formatBytes(largest.peakRssBytes)}, against the target ${formatGigabytes(planAtScaleMemoryTargetBytes)} (${formatRatio(ratio(largest.peakRssBytes, planAtScaleMemoryTargetBytes))}) and ${formatGigabytes(reportedPlan.peakRssBytes)} reported before (${formatRatio(ratio(largest.peakRssBytes, reportedPlan.peakRssBytes))}); time ${formatMinutes(largest.milliseconds)}, against ${formatMinutes(reportedPlan.milliseconds)} reported before (${formatRatio(ratio(largest.milliseconds, reportedPlan.milliseconds))}).`,
        ]),
  ];
}

function startupSection(results: BenchResults): string[] {
  const s = results.startup;
  return [
    `**Start-up**: \`require\` of the built package's entry in a fresh \`node\` process, median of ${s.repetitions}. Reference: \`@pulumi/aws\` alone, in the same way.`,
    "",
    ...table(["Module", "require", "Ratio"], "lrr", [
      [
        `\`${s.package.module}\` (built: \`dist/components/index.js\`)`,
        formatMilliseconds(s.package.milliseconds),
        formatRatio(s.ratio),
      ],
      [
        `\`${s.reference.module}\` (reference)`,
        formatMilliseconds(s.reference.milliseconds),
        "1.00×",
      ],
    ]),
  ];
}

/** A time measured, or `over 20,000 ms` for a call past its deadline; bold past `limit`. */
export function formatTiming(timing: Timing | undefined, limit?: number): string {
  if (timing === undefined) {
    return "—";
  }
  const text =
    timing.milliseconds !== undefined
      ? formatMilliseconds(timing.milliseconds)
      : `over ${formatMilliseconds(timing.overMilliseconds!)}`;
  const past = timing.milliseconds === undefined || timing.milliseconds > (limit ?? Infinity);
  return limit !== undefined && past ? `**${text}**` : text;
}

function worstCaseRow(f: WorstCaseFamilyResult): string[] {
  const sizes = f.sizes.map((s) => `${formatCount(s.n)} (${formatCount(s.characters)})`);
  const times = [
    ...f.sizes.map((s) => (s.error !== undefined ? `failed: ${s.error}` : formatTiming(s))),
    ...(f.skipped ? [`not measured: ${f.skipped.reason}`] : []),
  ];
  const skipped = f.skipped
    ? [
        `not measured: ${f.skipped.sizes.map((s) => `${formatCount(s.n)} (${formatCount(s.characters)})`).join(", ")}`,
      ]
    : [];
  return [
    `${f.title} (n: ${f.unit})`,
    `${documentKinds[f.kind].label} (\`${f.call}\`, ${formatCount(f.limitCharacters)})`,
    [...sizes, ...skipped].join(", "),
    times.join(", "),
    f.worst === undefined
      ? "—"
      : `${formatTiming(f.worst, worstCaseTargets.worstMilliseconds)} at n = ${formatCount(f.worst.n)}`,
    formatTiming(f.median, worstCaseTargets.medianMilliseconds),
    formatGrowthOrder(f.growth),
  ];
}

/** The worst-case table: one call's time as each family of documents grows to its limit. */
export function worstCaseSection(w: WorstCaseResults): string[] {
  const { plan } = w;
  const limits = Object.values(documentKinds)
    .map((kind) => `${kind.plural} ${formatCount(kind.limitCharacters)}`)
    .join(", ");
  const worstFamily = w.families.find((f) => f.id === w.worst?.family);
  const pack = w.pack === "policy-pack" ? "the repository's pack" : `the pack in \`${w.pack}\``;
  return [
    `**Worst case: one \`Analyze\` call as a document grows**: families of short, valid IAM documents (JSON that IAM accepts), each growing one feature that makes deciding what IAM allows a search over string languages (overlapping wildcards, conditions that must hold at once, Denies that carve holes), from n = 1 to the largest n within AWS's size limit for its kind, counted as IAM counts it (the JSON without whitespace): ${limits} characters; each size about ${plan.ladderFactor.toFixed(2)} times the last. Each size is one call at a time over the Analyzer gRPC protocol to ${pack}, started as the Pulumi CLI starts it and warmed up on every family's smallest document: \`Analyze\` on the role or the repository policy, \`AnalyzeStack\` on a GitHub-trusted role with the policy attached or inline; each call on a fresh spelling of the document (its words in other letters: the same size and difficulty), so that no cache of an earlier call answers for it; the median of ${plan.repetitions.calls} calls where the first took less than ${formatMilliseconds(plan.repetitions.belowMilliseconds)}, that one call otherwise. A call unanswered by its deadline (${formatMilliseconds(plan.deadlineMilliseconds)}, less when its family's share of the table's ${plan.budgetSeconds} s is nearly spent) is recorded as over it, the pack is restarted, and the family's larger sizes are not measured. Growth order: from the last sizes whose times are at least twice the family's smallest and 20 ms above it, the log-log slope of the time above that smallest (n^1 linear, n^2 quadratic) or, where it fits better or is past n^4, a constant factor per unit added (exponential); irregular where the time falls by more than a third as n grows, a plateau where it rose and then stopped growing; see \`bench/growthOrder.ts\`. Reference: the targets, every document decided within ${formatMilliseconds(worstCaseTargets.worstMilliseconds)} and the median within ${formatMilliseconds(worstCaseTargets.medianMilliseconds)}; figures past them in bold.`,
    "",
    ...table(
      [
        "Family (n: what grows)",
        "Document (call, limit in characters)",
        "Sizes measured: n (characters)",
        "Time at each n",
        `Worst (target ≤ ${formatMilliseconds(worstCaseTargets.worstMilliseconds)})`,
        `Median (target ≤ ${formatMilliseconds(worstCaseTargets.medianMilliseconds)})`,
        "Growth order",
      ],
      "llllrrl",
      w.families.map(worstCaseRow),
    ),
    "",
    `Worst of every family: ${formatTiming(w.worst, worstCaseTargets.worstMilliseconds)}${w.worst && worstFamily ? ` (${worstFamily.title} at n = ${formatCount(w.worst.n)}, ${formatCount(w.worst.characters)} characters)` : ""}, against ${formatMilliseconds(worstCaseTargets.worstMilliseconds)}; median of the ${formatCount(w.documents + w.skippedSizes)} sizes (${formatCount(w.skippedSizes)} not measured, counted as slower): ${w.median === undefined ? "unknown" : formatTiming(w.median, worstCaseTargets.medianMilliseconds)}, against ${formatMilliseconds(worstCaseTargets.medianMilliseconds)}. The pack started in ${formatMilliseconds(w.startMilliseconds)} and was restarted ${w.restarts} time${w.restarts === 1 ? "" : "s"} after a deadline.`,
  ];
}

function formatTarget(value: number, unit: TargetOutcome["unit"]): string {
  return unit === "milliseconds"
    ? formatMilliseconds(value)
    : unit === "bytes"
      ? formatBytes(value)
      : unit === "count"
        ? formatCount(value)
        : formatRatio(value);
}

/** `one account × 1 region (eu-west-2): 1,000 repositories, 500 roles (100 GitHub's)`. */
function auditScenarioLabel(s: AuditScenarioResult): string {
  const accounts =
    s.id === "organization"
      ? `organisation of ${s.accounts} accounts (the management account's read as the caller)`
      : "one account";
  return `${accounts} × ${s.regions.length} region${s.regions.length === 1 ? "" : "s"} (${s.regions.join(", ")}): ${formatCount(s.repositories)} repositories, ${formatCount(s.roles)} roles (${formatCount(s.githubRoles)} GitHub's)`;
}

/** A measured count beside the model's: bold where they differ. */
function countCell(value: number, model: number): string {
  return value === model ? formatCount(value) : `**${formatCount(value)}**`;
}

/** `12.3 s` or `2 h 05 min (7,500 s)`. */
function formatSeconds(seconds: number): string {
  if (seconds < 600) {
    return `${seconds.toLocaleString("en-US", { maximumFractionDigits: 1 })} s`;
  }
  const minutes = Math.round(seconds / 60);
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")} min (${formatCount(Math.round(seconds))} s)`;
}

/** The audit at scale: each scenario's calls per API and times, then the model at internet scale. */
export function auditSection(a: AuditResults): string[] {
  const lines: string[] = [
    `**Audit at scale**: \`trusted-delivery audit\` (the built CLI, \`-f json\`, \`--concurrency ${a.concurrency}\`, the given \`--region\`s) on estates seeded into moto, each run in a fresh process through a counting proxy, with no SDK retries (\`AWS_MAX_ATTEMPTS=1\`), timed from its spawn to its exit. References: the fewest calls its reader can send, per API (\`bench/auditModel.ts\`, each term derived from the readers' code and page sizes), and a reference reader (\`bench/auditReference.ts\`: the AWS SDK v3 clients sending exactly those calls at the same concurrency, doing nothing with the answers), run interleaved with ours; median of the runs. Counts that differ from the model's are in bold.`,
  ];
  for (const s of a.scenarios) {
    lines.push(
      "",
      `${auditScenarioLabel(s)}; seeded in ${formatMilliseconds(s.seedMilliseconds)}; the CLI exited ${s.exitCode}.`,
      "",
      ...table(["API", "Calls (ours)", "Minimum (model)", "Reference reader"], "lrrr", [
        ...s.calls
          .filter((c) => c.measured + c.model + c.reference > 0)
          .map((c) => [
            `\`${c.api}\``,
            countCell(c.measured, c.model),
            formatCount(c.model),
            countCell(c.reference, c.model),
          ]),
        [
          "total",
          countCell(s.measuredTotal, s.modelTotal),
          formatCount(s.modelTotal),
          countCell(s.referenceTotal, s.modelTotal),
        ],
      ]),
      "",
      ...table(
        ["Runs", "Ours (median)", "Reference (median)", "Time ratio", "Calls over the minimum"],
        "rrrrr",
        [
          [
            String(s.runs),
            `${formatMilliseconds(s.oursMedianMilliseconds)} (${s.oursMilliseconds.map(formatMilliseconds).join(", ")})`,
            `${formatMilliseconds(s.referenceMedianMilliseconds)} (${s.referenceMilliseconds.map(formatMilliseconds).join(", ")})`,
            formatRatio(s.timeRatio),
            formatRatio(s.callRatio),
          ],
        ],
      ),
      ...(s.mismatches.length === 0
        ? []
        : ["", `Differences from the model: ${s.mismatches.join("; ")}.`]),
    );
  }
  const i = a.internetScale;
  const sc = i.scale;
  lines.push(
    "",
    `**Audit at internet scale, on paper**: the model (\`bench/auditModel.ts\`, checked call for call against the runs above) for \`audit --organization\` without \`--region\` over ${formatCount(sc.accounts)} accounts × ${sc.regions} enabled regions, each region with ${sc.repositoriesPerRegion} repositories and each account ${sc.roles} roles of which ${sc.githubRoles} GitHub's (${sc.inlinePoliciesPerGithubRole} inline policy and ${sc.attachedPoliciesPerGithubRole} attached each, ${sc.customerManagedPolicies} customer managed policies), ${sc.oidcProviders} OIDC provider; the caller's account among them.`,
    "",
    ...table(["API", "Calls"], "lr", [
      ...Object.entries(i.perApi)
        .filter(([, calls]) => calls > 0)
        .map(([api, calls]) => [`\`${api}\``, formatCount(calls)]),
      ["total", formatCount(i.total)],
    ]),
    "",
    `Least wall time: ${formatSeconds(i.bound.seconds)}, bound by ${i.bound.boundBy}: ${formatCount(i.total)} calls × ${sc.latencyMilliseconds} ms (an assumed round trip) / ${sc.concurrency} in flight = ${formatSeconds(i.bound.latencySeconds)}; the busiest rate-limited bucket, ${i.bound.busiest.bucket} at ${i.bound.busiest.place}, takes ${formatCount(i.bound.busiest.calls)} calls / its rate = ${formatSeconds(i.bound.busiest.seconds)}. At those rates the accounts' buckets refill in parallel, so the bound is the latency's unless concurrency rises past about ${formatCount(Math.floor((i.total * sc.latencyMilliseconds) / 1000 / Math.max(i.bound.busiest.seconds, 1e-9)))} requests in flight.`,
    "",
    ...table(
      ["Rate", "Requests/s", "Shared by", "Source", "Assumed because"],
      "lrlll",
      i.rates.map((r) => [
        `${r.name}`,
        formatCount(r.perSecond),
        r.shared,
        r.source,
        r.assumed ?? "documented",
      ]),
    ),
  );
  return lines;
}

function targetRow(t: TargetOutcome): string[] {
  return [
    t.target,
    `${t.bound === "atLeast" ? "≥" : "≤"} ${formatTarget(t.limit, t.unit)}`,
    t.measured === undefined
      ? "—"
      : `${t.lowerBound ? "over " : ""}${formatTarget(t.measured, t.unit)}`,
    t.basis,
    t.status === "not met" ? "**not met**" : t.status,
  ];
}

/** The targets table: each target, its limit, the figure measured and whether it was met. */
export function targetsSection(targets: readonly TargetOutcome[]): string[] {
  const met = targets.filter((t) => t.status === "met").length;
  return [
    `**Targets** (issues #15 and 23, issue 21's plan at scale, the worst case's and the audit's): each figure from the tables above against its limit, the limit included; ${met} of ${targets.length} met in this run.`,
    "",
    ...table(["Target", "Limit", "Measured", "From", "Status"], "lrrll", targets.map(targetRow)),
  ];
}

/** The results as markdown: how to reproduce them, then one table per measurement. */
export function markdownReport(results: BenchResults): string {
  const e = results.environment;
  return [
    `Measured ${results.date.slice(0, 10)} on ${e.cpu} (${e.cpus} cores, ${e.memoryGiB} GiB), Node ${e.node}, @pulumi/pulumi ${e.pulumi}, @pulumi/aws ${e.pulumiAws}, @pulumi/github ${e.pulumiGithub}${results.quick ? ", with --quick sizes" : ""}. Reproduce with \`npm run bench -- --readme\` (${Math.round(results.durationSeconds / 60)} min here).`,
    "",
    ...programCostSection(results),
    "",
    ...criticalPathSection(results),
    "",
    ...policySection(results),
    "",
    ...worstCaseSection(results.worstCase),
    "",
    ...offlinePlanSection(results),
    "",
    ...planAtScaleSection(results.planAtScale),
    "",
    ...startupSection(results),
    "",
    ...(results.audit === undefined ? [] : [...auditSection(results.audit), ""]),
    ...targetsSection(results.targets),
  ].join("\n");
}

/** The audit at scale alone (`--only audit`), with its targets. */
export function auditReport(
  audit: AuditResults,
  targets: readonly TargetOutcome[],
  environment: BenchResults["environment"],
  date: string,
  quick: boolean,
): string {
  return [
    `Measured ${date.slice(0, 10)} on ${environment.cpu} (${environment.cpus} cores, ${environment.memoryGiB} GiB), Node ${environment.node}: the audit at scale alone (\`npm run bench -- ${quick ? "--quick " : ""}--only audit\`).`,
    "",
    ...auditSection(audit),
    "",
    ...targetsSection(targets),
  ].join("\n");
}

/** The offline plan at scale alone (`--only plan-at-scale`), with its targets. */
export function planAtScaleReport(
  planAtScale: PlanAtScaleResults,
  targets: readonly TargetOutcome[],
  environment: BenchResults["environment"],
  date: string,
): string {
  return [
    `Measured ${date.slice(0, 10)} on ${environment.cpu} (${environment.cpus} cores, ${environment.memoryGiB} GiB), Node ${environment.node}: the offline plan at scale alone (\`npm run bench -- --only plan-at-scale\`).`,
    "",
    ...planAtScaleSection(planAtScale),
    "",
    ...targetsSection(targets),
  ].join("\n");
}

/** The worst-case table alone (`--only worst-case`), with its targets. */
export function worstCaseReport(
  worstCase: WorstCaseResults,
  targets: readonly TargetOutcome[],
  environment: BenchResults["environment"],
  date: string,
  quick: boolean,
): string {
  const command = [
    "npm run bench --",
    ...(quick ? ["--quick"] : []),
    "--only worst-case",
    ...(worstCase.pack === "policy-pack" ? [] : [`--pack ${worstCase.pack}`]),
  ].join(" ");
  return [
    `Measured ${date.slice(0, 10)} on ${environment.cpu} (${environment.cpus} cores, ${environment.memoryGiB} GiB), Node ${environment.node}: the worst-case table alone (\`${command}\`).`,
    "",
    ...worstCaseSection(worstCase),
    "",
    ...targetsSection(targets),
  ].join("\n");
}
