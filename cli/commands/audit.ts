import { problem } from "../../components/problems";
import { auditCalls } from "../audit/auditedTypes";
import { readOnlyPolicy } from "../aws/readOnlyCalls";
import { regionPattern } from "../workspace/awsConfig";
import { unwritableTargetProblem, writeFilesAtomically } from "../workspace/fileWrites";
import { UsageError } from "../core/errors";
import { userPath } from "../workspace/project";
import { Command } from "./command";

const formats = ["table", "json", "sarif"] as const;

export const auditCommand: Command = {
  summary: `audit                          Read the AWS account's ECR registries, GitHub OIDC providers and the
                                 roles GitHub can assume, and judge them with the policy pack's own
                                 policies. Read-only. Exits 1 on a mandatory finding.`,
  options: {
    region: {
      type: "string",
      multiple: true,
      help: "A region whose registry to read; repeat for several. Default: the SDK's (AWS_REGION, the profile's).",
    },
    format: { type: "string", help: "table (the default), json, or sarif (GitHub code scanning)." },
    "policy-pack-config": {
      type: "string",
      help: "The pack's config (JSON, as pulumi preview --policy-pack-config takes it).",
    },
    output: {
      type: "string",
      help: "Write the report to this file (atomically). Default: stdout.",
    },
    "print-permissions": {
      type: "boolean",
      help: "Print the read-only IAM policy the audit needs, and read nothing.",
    },
  },
  async run(positionals, options) {
    if (positionals.length > 0) {
      throw new UsageError(`audit takes no positional arguments; got ${positionals.join(" ")}`);
    }
    const problems: string[] = [];
    const regions = [...new Set((options.region as string[] | undefined) ?? [])];
    for (const region of regions) {
      if (!regionPattern.test(region)) {
        problems.push(
          problem("--region", region, 'must be an AWS region, e.g. "eu-west-2"').message,
        );
      }
    }
    const format = String(options.format ?? "table");
    if (!(formats as readonly string[]).includes(format)) {
      problems.push(problem("--format", format, `must be one of ${formats.join(", ")}`).message);
    }
    const output = options.output as string | undefined;
    const outputProblem =
      output === undefined ? undefined : unwritableTargetProblem("--output", output);
    if (outputProblem !== undefined) {
      problems.push(outputProblem);
    }
    const configFile = options["policy-pack-config"] as string | undefined;
    if (options["print-permissions"]) {
      for (const option of ["region", "format", "policy-pack-config"]) {
        if (options[option] !== undefined) {
          problems.push(
            `--print-permissions reads nothing and judges nothing: it takes no --${option} (only --output)`,
          );
        }
      }
    }
    if (problems.length > 0) {
      throw new UsageError(problems.join("\nerror: "));
    }
    const write = (text: string) => {
      if (output === undefined) {
        process.stdout.write(text);
      } else {
        writeFilesAtomically([{ path: output, content: text, display: userPath(output) }]);
      }
    };
    if (options["print-permissions"]) {
      write(`${JSON.stringify(readOnlyPolicy(auditCalls()), null, 2)}\n`);
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
    if (regions.length === 0) {
      const region = await configuredRegion();
      if (region === undefined) {
        throw new UsageError(
          'audit needs a region: give --region <region> (e.g. "eu-west-2"), or set AWS_REGION or a region in the AWS profile',
        );
      }
      regions.push(region);
    }
    const { judgeAccount, readAccount } = await import("../audit/audit");
    const { formatAudit, summaryLine } = await import("../audit/report");
    const progress = (line: string) => process.stderr.write(`${line}\n`);
    const live = await readAccount(awsClients(), regions, progress);
    const report = await judgeAccount(live, regions, config);
    write(formatAudit(report, format as (typeof formats)[number]));
    progress(summaryLine(report));
    return report.findings.some((f) => f.enforcementLevel === "mandatory") ? 1 : 0;
  },
};
