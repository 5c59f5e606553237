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

/**
 * Starts a pack as the Pulumi CLI does, configures it with its defaults, warms it up, then
 * times `Analyze` on every custom resource and `AnalyzeStack` on the whole stack, and reads the
 * pack process's peak memory before stopping it.
 */
export async function measurePack(
  packDir: string,
  resources: readonly RegisteredResource[],
  stackRepetitions: number,
  probe?: (pack: PolicyPackProcess) => Promise<void>,
  nodeArguments: readonly string[] = [],
): Promise<PackThroughput> {
  const inputs = analyzerResources(
    resources.filter((r) => r.custom && !r.read),
    "inputs",
  );
  const outputs = analyzerResources(resources, "outputs");
  const started = process.hrtime.bigint();
  const pack = await PolicyPackProcess.start(packDir, { nodeArguments });
  try {
    const info = await pack.getAnalyzerInfo();
    const starts = [millisecondsSince(started)];
    await pack.configure(resolvePolicyConfig(info, undefined));
    await probe?.(pack);
    for (const resource of inputs.slice(0, 200)) {
      await pack.analyze(resource);
    }
    await pack.analyzeStack(outputs.slice(0, 200));

    let analyzeDiagnostics = 0;
    const analyzeStart = process.hrtime.bigint();
    for (const resource of inputs) {
      analyzeDiagnostics += (await pack.analyze(resource)).length;
    }
    const analyze = throughput(inputs.length, millisecondsSince(analyzeStart), analyzeDiagnostics);

    const stackTimes: number[] = [];
    let stackDiagnostics = 0;
    for (let repetition = 0; repetition < stackRepetitions; repetition++) {
      const stackStart = process.hrtime.bigint();
      stackDiagnostics = (await pack.analyzeStack(outputs)).length;
      stackTimes.push(millisecondsSince(stackStart));
    }
    const peakRssBytes = peakRssOfProcess(pack.pid);
    for (let repetition = 1; repetition < startRepetitions; repetition++) {
      starts.push(await timeStart(packDir, nodeArguments));
    }
    const startMilliseconds = median(starts);
    return {
      pack: info.name,
      version: info.version,
      policies: info.policies.length,
      stackPolicies: info.policies.filter((p) => p.type === "stack").length,
      startMilliseconds: round(startMilliseconds, 0),
      analyze,
      analyzeStack: throughput(outputs.length, median(stackTimes), stackDiagnostics),
      ...(peakRssBytes !== undefined && { peakRssBytes }),
    };
  } finally {
    await pack.stop();
  }
}

/**
 * Our policy pack and awsguard, one after the other in this run, on the same platform stack of
 * `apps` apps (recorded from the built package).
 */
export async function measurePolicyThroughput(
  built: BuiltPackage,
  apps: number,
  stackRepetitions: number,
  progress: (message: string) => void,
): Promise<PolicyThroughputResults> {
  progress(`policy throughput: recording the platform stack with ${apps} apps`);
  const resources = recordPlatformStack(built, apps);
  progress(`policy throughput: our pack on ${resources.length} resources`);
  const ours = await measurePack(
    path.join(repositoryRoot, "policy-pack"),
    resources,
    stackRepetitions,
  );

  progress(`policy throughput: awsguard ${awsguardVersion} on the same resources`);
  const awsguardDir = writeAwsguardPack();
  let awsguardCheck = "";
  let awsguard: PackThroughput | PackFailure;
  try {
    awsguard = await measurePack(awsguardDir, resources, stackRepetitions, async (pack) => {
      const info = await pack.getAnalyzerInfo();
      const flagged = (await pack.analyze(awsguardProbe)).map((d) => d.policyName);
      awsguardCheck = `${info.name} serves ${info.policies.length} policies; on a probe S3 bucket without logging it reported ${flagged.join(", ") || "nothing"}`;
      if (info.policies.length === 0) {
        throw new Error("awsguard started but reported no policies in GetAnalyzerInfo");
      }
    });
  } catch (error) {
    awsguard = { pack: `@pulumi/awsguard ${awsguardVersion}`, error: String(error) };
    awsguardCheck ||= `awsguard did not start: ${String(error).split("\n")[0]}`;
  } finally {
    fs.rmSync(awsguardDir, { recursive: true, force: true });
  }

  progress("policy throughput: the protocol's floor (a pack whose policies apply to nothing here)");
  const floorDir = writeFloorPack();
  let floor: PackThroughput | undefined;
  try {
    floor = await measurePack(floorDir, resources, stackRepetitions);
  } catch (error) {
    progress(`policy throughput: the floor pack did not run: ${String(error).split("\n")[0]}`);
  } finally {
    fs.rmSync(floorDir, { recursive: true, force: true });
  }
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
