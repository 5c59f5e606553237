/**
 * The policy session's side that talks to the pack, on a worker thread of its own. Under mocks
 * a program runs as one cascade of promise callbacks, and the main thread's event loop does not
 * turn until it ends; here the pack starts, and each resource is sent to `Analyze`, while the
 * program runs on the main thread. Started by `startPolicySession` (policySession.ts), whose
 * bootstrap starts the pack's process first and then calls {@link serve}.
 *
 * What it holds stays small however large the stack: at most
 * {@link analyzeConcurrency} `Analyze` calls in flight, the resources waiting for theirs, the
 * diagnostics found (none for most resources), and each resource's part of the `AnalyzeStack`
 * request encoded (about 1.4 KB, where the message object it comes from is about 10 KB).
 */
import * as grpc from "@grpc/grpc-js";
import { ChildProcess } from "child_process";
import { parentPort } from "worker_threads";
import { AnalyzerService } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as proto from "@pulumi/pulumi/proto/analyzer_pb";
import {
  AnalyzerInfo,
  AnalyzerResource,
  Diagnostic,
  EnforcementLevel,
  PolicyPackProcess,
  ProcessCommand,
  stackResourceMessage,
  tiedTo,
} from "../policyPack/analyzerClient";
import { PolicyConfigSource, resolvePolicyConfig } from "../policyPack/policyConfig";

/** What the session gives the worker when it starts it. */
export interface SessionWorkerData {
  /** How to start the pack (its compiled copy when it has one): the worker's first act. */
  readonly pack: ProcessCommand;
  readonly config?: PolicyConfigSource;
  /**
   * Where the worker counts its progress for the session to read at any time, even while the
   * main thread is busy (see {@link SessionCounters}).
   */
  readonly counters: SharedArrayBuffer;
}

/** The slots of {@link SessionWorkerData.counters}, as an `Int32Array`. */
export const SessionCounters = {
  /** `Analyze` calls answered (or failed). */
  analyzed: 0,
  /** 1 once the `AnalyzeStack` request is sent. */
  analyzingStack: 1,
  /**
   * The pack's process id while it runs (0 before it starts and once it has exited): the
   * session kills it when its own process exits first, which would leave it serving, orphaned.
   */
  packPid: 2,
  size: 3,
} as const;

/** From the session to the worker. */
export type SessionRequest =
  /** A resource registered: its inputs to `Analyze` when `analyze`, its outputs for later. */
  | {
      readonly kind: "registered";
      readonly analyze?: AnalyzerResource;
      readonly stack: AnalyzerResource;
    }
  /**
   * The program is done: every resource for `AnalyzeStack` in order (a URN for one whose
   * registered outputs stand), and the URNs analyzed, in order.
   */
  | {
      readonly kind: "check";
      readonly stack: readonly (AnalyzerResource | string)[];
      readonly analyzed: readonly string[];
    }
  | { readonly kind: "stop" };

/** From the worker to the session: the report, or what failed (once, then it stops). */
export type SessionReply =
  | { readonly kind: "report"; readonly info: unknown; readonly diagnostics: Diagnostic[] }
  | {
      readonly kind: "failed";
      readonly message: string;
      /** Set when the config was refused: the session throws the CLI's own error. */
      readonly invalidInput?: { readonly subject: string; readonly problems: unknown[] };
    }
  | { readonly kind: "stopped" };

/**
 * `Analyze` calls in flight at once. The pack answers one at a time; a few in flight keep it
 * from waiting on the protocol between two, and more would only hold their requests in memory
 * (every resource's at once, unbounded, was a quarter of a 3,000-app plan's peak).
 */
export const analyzeConcurrency = 8;

/** Resources waiting for `Analyze`, first in first out, with the answers kept by URN. */
class AnalyzeQueue {
  private readonly waiting: (AnalyzerResource | undefined)[] = [];
  private next = 0;
  private running = 0;
  private pack: PolicyPackProcess | undefined;
  private drained: (() => void) | undefined;
  /** Diagnostics of the resources that have any (most have none), by URN. */
  readonly found = new Map<string, Diagnostic[]>();
  /** Why `Analyze` failed, by URN. */
  readonly failed = new Map<string, unknown>();

  constructor(private readonly counters: Int32Array) {}

  add(resource: AnalyzerResource): void {
    this.waiting.push(resource);
    this.pump();
  }

  /** Starts sending, once the pack is configured. */
  serve(pack: PolicyPackProcess): void {
    this.pack = pack;
    this.pump();
  }

  /** Resolves when every resource added is answered. */
  idle(): Promise<void> {
    return this.running === 0 && this.next === this.waiting.length
      ? Promise.resolve()
      : new Promise((resolve) => (this.drained = resolve));
  }

  private pump(): void {
    while (this.pack && this.running < analyzeConcurrency && this.next < this.waiting.length) {
      const resource = this.waiting[this.next]!;
      // Each resource is let go of once sent; the array is compacted now and then.
      this.waiting[this.next++] = undefined;
      if (this.next > 1024 && this.next * 2 > this.waiting.length) {
        this.waiting.splice(0, this.next);
        this.next = 0;
      }
      this.running += 1;
      this.pack
        .analyze(resource)
        .then(
          (diagnostics) => {
            if (diagnostics.length > 0) {
              this.found.set(resource.urn, tiedTo(resource.urn, diagnostics));
            }
          },
          (error: unknown) => this.failed.set(resource.urn, error),
        )
        .finally(() => {
          this.running -= 1;
          Atomics.add(this.counters, SessionCounters.analyzed, 1);
          this.pump();
          if (this.running === 0 && this.next === this.waiting.length) {
            this.drained?.();
          }
        });
    }
  }
}

/**
 * The `AnalyzeStack` request made of its resources' messages, each encoded already: the
 * request's one field (1, `resources`) repeated, each a tag, a length and the message, byte for
 * byte what encoding the request whole gives (`test/cli/policySession.test.ts`). Encoding it
 * whole means every resource's message object at once, and the protobuf library's writer holds
 * each byte as a number in an array: at 3,000 apps, 700 MB to send 32 MB.
 */
export function stackRequestBytes(resources: readonly Uint8Array[]): Buffer {
  const resourcesTag = (1 << 3) | 2; // field 1, length-delimited
  const varintLength = (n: number): number =>
    n < 0x80 ? 1 : 1 + varintLength(Math.floor(n / 0x80));
  let size = 0;
  for (const r of resources) {
    size += 1 + varintLength(r.length) + r.length;
  }
  const request = Buffer.allocUnsafe(size);
  let at = 0;
  for (const r of resources) {
    request[at++] = resourcesTag;
    for (let n = r.length; ; n = Math.floor(n / 0x80)) {
      request[at++] = n < 0x80 ? n : (n % 0x80) | 0x80;
      if (n < 0x80) {
        break;
      }
    }
    request.set(r, at);
    at += r.length;
  }
  return request;
}

/** A name of each enum value of the protocol, as the pack's client names them (`policySession.test.ts`). */
function enumNames(values: object, prefix: string): Record<number, string> {
  return Object.fromEntries(
    Object.entries(values)
      .filter((entry): entry is [string, number] => typeof entry[1] === "number")
      .map(([name, n]) => [
        n,
        name.endsWith("_UNSPECIFIED") ? "" : name.slice(prefix.length).toLowerCase(),
      ]),
  );
}

const levelOf = enumNames(proto.EnforcementLevel, "") as Record<number, EnforcementLevel>;
const severityOf = enumNames(proto.PolicySeverity, "POLICY_SEVERITY_");

/**
 * `AnalyzeStack` with its request encoded already ({@link stackRequestBytes}), on a connection
 * of its own to the pack at `port`: the pack's client takes only the request's objects.
 */
function analyzeStackEncoded(port: number, request: Buffer): Promise<Diagnostic[]> {
  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const method = AnalyzerService.analyzeStack;
  return new Promise<proto.AnalyzeResponse>((resolve, reject) =>
    client.makeUnaryRequest(
      method.path,
      (encoded: Buffer) => encoded,
      method.responseDeserialize,
      request,
      (error, response) => (error ? reject(error) : resolve(response!)),
    ),
  )
    .then((response) =>
      response.getDiagnosticsList().map((d) => ({
        policyName: d.getPolicyname(),
        policyPackName: d.getPolicypackname(),
        policyPackVersion: d.getPolicypackversion(),
        description: d.getDescription(),
        message: d.getMessage(),
        enforcementLevel: levelOf[d.getEnforcementlevel()],
        urn: d.getUrn(),
        severity: severityOf[d.getSeverity()] ?? "",
      })),
    )
    .finally(() => client.close());
}

/**
 * The port the pack serves on, as it prints it (what `PolicyPackProcess.attach` reads too),
 * for the connection {@link analyzeStackEncoded} makes.
 */
function servingPort(pack: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let stdout = "";
    pack.stdout!.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = /^(\d+)\s*$/m.exec(stdout);
      if (line) {
        resolve(Number(line[1]));
      }
    });
    pack.on("exit", () => reject(new Error("the policy pack exited before serving")));
  });
}

/** The worker's reply to a check: the report, or its failure. */
function reply(check: Promise<{ info: AnalyzerInfo; diagnostics: Diagnostic[] }>) {
  return check.then(
    ({ info, diagnostics }): SessionReply => ({ kind: "report", info, diagnostics }),
    (error: any): SessionReply => ({
      kind: "failed",
      message: error instanceof Error ? error.message : String(error),
      ...(error?.name === "InvalidInputError" && {
        invalidInput: { subject: error.subject, problems: [...error.problems] },
      }),
    }),
  );
}

/**
 * Serves the session: `pack` is the pack's process, which the worker's bootstrap started
 * before loading this module, so that the pack starts while the modules that speak to it load.
 */
export function serve(data: SessionWorkerData, pack: ChildProcess): void {
  const port = parentPort!;
  const counters = new Int32Array(data.counters);
  const packPort = servingPort(pack);
  packPort.catch(() => undefined);
  const started = PolicyPackProcess.attach(pack, data.pack.cwd);
  const ready = started.then(async (pack) => {
    const info = await pack.getAnalyzerInfo();
    await pack.configure(resolvePolicyConfig(info, data.config?.file, data.config?.source));
    return { pack, info };
  });
  ready.catch(() => undefined);
  const queue = new AnalyzeQueue(counters);
  ready.then(({ pack }) => queue.serve(pack)).catch(() => undefined);
  // Each resource's part of the AnalyzeStack request, encoded while the program runs.
  const stackMessages = new Map<string, Uint8Array>();
  let serving: PolicyPackProcess | undefined;
  started.then((attached) => (serving = attached)).catch(() => undefined);
  // A pack not serving yet (a plan refused before its program ran) is not waited for: its
  // process is ended where it is.
  const stop = async () => {
    if (serving !== undefined) {
      await serving.stop();
    } else if (pack.exitCode === null && pack.signalCode === null) {
      const exited = new Promise((resolve) => pack.once("exit", resolve));
      pack.kill();
      await exited;
    }
  };
  const check = async (
    stack: readonly (AnalyzerResource | string)[],
    analyzed: readonly string[],
  ) => {
    const { info } = await ready;
    await queue.idle();
    const diagnostics: Diagnostic[] = [];
    for (const urn of analyzed) {
      if (queue.failed.has(urn)) {
        throw queue.failed.get(urn);
      }
      diagnostics.push(...(queue.found.get(urn) ?? []));
    }
    const request = stackRequestBytes(
      stack.map((r) =>
        typeof r === "string" ? stackMessages.get(r)! : stackResourceMessage(r).serializeBinary(),
      ),
    );
    stackMessages.clear();
    Atomics.store(counters, SessionCounters.analyzingStack, 1);
    diagnostics.push(...(await analyzeStackEncoded(await packPort, request)));
    return { info, diagnostics };
  };
  port.on("message", (request: SessionRequest) => {
    if (request.kind === "registered") {
      if (request.analyze) {
        queue.add(request.analyze);
      }
      stackMessages.set(request.stack.urn, stackResourceMessage(request.stack).serializeBinary());
    } else if (request.kind === "check") {
      reply(check(request.stack, request.analyzed)).then(async (reply) => {
        await stop();
        port.postMessage(reply);
      });
    } else {
      stop().then(() => port.postMessage({ kind: "stopped" } satisfies SessionReply));
    }
  });
}
