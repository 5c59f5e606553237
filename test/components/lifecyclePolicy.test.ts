import { strict as assert } from "assert";
import {
  lifecyclePolicyDocument,
  lifecycleRuleDescription,
} from "../../components/lifecyclePolicy";
import { riskTiers } from "../../components/riskTiers";
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
});
