import { strict as assert } from "assert";
import * as path from "path";
import { planStack, StackPlan } from "../../cli/preview";
import { PolicyPackProcess } from "../../cli/policyPack/analyzerClient";
import { InvalidInputError } from "../../cli/core/errors";
import {
  analyzeWithPolicyPack,
  checkWithPolicyPack,
  startPolicySession,
} from "../../cli/preview/policySession";
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
