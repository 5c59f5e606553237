import { strict as assert } from "assert";
import * as path from "path";
import { planStack, StackPlan } from "../../cli/plan";
import { PolicyPackProcess } from "../../cli/policy/analyzerClient";
import { analyzeWithPolicyPack, startPolicySession } from "../../cli/policy/stackCheck";
import { findProject } from "../../cli/project";
import { repositoryRoot } from "../helpers/cli";

const packDir = path.join(repositoryRoot, "policy-pack");

/** Counts the calls a pack receives, in every pack of this process, while `spy` is on. */
function spyOnPacks() {
  const calls = { analyze: 0, analyzeStack: 0, stop: 0 };
  const prototype = PolicyPackProcess.prototype;
  const original = {
    analyze: prototype.analyze,
    analyzeStack: prototype.analyzeStack,
    stop: prototype.stop,
  };
  for (const name of ["analyze", "analyzeStack", "stop"] as const) {
    (prototype as any)[name] = function (this: PolicyPackProcess, ...args: unknown[]) {
      calls[name]++;
      return (original[name] as any).apply(this, args);
    };
  }
  return { calls, restore: () => Object.assign(prototype, original) };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 60000;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("a policy session: the pack analyzing a program while it runs", function () {
  this.timeout(180000);
  let plan: StackPlan;
  const told: string[] = [];
  let spy: ReturnType<typeof spyOnPacks>;
  before(async () => {
    plan = await planStack(findProject(path.join(repositoryRoot, "examples/ungoverned")), "dev", {
      onRegistered: (resource) => told.push(resource.urn),
    });
  });

  it("is told by the plan of every resource, each once, as its registration completes", () => {
    assert.deepEqual([...told].sort(), plan.run.resources.map((r) => r.urn).sort());
  });
  beforeEach(() => {
    spy = spyOnPacks();
  });
  afterEach(() => spy.restore());

  it("analyzes each resource as it is registered, and reports as the engine would, in the resources' order", async () => {
    const resources = plan.run.resources;
    const custom = resources.filter((r) => r.custom && !r.read);
    const session = startPolicySession(packDir);
    // Registrations complete in any order.
    for (const resource of [...resources].reverse()) {
      session.registered(resource);
    }
    await until(() => spy.calls.analyze === custom.length, "every Analyze before the program ends");
    assert.equal(spy.calls.analyzeStack, 0);
    const report = await session.check(resources);
    assert.equal(spy.calls.analyze, custom.length, "nothing analyzed twice");
    assert.equal(spy.calls.analyzeStack, 1);
    assert.equal(spy.calls.stop, 1);

    const pack = await PolicyPackProcess.start(packDir);
    try {
      const sequential = await analyzeWithPolicyPack(pack, resources);
      assert.ok(sequential.diagnostics.length > 0);
      assert.deepEqual(report.diagnostics, sequential.diagnostics);
    } finally {
      await pack.stop();
    }
  });

  it("analyzes at the end what it was not told of", async () => {
    const session = startPolicySession(packDir);
    const report = await session.check(plan.run.resources);
    assert.equal(spy.calls.analyze, plan.run.resources.filter((r) => r.custom && !r.read).length);
    assert.ok(report.diagnostics.some((d) => d.enforcementLevel === "mandatory"));
  });

  it("stops the pack when the program fails, and reports a config the pack refuses at the check, stopping it", async () => {
    const failed = startPolicySession(packDir);
    failed.registered(plan.run.resources[0]);
    await failed.stop();
    assert.equal(spy.calls.stop, 1);

    const session = startPolicySession(packDir, {
      file: { "no-such-policy": "advisory" },
      source: "bad.json",
    });
    for (const resource of plan.run.resources) {
      session.registered(resource);
    }
    await assert.rejects(session.check(plan.run.resources), /no-such-policy is not a policy/);
    assert.equal(spy.calls.stop, 2);
    assert.equal(spy.calls.analyze, 0);
  });
});
