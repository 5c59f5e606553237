import { strict as assert } from "assert";
import * as path from "path";
import { planStack } from "../../cli/preview";
import { PolicyPackProcess } from "../../cli/policyPack/analyzerClient";
import { readPolicyConfigFile } from "../../cli/policyPack/policyConfig";
import { analyzeWithPolicyPack, urnName } from "../../cli/preview/policySession";
import { findProject } from "../../cli/workspace/project";
import { awsTypes } from "../../policy-pack/governance/typeTokens";

const root = path.join(__dirname, "../..");
const exampleConfig = path.join(root, "policy-pack/config.example.json");

describe("the policy pack on whole programs", function () {
  this.timeout(120000);
  let pack: PolicyPackProcess;
  before(async () => {
    pack = await PolicyPackProcess.start(path.join(root, "policy-pack"));
  });
  after(async () => {
    await pack?.stop();
  });

  for (const stack of ["dev", "staging", "prod"]) {
    it(`finds nothing in the platform program's ${stack} stack, with the defaults and with the example config`, async () => {
      const plan = await planStack(findProject(root), stack);
      // The pipelines register every resource the pack looks at: repositories, lifecycle
      // policies, GitHub-trusted roles with their policies, the OIDC provider.
      assert.ok(plan.run.resources.some((r) => r.type === awsTypes.iamRolePolicy));
      assert.deepEqual((await analyzeWithPolicyPack(pack, plan.run.resources)).diagnostics, []);
      const configured = await analyzeWithPolicyPack(pack, plan.run.resources, {
        file: readPolicyConfigFile(exampleConfig),
        source: exampleConfig,
      });
      assert.deepEqual(configured.diagnostics, []);
    });
  }

  it("refuses the ungoverned example: a bare repository and an owner-wide OIDC role with an account-wide push policy", async () => {
    const plan = await planStack(findProject(path.join(root, "examples/ungoverned")), "dev");
    const { diagnostics } = await analyzeWithPolicyPack(pack, plan.run.resources);
    assert.deepEqual(
      diagnostics.map((d) => [d.enforcementLevel, d.policyName, urnName(d.urn)]),
      [
        ["mandatory", "ecr-governance-metadata", "legacy-images"],
        ["mandatory", "ecr-governance-metadata", "legacy-images"],
        ["mandatory", "ecr-governance-metadata", "legacy-images"],
        ["mandatory", "ecr-scan-on-push", "legacy-images"],
        ["mandatory", "iam-github-oidc-trust-scoped", "gha-ecr-push"],
        ["advisory", "ecr-golden-path", "legacy-images"],
        ["advisory", "ecr-lifecycle-policy-present", "legacy-images"],
        ["mandatory", "iam-github-oidc-role-least-privilege", "gha-ecr-push"],
      ],
    );
  });

  it("with the example config, allows the legacy registry by name but keeps every mandatory violation", async () => {
    const plan = await planStack(findProject(path.join(root, "examples/ungoverned")), "dev");
    const { diagnostics } = await analyzeWithPolicyPack(pack, plan.run.resources, {
      file: readPolicyConfigFile(exampleConfig),
      source: exampleConfig,
    });
    assert.ok(!diagnostics.some((d) => d.policyName === "ecr-golden-path"));
    assert.equal(diagnostics.filter((d) => d.enforcementLevel === "mandatory").length, 6);
  });
});
