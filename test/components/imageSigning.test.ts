import { strict as assert } from "assert";
import { TrustedDeliveryPipeline, TrustedDeliveryPipelineArgs } from "../../components";
import { validateTrustedDeliveryPipelineArgs } from "../../components/validation";
import { awsTypes, githubTypes } from "../../policy-pack/governance/typeTokens";
import { registrySigningRules, signingProfileName } from "../../components/registrySigning";
import { identityAllows } from "../helpers/iam";
import { runExpectingError, runProgram, single } from "../helpers/offline";
import { minimalPipelineArgs } from "../helpers/pipelineArgs";

const profileArn = "arn:aws:signer:eu-west-2:123456789012:/signing-profiles/trusted_delivery_dev";
const otherProfileArn = "arn:aws:signer:eu-west-2:123456789012:/signing-profiles/other_team";
const high: TrustedDeliveryPipelineArgs = {
  ...minimalPipelineArgs,
  metadata: { ...minimalPipelineArgs.metadata, risk: "high" },
};

function run(args: TrustedDeliveryPipelineArgs) {
  return runProgram(() => {
    const pipeline = new TrustedDeliveryPipeline("payments-api", args);
    return { signingProfileArn: pipeline.signingProfileArn };
  });
}

function pushPolicyOf(resources: Awaited<ReturnType<typeof run>>) {
  return JSON.parse(single(resources, awsTypes.iamRolePolicy).inputs.policy);
}

describe("image signing (ECR managed signing with the platform's AWS Signer profile)", () => {
  it("a high-risk pipeline needs the profile, and refuses to stop signing, naming the fields", () => {
    assert.deepEqual(validateTrustedDeliveryPipelineArgs("payments-api", high), [
      {
        field: "signingProfileArn",
        message:
          "signingProfileArn is missing; is required: the registry's images are signed (ecr.signing, always for high risk) with ECR managed signing, and the push role may sign only with this AWS Signer profile, arn:<partition>:signer:<region>:<account>:/signing-profiles/<name> (the platform program creates it with registrySigning: managed)",
      },
    ]);
    assert.deepEqual(
      validateTrustedDeliveryPipelineArgs("payments-api", {
        ...high,
        ecr: { signing: false },
        signingProfileArn: profileArn,
      }).map((p) => p.message),
      [
        "ecr.signing is false; must be true for a high-risk registry: its images are always signed (ECR managed signing), so a deploy gate can refuse one the registry did not sign",
      ],
    );
    assert.deepEqual(
      validateTrustedDeliveryPipelineArgs("payments-api", {
        ...minimalPipelineArgs,
        ecr: { signing: false },
        signingProfileArn: profileArn,
      }).map((p) => p.field),
      ["signingProfileArn"],
    );
    assert.deepEqual(
      validateTrustedDeliveryPipelineArgs("payments-api", {
        ...high,
        signingProfileArn: "arn:aws:signer:eu-west-2:123456789012:signing-profile/x",
      }).map((p) => p.field),
      ["signingProfileArn"],
    );
  });

  it("refuses a high-risk pipeline without a profile before registering anything", async () => {
    const failed = await runExpectingError(() => {
      new TrustedDeliveryPipeline("payments-api", high);
    });
    assert.match(failed.error.message, /signingProfileArn is missing; is required/);
    assert.deepEqual(failed.registered, []);
  });

  it("lets the push role sign with its profile and no other, and read its images' signing status, judged by the IAM evaluator", async () => {
    const resources = await run({ ...high, signingProfileArn: profileArn });
    const policy = pushPolicyOf(resources);
    const repositoryArn = "arn:aws:ecr:eu-west-2:123456789012:repository/payments-api";
    assert.equal(identityAllows([policy], "signer:SignPayload", profileArn), true);
    assert.equal(identityAllows([policy], "signer:SignPayload", otherProfileArn), false);
    for (const action of [
      "signer:PutSigningProfile",
      "signer:RevokeSignature",
      "signer:AddProfilePermission",
      "ecr:PutSigningConfiguration",
    ]) {
      assert.equal(identityAllows([policy], action, profileArn), false, action);
      assert.equal(identityAllows([policy], action, "*"), false, action);
    }
    assert.equal(identityAllows([policy], "ecr:DescribeImageSigningStatus", repositoryArn), true);
    assert.equal(
      identityAllows(
        [policy],
        "ecr:DescribeImageSigningStatus",
        "arn:aws:ecr:eu-west-2:123456789012:repository/other",
      ),
      false,
    );
    // High risk gates on the registry's findings too: it reads them, here only.
    assert.equal(identityAllows([policy], "ecr:DescribeImageScanFindings", repositoryArn), true);
    assert.equal(identityAllows([policy], "inspector2:ListFindings", "*"), true);
    assert.equal(resources.outputs.signingProfileArn, profileArn);
  });

  it("writes the profile into an Actions variable for the deploy gate", async () => {
    const resources = await run({ ...high, signingProfileArn: profileArn });
    const variable = resources.resources.find(
      (r) => r.type === githubTypes.actionsVariable && r.name === "payments-api-signing-profile",
    )!;
    assert.deepEqual(
      [variable.inputs.variableName, variable.inputs.value],
      ["ECR_SIGNING_PROFILE_ARN_DEV", profileArn],
    );
  });

  it("leaves a medium-risk pipeline's push policy exactly as before: no signing, no findings reads", async () => {
    const resources = await run(minimalPipelineArgs);
    assert.deepEqual(
      pushPolicyOf(resources).Statement.map((s: { Sid: string }) => s.Sid),
      ["EcrLogin", "PushAndPullThisRepository"],
    );
    assert.equal(
      resources.resources.find((r) => r.name === "payments-api-signing-profile"),
      undefined,
    );
  });

  it("signs a medium-risk pipeline given a profile, with its role signing with that profile only", async () => {
    const resources = await run({ ...minimalPipelineArgs, signingProfileArn: profileArn });
    const policy = pushPolicyOf(resources);
    assert.equal(identityAllows([policy], "signer:SignPayload", profileArn), true);
    assert.equal(identityAllows([policy], "inspector2:ListFindings", "*"), false);
  });

  it("names the profile for the environment, and splits more than 100 repositories into rules", () => {
    assert.equal(signingProfileName("prod-eu"), "trusted_delivery_prod_eu");
    const names = Array.from({ length: 205 }, (_, i) => `app-${i}`);
    const rules = registrySigningRules(profileArn, [...names, "app-0"]);
    assert.deepEqual(
      rules.map((rule) => rule.repositoryFilters.length),
      [100, 100, 5],
    );
    assert.deepEqual(
      rules.flatMap((rule) => rule.repositoryFilters.map((f) => f.filter)),
      names,
    );
    assert.ok(rules.every((rule) => rule.signingProfileArn === profileArn));
  });
});
