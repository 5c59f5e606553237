import {
  OfflineRun,
  OfflineRunOptions,
  RegisteredResource,
  runOffline,
  runOfflineSettled,
} from "../../cli/preview/capture";
import { OfflineAccount, OfflineMocks, TerraformOutputs } from "../../cli/preview/mocks";
import { pulumiTypes } from "../../policy-pack/governance/typeTokens";

export const testAccount: OfflineAccount = {
  accountId: "123456789012",
  region: "eu-west-2",
  partition: "aws",
  defaultTags: {},
};

export interface TestRunOptions {
  readonly config?: Record<string, string>;
  readonly stack?: string;
  readonly project?: string;
  readonly account?: Partial<OfflineAccount>;
  readonly terraformOutputs?: TerraformOutputs;
  /** Mocks in place of the offline run's own (a subclass answering some call otherwise, say). */
  readonly mocks?: OfflineMocks;
}

function offlineOptions(program: () => unknown, options: TestRunOptions): OfflineRunOptions {
  return {
    project: options.project ?? "trusted-delivery-test",
    stack: options.stack ?? "dev",
    config: { "aws:region": "eu-west-2", ...options.config },
    mocks:
      options.mocks ??
      new OfflineMocks({ ...testAccount, ...options.account }, options.terraformOutputs),
    program,
  };
}

/** Runs a program under the offline mocks and returns what it registered. */
export function runProgram(
  program: () => unknown,
  options: TestRunOptions = {},
): Promise<OfflineRun> {
  return runOffline(offlineOptions(program, options));
}

export function ofType(run: OfflineRun, type: string): RegisteredResource[] {
  return run.resources.filter((r) => r.type === type);
}

/** The one resource of a type; fails when there are none or several. */
export function single(run: OfflineRun, type: string): RegisteredResource {
  const matches = ofType(run, type);
  if (matches.length !== 1) {
    throw new Error(
      `expected one ${type}, got ${matches.length}: ${matches.map((r) => r.name).join(", ")}`,
    );
  }
  return matches[0];
}

/**
 * Runs `program` expecting it to fail; returns the error and the resources it registered
 * besides the stack itself.
 */
export async function runExpectingError(
  program: () => unknown,
  options: TestRunOptions = {},
): Promise<{ error: Error; registered: RegisteredResource[] }> {
  const run = await runOfflineSettled(offlineOptions(program, options));
  if (!("error" in run)) {
    throw new Error(
      `expected the program to fail; it registered ${run.resources.map((r) => r.name).join(", ")}`,
    );
  }
  return {
    error: run.error as Error,
    registered: run.resources.filter((r) => r.type !== pulumiTypes.stack),
  };
}
