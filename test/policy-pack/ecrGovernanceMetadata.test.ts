import { strict as assert } from "assert";
import { ecrGovernanceMetadata } from "../../policy-pack/policies/ecr/ecrGovernanceMetadata";
import { runResourcePolicy, unknown, UnknownValueError } from "../helpers/policyHarness";
import { awsNativeTypes, awsTypes } from "../../policy-pack/governance/typeTokens";

const governed = {
  "goldenpath.idp/id": "REGISTRY_PAYMENTS_API",
  "goldenpath.idp/owner": "team-payments",
  "goldenpath.idp/risk": "medium",
};
const repository = (tags: unknown) => ({
  type: awsTypes.ecrRepository,
  props: { name: "payments-api", tags },
});
const run = (tags: unknown, config?: Record<string, unknown>) =>
  runResourcePolicy(ecrGovernanceMetadata, repository(tags), config);

describe("ecr-governance-metadata", () => {
  it("Compliance 1: a repository with id, owner and risk tags", () => {
    assert.deepEqual(run(governed), []);
  });

  it("Compliance 2: an aws-native repository with the tags as a key/value list", () => {
    const tags = Object.entries(governed).map(([key, value]) => ({ key, value }));
    assert.deepEqual(
      runResourcePolicy(ecrGovernanceMetadata, {
        type: awsNativeTypes.ecrRepository,
        props: { tags },
      }),
      [],
    );
  });

  it("Compliance 3: other resource types are not checked", () => {
    assert.deepEqual(
      runResourcePolicy(ecrGovernanceMetadata, { type: "aws:s3/bucket:Bucket", props: {} }),
      [],
    );
  });

  it("Compliance 4: a configured prefix, id pattern and risk set", () => {
    const config = {
      tagPrefix: "acme.io/",
      idPattern: "^APP-[0-9]+$",
      allowedRisks: ["tier1", "tier2"],
    };
    assert.deepEqual(
      run({ "acme.io/id": "APP-42", "acme.io/owner": "payments", "acme.io/risk": "tier2" }, config),
      [],
    );
  });

  it("Noncompliance 1: a repository with no tags at all", () => {
    assert.deepEqual(run(undefined), [
      'ECR repository must carry its catalog id: set tag "goldenpath.idp/id" (matching ^[A-Z0-9_]+$), or create the repository with TrustedDeliveryPipeline',
      'ECR repository must carry its owner: set tag "goldenpath.idp/owner" to the owning team',
      'ECR repository must carry its risk: set tag "goldenpath.idp/risk" to one of low, medium, high',
    ]);
  });

  it("Noncompliance 2: an id outside the id pattern", () => {
    assert.deepEqual(run({ ...governed, "goldenpath.idp/id": "registry-payments" }), [
      'ECR repository tag "goldenpath.idp/id" is "registry-payments" but must match ^[A-Z0-9_]+$, e.g. "REGISTRY_PAYMENTS_API"',
    ]);
  });

  it("Noncompliance 3: an empty owner", () => {
    assert.deepEqual(run({ ...governed, "goldenpath.idp/owner": " " }), [
      'ECR repository must carry its owner: set tag "goldenpath.idp/owner" to the owning team',
    ]);
  });

  it("Noncompliance 4: a risk outside the allowed set", () => {
    assert.deepEqual(run({ ...governed, "goldenpath.idp/risk": "critical" }), [
      'ECR repository tag "goldenpath.idp/risk" is "critical" but must be one of low, medium, high',
    ]);
  });

  it("Noncompliance 5: tags under another prefix than the configured one", () => {
    assert.equal(run(governed, { tagPrefix: "acme.io/" }).length, 3);
  });

  it("cannot run, and does not pass, while the tags are unknown during preview", () => {
    assert.throws(() => run(unknown), UnknownValueError);
    assert.throws(() => run({ ...governed, "goldenpath.idp/owner": unknown }), UnknownValueError);
  });
});
