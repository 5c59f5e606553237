import {
  continuousScanRiskLevels,
  scanningRuleFilterLimit,
} from "../policy-pack/governance/registry";
import { Problem, problem } from "./problems";
import { RiskLevel } from "./riskTiers";

/** A registry the scanning configuration covers: its repository name and risk. */
export interface ScannedRegistry {
  readonly name: string;
  readonly risk: RiskLevel;
}

/** One rule of `aws.ecr.RegistryScanningConfiguration`. */
export interface RegistryScanningRule {
  readonly scanFrequency: "CONTINUOUS_SCAN" | "SCAN_ON_PUSH";
  readonly repositoryFilters: readonly {
    readonly filter: string;
    readonly filterType: "WILDCARD";
  }[];
}

/**
 * The account's registry scanning rules (enhanced scanning, Amazon Inspector) for these
 * registries: a CONTINUOUS_SCAN rule naming each registry whose risk requires it
 * ({@link continuousScanRiskLevels}), and a SCAN_ON_PUSH rule for every other repository (`*`).
 *
 * Under enhanced scanning a repository no rule matches is not scanned at all, so the on-push
 * rule is the wildcard rather than the stack's other registries by name: repositories outside
 * the stack keep being scanned. Where both rules match, ECR applies the continuous one. A filter
 * without `*` matches every name containing it, so `ledger` would also scan `ledger-archive`
 * continuously: more scanning, never less.
 */
export function registryScanningRules(
  registries: readonly ScannedRegistry[],
): RegistryScanningRule[] {
  const continuous = [
    ...new Set(
      registries.filter((r) => continuousScanRiskLevels.includes(r.risk)).map((r) => r.name),
    ),
  ];
  return [
    ...(continuous.length > 0
      ? [
          {
            scanFrequency: "CONTINUOUS_SCAN" as const,
            repositoryFilters: continuous.map((filter) => ({
              filter,
              filterType: "WILDCARD" as const,
            })),
          },
        ]
      : []),
    { scanFrequency: "SCAN_ON_PUSH", repositoryFilters: [{ filter: "*", filterType: "WILDCARD" }] },
  ];
}

/** What keeps these registries from one continuous rule: ECR allows 100 filters a rule. */
export function registryScanningProblems(
  field: string,
  registries: readonly ScannedRegistry[],
): Problem[] {
  const continuous = registries.filter((r) => continuousScanRiskLevels.includes(r.risk));
  return continuous.length > scanningRuleFilterLimit
    ? [
        problem(
          field,
          "managed",
          `can name at most ${scanningRuleFilterLimit} ${continuousScanRiskLevels.join(" and ")}-risk repositories in its continuous scanning rule (ECR's limit of filters per rule); this stack has ${continuous.length}: split the apps across accounts, or manage the registry's scanning yourself with wildcard filters`,
        ),
      ]
    : [];
}
