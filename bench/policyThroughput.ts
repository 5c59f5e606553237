import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { RegisteredResource } from "../cli/preview/capture";
import { AnalyzerResource, PolicyPackProcess } from "../cli/policyPack/analyzerClient";
import { resolvePolicyConfig } from "../cli/policyPack/policyConfig";
import { analyzerResources } from "../cli/preview/policySession";
import type {
  RecordedPlatformStack,
  RecordPlatformStackRequest,
} from "./children/recordPlatformStack";
import { runNodeChild } from "./childProcess";
import { BuiltPackage, repositoryRoot } from "./packageBuild";
import { median, millisecondsSince, ratio, round } from "./stats";

/** One protocol call's throughput. */
export interface CallThroughput {
  /** Resources sent. */
  readonly resources: number;
  readonly milliseconds: number;
  readonly resourcesPerSecond: number;
  /** Diagnostics the pack returned for them. */
  readonly diagnostics: number;
}

export interface PackThroughput {
  readonly pack: string;
  readonly version: string;
  readonly policies: number;
  /** How many of them are stack policies (run by `AnalyzeStack`; the others by `Analyze`). */
  readonly stackPolicies: number;
  /**
   * From spawning the pack to its answer to `GetAnalyzerInfo`: the median of the measured start
   * and `startRepetitions - 1` more (one start varies by half its time on a loaded machine).
   */
  readonly startMilliseconds: number;
  /** One `Analyze` call per custom resource, one after another, with its inputs. */
  readonly analyze: CallThroughput;
  /** One `AnalyzeStack` call with every resource's outputs (median of the repetitions). */
  readonly analyzeStack: CallThroughput;
  /**
   * The pack process's peak resident memory (`VmHWM`) once every call is answered: start-up,
   * warm-up and the calls above included. Absent where `/proc` cannot be read (not Linux).
   */
  readonly peakRssBytes?: number;
}

/** How many starts each pack's start time is the median of. */
export const startRepetitions = 5;

/** From spawning the pack in `packDir` to its answer to `GetAnalyzerInfo`, then stopped. */
async function timeStart(packDir: string, nodeArguments: readonly string[]): Promise<number> {
  const started = process.hrtime.bigint();
  const pack = await PolicyPackProcess.start(packDir, { nodeArguments });
  try {
    await pack.getAnalyzerInfo();
    return millisecondsSince(started);
  } finally {
    await pack.stop();
  }
}

/** A pack that could not be measured, and why. */
export interface PackFailure {
  readonly pack: string;
  readonly error: string;
}

export interface PolicyThroughputResults {
  /** Apps in the platform stack the resources come from. */
  readonly apps: number;
  /** How many `AnalyzeStack` calls each figure is the median of. */
  readonly analyzeStackRepetitions: number;
  readonly ours: PackThroughput;
  readonly awsguard: PackThroughput | PackFailure;
  /** What showed that awsguard runs: its policies, and what it said of a probe resource. */
  readonly awsguardCheck: string;
  /**
   * The protocol's floor: a pack whose one policy of each kind applies to no resource of the
   * stack, so the SDK skips it by type (as it skips awsguard's stack policies, which judge ACM
   * certificates and IAM access keys, absent here). What is left is the gRPC call, the SDK's
   * decoding of the request and the response.
   */
  readonly floor?: PackThroughput;
  /** Ours over awsguard: resources per second (higher is faster), peak memory (lower is leaner). */
  readonly ratio: {
    readonly analyze?: number;
    readonly analyzeStack?: number;
    readonly peakRss?: number;
  };
}

/** The awsguard version this bench installs as a devDependency. */
export const awsguardVersion: string = JSON.parse(
  fs.readFileSync(path.join(repositoryRoot, "node_modules/@pulumi/awsguard/package.json"), "utf8"),
).version.replace(/^v/, "");

/**
 * A JavaScript policy pack in a scratch directory, laid out as `pulumi policy new
 * aws-javascript` lays one out, with the repository's node_modules symlinked.
 */
function writeScratchPack(
  name: string,
  description: string,
  index: string,
  dependencies: Record<string, string> = {},
): string {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), `td-bench-${name}-`));
  const manifest = { name: `${name}-bench`, version: "0.0.0", main: "index.js", dependencies };
  fs.writeFileSync(path.join(directory, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  fs.writeFileSync(
    path.join(directory, "PulumiPolicy.yaml"),
    `runtime: nodejs\ndescription: ${description}\n`,
  );
  fs.writeFileSync(path.join(directory, "index.js"), index);
  fs.symlinkSync(path.join(repositoryRoot, "node_modules"), path.join(directory, "node_modules"));
  return directory;
}

/** A policy pack of `@pulumi/awsguard` with every policy advisory. */
export function writeAwsguardPack(): string {
  return writeScratchPack(
    "awsguard",
    "AWS Guard with every policy advisory, for the bench.",
    'const { AwsGuard } = require("@pulumi/awsguard");\n\nnew AwsGuard({ all: "advisory" });\n',
    { "@pulumi/awsguard": awsguardVersion },
  );
}

/** A pack whose policies apply to no resource of the platform stack (see `floor` above). */
export function writeFloorPack(): string {
  return writeScratchPack(
    "floor",
    "Policies that apply to no resource of the platform stack.",
    [
      'const { PolicyPack, validateResourceOfType, validateStackResourcesOfType } = require("@pulumi/policy");',
      'const aws = require("@pulumi/aws");',
      'new PolicyPack("floor", {',
      "  policies: [",
      '    { name: "no-resource", description: "Applies to ACM certificates only.", enforcementLevel: "advisory",',
      "      validateResource: validateResourceOfType(aws.acm.Certificate, () => undefined) },",
      '    { name: "no-stack", description: "Applies to ACM certificates only.", enforcementLevel: "advisory",',
      "      validateStack: validateStackResourcesOfType(aws.acm.Certificate, () => undefined) },",
      "  ],",
      "});",
      "",
    ].join("\n"),
  );
}

/** An S3 bucket without logging, which awsguard's `s3-bucket-logging-enabled` flags. */
const awsguardProbe: AnalyzerResource = {
  urn: "urn:pulumi:bench::probe::aws:s3/bucket:Bucket::probe",
  type: "aws:s3/bucket:Bucket",
  name: "probe",
  properties: { bucket: "probe" },
};

/** The platform stack with `apps` apps, recorded under mocks by a child of the built package. */
export function recordPlatformStack(built: BuiltPackage, apps: number): RegisteredResource[] {
  const file = path.join(built.directory, `platform-${apps}.json`);
  const request: RecordPlatformStackRequest = { apps, file };
  runNodeChild<RecordedPlatformStack>(built.childScript("children/recordPlatformStack"), request, {
    nodeOptions: ["--max-old-space-size=6144"],
    cwd: built.directory,
  });
  const resources = JSON.parse(fs.readFileSync(file, "utf8")) as RegisteredResource[];
  fs.rmSync(file);
  return resources;
}

/**
 * The peak resident set size in a `/proc/<pid>/status` text (its `VmHWM` line, in kB), in
 * bytes; undefined when the text has none.
 */
export function peakRssOfStatus(status: string): number | undefined {
  const line = /^VmHWM:\s*(\d+)\s*kB\s*$/m.exec(status);
  return line ? Number(line[1]) * 1024 : undefined;
}

/** A running process's peak resident memory, or undefined where `/proc` cannot tell it. */
export function peakRssOfProcess(pid: number | undefined): number | undefined {
  if (pid === undefined) {
    return undefined;
  }
  try {
    return peakRssOfStatus(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
  } catch {
    return undefined;
  }
}

function throughput(resources: number, milliseconds: number, diagnostics: number): CallThroughput {
  return {
    resources,
    milliseconds: round(milliseconds, 1),
    resourcesPerSecond: Math.round((resources / milliseconds) * 1000),
    diagnostics,
  };
}

/** A pack to measure, by the name its figures go under. */
export interface PackToMeasure {
  readonly label: string;
  readonly dir: string;
  /** Run once the pack is configured, before the warm-up: throws when the pack is not what it should be. */
  readonly probe?: (pack: PolicyPackProcess) => Promise<void>;
}

/** `Analyze` calls per turn: each pack answers this many, then the next pack has its turn. */
export const analyzeTurn = 100;

/** A started pack with what is measured of it so far. */
interface PackUnderMeasure {
  readonly label: string;
  readonly dir: string;
  readonly pack: PolicyPackProcess;
  readonly info: Awaited<ReturnType<PolicyPackProcess["getAnalyzerInfo"]>>;
  readonly starts: number[];
  analyzeMilliseconds: number;
  analyzeDiagnostics: number;
  readonly stackTimes: number[];
  stackDiagnostics: number;
}

/** Each of `items`, the order turned by one more at each `turn`, so that none is always first. */
export function inTurn<T>(items: readonly T[], turn: number): T[] {
  return items.map((_, i) => items[(i + turn) % items.length]);
}

/** Starts a pack as the Pulumi CLI does, configured with its defaults, probed and warmed up. */
async function startMeasured(
  target: PackToMeasure,
  resources: { inputs: readonly AnalyzerResource[]; outputs: readonly AnalyzerResource[] },
  nodeArguments: readonly string[],
): Promise<PackUnderMeasure> {
  const started = process.hrtime.bigint();
  const pack = await PolicyPackProcess.start(target.dir, { nodeArguments });
  try {
    const info = await pack.getAnalyzerInfo();
    const starts = [millisecondsSince(started)];
    await pack.configure(resolvePolicyConfig(info, undefined));
    await target.probe?.(pack);
    for (const resource of resources.inputs.slice(0, 200)) {
      await pack.analyze(resource);
    }
    await pack.analyzeStack(resources.outputs.slice(0, 200));
    return {
      label: target.label,
      dir: target.dir,
      pack,
      info,
      starts,
      analyzeMilliseconds: 0,
      analyzeDiagnostics: 0,
      stackTimes: [],
      stackDiagnostics: 0,
    };
  } catch (error) {
    await pack.stop();
    throw error;
  }
}

/**
 * Starts each pack as the Pulumi CLI does, configures it with its defaults and warms it up, then
 * times `Analyze` on every custom resource and `AnalyzeStack` on the whole stack, and reads each
 * pack process's peak memory before stopping it. The packs take turns, one call at a time
 * (never two in flight): `Analyze` {@link analyzeTurn} resources each, `AnalyzeStack` one call
 * each, their order turning, and the start-ups are repeated in turn too. A machine whose speed
 * drifts during the bench (this one's varies by a third from one minute to the next) then
 * weighs on every pack alike, where measuring one pack after the other made a ratio of two of
 * them read the drift. A pack that fails to start, or fails a call, is reported as failed with
 * why; the others are measured on.
 */
export async function measurePacks(
  targets: readonly PackToMeasure[],
  resources: readonly RegisteredResource[],
  stackRepetitions: number,
  nodeArguments: readonly string[] = [],
): Promise<Map<string, PackThroughput | PackFailure>> {
  const calls = {
    inputs: analyzerResources(
      resources.filter((r) => r.custom && !r.read),
      "inputs",
    ),
    outputs: analyzerResources(resources, "outputs"),
  };
  const results = new Map<string, PackThroughput | PackFailure>();
  let measured: PackUnderMeasure[] = [];
  const fail = async (m: PackUnderMeasure, error: unknown) => {
    results.set(m.label, { pack: m.info.name, error: String(error) });
    measured = measured.filter((other) => other !== m);
    await m.pack.stop();
  };
  try {
    for (const target of targets) {
      try {
        measured.push(await startMeasured(target, calls, nodeArguments));
      } catch (error) {
        results.set(target.label, { pack: target.label, error: String(error) });
      }
    }
    for (let at = 0, turn = 0; at < calls.inputs.length; at += analyzeTurn, turn++) {
      const batch = calls.inputs.slice(at, at + analyzeTurn);
      for (const m of inTurn(measured, turn)) {
        try {
          const started = process.hrtime.bigint();
          for (const resource of batch) {
            m.analyzeDiagnostics += (await m.pack.analyze(resource)).length;
          }
          m.analyzeMilliseconds += millisecondsSince(started);
        } catch (error) {
          await fail(m, error);
        }
      }
    }
    for (let repetition = 0; repetition < stackRepetitions; repetition++) {
      for (const m of inTurn(measured, repetition)) {
        try {
          const started = process.hrtime.bigint();
          m.stackDiagnostics = (await m.pack.analyzeStack(calls.outputs)).length;
          m.stackTimes.push(millisecondsSince(started));
        } catch (error) {
          await fail(m, error);
        }
      }
    }
    const peaks = new Map(measured.map((m) => [m, peakRssOfProcess(m.pack.pid)]));
    for (let repetition = 1; repetition < startRepetitions; repetition++) {
      for (const m of inTurn(measured, repetition)) {
        m.starts.push(await timeStart(m.dir, nodeArguments));
      }
    }
    for (const m of measured) {
      const peakRssBytes = peaks.get(m);
      results.set(m.label, {
        pack: m.info.name,
        version: m.info.version,
        policies: m.info.policies.length,
        stackPolicies: m.info.policies.filter((p) => p.type === "stack").length,
        startMilliseconds: round(median(m.starts), 0),
        analyze: throughput(calls.inputs.length, m.analyzeMilliseconds, m.analyzeDiagnostics),
        analyzeStack: throughput(calls.outputs.length, median(m.stackTimes), m.stackDiagnostics),
        ...(peakRssBytes !== undefined && { peakRssBytes }),
      });
    }
    return results;
  } finally {
    await Promise.all(measured.map((m) => m.pack.stop()));
  }
}

/**
 * Our policy pack, awsguard and the protocol's floor, taking turns in this run
 * ({@link measurePacks}), on the same platform stack of `apps` apps (recorded from the built
 * package).
 */
export async function measurePolicyThroughput(
  built: BuiltPackage,
  apps: number,
  stackRepetitions: number,
  progress: (message: string) => void,
): Promise<PolicyThroughputResults> {
  progress(`policy throughput: recording the platform stack with ${apps} apps`);
  const resources = recordPlatformStack(built, apps);
  let awsguardCheck = "";
  const awsguardDir = writeAwsguardPack();
  const floorDir = writeFloorPack();
  let results: Map<string, PackThroughput | PackFailure>;
  try {
    progress(
      `policy throughput: our pack, awsguard ${awsguardVersion} and the protocol's floor (a pack whose policies apply to nothing here), in turn, on ${resources.length} resources`,
    );
    results = await measurePacks(
      [
        { label: "ours", dir: path.join(repositoryRoot, "policy-pack") },
        {
          label: "awsguard",
          dir: awsguardDir,
          probe: async (pack) => {
            const info = await pack.getAnalyzerInfo();
            const flagged = (await pack.analyze(awsguardProbe)).map((d) => d.policyName);
            awsguardCheck = `${info.name} serves ${info.policies.length} policies; on a probe S3 bucket without logging it reported ${flagged.join(", ") || "nothing"}`;
            if (info.policies.length === 0) {
              throw new Error("awsguard started but reported no policies in GetAnalyzerInfo");
            }
          },
        },
        { label: "floor", dir: floorDir },
      ],
      resources,
      stackRepetitions,
    );
  } finally {
    fs.rmSync(awsguardDir, { recursive: true, force: true });
    fs.rmSync(floorDir, { recursive: true, force: true });
  }
  const ours = results.get("ours")!;
  if ("error" in ours) {
    throw new Error(`our policy pack could not be measured: ${ours.error}`);
  }
  const found = results.get("awsguard")!;
  const awsguard =
    "error" in found ? { pack: `@pulumi/awsguard ${awsguardVersion}`, error: found.error } : found;
  awsguardCheck ||= "error" in found ? `awsguard did not run: ${found.error.split("\n")[0]}` : "";
  const floorResult = results.get("floor")!;
  if ("error" in floorResult) {
    progress(`policy throughput: the floor pack did not run: ${floorResult.error.split("\n")[0]}`);
  }
  const floor = "error" in floorResult ? undefined : floorResult;
  return {
    apps,
    analyzeStackRepetitions: stackRepetitions,
    ours,
    awsguard,
    awsguardCheck,
    ...(floor && { floor }),
    ratio:
      "error" in awsguard
        ? {}
        : {
            analyze: ratio(ours.analyze.resourcesPerSecond, awsguard.analyze.resourcesPerSecond),
            analyzeStack: ratio(
              ours.analyzeStack.resourcesPerSecond,
              awsguard.analyzeStack.resourcesPerSecond,
            ),
            ...(ours.peakRssBytes !== undefined &&
              awsguard.peakRssBytes !== undefined && {
                peakRss: ratio(ours.peakRssBytes, awsguard.peakRssBytes),
              }),
          },
  };
}
