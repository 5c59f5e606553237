import { defaultTagPrefix } from "../../components/defaults";
import { findProject, stackFilePath } from "../workspace/project";
import { UsageError } from "../core/errors";
import { applyAdoption } from "../adoption/apply";
import { adoptionOptions, importFileOption, registryMappings } from "./adoptionOptions";
import { Command, cwdOption, stackArgument, stackOption } from "./command";

export const adoptTerraformCommand: Command = {
  summary:
    "adopt-terraform  Move registries a Terraform module created into a stack, with zero diff.",
  synopsis: "adopt-terraform --state <file> -s <stack> [--tfvars <file>] [--verify-live]",
  description:
    "Move registries a Terraform module created into a stack: write them as apps that import the existing repository and lifecycle policy, carry Terraform's default_tags over, show every attribute's drift, and print the `terraform state rm` commands. Refuses (exit 1) when adoption would change a registry, unless --accept-changes; never when it would replace one. --verify-live first checks the state against the account (read-only).",
  examples: [
    "trusted-delivery adopt-terraform --state terraform.tfstate.json --tfvars dev.tfvars -s dev --dry-run",
    "trusted-delivery adopt-terraform --state terraform.tfstate.json -s dev --verify-live --import-file imports.json",
  ],
  formats: ["text", "json"],
  findings: "adoption would change a registry (without --accept-changes) or replace one",
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
    stack: stackOption("The stack to adopt into (its config file must exist)."),
    "tag-prefix": {
      type: "string",
      help: `Prefix of the governance tags in state. Default: ${defaultTagPrefix}.`,
    },
    ...adoptionOptions,
    "verify-live": {
      type: "boolean",
      help: "Before writing, read each registry from the account (AWS SDK credentials, read-only) and refuse if it differs from the state.",
    },
  },
  async run(positionals, options, output) {
    if (positionals.length > 0) {
      throw new UsageError(
        `adopt-terraform takes no positional arguments; got ${positionals.join(" ")}`,
      );
    }
    const stack = stackArgument("adopt-terraform", options.stack, undefined, "-s dev");
    if (options.state === undefined) {
      throw new UsageError(
        "adopt-terraform needs --state <file>: the state, as `terraform state pull > terraform.tfstate.json` writes it",
      );
    }
    const project = findProject(String(options.cwd ?? process.cwd()));
    stackFilePath(project, stack); // refuses a name that is not a stack of the project
    const githubRepositories = registryMappings(
      "--github-repository",
      options["github-repository"],
      "<registry>=<owner>/<name>",
      "staging-api=acme/staging-api",
    );
    const importFile = importFileOption(options);
    // Loaded on use: the HCL parser starts a WebAssembly runtime as it loads.
    const { planAdoption } = await import("../adoption/terraform/adopt");
    const plan = await planAdoption({
      project,
      stack,
      stateFile: String(options.state),
      tfvarsFile: options.tfvars as string | undefined,
      tfvarsVariable: options["tfvars-variable"] as string | undefined,
      githubOwner: options["github-owner"] as string | undefined,
      githubRepositories,
      tagPrefix: options["tag-prefix"] as string | undefined,
    });
    if (options["verify-live"]) {
      // Loaded on use: the AWS SDK is heavy, and adoption without it reads no account.
      const { awsClients, configuredRegion } = await import("../aws/clients");
      const { verifyLive } = await import("../adoption/terraform/verifyLive");
      const verified = await verifyLive(
        plan.registries.map((r) => r.registry),
        plan,
        String(options.state),
        awsClients(),
        await configuredRegion(),
      );
      // The verification is the adoption's first finding in text; beside JSON, progress.
      if (output.format === "json") {
        output.progress(verified);
      } else {
        output.result(`${verified}\n\n`);
      }
    }
    return applyAdoption(plan, options, output, {
      source: "terraform state",
      holder: "the state",
      stack,
      importFile,
      next: [
        `Next: pulumi preview -s ${stack} must show the registries as "import" with no changes, then pulumi up -s ${stack}.`,
        "After that update succeeds, hand the addresses over from Terraform (it forgets them and destroys nothing):",
        ...plan.stateRmCommands.map((command) => `  ${command}`),
      ],
    });
  },
};
