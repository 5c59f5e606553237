/**
 * The Analyzer protocol's `Analyze` and `AnalyzeStack`, served with one reading of the request
 * for every policy.
 *
 * `@pulumi/policy` (1.21) builds each resource's view again for every policy it runs: its
 * options, provider, property dependencies, and (for `AnalyzeStack`) the map from URNs that links
 * parents and dependencies. With nine stack policies and 12,000 resources that was about half of
 * an `AnalyzeStack` call. Here the view is built once per call and every policy is given it; the
 * rest is the SDK's handler as shipped, step for step: which policies run at which enforcement
 * level (the `Configure` call's, the policy's, the pack's), which are not applicable and why, what
 * an unknown value or `notApplicable()` does, how violations are reported, and the response.
 * `test/policy-pack/analyzerService.test.ts` compares both handlers' responses on the same
 * requests.
 *
 * It is wired in where the SDK registers its handlers with gRPC, and only there: `serve` (which
 * `PolicyPack` calls through the module object) registers the service with our two handlers in
 * place of the SDK's, and with `Configure` and `ConfigureStack` also recorded here. If the SDK's
 * modules are not where this expects them, nothing is replaced and the SDK serves as shipped.
 *
 * The service's `Analyze` and `AnalyzeStack` requests are read with each resource's properties
 * left as bytes until a policy reads them (`analyzerRequests.ts`), for these handlers only.
 *
 * Derived from `@pulumi/policy` 1.21's `server.js` (Apache License 2.0, Copyright 2016-2020,
 * Pulumi Corporation); see `policy-pack/NOTICE`.
 */
import * as path from "path";
import { AnalyzerProtos, requestsWithPropertiesWhenAsked } from "./analyzerRequests";

type Level = "advisory" | "mandatory" | "remediate" | "disabled";

/** What the engine's `Configure` and `ConfigureStack` calls said. */
export interface AnalyzerState {
  /** Each policy's configuration, with its enforcement level (as the SDK keeps it). */
  config: Record<string, Record<string, unknown>>;
  stackTags: StackTags;
}

/** The stack's tags as policies see them: a read-only view of a map. */
type StackTags = ReturnType<typeof frozenMap>;

interface PackInfo {
  readonly name: string;
  readonly version: string;
  readonly enforcementLevel: Level;
  readonly policies: readonly any[];
}

interface Sdk {
  readonly server: any;
  readonly policy: any;
  readonly protoutil: any;
  readonly proxy: any;
  readonly deserialize: any;
  readonly analyzerProto: any;
  /** The `Struct` messages `analyzerProto` reads properties into (its own copy of google-protobuf). */
  readonly structProto: any;
  /** That copy of google-protobuf. */
  readonly protobuf: any;
  readonly grpc: any;
}

const marker = Symbol.for("trusted-delivery.analyzerService");

/** The SDK's modules, read once; null when one is missing. */
let modulesRead: Sdk | null | undefined;

/** The SDK's modules, as its server requires them; undefined when one is missing. */
function sdk(): Sdk | undefined {
  modulesRead ??= readSdk() ?? null;
  return modulesRead ?? undefined;
}

function readSdk(): Sdk | undefined {
  try {
    /* eslint-disable @typescript-eslint/no-require-imports -- the module objects themselves */
    const requireFrom = (file: string, id: string) =>
      require(require.resolve(id, { paths: [path.dirname(file)] }));
    const serverPath = require.resolve("@pulumi/policy/server");
    const analyzerPath = require.resolve("@pulumi/pulumi/proto/analyzer_pb", {
      paths: [path.dirname(serverPath)],
    });
    return {
      server: require(serverPath),
      policy: require("@pulumi/policy/policy"),
      protoutil: require("@pulumi/policy/protoutil"),
      proxy: require("@pulumi/policy/proxy"),
      deserialize: require("@pulumi/policy/deserialize"),
      analyzerProto: require(analyzerPath),
      structProto: requireFrom(analyzerPath, "google-protobuf/google/protobuf/struct_pb"),
      protobuf: requireFrom(analyzerPath, "google-protobuf"),
      grpc: requireFrom(serverPath, "@grpc/grpc-js"),
    };
    /* eslint-enable @typescript-eslint/no-require-imports */
  } catch {
    return undefined;
  }
}

/**
 * Makes the pack's server answer `Analyze` and `AnalyzeStack` with `makeAnalyze` and
 * `makeAnalyzeStack`; true when it will. Call before `new PolicyPack`.
 */
export function serveSharedAnalysis(): boolean {
  const modules = sdk();
  const { server, grpc } = modules ?? {};
  const usable =
    modules !== undefined &&
    typeof server?.serve === "function" &&
    typeof grpc?.Server?.prototype?.addService === "function" &&
    typeof modules.protoutil.makeAnalyzeResponse === "function" &&
    typeof modules.protoutil.asGrpcError === "function" &&
    typeof modules.protoutil.convertEnforcementLevel === "function" &&
    typeof modules.policy.isStackPolicy === "function" &&
    typeof modules.policy.isResourcePolicy === "function" &&
    typeof modules.policy.getPulumiType === "function" &&
    typeof modules.proxy.UnknownValueError === "function" &&
    typeof modules.analyzerProto.PolicyNotApplicable === "function" &&
    typeof modules.analyzerProto.AnalyzeRequest?.deserializeBinary === "function" &&
    typeof modules.analyzerProto.AnalyzeStackRequest?.deserializeBinary === "function" &&
    typeof modules.structProto.Struct?.deserializeBinaryFromReader === "function" &&
    typeof modules.protobuf.BinaryReader?.prototype?.getBuffer === "function";
  if (!usable) {
    return false;
  }
  if (server.serve[marker]) {
    return true;
  }
  const serve = server.serve;
  server.serve = Object.assign(
    (
      name: string,
      version: string,
      enforcementLevel: Level,
      args: { policies?: readonly any[] },
      initialConfig: unknown,
    ) => {
      const pack: PackInfo = { name, version, enforcementLevel, policies: args.policies ?? [] };
      const addService = grpc.Server.prototype.addService;
      grpc.Server.prototype.addService = function (service: any, implementation: any) {
        const shared = withSharedAnalysis(implementation, pack);
        return addService.call(
          this,
          shared === implementation ? service : readingPropertiesWhenAsked(service, modules),
          shared,
        );
      };
      try {
        return serve(name, version, enforcementLevel, args, initialConfig);
      } finally {
        grpc.Server.prototype.addService = addService;
      }
    },
    { [marker]: serve },
  );
  return true;
}

/** Whether the pack's server will answer `Analyze` and `AnalyzeStack` with our handlers. */
export function sharedAnalysisServed(): boolean {
  return Boolean(sdk()?.server?.serve?.[marker]);
}

/** Puts the SDK's own `serve` back (for tests that load the pack's entry in their process). */
export function stopServingSharedAnalysis(): void {
  const server = sdk()?.server;
  if (server?.serve?.[marker]) {
    server.serve = server.serve[marker];
  }
}

/**
 * The Analyzer service's definition with `Analyze` and `AnalyzeStack` requests read by
 * `analyzerRequests.ts` (each resource's properties decoded when a policy first reads them),
 * for our handlers only: they read a request through its getters, as that reader provides them.
 */
function readingPropertiesWhenAsked(service: any, modules: Sdk): any {
  const protos: AnalyzerProtos = { struct: modules.structProto, protobuf: modules.protobuf };
  const methods: [string, any][] = [
    ["analyze", modules.analyzerProto.AnalyzeRequest],
    ["analyzeStack", modules.analyzerProto.AnalyzeStackRequest],
  ];
  if (!methods.every(([m]) => typeof service?.[m]?.requestDeserialize === "function")) {
    return service;
  }
  const read = { ...service };
  for (const [method, messageClass] of methods) {
    read[method] = {
      ...service[method],
      requestDeserialize: requestsWithPropertiesWhenAsked(messageClass, protos),
    };
  }
  return read;
}

/** The Analyzer service's handlers with ours for `Analyze` and `AnalyzeStack`. */
function withSharedAnalysis(implementation: any, pack: PackInfo): any {
  const handlers = ["analyze", "analyzeStack", "configure", "configureStack"];
  if (!handlers.every((h) => typeof implementation?.[h] === "function")) {
    return implementation;
  }
  const state = newAnalyzerState();
  return {
    ...implementation,
    analyze: makeAnalyze(pack, state),
    analyzeStack: makeAnalyzeStack(pack, state),
    configure: (call: any, callback: any) => {
      recordConfigure(call.request, state);
      return implementation.configure(call, callback);
    },
    configureStack: (call: any, callback: any) => {
      recordConfigureStack(call.request, state);
      return implementation.configureStack(call, callback);
    },
  };
}

export function newAnalyzerState(): AnalyzerState {
  return { config: {}, stackTags: frozenMap(new Map()) };
}

/**
 * What `Configure` sets, read as the SDK reads it. A request it cannot read leaves the state as
 * it was; the SDK's own handler then answers with the error.
 */
export function recordConfigure(request: any, state: AnalyzerState): void {
  const { protoutil } = sdk()!;
  try {
    const config: Record<string, Record<string, unknown>> = {};
    for (const [k, v] of request.getPolicyconfigMap().entries()) {
      const props = v.getProperties().toJavaScript();
      props.enforcementLevel = protoutil.convertEnforcementLevel(v.getEnforcementlevel());
      config[k] = props;
    }
    state.config = config;
  } catch {
    // The SDK's handler reports it.
  }
}

/** What `ConfigureStack` sets: the stack's tags, read as the SDK reads them. */
export function recordConfigureStack(request: any, state: AnalyzerState): void {
  try {
    const map = new Map<string, string>();
    request.getTagsMap().forEach((v: string, k: string) => map.set(k, v));
    state.stackTags = frozenMap(map);
  } catch {
    // The SDK's handler reports it.
  }
}

/** A read-only view of a map, as the SDK gives policies the stack's tags. */
function frozenMap(map: Map<string, string>) {
  return Object.freeze({
    entries: map.entries.bind(map),
    forEach: map.forEach.bind(map),
    get: map.get.bind(map),
    has: map.has.bind(map),
    keys: map.keys.bind(map),
    size: map.size,
    values: map.values.bind(map),
    [Symbol.iterator]: map[Symbol.iterator].bind(map),
  });
}

class NotApplicableError extends Error {
  constructor(readonly reason?: string) {
    super(reason ?? "Policy does not apply");
  }
}

function throwNotApplicable(reason?: string): never {
  throw new NotApplicableError(reason);
}

function levelOf(policy: any, pack: PackInfo, state: AnalyzerState): Level {
  return (
    (state.config[policy.name]?.enforcementLevel as Level | undefined) ||
    policy.enforcementLevel ||
    pack.enforcementLevel
  );
}

function getConfigOf(policyName: string, state: AnalyzerState): () => Record<string, unknown> {
  return () => {
    const c = state.config[policyName];
    if (!c) {
      return {};
    }
    // eslint-disable-next-line @typescript-eslint/no-unused-vars -- every property but this one
    const { enforcementLevel, ...properties } = c;
    return properties;
  };
}

function reportViolationOf(
  policy: any,
  pack: PackInfo,
  enforcementLevel: Level,
  ds: any[],
): (message: any, urn?: string) => void {
  const description = policy.description;
  return (message, urn) => {
    if (typeof message === "object") {
      ds.push({
        policyName: message.name || policy.name,
        policyPackName: pack.name,
        policyPackVersion: pack.version,
        message: message.message || message.description || description,
        urn: message.urn,
        description: message.description || description,
        enforcementLevel: message.enforcementLevel || enforcementLevel,
        severity: message.severity || policy.severity,
      });
    } else {
      ds.push({
        policyName: policy.name,
        policyPackName: pack.name,
        policyPackVersion: pack.version,
        message: message ? `${description}\n${message}` : description,
        urn,
        description,
        enforcementLevel,
        severity: policy.severity,
      });
    }
  };
}

/** What one `Analyze` or `AnalyzeStack` call collects: diagnostics, and policies that do not apply. */
class CallAnswer {
  readonly diagnostics: any[] = [];
  private notApplicable?: any[];

  constructor(
    private readonly modules: Sdk,
    private readonly pack: PackInfo,
  ) {}

  notApplies(policyName: string, reason?: string): void {
    const na = new this.modules.analyzerProto.PolicyNotApplicable();
    na.setPolicyName(policyName);
    if (reason) {
      na.setReason(reason);
    }
    (this.notApplicable ??= []).push(na);
  }

  /**
   * Runs one validation of a policy. A failure is what the SDK makes of it: an unknown value an
   * advisory diagnostic, `notApplicable()` a policy that does not apply, anything else an error
   * of the call naming the policy. The SDK awaits every validation; here only one that returns
   * a promise (or any thenable) is waited for, and a synchronous one (every policy of this pack)
   * costs no promise: the same diagnostics in the same order, one call's policies being run one
   * after another either way. Returns the promise to wait for, or undefined when done.
   */
  validate(
    policy: any,
    validatorKey: "validateResource" | "validateStack",
    validation: () => unknown,
  ): Promise<void> | undefined {
    let result: unknown;
    try {
      result = validation();
    } catch (error) {
      this.failed(policy, validatorKey, error);
      return undefined;
    }
    if (typeof (result as PromiseLike<unknown> | undefined)?.then !== "function") {
      return undefined;
    }
    return Promise.resolve(result).then(
      () => undefined,
      (error: unknown) => this.failed(policy, validatorKey, error),
    );
  }

  /** Records a validation's failure as the SDK does, or throws the call's error. */
  private failed(
    policy: any,
    validatorKey: "validateResource" | "validateStack",
    error: unknown,
  ): void {
    const { pack } = this;
    const policyFrom = `policy '${policy.name}' from policy pack '${pack.name}@v${pack.version}'`;
    if (error instanceof this.modules.proxy.UnknownValueError) {
      // eslint-disable-next-line @typescript-eslint/no-unused-vars -- every field but these
      const { [validatorKey]: validator, name, ...diag } = policy;
      this.diagnostics.push({
        policyName: name,
        policyPackName: pack.name,
        policyPackVersion: pack.version,
        message: `can't run ${policyFrom} during preview: ${(error as Error).message}`,
        ...diag,
        enforcementLevel: "advisory",
      });
    } else if (error instanceof NotApplicableError) {
      this.notApplies(policy.name, error.reason);
    } else {
      throw this.modules.protoutil.asGrpcError(
        error,
        `Error validating resource with ${policyFrom}`,
      );
    }
  }

  response(): unknown {
    return this.modules.protoutil.makeAnalyzeResponse(this.diagnostics, this.notApplicable);
  }
}

type Callback = (error: unknown, response?: unknown) => void;

/** Answers a call with what `analyse` collects, or with the error it throws. */
async function answerCall(
  modules: Sdk,
  pack: PackInfo,
  callback: Callback,
  analyse: (answer: CallAnswer) => Promise<void>,
): Promise<void> {
  const answer = new CallAnswer(modules, pack);
  try {
    await analyse(answer);
  } catch (error) {
    callback(error, undefined);
    return;
  }
  callback(undefined, answer.response());
}

function isTypeOf(modules: Sdk, type: string, resourceClass: any): boolean {
  const pulumiType = modules.policy.getPulumiType(resourceClass);
  if (pulumiType) {
    return type === pulumiType;
  }
  const isInstance = resourceClass.isInstance;
  return (
    Boolean(isInstance) &&
    typeof isInstance === "function" &&
    isInstance({ __pulumiType: type }) === true
  );
}

function resourceOptions(r: any): Record<string, unknown> {
  const opts = r.getOptions();
  if (!opts) {
    throw new Error(
      "A more recent version of the Pulumi CLI is required. " +
        "To upgrade, see https://www.pulumi.com/docs/get-started/install/",
    );
  }
  const timeouts = opts.getCustomtimeouts();
  const result: Record<string, unknown> = {
    protect: opts.getProtect(),
    ignoreChanges: opts.getIgnorechangesList(),
    aliases: opts.getAliasesList(),
    customTimeouts: {
      createSeconds: timeouts?.getCreate() ?? 0.0,
      updateSeconds: timeouts?.getUpdate() ?? 0.0,
      deleteSeconds: timeouts?.getDelete() ?? 0.0,
    },
    additionalSecretOutputs: opts.getAdditionalsecretoutputsList(),
  };
  if (opts.getDeletebeforereplacedefined()) {
    result.deleteBeforeReplace = opts.getDeletebeforereplace();
  }
  if (opts.getParent()) {
    result.parent = opts.getParent();
  }
  return result;
}

/** A resource's provider, its properties read when first asked for (as a resource's are). */
function providerResource(modules: Sdk, r: any): Record<string, unknown> | undefined {
  const prov = r.getProvider();
  if (!prov) {
    return undefined;
  }
  let props: any;
  return {
    type: prov.getType(),
    get props() {
      return (props ??= modules.proxy.unknownCheckingProxy(
        modules.deserialize.deserializeProperties(prov.getProperties(), false),
      ));
    },
    urn: prov.getUrn(),
    name: prov.getName(),
  };
}

function propertyDependencies(r: any): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  const map = r.getPropertydependenciesMap();
  if (map) {
    for (const [k, v] of map.entries()) {
      result[k] = v.getUrnsList();
    }
  }
  return result;
}

/** Every resource of an `AnalyzeStack` request as stack policies see it, linked as the SDK links them. */
function stackResources(modules: Sdk, resources: readonly any[]): any[] {
  const intermediates = resources.map((r) => {
    const type = r.getType();
    // Read when a policy first asks for them: most of a stack's resources are of types no
    // policy reads (GitHub variables and secrets, components), and reading is most of the cost.
    let props: any;
    const propsOf = () =>
      (props ??= modules.proxy.unknownCheckingProxy(
        modules.deserialize.deserializeProperties(r.getProperties(), false),
      ));
    const resource: any = {
      type,
      get props() {
        return propsOf();
      },
      urn: r.getUrn(),
      name: r.getName(),
      opts: resourceOptions(r),
      dependencies: [],
      propertyDependencies: {},
      isType: (resourceClass: any) => isTypeOf(modules, type, resourceClass),
      asType: (resourceClass: any) =>
        isTypeOf(modules, type, resourceClass) ? propsOf() : undefined,
    };
    const provider = providerResource(modules, r);
    if (provider) {
      resource.provider = provider;
    }
    return {
      resource,
      parent: r.getParent(),
      dependencies: r.getDependenciesList() as string[],
      propertyDependencies: propertyDependencies(r),
    };
  });
  const byUrn = new Map<string, any>();
  for (const i of intermediates) {
    byUrn.set(i.resource.urn, i.resource);
  }
  for (const i of intermediates) {
    if (i.parent) {
      const parent = byUrn.get(i.parent);
      if (parent) {
        i.resource.parent = parent;
      }
    }
    i.resource.dependencies = i.dependencies.map((d) => byUrn.get(d)).filter((d) => d);
    for (const k of Object.keys(i.propertyDependencies)) {
      i.resource.propertyDependencies[k] = i.propertyDependencies[k]
        .map((d) => byUrn.get(d))
        .filter((d) => d);
    }
  }
  return intermediates.map((i) => i.resource);
}

/**
 * The `AnalyzeStack` handler: the SDK's, with the stack read once (on the first policy that
 * runs) and each policy given its own copy of the list of the same resources.
 */
export function makeAnalyzeStack(pack: PackInfo, state: AnalyzerState) {
  const modules = sdk()!;
  return (call: any, callback: Callback): Promise<void> =>
    answerCall(modules, pack, callback, async (answer) => {
      const resources = call.request.getResourcesList();
      let read: any[] | undefined;
      for (const p of pack.policies) {
        let enforcementLevel = levelOf(p, pack, state);
        if (enforcementLevel === "disabled" || !modules.policy.isStackPolicy(p)) {
          continue;
        }
        if (enforcementLevel === "remediate") {
          // Stack policies cannot be remediated, so treat the level as mandatory.
          enforcementLevel = "mandatory";
        }
        const pulumiType = modules.policy.getPulumiType(p.validateStack);
        if (pulumiType && !resources.some((r: any) => r.getType() === pulumiType)) {
          answer.notApplies(p.name, `Policy only applies to resources of type '${pulumiType}'`);
          continue;
        }
        const reportViolation = reportViolationOf(p, pack, enforcementLevel, answer.diagnostics);
        const pending = answer.validate(p, "validateStack", () => {
          read ??= stackResources(modules, resources);
          const args = {
            resources: read.slice(),
            getConfig: getConfigOf(p.name, state),
            stackTags: state.stackTags,
            notApplicable: throwNotApplicable,
          };
          return p.validateStack(args, reportViolation);
        });
        if (pending !== undefined) {
          await pending;
        }
      }
    });
}

/**
 * What a resource policy is given of an `Analyze` request's resource, for the policy named:
 * the SDK's arguments, with the properties read when a policy first asks for them (most
 * resources are of types no policy reads, GitHub variables and secrets above all, and reading
 * is most of the cost) and then shared by every policy, as the resource's options and provider
 * are.
 */
function resourceArguments(
  modules: Sdk,
  req: any,
  state: AnalyzerState,
): (policyName: string) => Record<string, unknown> {
  const type = req.getType();
  let props: any;
  const propsOf = () =>
    (props ??= modules.proxy.unknownCheckingProxy(
      modules.deserialize.deserializeProperties(req.getProperties(), false),
    ));
  let read: { opts: unknown; provider: Record<string, unknown> | undefined } | undefined;
  const isType = (resourceClass: any) => isTypeOf(modules, type, resourceClass);
  const asType = (resourceClass: any) => (isType(resourceClass) ? propsOf() : undefined);
  return (policyName) => {
    read ??= { opts: resourceOptions(req), provider: providerResource(modules, req) };
    const args: Record<string, unknown> = {
      type,
      get props() {
        return propsOf();
      },
      urn: req.getUrn(),
      name: req.getName(),
      opts: read.opts,
      stackTags: state.stackTags,
      isType,
      asType,
      getConfig: getConfigOf(policyName, state),
      notApplicable: throwNotApplicable,
    };
    if (read.provider) {
      args.provider = read.provider;
    }
    return args;
  };
}

/**
 * The `Analyze` handler: the SDK's, with the resource's view (properties, options, provider)
 * read once for every policy.
 */
export function makeAnalyze(pack: PackInfo, state: AnalyzerState) {
  const modules = sdk()!;
  return (call: any, callback: Callback): Promise<void> =>
    answerCall(modules, pack, callback, async (answer) => {
      const req = call.request;
      const type = req.getType();
      const argumentsFor = resourceArguments(modules, req, state);
      for (const p of pack.policies) {
        let enforcementLevel = levelOf(p, pack, state);
        if (enforcementLevel === "disabled" || !modules.policy.isResourcePolicy(p)) {
          continue;
        }
        if (!p.validateResource) {
          answer.notApplies(p.name, "Policy does not implement validateResource");
          continue;
        }
        if (enforcementLevel === "remediate") {
          // A violation left after remediation is reported as mandatory.
          enforcementLevel = "mandatory";
        }
        if (!Array.isArray(p.validateResource)) {
          const pulumiType = modules.policy.getPulumiType(p.validateResource);
          if (pulumiType && type !== pulumiType) {
            answer.notApplies(p.name, `Policy only applies to resources of type '${pulumiType}'`);
            continue;
          }
        }
        const reportViolation = reportViolationOf(p, pack, enforcementLevel, answer.diagnostics);
        const validations = Array.isArray(p.validateResource)
          ? p.validateResource
          : [p.validateResource];
        for (const validation of validations) {
          const pending = answer.validate(p, "validateResource", () =>
            validation(argumentsFor(p.name), reportViolation),
          );
          if (pending !== undefined) {
            await pending;
          }
        }
      }
    });
}
