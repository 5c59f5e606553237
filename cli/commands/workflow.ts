import { buildPushWorkflowPath } from "../../components/names";
import { buildPushWorkflow } from "../../components/workflow";
import { readPlatformStack } from "../workspace/platformStack";
import { findProject } from "../workspace/project";
import { UsageError } from "../core/errors";
import { unwritableTargetProblem, writeFilesAtomically } from "../workspace/fileWrites";
import { Command, cwdOption } from "./command";

export const workflowCommand: Command = {
  summary: `workflow <app> --stack <stack>  Print the app's build-and-push workflow for that stack, the
                                 file the pipeline commits as ${buildPushWorkflowPath("<environment>")}:
                                 OIDC to the push role, ECR login, a vulnerability scan before the push
                                 (high risk, or github.vulnerabilityGate), build and push tagged with the
                                 commit SHA, the pushed digest, provenance and SBOM attestations.`,
  options: {
    cwd: cwdOption,
    stack: { type: "string", help: "The stack whose pipeline the workflow pushes through." },
    output: { type: "string", help: "Write the workflow to this file instead of printing it." },
  },
  async run(positionals, options) {
    if (positionals.length !== 1) {
      throw new UsageError(
        `workflow takes one app name, e.g. \`trusted-delivery workflow payments-api --stack dev\`; got ${positionals.length}`,
      );
    }
    if (options.stack === undefined) {
      throw new UsageError(
        "workflow needs --stack: the secret and variable names it reads are the stack's",
      );
    }
    const [app] = positionals;
    const output = options.output === undefined ? undefined : String(options.output);
    const outputIssue =
      output === undefined ? undefined : unwritableTargetProblem("--output", output);
    if (outputIssue !== undefined) {
      throw new UsageError(outputIssue);
    }
    const { config, file } = readPlatformStack(
      findProject(String(options.cwd ?? process.cwd())),
      String(options.stack),
    );
    const resolved = config.apps[app];
    if (resolved === undefined) {
      throw new UsageError(
        `app "${app}" is not in ${file}; apps there: ${Object.keys(config.apps).join(", ") || "none"}`,
      );
    }
    const workflow = buildPushWorkflow(app, resolved.settings);
    if (output !== undefined) {
      writeFilesAtomically([{ path: output, content: workflow }]);
      process.stdout.write(`Wrote ${output}.\n`);
    } else {
      process.stdout.write(workflow);
    }
    return 0;
  },
};
