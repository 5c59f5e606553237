/**
 * Every default of the pipeline, named, in one place: the checks apply them, and the CLI
 * (add-app, adoption) asks them rather than restating them. The governance defaults (tag prefix,
 * risk, tiers and what a tier may not give up) are the policy pack's too, so they live in its
 * definitions and are re-exported here.
 */
import {
  defaultRiskLevel,
  defaultTagPrefix,
  environmentTagKey,
  governanceTagKeys,
  requiredTierControls,
  riskTiers,
} from "../policy-pack/governance/registry";
import { roleSessionDurationRange } from "./formats";
import {
  defaultRegionVariableName,
  defaultRepositoryUrlVariableName,
  defaultRoleSecretName,
} from "./names";
import { GitHubTrust } from "./githubTrust";
import { RiskLevel } from "./riskTiers";
import { defaultTrustPolicyMaxLength } from "./trustPolicy";
import { VulnerabilitySeverity } from "./vulnerabilityGate";

export {
  defaultRegionVariableName,
  defaultRepositoryUrlVariableName,
  defaultRiskLevel,
  defaultRoleSecretName,
  defaultTagPrefix,
  defaultTrustPolicyMaxLength,
  environmentTagKey,
  governanceTagKeys,
  requiredTierControls,
  riskTiers,
};

/** The branch that may push when neither branches nor environments are given. */
export const defaultBranch = "main";

/** Branches that may push: `main`, or none when deployment environments are the subjects. */
export function defaultBranches(environments: readonly string[]): string[] {
  return environments.length > 0 ? [] : [defaultBranch];
}

/** Whether Pulumi refuses to delete the repository. */
export const defaultProtect = true;
/** Whether deleting the repository also deletes its images. */
export const defaultForceDelete = false;
/** Whether the pipeline commits the build-and-push workflow to the app repository. */
export const defaultCommitWorkflow = false;

/** The push role's longest session, in seconds: IAM's own default (one hour). */
export const defaultMaxSessionDuration = roleSessionDurationRange.min;
/** The push role's IAM path: IAM's own default, the root. */
export const defaultRolePath = "/";

/**
 * What the trust policy pins the repository by, unless told otherwise: its name, so existing
 * trusts and adopted Terraform stay unchanged and nothing is read from GitHub.
 */
export const defaultGitHubTrust: GitHubTrust = GitHubTrust.Name;
/** What `add-app` writes for a new app unless told otherwise: GitHub's ids. */
export const addAppGitHubTrust: GitHubTrust = GitHubTrust.Id;

/** Whether the build-and-push workflow attests the images it pushes (provenance and SBOM). */
export const defaultAttestations = true;

/**
 * The vulnerability gate each risk tier's workflow has unless told otherwise: high-risk images
 * are scanned before they are pushed and stopped by a critical finding; lower tiers are not
 * scanned unless they opt in. Every gate fails on critical findings, so a high-risk app can only
 * make its gate stricter.
 */
export const tierVulnerabilityGates: Readonly<
  Record<RiskLevel, VulnerabilitySeverity | undefined>
> = Object.freeze({ low: undefined, medium: undefined, high: "CRITICAL" });

/**
 * The registry-findings gate each risk tier has unless told otherwise: after the push and
 * before a deploy, a critical finding of the registry's own scan fails a high-risk image; lower
 * tiers have no such gate unless they opt in.
 */
export const tierRegistryFindingsGates: Readonly<
  Record<RiskLevel, VulnerabilitySeverity | undefined>
> = Object.freeze({ low: undefined, medium: undefined, high: "CRITICAL" });

/** How the deployment environments the pipeline creates are protected, unless told otherwise. */
export const defaultEnvironmentProtection = Object.freeze({
  reviewerUsers: [] as readonly number[],
  reviewerTeams: [] as readonly number[],
  preventSelfReview: true,
  deploymentBranches: [defaultBranch] as readonly string[],
  deploymentTags: [] as readonly string[],
  waitTimer: 0,
});

/** The registry id an app gets unless one is given: `REGISTRY_` and its name in upper case. */
export function defaultRegistryId(app: string): string {
  return `REGISTRY_${app
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")}`;
}
