import { strict as assert } from "assert";
import { ecrScanOnPush } from "../../policy-pack/policies/ecr/ecrScanOnPush";
import { runResourcePolicy, unknown, UnknownValueError } from "../helpers/policyHarness";
import { awsNativeTypes, awsTypes } from "../../policy-pack/governance/typeTokens";

const run = (props: Record<string, unknown>, type: string = awsTypes.ecrRepository) =>
  runResourcePolicy(ecrScanOnPush, { type, props });
const message =
  "ECR repository must enable scan on push: set imageScanningConfiguration.scanOnPush = true";

describe("ecr-scan-on-push", () => {
  it("Compliance 1: scan on push enabled", () => {
    assert.deepEqual(run({ imageScanningConfiguration: { scanOnPush: true } }), []);
  });

  it("Compliance 2: an aws-native repository with scan on push", () => {
    assert.deepEqual(
      run({ imageScanningConfiguration: { scanOnPush: true } }, awsNativeTypes.ecrRepository),
      [],
    );
  });

  it("Noncompliance 1: no scanning configuration", () => {
    assert.deepEqual(run({}), [message]);
  });

  it("Noncompliance 2: scan on push turned off", () => {
    assert.deepEqual(run({ imageScanningConfiguration: { scanOnPush: false } }), [message]);
  });

  it("Noncompliance 3: an aws-native repository without scanning", () => {
    assert.deepEqual(run({}, awsNativeTypes.ecrRepository), [message]);
  });

  it("cannot run while scanOnPush is unknown during preview", () => {
    assert.throws(
      () => run({ imageScanningConfiguration: { scanOnPush: unknown } }),
      UnknownValueError,
    );
  });
});
