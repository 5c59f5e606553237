import { platformConfigValues } from "../../programs/platform/config";
import { readAwsSettings } from "../workspace/awsConfig";
import { InvalidInputError } from "../core/errors";
import {
  OfflineRun,
  OfflineRunOptions,
  runOfflineSettled,
  withoutSerializingPrefixes,
} from "./capture";
import { OfflineMocks, placeholderAccountId, TerraformOutputs } from "./mocks";
import { displayPath, PulumiProject, readStackConfig, StackConfig } from "../workspace/project";
import { Plan, planModel } from "./model";
import { loadProgram } from "./program";

export { formatPlan } from "./format";
export * from "./model";
export { loadProgram } from "./program";

/** The region AWS's SDKs and the provider use when a stack sets none. */
export const fallbackRegion = "us-east-1";

/**
 * The AWS region and default tags a stack's config gives the AWS provider; refuses, naming the
 * stack file, settings the provider would refuse.
 */
export function awsSettings(
  config: StackConfig,
  file = config.file,
): {
  region: string;
  defaultTags: Readonly<Record<string, string>>;
} {
  const { settings, problems } = readAwsSettings(config.values);
  if (problems.length > 0) {
    throw new InvalidInputError(`Stack "${config.stack}" config (${file})`, problems);
  }
  return { region: settings.region ?? fallbackRegion, defaultTags: settings.defaultTags };
}

export interface PlanOptions {
  /** Outputs for Terraform state references the offline run cannot reach. */
  readonly terraformOutputs?: TerraformOutputs;
  /** Told of each resource as the program registers it (to analyze it meanwhile). */
  readonly onRegistered?: OfflineRunOptions["onRegistered"];
}

/** A stack's plan, with the offline run it was made from (for the policy pack). */
export type StackPlan = Plan & { readonly run: OfflineRun };

/** Runs the stack's program under mocks and groups what it registers by application. */
export async function planStack(
  project: PulumiProject,
  stack: string,
  options: PlanOptions = {},
): Promise<StackPlan> {
  const config = readStackConfig(project, stack);
  const file = displayPath(project, config.file);
  const { region, defaultTags } = awsSettings(config, file);
  const program = loadProgram(project);
  const terraformState = platformConfigValues(project.name, config.values).terraformState as
    { path?: unknown } | undefined;
  const mocks = new OfflineMocks(
    { accountId: placeholderAccountId, region, partition: "aws", defaultTags },
    options.terraformOutputs,
    {
      subject: `Stack "${config.stack}" config (${file})`,
      ...(typeof terraformState?.path === "string" && {
        localStatePath: { key: `${project.name}:terraformState.path`, value: terraformState.path },
      }),
    },
  );
  // Pulumi runs programs in the project root; so does the plan.
  const cwd = process.cwd();
  process.chdir(project.root);
  const run = await runOfflineSettled({
    project: project.name,
    stack: config.stack,
    config: config.values,
    secretKeys: config.secretKeys,
    mocks,
    program,
    onRegistered: options.onRegistered,
  }).finally(() => process.chdir(cwd));
  if ("error" in run) {
    // What a mock refused says more than the program's failure it caused.
    throw mocks.failures[0] ?? withoutSerializingPrefixes(run.error);
  }
  const context = {
    project: project.name,
    stack: config.stack,
    file,
    region,
    accountId: placeholderAccountId,
  };
  return { ...planModel(context, run), run };
}
