// A child process of the bench: runs the platform program under the offline mocks and writes
// every resource it registered to a file, as the policy benchmark's workload.
import * as fs from "fs";
import { runOffline } from "../../cli/preview/capture";
import { platform } from "../../programs/platform/platform";
import { platformRunOptions } from "../workload";

export interface RecordPlatformStackRequest {
  readonly apps: number;
  /** Where to write the `RegisteredResource[]`, as JSON. */
  readonly file: string;
}

export interface RecordedPlatformStack {
  readonly resources: number;
}

async function record(request: RecordPlatformStackRequest): Promise<RecordedPlatformStack> {
  const run = await runOffline(platformRunOptions(request.apps, "default", platform));
  fs.writeFileSync(request.file, JSON.stringify(run.resources));
  return { resources: run.resources.length };
}

if (require.main === module) {
  record(JSON.parse(process.argv[2]) as RecordPlatformStackRequest).then(
    (recorded) => process.stdout.write(`${JSON.stringify(recorded)}\n`),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
