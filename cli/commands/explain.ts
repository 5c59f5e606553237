import { githubOidcIssuerUrl } from "../../components/trustPolicy";
import { formatProblems, Problem } from "../../components/problems";
import { readAwsSettings } from "../workspace/awsConfig";
import { UsageError } from "../core/errors";
import { explainRun } from "../explain/explain";
import { formatExplanation } from "../explain/format";
import { parseRef, pullRequestEvent, runProblems, WorkflowRun } from "../explain/run";
import { readPlatformStack } from "../workspace/platformStack";
import { findProject, readStackConfig } from "../workspace/project";
import { Command, cwdOption } from "./command";

/** The account the provider ARN is shown in when the stack names none: IAM's example account. */
const exampleAccount = "123456789012";

export const explainCommand: Command = {
  summary: `explain <app> --stack <stack> --ref <ref> | --tag <tag> | --environment <env>
                                 Whether the app's push role admits a GitHub Actions run, and why: the sub
                                 of the run's token, the trust policy's decision (the policy pack's model of
                                 IAM), the nearest subject it expects and the config change that would admit
                                 the run, or why none should. Exits 0 when admitted, 1 when refused.`,
  options: {
    cwd: cwdOption,
    stack: { type: "string", help: "The stack whose push role is asked." },
    ref: {
      type: "string",
      help: "The run's ref: refs/heads/<branch>, refs/tags/<tag>, or a branch name.",
    },
    tag: { type: "string", help: "The run's tag (the same as --ref refs/tags/<tag>)." },
    environment: { type: "string", help: "The deployment environment the run's job names." },
    event: {
      type: "string",
      help: "The event that started the run: push, pull_request, workflow_dispatch, ... Default: push.",
    },
    repository: {
      type: "string",
      help: "The repository the run is in, owner/name (a fork, say). Default: the app's.",
    },
  },
  async run(positionals, options) {
    if (positionals.length !== 1) {
      throw new UsageError(
        `explain takes one app name, e.g. \`trusted-delivery explain payments-api --stack dev --ref refs/heads/main\`; got ${positionals.length}`,
      );
    }
    if (options.stack === undefined) {
      throw new UsageError("explain needs --stack: the push role is the stack's");
    }
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
    if (ref === undefined && environment === undefined && event !== pullRequestEvent) {
      problems.push({
        field: "--ref",
        message: `a ${event} run's token names its ref: give --ref refs/heads/<branch>, --tag <tag> or --environment <environment>`,
      });
    }
    const repositoryOption =
      options.repository === undefined ? undefined : String(options.repository);
    problems.push(...runProblems({ repository: repositoryOption, event, environment }));
    if (problems.length > 0) {
      throw new UsageError(formatProblems("explain", problems));
    }

    const project = findProject(String(options.cwd ?? process.cwd()));
    const stack = String(options.stack);
    const { config, file } = readPlatformStack(project, stack);
    const resolved = config.apps[name];
    if (resolved === undefined) {
      throw new UsageError(
        `app "${name}" is not in ${file}; apps there: ${Object.keys(config.apps).join(", ") || "none"}`,
      );
    }
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
    };
    const explanation = explainRun(
      {
        name,
        stack,
        file,
        environment: config.environment,
        app: resolved,
        providerArn,
      },
      run,
    );
    process.stdout.write(`${formatExplanation(explanation)}\n`);
    return explanation.admitted ? 0 : 1;
  },
};
