import type { ResourceValidationPolicy } from "@pulumi/policy";
import { charsOf, concat, literal, plus, union } from "../../iam/automaton";
import { and, atom, not, or, solve } from "../../iam/formula";
import { compilePattern } from "../../iam/patterns";
import { judgeResource } from "../../lib/judge";
import { registryScanningRules, registrySettings } from "../../resources/registries";

/** ECR repository names: lower-case path components separated by `/`. */
const repositoryName = concat(
  [plus(charsOf("abcdefghijklmnopqrstuvwxyz0123456789"))],
  union(literal(""), [plus(charsOf("abcdefghijklmnopqrstuvwxyz0123456789._/-"))]),
);

/** Frequencies that scan every image when it is pushed, or continuously. */
const scanningFrequencies = ["SCAN_ON_PUSH", "CONTINUOUS_SCAN"];

/**
 * A repository name the registry's scanning rules do not scan on push (or continuously), or
 * undefined when they cover every name. Registry-level rules replace the repositories' own
 * setting, so a configuration that leaves a name out turns scanning off for it.
 */
export function unscannedRepository(
  rules: readonly { frequency: string; filters: string[] }[],
): string | undefined {
  const filters = rules
    .filter((rule) => scanningFrequencies.includes(rule.frequency))
    .flatMap((rule) => rule.filters)
    .map((filter) => compilePattern(filter, { wildcards: true }))
    .flatMap((compiled) => ("language" in compiled ? [compiled.language] : []));
  const result = solve(
    and(atom("name", repositoryName), not(or(...filters.map((l) => atom("name", l))))),
  );
  return result.kind === "found"
    ? (result.values.name ?? "")
    : result.kind === "unknown"
      ? "?"
      : undefined;
}

export const ecrScanOnPush: ResourceValidationPolicy = {
  name: "ecr-scan-on-push",
  description:
    "Every ECR repository scans images for vulnerabilities when they are pushed, and a registry scanning configuration scans every repository on push or continuously (its rules replace the repositories' own setting).",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps:
    'Set imageScanningConfiguration.scanOnPush = true on the repository (TrustedDeliveryPipeline always does); give a registry scanning configuration a SCAN_ON_PUSH or CONTINUOUS_SCAN rule with the filter "*".',
  configSchema: { properties: {} },
  validateResource: (args, reportViolation) =>
    judgeResource(args, reportViolation, () => {
      const registry = registrySettings(args);
      if (registry?.scanOnPush !== undefined && !registry.scanOnPush()) {
        reportViolation(
          `ECR repository must enable scan on push: set ${registry.paths.scanOnPush} = true`,
        );
      }
      const scanning = registryScanningRules(args);
      if (scanning !== undefined) {
        const unscanned = unscannedRepository(scanning.rules);
        if (unscanned !== undefined) {
          reportViolation(
            `ECR registry scanning configuration must scan every repository on push or continuously: its rules leave out repositories such as "${unscanned}", whose images would then never be scanned; add a SCAN_ON_PUSH rule with the filter "*"`,
          );
        }
      }
    }),
};
