import { strict as assert } from "assert";
import { ecrLifecyclePolicyPresent } from "../../policy-pack/policies/ecr/ecrLifecyclePolicyPresent";
import { runStackPolicy, TestStackResource, unknown, urnOf } from "../helpers/policyHarness";
import { awsNativeTypes, awsTypes } from "../../policy-pack/governance/typeTokens";

const repository: TestStackResource = {
  type: awsTypes.ecrRepository,
  name: "repo",
  props: { name: "payments-api" },
};
const lifecycle = (
  props: Record<string, unknown>,
  dependsOnRepository = false,
): TestStackResource => ({
  type: awsTypes.ecrLifecyclePolicy,
  name: "lifecycle",
  props,
  ...(dependsOnRepository ? { propertyDependencies: { repository: ["repo"] } } : {}),
});
const message =
  'ECR repository "payments-api" has no lifecycle policy, so its images never expire: attach an aws.ecr.LifecyclePolicy';

describe("ecr-lifecycle-policy-present", () => {
  it("Compliance 1: a lifecycle policy computed from the repository", () => {
    assert.deepEqual(
      runStackPolicy(ecrLifecyclePolicyPresent, [
        repository,
        lifecycle({ repository: unknown }, true),
      ]),
      [],
    );
  });

  it("Compliance 2: a lifecycle policy naming the repository", () => {
    assert.deepEqual(
      runStackPolicy(ecrLifecyclePolicyPresent, [
        repository,
        lifecycle({ repository: "payments-api" }),
      ]),
      [],
    );
  });

  it("Compliance 3: an aws-native repository with an inline lifecycle policy", () => {
    const native: TestStackResource = {
      type: awsNativeTypes.ecrRepository,
      name: "native",
      props: { lifecyclePolicy: { lifecyclePolicyText: "{}" } },
    };
    assert.deepEqual(runStackPolicy(ecrLifecyclePolicyPresent, [native]), []);
  });

  it("Noncompliance 1: no lifecycle policy", () => {
    assert.deepEqual(runStackPolicy(ecrLifecyclePolicyPresent, [repository]), [
      { message, urn: urnOf(repository) },
    ]);
  });

  it("Noncompliance 2: a lifecycle policy of another repository", () => {
    assert.deepEqual(
      runStackPolicy(ecrLifecyclePolicyPresent, [repository, lifecycle({ repository: "ledger" })]),
      [{ message, urn: urnOf(repository) }],
    );
  });
});
