import { strict as assert } from "assert";
import { parsePlatformConfig, platformConfigValues } from "../../programs/platform/config";
import {
  benchApps,
  platformConfig,
  platformProject,
  variantEnvironment,
} from "../../bench/workload";

function parsed(count: number, variant: Parameters<typeof benchApps>[1]) {
  const environment = variantEnvironment[variant!];
  return parsePlatformConfig(
    { project: platformProject, stack: environment, file: "bench" },
    platformConfigValues(platformProject, platformConfig(benchApps(count, variant), environment)),
  );
}

describe("the bench's platform stacks", () => {
  for (const variant of ["default", "environments", "commitWorkflow"] as const) {
    it(`are valid platform config with every app kept (${variant})`, () => {
      const config = parsed(30, variant);
      assert.equal(Object.keys(config.apps).length, 30);
      assert.equal(config.environment, variantEnvironment[variant]);
    });
  }

  it("give every app its own GitHub repository and catalog id", () => {
    const apps = Object.values(benchApps(1500));
    assert.equal(new Set(apps.map((a) => a.github.repository)).size, 1500);
    assert.equal(new Set(apps.map((a) => a.metadata.id)).size, 1500);
  });

  it("rotate the risk tiers, so high-risk registries are measured too", () => {
    const risks = Object.values(benchApps(3)).map((a) => a.metadata.risk);
    assert.deepEqual(risks, ["low", "medium", "high"]);
  });

  it("trust a prod environment instead of branches in the environments variant", () => {
    const [app] = Object.values(benchApps(1, "environments"));
    assert.deepEqual(app.github, { repository: "acme/svc-0001", environments: ["prod"] });
    assert.equal(variantEnvironment.environments, "prod");
  });

  it("commit the workflow only in the commitWorkflow variant", () => {
    assert.equal(Object.values(benchApps(1, "commitWorkflow"))[0].github.commitWorkflow, true);
    assert.equal(Object.values(benchApps(1))[0].github.commitWorkflow, undefined);
  });
});
