import { strict as assert } from "assert";
import { lifecyclePolicyDocument } from "../../components/lifecyclePolicy";
import * as path from "path";
import {
  AnalyzerInfo,
  AnalyzerResource,
  Diagnostic,
  PolicyPackProcess,
  unknownValue,
} from "../../cli/policyPack/analyzerClient";
import { resolvePolicyConfig } from "../../cli/policyPack/policyConfig";
import { policies, policyPackName } from "../../policy-pack/policies";
import { readFixture } from "../helpers/fixtures";
import { awsTypes, componentTypes } from "../../policy-pack/governance/typeTokens";

const packDir = path.join(__dirname, "../../policy-pack");
const packVersion = require("../../policy-pack/package.json").version;
const from = (policy: string) =>
  `policy '${policy}' from policy pack '${policyPackName}@v${packVersion}'`;

const urn = (type: string, name: string) => `urn:pulumi:dev::platform::${type}::${name}`;
const resource = (
  type: string,
  name: string,
  properties: Record<string, unknown>,
  extra: Partial<AnalyzerResource> = {},
): AnalyzerResource => ({
  urn: urn(type, name),
  type,
  name,
  properties,
  ...extra,
});

const bareRepository = resource(awsTypes.ecrRepository, "legacy", {
  name: "legacy-images",
});
const governedRepository = resource(awsTypes.ecrRepository, "payments-api", {
  name: "payments-api",
  imageScanningConfiguration: { scanOnPush: true },
  tags: {
    "goldenpath.idp/id": "REGISTRY_PAYMENTS_API",
    "goldenpath.idp/owner": "team-payments",
    "goldenpath.idp/risk": "medium",
  },
});
const handMadeRole = resource(awsTypes.iamRole, "gha-push", {
  name: "gha-ecr-push",
  assumeRolePolicy: readFixture("hand-made-iam/github-actions-oidc-trust.json"),
});
const handMadePushPolicy = resource(
  awsTypes.iamRolePolicy,
  "gha-push-policy",
  { role: "gha-ecr-push", policy: readFixture("hand-made-iam/github-actions-ecr-push.json") },
  { propertyDependencies: { role: [handMadeRole.urn] } },
);

/** What tests compare: the fields a user sees. */
const seen = (diagnostics: Diagnostic[]) =>
  diagnostics.map((d) => ({
    policy: d.policyName,
    level: d.enforcementLevel,
    message: d.message,
    ...(d.urn ? { urn: d.urn } : {}),
  }));

describe("the policy pack over the Analyzer protocol", function () {
  this.timeout(90000);
  let pack: PolicyPackProcess;
  let info: AnalyzerInfo;

  before(async () => {
    pack = await PolicyPackProcess.start(packDir);
    info = await pack.getAnalyzerInfo();
  });
  after(async () => {
    await pack?.stop();
  });

  it("is started the way the Pulumi CLI starts it, and serves the pack's name and package version", () => {
    assert.equal(info.name, "trusted-delivery-guardrails");
    assert.equal(info.version, packVersion);
    assert.equal(info.supportsConfig, true);
  });

  it("GetAnalyzerInfo lists every policy with its level, kind, severity, remediation and config schema", () => {
    assert.deepEqual(
      info.policies.map((p) => p.name),
      policies.map((p) => p.name),
    );
    for (const policy of policies) {
      const served = info.policies.find((p) => p.name === policy.name)!;
      assert.equal(served.enforcementLevel, policy.enforcementLevel, policy.name);
      assert.equal(served.severity, policy.severity, policy.name);
      assert.equal(served.remediationSteps, policy.remediationSteps, policy.name);
      assert.equal(served.type, "validateStack" in policy ? "stack" : "resource", policy.name);
      assert.deepEqual(
        served.configSchema?.properties,
        policy.configSchema?.properties,
        policy.name,
      );
    }
  });

  it("publishes a default for every setting of every policy", () => {
    for (const policy of info.policies) {
      for (const [setting, schema] of Object.entries(policy.configSchema?.properties ?? {})) {
        assert.ok("default" in schema, `${policy.name}.${setting} has no default`);
      }
    }
  });

  describe("with the default config", () => {
    before(async () => {
      await pack.configure(resolvePolicyConfig(info, undefined));
    });

    it("Analyze passes a governed repository", async () => {
      assert.deepEqual(await pack.analyze(governedRepository), []);
    });

    it("Analyze reports what a bare repository lacks, as mandatory violations", async () => {
      assert.deepEqual(seen(await pack.analyze(bareRepository)), [
        {
          policy: "ecr-governance-metadata",
          level: "mandatory",
          message:
            'Every ECR repository, and every repository creation template (through resourceTags, for the repositories it makes), carries the governance tags: <prefix>id matching the id pattern, a non-empty <prefix>owner, and <prefix>risk from the allowed set.\nECR repository must carry its catalog id: set tag "goldenpath.idp/id" (matching ^[A-Z0-9_]+$), or create the repository with TrustedDeliveryPipeline',
        },
        {
          policy: "ecr-governance-metadata",
          level: "mandatory",
          message:
            'Every ECR repository, and every repository creation template (through resourceTags, for the repositories it makes), carries the governance tags: <prefix>id matching the id pattern, a non-empty <prefix>owner, and <prefix>risk from the allowed set.\nECR repository must carry its owner: set tag "goldenpath.idp/owner" to the owning team',
        },
        {
          policy: "ecr-governance-metadata",
          level: "mandatory",
          message:
            'Every ECR repository, and every repository creation template (through resourceTags, for the repositories it makes), carries the governance tags: <prefix>id matching the id pattern, a non-empty <prefix>owner, and <prefix>risk from the allowed set.\nECR repository must carry its risk: set tag "goldenpath.idp/risk" to one of low, medium, high',
        },
        {
          policy: "ecr-scan-on-push",
          level: "mandatory",
          message:
            "Every ECR repository scans images for vulnerabilities when they are pushed, and a registry scanning configuration scans every repository on push or continuously (its rules replace the repositories' own setting).\nECR repository must enable scan on push: set imageScanningConfiguration.scanOnPush = true",
        },
      ]);
    });

    it("Analyze reports the hand-made trust policy, which admits every repository of its owner", async () => {
      const diagnostics = await pack.analyze(handMadeRole);
      assert.deepEqual(
        diagnostics.map((d) => [
          d.policyName,
          d.enforcementLevel,
          d.severity,
          d.message.split("\n")[1],
        ]),
        [
          [
            "iam-github-oidc-trust-scoped",
            "mandatory",
            "critical",
            'GitHub OIDC trust must admit one repository\'s workflow runs only, with aud "sts.amazonaws.com": statement "GitHubOIDCTrust" admits more than one repository of mikeybeezy, e.g. sub "repo:mikeybeezy/app:ref:refs/heads/main" and sub "repo:mikeybeezy/app-fork:ref:refs/heads/main"; list exact subjects such as "repo:<owner>/<name>:ref:refs/heads/main"',
          ],
        ],
      );
    });

    it("Analyze reports that a check cannot run yet on values unknown during preview, as an advisory", async () => {
      const unknownTags = resource(awsTypes.ecrRepository, "new", {
        imageScanningConfiguration: { scanOnPush: true },
        tags: unknownValue,
      });
      assert.deepEqual(seen(await pack.analyze(unknownTags)), [
        {
          policy: "ecr-governance-metadata",
          level: "advisory",
          message: `can't run ${from("ecr-governance-metadata")} during preview: string value at .tags can't be known during preview`,
        },
        {
          policy: "ecr-risk-tier-controls",
          level: "advisory",
          message: `can't run ${from("ecr-risk-tier-controls")} during preview: string value at .tags can't be known during preview`,
        },
      ]);
      const unknownTrust = resource(awsTypes.iamRole, "new-role", {
        assumeRolePolicy: unknownValue,
      });
      assert.deepEqual(
        (await pack.analyze(unknownTrust)).map((d) => [d.policyName, d.enforcementLevel]),
        [
          ["iam-github-oidc-trust-scoped", "advisory"],
          ["iam-github-oidc-trust-whole-repository", "advisory"],
        ],
      );
    });

    it("AnalyzeStack reports the hand-made push policy, the bare repository, and a second OIDC provider", async () => {
      const provider = (name: string) =>
        resource(awsTypes.iamOidcProvider, name, {
          url: "https://token.actions.githubusercontent.com",
        });
      const diagnostics = await pack.analyzeStack([
        handMadeRole,
        handMadePushPolicy,
        bareRepository,
        provider("github-oidc"),
        provider("github-oidc-again"),
      ]);
      assert.deepEqual(
        diagnostics.map((d) => [d.policyName, d.enforcementLevel, d.urn, d.message.split("\n")[1]]),
        [
          [
            "ecr-golden-path",
            "advisory",
            bareRepository.urn,
            'ECR repository "legacy-images" must be created by a TrustedDeliveryPipeline: declare it as an app of the platform stack, or list it in allowedRepositories',
          ],
          [
            "ecr-lifecycle-policy-present",
            "advisory",
            bareRepository.urn,
            'ECR repository "legacy-images" has no lifecycle policy, so its images never expire: attach an aws.ecr.LifecyclePolicy',
          ],
          [
            "iam-github-oidc-role-least-privilege",
            "mandatory",
            handMadeRole.urn,
            'Role "gha-ecr-push" is trusted by GitHub Actions and must only push to its own repositories: role policy "gha-push-policy" statement "ECRPushPull" grants ecr:CompleteLayerUpload, ecr:InitiateLayerUpload, ecr:PutImage, ecr:UploadLayerPart on "arn:aws:ecr:eu-west-2:123456789012:repository/another-team-app", a repository it does not name; scope Resource to the repository\'s ARN (TrustedDeliveryPipeline does)',
          ],
          [
            "iam-one-github-oidc-provider",
            "mandatory",
            provider("github-oidc").urn,
            'GitHub OIDC provider for token.actions.githubusercontent.com is declared 2 times in this stack ("github-oidc", "github-oidc-again"); IAM allows one per account: create it once and share its ARN',
          ],
          [
            "iam-one-github-oidc-provider",
            "mandatory",
            provider("github-oidc-again").urn,
            'GitHub OIDC provider for token.actions.githubusercontent.com is declared 2 times in this stack ("github-oidc", "github-oidc-again"); IAM allows one per account: create it once and share its ARN',
          ],
        ],
      );
    });

    it("AnalyzeStack follows parents: a repository under a TrustedDeliveryPipeline is on the golden path", async () => {
      const pipeline = resource(componentTypes.trustedDeliveryPipeline, "payments-api", {});
      const child = {
        ...governedRepository,
        urn: urn(
          "trusted-delivery:index:TrustedDeliveryPipeline$aws:ecr/repository:Repository",
          "payments-api-repository",
        ),
        parent: pipeline.urn,
      };
      const lifecycle = resource(
        awsTypes.ecrLifecyclePolicy,
        "payments-api-lifecycle",
        { repository: "payments-api", policy: lifecyclePolicyDocument(30, "medium") },
        { parent: pipeline.urn },
      );
      assert.deepEqual(await pack.analyzeStack([pipeline, child, lifecycle]), []);
    });
  });

  describe("configured", () => {
    after(async () => {
      await pack.configure(resolvePolicyConfig(info, undefined));
    });

    it("Configure changes enforcement levels: golden path made mandatory, scan on push disabled", async () => {
      await pack.configure(
        resolvePolicyConfig(info, {
          "ecr-golden-path": "mandatory",
          "ecr-scan-on-push": { enforcementLevel: "disabled" },
        }),
      );
      assert.deepEqual(
        (await pack.analyze(bareRepository)).map((d) => d.policyName),
        ["ecr-governance-metadata", "ecr-governance-metadata", "ecr-governance-metadata"],
      );
      assert.deepEqual(
        (await pack.analyzeStack([bareRepository])).map((d) => [d.policyName, d.enforcementLevel]),
        [
          ["ecr-golden-path", "mandatory"],
          ["ecr-lifecycle-policy-present", "advisory"],
        ],
      );
    });

    it("Configure changes settings: another tag prefix, and an allow-listed repository", async () => {
      await pack.configure(
        resolvePolicyConfig(info, {
          all: "advisory",
          "ecr-governance-metadata": { tagPrefix: "acme.io/" },
          "ecr-golden-path": { allowedRepositories: ["legacy-images"] },
        }),
      );
      assert.deepEqual(
        (await pack.analyze(governedRepository)).map((d) => [
          d.enforcementLevel,
          d.message.split("\n")[1],
        ]),
        [
          [
            "advisory",
            'ECR repository must carry its catalog id: set tag "acme.io/id" (matching ^[A-Z0-9_]+$), or create the repository with TrustedDeliveryPipeline',
          ],
          [
            "advisory",
            'ECR repository must carry its owner: set tag "acme.io/owner" to the owning team',
          ],
          [
            "advisory",
            'ECR repository must carry its risk: set tag "acme.io/risk" to one of low, medium, high',
          ],
        ],
      );
      assert.deepEqual(
        (await pack.analyzeStack([bareRepository])).map((d) => d.policyName),
        ["ecr-lifecycle-policy-present"],
      );
    });
  });
});
