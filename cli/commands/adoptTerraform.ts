import { defaultTagPrefix } from "../../components/defaults";
import { FileWrite, unwritableTargetProblem, writeFilesAtomically } from "../fileWrites";
import { findProject, stackFilePath } from "../project";
import { UsageError } from "../errors";
import { Command, cwdOption } from "./command";

function repositoryMappings(values: unknown): Record<string, string> {
  const mappings: Record<string, string> = {};
  for (const value of (values as string[] | undefined) ?? []) {
    const match = /^([^=]+)=(.+)$/.exec(value);
    if (!match) {
      throw new UsageError(
        `--github-repository is ${JSON.stringify(value)}; must be <registry>=<owner>/<name>, e.g. staging-api=acme/staging-api`,
      );
    }
    if (match[1] in mappings && mappings[match[1]] !== match[2]) {
      throw new UsageError(
        `--github-repository ${match[1]} is given twice, as ${mappings[match[1]]} and ${match[2]}; give it once`,
      );
    }
    mappings[match[1]] = match[2];
  }
  return mappings;
}

export const adoptTerraformCommand: Command = {
  summary: `adopt-terraform --state <file> --stack <stack>
                                 Move registries a Terraform module created into a stack: write them as apps
                                 that import the existing repository and lifecycle policy, carry Terraform's
                                 default_tags over, show every attribute's drift, and print the
                                 \`terraform state rm\` commands. Refuses (exit 1) when adoption would change
                                 a registry, unless --accept-changes; never when it would replace one.`,
  options: {
    cwd: cwdOption,
    state: {
      type: "string",
      help: "The Terraform state, as `terraform state pull > terraform.tfstate.json` writes it.",
    },
    tfvars: {
      type: "string",
      help: "The environment's tfvars, whose registry map is checked against the state.",
    },
    "tfvars-variable": {
      type: "string",
      help: "The tfvars variable holding the registry map. Default: ecr_repositories.",
    },
    stack: { type: "string", help: "The stack to adopt into (its config file must exist)." },
    "github-owner": {
      type: "string",
      help: "Owner of the app repositories: <owner>/<registry name>.",
    },
    "github-repository": {
      type: "string",
      multiple: true,
      help: "<registry>=<owner>/<name>, for an app repository not named after its registry. Repeatable.",
    },
    "tag-prefix": {
      type: "string",
      help: `Prefix of the governance tags in state. Default: ${defaultTagPrefix}.`,
    },
    "accept-changes": {
      type: "boolean",
      help: "Write even when adoption changes registries in place (never when it replaces one).",
    },
    "import-file": {
      type: "string",
      help: "Also write the imports as a `pulumi import --file` JSON document here.",
    },
    "dry-run": { type: "boolean", help: "Show what would be written, and write nothing." },
  },
  async run(positionals, options) {
    if (positionals.length > 0) {
      throw new UsageError(
        `adopt-terraform takes no positional arguments; got ${positionals.join(" ")}`,
      );
    }
    for (const required of ["state", "stack"]) {
      if (options[required] === undefined) {
        throw new UsageError(`adopt-terraform needs --${required}`);
      }
    }
    const project = findProject(String(options.cwd ?? process.cwd()));
    stackFilePath(project, String(options.stack)); // refuses a name that is not a stack of the project
    const githubRepositories = repositoryMappings(options["github-repository"]);
    const importFile = options["import-file"] as string | undefined;
    // Refused before anything is read or written: a path it cannot write.
    const importFileIssue =
      importFile === undefined ? undefined : unwritableTargetProblem("--import-file", importFile);
    if (importFileIssue !== undefined) {
      throw new UsageError(importFileIssue);
    }
    // Loaded on use: the HCL parser starts a WebAssembly runtime as it loads.
    const { changes, planAdoption, replacements } = await import("../terraform/adopt");
    const { formatDrift } = await import("../terraform/drift");
    const plan = await planAdoption({
      project,
      stack: String(options.stack),
      stateFile: String(options.state),
      tfvarsFile: options.tfvars as string | undefined,
      tfvarsVariable: options["tfvars-variable"] as string | undefined,
      githubOwner: options["github-owner"] as string | undefined,
      githubRepositories,
      tagPrefix: options["tag-prefix"] as string | undefined,
    });
    const out = (text = "") => process.stdout.write(`${text}\n`);
    for (const { registry, drift, notes } of plan.registries) {
      out(formatDrift(registry.name, drift, notes));
      out();
    }
    const replaced = replacements(plan);
    const changed = changes(plan);
    if (replaced.length > 0) {
      process.stderr.write(
        `error: adopting ${replaced.map((r) => r.registry.name).join(", ")} would REPLACE the registry, deleting its images; make the app's settings match the state (see the table) and run again. Nothing was written.\n`,
      );
      return 1;
    }
    if (changed.length > 0 && !options["accept-changes"]) {
      process.stderr.write(
        `error: adopting ${changed.map((r) => r.registry.name).join(", ")} would change ${changed.length === 1 ? "it" : "them"} in place (see the table); pass --accept-changes to adopt with these changes. Nothing was written.\n`,
      );
      return 1;
    }
    const importJson = `${JSON.stringify(plan.importFile, null, 2)}\n`;
    if (options["dry-run"]) {
      out(
        plan.editor.changed()
          ? `Would write ${plan.stackFile}:\n\n${plan.editor.content()}`
          : `${plan.stackFile} is already up to date.`,
      );
      if (importFile !== undefined) {
        out(`Would write ${importFile}:\n\n${importJson}`);
      }
      return 0;
    }
    // The stack file and the import file together, or neither.
    const files: FileWrite[] = [
      ...(plan.editor.changed()
        ? [{ path: plan.editor.file, content: plan.editor.content(), display: plan.stackFile }]
        : []),
      ...(importFile === undefined ? [] : [{ path: importFile, content: importJson }]),
    ];
    writeFilesAtomically(files);
    out(
      plan.editor.changed()
        ? `Wrote ${plan.stackFile}.`
        : `${plan.stackFile} is already up to date: nothing to write.`,
    );
    out(
      `Stack ${options.stack} deploys to region ${plan.region} of account ${plan.account} only (aws:region, aws:allowedAccountIds): with another account's credentials, pulumi up stops before importing anything.`,
    );
    if (importFile !== undefined) {
      out(`Wrote ${importFile} (for pulumi import --file ${importFile} --generate-code=false).`);
    }
    out();
    out(
      `Next: pulumi preview -s ${options.stack} must show the registries as "import" with no changes, then pulumi up -s ${options.stack}.`,
    );
    out(
      "After that update succeeds, hand the addresses over from Terraform (it forgets them and destroys nothing):",
    );
    for (const command of plan.stateRmCommands) {
      out(`  ${command}`);
    }
    return 0;
  },
};
