import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { readPolicyConfigFile, resolvePolicyConfig } from "../../cli/policyPack/policyConfig";
import { packInfo } from "../helpers/packInfo";
import { componentTypes } from "../../policy-pack/governance/typeTokens";

const exampleFile = path.join(__dirname, "../../policy-pack/config.example.json");

describe("policy pack config", () => {
  it("applies every policy's default level and the schema defaults when no config is given", () => {
    const resolved = resolvePolicyConfig(packInfo(), undefined);
    assert.deepEqual(resolved["ecr-golden-path"], {
      enforcementLevel: "advisory",
      properties: {
        allowedRepositories: [],
        componentTypes: [componentTypes.trustedDeliveryPipeline],
      },
    });
    assert.deepEqual(resolved["ecr-scan-on-push"], {
      enforcementLevel: "mandatory",
      properties: {},
    });
  });

  it("the committed example config is valid against the pack's schemas", () => {
    const resolved = resolvePolicyConfig(
      packInfo(),
      readPolicyConfigFile(exampleFile),
      exampleFile,
    );
    assert.equal(resolved["ecr-golden-path"].enforcementLevel, "mandatory");
    assert.deepEqual(resolved["ecr-golden-path"].properties.allowedRepositories, ["legacy-images"]);
    assert.equal(resolved["iam-github-oidc-trust-whole-repository"].enforcementLevel, "mandatory");
  });

  it("lets a policy's own level override all, and all override the defaults", () => {
    const resolved = resolvePolicyConfig(packInfo(), {
      all: "advisory",
      "ecr-scan-on-push": { enforcementLevel: "mandatory" },
    });
    assert.equal(resolved["ecr-governance-metadata"].enforcementLevel, "advisory");
    assert.equal(resolved["ecr-scan-on-push"].enforcementLevel, "mandatory");
  });

  it("refuses unknown policies, levels and settings, and settings that break the schema, all at once", () => {
    assert.throws(
      () =>
        resolvePolicyConfig(
          packInfo(),
          {
            "ecr-scan-on-pull": "mandatory",
            all: "strict",
            "ecr-governance-metadata": { tagPrefx: "x/", allowedRisks: [] },
            "ecr-risk-tier-controls": { tiers: { high: { encryption: "AES256" } } },
          },
          "org.json",
        ),
      {
        message: [
          "Policy config org.json has 5 invalid arguments:",
          "  - ecr-scan-on-pull is not a policy of trusted-delivery-guardrails; policies: all, ecr-governance-metadata, ecr-scan-on-push, ecr-risk-tier-controls, ecr-no-public-access, ecr-golden-path, ecr-lifecycle-policy-present, ecr-lifecycle-protects-releases, ecr-lifecycle-protects-releases-advisory, ecr-repository-creation-governed, ecr-high-risk-continuous-scan, ecr-high-risk-signed, iam-github-oidc-trust-scoped, iam-github-oidc-trust-whole-repository, iam-github-oidc-role-least-privilege, iam-one-github-oidc-provider, cloudformation-template-readable",
          '  - all is "strict"; must be one of "advisory", "mandatory", "remediate", "disabled"',
          "  - ecr-governance-metadata.tagPrefx is not a setting of ecr-governance-metadata; settings: tagPrefix, idPattern, allowedRisks",
          "  - ecr-governance-metadata.allowedRisks is []; must NOT have fewer than 1 items",
          '  - ecr-risk-tier-controls.tiers.high.encryption is "AES256"; must be one of "KMS"',
        ].join("\n"),
      },
    );
  });

  it("refuses a file that is not a JSON object, naming it", () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "td-")), "bad.json");
    fs.writeFileSync(file, "[1]");
    assert.throws(() => readPolicyConfigFile(file), {
      message: `Policy config ${file} has an invalid argument:\n  - file is ${JSON.stringify(file)}; must hold a JSON object of policy names to settings (the top level is not an object)`,
    });
  });
});
