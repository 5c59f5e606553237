/**
 * The audit of a live account: read what no stack declares (registries, OIDC providers, roles
 * GitHub can assume), turn it into resources of the `@pulumi/aws` shapes, and judge them with
 * the policy pack's own policies, in-process.
 */
import { regionStatus } from "../../components/awsRegions";
import { governanceTagKeys } from "../../policy-pack/governance/registry";
import { configWithDefaults } from "../../policy-pack/lib/config";
import { policies, policyPackName } from "../../policy-pack/policies";
import {
  ecrHighRiskSigned,
  HighRiskSignedConfig,
  highRiskSignedConfigSchema,
} from "../../policy-pack/policies/ecr/ecrHighRiskSigned";
import { awsManagedPolicyName } from "../../policy-pack/resources/iam";
import { trustOf } from "../../policy-pack/lib/trustMessages";
import { nothingReadError } from "../aws/access";
import { AwsClients } from "../aws/clients";
import { readCallerIdentity } from "../aws/identity";
import { readManagedPolicies, readOidcProviders, readRoles } from "../aws/readRoles";
import { readRegistry, SignedRepositoryTest } from "../aws/readRegistries";
import { describeSelection, readEnabledRegions, RegionSelection } from "../aws/regions";
import { Unread } from "../aws/unread";
import type { AnalyzerInfo, PolicyConfig } from "../policyPack/analyzerClient";
import { packageVersion, policyPackInfo } from "../policyPack/packInfo";
import { ExitCode, exitCodes } from "../core/exitCodes";
import { AuditResource, auditStacks, LiveAccount, nothingRead, unreadParts } from "./resources";
import { effectiveLevel, NotJudged, PolicyFinding, runPolicies } from "./runPolicies";

/**
 * Policies of the pack that cannot apply to a live account, with why; they do not run (and
 * `pulumi preview` with the pack still runs them on every stack).
 */
export const notApplicableToLiveAccounts: Readonly<Record<string, string>> = {
  "ecr-golden-path":
    "it asks which Pulumi component created a repository, which a live account does not record",
};

/** Whether the audit reads a role: GitHub's tokens can assume it, by the pack's trust model. */
export function trustsGitHub(trustPolicy: string): boolean {
  const analysis = trustOf(trustPolicy);
  // A trust policy the model cannot read is read and judged: the pack reports it.
  return "error" in analysis || analysis.trustsGitHub;
}

/**
 * The repositories whose region's signing configuration the audit reads: the ones
 * `ecr-high-risk-signed` judges, tagged with one of its risk levels under its tag prefix, at
 * the settings of `config` (the pack's defaults without one). None when the policy is disabled
 * or told the signing is managed elsewhere: then no check reads the configuration.
 */
export function signedRepositories(
  config: Readonly<Record<string, PolicyConfig>> = {},
): SignedRepositoryTest {
  const settings = configWithDefaults<HighRiskSignedConfig>(
    highRiskSignedConfigSchema,
    config[ecrHighRiskSigned.name]?.properties ?? {},
  );
  if (
    effectiveLevel(ecrHighRiskSigned, config) === "disabled" ||
    settings.registrySigningManagedElsewhere
  ) {
    return () => false;
  }
  const riskKey = governanceTagKeys(settings.tagPrefix).risk;
  return (tags) => Object.hasOwn(tags, riskKey) && settings.riskLevels.includes(tags[riskKey]);
}

/** Whose account is read, and as whom. */
export interface AccountIdentity {
  readonly account: string;
  readonly partition: string;
  /** The principal that reads it: the caller's ARN, or the member role's. */
  readonly arn: string;
}

/**
 * The regions to read of an account: the ones given, or its enabled regions, listed with its own
 * credentials (accounts of one organisation opt in to different regions). When they cannot be
 * listed, the home region is read and the listing is "could not read": the other regions are not
 * proven empty.
 */
async function regionsOf(
  clients: AwsClients,
  identity: AccountIdentity,
  selection: RegionSelection,
  progress: (line: string) => void,
): Promise<{ regions: readonly string[]; enabledRegions?: Unread }> {
  if (selection.given !== undefined) {
    return { regions: selection.given };
  }
  const listed = await readEnabledRegions(clients.ec2(selection.home), (region) => {
    const status = regionStatus(region);
    return status.kind !== "unknown" && status.partition === identity.partition;
  });
  if (listed instanceof Unread) {
    progress(
      `could not list the enabled regions (${listed.reason}); reading ${selection.home} only`,
    );
    return { regions: [selection.home], enabledRegions: listed };
  }
  const regions = listed.length === 0 ? [selection.home] : listed;
  progress(
    `${regions.length} enabled region${regions.length === 1 ? "" : "s"}: ${regions.join(", ")}`,
  );
  return { regions };
}

/**
 * Reads an account as `clients` can: each region's registry (the regions at once) and IAM,
 * which does not wait for the regions to be listed. A part that could not be read is in the
 * account read, as an `Unread`, for the report's "could not read"; never throws for what AWS
 * refused. `signs` names the repositories whose region's signing configuration is read
 * ({@link signedRepositories} of the policy config the account is judged with).
 */
export async function readAccountAs(
  clients: AwsClients,
  identity: AccountIdentity,
  selection: RegionSelection,
  progress: (line: string) => void,
  signs: SignedRepositoryTest = signedRepositories(),
): Promise<LiveAccount> {
  const readIam = async () => {
    const iam = clients.iam(selection.home);
    const [oidcProviders, roles] = await Promise.all([
      readOidcProviders(iam),
      readRoles(iam, trustsGitHub, (all, selected) =>
        progress(`reading IAM: ${all} roles, ${selected} trusted by GitHub Actions…`),
      ),
    ]);
    const customer = [
      ...new Set(
        (roles instanceof Unread ? [] : roles).flatMap((role) =>
          (role.attachedPolicies instanceof Unread ? [] : role.attachedPolicies)
            .map((p) => p.arn)
            .filter((arn) => awsManagedPolicyName(arn) === undefined),
        ),
      ),
    ];
    const managedPolicies = await readManagedPolicies(iam, customer);
    return { oidcProviders, roles, managedPolicies };
  };
  const readRegions = async () => {
    const read = await regionsOf(clients, identity, selection, progress);
    const registries = await Promise.all(
      read.regions.map((region) =>
        readRegistry(clients.ecr(region), region, signs, (count) =>
          progress(`reading ${region}: ${count} ${count === 1 ? "repository" : "repositories"}…`),
        ),
      ),
    );
    return { ...read, registries };
  };
  const [iam, regional] = await Promise.all([readIam(), readRegions()]);
  return { account: identity.account, partition: identity.partition, ...regional, ...iam };
}

/**
 * Reads the caller's account: its identity, each region's registry, and IAM. Throws an
 * `AwsAccessError` (exit 3, `cli/aws/access.ts`) when the identity, or else every part, could
 * not be read; a part that could not be read beside others that could is in the account read,
 * for the report's "could not read". `signs` as for {@link readAccountAs}.
 */
export async function readAccount(
  clients: AwsClients,
  selection: RegionSelection,
  progress: (line: string) => void,
  signs: SignedRepositoryTest = signedRepositories(),
): Promise<LiveAccount> {
  const identity = await readCallerIdentity(clients.sts(selection.home));
  const { account, arn } = identity;
  progress(`auditing account ${account} (${arn}) in ${describeSelection(selection)}`);
  const live = await readAccountAs(clients, identity, selection, progress, signs);
  if (nothingRead(live)) {
    throw nothingReadError(
      `could not read anything of account ${account} in ${live.regions.join(", ")} but the caller's identity (${arn})`,
      unreadParts(live),
    );
  }
  return live;
}

/** A violation with the resource it is about. */
export interface AuditFinding extends PolicyFinding {
  readonly resource?: AuditResource;
}

export interface AuditReport {
  readonly account: string;
  readonly partition: string;
  readonly regions: readonly string[];
  /** The pack, each policy at the level it ran at. */
  readonly pack: AnalyzerInfo;
  readonly resources: readonly AuditResource[];
  readonly findings: readonly AuditFinding[];
  readonly notJudged: readonly (NotJudged & { readonly resource?: AuditResource })[];
  readonly skipped: readonly { readonly policyName: string; readonly reason: string }[];
  readonly couldNotRead: readonly Unread[];
}

/** Judges what was read with the pack's policies, at the levels and settings of `config`. */
export async function judgeAccount(
  live: LiveAccount,
  config: Readonly<Record<string, PolicyConfig>>,
): Promise<AuditReport> {
  const stacks = auditStacks(live);
  const run = await runPolicies(policies, stacks, {
    config,
    notApplicable: notApplicableToLiveAccounts,
  });
  const resources = stacks.flat();
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const info = policyPackInfo(policyPackName, packageVersion(), policies);
  return {
    account: live.account,
    partition: live.partition,
    regions: live.regions,
    pack: {
      ...info,
      policies: info.policies.map((p) => ({
        ...p,
        enforcementLevel: config[p.name]?.enforcementLevel ?? p.enforcementLevel,
      })),
    },
    resources,
    findings: run.findings.map((f) => ({
      ...f,
      ...(f.urn !== undefined && byUrn.has(f.urn) && { resource: byUrn.get(f.urn) }),
    })),
    notJudged: run.notJudged.map((n) => ({
      ...n,
      ...(n.urn !== undefined && byUrn.has(n.urn) && { resource: byUrn.get(n.urn) }),
    })),
    skipped: run.skipped,
    couldNotRead: unreadParts(live),
  };
}

/**
 * The audit's exit code (`cli/core/exitCodes.ts`): 1 when a finding is mandatory, and also when
 * anything could not be read or judged, whatever the levels: what was not read is not proven
 * compliant (ADR 0004), so an audit that could not see everything never passes. 0 only when
 * everything was read and judged and nothing mandatory was found. (Nothing read at all is exit
 * 3, thrown by {@link readAccount}.)
 */
export function auditExitCode(report: AuditReport): ExitCode {
  const mandatory = report.findings.some((f) => f.enforcementLevel === "mandatory");
  const unproven = report.couldNotRead.length > 0 || report.notJudged.length > 0;
  return mandatory || unproven ? exitCodes.findings : exitCodes.ok;
}
