import { RegisteredResource } from "../offline/capture";
import { AnalyzerInfo, AnalyzerResource, Diagnostic, PolicyPackProcess } from "./analyzerClient";
import { runnablePackDir } from "./compiledPack";
import { PolicyConfigFile, resolvePolicyConfig } from "./policyConfig";

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
  config?: { readonly file: PolicyConfigFile; readonly source: string },
): Promise<PolicyReport> {
  const info = await pack.getAnalyzerInfo();
  await pack.configure(resolvePolicyConfig(info, config?.file, config?.source));
  const diagnostics: Diagnostic[] = [];
  for (const resource of analyzerResources(resources.filter(analyzed), "inputs")) {
    // The engine ties a resource policy's violations to the resource it analyzed.
    diagnostics.push(
      ...(await pack.analyze(resource)).map((d) => (d.urn ? d : { ...d, urn: resource.urn })),
    );
  }
  diagnostics.push(...(await pack.analyzeStack(analyzerResources(resources, "outputs"))));
  return { pack: info, diagnostics };
}

/** Starts the pack in `packDir` as the Pulumi CLI does, analyzes the resources, and stops it. */
export async function checkWithPolicyPack(
  resources: readonly RegisteredResource[],
  packDir: string,
  config?: PolicyConfigSource,
): Promise<PolicyReport> {
  const session = startPolicySession(packDir, config);
  return session.check(resources);
}

/** A policy config file and where it was read from. */
export interface PolicyConfigSource {
  readonly file: PolicyConfigFile;
  readonly source: string;
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

export function startPolicySession(packDir: string, config?: PolicyConfigSource): PolicySession {
  const started = PolicyPackProcess.start(runnablePackDir(packDir));
  const ready = started.then(async (pack) => {
    const info = await pack.getAnalyzerInfo();
    await pack.configure(resolvePolicyConfig(info, config?.file, config?.source));
    return { pack, info };
  });
  // Failures are reported by check(); until then they are held, never unhandled.
  ready.catch(() => undefined);
  const byUrn = new Map<string, RegisteredResource>();
  const analyses = new Map<string, Promise<Diagnostic[]>>();
  const analyze = (resource: RegisteredResource) => {
    const request = analyzerResource(resource, "inputs", byUrn);
    const analysis = ready.then(async ({ pack }) =>
      // The engine ties a resource policy's violations to the resource it analyzed.
      (await pack.analyze(request)).map((d) => (d.urn ? d : { ...d, urn: resource.urn })),
    );
    analysis.catch(() => undefined);
    analyses.set(resource.urn, analysis);
  };
  const stop = async () => {
    const pack = await started.catch(() => undefined);
    await pack?.stop();
  };
  return {
    registered(resource) {
      byUrn.set(resource.urn, resource);
      if (analyzed(resource) && !analyses.has(resource.urn)) {
        analyze(resource);
      }
    },
    async check(resources) {
      try {
        for (const resource of resources) {
          byUrn.set(resource.urn, resource);
        }
        for (const resource of resources.filter((r) => analyzed(r) && !analyses.has(r.urn))) {
          analyze(resource);
        }
        const { pack, info } = await ready;
        const diagnostics: Diagnostic[] = [];
        for (const resource of resources.filter(analyzed)) {
          diagnostics.push(...(await analyses.get(resource.urn)!));
        }
        diagnostics.push(...(await pack.analyzeStack(analyzerResources(resources, "outputs"))));
        return { pack: info, diagnostics };
      } finally {
        await stop();
      }
    },
    stop,
  };
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
