import { strict as assert } from "assert";
import {
  formatBytes,
  formatMilliseconds,
  formatRatio,
  markdownReport,
  planAtScaleReport,
  readmeEnd,
  readmeStart,
  replaceReadmeRegion,
  typeLabel,
  worstCaseReport,
} from "../../bench/report";
import { BenchResults, stableJson } from "../../bench/results";
import { judgePlanAtScaleTargets, judgeTargets, judgeWorstCaseTargets } from "../../bench/targets";
import { awsTypes, githubTypes } from "../../policy-pack/governance/typeTokens";
import { sampleResults } from "./sampleResults";

const readme = [
  "# Title",
  "",
  "## Performance",
  "",
  readmeStart,
  "old table",
  readmeEnd,
  "",
  "## Development",
  "",
].join("\n");

const results: BenchResults = { ...sampleResults, targets: judgeTargets(sampleResults) };

describe("the bench's README region", () => {
  it("replaces only the lines between the markers, keeping the rest byte for byte", () => {
    const updated = replaceReadmeRegion(readme, "| a |\n| --- |\n");
    assert.equal(
      updated,
      readme.replace(`${readmeStart}\nold table\n`, `${readmeStart}\n| a |\n| --- |\n`),
    );
  });

  it("gives the same README when written twice with the same tables", () => {
    const once = replaceReadmeRegion(readme, "table");
    assert.equal(replaceReadmeRegion(once, "table"), once);
  });

  it("can be emptied, leaving the markers on consecutive lines", () => {
    assert.ok(replaceReadmeRegion(readme, "").includes(`${readmeStart}\n${readmeEnd}\n`));
  });

  it("is refused when the end marker comes before the start marker", () => {
    const swapped = `${readmeEnd}\n${readmeStart}\n`;
    assert.throws(() => replaceReadmeRegion(swapped, "table"), {
      message: `README.md must hold one line "${readmeStart}" and, after it, one line "${readmeEnd}" (found 1 and 1)`,
    });
  });

  it("is refused when a marker is missing or repeated", () => {
    assert.throws(() => replaceReadmeRegion("# Title\n", "table"), /\(found 0 and 0\)$/);
    assert.throws(
      () => replaceReadmeRegion(`${readmeStart}\n${readme}`, "table"),
      /\(found 2 and 1\)$/,
    );
  });
});

describe("the bench's figures", () => {
  it("show milliseconds with two decimals below 10, one below 100, none above", () => {
    assert.deepEqual([0.8512, 24.84, 2462.4].map(formatMilliseconds), [
      "0.85 ms",
      "24.8 ms",
      "2,462 ms",
    ]);
  });

  it("show heap in MiB, with two decimals below 10 MiB", () => {
    assert.deepEqual([860760, 80791960, 1.5e9].map(formatBytes), [
      "0.82 MiB",
      "77.0 MiB",
      "1,430.5 MiB",
    ]);
  });

  it("show a ratio with two decimals, and n/a when it has no reference", () => {
    assert.deepEqual([1.5, undefined].map(formatRatio), ["1.50×", "n/a"]);
  });

  it("name resource types by their last segment, and providers by their package", () => {
    assert.deepEqual([awsTypes.iamRolePolicy, githubTypes.provider].map(typeLabel), [
      "RolePolicy",
      "github provider",
    ]);
  });
});

describe("the bench's report", () => {
  const report = markdownReport(results);

  it("says how to reproduce it, and where it was measured", () => {
    assert.ok(
      report.startsWith(
        "Measured 2025-01-02 on Test CPU (2 cores, 8 GiB), Node v20.0.0, @pulumi/pulumi 3.0.0, @pulumi/aws 7.0.0, @pulumi/github 6.0.0. Reproduce with `npm run bench -- --readme` (3 min here).",
      ),
    );
  });

  it("gives each program size its figures beside the reference's, with their ratios", () => {
    assert.ok(
      report.includes(
        "| 1,000 | 8,003 | 1 | 26,769 ms | 26.8 ms | 23,500 ms | 1.14× | 800.0 MiB | 1,000.0 MiB | 0.80× |",
      ),
    );
  });

  it("gives a pipeline's critical path as a ratio of its resources, with the chain", () => {
    assert.ok(
      report.includes(
        "| default (branch `main`) | 7 | 2 | 0.29× | Repository → LifecyclePolicy | 2: github provider → ActionsSecret |",
      ),
    );
  });

  it("says that awsguard did not run, and why, instead of a ratio", () => {
    assert.ok(report.includes("| awsguard 0.3.1 | did not run: Error: it broke |"));
    assert.ok(report.includes("| ratio ours / awsguard |  |  | n/a |  | n/a |  | n/a |"));
    assert.ok(report.includes("awsguard check: awsguard did not start: Error: it broke."));
  });

  it("gives the protocol's floor beside the packs, and each pack's share of it", () => {
    assert.ok(
      report.includes(
        "| protocol floor (policies that apply to nothing here) | 1 + 1 | 9,998 | 1,000 | 11,427 | 4,570 | 0 + 0 | 100.0 MiB |",
      ),
    );
    assert.ok(
      report.includes(
        "ours runs at 0.50× on `Analyze` and 0.50× on `AnalyzeStack`, awsguard at n/a and n/a. No pack that judges every resource passes the floor, so ours over awsguard is at most n/a on `Analyze` and n/a on `AnalyzeStack` in this run.",
      ),
    );
  });

  it("gives each pack's peak memory beside its throughput", () => {
    assert.ok(
      report.includes(
        "| ours (`trusted-delivery-guardrails`) | 8 + 2 | 9,998 | 500 | 11,427 | 2,285 | 0 + 1 | 300.0 MiB |",
      ),
    );
  });

  it("gives each stack's offline plan with the pack beside the program alone, with the ratio", () => {
    assert.ok(
      report.includes(
        "| `dev` (committed) | 3 | 28 | 5 | 2,800 ms | 4,200 ms | 1,400 ms | 1.50× | 0 |",
      ),
    );
    assert.ok(
      report.includes(
        "| `dev` with 1,000 generated apps | 1,000 | 8,003 | 2 | 60,000 ms | 78,600 ms | 18,600 ms | 1.31× | 333 |",
      ),
    );
    assert.ok(
      report.includes(
        "(`ts-node --transpile-only cli/main.ts plan dev --cwd <project> [--skip-policy]`",
      ),
    );
  });

  it("ends with every target, its limit, the figure measured and whether it was met", () => {
    const tables = report.split("\n\n").filter((block) => block.startsWith("|"));
    assert.deepEqual(tables.at(-1)!.split("\n"), [
      "| Target | Limit | Measured | From | Status |",
      "| --- | ---: | ---: | --- | --- |",
      "| `AnalyzeStack` resources/s, ours over the protocol floor | ≥ 0.90× | 0.50× | policy throughput, 1,428 apps, against the floor | **not met** |",
      "| `Analyze` resources/s, ours over the protocol floor | ≥ 0.90× | 0.50× | policy throughput, 1,428 apps, against the floor | **not met** |",
      "| the pack's peak memory, ours over the protocol floor | ≤ 1.15× | 3.00× | policy throughput, 1,428 apps, against the floor | **not met** |",
      "| the pack's cold start, ours over the protocol floor | ≤ 1.10× | 2.67× | policy throughput, 1,428 apps, against the floor | **not met** |",
      "| `AnalyzeStack` resources/s, ours over awsguard | ≥ 1.50× | — | awsguard did not run | not measured |",
      "| `Analyze` resources/s, ours over awsguard | ≥ 1.50× | — | awsguard did not run | not measured |",
      "| offline plan of the dev stack, with the policy pack over the program alone | ≤ 1.50× | 1.50× | offline plan, 3 apps | met |",
      "| offline plan of 1,000 apps, with the policy pack over the program alone | ≤ 1.20× | 1.31× | offline plan, 1,000 apps | **not met** |",
      "| program cost at 1,000 apps, over as many bare resources | ≤ 1.05× | 1.14× | program cost, 8,003 resources | **not met** |",
      "| per-app time at 1,000 apps over that at 10 | ≤ 1.10× | — | this run has no 10-app size, or sizes past 1,000 apps | not measured |",
      "| peak memory of the offline plan of 3,000 apps with the policy pack (the plan's process) | ≤ 1,430.5 MiB | 1,800.0 MiB | plan at scale, 3,000 apps | **not met** |",
      "| peak memory per app added, from the middle size to the largest over from the smallest to the middle | ≤ 1.25× | 1.05× | plan at scale, 1,000 → 3,000 apps over 300 → 1,000 | met |",
      "| time per app added, from the middle size to the largest over from the smallest to the middle | ≤ 1.25× | 0.99× | plan at scale, 1,000 → 3,000 apps over 300 → 1,000 | met |",
      "| every document within AWS's limits decided within 1 s | ≤ 1,000 ms | over 20,000 ms | worst case, Deny statements with wildcard subjects at n = 8 (2,603 characters), past its deadline | **not met** |",
      "| the median document of the worst-case table decided within 100 ms | ≤ 100 ms | 150 ms | worst case, median of 9 documents | **not met** |",
      "| `require` of the package over `@pulumi/aws` | ≤ 1.05× | 1.04× | start-up, median of 9 | met |",
      "| audit of one account of 1,000 repositories and 500 roles: AWS calls over the model's minimum | ≤ 1.01× | — | this run did not audit moto's accounts | not measured |",
      "| audit of one account of 1,000 repositories and 500 roles: APIs whose calls differ from the model's (the CLI's or the reference's) | ≤ 0 | — | this run did not audit moto's accounts | not measured |",
      "| audit of one account of 1,000 repositories and 500 roles: wall time over the reference reader at the same concurrency | ≤ 1.20× | — | this run did not audit moto's accounts | not measured |",
      "| audit of an organisation of several accounts and regions: AWS calls over the model's minimum | ≤ 1.01× | — | this run did not audit moto's accounts | not measured |",
      "| audit of an organisation of several accounts and regions: APIs whose calls differ from the model's (the CLI's or the reference's) | ≤ 0 | — | this run did not audit moto's accounts | not measured |",
      "| audit of an organisation of several accounts and regions: wall time over the reference reader at the same concurrency | ≤ 1.20× | — | this run did not audit moto's accounts | not measured |",
    ]);
    assert.ok(
      report.includes(
        "**Targets** (issues #15 and 23, issue 21's plan at scale, the worst case's and the audit's): each figure from the tables above against its limit, the limit included; 4 of 22 met in this run.",
      ),
    );
  });

  it("gives each worst-case family its sizes with their characters, the time at each, the worst and the median beside their targets, and the growth order", () => {
    const tables = report.split("\n\n").filter((block) => block.startsWith("|"));
    const worstCase = tables.find((t) => t.startsWith("| Family (n: what grows) |"));
    assert.deepEqual(worstCase?.split("\n"), [
      "| Family (n: what grows) | Document (call, limit in characters) | Sizes measured: n (characters) | Time at each n | Worst (target ≤ 1,000 ms) | Median (target ≤ 100 ms) | Growth order |",
      "| --- | --- | --- | --- | ---: | ---: | --- |",
      "| values per condition (n: value in the one sub condition's list) | trust policy (`Analyze`, 4,096) | 1 (371), 16 (626), 206 (4,093) | 2.50 ms, 150 ms, 1,800 ms | **1,800 ms** at n = 206 | **150 ms** | linear (n^1.0) |",
      "| Deny statements with wildcard subjects (n: Deny statement with a `StringLike` sub pattern, carving the repository's runs) | trust policy (`Analyze`, 4,096) | 1 (657), 2 (935), 4 (1,491), 6 (2,047), 8 (2,603), not measured: 13 (3,996) | 1.20 ms, 2.90 ms, 40.0 ms, 600 ms, over 20,000 ms, not measured: n = 8 ran past its deadline | **over 20,000 ms** at n = 8 | **320 ms** | at least exponential (×3.93 per unit) |",
    ]);
  });

  it("sums the worst-case table up: its worst document and its median against the targets, and the pack's restarts", () => {
    assert.ok(
      report.includes(
        "Worst of every family: **over 20,000 ms** (Deny statements with wildcard subjects at n = 8, 2,603 characters), against 1,000 ms; median of the 9 sizes (1 not measured, counted as slower): **150 ms**, against 100 ms. The pack started in 3,000 ms and was restarted 1 time after a deadline.",
      ),
    );
    assert.ok(
      report.includes(
        "counted as IAM counts it (the JSON without whitespace): trust policies 4,096, managed policies 6,144, a role's inline policies together 10,240, ECR repository policies 10,240 characters",
      ),
    );
  });

  it("gives the worst-case table alone, with its targets, for --only worst-case", () => {
    const alone = worstCaseReport(
      { ...sampleResults.worstCase, pack: "scratch/before/policy-pack" },
      judgeWorstCaseTargets(sampleResults.worstCase),
      sampleResults.environment,
      sampleResults.date,
      true,
    );
    assert.ok(
      alone.startsWith(
        "Measured 2025-01-02 on Test CPU (2 cores, 8 GiB), Node v20.0.0: the worst-case table alone (`npm run bench -- --quick --only worst-case --pack scratch/before/policy-pack`).",
      ),
    );
    assert.ok(
      alone.includes("over the Analyzer gRPC protocol to the pack in `scratch/before/policy-pack`"),
    );
    const tables = alone.split("\n\n").filter((block) => block.startsWith("|"));
    assert.equal(tables.length, 2);
    assert.deepEqual(
      tables[1]
        .split("\n")
        .slice(2)
        .map((row) => row.split(" | ")[0]),
      [
        "| every document within AWS's limits decided within 1 s",
        "| the median document of the worst-case table decided within 100 ms",
      ],
    );
  });

  it("gives each plan at scale its time and peak memory, per app, beside what was reported before", () => {
    const tables = report.split("\n\n").filter((block) => block.startsWith("|"));
    const atScale = tables.find((t) => t.startsWith("| Apps | Resources | Violations reported |"));
    assert.deepEqual(atScale?.split("\n"), [
      "| Apps | Resources | Violations reported | Time | Per app | Peak memory (plan) | Per app | Peak memory (pack) |",
      "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
      "| 300 | 2,403 | 100 | 12,000 ms | 40.0 ms | 400.0 MiB | 1.33 MiB | 250.0 MiB |",
      "| 1,000 | 8,003 | 333 | 30,000 ms | 30.0 ms | 750.0 MiB | 0.75 MiB | 400.0 MiB |",
      "| 3,000 | 24,003 | 1,000 | 81,000 ms | 27.0 ms | 1,800.0 MiB | 0.60 MiB | n/a |",
      "| reported before (3,001 apps) |  |  | 540,000 ms | 180 ms | 4,291.5 MiB | 1.43 MiB |  |",
    ]);
  });

  it("says how the plan's memory and time grow per app, and sets the largest beside the target and the report", () => {
    assert.ok(
      report.includes(
        "Growth: from 300 to 1,000 apps, 0.50 MiB and 25.7 ms per app added; from 1,000 to 3,000 apps, 0.52 MiB and 25.5 ms per app added; the last step over the first, 1.05× for memory and 0.99× for time (1.00× is linear).",
      ),
    );
    assert.ok(
      report.includes(
        "At 3,000 apps: peak memory 1,800.0 MiB, against the target 1.5 GB (1,430.5 MiB) (1.26×) and 4.5 GB (4,291.5 MiB) reported before (0.42×); time 1 min 21 s (81,000 ms), against 9 min 00 s (540,000 ms) reported before (0.15×).",
      ),
    );
  });

  it("gives the plan at scale alone, with its targets, for --only plan-at-scale", () => {
    const alone = planAtScaleReport(
      sampleResults.planAtScale,
      judgePlanAtScaleTargets(sampleResults.planAtScale),
      sampleResults.environment,
      sampleResults.date,
    );
    assert.ok(
      alone.startsWith(
        "Measured 2025-01-02 on Test CPU (2 cores, 8 GiB), Node v20.0.0: the offline plan at scale alone (`npm run bench -- --only plan-at-scale`).",
      ),
    );
    const tables = alone.split("\n\n").filter((block) => block.startsWith("|"));
    assert.deepEqual(
      tables[1]
        .split("\n")
        .slice(2)
        .map((row) => row.split(" | ").slice(0, 3).join(" | ")),
      [
        "| peak memory of the offline plan of 3,000 apps with the policy pack (the plan's process) | ≤ 1,430.5 MiB | 1,800.0 MiB",
        "| peak memory per app added, from the middle size to the largest over from the smallest to the middle | ≤ 1.25× | 1.05×",
        "| time per app added, from the middle size to the largest over from the smallest to the middle | ≤ 1.25× | 0.99×",
      ],
    );
  });

  it("is one markdown table per measurement, every row as wide as its header", () => {
    const tables = report.split("\n\n").filter((block) => block.startsWith("|"));
    assert.equal(tables.length, 8);
    for (const table of tables) {
      const widths = table.split("\n").map((row) => row.split(" | ").length);
      assert.deepEqual(new Set(widths).size, 1, table);
    }
  });
});

describe("the bench's results file", () => {
  it("is as prettier formats it, so npx prettier --check bench passes after every run", async () => {
    const prettier = require("prettier") as typeof import("prettier");
    const json = stableJson(results);
    assert.equal(await prettier.format(json, { parser: "json" }), json);
  });

  it("lists every object's keys in sorted order, keeps arrays in order, and ends with a newline", () => {
    assert.equal(
      stableJson({ b: 1, a: [{ d: 2, c: 3 }, 0] }),
      '{\n  "a": [\n    {\n      "c": 3,\n      "d": 2\n    },\n    0\n  ],\n  "b": 1\n}\n',
    );
  });
});
