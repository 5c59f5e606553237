import { formatProblems, Problem } from "../../components/problems";
import { UsageError } from "../core/errors";
import { exitCodes } from "../core/exitCodes";
import { findProject } from "../workspace/project";
import {
  appTrusts,
  compareTrusts,
  formatTrustDiff,
  StackVersion,
  stackOfFile,
  trustDiffJson,
  trustDiffMarkdown,
  versionAtRef,
  versionOfFile,
  widerApps,
  workingTreeVersion,
} from "../trustDiff";
import { Command, cwdOption, stackOption } from "./command";

/** The two versions the options name, or every problem with them. */
function versionsProblems(options: Record<string, unknown>): Problem[] {
  const { base, before, after, stack } = options;
  const problems: Problem[] = [];
  if (base !== undefined && (before !== undefined || after !== undefined)) {
    problems.push({
      field: "--base",
      message:
        "--base compares a git ref with the working tree, --before and --after two stack files: give one or the other",
    });
  } else if (base === undefined && before === undefined && after === undefined) {
    problems.push({
      field: "--base",
      message:
        "trust-diff needs two versions: --base <git ref> (against the working tree, with -s <stack>) or --before <stack file> --after <stack file>",
    });
  } else if (base === undefined && (before === undefined || after === undefined)) {
    const missing = before === undefined ? "--before" : "--after";
    problems.push({
      field: missing,
      message: `${missing} is missing: --before and --after name the two stack files to compare`,
    });
  }
  if (base !== undefined && stack === undefined) {
    problems.push({
      field: "-s/--stack",
      message: "--base needs the stack: -s/--stack <stack>, e.g. -s dev",
    });
  }
  return problems;
}

/** The stack of a --before/--after comparison: -s, or the stack the files are named after. */
function stackOfFiles(options: Record<string, unknown>): string {
  const given = options.stack === undefined ? undefined : String(options.stack);
  const named = stackOfFile(String(options.after)) ?? stackOfFile(String(options.before));
  const stack = given ?? named;
  if (stack === undefined) {
    throw new UsageError(
      `--before ${String(options.before)} and --after ${String(options.after)} are not named Pulumi.<stack>.yaml: give the stack they are of, -s/--stack <stack>`,
    );
  }
  return stack;
}

export const trustDiffCommand: Command = {
  summary: "trust-diff  What each app's push-role trust admits now that it did not before.",
  synopsis:
    "trust-diff -s <stack> --base <git ref> | --before <stack file> --after <stack file> [--accept-wider]",
  description:
    "Compares each app's push-role trust policy between two versions of a stack: the stack file (and Pulumi.yaml) at a git ref against the working tree, or two stack files. Each version runs under the offline plan's mocks; the policy pack's model of IAM then lists, per app, one example token of each kind the new trust admits and the old did not (another repository, a branch, tag or environment, a pull request, another workflow, issuer or audience), and what it no longer admits. An app only in the new version is wider by its whole trust.",
  examples: [
    "trusted-delivery trust-diff -s dev --base origin/main",
    "trusted-delivery trust-diff --before old/Pulumi.dev.yaml --after programs/platform/Pulumi.dev.yaml",
    "trusted-delivery trust-diff -s prod --base origin/main -f markdown -o trust-diff.md",
  ],
  findings: "a trust is wider (or could not be proven not to be), without --accept-wider",
  formats: ["table", "json", "markdown"],
  options: {
    cwd: cwdOption,
    stack: stackOption(
      "The stack to compare (with --before/--after: default, the stack the files are named after).",
    ),
    base: {
      type: "string",
      value: "<git ref>",
      help: "Compare the stack at this git ref (branch, tag or commit) with the working tree.",
    },
    before: { type: "string", value: "<stack file>", help: "The old stack file." },
    after: { type: "string", value: "<stack file>", help: "The new stack file." },
    "accept-wider": {
      type: "boolean",
      help: "Exit 0 even when a trust is wider (the change was reviewed).",
    },
  },
  async run(positionals, options, output) {
    const problems = versionsProblems(options);
    if (positionals.length > 0) {
      problems.push({
        field: "trust-diff",
        message: `trust-diff takes no arguments; got ${positionals.join(" ")} (give the stack with -s/--stack)`,
      });
    }
    if (problems.length > 0) {
      throw new UsageError(formatProblems("trust-diff", problems));
    }
    const project = findProject(String(options.cwd ?? process.cwd()));
    let versions: [StackVersion, StackVersion];
    if (options.base !== undefined) {
      const stack = String(options.stack);
      versions = [
        versionAtRef(project, stack, String(options.base)),
        workingTreeVersion(project, stack),
      ];
    } else {
      const stack = stackOfFiles(options);
      versions = [
        versionOfFile(project, stack, "--before", String(options.before)),
        versionOfFile(project, stack, "--after", String(options.after)),
      ];
    }
    // Loaded on use: the offline plan brings the Pulumi SDK.
    const { planStack } = await import("../preview");
    const trusts = [];
    for (const version of versions) {
      output.progress(`trust-diff: running ${version.display} offline, under Pulumi's mocks`);
      const plan = await planStack(version.project, version.stack, {
        stackConfig: { config: version.config, display: version.display },
      });
      trusts.push({ label: version.label, trusts: appTrusts(plan.run.resources) });
    }
    const report = compareTrusts(versions[1].stack, trusts[0], trusts[1]);
    output.result(
      output.format === "json"
        ? `${JSON.stringify(trustDiffJson(report), null, 2)}\n`
        : output.format === "markdown"
          ? trustDiffMarkdown(report)
          : `${formatTrustDiff(report)}\n`,
    );
    const wider = widerApps(report);
    if (wider.length > 0 && options["accept-wider"]) {
      output.warn(
        `trust-diff: wider for ${wider.map((a) => a.app).join(", ")}, accepted (--accept-wider)`,
      );
      return exitCodes.ok;
    }
    return wider.length > 0 ? exitCodes.findings : exitCodes.ok;
  },
};
