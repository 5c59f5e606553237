import * as path from "path";
import { runNode } from "./childProcess";
import { BuiltPackage } from "./packageBuild";
import { median, ratio, round } from "./stats";

/** The median time to `require` one module in a fresh `node` process. */
export interface RequireTime {
  /** The module, as the table names it. */
  readonly module: string;
  readonly milliseconds: number;
}

export interface StartupResults {
  readonly repetitions: number;
  readonly package: RequireTime;
  /** `@pulumi/aws` alone, which the package loads too. */
  readonly reference: RequireTime;
  readonly ratio?: number;
}

/** Times one `require` in a fresh process and prints the milliseconds. */
const requireTimer = `
const start = process.hrtime.bigint();
require(process.argv[1]);
console.log(JSON.stringify(Number(process.hrtime.bigint() - start) / 1e6));
`;

function timeRequire(built: BuiltPackage, file: string): number {
  return runNode<number>(["-e", requireTimer, file], { cwd: built.directory });
}

/**
 * Times requiring the built package's entry (`dist/components/index.js`) and `@pulumi/aws`
 * alone, each in a fresh process, and takes the medians.
 */
export function measureStartup(
  built: BuiltPackage,
  repetitions: number,
  progress: (message: string) => void,
): StartupResults {
  const entry = path.join(built.directory, "dist/components/index.js");
  const aws = path.join(built.directory, "node_modules/@pulumi/aws");
  const packageTimes: number[] = [];
  const referenceTimes: number[] = [];
  for (let repetition = 1; repetition <= repetitions; repetition++) {
    progress(`start-up: run ${repetition} of ${repetitions}`);
    // Alternate which goes first, so a drift in the machine's speed weighs on both alike.
    if (repetition % 2 === 1) {
      packageTimes.push(timeRequire(built, entry));
      referenceTimes.push(timeRequire(built, aws));
    } else {
      referenceTimes.push(timeRequire(built, aws));
      packageTimes.push(timeRequire(built, entry));
    }
  }
  const packageMs = round(median(packageTimes), 1);
  const referenceMs = round(median(referenceTimes), 1);
  return {
    repetitions,
    package: { module: "@goldenpath/trusted-delivery", milliseconds: packageMs },
    reference: { module: "@pulumi/aws", milliseconds: referenceMs },
    ratio: ratio(packageMs, referenceMs),
  };
}
