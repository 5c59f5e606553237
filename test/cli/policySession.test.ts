import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { planStack, PlanProgress, StackPlan, stderrProgress } from "../../cli/preview";
import {
  analyzeStackRequest,
  PolicyPackProcess,
  stackResourceMessage,
} from "../../cli/policyPack/analyzerClient";
import { InvalidInputError } from "../../cli/core/errors";
import {
  analyzerResources,
  analyzeWithPolicyPack,
  checkWithPolicyPack,
  startPolicySession,
} from "../../cli/preview/policySession";
import { PhaseReporter } from "../../cli/preview/progress";
import { stackRequestBytes } from "../../cli/preview/sessionWorker";
import { findProject } from "../../cli/workspace/project";
import { repositoryRoot } from "../helpers/cli";

const packDir = path.join(repositoryRoot, "policy-pack");

describe("a policy session: the pack analyzing a program while it runs", function () {
  this.timeout(180000);
  let plan: StackPlan;
  const told: string[] = [];
  before(async () => {
    plan = await planStack(findProject(path.join(repositoryRoot, "examples/ungoverned")), "dev", {
      onRegistered: (resource) => told.push(resource.urn),
    });
  });

  it("is told by the plan of every resource, each once, as its registration completes", () => {
    assert.deepEqual([...told].sort(), plan.run.resources.map((r) => r.urn).sort());
  });

  it("reports what the pack says of the program, as the engine would, in the resources' order, however registrations arrived", async () => {
    const resources = plan.run.resources;
    const session = startPolicySession(packDir);
    // Registrations complete in any order.
    for (const resource of [...resources].reverse()) {
      session.registered(resource);
    }
    const report = await session.check(resources);
    const pack = await PolicyPackProcess.start(packDir);
    try {
      const sequential = await analyzeWithPolicyPack(pack, resources);
      assert.ok(sequential.diagnostics.some((d) => d.enforcementLevel === "mandatory"));
      // The session sends AnalyzeStack encoded part by part, and reads its answer itself: the
      // stack policies' diagnostics (of every level and severity) must read as the client reads them.
      const stackPolicies = sequential.pack.policies.filter((p) => p.type === "stack");
      const fromStack = sequential.diagnostics.filter((d) =>
        stackPolicies.some((p) => p.name === d.policyName),
      );
      assert.deepEqual(
        new Set(fromStack.map((d) => d.enforcementLevel)),
        new Set(["advisory", "mandatory"]),
      );
      assert.ok(new Set(fromStack.map((d) => d.severity)).size >= 2);
      assert.deepEqual(report.diagnostics, sequential.diagnostics);
      assert.deepEqual(report.pack, sequential.pack);
    } finally {
      await pack.stop();
    }
  });

  it("analyzes at the end what it was not told of, and sends a resource's outputs again when they changed after its registration", async () => {
    const resources = plan.run.resources;
    const expected = await checkWithPolicyPack(resources, packDir);
    const session = startPolicySession(packDir);
    // Told of half, with outputs that are replaced by the end (as a component's are).
    const told = resources.filter((_, i) => i % 2 === 0);
    for (const resource of told) {
      session.registered({ ...resource, outputs: {} });
    }
    const report = await session.check(resources);
    assert.deepEqual(report.diagnostics, expected.diagnostics);
  });

  it("stops the pack when the program fails, and reports a config the pack refuses at the check, as the CLI's own error", async () => {
    const failed = startPolicySession(packDir);
    failed.registered(plan.run.resources[0]);
    await failed.stop();

    const session = startPolicySession(packDir, {
      file: { "no-such-policy": "advisory" },
      source: "bad.json",
    });
    for (const resource of plan.run.resources) {
      session.registered(resource);
    }
    await assert.rejects(
      session.check(plan.run.resources),
      (error: Error) =>
        error instanceof InvalidInputError &&
        /^Policy config bad\.json/.test(error.message) &&
        /no-such-policy is not a policy of trusted-delivery-guardrails/.test(error.message),
    );
  });
});

/** Script text defining `packs()`: the running process's children that run a policy pack. */
function packChildrenScript(): string {
  return [
    'const fs = require("fs");',
    "const packs = () => fs.readdirSync('/proc').filter((pid) => {",
    "  try {",
    "    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');",
    "    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);",
    "    return ppid === process.pid && fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('run-policy-pack');",
    "  } catch { return false; }",
    "});",
  ].join("\n");
}

/** Whether the process `pid` is gone (or a zombie, exited and not yet reaped). */
function gone(pid: string): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
  } catch {
    return true;
  }
}

describe("a policy pack whose starter exits without stopping it", function () {
  this.timeout(180000);
  it("is killed, whether a session's worker or the process itself started it: none is left serving, orphaned", async () => {
    // A process that starts a session and a pack, and exits once both packs run, stopping neither.
    const script = [
      packChildrenScript(),
      `const { startPolicySession } = require(${JSON.stringify(path.join(repositoryRoot, "cli/preview/policySession"))});`,
      `const { PolicyPackProcess } = require(${JSON.stringify(path.join(repositoryRoot, "cli/policyPack/analyzerClient"))});`,
      `startPolicySession(${JSON.stringify(packDir)});`,
      `PolicyPackProcess.start(${JSON.stringify(packDir)}).then(() => {`,
      "  const wait = setInterval(() => {",
      "    if (packs().length === 2) { clearInterval(wait); console.log(JSON.stringify(packs())); process.exit(0); }",
      "  }, 50);",
      "});",
    ].join("\n");
    const child = spawnSync(
      process.execPath,
      ["-r", "ts-node/register/transpile-only", "-e", script],
      { cwd: repositoryRoot, encoding: "utf8", timeout: 120000 },
    );
    assert.equal(child.status, 0, child.stderr);
    const pids: string[] = JSON.parse(child.stdout);
    assert.equal(pids.length, 2);
    const deadline = Date.now() + 10000;
    while (pids.some((pid) => !gone(pid)) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.deepEqual(
      pids.filter((pid) => !gone(pid)),
      [],
      "a pack outlived the process that started it",
    );
  });
});

describe("the policy session's AnalyzeStack request, encoded part by part", () => {
  it("is byte for byte the request encoded whole, whatever the parts' lengths", async () => {
    const plan = await planStack(
      findProject(path.join(repositoryRoot, "examples/ungoverned")),
      "dev",
    );
    const resources = analyzerResources(plan.run.resources, "outputs");
    // Parts of one, two and three bytes of length.
    const large = { ...resources[0], urn: "urn:large", properties: { blob: "x".repeat(20000) } };
    const tiny = { urn: "u", type: "t", name: "n", properties: {} };
    const all = [...resources, large, tiny];
    assert.deepEqual(
      stackRequestBytes(all.map((r) => stackResourceMessage(r).serializeBinary())),
      Buffer.from(analyzeStackRequest(all).serializeBinary()),
    );
    assert.deepEqual(stackRequestBytes([]), Buffer.alloc(0));
  });
});

describe("a plan's progress", function () {
  this.timeout(180000);

  it("tells of the program's start, of its progress at most every 500 ms, and of its end with every resource registered", async () => {
    const events: PlanProgress[] = [];
    const plan = await planStack(
      findProject(path.join(repositoryRoot, "examples/ungoverned")),
      "dev",
      {
        onProgress: (event) => events.push(event),
      },
    );
    // The stack is not counted, as the plan does not count it.
    const resources = plan.run.resources.length - 1;
    assert.deepEqual(events[0], {
      phase: "program",
      kind: "start",
      done: 0,
      message: 'program: running stack "dev" offline, under Pulumi\'s mocks',
    });
    const end = events[events.length - 1];
    assert.deepEqual(
      [end.phase, end.kind, end.done, end.total],
      ["program", "end", resources, resources],
    );
    assert.match(
      end.message,
      new RegExp(`^program: ${resources} resources registered in \\d+\\.\\d s$`),
    );
    assert.ok(events.slice(1, -1).every((e) => e.phase === "program" && e.kind === "progress"));
  });

  it("tells of the policy check's start, and of its end with the violations", async () => {
    const events: PlanProgress[] = [];
    const plan = await planStack(
      findProject(path.join(repositoryRoot, "examples/ungoverned")),
      "dev",
    );
    const session = startPolicySession(packDir, undefined, { onProgress: (e) => events.push(e) });
    for (const resource of plan.run.resources) {
      session.registered(resource);
    }
    const report = await session.check(plan.run.resources);
    const analyzed = plan.run.resources.filter((r) => r.custom && !r.read).length;
    const mandatory = report.diagnostics.filter((d) => d.enforcementLevel === "mandatory").length;
    assert.deepEqual(
      [events[0].phase, events[0].kind, events[0].total],
      ["policy", "start", analyzed],
    );
    assert.match(
      events[0].message,
      new RegExp(`^policy: \\d+ of ${analyzed} resources analyzed while the program ran$`),
    );
    const end = events[events.length - 1];
    assert.deepEqual(
      [end.phase, end.kind, end.done, end.total],
      ["policy", "end", analyzed, analyzed],
    );
    assert.match(
      end.message,
      new RegExp(
        `^policy: ${analyzed} resources analyzed, ${report.diagnostics.length} violations \\(${mandatory} mandatory\\) in \\d+\\.\\d s$`,
      ),
    );
  });

  it("reports a phase under way at most once per 500 ms, and its start and end always", () => {
    let clock = 1000;
    const events: PlanProgress[] = [];
    const reporter = new PhaseReporter(
      "program",
      (e) => events.push(e),
      () => clock,
    );
    reporter.start(0, "start");
    for (let done = 1; done <= 100; done++) {
      clock += 20; // 2 s in all
      reporter.progress(done, () => `done ${done}`);
    }
    reporter.end(100, "end", 100);
    assert.deepEqual(
      events.map((e) => [e.kind, e.done]),
      [
        ["start", 0],
        ["progress", 25],
        ["progress", 50],
        ["progress", 75],
        ["progress", 100],
        ["end", 100],
      ],
    );
  });

  it("never fails the plan when the listener throws", () => {
    const reporter = new PhaseReporter("policy", () => {
      throw new Error("EPIPE");
    });
    reporter.start(0, "start");
    reporter.end(0, "end");
  });

  it("goes to stderr one line per report, or on a terminal one line rewritten until its phase ends", () => {
    const written: string[] = [];
    const stream = (isTTY: boolean, columns?: number) =>
      ({
        isTTY,
        columns,
        write: (text: string) => written.push(text),
      }) as unknown as NodeJS.WriteStream;
    const event = (kind: PlanProgress["kind"], message: string): PlanProgress => ({
      phase: "program",
      kind,
      done: 0,
      message,
    });
    const log = stderrProgress(stream(false));
    log(event("start", "program: running"));
    log(event("end", "program: done"));
    assert.deepEqual(written.splice(0), ["program: running\n", "program: done\n"]);

    const terminal = stderrProgress(stream(true, 30));
    terminal(event("progress", "program: 1,000 of 2,000 resources registered (2.0 s)"));
    terminal(event("end", "program: done"));
    assert.deepEqual(written, ["\rprogram: 1,000 of 2,000 reso…\x1b[K", "\rprogram: done\x1b[K\n"]);
  });
});
