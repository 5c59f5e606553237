import { strict as assert } from "assert";
import {
  formatBytes,
  formatMilliseconds,
  formatRatio,
  markdownReport,
  readmeEnd,
  readmeStart,
  replaceReadmeRegion,
  typeLabel,
} from "../../bench/report";
import { BenchResults, stableJson } from "../../bench/results";
import { awsTypes, githubTypes } from "../../policy-pack/governance/typeTokens";

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

/** A run's results, small and made up, with awsguard failing to start. */
const results: BenchResults = {
  date: "2025-01-02T03:04:05Z",
  quick: false,
  durationSeconds: 200,
  environment: {
    node: "v20.0.0",
    cpu: "Test CPU",
    cpus: 2,
    memoryGiB: 8,
    platform: "linux x64",
    pulumi: "3.0.0",
    pulumiAws: "7.0.0",
    pulumiGithub: "6.0.0",
    awsguard: "0.3.1",
  },
  programCost: {
    sizes: [
      {
        apps: 1000,
        resources: 8003,
        customResources: 7002,
        repetitions: 1,
        platform: { milliseconds: 26768.7, heapBytes: 800 * 1024 ** 2, perAppMilliseconds: 26.77 },
        reference: { milliseconds: 23499.8, heapBytes: 1000 * 1024 ** 2 },
        ratio: { time: 1.14, heap: 0.8 },
      },
    ],
  },
  deploymentGraph: {
    pipelines: [
      {
        variant: "default",
        environment: "dev",
        customResources: 7,
        criticalPath: 2,
        ratio: 0.29,
        chain: [
          { name: "r", type: awsTypes.ecrRepository },
          { name: "l", type: awsTypes.ecrLifecyclePolicy },
        ],
        fromEmptyStack: 2,
        fromEmptyStackChain: [
          { name: "github-acme", type: githubTypes.provider },
          { name: "s", type: githubTypes.actionsSecret },
        ],
      },
    ],
    stack: { apps: 10, customResources: 72, criticalPath: 3, ratio: 0.04, chain: [] },
  },
  policyThroughput: {
    apps: 1428,
    analyzeStackRepetitions: 3,
    ours: {
      pack: "trusted-delivery-guardrails",
      version: "0.1.0",
      policies: 10,
      stackPolicies: 2,
      startMilliseconds: 4000,
      analyze: { resources: 9998, milliseconds: 20000, resourcesPerSecond: 500, diagnostics: 0 },
      analyzeStack: {
        resources: 11427,
        milliseconds: 5000,
        resourcesPerSecond: 2285,
        diagnostics: 1,
      },
    },
    awsguard: { pack: "@pulumi/awsguard 0.3.1", error: "Error: it broke\nat line 1" },
    awsguardCheck: "awsguard did not start: Error: it broke",
    ratio: {},
  },
  startup: {
    repetitions: 9,
    package: { module: "pkg", milliseconds: 1300 },
    reference: { module: "@pulumi/aws", milliseconds: 1250 },
    ratio: 1.04,
  },
};

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
    assert.deepEqual([860760, 80791960].map(formatBytes), ["0.82 MiB", "77.0 MiB"]);
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
        "| 1,000 | 8,003 | 1 | 26,769 ms | 26.8 ms | 23,500 ms | 1.14× | 800.0 MiB | 1000.0 MiB | 0.80× |",
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
    assert.ok(report.includes("| ratio ours / awsguard |  |  | n/a |  | n/a |  |"));
    assert.ok(report.includes("awsguard check: awsguard did not start: Error: it broke."));
  });

  it("is one markdown table per measurement, every row as wide as its header", () => {
    const tables = report.split("\n\n").filter((block) => block.startsWith("|"));
    assert.equal(tables.length, 4);
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
