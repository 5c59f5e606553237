import { AnalyzerInfo } from "../../cli/policy/analyzerClient";
import { policies, policyPackName } from "../../policy-pack/policies";

/** The pack as GetAnalyzerInfo describes it, built from the policies in-process. */
export function packInfo(): AnalyzerInfo {
  return {
    name: policyPackName,
    version: require("../../policy-pack/package.json").version,
    supportsConfig: true,
    policies: policies.map((p) => ({
      name: p.name,
      description: p.description,
      enforcementLevel: p.enforcementLevel ?? "advisory",
      severity: p.severity ?? "",
      remediationSteps: p.remediationSteps ?? "",
      type: "validateStack" in p ? "stack" : "resource",
      configSchema: {
        properties: (p.configSchema?.properties ?? {}) as Record<string, any>,
        required: p.configSchema?.required ?? [],
      },
    })),
  };
}
