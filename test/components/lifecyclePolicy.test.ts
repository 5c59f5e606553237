import { strict as assert } from "assert";
import fc from "fast-check";
import {
  keptImages,
  lifecyclePolicyDocument,
  lifecycleRuleDescription,
} from "../../components/lifecyclePolicy";
import { riskLevels, riskTiers } from "../../components/riskTiers";
import { stateInstances } from "../helpers/fixtures";

describe("lifecycle policy", () => {
  it("describes its rule exactly as the Terraform module does", () => {
    assert.equal(
      lifecycleRuleDescription(30, "medium"),
      "Keep last 30 images (medium risk policy)",
    );
  });

  it("keeps the last N images of any tag status, expiring the rest", () => {
    const policy = JSON.parse(lifecyclePolicyDocument(12, "low"));
    assert.deepEqual(policy, {
      rules: [
        {
          action: { type: "expire" },
          description: "Keep last 12 images (low risk policy)",
          rulePriority: 1,
          selection: { countNumber: 12, countType: "imageCountMoreThan", tagStatus: "any" },
        },
      ],
    });
  });

  // Adoption with no diff depends on this: the text must be what Terraform stored, byte for byte.
  for (const [app, attributes] of Object.entries(stateInstances("aws_ecr_lifecycle_policy"))) {
    it(`is byte for byte the policy Terraform applied to ${app}`, () => {
      const risk = JSON.parse(attributes.policy).rules[0].description.match(/\((\w+) risk/)[1];
      const keep = riskTiers[risk as keyof typeof riskTiers].keepImages;
      assert.equal(lifecyclePolicyDocument(keep, risk), attributes.policy);
    });
  }

  describe("read back by keptImages, its inverse", () => {
    it("gives the count of every policy lifecyclePolicyDocument writes", () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 10_000 }),
          fc.constantFrom(...riskLevels),
          (n, risk) => {
            assert.equal(keptImages(lifecyclePolicyDocument(n, risk)), n);
          },
        ),
      );
    });

    it("gives a count only for a policy lifecyclePolicyDocument would write for it", () => {
      // Any JSON near the module's shape: whenever a count comes back, writing that count out
      // again must express the same rule (the description aside, which names the risk).
      const rule = fc.record(
        {
          action: fc.record({ type: fc.constantFrom("expire", "keep") }, { requiredKeys: [] }),
          description: fc.string(),
          rulePriority: fc.integer({ min: 1, max: 3 }),
          selection: fc.record(
            {
              countNumber: fc.oneof(fc.integer({ min: -2, max: 40 }), fc.double(), fc.string()),
              countType: fc.constantFrom("imageCountMoreThan", "sinceImagePushed"),
              tagStatus: fc.constantFrom("any", "tagged", "untagged"),
              tagPrefixList: fc.array(fc.string(), { maxLength: 1 }),
            },
            { requiredKeys: [] },
          ),
        },
        { requiredKeys: [] },
      );
      const policy = fc.oneof(
        fc.record({ rules: fc.array(rule, { maxLength: 2 }) }).map((p) => JSON.stringify(p)),
        fc.string(),
      );
      fc.assert(
        fc.property(policy, (text) => {
          const kept = keptImages(text);
          if (kept === undefined) {
            return;
          }
          const [given] = JSON.parse(text).rules;
          const [written] = JSON.parse(lifecyclePolicyDocument(kept, "low")).rules;
          assert.equal(JSON.parse(text).rules.length, 1);
          assert.deepEqual(given.action, written.action);
          assert.deepEqual(
            { ...written.selection, tagPrefixList: undefined },
            { ...given.selection, tagPrefixList: undefined },
          );
        }),
        { numRuns: 2000 },
      );
    });

    it("gives no count for policies of another shape", () => {
      const policy = (rules: unknown) => JSON.stringify({ rules });
      const rule = JSON.parse(lifecyclePolicyDocument(30, "medium")).rules[0];
      for (const text of [
        undefined,
        "",
        "not json",
        "null",
        policy([]),
        policy([rule, { ...rule, rulePriority: 2 }]),
        policy([{ ...rule, action: { type: "keep" } }]),
        policy([{ ...rule, selection: { ...rule.selection, tagStatus: "tagged" } }]),
        policy([{ ...rule, selection: { ...rule.selection, countType: "sinceImagePushed" } }]),
        policy([{ ...rule, selection: { ...rule.selection, countNumber: 0 } }]),
        policy([{ ...rule, selection: { ...rule.selection, countNumber: 2.5 } }]),
        policy([{ ...rule, selection: { ...rule.selection, countNumber: "30" } }]),
      ]) {
        assert.equal(keptImages(text), undefined, String(text));
      }
    });

    // Adoption keeps each registry's count: what Terraform applied reads back as its tier's.
    for (const [app, attributes] of Object.entries(stateInstances("aws_ecr_lifecycle_policy"))) {
      it(`reads ${app}'s policy in the Terraform state back as its tier's count`, () => {
        const risk = JSON.parse(attributes.policy).rules[0].description.match(/\((\w+) risk/)[1];
        assert.equal(
          keptImages(attributes.policy),
          riskTiers[risk as keyof typeof riskTiers].keepImages,
        );
      });
    }
  });
});
