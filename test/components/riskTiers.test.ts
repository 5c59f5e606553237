import { strict as assert } from "assert";
import { riskTiers } from "../../components/riskTiers";
import { stateInstances } from "../helpers/fixtures";

describe("risk tiers", () => {
  it("are the Terraform module's: low MUTABLE/AES256/20, medium MUTABLE/AES256/30, high IMMUTABLE/KMS/50", () => {
    assert.deepEqual(riskTiers, {
      low: { imageTagMutability: "MUTABLE", encryption: "AES256", keepImages: 20 },
      medium: { imageTagMutability: "MUTABLE", encryption: "AES256", keepImages: 30 },
      high: { imageTagMutability: "IMMUTABLE", encryption: "KMS", keepImages: 50 },
    });
  });

  for (const [app, repository] of Object.entries(stateInstances("aws_ecr_repository"))) {
    it(`match what Terraform applied to ${app}`, () => {
      const tier = riskTiers[repository.tags["goldenpath.idp/risk"] as keyof typeof riskTiers];
      assert.equal(repository.image_tag_mutability, tier.imageTagMutability);
      assert.equal(repository.encryption_configuration[0].encryption_type, tier.encryption);
    });
  }

  it("cannot be changed at run time", () => {
    assert.throws(() => {
      (riskTiers.high as { keepImages: number }).keepImages = 1;
    }, TypeError);
  });
});
