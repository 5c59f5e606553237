import type { PolicyConfigSchema, StackValidationPolicy } from "@pulumi/policy";
import { defaultTagPrefix, riskLevels, signedImageRiskLevels } from "../../governance/registry";
import { awsNativeTypes } from "../../governance/typeTokens";
import { configWithDefaults } from "../../lib/config";
import { eachRepositoryOfRisk, stackReporter } from "../../lib/judge";
import {
  registrySigningRules,
  SigningRule,
  signsName,
  unreadableSigningFilters,
} from "../../resources/signing";
import { knownOrUndefined, StackIndex } from "../../resources/stackIndex";

export interface HighRiskSignedConfig {
  readonly tagPrefix: string;
  /** The risk levels whose repositories' images must be signed. */
  readonly riskLevels: readonly string[];
  /** Another stack manages the registry's signing configuration. */
  readonly registrySigningManagedElsewhere: boolean;
}

export const highRiskSignedConfigSchema: PolicyConfigSchema = {
  properties: {
    tagPrefix: { type: "string", minLength: 1, default: defaultTagPrefix },
    riskLevels: {
      type: "array",
      items: { type: "string", enum: [...riskLevels] },
      description: "The risk levels whose repositories' images must be signed on push.",
      default: [...signedImageRiskLevels],
    },
    registrySigningManagedElsewhere: {
      type: "boolean",
      description:
        "Set when another stack of the account manages the registry's signing configuration: this stack cannot show which repositories it signs.",
      default: false,
    },
  },
};

/** A registry signing configuration of the stack, as far as it is known. */
interface SigningConfiguration {
  readonly name: string;
  readonly rules: readonly SigningRule[];
}

/**
 * Why a repository's images are not shown to be signed by every signing configuration of the
 * stack (any of them may be the one in effect: there is one per account and region), or
 * undefined when they are. A filter the rules cannot read never counts as matching.
 */
function notSigned(
  repository: string,
  configurations: readonly SigningConfiguration[],
): string | undefined {
  if (configurations.length === 0) {
    return "no registry signing configuration in this stack signs it: set the platform stack's registrySigning to managed, or declare an aws-native ecr.SigningConfiguration with a rule whose filter names it (or set registrySigningManagedElsewhere when another stack manages signing)";
  }
  for (const configuration of configurations) {
    if (signsName(configuration.rules, repository)) {
      continue;
    }
    const unreadable = unreadableSigningFilters(configuration.rules);
    const fix = `add the filter "${repository}" (filterType WILDCARD_MATCH) to one of its rules`;
    return unreadable.length === 0
      ? `no rule of registry signing configuration "${configuration.name}" matches it: ${fix}`
      : `no rule of registry signing configuration "${configuration.name}" can be shown to match it (it has filters that cannot be read: ${unreadable.join("; ")}): ${fix}`;
  }
  return undefined;
}

/**
 * `ecr-high-risk-signed`: each repository tagged with a risk level whose images must be signed
 * (`signedImageRiskLevels`, high) is matched by a rule of every registry signing configuration
 * of the stack, so ECR managed signing signs each image pushed to it.
 *
 * Advisory, as `ecr-high-risk-continuous-scan` is, although `ecr-risk-tier-controls` (the other
 * high-risk tier rule) is mandatory: that rule judges the repository's own settings, which the
 * stack declaring it always controls, while this one judges the registry's signing
 * configuration, one per account and region that at most one stack (the platform's) manages. A
 * `TrustedDeliveryPipeline` alone never declares it, and the pack holds no mandatory violation
 * on anything the component registers (test/policy-pack/componentAgreement.test.ts): mandatory,
 * it would block every high-risk app stack beside a configuration managed elsewhere. The deploy
 * gate the component generates refuses an image the registry did not sign all the same.
 */
export const ecrHighRiskSigned: StackValidationPolicy = {
  name: "ecr-high-risk-signed",
  description:
    "High-risk ECR repositories have their images signed on push (ECR managed signing with AWS Signer), so a deploy gate or admission policy can refuse an image the registry did not sign: a rule of the registry's signing configuration in the stack matches each.",
  enforcementLevel: "advisory",
  severity: "medium",
  remediationSteps:
    "Set registrySigning: managed in the platform stack that owns the account's registry signing (it creates the environment's AWS Signer profile and names every signed repository in a signing rule), or declare an aws-native ecr.SigningConfiguration with a rule whose WILDCARD_MATCH filter names the repository (a rule without filters signs every repository). Set registrySigningManagedElsewhere when another stack of the account manages the signing configuration.",
  configSchema: highRiskSignedConfigSchema,
  validateStack: (args, report) => {
    const reportViolation = stackReporter(args.resources, report);
    const config = configWithDefaults<HighRiskSignedConfig>(
      highRiskSignedConfigSchema,
      args.getConfig(),
    );
    if (config.registrySigningManagedElsewhere) {
      return;
    }
    const index = StackIndex.of(args.resources);
    const configurations: SigningConfiguration[] = [];
    for (const resource of index.ofTypes(awsNativeTypes.ecrSigningConfiguration)) {
      const rules = knownOrUndefined(() => registrySigningRules(resource));
      if (rules === undefined) {
        // Unknown during the preview (the platform's rules wait for its profile's ARN), or
        // unread by the audit (which reports that): judged at the update, when it is known.
        return;
      }
      configurations.push({ name: resource.name, rules });
    }
    eachRepositoryOfRisk(index, config.tagPrefix, config.riskLevels, (repository, name, risk) => {
      const reason =
        name === undefined
          ? "it has no name the stack knows, so no filter can be shown to match it: give it a name"
          : notSigned(name, configurations);
      if (reason !== undefined) {
        reportViolation(
          `ECR repository "${name ?? repository.name}" is tagged "${risk}" risk and its images must be signed on push: ${reason}`,
          repository.urn,
        );
      }
    });
  },
};
