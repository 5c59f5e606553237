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
    it(`allows ${action}, which reading the pushed image back needs (the SBOM, a build cache), on this repository`, async () => {
      assert.equal(await isAllowed(policy, action, repositoryArn), true);
    });
  }

  // Pushing an attestation (actions/attest with push-to-registry): read the image's manifest,
  // the subject, and the repository's referrers (ECR authorizes its OCI referrers API with
  // BatchGetImage); upload the attestation's blobs; put its manifest. The SBOM is read from the
  // pushed image first. The same requests push the image itself.
  const attestationPush = [
    "ecr:BatchGetImage",
    "ecr:BatchCheckLayerAvailability",
    "ecr:InitiateLayerUpload",
    "ecr:UploadLayerPart",
    "ecr:CompleteLayerUpload",
    "ecr:PutImage",
    "ecr:GetDownloadUrlForLayer",
  ];

  it("lets the role push an image and its attestations (blobs, then a manifest naming the image) to its own repository", async () => {
    assert.equal(await isAllowed(policy, "ecr:GetAuthorizationToken", "*"), true);
    for (const action of attestationPush) {
      assert.equal(await isAllowed(policy, action, repositoryArn), true, action);
    }
  });

  it("grants exactly what pushing images and attestations needs, action for action", () => {
    assert.deepEqual([...ecrPushActions].sort(), [...attestationPush].sort());
  });

  it("lets the role push attestations to no other repository, in any account or region", async () => {
    for (const resource of [
      otherRepositoryArn,
      "arn:aws:ecr:eu-west-2:123456789012:repository/payments-api-attestations",
      "arn:aws:ecr:eu-west-2:123456789012:repository/payments-api/sbom",
      "arn:aws:ecr:us-east-1:123456789012:repository/payments-api",
      "arn:aws:ecr:eu-west-2:210987654321:repository/payments-api",
    ]) {
      for (const action of attestationPush) {
        assert.equal(await isAllowed(policy, action, resource), false, `${action} on ${resource}`);
      }
    }
  });

  for (const action of [
    "ecr:PutRegistryPolicy",
    "ecr:DeleteRegistryPolicy",
    "ecr:PutReplicationConfiguration",
    "ecr:PutRegistryScanningConfiguration",
    "ecr:CreatePullThroughCacheRule",
    "ecr:CreateRepositoryCreationTemplate",
    "ecr:PutSigningConfiguration",
    "ecr:PutAccountSetting",
  ]) {
    it(`refuses ${action}: nothing registry-wide but the login token`, async () => {
      assert.equal(await isAllowed(policy, action, "*"), false);
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
