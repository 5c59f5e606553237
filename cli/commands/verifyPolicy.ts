import { kyvernoAdmissionPolicy } from "../../components/admissionPolicy";
import { deployGateWorkflow, deployGateWorkflowPath } from "../../components/deployGate";
import { formatProblems, problem } from "../../components/problems";
import type { PipelineSettings } from "../../components/pipelineSettings";
import { builderIdentity, provenancePredicateType } from "../../components/verification";
import { UsageError } from "../core/errors";
import { readAwsSettings } from "../workspace/awsConfig";
import { appOfStack, readPlatformStack } from "../workspace/platformStack";
import { findProject, readStackConfig } from "../workspace/project";
import { Command, cwdOption, stackArgument, stackOption } from "./command";

/** What a consumer is told to check, in words: the identity, the signature, the findings gate. */
function verificationText(app: string, stack: string, settings: PipelineSettings): string {
  const identity = builderIdentity(settings);
  const gate = settings.github.registryFindingsGate;
  return [
    `App ${app} of stack ${stack}: what a deploy of its images must verify`,
    `Provenance (${provenancePredicateType}), signed for ${identity.sourceRepository} by ${identity.issuer}, built by:`,
    ...identity.workflows.map(({ workflow, refs }) => `  ${workflow} at ${refs.join(", ")}`),
    `  certificate subject ${identity.subjectPattern}`,
    settings.github.attestations
      ? ""
      : "  (github.attestations is false: the workflow attests nothing, so no provenance can be verified)",
    settings.ecr.signing
      ? `Signature: ECR managed signing with the profile in the Actions variable ${settings.github.signingProfileVariableName} (describe-image-signing-status COMPLETE)`
      : "Signature: none (ecr.signing is false)",
    gate === undefined
      ? "Registry findings: not gated"
      : `Registry findings: none at ${gate} or above in the registry's scan of the digest`,
    "",
    `Deploy gate: trusted-delivery verify-policy ${app} -s ${stack} -f deploy-gate -o ${deployGateWorkflowPath(settings.environment)}`,
    `Kubernetes (Kyverno): trusted-delivery verify-policy ${app} -s ${stack} -f kyverno -o ${app.replace(/\//g, "-")}-${settings.environment}.kyverno.yaml`,
  ]
    .filter((line, index, lines) => line !== "" || lines[index - 1] !== "")
    .join("\n");
}

/**
 * The registry's URL, `<account>.dkr.ecr.<region>.amazonaws.com/<name>`: the account is
 * `--account` or the stack's one allowed account, the region the stack's `aws:region`.
 */
function repositoryUrlOf(
  stackValues: Readonly<Record<string, unknown>>,
  file: string,
  account: unknown,
  repositoryName: string,
): string {
  const { settings, problems } = readAwsSettings(stackValues);
  const allowed = settings.allowedAccountIds ?? [];
  const accountId =
    account === undefined ? (allowed.length === 1 ? allowed[0] : undefined) : account;
  if (account !== undefined && !/^\d{12}$/.test(String(account))) {
    problems.push(problem("--account", account, "must be a 12-digit AWS account id"));
  } else if (accountId === undefined) {
    problems.push(
      problem(
        "--account",
        undefined,
        `is needed: the Kyverno policy names the registry by its account, and ${file} has ${allowed.length === 0 ? "no aws:allowedAccountIds" : `${allowed.length} aws:allowedAccountIds`} to take it from`,
      ),
    );
  }
  if (settings.region === undefined) {
    problems.push(
      problem("aws:region", undefined, `is needed in ${file}: the registry's URL names its region`),
    );
  }
  if (problems.length > 0) {
    throw new UsageError(formatProblems("verify-policy", problems));
  }
  return `${accountId}.dkr.ecr.${settings.region}.amazonaws.com/${repositoryName}`;
}

export const verifyPolicyCommand: Command = {
  summary:
    "verify-policy  Print what a deploy of the app's images must verify, as a deploy gate or a Kyverno policy.",
  synopsis: "verify-policy <app> -s <stack> [-f text|json|deploy-gate|kyverno] [-o <file>]",
  description:
    "Print, for the teams that deploy an app's images, what they must verify before running one: the provenance attestation's builder identity (the workflow and refs the push role trusts, from the app entry), the ECR managed signature, and the registry-findings gate. -f deploy-gate writes the reusable GitHub Actions workflow that verifies all three for a digest before a deploy job; -f kyverno writes a Kyverno ClusterPolicy admitting only this registry's images with that provenance; -f json gives the identity as data.",
  examples: [
    "trusted-delivery verify-policy ledger-service -s prod",
    "trusted-delivery verify-policy ledger-service -s prod -f deploy-gate -o .github/workflows/verify-prod.yml",
    "trusted-delivery verify-policy ledger-service -s prod -f kyverno --account 123456789012",
  ],
  formats: ["text", "json", "deploy-gate", "kyverno"],
  artifact: true,
  options: {
    cwd: cwdOption,
    stack: stackOption("The stack whose pipeline pushes the images."),
    account: {
      type: "string",
      value: "<id>",
      help: "The registry's AWS account, for -f kyverno. Default: the stack's one aws:allowedAccountIds.",
    },
    force: { type: "boolean", help: "With -o: replace a file that holds something else." },
  },
  async run(positionals, options, output) {
    if (positionals.length !== 1) {
      throw new UsageError(
        `verify-policy takes one app name, e.g. \`trusted-delivery verify-policy payments-api -s dev\`; got ${positionals.length}`,
      );
    }
    const stack = stackArgument("verify-policy", options.stack, undefined, "-s dev");
    const [app] = positionals;
    const project = findProject(String(options.cwd ?? process.cwd()));
    const { config, file } = readPlatformStack(project, stack);
    const resolved = appOfStack(config, file, app);
    const settings = resolved.settings;
    switch (output.format) {
      case "deploy-gate":
        output.result(deployGateWorkflow(app, settings));
        break;
      case "kyverno": {
        const values = readStackConfig(project, stack).values;
        const url = repositoryUrlOf(values, file, options.account, settings.repositoryName);
        output.result(kyvernoAdmissionPolicy(app, settings, url));
        break;
      }
      case "json":
        output.result(
          `${JSON.stringify(
            {
              schemaVersion: 1,
              app,
              stack,
              identity: builderIdentity(settings),
              predicateType: provenancePredicateType,
              attestations: settings.github.attestations,
              signing: settings.ecr.signing
                ? { profileArnVariable: settings.github.signingProfileVariableName }
                : null,
              registryFindingsGate: settings.github.registryFindingsGate ?? null,
            },
            null,
            2,
          )}\n`,
        );
        break;
      default:
        output.result(`${verificationText(app, stack, settings)}\n`);
    }
    return 0;
  },
};
