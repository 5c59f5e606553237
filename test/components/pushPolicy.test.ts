import { strict as assert } from "assert";
import { ecrPushActions, ecrPushPolicy } from "../../components/pushPolicy";
import { isAllowed } from "../helpers/iam";

const repositoryArn = "arn:aws:ecr:eu-west-2:123456789012:repository/payments-api";
const otherRepositoryArn = "arn:aws:ecr:eu-west-2:123456789012:repository/ledger-service";
const policy = ecrPushPolicy(repositoryArn);

describe("push policy", () => {
  it("allows an ECR login, which IAM only grants on *", async () => {
    assert.equal(await isAllowed(policy, "ecr:GetAuthorizationToken", "*"), true);
  });

  for (const action of [
    "ecr:InitiateLayerUpload",
    "ecr:UploadLayerPart",
    "ecr:CompleteLayerUpload",
    "ecr:BatchCheckLayerAvailability",
    "ecr:PutImage",
  ]) {
    it(`allows ${action}, which docker push needs, on this repository`, async () => {
      assert.equal(await isAllowed(policy, action, repositoryArn), true);
    });
  }

  for (const action of ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]) {
    it(`allows ${action}, which a build cache needs, on this repository`, async () => {
      assert.equal(await isAllowed(policy, action, repositoryArn), true);
    });
  }

  it("allows nothing on any other repository of the account", async () => {
    for (const action of ecrPushActions) {
      assert.equal(await isAllowed(policy, action, otherRepositoryArn), false, action);
    }
  });

  it("allows nothing on a same-named repository in another region or account", async () => {
    assert.equal(
      await isAllowed(
        policy,
        "ecr:PutImage",
        "arn:aws:ecr:us-east-1:123456789012:repository/payments-api",
      ),
      false,
    );
    assert.equal(
      await isAllowed(
        policy,
        "ecr:PutImage",
        "arn:aws:ecr:eu-west-2:210987654321:repository/payments-api",
      ),
      false,
    );
  });

  for (const action of [
    "ecr:BatchDeleteImage",
    "ecr:DeleteRepository",
    "ecr:SetRepositoryPolicy",
    "ecr:DeleteRepositoryPolicy",
    "ecr:PutLifecyclePolicy",
    "ecr:DeleteLifecyclePolicy",
    "ecr:PutImageTagMutability",
    "ecr:PutImageScanningConfiguration",
    "ecr:TagResource",
  ]) {
    it(`refuses ${action}: the role can only add images`, async () => {
      assert.equal(await isAllowed(policy, action, repositoryArn), false);
    });
  }

  it("refuses creating repositories", async () => {
    assert.equal(
      await isAllowed(
        policy,
        "ecr:CreateRepository",
        "arn:aws:ecr:eu-west-2:123456789012:repository/new",
      ),
      false,
    );
  });
});
