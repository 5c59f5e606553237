/**
 * The policy session's side that talks to the pack, on a worker thread of its own. Under mocks
 * a program runs as one cascade of promise callbacks, and the main thread's event loop does not
 * turn until it ends; here the pack starts, and each resource is sent to `Analyze`, while the
 * program runs on the main thread. Started by `startPolicySession` (stackCheck.ts), whose
 * bootstrap starts the pack's process first and then calls {@link serve}.
 */
import { ChildProcess } from "child_process";
import { parentPort } from "worker_threads";
import * as proto from "@pulumi/pulumi/proto/analyzer_pb";
import {
  AnalyzerResource,
  Diagnostic,
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
}

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
 * Serves the session: `pack` is the pack's process, which the worker's bootstrap started
 * before loading this module, so that the pack starts while the modules that speak to it load.
 */
export function serve(data: SessionWorkerData, pack: ChildProcess): void {
  const port = parentPort!;
  const started = PolicyPackProcess.attach(pack, data.pack.cwd);
  const ready = started.then(async (pack) => {
    const info = await pack.getAnalyzerInfo();
    await pack.configure(resolvePolicyConfig(info, data.config?.file, data.config?.source));
    return { pack, info };
  });
  ready.catch(() => undefined);
  const analyses = new Map<string, Promise<Diagnostic[]>>();
  // Each resource's part of the AnalyzeStack request, built while the program runs.
  const stackMessages = new Map<string, proto.AnalyzerResource>();
  const stop = async () => {
    const pack = await started.catch(() => undefined);
    await pack?.stop();
  };
  const analyze = (resource: AnalyzerResource) => {
    const analysis = ready.then(async ({ pack }) =>
      tiedTo(resource.urn, await pack.analyze(resource)),
    );
    analysis.catch(() => undefined);
    analyses.set(resource.urn, analysis);
  };
  const check = async (
    stack: readonly (AnalyzerResource | string)[],
    analyzed: readonly string[],
  ) => {
    const { pack, info } = await ready;
    const diagnostics: Diagnostic[] = [];
    for (const urn of analyzed) {
      diagnostics.push(...(await analyses.get(urn)!));
    }
    diagnostics.push(
      ...(await pack.analyzeStack(
        stack.map((r) => (typeof r === "string" ? stackMessages.get(r)! : r)),
      )),
    );
    return { info, diagnostics };
  };
  port.on("message", (request: SessionRequest) => {
    if (request.kind === "registered") {
      if (request.analyze) {
        analyze(request.analyze);
      }
      stackMessages.set(request.stack.urn, stackResourceMessage(request.stack));
    } else if (request.kind === "check") {
      check(request.stack, request.analyzed)
        .then(
          ({ info, diagnostics }): SessionReply => ({ kind: "report", info, diagnostics }),
          (error: any): SessionReply => ({
            kind: "failed",
            message: error instanceof Error ? error.message : String(error),
            ...(error?.name === "InvalidInputError" && {
              invalidInput: { subject: error.subject, problems: [...error.problems] },
            }),
          }),
        )
        .then(async (reply) => {
          await stop();
          port.postMessage(reply);
        });
    } else {
      stop().then(() => port.postMessage({ kind: "stopped" } satisfies SessionReply));
    }
  });
}
