import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";
import { policies, policyPackName } from "../../policy-pack/policies";
import { withPolicyTable } from "../../scripts/policyTable";

const packDir = path.join(__dirname, "../../policy-pack");

describe("the policy pack's manifest", () => {
  it("pins the sorted policy names with their kind and default enforcement level", () => {
    assert.deepEqual(
      policies
        .map((p) => [p.name, "validateStack" in p ? "stack" : "resource", p.enforcementLevel])
        .sort(),
      [
        ["cloudformation-template-readable", "resource", "mandatory"],
        ["ecr-golden-path", "stack", "advisory"],
        ["ecr-governance-metadata", "resource", "mandatory"],
        ["ecr-high-risk-continuous-scan", "stack", "advisory"],
        ["ecr-high-risk-signed", "stack", "advisory"],
        ["ecr-lifecycle-policy-present", "stack", "advisory"],
        ["ecr-lifecycle-protects-releases", "stack", "mandatory"],
        ["ecr-lifecycle-protects-releases-advisory", "stack", "advisory"],
        ["ecr-no-public-access", "resource", "mandatory"],
        ["ecr-repository-creation-governed", "stack", "mandatory"],
        ["ecr-risk-tier-controls", "resource", "mandatory"],
        ["ecr-scan-on-push", "resource", "mandatory"],
        ["iam-github-oidc-role-least-privilege", "stack", "mandatory"],
        ["iam-github-oidc-trust-scoped", "resource", "mandatory"],
        ["iam-github-oidc-trust-whole-repository", "resource", "advisory"],
        ["iam-one-github-oidc-provider", "stack", "mandatory"],
      ],
    );
  });

  it("gives every policy a kebab-case <service>-<check> name, a description, severity, remediation and config schema", () => {
    for (const policy of policies) {
      assert.match(policy.name, /^(ecr|iam|cloudformation)-[a-z0-9]+(-[a-z0-9]+)*$/, policy.name);
      assert.ok(policy.description.length > 20, policy.name);
      assert.ok(["low", "medium", "high", "critical"].includes(policy.severity!), policy.name);
      assert.ok((policy.remediationSteps ?? "").length > 20, policy.name);
      assert.ok(policy.configSchema, policy.name);
    }
  });

  it("is the nodejs pack trusted-delivery-guardrails, run from its compiled JavaScript, with its own package.json", () => {
    assert.deepEqual(
      YAML.parse(fs.readFileSync(path.join(packDir, "PulumiPolicy.yaml"), "utf8")).runtime,
      { name: "nodejs", options: { typescript: false } },
    );
    const manifest = JSON.parse(fs.readFileSync(path.join(packDir, "package.json"), "utf8"));
    assert.equal(manifest.main, "bin/index.js");
    assert.equal(manifest.name, policyPackName);
    assert.match(manifest.version, /^\d+\.\d+\.\d+$/);
  });

  it("depends on the policy SDK and Pulumi versions the repository tests it with", () => {
    const pack = JSON.parse(fs.readFileSync(path.join(packDir, "package.json"), "utf8"));
    const root = JSON.parse(fs.readFileSync(path.join(packDir, "../package.json"), "utf8"));
    assert.equal(pack.dependencies["@pulumi/policy"], root.devDependencies["@pulumi/policy"]);
    assert.equal(pack.dependencies["@pulumi/pulumi"], root.dependencies["@pulumi/pulumi"]);
    // Templates of CloudFormation stacks are read with the YAML parser the repository uses.
    assert.equal(pack.dependencies.yaml, root.dependencies.yaml);
  });

  it("is listed in the README's table, generated from the policies (npm run docs)", () => {
    const readme = fs.readFileSync(path.join(packDir, "../README.md"), "utf8");
    assert.equal(withPolicyTable(readme, policies), readme);
  });
});
