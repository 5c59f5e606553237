import type { PolicyConfigSchema, StackValidationPolicy } from "@pulumi/policy";
import { anyString, concat, literal } from "../../iam/automaton";
import { awsNativeTypes, awsTypes } from "../../governance/typeTokens";
import { configWithDefaults } from "../../lib/config";
import { eachKnown, stackReporter } from "../../lib/judge";
import {
  creationTemplate,
  pullThroughCachePrefix,
  registryScanningRules,
} from "../../resources/registries";
import { ScanningRule, unscannedName } from "../../resources/scanning";
import { StackIndex } from "../../resources/stackIndex";

export interface CreationGovernedConfig {
  /** Another stack manages the registry's scanning configuration (it must scan every repository). */
  readonly registryScanningManagedElsewhere: boolean;
}

export const creationGovernedConfigSchema: PolicyConfigSchema = {
  properties: {
    registryScanningManagedElsewhere: {
      type: "boolean",
      description:
        "Set when another stack of the account manages the registry's scanning configuration, which ecr-scan-on-push makes scan every repository: then creation templates need none in this stack.",
      default: false,
    },
  },
};

/** The prefix that applies a template to every repository. */
const rootPrefix = "ROOT";

/** Whether a template's prefix covers repositories under `prefix` (ROOT covers all). */
function covers(templatePrefix: string, prefix: string): boolean {
  return templatePrefix === rootPrefix || templatePrefix === prefix;
}

export const ecrRepositoryCreationGoverned: StackValidationPolicy = {
  name: "ecr-repository-creation-governed",
  description:
    "Repositories ECR makes by itself are governed: every pull-through cache rule has a PULL_THROUGH_CACHE creation template covering its prefix (else its repositories have no tags, tier or policy), and the repositories every creation template makes are scanned by the registry's scanning configuration.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps:
    "Declare an aws.ecr.RepositoryCreationTemplate for the rule's prefix (or ROOT) applied to PULL_THROUGH_CACHE, with the governance resourceTags; declare the registry's aws.ecr.RegistryScanningConfiguration with a SCAN_ON_PUSH rule for \"*\" in the same stack, or set registryScanningManagedElsewhere when another stack manages it.",
  configSchema: creationGovernedConfigSchema,
  validateStack: (args, report) => {
    const reportViolation = stackReporter(args.resources, report);
    const config = configWithDefaults<CreationGovernedConfig>(
      creationGovernedConfigSchema,
      args.getConfig(),
    );
    const index = StackIndex.of(args.resources);
    const templates = index.ofTypes(
      awsTypes.ecrRepositoryCreationTemplate,
      awsNativeTypes.ecrRepositoryCreationTemplate,
    );
    const known: { prefix: string; appliesTo: string[] }[] = [];
    eachKnown(templates, (resource) => known.push(creationTemplate(resource)!));
    eachKnown(
      index.ofTypes(awsTypes.ecrPullThroughCacheRule, awsNativeTypes.ecrPullThroughCacheRule),
      (rule) => {
        const prefix = pullThroughCachePrefix(rule)!;
        const governed = known.some(
          (t) => t.appliesTo.includes("PULL_THROUGH_CACHE") && covers(t.prefix, prefix),
        );
        if (!governed) {
          reportViolation(
            `ECR pull-through cache rule for prefix "${prefix}" makes repositories with no governance tags, risk tier or policy: declare a repository creation template for "${prefix}" (or ROOT) applied to PULL_THROUGH_CACHE`,
            rule.urn,
          );
        }
      },
    );
    if (config.registryScanningManagedElsewhere) {
      return;
    }
    const scanning = index.ofTypes(
      awsTypes.ecrRegistryScanningConfiguration,
      awsNativeTypes.ecrRegistryScanningConfiguration,
    );
    const rules: ScanningRule[] = [];
    eachKnown(scanning, (resource) => rules.push(...registryScanningRules(resource)!.rules));
    eachKnown(templates, (resource) => {
      const { prefix } = creationTemplate(resource)!;
      const under = prefix === rootPrefix ? anyString : concat(literal(`${prefix}/`), anyString);
      const unscanned = unscannedName(under, rules, ["SCAN_ON_PUSH", "CONTINUOUS_SCAN"]);
      if (unscanned !== undefined) {
        reportViolation(
          scanning.length === 0
            ? `ECR repository creation template "${prefix}" makes repositories whose scanning this stack does not configure (repository templates have no scan setting; the registry's scanning configuration decides): declare an aws.ecr.RegistryScanningConfiguration with a SCAN_ON_PUSH rule for "*", or set registryScanningManagedElsewhere`
            : `ECR repository creation template "${prefix}" makes repositories the registry's scanning configuration does not scan, e.g. "${unscanned}": add a SCAN_ON_PUSH rule whose filter covers "${prefix}"`,
          resource.urn,
        );
      }
    });
  },
};
