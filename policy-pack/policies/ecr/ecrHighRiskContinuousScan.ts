import type { PolicyConfigSchema, StackValidationPolicy } from "@pulumi/policy";
import { literal } from "../../iam/automaton";
import { continuousScanRiskLevels, defaultTagPrefix, riskLevels } from "../../governance/registry";
import { awsNativeTypes, awsTypes } from "../../governance/typeTokens";
import { configWithDefaults } from "../../lib/config";
import { eachRepositoryOfRisk, stackReporter } from "../../lib/judge";
import { registryScanningRules } from "../../resources/registries";
import { ScanningRule, unscannedName } from "../../resources/scanning";
import { knownOrUndefined, StackIndex } from "../../resources/stackIndex";

export interface HighRiskContinuousScanConfig {
  readonly tagPrefix: string;
  /** The risk levels whose repositories must be scanned continuously. */
  readonly riskLevels: readonly string[];
  /** Another stack manages the registry's scanning configuration. */
  readonly registryScanningManagedElsewhere: boolean;
}

export const highRiskContinuousScanConfigSchema: PolicyConfigSchema = {
  properties: {
    tagPrefix: { type: "string", minLength: 1, default: defaultTagPrefix },
    riskLevels: {
      type: "array",
      items: { type: "string", enum: [...riskLevels] },
      description: "The risk levels whose repositories must be scanned continuously.",
      default: [...continuousScanRiskLevels],
    },
    registryScanningManagedElsewhere: {
      type: "boolean",
      description:
        "Set when another stack of the account manages the registry's scanning configuration: this stack cannot show which repositories it scans continuously.",
      default: false,
    },
  },
};

/** A registry scanning configuration of the stack, as far as it is known. */
interface ScanningConfiguration {
  readonly name: string;
  readonly scanType: string;
  readonly rules: readonly ScanningRule[];
}

/**
 * Why a repository is not scanned continuously by every scanning configuration of the stack
 * (any of them may be the one in effect), or undefined when it is.
 */
function notScannedContinuously(
  repository: string,
  configurations: readonly ScanningConfiguration[],
): string | undefined {
  if (configurations.length === 0) {
    return "no registry scanning configuration in this stack scans it continuously: set the platform stack's registryScanning to managed, or declare an aws.ecr.RegistryScanningConfiguration with scanType ENHANCED and a CONTINUOUS_SCAN rule whose filter names it (or set registryScanningManagedElsewhere when another stack manages scanning)";
  }
  for (const configuration of configurations) {
    if (configuration.scanType !== "ENHANCED") {
      return `registry scanning configuration "${configuration.name}" uses scanType ${configuration.scanType}, which never scans continuously: use ENHANCED (Amazon Inspector) with a CONTINUOUS_SCAN rule whose filter names "${repository}"`;
    }
    if (
      unscannedName(literal(repository), configuration.rules, ["CONTINUOUS_SCAN"]) !== undefined
    ) {
      return `no CONTINUOUS_SCAN filter of registry scanning configuration "${configuration.name}" matches it: add the filter "${repository}" to its CONTINUOUS_SCAN rule`;
    }
  }
  return undefined;
}

export const ecrHighRiskContinuousScan: StackValidationPolicy = {
  name: "ecr-high-risk-continuous-scan",
  description:
    "High-risk ECR repositories are scanned continuously (enhanced scanning with Amazon Inspector), so vulnerabilities found after an image was pushed are reported too: a CONTINUOUS_SCAN rule of the registry's scanning configuration in the stack matches each.",
  enforcementLevel: "advisory",
  severity: "medium",
  remediationSteps:
    "Set registryScanning: managed in the platform stack that owns the account's registry scanning (it names every high-risk repository in a CONTINUOUS_SCAN rule), or declare an aws.ecr.RegistryScanningConfiguration with scanType ENHANCED and a CONTINUOUS_SCAN rule naming the repository. Enhanced scanning needs Amazon Inspector (the caller needs inspector2:Enable and may create its service-linked role).",
  configSchema: highRiskContinuousScanConfigSchema,
  validateStack: (args, report) => {
    const reportViolation = stackReporter(args.resources, report);
    const config = configWithDefaults<HighRiskContinuousScanConfig>(
      highRiskContinuousScanConfigSchema,
      args.getConfig(),
    );
    if (config.registryScanningManagedElsewhere) {
      return;
    }
    const index = StackIndex.of(args.resources);
    const configurations: ScanningConfiguration[] = [];
    for (const resource of index.ofTypes(
      awsTypes.ecrRegistryScanningConfiguration,
      awsNativeTypes.ecrRegistryScanningConfiguration,
    )) {
      const scanning = knownOrUndefined(() => registryScanningRules(resource));
      if (scanning === undefined) {
        // Unknown during the preview: judged at the update, when it is known.
        return;
      }
      configurations.push({ name: resource.name, ...scanning });
    }
    eachRepositoryOfRisk(index, config.tagPrefix, config.riskLevels, (repository, name, risk) => {
      const reason =
        name === undefined
          ? "it has no name the stack knows, so no filter can be shown to match it: give it a name"
          : notScannedContinuously(name, configurations);
      if (reason !== undefined) {
        reportViolation(
          `ECR repository "${name ?? repository.name}" is tagged "${risk}" risk and must be scanned continuously: ${reason}`,
          repository.urn,
        );
      }
    });
  },
};
