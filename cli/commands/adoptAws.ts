import { defaultTagPrefix } from "../../components/defaults";
import { riskLevels } from "../../components/riskTiers";
import { UsageError } from "../core/errors";
import { findProject, stackFilePath } from "../workspace/project";
import { applyAdoption } from "../adoption/apply";
import { adoptionOptions, importFileOption, registryMappings } from "./adoptionOptions";
import { Command, cwdOption, stackArgument, stackOption } from "./command";

export const adoptAwsCommand: Command = {
  summary: "adopt-aws  Move registries that exist only in the AWS account into a stack.",
  synopsis: "adopt-aws -s <stack> [--registry <name>]… [--region <region>]",
  description:
    "Move registries that exist only in the account (made in the console, or by ECR on push) into a stack: read them from AWS (read-only), governance from their tags (or --id, --owner, --risk where they lack it), show every attribute's drift, and write them as apps that import them. Refuses (exit 1) when adoption would change a registry, unless --accept-changes; never when it would replace one. Without --registry, lists the candidates.",
  examples: [
    "trusted-delivery adopt-aws -s dev",
    "trusted-delivery adopt-aws -s dev --registry console-scratch --owner console-scratch=team-web --dry-run",
  ],
  formats: ["text", "json"],
  findings: "adoption would change a registry (without --accept-changes) or replace one",
  options: {
    cwd: cwdOption,
    stack: stackOption("The stack to adopt into (its config file must exist)."),
    registry: {
      type: "string",
      multiple: true,
      help: "An ECR repository of the stack's region to adopt. Repeatable.",
    },
    region: {
      type: "string",
      help: "The registries' region, where the stack has no aws:region (it is then written).",
    },
    id: {
      type: "string",
      multiple: true,
      help: "<registry>=<ID>, the catalog id of a registry not tagged with it. Repeatable.",
    },
    owner: {
      type: "string",
      multiple: true,
      help: "<registry>=<team>, the owner of a registry not tagged with it. Repeatable.",
    },
    risk: {
      type: "string",
      multiple: true,
      help: `<registry>=<${riskLevels.join("|")}>, the risk of a registry not tagged with it. Repeatable.`,
    },
    "tag-prefix": {
      type: "string",
      help: `Prefix of the governance tags. Default: ${defaultTagPrefix}.`,
    },
    ...adoptionOptions,
  },
  async run(positionals, options, output) {
    if (positionals.length > 0) {
      throw new UsageError(`adopt-aws takes no positional arguments; got ${positionals.join(" ")}`);
    }
    const stack = stackArgument("adopt-aws", options.stack, undefined, "-s dev");
    const project = findProject(String(options.cwd ?? process.cwd()));
    stackFilePath(project, stack); // refuses a name that is not a stack of the project
    const githubRepositories = registryMappings(
      "--github-repository",
      options["github-repository"],
      "<registry>=<owner>/<name>",
      "console-scratch=acme/scratch",
    );
    const metadata = {
      id: registryMappings(
        "--id",
        options.id,
        "<registry>=<ID>",
        "console-scratch=REGISTRY_SCRATCH",
      ),
      owner: registryMappings(
        "--owner",
        options.owner,
        "<registry>=<team>",
        "console-scratch=team-web",
      ),
      risk: registryMappings(
        "--risk",
        options.risk,
        `<registry>=<${riskLevels.join("|")}>`,
        "console-scratch=low",
      ),
    };
    const importFile = importFileOption(options);
    // Loaded on use: the AWS SDK is heavy, and other commands need none of it.
    const { awsClients } = await import("../aws/clients");
    const { planAccountAdoption } = await import("../adoption/account/adopt");
    const plan = await planAccountAdoption({
      project,
      stack,
      registries: (options.registry as string[] | undefined) ?? [],
      region: options.region as string | undefined,
      githubOwner: options["github-owner"] as string | undefined,
      githubRepositories,
      metadata,
      tagPrefix: options["tag-prefix"] as string | undefined,
      clients: awsClients(),
    });
    const changed = plan.registries.some((r) => r.drift.some((row) => row.effect !== "same"));
    return applyAdoption(plan, options, output, {
      source: "live registry",
      holder: "the live registry",
      stack,
      importFile,
      next: [
        `Next: pulumi preview -s ${stack} must show the registries as "import" with ${changed ? "only the changes accepted above" : "no changes"}, then pulumi up -s ${stack}.`,
        "Nothing else may manage them from then on: a registry a Terraform state manages is adopted with adopt-terraform, which hands it over.",
      ],
    });
  },
};
