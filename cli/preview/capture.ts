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
  /**
   * Every input that was a secret, at any depth, by its path from `inputs`: `["value"]`,
   * `["tags", "token"]`, `["rules", 0, "key"]`. Its top-level ones are `secretInputs`.
   */
  readonly secretPaths: readonly InputPath[];
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

/** Where a value is in a resource's inputs: property names and array indices. */
export type InputPath = readonly (string | number)[];

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
  /**
   * Told as the program constructs each resource, before its registration (a stack
   * transformation that changes nothing): the only sign of progress while a large program
   * constructs its resources, which it may do for a while before any registration completes.
   */
  readonly onConstructed?: () => void;
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

/** Where the secrets found while unwrapping are recorded: the path walked, and what was found. */
interface SecretsFound {
  readonly path: (string | number)[];
  readonly paths: InputPath[];
}

/**
 * Replaces secret markers with the values they hold; records where each was in `found`, when
 * given (a secret inside a secret is the outer one's).
 */
function unwrapSecrets(value: any, found?: SecretsFound): any {
  if (isSecretValue(value)) {
    found?.paths.push([...found.path]);
    return unwrapSecrets(value.value);
  }
  if (Array.isArray(value)) {
    return value.map((v, i) => unwrapSecretsAt(i, v, found));
  }
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, unwrapSecretsAt(k, v, found)]),
    );
  }
  return value;
}

/** {@link unwrapSecrets} of the value at `key` of the one being unwrapped. */
function unwrapSecretsAt(key: string | number, value: unknown, found?: SecretsFound): any {
  if (found === undefined) {
    return unwrapSecrets(value);
  }
  found.path.push(key);
  const unwrapped = unwrapSecrets(value, found);
  found.path.pop();
  return unwrapped;
}

/** What most resources have: no secrets (one array for all of them). */
const noSecrets: readonly InputPath[] = Object.freeze([]);

function unwrapInputs(inputs: Record<string, any>): {
  inputs: Record<string, any>;
  secretInputs: string[];
  secretPaths: readonly InputPath[];
} {
  const found: SecretsFound = { path: [], paths: [] };
  return {
    inputs: unwrapSecrets(inputs, found),
    secretInputs: Object.keys(inputs).filter((key) => isSecretValue(inputs[key])),
    secretPaths: found.paths.length === 0 ? noSecrets : found.paths,
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
 * Stack traces, made cheap while a program runs. The SDK makes two kinds by the thousand, and
 * under ts-node every stack trace is mapped through source maps:
 *
 * - it stamps every promise it makes with one (`debuggablePromise`), read only by its report of
 *   leaked promises, and only when `PULUMI_DEBUG_PROMISE_LEAKS` is set. Mapped, the stamps were
 *   most of a large program's run (25 of 68 s at 1,000 apps); formatted even unmapped, a quarter
 *   of the main thread at 3,000 apps, and their frames and strings (a million of each) most of
 *   its garbage. Unless leaks are being debugged, a stamp is now taken with no frames at all
 *   ({@link framelessStamps}); when they are, it is the unmapped trace V8 gives for free;
 * - it takes each resource's source position from a trace of the whole stack
 *   (`Resource.callsites`): the sixth frame is the position, the rest go into the
 *   registration's stack trace, which no mock reads. Those are mapped as before, but only the
 *   first {@link resourceTraceFrames}.
 *
 * Every other trace (the program's errors) is mapped as before. Returns what puts things back.
 */
function cheapStackTraces(): () => void {
  const mapped = Error.prepareStackTrace;
  // Read as the SDK reads it, once, when it loads.
  const keepStamps = Boolean(process.env.PULUMI_DEBUG_PROMISE_LEAKS);
  const restoreStamps = keepStamps ? () => undefined : framelessStamps();
  if (mapped === undefined) {
    return restoreStamps;
  }
  Error.prepareStackTrace = (error, frames) => {
    switch (frames[0]?.getFunctionName()) {
      case "debuggablePromise":
        return `${error}${frames.map((frame) => `\n    at ${frame}`).join("")}`;
      case "callsites":
        return mapped(error, frames.slice(0, resourceTraceFrames));
      default:
        return mapped(error, frames);
    }
  };
  return () => {
    Error.prepareStackTrace = mapped;
    restoreStamps();
  };
}

/** What a promise's description says when it is not kept (see {@link framelessStamps}). */
const unkeptStamp =
  "(set PULUMI_DEBUG_PROMISE_LEAKS to keep promise descriptions and stack traces)";

/**
 * The frames of a resource's stack trace that are mapped: V8's default depth, past the SDK's
 * own five frames (`callsites`, `stackTrace`, the three constructors) and the position after them.
 */
const resourceTraceFrames = 10;

/**
 * Makes the SDK's `debuggablePromise` take its stamp (`new Error().stack`) with V8 keeping no
 * frames, and keep one constant for the description its caller built (a string per promise,
 * read by the same report), and otherwise do what it does (the leak report's bookkeeping
 * included). Its callers read it from its module at each call, so replacing the export reaches
 * them all. Returns what puts the SDK's own back; does nothing if the SDK no longer has it.
 */
function framelessStamps(): () => void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the SDK's internal module, patched for one run
  const debuggable = require("@pulumi/pulumi/runtime/debuggable");
  const stamp = debuggable.debuggablePromise;
  if (typeof stamp !== "function") {
    return () => undefined;
  }
  debuggable.debuggablePromise = function (this: unknown, promise: unknown) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      return stamp.call(this, promise, unkeptStamp);
    } finally {
      Error.stackTraceLimit = limit;
    }
  };
  return () => {
    debuggable.debuggablePromise = stamp;
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
  const restoreStackTraces = cheapStackTraces();
  try {
    const outputs = await pulumi.runtime
      .runInPulumiStack(async () => {
        if (options.onConstructed !== undefined) {
          const constructed = options.onConstructed;
          pulumi.runtime.registerStackTransformation(() => {
            constructed();
            return undefined;
          });
        }
        return options.program();
      })
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
  // Weakly: a request holds its inputs and a stack trace (about 15 KB), needed only until it is
  // answered.
  const declared = new WeakMap<object, number>();
  let declarations = 0;
  const order = new Map<string, number>();
  /** Records the resource, unless its URN was registered before: then fails the registration. */
  const record = (req: any, resource: RegisteredResource, callback: Callback): boolean => {
    const registration = registrationOf(req, resource);
    const first = registrations.get(resource.urn);
    if (first !== undefined) {
      const error = new DuplicateUrnError(resource.urn, first, registration);
      duplicates.push(error);
      // As the engine answers: a failed RPC whose details are the message.
      callback(Object.assign(new Error(error.message), { code: 2, details: error.message }));
      return false;
    }
    registrations.set(resource.urn, registration);
    resources.set(resource.urn, resource);
    order.set(resource.urn, declared.get(req)!);
    onRegistered?.(resource);
    return true;
  };
  const monitor = pulumi.runtime.getMonitor() as any;
  const registerResource = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req: any, callback: Callback) => {
    declared.set(req, declarations++);
    return registerResource(req, (err: unknown, response: any) => {
      if (err || record(req, registeredResource(response.getUrn(), req, response), callback)) {
        callback(err, response);
      }
    });
  };
  const readResource = monitor.readResource.bind(monitor);
  monitor.readResource = (req: any, callback: Callback) => {
    declared.set(req, declarations++);
    return readResource(req, (err: unknown, response: any) => {
      if (err || record(req, readResourceOf(response.getUrn(), req, response), callback)) {
        callback(err, response);
      }
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
function registrationOf(req: any, resource: RegisteredResource): Registration {
  return {
    parent: resource.parent,
    inputs: resource.inputs,
    sourcePosition: sourcePositionOf(req),
    read: resource.read,
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
