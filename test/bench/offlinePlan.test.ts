import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { readPlanOutput, writeGeneratedProject } from "../../bench/offlinePlan";
import { repositoryRoot } from "../../bench/packageBuild";
import { readProject, readStackConfig } from "../../cli/workspace/project";

describe("the bench's reading of a plan", () => {
  it("counts the apps and resources of the plan's last line", () => {
    assert.deepEqual(readPlanOutput("App a\n  + a-repository ...\n\n28 to create (3 apps).\n"), {
      apps: 3,
      resources: 28,
    });
  });

  it("counts imported resources too", () => {
    assert.deepEqual(readPlanOutput("7 to create, 2 to import (1 app).\n").resources, 9);
  });

  it("counts the violations of the pack's report after the plan, none when it has none", () => {
    const report = [
      "8003 to create (1000 apps).",
      "",
      "Policy pack trusted-delivery-guardrails@v0.1.0 (15 policies)",
      "  [advisory] ecr-high-risk-continuous-scan on svc-0003-repository",
      "      High-risk ECR repositories are scanned continuously",
      "  [mandatory] iam-oidc-trust-scoped on svc-0004-role",
      "      [advisory] in a message is not a violation",
      "1 mandatory violation: `pulumi preview` with this pack would fail.",
    ].join("\n");
    assert.equal(readPlanOutput(report).violations, 2);
    assert.equal(
      readPlanOutput(
        "28 to create (3 apps).\n\nPolicy pack trusted-delivery-guardrails@v0.1.0 (15 policies): no violations.\n",
      ).violations,
      0,
    );
  });

  it("refuses output without the plan's last line: the plan did not finish", () => {
    assert.throws(
      () => readPlanOutput("Offline plan for stack"),
      /^Error: the plan printed no summary line \("<n> to create \(<m> apps\)\."\) in:\nOffline plan for stack$/,
    );
  });
});

describe("the bench's generated stack", () => {
  it("is the dev stack's settings with generated apps, beside the repository's program", () => {
    const project = writeGeneratedProject(5);
    try {
      const scratch = readProject(path.join(project.directory, "Pulumi.yaml"));
      const repository = readProject(path.join(repositoryRoot, "Pulumi.yaml"));
      assert.equal(scratch.name, repository.name);
      assert.equal(scratch.main, repository.main);
      assert.equal(fs.realpathSync(scratch.stackConfigDir), fs.realpathSync(project.directory));
      const generated = readStackConfig(scratch, "dev").values;
      const dev = readStackConfig(repository, "dev").values;
      const apps = JSON.parse(generated[`${repository.name}:apps`]);
      assert.deepEqual(Object.keys(apps), [
        "svc-0001",
        "svc-0002",
        "svc-0003",
        "svc-0004",
        "svc-0005",
      ]);
      // Every other setting is the dev stack's, but managed registry scanning (100 high-risk
      // repositories at most).
      const others = (values: Record<string, string>) =>
        Object.keys(values).filter((key) => key !== `${repository.name}:apps`);
      assert.deepEqual(
        others(generated),
        others(dev).filter((k) => !k.endsWith(":registryScanning")),
      );
      for (const key of others(generated)) {
        assert.equal(generated[key], dev[key], key);
      }
    } finally {
      project.remove();
    }
    assert.equal(fs.existsSync(project.directory), false);
  });
});
