import YAML from "yaml";
import { defaultBranch, defaultRiskLevel } from "../../components/defaults";
import { riskLevels } from "../../components/riskTiers";
import { writeFilesAtomically } from "../workspace/fileWrites";
import { findProject } from "../workspace/project";
import { UsageError } from "../core/errors";
import { processTerminal } from "../core/prompt";
import { Command, cwdOption } from "./command";
import { planAddApp, completeRequest } from "../selfService/addApp";

function listOption(value: unknown): string[] | undefined {
  const values = (value as string[] | undefined)
    ?.flatMap((v) => v.split(","))
    .map((v) => v.trim())
    .filter(Boolean);
  return values === undefined || values.length === 0 ? undefined : values;
}

export const addAppCommand: Command = {
  summary: `add-app <app> --owner <team> --github-repository <owner/name> --stack <stack>
                                 Add an app to stack config, checked as the pipeline checks it, keeping the
                                 file's comments and formatting. Identical entries are left alone; different
                                 ones refused (with the difference) unless --force. Asks for what is missing
                                 on a terminal. \`make create-ecr APP=<app> ...\` runs it.`,
  options: {
    cwd: cwdOption,
    id: { type: "string", help: "The registry's catalog id. Default: REGISTRY_<APP>." },
    owner: { type: "string", help: "The owning team." },
    risk: {
      type: "string",
      help: `${riskLevels.join(", ")}. Default: ${defaultRiskLevel}.`,
    },
    description: { type: "string", help: "What the images are, for the catalog." },
    "github-repository": {
      type: "string",
      help: "The app repository, owner/name: the only one that can push.",
    },
    branches: {
      type: "string",
      multiple: true,
      help: `Branches that may push, comma-separated or repeated. Default: ${defaultBranch} (none with --environments).`,
    },
    tags: {
      type: "string",
      multiple: true,
      help: "Tags that may push, comma-separated or repeated.",
    },
    environments: {
      type: "string",
      multiple: true,
      help: "GitHub deployment environments that alone may push (created by the pipeline).",
    },
    stack: {
      type: "string",
      multiple: true,
      help: "Stack(s) to add the app to, comma-separated or repeated.",
    },
    "dry-run": { type: "boolean", help: "Show the change, and write nothing." },
    force: { type: "boolean", help: "Replace an entry of the same app that has other settings." },
  },
  async run(positionals, options) {
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
        stacks: listOption(options.stack) ?? [],
        force: Boolean(options.force),
      },
      processTerminal,
    );
    const outcomes = planAddApp(project, request);
    const dryRun = Boolean(options["dry-run"]);
    if (!dryRun) {
      // Every stack file or none.
      writeFilesAtomically(
        outcomes
          .filter((o) => o.status !== "unchanged")
          .map((o) => ({ path: o.editor.file, content: o.editor.content(), display: o.file })),
      );
    }
    const indent = (text: string) => text.replace(/\n$/, "").replace(/^/gm, "    ");
    for (const outcome of outcomes) {
      if (outcome.status === "unchanged") {
        process.stdout.write(
          `${request.app} is already in ${outcome.file} with these settings: nothing to change.\n`,
        );
        continue;
      }
      const verb =
        outcome.status === "added"
          ? dryRun
            ? "Would add"
            : "Added"
          : dryRun
            ? "Would replace"
            : "Replaced";
      process.stdout.write(
        `${verb} ${request.app} ${outcome.status === "added" ? "to" : "in"} ${outcome.file}:\n${indent(YAML.stringify({ [request.app]: outcome.entry }))}\n`,
      );
    }
    if (!dryRun && outcomes.some((o) => o.status !== "unchanged")) {
      const stacks = outcomes.filter((o) => o.status !== "unchanged").map((o) => o.stack);
      process.stdout.write(
        `\nNext: npm run plan -- ${stacks[0]}, then pulumi up -s ${stacks[0]}; the app repository's workflow: trusted-delivery workflow ${request.app} --stack ${stacks[0]}\n`,
      );
    }
    return 0;
  },
};
