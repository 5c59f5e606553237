import { strict as assert } from "assert";
import * as aws from "@pulumi/aws";
import * as awsNativeEcr from "@pulumi/aws-native/ecr";
import * as github from "@pulumi/github";
import * as fs from "fs";
import { GitHubOidcProvider, TrustedDeliveryPipeline } from "../../components";
import {
  awsFunctions,
  awsNativeTypes,
  awsTypes,
  cloudControlResourceType,
  componentTypes,
  githubTypes,
  pulumiTypes,
  terraformFunctions,
} from "../../policy-pack/governance/typeTokens";

/** A resource class of a provider's SDK. */
type ResourceClass = abstract new (...args: never[]) => unknown;

/** The token a provider's SDK registers a class's resources with: its (undeclared) static field. */
function tokenOf(cls: ResourceClass): unknown {
  return (cls as unknown as { __pulumiType?: unknown }).__pulumiType;
}

describe("the type tokens (policy-pack/governance/typeTokens)", () => {
  it("are the tokens of @pulumi/aws's own resource classes", () => {
    const classes: Record<keyof typeof awsTypes, ResourceClass> = {
      ecrRepository: aws.ecr.Repository,
      ecrRepositoryPolicy: aws.ecr.RepositoryPolicy,
      ecrLifecyclePolicy: aws.ecr.LifecyclePolicy,
      ecrRegistryPolicy: aws.ecr.RegistryPolicy,
      ecrReplicationConfiguration: aws.ecr.ReplicationConfiguration,
      ecrRepositoryCreationTemplate: aws.ecr.RepositoryCreationTemplate,
      ecrPullThroughCacheRule: aws.ecr.PullThroughCacheRule,
      ecrRegistryScanningConfiguration: aws.ecr.RegistryScanningConfiguration,
      ecrPublicRepository: aws.ecrpublic.Repository,
      iamRole: aws.iam.Role,
      iamRolePolicy: aws.iam.RolePolicy,
      iamRolePolicyAttachment: aws.iam.RolePolicyAttachment,
      iamRolePolicyAttachmentsExclusive: aws.iam.RolePolicyAttachmentsExclusive,
      iamPolicyAttachment: aws.iam.PolicyAttachment,
      iamPolicy: aws.iam.Policy,
      iamOidcProvider: aws.iam.OpenIdConnectProvider,
      signerSigningProfile: aws.signer.SigningProfile,
    };
    for (const [key, cls] of Object.entries(classes)) {
      assert.equal(awsTypes[key as keyof typeof awsTypes], tokenOf(cls), key);
    }
    assert.equal(cloudControlResourceType, tokenOf(aws.cloudcontrol.Resource));
  });

  it("are the tokens of @pulumi/github's own resource classes, and its provider's", () => {
    const { provider, ...resources } = githubTypes;
    const classes: Record<keyof typeof resources, ResourceClass> = {
      actionsSecret: github.ActionsSecret,
      actionsEnvironmentSecret: github.ActionsEnvironmentSecret,
      actionsVariable: github.ActionsVariable,
      actionsEnvironmentVariable: github.ActionsEnvironmentVariable,
      repositoryEnvironment: github.RepositoryEnvironment,
      repositoryEnvironmentDeploymentPolicy: github.RepositoryEnvironmentDeploymentPolicy,
      repositoryFile: github.RepositoryFile,
    };
    for (const [key, cls] of Object.entries(classes)) {
      assert.equal(resources[key as keyof typeof resources], tokenOf(cls), key);
    }
    // A provider's type is `pulumi:providers:<package>`.
    assert.equal(provider, `pulumi:providers:${tokenOf(github.Provider)}`);
    assert.equal(pulumiTypes.awsProvider, `pulumi:providers:${tokenOf(aws.Provider)}`);
  });

  it("name the signing configuration the platform creates by @pulumi/aws-native's own token", () => {
    assert.equal(
      awsNativeTypes.ecrSigningConfiguration,
      tokenOf(awsNativeEcr.SigningConfiguration),
    );
  });

  it("name data sources the SDKs invoke by those tokens", () => {
    const sources: Record<string, string> = {
      [awsFunctions.getCallerIdentity]: "@pulumi/aws/getCallerIdentity",
      [awsFunctions.getRegion]: "@pulumi/aws/getRegion",
      [awsFunctions.getPartition]: "@pulumi/aws/getPartition",
      [terraformFunctions.getLocalReference]: "@pulumi/terraform/state/getLocalReference",
      [terraformFunctions.getS3Reference]: "@pulumi/terraform/state/getS3Reference",
    };
    for (const [token, module] of Object.entries(sources)) {
      const text = fs.readFileSync(require.resolve(module), "utf8");
      assert.ok(text.includes(`"${token}"`), `${module} invokes ${token}`);
    }
  });

  it("keep the components' tokens, which stacks' state records (changing one orphans every pipeline)", () => {
    assert.deepEqual(componentTypes, {
      trustedDeliveryPipeline: "trusted-delivery:index:TrustedDeliveryPipeline",
      githubOidcProvider: "trusted-delivery:index:GitHubOidcProvider",
    });
    assert.equal(TrustedDeliveryPipeline.typeToken, componentTypes.trustedDeliveryPipeline);
    assert.equal(GitHubOidcProvider.typeToken, componentTypes.githubOidcProvider);
  });
});
