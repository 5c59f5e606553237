// A child process of the bench: constructs one program under the offline mocks and reports its
// time and heap. Run by the built package's node (no ts-node), with --expose-gc.
import * as aws from "@pulumi/aws";
import { runOffline } from "../../cli/preview/capture";
import { platform } from "../../programs/platform/platform";
import { millisecondsSince } from "../stats";
import { platformRunOptions } from "../workload";
import { pulumiTypes } from "../../policy-pack/governance/typeTokens";

/** Which program to construct: the platform, or its reference. */
export type MeasuredProgram = "platform" | "bareRepositories";

export interface MeasureProgramRequest {
  readonly program: MeasuredProgram;
  /** Apps in the platform's config (the reference gets the same config). */
  readonly apps: number;
  /** For the reference: how many repositories to register. */
  readonly repositories?: number;
}

export interface ProgramMeasurement {
  /** Resources the program registered, besides the stack. */
  readonly resources: number;
  readonly customResources: number;
  /** From setting the mocks to the last registration, without the forced GC below. */
  readonly milliseconds: number;
  /**
   * Heap the program holds once it has constructed every resource (after a forced GC), above
   * the heap before the run.
   */
  readonly heapBytes: number;
}

/** As many bare ECR repositories as the platform registers resources: the runtime's floor. */
function bareRepositories(count: number): () => void {
  return () => {
    for (let index = 0; index < count; index++) {
      new aws.ecr.Repository(`repository-${index}`, { name: `repository-${index}` });
    }
  };
}

function collectGarbage(): void {
  if (global.gc === undefined) {
    throw new Error("run with node --expose-gc");
  }
  global.gc();
}

async function measure(request: MeasureProgramRequest): Promise<ProgramMeasurement> {
  const isPlatform = request.program === "platform";
  // Warm up with one app's worth: load and compile every module the program uses, so that only
  // construction is timed (loading is measured separately, as start-up).
  await runOffline(platformRunOptions(1, "default", isPlatform ? platform : bareRepositories(11)));
  const program = isPlatform ? platform : bareRepositories(request.repositories ?? 0);

  collectGarbage();
  const heapBefore = process.memoryUsage().heapUsed;
  let heapBytes = 0;
  let gcMilliseconds = 0;
  const measured = async () => {
    const outputs = await program();
    const gcStart = process.hrtime.bigint();
    collectGarbage();
    heapBytes = process.memoryUsage().heapUsed - heapBefore;
    gcMilliseconds = millisecondsSince(gcStart);
    return outputs;
  };
  const start = process.hrtime.bigint();
  const run = await runOffline(platformRunOptions(request.apps, "default", measured));
  const milliseconds = millisecondsSince(start) - gcMilliseconds;
  const resources = run.resources.filter((r) => r.type !== pulumiTypes.stack);
  return {
    resources: resources.length,
    customResources: resources.filter((r) => r.custom).length,
    milliseconds,
    heapBytes,
  };
}

if (require.main === module) {
  measure(JSON.parse(process.argv[2]) as MeasureProgramRequest).then(
    (measurement) => process.stdout.write(`${JSON.stringify(measurement)}\n`),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
