import { strict as assert } from "assert";
import { ecrGoldenPath } from "../../policy-pack/policies/ecr/ecrGoldenPath";
import { runStackPolicy, TestStackResource, unknown, urnOf } from "../helpers/policyHarness";
import { awsNativeTypes, awsTypes, componentTypes } from "../../policy-pack/governance/typeTokens";

const pipeline: TestStackResource = {
  type: componentTypes.trustedDeliveryPipeline,
  name: "payments-api",
  props: {},
};
const governed: TestStackResource = {
  type: awsTypes.ecrRepository,
  name: "payments-api-repository",
  parent: "payments-api",
  props: { name: "payments-api" },
};
const bare: TestStackResource = {
  type: awsTypes.ecrRepository,
  name: "legacy",
  props: { name: "legacy-images" },
};
const message = (name: string) =>
  `ECR repository "${name}" must be created by a TrustedDeliveryPipeline: declare it as an app of the platform stack, or list it in allowedRepositories`;

describe("ecr-golden-path", () => {
  it("Compliance 1: a repository whose parent is a TrustedDeliveryPipeline", () => {
    assert.deepEqual(runStackPolicy(ecrGoldenPath, [pipeline, governed]), []);
  });

  it("Compliance 2: a pipeline further up the parent chain", () => {
    const wrapper: TestStackResource = {
      type: "acme:index:Service",
      name: "svc",
      parent: "payments-api",
      props: {},
    };
    assert.deepEqual(
      runStackPolicy(ecrGoldenPath, [pipeline, wrapper, { ...governed, parent: "svc" }]),
      [],
    );
  });

  it("Compliance 3: a repository allowed by its ECR name or its resource name", () => {
    assert.deepEqual(
      runStackPolicy(ecrGoldenPath, [bare], { allowedRepositories: ["legacy-images"] }),
      [],
    );
    assert.deepEqual(
      runStackPolicy(ecrGoldenPath, [bare], { allowedRepositories: ["legacy"] }),
      [],
    );
  });

  it("Noncompliance 1: a bare repository, reported on its URN", () => {
    assert.deepEqual(runStackPolicy(ecrGoldenPath, [pipeline, governed, bare]), [
      { message: message("legacy-images"), urn: urnOf(bare) },
    ]);
  });

  it("Noncompliance 2: a repository under another component", () => {
    const other: TestStackResource = { type: "acme:index:Registry", name: "reg", props: {} };
    assert.deepEqual(runStackPolicy(ecrGoldenPath, [other, { ...bare, parent: "reg" }]), [
      { message: message("legacy-images"), urn: urnOf(bare) },
    ]);
  });

  it("Noncompliance 3: an aws-native repository", () => {
    const native: TestStackResource = {
      type: awsNativeTypes.ecrRepository,
      name: "native",
      props: { repositoryName: "native-images" },
    };
    assert.deepEqual(runStackPolicy(ecrGoldenPath, [native]), [
      { message: message("native-images"), urn: urnOf(native) },
    ]);
  });

  it("Noncompliance 4: an auto-named repository whose name is unknown during preview is not allowed by name", () => {
    const autonamed = { ...bare, props: { name: unknown } };
    assert.deepEqual(
      runStackPolicy(ecrGoldenPath, [autonamed], { allowedRepositories: ["legacy-images"] }),
      [{ message: message("legacy"), urn: urnOf(bare) }],
    );
  });
});
