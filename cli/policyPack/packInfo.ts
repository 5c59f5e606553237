import * as fs from "fs";
import * as path from "path";
import type { Policies } from "@pulumi/policy";
import type { AnalyzerInfo } from "./analyzerClient";

/** This package's version, which the policy pack shares (`npm version` writes both). */
export function packageVersion(): string {
  // From the sources (cli/policy) or the build (dist/cli/policy): the package's own manifest.
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, "package.json");
    if (fs.existsSync(manifest)) {
      const { name, version } = JSON.parse(fs.readFileSync(manifest, "utf8"));
      if (name === "@goldenpath/trusted-delivery") {
        return String(version);
      }
    }
    if (path.dirname(dir) === dir) {
      return "unknown";
    }
  }
}

/**
 * A pack's policies as `GetAnalyzerInfo` describes them, built in-process from the policy
 * objects: what config resolution and reports need, without starting the pack.
 */
export function policyPackInfo(name: string, version: string, policies: Policies): AnalyzerInfo {
  return {
    name,
    version,
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
