// The benchmark suite: `npm run bench -- [--readme] [--quick] [--only worst-case|plan-at-scale|audit]` (see ./options.ts for the usage).
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as prettier from "prettier";
import { measureAuditAtScale } from "./auditAtScale";
import { measureDeploymentGraph } from "./deploymentGraph";
import { measureOfflinePlan } from "./offlinePlan";
import { measurePlanAtScale } from "./planAtScale";
import { appsForResources, fullPlan, parseBenchArgs, quickPlan, usage } from "./options";
import { buildPackage, repositoryRoot } from "./packageBuild";
import { measurePolicyThroughput } from "./policyThroughput";
import { measureProgramCost } from "./programCost";
import {
  auditReport,
  markdownReport,
  planAtScaleReport,
  replaceReadmeRegion,
  worstCaseReport,
} from "./report";
import { benchEnvironment, BenchResults, latestResultsFile, stableJson } from "./results";
import { measureStartup } from "./startup";
import { millisecondsSince, round } from "./stats";
import {
  judgeAuditTargets,
  judgePlanAtScaleTargets,
  judgeTargets,
  judgeWorstCaseTargets,
  MeasuredResults,
} from "./targets";
import { measureWorstCase } from "./worstCaseMeasure";

const benchStart = process.hrtime.bigint();

/** Progress, with the time since the start, goes to stderr: stdout holds only the tables. */
function progress(message: string): void {
  const seconds = Math.round(millisecondsSince(benchStart) / 1000);
  process.stderr.write(
    `bench [${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, "0")}s]: ${message}\n`,
  );
}

async function main(args: readonly string[]): Promise<void> {
  const options = parseBenchArgs(args);
  if (options.help) {
    console.log(usage);
    return;
  }
  const plan = options.quick ? quickPlan : fullPlan;
  const date = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  const environment = benchEnvironment();

  if (options.only === "plan-at-scale") {
    const planAtScale = await measurePlanAtScale(plan.planAtScaleApps, progress);
    const targets = judgePlanAtScaleTargets(planAtScale);
    console.log(planAtScaleReport(planAtScale, targets, environment, date));
    const resultsFile = path.join(os.tmpdir(), "trusted-delivery-bench-plan-at-scale.json");
    fs.writeFileSync(
      resultsFile,
      stableJson({ date, quick: options.quick, environment, planAtScale, targets }),
    );
    progress(`wrote ${resultsFile}`);
    return;
  }

  if (options.only === "worst-case") {
    const packDir = path.resolve(options.pack ?? path.join(repositoryRoot, "policy-pack"));
    const worstCase = await measureWorstCase(plan.worstCase, progress, undefined, packDir);
    const targets = judgeWorstCaseTargets(worstCase);
    console.log(worstCaseReport(worstCase, targets, environment, date, options.quick));
    const resultsFile = path.join(os.tmpdir(), "trusted-delivery-bench-worst-case.json");
    fs.writeFileSync(
      resultsFile,
      stableJson({ date, quick: options.quick, environment, worstCase, targets }),
    );
    progress(`wrote ${resultsFile}`);
    return;
  }

  if (options.only === "audit") {
    progress("building the package into a scratch directory");
    const built = buildPackage();
    try {
      const audit = await measureAuditAtScale(built, plan.audit, progress);
      const targets = judgeAuditTargets(audit);
      console.log(auditReport(audit, targets, environment, date, options.quick));
      const resultsFile = path.join(os.tmpdir(), "trusted-delivery-bench-audit.json");
      fs.writeFileSync(
        resultsFile,
        stableJson({ date, quick: options.quick, environment, audit, targets }),
      );
      progress(`wrote ${resultsFile}`);
    } finally {
      built.remove();
    }
    return;
  }

  progress("deployment critical path: the platform program under mocks");
  const deploymentGraph = await measureDeploymentGraph(plan.graphStackApps);
  progress("building the package into a scratch directory");
  const built = buildPackage();
  try {
    const programCost = measureProgramCost(built, plan.programSizes, progress);
    const defaultPipeline = deploymentGraph.pipelines.find((p) => p.variant === "default")!;
    // What every pipeline shares: the OIDC provider and one GitHub provider per owner.
    const shared =
      deploymentGraph.stack.customResources -
      deploymentGraph.stack.apps * defaultPipeline.customResources;
    const policyThroughput = await measurePolicyThroughput(
      built,
      appsForResources(plan.policyResources, defaultPipeline.customResources, shared),
      plan.analyzeStackRepetitions,
      progress,
    );
    const worstCase = await measureWorstCase(plan.worstCase, progress);
    const offlinePlan = await measureOfflinePlan(plan.offlinePlan, progress);
    const planAtScale = await measurePlanAtScale(plan.planAtScaleApps, progress);
    const startup = measureStartup(built, plan.startupRepetitions, progress);
    const audit = await measureAuditAtScale(built, plan.audit, progress);
    const measured: MeasuredResults = {
      date,
      quick: options.quick,
      durationSeconds: round(millisecondsSince(benchStart) / 1000, 0),
      environment,
      programCost,
      deploymentGraph,
      policyThroughput,
      offlinePlan,
      planAtScale,
      startup,
      worstCase,
      audit,
    };
    const results: BenchResults = { ...measured, targets: judgeTargets(measured) };

    const report = markdownReport(results);
    console.log(report);
    const resultsFile = options.quick
      ? path.join(os.tmpdir(), "trusted-delivery-bench-quick.json")
      : latestResultsFile;
    // The committed results are written as the repository formats JSON, so that `npm run lint`
    // (Prettier's check, in CI) passes on them as the bench leaves them.
    const text = stableJson(results);
    fs.writeFileSync(
      resultsFile,
      options.quick
        ? text
        : await prettier.format(text, {
            ...((await prettier.resolveConfig(resultsFile)) ?? {}),
            filepath: resultsFile,
          }),
    );
    progress(`wrote ${options.quick ? resultsFile : path.relative(repositoryRoot, resultsFile)}`);
    if (options.readme) {
      const readmeFile = path.join(repositoryRoot, "README.md");
      fs.writeFileSync(
        readmeFile,
        replaceReadmeRegion(fs.readFileSync(readmeFile, "utf8"), report),
      );
      progress("wrote the tables into README.md");
    }
  } finally {
    built.remove();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(`bench: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
