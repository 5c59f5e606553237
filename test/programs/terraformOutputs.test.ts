import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { withoutSerializingPrefixes } from "../../cli/preview/capture";
import { InvalidArgumentsError } from "../../components/invalidArguments";
import { platform } from "../../programs/platform/platform";
import { ofType, runExpectingError, runProgram, single } from "../helpers/offline";
import { awsTypes, pulumiTypes } from "../../policy-pack/governance/typeTokens";

const ns = "trusted-delivery-platform";
const providerArn = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";
const keyArn = "arn:aws:kms:eu-west-2:123456789012:key/3f1c9a2e-7b4d-4e8a-9c61-2d5f0b8e4a17";
const apps = {
  "wordpress-platform": {
    metadata: { id: "REGISTRY_WORDPRESS_PLATFORM", owner: "app-team-wordpress", risk: "high" },
    github: { repository: "acme/wordpress-platform" },
  },
  "staging-api": {
    metadata: { id: "REGISTRY_STAGING_API", owner: "app-team-api", risk: "medium" },
    github: { repository: "acme/staging-api" },
  },
};
const outputs = {
  github_oidc_provider_arn: "github_oidc_provider_arn",
  ecr_kms_key_arn: "ecr_kms_key_arn",
};
const mapping = {
  githubOidcProviderArn: outputs.github_oidc_provider_arn,
  "apps.wordpress-platform.ecr.kmsKeyArn": outputs.ecr_kms_key_arn,
};
const terraformOutputJson = {
  github_oidc_provider_arn: { sensitive: false, type: "string", value: providerArn },
  ecr_kms_key_arn: { sensitive: false, type: "string", value: keyArn },
};

function config(
  terraformState: unknown,
  extra: Record<string, unknown> = {},
): Record<string, string> {
  return {
    [`${ns}:apps`]: JSON.stringify(apps),
    [`${ns}:terraformState`]: JSON.stringify(terraformState),
    // The high-risk app's images are signed: the stack manages the registry's signing.
    [`${ns}:registrySigning`]: "managed",
    ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [`${ns}:${k}`, String(v)])),
  };
}

function assertTerraformValuesUsed(run: Awaited<ReturnType<typeof runProgram>>) {
  assert.deepEqual(ofType(run, awsTypes.iamOidcProvider), []);
  for (const role of ofType(run, awsTypes.iamRole)) {
    assert.equal(
      JSON.parse(role.inputs.assumeRolePolicy).Statement[0].Principal.Federated,
      providerArn,
    );
  }
  const repository = run.resources.find((r) => r.name === "wordpress-platform-repository")!;
  assert.deepEqual(repository.inputs.encryptionConfigurations, [
    { encryptionType: "KMS", kmsKey: keyArn },
  ]);
  assert.deepEqual(
    run.resources.find((r) => r.name === "staging-api-repository")!.inputs.encryptionConfigurations,
    [{ encryptionType: "AES256" }],
  );
  assert.equal(run.outputs.githubOidcProviderArn, providerArn);
}

describe("reading Terraform outputs while both tools coexist", () => {
  it("takes the OIDC provider ARN and a KMS key from a local Terraform state", async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "td-tf-")), "terraform.tfstate");
    fs.writeFileSync(
      file,
      JSON.stringify({ version: 4, outputs: terraformOutputJson, resources: [] }),
    );
    const run = await runProgram(platform, {
      project: ns,
      config: config({ backend: "local", path: file, outputs: mapping }),
    });
    assertTerraformValuesUsed(run);
  });

  it("takes them from an S3 backend, through @pulumi/terraform's S3 state reference", async () => {
    const run = await runProgram(platform, {
      project: ns,
      config: config({
        backend: "s3",
        bucket: "goldenpath-idp-dev-bucket",
        key: "envs/dev/terraform.tfstate",
        region: "eu-west-2",
        outputs: mapping,
      }),
      terraformOutputs: {
        "s3://goldenpath-idp-dev-bucket/envs/dev/terraform.tfstate": terraformOutputJson,
      },
    });
    assertTerraformValuesUsed(run);
    assert.equal(single(run, pulumiTypes.stack).name, `${ns}-dev`);
  });

  it("fails naming the config key, the state and the outputs it has when an output is missing", async () => {
    const { error } = await runExpectingError(platform, {
      project: ns,
      config: config({
        backend: "s3",
        bucket: "b",
        key: "k",
        outputs: { githubOidcProviderArn: "oidc_arn" },
      }),
      terraformOutputs: { "s3://b/k": terraformOutputJson },
    });
    assert.ok(error instanceof InvalidArgumentsError);
    // Without the SDK's "error serializing property ..." prefixes, as the plan prints it.
    assert.equal(
      (withoutSerializingPrefixes(error) as Error).message,
      'Stack "dev" config (programs/platform/Pulumi.dev.yaml) has an invalid argument:\n  - trusted-delivery-platform:terraformState.outputs.githubOidcProviderArn is "oidc_arn"; must name an output of Terraform state s3://b/k; it has: ecr_kms_key_arn, github_oidc_provider_arn',
    );
  });

  it("refuses a terraformState it cannot use, before anything is registered", async () => {
    const { error, registered } = await runExpectingError(platform, {
      project: ns,
      config: config(
        {
          backend: "s3",
          bucket: "",
          outputs: {
            githubOidcProviderArn: "oidc",
            "apps.staging-api.ecr.kmsKeyArn": "key",
            "apps.nope.ecr.kmsKeyArn": "key",
            vpcId: "vpc_id",
          },
        },
        { githubOidcProviderArn: providerArn },
      ),
    });
    assert.ok(error instanceof InvalidArgumentsError);
    // Without the SDK's "error serializing property ..." prefixes, as the plan prints it.
    assert.equal(
      (withoutSerializingPrefixes(error) as Error).message,
      [
        'Stack "dev" config (programs/platform/Pulumi.dev.yaml) has 6 invalid arguments:',
        '  - trusted-delivery-platform:terraformState.bucket is ""; must be a non-empty string for the s3 backend',
        "  - trusted-delivery-platform:terraformState.key is missing; must be a non-empty string for the s3 backend",
        '  - trusted-delivery-platform:terraformState.outputs.githubOidcProviderArn is "oidc"; cannot be set together with githubOidcProviderArn: keep one source of the provider ARN',
        '  - trusted-delivery-platform:terraformState.outputs.apps.staging-api.ecr.kmsKeyArn is "key"; needs app "staging-api" to use KMS encryption (ecr.encryption: KMS); it uses AES256',
        "  - trusted-delivery-platform:terraformState.outputs.apps.nope.ecr.kmsKeyArn is not a setting Terraform outputs can feed; allowed: githubOidcProviderArn, apps.<app>.ecr.kmsKeyArn for an app of this stack",
        "  - trusted-delivery-platform:terraformState.outputs.vpcId is not a setting Terraform outputs can feed; allowed: githubOidcProviderArn, apps.<app>.ecr.kmsKeyArn for an app of this stack",
      ].join("\n"),
    );
    assert.deepEqual(registered, []);
  });
});
