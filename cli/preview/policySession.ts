import * as path from "path";
import { Worker } from "worker_threads";
import { InvalidInputError } from "../core/errors";
import { Problem } from "../../components/problems";
import { RegisteredResource } from "./capture";
import {
  AnalyzerInfo,
  AnalyzerResource,
  Diagnostic,
  PolicyPackProcess,
  policyPackCommand,
  tiedTo,
} from "../policyPack/analyzerClient";
import { runnablePackDir, transpiledModule } from "../policyPack/compiledPack";
import { PolicyConfigSource, resolvePolicyConfig } from "../policyPack/policyConfig";
import {
  count,
  elapsed,
  PhaseReporter,
  progressIntervalMilliseconds,
  ProgressListener,
} from "./progress";
import {
  SessionCounters,
  type SessionReply,
  type SessionRequest,
  type SessionWorkerData,
} from "./sessionWorker";

/** What a policy pack said of a stack's resources. */
export interface PolicyReport {
  readonly pack: AnalyzerInfo;
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * Resources as the engine hands them to analyzers: `Analyze` gets a resource's inputs,
 * `AnalyzeStack` every resource's outputs, with parents and dependencies by URN.
 */
export function analyzerResources(
  resources: readonly RegisteredResource[],
  use: "inputs" | "outputs",
): AnalyzerResource[] {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  return resources.map((r) => analyzerResource(r, use, byUrn));
}

/** One resource as the engine hands it to analyzers, its provider found among `byUrn`. */
export function analyzerResource(
  r: RegisteredResource,
  use: "inputs" | "outputs",
  byUrn: ReadonlyMap<string, RegisteredResource>,
): AnalyzerResource {
  const providerUrn = r.provider?.slice(0, r.provider.lastIndexOf("::"));
  const provider = providerUrn ? byUrn.get(providerUrn) : undefined;
  return {
    urn: r.urn,
    type: r.type,
    name: r.name,
    properties: use === "inputs" ? r.inputs : r.outputs,
    parent: r.parent,
    protect: r.protect,
    ignoreChanges: r.ignoreChanges,
    dependencies: r.dependencies,
    propertyDependencies: r.propertyDependencies,
    ...(provider && {
      provider: {
        urn: provider.urn,
        type: provider.type,
        name: provider.name,
        properties: provider.inputs,
      },
    }),
  };
}

/** The resources the engine sends to `Analyze`: custom resources the program registers. */
function analyzed(resource: RegisteredResource): boolean {
  return resource.custom && !resource.read;
}

/**
 * Runs a started policy pack on a program's resources as the engine does during
 * `pulumi preview --policy-pack`: configure it (the config file's settings over the schema
 * defaults), `Analyze` every custom resource, then `AnalyzeStack`.
 */
export async function analyzeWithPolicyPack(
  pack: PolicyPackProcess,
  resources: readonly RegisteredResource[],
  config?: PolicyConfigSource,
): Promise<PolicyReport> {
  const info = await pack.getAnalyzerInfo();
  await pack.configure(resolvePolicyConfig(info, config?.file, config?.source));
  const diagnostics: Diagnostic[] = [];
  for (const resource of analyzerResources(resources.filter(analyzed), "inputs")) {
    diagnostics.push(...tiedTo(resource.urn, await pack.analyze(resource)));
  }
  diagnostics.push(...(await pack.analyzeStack(analyzerResources(resources, "outputs"))));
  return { pack: info, diagnostics };
}

/** Starts the pack in `packDir` (see {@link startPolicySession}), analyzes the resources, and stops it. */
export async function checkWithPolicyPack(
  resources: readonly RegisteredResource[],
  packDir: string,
  config?: PolicyConfigSource,
): Promise<PolicyReport> {
  const session = startPolicySession(packDir, config);
  return session.check(resources);
}

/**
 * A policy pack checking a program while it runs, as the engine drives one during
 * `pulumi preview --policy-pack`: the pack starts at once (its compiled copy when it has one,
 * see `compiledPack.ts`), each resource is sent to `Analyze` as its registration completes,
 * and `AnalyzeStack` gets every resource once the program is done. The pack's start-up and
 * most of its analysis overlap the program.
 */
export interface PolicySession {
  /** A resource the program registered: analyzed as soon as the pack serves. */
  registered(resource: RegisteredResource): void;
  /**
   * Once the program is done: analyzes what was not yet, waits for every `Analyze`, runs
   * `AnalyzeStack`, and stops the pack. Diagnostics come in the resources' order.
   */
  check(resources: readonly RegisteredResource[]): Promise<PolicyReport>;
  /** Stops the pack without a report (the program failed). */
  stop(): Promise<void>;
}

export interface PolicySessionOptions {
  /**
   * Told of the check's progress (phase `policy`): when it starts, at most every 500 ms while
   * the pack analyzes what the program registered, and when the report is in.
   */
  readonly onProgress?: ProgressListener;
}

export function startPolicySession(
  packDir: string,
  config?: PolicyConfigSource,
  options: PolicySessionOptions = {},
): PolicySession {
  // Compiled here when stale (the first plan after an edit), so the worker starts it at once.
  const data: SessionWorkerData = {
    pack: policyPackCommand(runnablePackDir(packDir)),
    ...(config && { config }),
    counters: new SharedArrayBuffer(SessionCounters.size * Int32Array.BYTES_PER_ELEMENT),
  };
  const worker = startSessionWorker(data);
  const killPack = packKiller(data.counters);
  process.once("exit", killPack);
  const replies = new Promise<SessionReply>((resolve, reject) => {
    worker.on("message", resolve);
    worker.on("error", reject);
    worker.on("exit", (code) =>
      reject(new Error(`the policy session's worker exited with code ${code}`)),
    );
  });
  replies.catch(() => undefined);
  const byUrn = new Map<string, RegisteredResource>();
  // What the worker was sent of each resource: outputs it holds for AnalyzeStack, by URN.
  const sent = new Map<string, RegisteredResource["outputs"]>();
  const send = (request: SessionRequest) => postCloned(worker, request);
  const register = (resource: RegisteredResource) => {
    sent.set(resource.urn, resource.outputs);
    send({
      kind: "registered",
      ...(analyzed(resource) && { analyze: analyzerResource(resource, "inputs", byUrn) }),
      stack: analyzerResource(resource, "outputs", byUrn),
    });
  };
  const finish = async (request: SessionRequest): Promise<SessionReply> => {
    try {
      send(request);
      return await replies;
    } finally {
      await worker.terminate();
      // The worker stops the pack before it replies; one that failed first may not have.
      killPack();
      process.off("exit", killPack);
    }
  };
  return {
    registered(resource) {
      byUrn.set(resource.urn, resource);
      if (!sent.has(resource.urn)) {
        register(resource);
      }
    },
    async check(resources) {
      for (const resource of resources) {
        byUrn.set(resource.urn, resource);
      }
      for (const resource of resources.filter((r) => !sent.has(r.urn))) {
        register(resource);
      }
      // A component's outputs come after its registration: those are sent again.
      const stack = resources.map((r) =>
        sent.get(r.urn) === r.outputs ? r.urn : analyzerResource(r, "outputs", byUrn),
      );
      const toAnalyze = resources.filter(analyzed).map((r) => r.urn);
      const progress = checkProgress(data.counters, toAnalyze.length, stack.length, options);
      const reply = await finish({ kind: "check", stack, analyzed: toAnalyze }).catch((error) => {
        progress.end(undefined);
        throw error;
      });
      progress.end(reply.kind === "report" ? reply.diagnostics : undefined);
      return reportOf(reply);
    },
    async stop() {
      await finish({ kind: "stop" }).catch(() => undefined);
    },
  };
}

/**
 * Kills the session's pack if it still runs (its id, which the worker's bootstrap keeps in the
 * counters while it runs): when the session's process exits without stopping the session, or
 * when the worker ended without stopping the pack.
 */
function packKiller(counters: SharedArrayBuffer): () => void {
  const read = new Int32Array(counters);
  return () => {
    const pid = Atomics.exchange(read, SessionCounters.packPid, 0);
    if (pid > 0) {
      try {
        process.kill(pid);
      } catch {
        // Gone already.
      }
    }
  };
}

/** The worker's reply as the report, or the error it stands for. */
function reportOf(reply: SessionReply): PolicyReport {
  if (reply.kind === "report") {
    return { pack: reply.info as AnalyzerInfo, diagnostics: reply.diagnostics };
  }
  if (reply.kind === "failed" && reply.invalidInput) {
    const { subject, problems } = reply.invalidInput;
    throw new InvalidInputError(subject, problems as Problem[]);
  }
  throw new Error(reply.kind === "failed" ? reply.message : "the policy pack stopped");
}

/**
 * Posts a request as the worker receives it: cloned (a structured clone, made as it is posted),
 * or, holding something a clone cannot copy, with its values as JSON has them (as the request
 * will: `toStruct` reads properties through JSON).
 */
function postCloned(worker: Worker, request: SessionRequest): void {
  try {
    worker.postMessage(request);
  } catch {
    worker.postMessage(JSON.parse(JSON.stringify(request)));
  }
}

/**
 * Reports a check's progress from the worker's counters: at its start (with what the pack
 * analyzed while the program ran), every 500 ms while it runs, and at its end (given the
 * diagnostics, or none when it failed).
 */
function checkProgress(
  counters: SharedArrayBuffer,
  toAnalyze: number,
  stackResources: number,
  options: PolicySessionOptions,
): { end(diagnostics: readonly Diagnostic[] | undefined): void } {
  if (options.onProgress === undefined) {
    return { end: () => undefined };
  }
  const reporter = new PhaseReporter("policy", options.onProgress);
  const read = new Int32Array(counters);
  const analyzedSoFar = () => Math.min(toAnalyze, Atomics.load(read, SessionCounters.analyzed));
  const analyzing = () => `${count(analyzedSoFar())} of ${count(toAnalyze)} resources analyzed`;
  const message = () =>
    Atomics.load(read, SessionCounters.analyzingStack) === 1
      ? `policy: AnalyzeStack on ${count(stackResources)} resources (${elapsed(reporter.milliseconds)})`
      : `policy: ${analyzing()} (${elapsed(reporter.milliseconds)})`;
  reporter.start(analyzedSoFar(), `policy: ${analyzing()} while the program ran`, toAnalyze);
  const timer = setInterval(
    () => reporter.progress(analyzedSoFar(), message, toAnalyze),
    progressIntervalMilliseconds,
  );
  timer.unref();
  return {
    end: (diagnostics) => {
      clearInterval(timer);
      if (diagnostics === undefined) {
        reporter.end(analyzedSoFar(), `policy: failed after ${elapsed(reporter.milliseconds)}`);
        return;
      }
      const mandatory = diagnostics.filter((d) => d.enforcementLevel === "mandatory").length;
      const violations = `${count(diagnostics.length)} violation${diagnostics.length === 1 ? "" : "s"}`;
      reporter.end(
        toAnalyze,
        `policy: ${count(toAnalyze)} resources analyzed, ${violations} (${count(mandatory)} mandatory) in ${elapsed(reporter.milliseconds)}`,
        toAnalyze,
      );
    },
  };
}

/**
 * The worker that talks to the pack, from this module's sibling (TypeScript under ts-node, as
 * in `npm run plan`; JavaScript once built).
 */
function startSessionWorker(data: SessionWorkerData): Worker {
  let file = path.join(__dirname, `sessionWorker${path.extname(__filename)}`);
  // Under ts-node, the worker loads a transpiled copy: a compiler of its own would cost it
  // more than the pack's start-up it is there to overlap.
  file = (file.endsWith(".ts") && transpiledModule(path.join(__dirname, "../.."), file)) || file;
  const tsconfig = path.join(__dirname, "../../tsconfig.json");
  const bootstrap = [
    'const { spawn } = require("child_process");',
    'const { workerData } = require("worker_threads");',
    "const { file, args, cwd } = workerData.pack;",
    'const pack = spawn(file, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });',
    "const pid = new Int32Array(workerData.counters);",
    `Atomics.store(pid, ${SessionCounters.packPid}, pack.pid ?? 0);`,
    `pack.once("exit", () => Atomics.store(pid, ${SessionCounters.packPid}, 0));`,
    'if (workerData.file.endsWith(".ts")) {',
    "  require(workerData.tsNode).register({ transpileOnly: true, project: workerData.tsconfig });",
    "}",
    "require(workerData.file).serve(workerData, pack);",
  ].join("\n");
  const tsNode = file.endsWith(".ts") ? require.resolve("ts-node") : undefined;
  // A JavaScript worker is started without the main thread's options (`-r ts-node/register`
  // under `npm run plan`), which would start a compiler it has no use for.
  const execArgv = tsNode === undefined ? [] : process.execArgv;
  return new Worker(bootstrap, {
    eval: true,
    execArgv,
    workerData: { ...data, file, tsconfig, tsNode },
  });
}

/** The resource name a URN ends in. */
export function urnName(urn: string): string {
  return urn.slice(urn.lastIndexOf("::") + 2);
}

/** The report as text, for people, the way `pulumi preview` lists policy violations. */
export function formatPolicyReport(report: PolicyReport): string {
  const { pack, diagnostics } = report;
  const title = `Policy pack ${pack.name}@v${pack.version} (${pack.policies.length} policies)`;
  if (diagnostics.length === 0) {
    return `${title}: no violations.`;
  }
  const lines = [title];
  for (const d of diagnostics) {
    lines.push(`  [${d.enforcementLevel}] ${d.policyName}${d.urn ? ` on ${urnName(d.urn)}` : ""}`);
    // The SDK sends the policy's description, then the violation, on the next line.
    lines.push(...d.message.split("\n").map((line) => `      ${line}`));
  }
  const mandatory = diagnostics.filter((d) => d.enforcementLevel === "mandatory").length;
  lines.push(
    mandatory > 0
      ? `${mandatory} mandatory violation${mandatory === 1 ? "" : "s"}: \`pulumi preview\` with this pack would fail.`
      : "Advisory only: `pulumi preview` with this pack would succeed.",
  );
  return lines.join("\n");
}
