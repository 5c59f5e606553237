import * as grpc from "@grpc/grpc-js";
import { ChildProcess, spawn } from "child_process";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import * as path from "path";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as proto from "@pulumi/pulumi/proto/analyzer_pb";

export type EnforcementLevel = "advisory" | "mandatory" | "disabled" | "remediate";

const levelNames: Record<number, EnforcementLevel> = {
  [proto.EnforcementLevel.ADVISORY]: "advisory",
  [proto.EnforcementLevel.MANDATORY]: "mandatory",
  [proto.EnforcementLevel.DISABLED]: "disabled",
  [proto.EnforcementLevel.REMEDIATE]: "remediate",
};
const levelNumbers = Object.fromEntries(
  Object.entries(levelNames).map(([n, name]) => [name, Number(n)]),
);
const severityNames = ["", "low", "medium", "high", "critical"];

/** What `GetAnalyzerInfo` says of one policy. */
export interface PolicyInfo {
  readonly name: string;
  readonly description: string;
  readonly enforcementLevel: EnforcementLevel;
  readonly severity: string;
  readonly remediationSteps: string;
  readonly type: "resource" | "stack";
  readonly configSchema?: {
    readonly properties: Record<string, any>;
    readonly required: readonly string[];
  };
}

export interface AnalyzerInfo {
  readonly name: string;
  readonly version: string;
  readonly supportsConfig: boolean;
  readonly policies: readonly PolicyInfo[];
}

/** A resource as the engine describes it to analyzers. */
export interface AnalyzerResource {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  /** Inputs for `Analyze`; outputs for `AnalyzeStack`. */
  readonly properties: Record<string, unknown>;
  readonly parent?: string;
  readonly protect?: boolean;
  readonly ignoreChanges?: readonly string[];
  readonly dependencies?: readonly string[];
  readonly propertyDependencies?: Readonly<Record<string, readonly string[]>>;
  readonly provider?: {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly properties: Record<string, unknown>;
  };
}

export interface Diagnostic {
  readonly policyName: string;
  readonly policyPackName: string;
  readonly policyPackVersion: string;
  readonly description: string;
  readonly message: string;
  readonly enforcementLevel: EnforcementLevel;
  readonly urn: string;
  readonly severity: string;
}

/** A policy that said it does not apply, and why when it said. */
export interface NotApplicable {
  readonly policyName: string;
  readonly reason: string;
}

/** What an `Analyze` or `AnalyzeStack` call answers. */
export interface AnalyzerAnswer {
  readonly diagnostics: Diagnostic[];
  readonly notApplicable: NotApplicable[];
}

function answerOf(response: proto.AnalyzeResponse): AnalyzerAnswer {
  return {
    diagnostics: response.getDiagnosticsList().map(diagnostic),
    notApplicable: response
      .getNotApplicableList()
      .map((n) => ({ policyName: n.getPolicyName(), reason: n.getReason() })),
  };
}

/** One policy's effective config, as the CLI sends it in `Configure`. */
export interface PolicyConfig {
  readonly enforcementLevel: EnforcementLevel;
  readonly properties: Record<string, unknown>;
}

/** The string the engine puts where a value is unknown during preview. */
export const unknownValue = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

function toStruct(value: Record<string, unknown>): Struct {
  return Struct.fromJavaScript(JSON.parse(JSON.stringify(value ?? {})));
}

function resourceOptions(resource: AnalyzerResource): proto.AnalyzerResourceOptions {
  const options = new proto.AnalyzerResourceOptions();
  options.setProtect(resource.protect ?? false);
  options.setIgnorechangesList([...(resource.ignoreChanges ?? [])]);
  if (resource.parent) {
    options.setParent(resource.parent);
  }
  return options;
}

function providerResource(resource: AnalyzerResource): proto.AnalyzerProviderResource | undefined {
  if (!resource.provider) {
    return undefined;
  }
  const provider = new proto.AnalyzerProviderResource();
  provider.setUrn(resource.provider.urn);
  provider.setType(resource.provider.type);
  provider.setName(resource.provider.name);
  provider.setProperties(toStruct(resource.provider.properties));
  return provider;
}

/** The fields `AnalyzeRequest` and `AnalyzerResource` share, set from a resource. */
function describe<T extends proto.AnalyzeRequest | proto.AnalyzerResource>(
  message: T,
  resource: AnalyzerResource,
): T {
  message.setUrn(resource.urn);
  message.setType(resource.type);
  message.setName(resource.name);
  message.setProperties(toStruct(resource.properties));
  message.setOptions(resourceOptions(resource));
  const provider = providerResource(resource);
  if (provider) {
    message.setProvider(provider);
  }
  return message;
}

/** Diagnostics of an `Analyze` call, tied to the resource analyzed, as the engine ties them. */
export function tiedTo(urn: string, diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return diagnostics.map((d) => (d.urn ? d : { ...d, urn }));
}

/** The engine's `Analyze` request for one resource. */
export function analyzeRequest(resource: AnalyzerResource): proto.AnalyzeRequest {
  return describe(new proto.AnalyzeRequest(), resource);
}

/** The engine's `AnalyzeStack` request for these resources. */
export function analyzeStackRequest(
  resources: readonly AnalyzerResource[],
): proto.AnalyzeStackRequest {
  const request = new proto.AnalyzeStackRequest();
  request.setResourcesList(resources.map(stackResourceMessage));
  return request;
}

/** One resource of an `AnalyzeStack` request, with its parent and dependencies. */
export function stackResourceMessage(resource: AnalyzerResource): proto.AnalyzerResource {
  const r = describe(new proto.AnalyzerResource(), resource);
  if (resource.parent) {
    r.setParent(resource.parent);
  }
  r.setDependenciesList([...(resource.dependencies ?? [])]);
  const dependencies = r.getPropertydependenciesMap();
  for (const [key, urns] of Object.entries(resource.propertyDependencies ?? {})) {
    const entry = new proto.AnalyzerPropertyDependencies();
    entry.setUrnsList([...urns]);
    dependencies.set(key, entry);
  }
  return r;
}

function diagnostic(d: proto.AnalyzeDiagnostic): Diagnostic {
  return {
    policyName: d.getPolicyname(),
    policyPackName: d.getPolicypackname(),
    policyPackVersion: d.getPolicypackversion(),
    description: d.getDescription(),
    message: d.getMessage(),
    enforcementLevel: levelNames[d.getEnforcementlevel()],
    urn: d.getUrn(),
    severity: severityNames[d.getSeverity()] ?? "",
  };
}

function call<Req, Res>(
  method: (req: Req, cb: (err: grpc.ServiceError | null, res: Res) => void) => unknown,
  request: Req,
): Promise<Res> {
  return new Promise((resolve, reject) =>
    method(request, (err, res) => (err ? reject(err) : resolve(res))),
  );
}

/** A command that starts a process. */
export interface ProcessCommand {
  readonly file: string;
  readonly args: readonly string[];
  readonly cwd: string;
}

/**
 * How the Pulumi CLI starts the pack in `packDir`: `@pulumi/pulumi/cmd/run-policy-pack` in the
 * pack's directory, given the engine's address (packs only log through it; none runs here),
 * which prints the port it serves on.
 */
export function policyPackCommand(
  packDir: string,
  nodeArguments: readonly string[] = [],
): ProcessCommand {
  const directory = path.resolve(packDir);
  const runPolicyPack = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", {
    paths: [directory],
  });
  return {
    file: process.execPath,
    args: [...nodeArguments, runPolicyPack, "127.0.0.1:0", directory],
    cwd: directory,
  };
}

/**
 * A policy pack started the way the Pulumi CLI starts it (`@pulumi/pulumi/cmd/run-policy-pack`
 * in the pack's directory, which prints the port it serves on) and spoken to over the Analyzer
 * gRPC protocol, as the engine does during `pulumi preview --policy-pack`.
 */
export class PolicyPackProcess {
  private constructor(
    private readonly child: ChildProcess,
    private readonly client: AnalyzerClient,
  ) {
    process.once("exit", this.killOnExit);
    child.once("exit", () => process.off("exit", this.killOnExit));
  }

  /** The pack's process id (the bench reads the process's peak memory by it). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  static async start(
    packDir: string,
    options: {
      timeoutMs?: number;
      /** Node's own options for the pack's process, e.g. `--cpu-prof` to profile it. */
      nodeArguments?: readonly string[];
    } = {},
  ): Promise<PolicyPackProcess> {
    const command = policyPackCommand(packDir, options.nodeArguments);
    const child = spawn(command.file, command.args, {
      cwd: command.cwd,
      stdio: ["ignore", "pipe", "pipe"],
    });
    return PolicyPackProcess.attach(child, command.cwd, options);
  }

  /** Speaks to a pack started from {@link policyPackCommand} (stdout and stderr piped). */
  static async attach(
    child: ChildProcess,
    directory: string,
    options: { timeoutMs?: number } = {},
  ): Promise<PolicyPackProcess> {
    const port = await new Promise<number>((resolve, reject) => {
      let stdout = "";
      let stderr = "";
      const timer = setTimeout(() => {
        child.kill();
        reject(
          new Error(
            `the policy pack in ${directory} did not print its port within ${options.timeoutMs ?? 60000} ms:\n${stderr}`,
          ),
        );
      }, options.timeoutMs ?? 60000);
      child.stdout!.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
        const line = /^(\d+)\s*$/m.exec(stdout);
        if (line) {
          clearTimeout(timer);
          resolve(Number(line[1]));
        }
      });
      child.stderr!.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      child.on("exit", (code) => {
        clearTimeout(timer);
        reject(
          new Error(
            `the policy pack in ${directory} exited with code ${code} before serving:\n${stderr}${stdout}`,
          ),
        );
      });
    });
    const client = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    return new PolicyPackProcess(child, client);
  }

  /**
   * Kills the pack when this process exits before stopping it: a pack outlives the process
   * that started it, serving, orphaned. Only for a pack this thread started (a worker's end
   * does not tell a pack its main thread started).
   */
  private readonly killOnExit = () => {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill();
    }
  };

  async getAnalyzerInfo(): Promise<AnalyzerInfo> {
    const info = await call<Empty, proto.AnalyzerInfo>(
      this.client.getAnalyzerInfo.bind(this.client),
      new Empty(),
    );
    return {
      name: info.getName(),
      version: info.getVersion(),
      supportsConfig: info.getSupportsconfig(),
      policies: info.getPoliciesList().map((p) => {
        const schema = p.getConfigschema();
        return {
          name: p.getName(),
          description: p.getDescription(),
          enforcementLevel: levelNames[p.getEnforcementlevel()],
          severity: severityNames[p.getSeverity()] ?? "",
          remediationSteps: p.getRemediationSteps(),
          type: p.getPolicyType() === proto.PolicyType.POLICY_TYPE_STACK ? "stack" : "resource",
          ...(schema && {
            configSchema: {
              properties: (schema.getProperties()?.toJavaScript() ?? {}) as Record<string, any>,
              required: schema.getRequiredList(),
            },
          }),
        };
      }),
    };
  }

  /** Sends every policy's enforcement level and settings, as the CLI does before analysis. */
  async configure(config: Readonly<Record<string, PolicyConfig>>): Promise<void> {
    const request = new proto.ConfigureAnalyzerRequest();
    const map = request.getPolicyconfigMap();
    for (const [name, policy] of Object.entries(config)) {
      const entry = new proto.PolicyConfig();
      entry.setEnforcementlevel(levelNumbers[policy.enforcementLevel] as proto.EnforcementLevel);
      entry.setProperties(toStruct(policy.properties));
      map.set(name, entry);
    }
    await call(this.client.configure.bind(this.client), request);
  }

  /** Sends the stack's tags, as the engine does before analysis. */
  async configureStack(tags: Readonly<Record<string, string>>): Promise<void> {
    const request = new proto.AnalyzerStackConfigureRequest();
    const map = request.getTagsMap();
    for (const [key, value] of Object.entries(tags)) {
      map.set(key, value);
    }
    await call(this.client.configureStack.bind(this.client), request);
  }

  /** Runs the resource policies on one resource (its inputs). */
  async analyze(resource: AnalyzerResource): Promise<Diagnostic[]> {
    return (await this.analyzeResponse(resource)).diagnostics;
  }

  /** `analyze`, with the policies that said they do not apply. */
  async analyzeResponse(resource: AnalyzerResource): Promise<AnalyzerAnswer> {
    const request = analyzeRequest(resource);
    const response = await call<proto.AnalyzeRequest, proto.AnalyzeResponse>(
      this.client.analyze.bind(this.client),
      request,
    );
    return answerOf(response);
  }

  /**
   * Runs the stack policies on every resource of the stack (their outputs), given as resources
   * or as the request's messages (built as each resource became known).
   */
  async analyzeStack(
    resources: readonly (AnalyzerResource | proto.AnalyzerResource)[],
  ): Promise<Diagnostic[]> {
    return (await this.analyzeStackResponse(resources)).diagnostics;
  }

  /** `analyzeStack`, with the policies that said they do not apply. */
  async analyzeStackResponse(
    resources: readonly (AnalyzerResource | proto.AnalyzerResource)[],
  ): Promise<AnalyzerAnswer> {
    const request = new proto.AnalyzeStackRequest();
    request.setResourcesList(
      resources.map((r) => (r instanceof proto.AnalyzerResource ? r : stackResourceMessage(r))),
    );
    const response = await call<proto.AnalyzeStackRequest, proto.AnalyzeResponse>(
      this.client.analyzeStack.bind(this.client),
      request,
    );
    return answerOf(response);
  }

  async stop(): Promise<void> {
    this.client.close();
    if (this.child.exitCode === null) {
      const exited = new Promise((resolve) => this.child.once("exit", resolve));
      this.child.kill();
      await exited;
    }
  }
}
