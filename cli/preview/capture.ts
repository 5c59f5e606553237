import * as pulumi from "@pulumi/pulumi";
import * as path from "path";
import { fileURLToPath } from "url";
import { describeValue } from "../../components/problems";

/** One resource as the program registered it: what `pulumi preview` would show for it. */
export interface RegisteredResource {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  /** False for components. */
  readonly custom: boolean;
  /** The parent's URN; undefined only for the stack itself. */
  readonly parent?: string;
  /** The explicit provider reference (`<urn>::<id>`), if one was given. */
  readonly provider?: string;
  readonly inputs: Record<string, any>;
  /** Top-level inputs that were secrets (their values are unwrapped in `inputs`). */
  readonly secretInputs: readonly string[];
  /** The state the (mock) provider returned, or a component's registered outputs. */
  outputs: Record<string, any>;
  readonly id?: string;
  readonly protect: boolean;
  readonly retainOnDelete: boolean;
  /** The `import` resource option. */
  readonly importId?: string;
  readonly ignoreChanges: readonly string[];
  readonly dependencies: readonly string[];
  readonly propertyDependencies: Readonly<Record<string, readonly string[]>>;
  /** Read with `.get` rather than managed. */
  readonly read: boolean;
  /** Where the program constructed it. */
  readonly sourcePosition?: { readonly uri: string; readonly line: number };
}

export interface LogMessage {
  readonly severity: "warning" | "error" | "info";
  readonly message: string;
}

export interface OfflineRun {
  readonly resources: readonly RegisteredResource[];
  /** The stack outputs the program returned. */
  readonly outputs: Record<string, any>;
  /** What the program logged through `pulumi.log` (to the engine, when there is one). */
  readonly logs: readonly LogMessage[];
}

export interface OfflineRunOptions {
  readonly project: string;
  readonly stack: string;
  /** Config as the language host passes it: `<namespace>:<key>` to a string (JSON for objects). */
  readonly config: Readonly<Record<string, string>>;
  readonly secretKeys?: readonly string[];
  readonly mocks: pulumi.runtime.Mocks;
  /** The program: a function returning its outputs, as a Pulumi program module exports. */
  readonly program: () => unknown;
  /** Run as `pulumi preview` (true) or `pulumi up` (false). @default true */
  readonly preview?: boolean;
  /**
   * Told of each resource as its registration completes (as the engine hands each step to its
   * analyzers), before the program has finished.
   */
  readonly onRegistered?: (resource: RegisteredResource) => void;
}

type Callback = (err: unknown, response?: any) => void;

/** What one registration of a URN was: enough to tell two of them apart. */
interface Registration {
  readonly parent?: string;
  readonly inputs: Record<string, any>;
  readonly sourcePosition?: { readonly uri: string; readonly line: number };
  readonly read: boolean;
}

function showPosition(position: Registration["sourcePosition"]): string {
  if (position === undefined) {
    return "an unknown place";
  }
  let file = position.uri;
  try {
    file = fileURLToPath(position.uri);
  } catch {
    // Not a file URL: shown as it is.
  }
  const relative = path.relative(process.cwd(), file);
  return `${relative !== "" && !relative.startsWith("..") && !path.isAbsolute(relative) ? relative : file}:${position.line}`;
}

/** The inputs (and parent) in which two registrations differ, as `key value`, for each side. */
function differences(a: Registration, b: Registration): [string, string] {
  const shown: [string[], string[]] = [[], []];
  const keys = [...new Set([...Object.keys(a.inputs), ...Object.keys(b.inputs)])].sort();
  const fields: [string, unknown, unknown][] = [
    ["parent", a.parent, b.parent],
    ...keys.map((key): [string, unknown, unknown] => [key, a.inputs[key], b.inputs[key]]),
  ];
  for (const [key, x, y] of fields) {
    if (JSON.stringify(x) !== JSON.stringify(y)) {
      shown[0].push(`${key} ${describeValue(x)}`);
      shown[1].push(`${key} ${describeValue(y)}`);
    }
  }
  return shown[0].length === 0
    ? ["the same inputs", "the same inputs"]
    : [shown[0].join(", "), shown[1].join(", ")];
}

/**
 * A program registered one URN twice. The Pulumi engine refuses the second registration with
 * this message (and the update fails); Pulumi's mock monitor would silently let the second
 * replace the first. The message adds where each was constructed and how their inputs differ.
 */
export class DuplicateUrnError extends pulumi.RunError {
  constructor(
    readonly urn: string,
    first: Registration,
    second: Registration,
  ) {
    const [was, now] = differences(first, second);
    super(
      [
        `Duplicate resource URN '${urn}'; try giving it a unique name`,
        `  first ${first.read ? "read" : "registered"} at ${showPosition(first.sourcePosition)}, with ${was}`,
        `  then ${second.read ? "read" : "registered"} at ${showPosition(second.sourcePosition)}, with ${now}`,
      ].join("\n"),
    );
    this.name = "DuplicateUrnError";
  }
}

/**
 * A program's failure with its own message: the SDK prefixes it with each output it surfaced
 * through (`error serializing property "outputs": ...`), once per path, which says nothing to
 * whoever reads the plan.
 */
export function withoutSerializingPrefixes(error: unknown): unknown {
  if (error instanceof Error) {
    error.message = error.message.replace(/^(?:error serializing property "[^"]*": )+/, "");
  }
  return error;
}

function sourcePositionOf(req: any): RegisteredResource["sourcePosition"] {
  const position = req.getSourceposition?.();
  return position ? { uri: position.getUri(), line: position.getLine() } : undefined;
}

function isSecretValue(value: unknown): value is { value: unknown } {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as Record<string, unknown>)[pulumi.runtime.specialSigKey] ===
      pulumi.runtime.specialSecretSig
  );
}

/** Replaces secret markers with the values they hold. */
function unwrapSecrets(value: any): any {
  if (isSecretValue(value)) {
    return unwrapSecrets(value.value);
  }
  if (Array.isArray(value)) {
    return value.map(unwrapSecrets);
  }
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrapSecrets(v)]));
  }
  return value;
}

function unwrapInputs(inputs: Record<string, any>): {
  inputs: Record<string, any>;
  secretInputs: string[];
} {
  return {
    inputs: unwrapSecrets(inputs),
    secretInputs: Object.keys(inputs).filter((key) => isSecretValue(inputs[key])),
  };
}

/**
 * Runs a Pulumi program under mocks and records every resource it registers, with the
 * options the mock API does not pass to `newResource` (parent, protect, import, dependencies).
 * Rejects with the program's error when it fails.
 */
export async function runOffline(options: OfflineRunOptions): Promise<OfflineRun> {
  const run = await runOfflineSettled(options);
  if ("error" in run) {
    throw run.error;
  }
  return run;
}

/**
 * The Pulumi SDK stamps every promise it makes with a stack trace (`debuggablePromise`), kept
 * only for its report of promises a program leaked. Under ts-node every stack trace is mapped
 * through source maps, which made those stamps most of a large program's run (25 of 68 s at
 * 1,000 apps). While a program runs, those stamps get the unmapped trace V8 gives for free;
 * every other trace (errors, the source positions Pulumi registers) is mapped as before.
 * Returns what puts the previous formatter back.
 */
function cheapDebugStackTraces(): () => void {
  const mapped = Error.prepareStackTrace;
  if (mapped === undefined) {
    return () => undefined;
  }
  Error.prepareStackTrace = (error, frames) =>
    frames[0]?.getFunctionName() === "debuggablePromise"
      ? `${error}${frames.map((frame) => `\n    at ${frame}`).join("")}`
      : mapped(error, frames);
  return () => {
    Error.prepareStackTrace = mapped;
  };
}

/** A run that failed, with what the program registered before it did. */
export interface FailedOfflineRun extends OfflineRun {
  readonly error: unknown;
}

/**
 * Like {@link runOffline}, but a failing program resolves with its error and what it had
 * registered. Runs are serialised: Pulumi's runtime state is process-wide.
 */
export function runOfflineSettled(
  options: OfflineRunOptions,
): Promise<OfflineRun | FailedOfflineRun> {
  const run = queue.then(() => runOfflineNow(options));
  queue = run.then(
    () => undefined,
    () => undefined,
  );
  return run;
}

let queue: Promise<unknown> = Promise.resolve();

async function runOfflineNow(options: OfflineRunOptions): Promise<OfflineRun | FailedOfflineRun> {
  await pulumi.runtime.setMocks(
    options.mocks,
    options.project,
    options.stack,
    options.preview ?? true,
  );
  pulumi.runtime.setAllConfig({ ...options.config }, [...(options.secretKeys ?? [])]);
  const recorder = recordRegistrations(options.onRegistered);
  const captured = captureLogsAndFailures();
  let outcome: { outputs: unknown } | { error: unknown };
  const restoreStackTraces = cheapDebugStackTraces();
  try {
    const outputs = await pulumi.runtime
      .runInPulumiStack(async () => options.program())
      .finally(() => pulumi.runtime.disconnect());
    outcome = { outputs };
  } catch (error) {
    outcome = { error };
  } finally {
    restoreStackTraces();
  }
  // A failing program also rejects promises the SDK derived from it (the stack's own
  // registration, say); let them surface here rather than as unhandled rejections later.
  await new Promise((resolve) => setImmediate(resolve));
  captured.stop();
  const { logs, failures } = captured;
  const resources = recorder.registered();
  // The engine stops at the first duplicate URN, whatever the program did after it.
  if (recorder.duplicates.length > 0) {
    return { resources, outputs: {}, logs, error: recorder.duplicates[0] };
  }
  if ("error" in outcome) {
    return { resources, outputs: {}, logs, error: outcome.error };
  }
  if (failures.length > 0) {
    return { resources, outputs: {}, logs, error: failures[0] };
  }
  return { resources, outputs: (outcome.outputs as Record<string, any>) ?? {}, logs };
}

/** What a run's mock monitor recorded: the resources, and the duplicate URNs it refused. */
interface RegistrationRecorder {
  readonly duplicates: readonly DuplicateUrnError[];
  /** The resources, in the order the program declared them. */
  registered(): RegisteredResource[];
}

/**
 * Records every resource registered or read through the mock monitor, with the options the
 * mock API does not pass to `newResource`, and refuses a second registration of one URN.
 */
function recordRegistrations(
  onRegistered: OfflineRunOptions["onRegistered"],
): RegistrationRecorder {
  const resources = new Map<string, RegisteredResource>();
  // Every URN registered (or read) so far: a second registration of one fails, as in the engine.
  const registrations = new Map<string, Registration>();
  const duplicates: DuplicateUrnError[] = [];
  // Registrations complete in any order; list resources in the order the program declared them.
  const declared = new Map<any, number>();
  const order = new Map<string, number>();
  const claim = (urn: string, registration: Registration, callback: Callback): boolean => {
    const first = registrations.get(urn);
    if (first === undefined) {
      registrations.set(urn, registration);
      return true;
    }
    const error = new DuplicateUrnError(urn, first, registration);
    duplicates.push(error);
    // As the engine answers: a failed RPC whose details are the message.
    callback(Object.assign(new Error(error.message), { code: 2, details: error.message }));
    return false;
  };
  const record = (req: any, resource: RegisteredResource) => {
    resources.set(resource.urn, resource);
    order.set(resource.urn, declared.get(req)!);
    onRegistered?.(resources.get(resource.urn)!);
  };
  const monitor = pulumi.runtime.getMonitor() as any;
  const registerResource = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req: any, callback: Callback) => {
    declared.set(req, declared.size);
    return registerResource(req, (err: unknown, response: any) => {
      if (!err) {
        const urn: string = response.getUrn();
        if (!claim(urn, registrationOf(req, req.getObject(), false), callback)) {
          return;
        }
        record(req, registeredResource(urn, req, response));
      }
      callback(err, response);
    });
  };
  const readResource = monitor.readResource.bind(monitor);
  monitor.readResource = (req: any, callback: Callback) => {
    declared.set(req, declared.size);
    return readResource(req, (err: unknown, response: any) => {
      if (!err) {
        const urn: string = response.getUrn();
        if (!claim(urn, registrationOf(req, req.getProperties(), true), callback)) {
          return;
        }
        record(req, readResourceOf(urn, req, response));
      }
      callback(err, response);
    });
  };
  const registerResourceOutputs = monitor.registerResourceOutputs.bind(monitor);
  monitor.registerResourceOutputs = (req: any, callback: Callback) => {
    const resource = resources.get(req.getUrn());
    if (resource) {
      resource.outputs = req.getOutputs()?.toJavaScript() ?? {};
    }
    return registerResourceOutputs(req, callback);
  };
  return {
    duplicates,
    registered: () => [...resources.values()].sort((a, b) => order.get(a.urn)! - order.get(b.urn)!),
  };
}

/** One registration or read of a URN, as a duplicate's message tells them apart. */
function registrationOf(req: any, properties: any, read: boolean): Registration {
  return {
    parent: req.getParent() || undefined,
    inputs: unwrapSecrets(pulumi.runtime.deserializeProperties(properties)),
    sourcePosition: sourcePositionOf(req),
    read,
  };
}

/** A registered resource, from its request and the (mock) provider's response. */
function registeredResource(urn: string, req: any, response: any): RegisteredResource {
  const propertyDependencies: Record<string, string[]> = {};
  req.getPropertydependenciesMap().forEach((deps: any, key: string) => {
    propertyDependencies[key] = deps.getUrnsList();
  });
  return {
    urn,
    type: req.getType(),
    name: req.getName(),
    custom: req.getCustom(),
    parent: req.getParent() || undefined,
    provider: req.getProvider() || undefined,
    ...unwrapInputs(pulumi.runtime.deserializeProperties(req.getObject())),
    outputs: unwrapSecrets(pulumi.runtime.deserializeProperties(response.getObject())),
    id: response.getId() || undefined,
    protect: req.getProtect(),
    retainOnDelete: req.getRetainondelete(),
    importId: req.getImportid() || undefined,
    ignoreChanges: req.getIgnorechangesList(),
    dependencies: req.getDependenciesList(),
    propertyDependencies,
    read: false,
    sourcePosition: sourcePositionOf(req),
  };
}

/** A resource read with `.get`, from its request and the (mock) provider's response. */
function readResourceOf(urn: string, req: any, response: any): RegisteredResource {
  return {
    urn,
    type: req.getType(),
    name: req.getName(),
    custom: true,
    parent: req.getParent() || undefined,
    provider: req.getProvider() || undefined,
    ...unwrapInputs(pulumi.runtime.deserializeProperties(req.getProperties())),
    outputs: unwrapSecrets(pulumi.runtime.deserializeProperties(response.getProperties())),
    id: req.getId() || undefined,
    protect: false,
    retainOnDelete: false,
    ignoreChanges: [],
    dependencies: req.getDependenciesList(),
    propertyDependencies: {},
    read: true,
  };
}

/**
 * Under mocks there is no engine, and pulumi.log writes to the console; keep those messages
 * with the run instead, and collect failures the program did not await, until `stop`.
 */
function captureLogsAndFailures(): {
  readonly logs: LogMessage[];
  readonly failures: unknown[];
  stop(): void;
} {
  const logs: LogMessage[] = [];
  const failures: unknown[] = [];
  const { warn, error, info } = console;
  const capture = (severity: LogMessage["severity"]) => (message?: unknown) => {
    logs.push({
      severity,
      message: String(message).replace(/^(warning|error|info): \[runtime\] /, ""),
    });
  };
  console.warn = capture("warning");
  console.error = capture("error");
  console.info = capture("info");
  const onRejection = (reason: unknown) => failures.push(reason);
  process.on("unhandledRejection", onRejection);
  return {
    logs,
    failures,
    stop: () => {
      process.off("unhandledRejection", onRejection);
      Object.assign(console, { warn, error, info });
    },
  };
}
