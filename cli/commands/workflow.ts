import { buildPushWorkflowPath } from "../../components/names";
import { buildPushWorkflow } from "../../components/workflow";
import { appOfStack, readPlatformStack } from "../workspace/platformStack";
import { findProject } from "../workspace/project";
import { UsageError } from "../core/errors";
import { Command, cwdOption, stackArgument, stackOption } from "./command";

export const workflowCommand: Command = {
  summary: "workflow  Print the app's build-and-push GitHub Actions workflow for a stack.",
  synopsis: "workflow <app> -s <stack> [-o <file>] [--force]",
  description: `Print the app's build-and-push workflow for that stack, the file the pipeline commits as ${buildPushWorkflowPath("<environment>")}: OIDC to the push role, ECR login, a vulnerability scan before the push (high risk, or github.vulnerabilityGate), build and push tagged with the commit SHA, the pushed digest, provenance and SBOM attestations. With -o, the file is written (its directory created); a file there that holds something else is shown as a difference and kept, unless --force.`,
  examples: [
    "trusted-delivery workflow payments-api -s dev",
    "trusted-delivery workflow payments-api -s dev -o .github/workflows/ci-build-push-dev.yml",
  ],
  findings: "-o names a file that holds something else (without --force)",
  formats: ["yaml"],
  artifact: true,
  options: {
    cwd: cwdOption,
    stack: stackOption("The stack whose pipeline the workflow pushes through."),
    force: { type: "boolean", help: "With -o: replace a file that holds something else." },
  },
  async run(positionals, options, output) {
    if (positionals.length !== 1) {
      throw new UsageError(
        `workflow takes one app name, e.g. \`trusted-delivery workflow payments-api -s dev\`; got ${positionals.length}`,
      );
    }
    const stack = stackArgument("workflow", options.stack, undefined, "-s dev");
    const [app] = positionals;
    const { config, file } = readPlatformStack(
      findProject(String(options.cwd ?? process.cwd())),
      stack,
    );
    const resolved = appOfStack(config, file, app);
    output.result(buildPushWorkflow(app, resolved.settings));
    return 0;
  },
};
