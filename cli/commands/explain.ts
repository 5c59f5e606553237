import { githubOidcIssuerUrl } from "../../components/trustPolicy";
import { formatProblems, Problem } from "../../components/problems";
import { readAwsSettings } from "../workspace/awsConfig";
import { UsageError } from "../core/errors";
import { explainRun } from "../explain/explain";
import { explanationJson, formatExplanation } from "../explain/format";
import {
  claimOptions,
  parseRef,
  readClaims,
  refProblems,
  runProblems,
  WorkflowRun,
} from "../explain/run";
import { appOfStack, readPlatformStack } from "../workspace/platformStack";
import { readEnvironmentClaims } from "../workspace/environmentClaims";
import { findProject, readStackConfig } from "../workspace/project";
import { Command, cwdOption, stackArgument, stackOption } from "./command";

/** The account the provider ARN is shown in when the stack names none: IAM's example account. */
const exampleAccount = "123456789012";

export const explainCommand: Command = {
  summary: "explain  Whether an app's push role admits a GitHub Actions run, and why.",
  synopsis:
    "explain <app> -s <stack> --ref <ref> | --tag <tag> | --environment <env> [--event <event>]",
  description:
    "Whether the app's push role admits a GitHub Actions run, and why: the sub of the run's token, the trust policy's decision (the policy pack's model of IAM), the nearest subject it expects and the config change that would admit the run, or why none should. Events are GitHub's documented workflow triggers; for those whose token carries another subject than the run's ref (pull_request, pull_request_target, schedule, ...) it says which and why.",
  examples: [
    "trusted-delivery explain payments-api -s dev --ref refs/heads/main",
    "trusted-delivery explain payments-api -s prod --environment production",
    "trusted-delivery explain payments-api -s dev --event pull_request_target --ref main -f json",
    "trusted-delivery explain payments-api -s prod --ref main --repository-id 98765 --owner-id 1234",
    "trusted-delivery explain payments-api -s dev --ref main --workflow-ref acme/workflows/.github/workflows/build.yml@refs/tags/v1",
  ],
  findings: "the role refuses the run",
  formats: ["text", "json"],
  options: {
    cwd: cwdOption,
    stack: stackOption("The stack whose push role is asked."),
    ref: {
      type: "string",
      help: "The run's ref: refs/heads/<branch>, refs/tags/<tag>, or a branch name.",
    },
    tag: { type: "string", help: "The run's tag (the same as --ref refs/tags/<tag>)." },
    environment: { type: "string", help: "The deployment environment the run's job names." },
    event: {
      type: "string",
      value: "<event>",
      help: "The event that started the run: any workflow trigger event GitHub documents (push, pull_request, workflow_dispatch, ...). Default: push.",
    },
    repository: {
      type: "string",
      help: "The repository the run is in, owner/name (a fork, say). Default: the app's.",
    },
    // The token's other claims STS checks: each decided by the model with the rest.
    ...Object.fromEntries(
      Object.entries(claimOptions).map(([option, spec]) => [
        option,
        { type: "string" as const, value: spec.value, help: spec.help },
      ]),
    ),
  },
  async run(positionals, options, output) {
    if (positionals.length !== 1) {
      throw new UsageError(
        `explain takes one app name, e.g. \`trusted-delivery explain payments-api --stack dev --ref refs/heads/main\`; got ${positionals.length}`,
      );
    }
    const stack = stackArgument("explain", options.stack, undefined, "-s dev");
    const [name] = positionals;
    const event = options.event === undefined ? "push" : String(options.event);
    const problems: Problem[] = [];
    if (options.ref !== undefined && options.tag !== undefined) {
      problems.push({
        field: "--tag",
        message: "--tag and --ref both name the run's ref: give one",
      });
    }
    const ref =
      options.tag !== undefined
        ? parseRef("--tag", `refs/tags/${String(options.tag)}`)
        : options.ref !== undefined
          ? parseRef("--ref", String(options.ref))
          : undefined;
    if (ref !== undefined && "message" in ref) {
      problems.push(ref);
    }
    const environment = options.environment === undefined ? undefined : String(options.environment);
    if (ref === undefined || !("message" in ref)) {
      problems.push(
        ...refProblems(event, ref, environment, options.tag !== undefined ? "--tag" : "--ref"),
      );
    }
    const repositoryOption =
      options.repository === undefined ? undefined : String(options.repository);
    problems.push(...runProblems({ repository: repositoryOption, event, environment }));
    const { claims, problems: claimProblems } = readClaims(options);
    problems.push(...claimProblems);
    if (problems.length > 0) {
      throw new UsageError(formatProblems("explain", problems));
    }

    const project = findProject(String(options.cwd ?? process.cwd()));
    const { config, file } = readPlatformStack(project, stack);
    const resolved = appOfStack(config, file, name);
    const aws = readAwsSettings(readStackConfig(project, stack).values).settings;
    const account = aws.allowedAccountIds?.[0] ?? exampleAccount;
    const providerArn =
      config.githubOidcProviderArn ??
      `arn:aws:iam::${account}:oidc-provider/${githubOidcIssuerUrl.replace(/^https:\/\//, "")}`;
    const run: WorkflowRun = {
      repository: repositoryOption ?? resolved.settings.github.repository,
      event,
      ...(ref !== undefined && !("message" in ref) && { ref }),
      ...(environment !== undefined && { environment }),
      ...(Object.keys(claims).length > 0 && { claims }),
    };
    const explanation = explainRun(
      {
        name,
        stack,
        file,
        environment: config.environment,
        app: resolved,
        providerArn,
        claimedElsewhere: readEnvironmentClaims(project).claims.filter((c) => c.file !== file),
      },
      run,
    );
    output.result(
      output.format === "json"
        ? `${JSON.stringify(explanationJson(explanation), null, 2)}\n`
        : `${formatExplanation(explanation)}\n`,
    );
    return explanation.admitted ? 0 : 1;
  },
};
