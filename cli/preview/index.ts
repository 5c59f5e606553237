import { platformConfigValues } from "../../programs/platform/config";
import { readAwsSettings } from "../workspace/awsConfig";
import { InvalidInputError } from "../core/errors";
import {
  FailedOfflineRun,
  OfflineRun,
  OfflineRunOptions,
  runOfflineSettled,
  withoutSerializingPrefixes,
} from "./capture";
import { OfflineMocks, placeholderAccountId, TerraformOutputs } from "./mocks";
import { displayPath, PulumiProject, readStackConfig, StackConfig } from "../workspace/project";
import { Plan, planModel } from "./model";
import { loadProgram } from "./program";
import { count, elapsed, PhaseReporter, ProgressListener } from "./progress";
import { pulumiTypes } from "../../policy-pack/governance/typeTokens";

export { formatPlan, maskedInputs, planJson, planJsonSchemaVersion } from "./format";
export type * from "./planJson";
export * from "./model";
export { loadProgram } from "./program";
export { stderrProgress } from "./progress";
export type { PlanPhase, PlanProgress, ProgressListener } from "./progress";

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
  /**
   * Told of the program's progress (phase `program`): when it starts, at most every 500 ms while
   * it constructs and registers resources, and when it ends or fails.
   */
  readonly onProgress?: ProgressListener;
  /**
   * The stack's config, read already (another version of its stack file, say), with the file as
   * messages name it; otherwise it is read from the project's stack file.
   */
  readonly stackConfig?: { readonly config: StackConfig; readonly display: string };
}

/** A stack's plan, with the offline run it was made from (for the policy pack). */
export type StackPlan = Plan & { readonly run: OfflineRun };

/** Runs the stack's program under mocks and groups what it registers by application. */
export async function planStack(
  project: PulumiProject,
  stack: string,
  options: PlanOptions = {},
): Promise<StackPlan> {
  const config = options.stackConfig?.config ?? readStackConfig(project, stack);
  const file = options.stackConfig?.display ?? displayPath(project, config.file);
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
  const progress = programProgress(config.stack, options);
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
    ...progress.hooks,
  }).finally(() => process.chdir(cwd));
  progress.end(run);
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

/**
 * The program's progress, from the run's hooks: resources constructed and registered (the
 * stack itself not counted, as the plan does not count it), told at most every 500 ms, and the
 * run's end. Without a listener, the run gets the caller's
 * `onRegistered` alone.
 */
function programProgress(
  stack: string,
  options: PlanOptions,
): {
  hooks: Pick<OfflineRunOptions, "onRegistered" | "onConstructed">;
  end(run: OfflineRun | FailedOfflineRun): void;
} {
  const { onRegistered, onProgress } = options;
  if (onProgress === undefined) {
    return { hooks: { onRegistered }, end: () => undefined };
  }
  const reporter = new PhaseReporter("program", onProgress);
  let constructed = 0;
  let registered = 0;
  const message = () =>
    `program: ${count(registered)} of ${count(constructed)} resources registered (${elapsed(reporter.milliseconds)})`;
  reporter.start(0, `program: running stack "${stack}" offline, under Pulumi's mocks`);
  return {
    hooks: {
      onConstructed: () => {
        constructed += 1;
        reporter.progress(registered, message);
      },
      onRegistered: (resource) => {
        // Counted as the plan counts them: the stack itself is not one.
        registered += resource.type === pulumiTypes.stack ? 0 : 1;
        onRegistered?.(resource);
        reporter.progress(registered, message);
      },
    },
    end: (run) => {
      const registeredAll = run.resources.filter((r) => r.type !== pulumiTypes.stack).length;
      reporter.end(
        registeredAll,
        "error" in run
          ? `program: failed after ${elapsed(reporter.milliseconds)}, ${count(registeredAll)} resources registered`
          : `program: ${count(registeredAll)} resources registered in ${elapsed(reporter.milliseconds)}`,
        registeredAll,
      );
    },
  };
}
