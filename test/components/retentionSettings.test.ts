/**
 * `ecr.retention` through the component: checked with the count it goes with, written as one
 * lifecycle policy (retentionPolicyDocument, tested on its own in retentionPolicy.test.ts), and
 * read back by adoption into the same settings.
 */
import { strict as assert } from "assert";
import { TrustedDeliveryPipeline, TrustedDeliveryPipelineArgs } from "../../components";
import { retentionPolicyDocument } from "../../components/lifecyclePolicy";
import { validateTrustedDeliveryPipelineArgs } from "../../components/validation";
import { newAppEntry } from "../../cli/adoption/appEntries";
import type { ExistingRegistry } from "../../cli/adoption/registry";
import { awsTypes } from "../../policy-pack/governance/typeTokens";
import { runProgram, single } from "../helpers/offline";
import { minimalPipelineArgs, signingFor } from "../helpers/pipelineArgs";

const withEcr = (ecr: Record<string, unknown>, risk = "medium"): TrustedDeliveryPipelineArgs => ({
  ...minimalPipelineArgs,
  metadata: { ...minimalPipelineArgs.metadata, risk: risk as "medium" },
  ecr: ecr as TrustedDeliveryPipelineArgs["ecr"],
  ...signingFor(risk),
});
const messages = (args: TrustedDeliveryPipelineArgs) =>
  validateTrustedDeliveryPipelineArgs("payments-api", args).map((p) => p.message);
const retention = { untaggedExpireDays: 14, protectedTagPatterns: ["v*", "release-*"] };

describe("retention settings (ecr.retention)", () => {
  it("writes one lifecycle policy with the count, the untagged rule and the protected releases", async () => {
    const run = await runProgram(
      () => new TrustedDeliveryPipeline("payments-api", withEcr({ keepImages: 40, retention })),
    );
    const policy = single(run, awsTypes.ecrLifecyclePolicy).inputs.policy;
    assert.equal(policy, retentionPolicyDocument({ ...retention, keepImages: 40 }, "medium"));
    const rules = JSON.parse(policy).rules;
    assert.deepEqual(
      rules.map((r: any) => [r.rulePriority, r.selection.tagStatus]),
      [
        [1, "tagged"],
        [2, "tagged"],
        [3, "untagged"],
        [4, "any"],
      ],
    );
  });

  it("the tier's count when keepImages is not given", async () => {
    const run = await runProgram(
      () => new TrustedDeliveryPipeline("payments-api", withEcr({ retention }, "high")),
    );
    const lifecycle = single(run, awsTypes.ecrLifecyclePolicy).inputs.policy;
    assert.equal(JSON.parse(lifecycle).rules.at(-1).selection.countNumber, 50);
    assert.equal(lifecycle, retentionPolicyDocument({ ...retention, keepImages: 50 }, "high"));
  });

  it("refuses bad retention, naming the field, and the count inside it", () => {
    assert.deepEqual(messages(withEcr({ retention: { keepImages: 5 } })), [
      "ecr.retention.keepImages is 5; is not a retention setting: the count is ecr.keepImages",
    ]);
    assert.deepEqual(messages(withEcr({ retention: "long" })), [
      'ecr.retention is "long"; must be an object with any of untaggedExpireDays, protectedTagPatterns, archiveAfterDaysNotPulled',
    ]);
    const bad = messages(
      withEcr({ retention: { untaggedExpireDays: 0, protectedTagPatterns: ["*"] } }),
    );
    assert.equal(bad.length, 2, bad.join("\n"));
    assert.ok(bad[0].startsWith("ecr.retention.untaggedExpireDays is 0;"), bad[0]);
    assert.ok(bad[1].startsWith('ecr.retention.protectedTagPatterns[0] is "*";'), bad[1]);
  });

  it("adoption reads a policy it writes back into the same settings", () => {
    const registry = {
      id: "payments-api",
      name: "payments-api",
      arn: "arn:aws:ecr:eu-west-2:123456789012:repository/payments-api",
      region: "eu-west-2",
      account: "123456789012",
      imageTagMutability: "MUTABLE",
      encryptionType: "AES256",
      tags: {},
      lifecyclePolicy: {
        id: "payments-api",
        policy: retentionPolicyDocument({ ...retention, keepImages: 40 }, "medium"),
      },
    } as unknown as ExistingRegistry;
    const entry = newAppEntry(
      registry,
      { id: "REGISTRY_PAYMENTS_API", owner: "team-payments", risk: "medium" },
      "acme/payments-api",
      "goldenpath.idp",
    );
    assert.deepEqual(entry.ecr, { keepImages: 40, retention });
  });
});
