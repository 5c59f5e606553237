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
  return resources.map((r) => {
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
  });
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
  for (const resource of analyzerResources(
    resources.filter((r) => r.custom && !r.read),
    "inputs",
  )) {
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
  config?: { readonly file: PolicyConfigFile; readonly source: string },
): Promise<PolicyReport> {
  return startedPolicyPack(packDir).check(resources, config);
}

/** A pack starting in the background, to analyze resources once they are known. */
export interface StartingPolicyPack {
  /** Analyzes the resources once the pack serves, then stops it. */
  check(
    resources: readonly RegisteredResource[],
    config?: { readonly file: PolicyConfigFile; readonly source: string },
  ): Promise<PolicyReport>;
  /** Stops the pack without analyzing anything (the program failed). */
  stop(): Promise<void>;
}

/**
 * Starts the pack now (its compiled copy when it has one, see `compiledPack.ts`), so that its
 * start-up overlaps whatever the caller does before it has resources to analyze.
 */
export function startedPolicyPack(packDir: string): StartingPolicyPack {
  const started = PolicyPackProcess.start(runnablePackDir(packDir));
  // A pack that fails to start is reported by check(); until then the failure is held.
  started.catch(() => undefined);
  return {
    async check(resources, config) {
      const pack = await started;
      try {
        return await analyzeWithPolicyPack(pack, resources, config);
      } finally {
        await pack.stop();
      }
    },
    async stop() {
      const pack = await started.catch(() => undefined);
      await pack?.stop();
    },
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
