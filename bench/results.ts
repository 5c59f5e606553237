import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { AuditResults } from "./auditAtScale";
import { DeploymentGraphResults } from "./deploymentGraph";
import type { OfflinePlanResults } from "./offlinePlan";
import type { PlanAtScaleResults } from "./planAtScale";
import { repositoryRoot } from "./packageBuild";
import { awsguardVersion, PolicyThroughputResults } from "./policyThroughput";
import { ProgramCostResults } from "./programCost";
import { StartupResults } from "./startup";
import { round } from "./stats";
import type { TargetOutcome } from "./targets";
import type { WorstCaseResults } from "./worstCaseMeasure";

/** The machine and versions a run measured on. */
export interface BenchEnvironment {
  readonly node: string;
  readonly cpu: string;
  readonly cpus: number;
  readonly memoryGiB: number;
  readonly platform: string;
  readonly pulumi: string;
  readonly pulumiAws: string;
  readonly pulumiGithub: string;
  readonly awsguard: string;
}

/** Everything one run measured: what bench/results/latest.json holds. */
export interface BenchResults {
  /** When the run started, ISO 8601 in UTC, to the second. */
  readonly date: string;
  readonly quick: boolean;
  readonly durationSeconds: number;
  readonly environment: BenchEnvironment;
  readonly programCost: ProgramCostResults;
  readonly deploymentGraph: DeploymentGraphResults;
  readonly policyThroughput: PolicyThroughputResults;
  readonly offlinePlan: OfflinePlanResults;
  /** The offline plan of 300 to 3,000 apps: time and peak memory, and how they grow (issue 21). */
  readonly planAtScale: PlanAtScaleResults;
  readonly startup: StartupResults;
  /** One call's time as each family of pathological IAM documents grows to its size limit. */
  readonly worstCase: WorstCaseResults;
  /**
   * `trusted-delivery audit` on moto: its calls per API against the model's minimum, its time
   * against the reference reader, and the model at internet scale; absent from results written
   * before the audit was measured.
   */
  readonly audit?: AuditResults;
  /** Each of the targets (#15), judged on the figures above. */
  readonly targets: readonly TargetOutcome[];
}

export const latestResultsFile = path.join(repositoryRoot, "bench/results/latest.json");

function installedVersion(module: string): string {
  const file = path.join(repositoryRoot, "node_modules", module, "package.json");
  return String(JSON.parse(fs.readFileSync(file, "utf8")).version).replace(/^v/, "");
}

export function benchEnvironment(): BenchEnvironment {
  const cpus = os.cpus();
  return {
    node: process.version,
    cpu: cpus[0]?.model.trim() ?? "unknown",
    cpus: cpus.length,
    memoryGiB: round(os.totalmem() / 1024 ** 3, 1),
    platform: `${process.platform} ${process.arch}`,
    pulumi: installedVersion("@pulumi/pulumi"),
    pulumiAws: installedVersion("@pulumi/aws"),
    pulumiGithub: installedVersion("@pulumi/github"),
    awsguard: awsguardVersion,
  };
}

/**
 * JSON with every object's keys sorted and two-space indentation, ending in a newline, so a
 * new run changes only the lines whose figures changed.
 */
export function stableJson(value: unknown): string {
  const sorted = (item: unknown): unknown => {
    if (Array.isArray(item)) {
      return item.map(sorted);
    }
    if (typeof item === "object" && item !== null) {
      return Object.fromEntries(
        Object.keys(item)
          .sort()
          .map((key) => [key, sorted((item as Record<string, unknown>)[key])]),
      );
    }
    return item;
  };
  return `${JSON.stringify(sorted(value), null, 2)}\n`;
}
