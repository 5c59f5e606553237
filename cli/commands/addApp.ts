import YAML from "yaml";
import {
  addAppGitHubTrust,
  defaultBranch,
  defaultMaxSessionDuration,
  defaultRiskLevel,
  defaultRolePath,
} from "../../components/defaults";
import { maxSessionDurationProblem, roleSessionDurationRange } from "../../components/formats";
import { riskLevels } from "../../components/riskTiers";
import { githubTrusts } from "../../components/githubTrust";
import { findProject } from "../workspace/project";
import { UsageError } from "../core/errors";
import { processTerminal } from "../core/prompt";
import { Command, cwdOption } from "./command";
import {
  AddAppOutcome,
  applyAddApp,
  completeRequest,
  workflowOptionForm,
} from "../selfService/addApp";

function listOption(value: unknown): string[] | undefined {
  const values = (value as string[] | undefined)
    ?.flatMap((v) => v.split(","))
    .map((v) => v.trim())
    .filter(Boolean);
  return values === undefined || values.length === 0 ? undefined : values;
}

/** A whole number of seconds, as the option gives it; anything else is refused naming it. */
function secondsOption(value: unknown): number {
  const text = String(value).trim();
  const seconds = /^\d+$/.test(text) ? Number(text) : text;
  const issue = maxSessionDurationProblem("--max-session-duration", seconds);
  if (issue) {
    throw new UsageError(issue.message);
  }
  return seconds as number;
}

export const addAppCommand: Command = {
  summary: "add-app  Add an app to stack config, checked as the pipeline checks it.",
  synopsis:
    "add-app <app> --owner <team> --github-repository <owner/name> -s <stack>… [--risk <risk>] [--dry-run]",
  description:
    "Add an app to the config of one or more stacks, checked as the pipeline and the platform program check it (and against the GitHub environments the project's other stacks declare), keeping each file's comments and formatting. Identical entries are left alone; different ones refused (with the difference) unless --force. Each stack file is locked while it is read and written, so runs at the same time never lose each other's apps. On a terminal, asks for what is missing. `make create-ecr APP=<app> ...` runs it.",
  examples: [
    "trusted-delivery add-app payments-api --owner team-payments --github-repository acme/payments-api -s dev",
    "trusted-delivery add-app ledger --owner team-ledger --github-repository acme/ledger --risk high --environments production -s prod --dry-run",
    "trusted-delivery add-app billing-api --owner team-billing --github-repository acme/billing-api --workflow acme/platform-workflows/.github/workflows/build-push.yml@refs/tags/v1 -s dev",
  ],
  findings: "the edit is refused (the file changed meanwhile, or another command holds its lock)",
  formats: ["text", "json"],
  options: {
    cwd: cwdOption,
    id: {
      type: "string",
      value: "<ID>",
      help: "The registry's catalog id. Default: REGISTRY_<APP>.",
    },
    owner: { type: "string", value: "<team>", help: "The owning team." },
    risk: {
      type: "string",
      value: `<${riskLevels.join("|")}>`,
      help: `${riskLevels.join(", ")}. Default: ${defaultRiskLevel}.`,
    },
    description: { type: "string", value: "<text>", help: "What the images are, for the catalog." },
    "github-repository": {
      type: "string",
      value: "<owner/name>",
      help: "The app repository, owner/name: the only one that can push.",
    },
    branches: {
      type: "string",
      multiple: true,
      value: "<branch>",
      help: `Branches that may push, comma-separated or repeated. Default: ${defaultBranch} (none with --environments).`,
    },
    tags: {
      type: "string",
      multiple: true,
      value: "<tag>",
      help: "Tags that may push, comma-separated or repeated.",
    },
    environments: {
      type: "string",
      multiple: true,
      value: "<environment>",
      help: "GitHub deployment environments that alone may push (created by the pipeline).",
    },
    trust: {
      type: "string",
      value: `<${githubTrusts.join("|")}>`,
      help: `What the push role trusts the app repository by: its name, or GitHub's ids of it and its owner (looked up at deploy time, so a recreated or renamed-away repository of the same name is not trusted). Default: ${addAppGitHubTrust}.`,
    },
    workflow: {
      type: "string",
      multiple: true,
      value: workflowOptionForm,
      help: "A reusable workflow, at a ref (refs/heads/<branch>, refs/tags/<tag> or a commit SHA), that alone may assume the push role; repeated for more.",
    },
    "permissions-boundary": {
      type: "string",
      value: "<policy ARN>",
      help: "A managed policy's ARN, set as the push role's permissions boundary. Default: none.",
    },
    "max-session-duration": {
      type: "string",
      value: "<seconds>",
      help: `The push role's longest session, ${roleSessionDurationRange.min} to ${roleSessionDurationRange.max} seconds. Default: ${defaultMaxSessionDuration}.`,
    },
    "role-path": {
      type: "string",
      value: "<path>",
      help: `The push role's IAM path, e.g. /delivery/. Default: ${defaultRolePath}.`,
    },
    stack: {
      type: "string",
      multiple: true,
      short: "s",
      value: "<stack>",
      help: "Stack(s) to add the app to, comma-separated or repeated.",
    },
    "dry-run": { type: "boolean", help: "Show the change, and write nothing." },
    force: { type: "boolean", help: "Replace an entry of the same app that has other settings." },
  },
  async run(positionals, options, output) {
    if (positionals.length > 1) {
      throw new UsageError(`add-app takes one app name; got ${positionals.join(" ")}`);
    }
    const project = findProject(String(options.cwd ?? process.cwd()));
    const request = await completeRequest(
      {
        ...(positionals[0] !== undefined && { app: positionals[0] }),
        ...(options.id !== undefined && { id: String(options.id) }),
        ...(options.owner !== undefined && { owner: String(options.owner) }),
        ...(options.risk !== undefined && { risk: String(options.risk) }),
        ...(options.description !== undefined && { description: String(options.description) }),
        ...(options["github-repository"] !== undefined && {
          repository: String(options["github-repository"]),
        }),
        branches: listOption(options.branches),
        tags: listOption(options.tags),
        environments: listOption(options.environments),
        ...(options.trust !== undefined && { trust: String(options.trust) }),
        ...(options.workflow !== undefined && {
          workflows: (options.workflow as string[]).map(String),
        }),
        ...(options["permissions-boundary"] !== undefined && {
          permissionsBoundary: String(options["permissions-boundary"]),
        }),
        ...(options["max-session-duration"] !== undefined && {
          maxSessionDuration: secondsOption(options["max-session-duration"]),
        }),
        ...(options["role-path"] !== undefined && { rolePath: String(options["role-path"]) }),
        stacks: listOption(options.stack) ?? [],
        force: Boolean(options.force),
      },
      processTerminal,
    );
    const dryRun = Boolean(options["dry-run"]);
    // Every stack file or none, each locked while it is read and written.
    const outcomes = await applyAddApp(project, request, { dryRun });
    if (output.format === "json") {
      output.result(
        `${JSON.stringify(
          {
            schemaVersion: 1,
            app: request.app,
            dryRun,
            stacks: outcomes.map((o) => ({
              stack: o.stack,
              file: o.file,
              status: o.status,
              entry: o.entry,
              ...(o.note !== undefined && { note: o.note }),
            })),
          },
          null,
          2,
        )}\n`,
      );
    } else {
      output.result(addAppText(request.app, outcomes, dryRun));
    }
    const changed = outcomes.filter((o) => o.status !== "unchanged").map((o) => o.stack);
    if (!dryRun && changed.length > 0) {
      output.hint(
        `\nNext: npm run plan -- ${changed[0]}, then pulumi up -s ${changed[0]}; the app repository's workflow: trusted-delivery workflow ${request.app} -s ${changed[0]}`,
      );
    }
    return 0;
  },
};

function addAppText(app: string, outcomes: readonly AddAppOutcome[], dryRun: boolean): string {
  const indent = (text: string) => text.replace(/\n$/, "").replace(/^/gm, "    ");
  return outcomes
    .map((outcome) => {
      if (outcome.status === "unchanged") {
        return `${app} is already in ${outcome.file} with these settings: nothing to change.\n`;
      }
      const verb = {
        added: dryRun ? "Would add" : "Added",
        replaced: dryRun ? "Would replace" : "Replaced",
      }[outcome.status];
      const note = outcome.note === undefined ? "" : `Also ${outcome.note}.\n`;
      return `${verb} ${app} ${outcome.status === "added" ? "to" : "in"} ${outcome.file}:\n${indent(YAML.stringify({ [app]: outcome.entry }))}\n${note}`;
    })
    .join("");
}
