import { strict as assert } from "assert";
import { ecrRiskTierControls } from "../../policy-pack/policies/ecr/ecrRiskTierControls";
import { runResourcePolicy, unknown, UnknownValueError } from "../helpers/policyHarness";
import { awsNativeTypes, awsTypes } from "../../policy-pack/governance/typeTokens";

const high = {
  tags: { "goldenpath.idp/risk": "high" },
  imageTagMutability: "IMMUTABLE",
  encryptionConfigurations: [{ encryptionType: "KMS" }],
};
const run = (
  props: Record<string, unknown>,
  config?: Record<string, unknown>,
  type: string = awsTypes.ecrRepository,
) => runResourcePolicy(ecrRiskTierControls, { type, props }, config);

describe("ecr-risk-tier-controls", () => {
  it("Compliance 1: a high-risk repository with immutable tags and KMS", () => {
    assert.deepEqual(run(high), []);
  });

  it("Compliance 2: dual-layer KMS (KMS_DSSE) satisfies KMS", () => {
    assert.deepEqual(
      run({ ...high, encryptionConfigurations: [{ encryptionType: "KMS_DSSE" }] }),
      [],
    );
  });

  it("Compliance 3: a medium-risk repository with mutable tags and AES256, which the default tiers allow", () => {
    assert.deepEqual(run({ tags: { "goldenpath.idp/risk": "medium" } }), []);
  });

  it("Compliance 4: an aws-native high-risk repository", () => {
    const props = {
      tags: [{ key: "goldenpath.idp/risk", value: "high" }],
      imageTagMutability: "IMMUTABLE",
      encryptionConfiguration: { encryptionType: "KMS" },
    };
    assert.deepEqual(run(props, {}, awsNativeTypes.ecrRepository), []);
  });

  it("Noncompliance 1: a high-risk repository with mutable tags", () => {
    assert.deepEqual(run({ ...high, imageTagMutability: "MUTABLE" }), [
      'ECR repository tagged "high" risk must use immutable tags: set imageTagMutability = "IMMUTABLE" (it is "MUTABLE")',
    ]);
  });

  it("Noncompliance 2: a high-risk repository with no encryption setting (AES256 by default)", () => {
    assert.deepEqual(run({ ...high, encryptionConfigurations: undefined }), [
      'ECR repository tagged "high" risk must be encrypted with KMS: set encryptionConfigurations[0].encryptionType = "KMS" (it is "AES256")',
    ]);
  });

  it("Noncompliance 3: immutability with exclusions is not immutable", () => {
    assert.deepEqual(run({ ...high, imageTagMutability: "IMMUTABLE_WITH_EXCLUSION" }), [
      'ECR repository tagged "high" risk must use immutable tags: set imageTagMutability = "IMMUTABLE" (it is "IMMUTABLE_WITH_EXCLUSION")',
    ]);
  });

  it("Noncompliance 4: an aws-native high-risk repository without KMS names its own property", () => {
    const props = {
      tags: [{ key: "goldenpath.idp/risk", value: "high" }],
      imageTagMutability: "IMMUTABLE",
    };
    assert.deepEqual(run(props, {}, awsNativeTypes.ecrRepository), [
      'ECR repository tagged "high" risk must be encrypted with KMS: set encryptionConfiguration.encryptionType = "KMS" (it is "AES256")',
    ]);
  });

  it("Noncompliance 5: a tier table from config that also requires KMS for medium risk", () => {
    const config = { tiers: { medium: { encryption: "KMS" } } };
    assert.deepEqual(run({ tags: { "goldenpath.idp/risk": "medium" } }, config), [
      'ECR repository tagged "medium" risk must be encrypted with KMS: set encryptionConfigurations[0].encryptionType = "KMS" (it is "AES256")',
    ]);
  });

  it("cannot run while the tag mutability is unknown during preview", () => {
    assert.throws(() => run({ ...high, imageTagMutability: unknown }), UnknownValueError);
  });
});
