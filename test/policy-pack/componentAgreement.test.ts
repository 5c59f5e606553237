/**
 * The component and the policy pack keep one definition of governance: whatever valid arguments
 * a pipeline is given, the pack (over the Analyzer protocol, as `pulumi preview` runs it) has no
 * mandatory violation on what it registers; and the pack's published defaults are the
 * component's.
 */
import { strict as assert } from "assert";
import fc from "fast-check";
import * as path from "path";
import { PolicyPackProcess } from "../../cli/policyPack/analyzerClient";
import { analyzeWithPolicyPack } from "../../cli/preview/policySession";
import { TrustedDeliveryPipeline, TrustedDeliveryPipelineArgs } from "../../components";
import { defaultTagPrefix } from "../../components/defaults";
import { registryIdPattern } from "../../policy-pack/governance/registry";
import { riskLevels, riskTiers } from "../../components/riskTiers";
import { requiredTierControls } from "../../policy-pack/governance/registry";
import { policies } from "../../policy-pack/policies";
import { runProgram } from "../helpers/offline";

const packDir = path.join(__dirname, "../../policy-pack");

const providers = [
  undefined,
  "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com",
  "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com/acme",
  "arn:aws:iam::123456789012:oidc-provider/token.actions.acme.ghe.com",
  "arn:aws:iam::123456789012:oidc-provider/github.acme.internal/_services/token",
];

/** Valid pipeline arguments of every shape the component accepts. */
const pipelineArgs: fc.Arbitrary<TrustedDeliveryPipelineArgs> = fc
  .record({
    environment: fc.constantFrom("dev", "prod", "staging-eu"),
    risk: fc.constantFrom(...riskLevels),
    name: fc.constantFrom("payments-api", "team/ledger", "web.frontend"),
    branches: fc.subarray(["main", "release/*", "feature/*-hotfix", "v2"]),
    tags: fc.subarray(["v*", "v1.0.0"]),
    useEnvironments: fc.boolean(),
    ids: fc.boolean(),
    provider: fc.constantFrom(...providers),
    keepImages: fc.option(fc.integer({ min: 1, max: 200 }), { nil: undefined }),
    tagPrefix: fc.constantFrom(undefined, "acme.io/"),
    kms: fc.boolean(),
    // Signed images: always for high risk (which needs the profile), by choice otherwise.
    signs: fc.boolean(),
  })
  .map((a) => ({
    repositoryName: a.name,
    environment: a.environment,
    metadata: { id: "REGISTRY_APP", owner: "team-app", risk: a.risk },
    github: {
      repository: "acme/app",
      ...(a.useEnvironments
        ? { environments: [a.environment, `${a.environment}-canary`] }
        : { branches: a.branches.length > 0 ? a.branches : ["main"], tags: a.tags }),
      ...(a.ids && { ownerId: 1234, repositoryId: 98765 }),
    },
    ...(a.provider && { oidcProviderArn: a.provider }),
    ...((a.signs || a.risk === "high") && {
      signingProfileArn: `arn:aws:signer:eu-west-2:123456789012:/signing-profiles/trusted_delivery_${a.environment.replace(/-/g, "_")}`,
    }),
    ...(a.tagPrefix && { tagPrefix: a.tagPrefix }),
    ecr: {
      // A high-risk registry keeps at least its tier's 50 images (the component refuses fewer).
      ...(a.keepImages !== undefined && {
        keepImages: a.risk === "high" ? Math.max(a.keepImages, 50) : a.keepImages,
      }),
      ...(a.kms && { encryption: "KMS" as const }),
    },
  }));

describe("the component and the policy pack", function () {
  this.timeout(300000);
  let pack: PolicyPackProcess;

  before(async () => {
    pack = await PolicyPackProcess.start(packDir);
  });
  after(async () => {
    await pack?.stop();
  });

  it("leave the pack no mandatory violation on anything the component registers, for any valid arguments", async () => {
    await fc.assert(
      fc.asyncProperty(pipelineArgs, async (args) => {
        const run = await runProgram(
          () => {
            new TrustedDeliveryPipeline(args.repositoryName!, args);
          },
          { stack: args.environment },
        );
        // The org configures the pack with the prefix its pipelines use.
        const prefixed: Record<string, Record<string, unknown>> = args.tagPrefix
          ? {
              "ecr-governance-metadata": { tagPrefix: args.tagPrefix },
              "ecr-risk-tier-controls": { tagPrefix: args.tagPrefix },
              "ecr-lifecycle-protects-releases": { tagPrefix: args.tagPrefix },
              "ecr-lifecycle-protects-releases-advisory": { tagPrefix: args.tagPrefix },
              "iam-github-oidc-role-least-privilege": { tagPrefix: args.tagPrefix },
            }
          : {};
        const report = await analyzeWithPolicyPack(pack, run.resources, {
          file: prefixed,
          source: "test",
        });
        const mandatory = report.diagnostics.filter((d) => d.enforcementLevel === "mandatory");
        assert.deepEqual(
          mandatory.map((d) => `${d.policyName}: ${d.message}`),
          [],
          JSON.stringify(args),
        );
      }),
      { numRuns: Number(process.env.AGREEMENT_RUNS ?? 60) },
    );
  });

  it("publish the component's governance as the pack's defaults", () => {
    const defaults = (policy: string, setting: string) =>
      (
        policies.find((p) => p.name === policy)!.configSchema!.properties![setting] as {
          default: unknown;
        }
      ).default;
    assert.equal(defaults("ecr-governance-metadata", "tagPrefix"), defaultTagPrefix);
    assert.equal(defaults("ecr-governance-metadata", "idPattern"), registryIdPattern.source);
    assert.deepEqual(defaults("ecr-governance-metadata", "allowedRisks"), [...riskLevels]);
    assert.equal(defaults("ecr-risk-tier-controls", "tagPrefix"), defaultTagPrefix);
    assert.deepEqual(defaults("ecr-risk-tier-controls", "tiers"), requiredTierControls);
    // What the tiers require is what the component's tiers give.
    for (const [risk, controls] of Object.entries(requiredTierControls)) {
      const tier = riskTiers[risk as keyof typeof riskTiers];
      assert.equal(controls.imageTagMutability ?? tier.imageTagMutability, tier.imageTagMutability);
      assert.equal(controls.encryption ?? tier.encryption, tier.encryption);
    }
    assert.deepEqual(requiredTierControls, {
      high: { imageTagMutability: "IMMUTABLE", encryption: "KMS" },
    });
  });
});
