import type { ResourceValidationPolicy } from "@pulumi/policy";
import { charsOf, concat, literal, plus, union } from "../../iam/automaton";
import { judgeResource } from "../../lib/judge";
import { registryScanningRules, registrySettings } from "../../resources/registries";
import { unscannedName } from "../../resources/scanning";

/** ECR repository names: lower-case path components separated by `/`. */
const repositoryName = concat(
  [plus(charsOf("abcdefghijklmnopqrstuvwxyz0123456789"))],
  union(literal(""), [plus(charsOf("abcdefghijklmnopqrstuvwxyz0123456789._/-"))]),
);

/** Frequencies that scan every image when it is pushed, or continuously. */
const scanningFrequencies = ["SCAN_ON_PUSH", "CONTINUOUS_SCAN"];

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
    judgeResource(args, reportViolation, (resource, reportViolation) => {
      const registry = registrySettings(resource);
      if (registry?.scanOnPush !== undefined && !registry.scanOnPush()) {
        reportViolation(
          `ECR repository must enable scan on push: set ${registry.paths.scanOnPush} = true`,
        );
      }
      const scanning = registryScanningRules(resource);
      if (scanning !== undefined) {
        // Registry-level rules replace the repositories' own setting: a name they leave out is not
        // scanned at all.
        const unscanned = unscannedName(repositoryName, scanning.rules, scanningFrequencies);
        if (unscanned !== undefined) {
          reportViolation(
            `ECR registry scanning configuration must scan every repository on push or continuously: its rules leave out repositories such as "${unscanned}", whose images would then never be scanned; add a SCAN_ON_PUSH rule with the filter "*"`,
          );
        }
      }
    }),
};
