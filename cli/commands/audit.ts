import { auditCalls } from "../audit/auditedTypes";
import {
  defaultAuditRoleName,
  defaultConcurrency,
  maxConcurrency,
  organizationSettings,
  OrganizationSettings,
} from "../audit/organizationOptions";
import { organizationPolicies, readOnlyPolicy } from "../aws/readOnlyCalls";
import type { RegionSelection } from "../aws/regions";
import { regionProblem } from "../workspace/awsConfig";
import { UsageError } from "../core/errors";
import type { CommandOutput } from "../core/output";
import type { PolicyConfig } from "../policyPack/analyzerClient";
import { Command } from "./command";

export const auditCommand: Command = {
  summary: "audit  Judge the AWS account's registries and GitHub trust with the policy pack.",
  synopsis:
    "audit [--organization | --accounts <id,...>] [--role-name <name>] [--region <region>]… [-f table|json|sarif] [-o <file>]",
  description:
    "Read the AWS account's ECR registries (in every enabled region, or the --regions given), GitHub OIDC providers and the roles GitHub can assume, and judge them with the policy pack's own policies. With --organization (or --accounts), every ACTIVE account of the AWS Organization, each through the audit role it assumes there, in one report. Read-only: --print-permissions prints the IAM policy it needs. Progress goes to stderr; the report to stdout or -o. Exits 1 on a mandatory finding or anything it could not read, 3 when it could read nothing (no credentials, AWS unreachable).",
  findings: "a mandatory finding, or a part it could not read",
  examples: [
    "trusted-delivery audit",
    "trusted-delivery audit --region eu-west-2",
    "trusted-delivery audit --region eu-west-2 --region us-east-1 -f sarif -o audit.sarif",
    "trusted-delivery audit --print-permissions",
    "trusted-delivery audit --organization -f json",
    "trusted-delivery audit --organization --region eu-west-2 --region us-east-1 -f json",
    "trusted-delivery audit --print-permissions --organization",
  ],
  formats: ["table", "json", "sarif"],
  reportsOptionProblems: true,
  options: {
    region: {
      type: "string",
      multiple: true,
      value: "<region>",
      help: "A region whose registries to read (the first also signs IAM's and STS's calls). Default: every region the account has enabled (ec2:DescribeRegions), listed from the SDK's region (AWS_REGION, the profile's).",
    },
    "policy-pack-config": {
      type: "string",
      value: "<file>",
      help: "The pack's config (JSON, as pulumi preview --policy-pack-config takes it).",
    },
    "print-permissions": {
      type: "boolean",
      help: "Print the read-only IAM policy the audit needs, and read nothing. With --organization: the management account's and the member role's.",
    },
    organization: {
      type: "boolean",
      help: "Audit every ACTIVE account of the AWS Organization (organizations:ListAccounts, from the management or a delegated administrator account), the caller's own with its own credentials.",
    },
    accounts: {
      type: "string",
      value: "<id,...>",
      help: "Audit these accounts (12-digit ids, comma-separated) instead of listing the Organization's.",
    },
    "role-name": {
      type: "string",
      value: "<name>",
      help: `The read-only audit role assumed in each member account (arn:<partition>:iam::<account>:role/<name>). Default: ${defaultAuditRoleName}.`,
    },
    "external-id": {
      type: "string",
      value: "<id>",
      help: "The external id the member role's trust policy asks for (sts:ExternalId). Default: none.",
    },
    concurrency: {
      type: "string",
      value: "<n>",
      help: `The most AWS requests in flight at once, across every region (and every account) read (1 to ${maxConcurrency}). Default: ${defaultConcurrency}.`,
    },
  },
  async run(positionals, options, output) {
    if (positionals.length > 0) {
      throw new UsageError(`audit takes no positional arguments; got ${positionals.join(" ")}`);
    }
    const problems: string[] = [];
    const regions = [...new Set((options.region as string[] | undefined) ?? [])];
    for (const region of regions) {
      const bad = regionProblem("--region", region);
      if (bad !== undefined) {
        problems.push(bad.message);
      }
    }
    problems.push(...output.optionProblems);
    const multi = organizationSettings(options);
    problems.push(...multi.problems);
    const configFile = options["policy-pack-config"] as string | undefined;
    if (options["print-permissions"]) {
      const reading = [
        "region",
        "format",
        "policy-pack-config",
        "accounts",
        "external-id",
        "concurrency",
      ];
      for (const option of reading) {
        if (options[option] !== undefined) {
          problems.push(
            `--print-permissions reads nothing and judges nothing: it takes no --${option} (only -o/--output)`,
          );
        }
      }
    }
    if (problems.length > 0) {
      throw new UsageError(problems.join("\nerror: "));
    }
    if (options["print-permissions"]) {
      const policy =
        multi.settings === undefined
          ? readOnlyPolicy(auditCalls())
          : organizationPolicies(auditCalls(), multi.settings.roleName);
      output.result(`${JSON.stringify(policy, null, 2)}\n`);
      return 0;
    }

    // Loaded on use: the AWS SDK and the pack are heavy, and other commands need neither.
    const { readPolicyConfigFile, resolvePolicyConfig } =
      await import("../policyPack/policyConfig");
    const { packageVersion, policyPackInfo } = await import("../policyPack/packInfo");
    const { policies, policyPackName } = await import("../../policy-pack/policies");
    const config = resolvePolicyConfig(
      policyPackInfo(policyPackName, packageVersion(), policies),
      configFile === undefined ? undefined : readPolicyConfigFile(configFile),
      configFile,
    );
    const { awsClients, configuredRegion } = await import("../aws/clients");
    const selection = await regionSelection(regions, configuredRegion);
    if (multi.settings !== undefined) {
      return auditOrganization(selection, multi.settings, config, output);
    }
    const { auditExitCode, judgeAccount, readAccount, signedRepositories } =
      await import("../audit/audit");
    const { formatAudit, summaryLine } = await import("../audit/report");
    const { requestPool } = await import("../aws/pool");
    const clients = awsClients({ pool: requestPool(multi.concurrency) });
    // The signing configuration is read where the pack's signing rule, as configured, judges.
    const live = await readAccount(
      clients,
      selection,
      (line) => output.progress(line),
      signedRepositories(config),
    );
    const report = await judgeAccount(live, config);
    output.result(formatAudit(report, output.format as "table" | "json" | "sarif"));
    output.progress(summaryLine(report));
    return auditExitCode(report);
  },
};

/**
 * The regions to read: the ones given, or every enabled one listed from the home region, which
 * also signs the global services' calls: the first given, else the SDK's.
 */
async function regionSelection(
  regions: readonly string[],
  configuredRegion: () => Promise<string | undefined>,
): Promise<RegionSelection> {
  if (regions.length > 0) {
    return { home: regions[0], given: regions };
  }
  const configured = await configuredRegion();
  if (configured === undefined) {
    throw new UsageError(
      'audit needs a region to start from: give --region <region> (e.g. "eu-west-2"), or set AWS_REGION or a region in the AWS profile (without --region, every enabled region is read, listed from that one)',
    );
  }
  const bad = regionProblem("AWS_REGION (or the AWS profile's region)", configured);
  if (bad !== undefined) {
    throw new UsageError(bad.message);
  }
  return { home: configured };
}

/** `audit --organization` (or `--accounts`): every account, one report. */
async function auditOrganization(
  selection: RegionSelection,
  settings: OrganizationSettings,
  config: Readonly<Record<string, PolicyConfig>>,
  output: CommandOutput,
): Promise<number> {
  const { judgeOrganization, organizationExitCode, readOrganization } =
    await import("../audit/organization");
  const { formatOrganizationAudit, organizationSummaryLine } =
    await import("../audit/organizationReport");
  const { signedRepositories } = await import("../audit/audit");
  const live = await readOrganization(
    selection,
    { ...settings, signs: signedRepositories(config) },
    (line) => output.progress(line),
  );
  const report = await judgeOrganization(live, config);
  output.result(formatOrganizationAudit(report, output.format as "table" | "json" | "sarif"));
  output.progress(organizationSummaryLine(report));
  return organizationExitCode(report);
}
