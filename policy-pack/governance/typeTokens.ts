/**
 * Pulumi type tokens, in one place: the components register them, the plan, mocks, adoption and
 * audit read them, and the policies recognise resources by them.
 */

/** The components of this package. */
export const componentTypes = {
  trustedDeliveryPipeline: "trusted-delivery:index:TrustedDeliveryPipeline",
  githubOidcProvider: "trusted-delivery:index:GitHubOidcProvider",
} as const;

/** `@pulumi/aws` resources. */
export const awsTypes = {
  ecrRepository: "aws:ecr/repository:Repository",
  ecrRepositoryPolicy: "aws:ecr/repositoryPolicy:RepositoryPolicy",
  ecrLifecyclePolicy: "aws:ecr/lifecyclePolicy:LifecyclePolicy",
  ecrRegistryPolicy: "aws:ecr/registryPolicy:RegistryPolicy",
  ecrReplicationConfiguration: "aws:ecr/replicationConfiguration:ReplicationConfiguration",
  ecrRepositoryCreationTemplate: "aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate",
  ecrPullThroughCacheRule: "aws:ecr/pullThroughCacheRule:PullThroughCacheRule",
  ecrRegistryScanningConfiguration:
    "aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration",
  ecrPublicRepository: "aws:ecrpublic/repository:Repository",
  iamRole: "aws:iam/role:Role",
  iamRolePolicy: "aws:iam/rolePolicy:RolePolicy",
  iamRolePolicyAttachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  iamRolePolicyAttachmentsExclusive:
    "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive",
  iamPolicyAttachment: "aws:iam/policyAttachment:PolicyAttachment",
  iamPolicy: "aws:iam/policy:Policy",
  iamOidcProvider: "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
  signerSigningProfile: "aws:signer/signingProfile:SigningProfile",
} as const;

/** `@pulumi/aws` data sources the pipeline's program calls (the offline plan's mocks answer them). */
export const awsFunctions = {
  getCallerIdentity: "aws:index/getCallerIdentity:getCallerIdentity",
  getRegion: "aws:index/getRegion:getRegion",
  getPartition: "aws:index/getPartition:getPartition",
} as const;

/** `@pulumi/terraform` data sources: the platform program reads Terraform state with them. */
export const terraformFunctions = {
  getLocalReference: "terraform:state:getLocalReference",
  getS3Reference: "terraform:state:getS3Reference",
} as const;

/** `@pulumi/aws-native` resources (CloudFormation's types, through Cloud Control). */
export const awsNativeTypes = {
  ecrRepository: "aws-native:ecr:Repository",
  ecrPublicRepository: "aws-native:ecr:PublicRepository",
  ecrRegistryPolicy: "aws-native:ecr:RegistryPolicy",
  ecrReplicationConfiguration: "aws-native:ecr:ReplicationConfiguration",
  ecrRepositoryCreationTemplate: "aws-native:ecr:RepositoryCreationTemplate",
  ecrPullThroughCacheRule: "aws-native:ecr:PullThroughCacheRule",
  ecrRegistryScanningConfiguration: "aws-native:ecr:RegistryScanningConfiguration",
  ecrSigningConfiguration: "aws-native:ecr:SigningConfiguration",
  iamRole: "aws-native:iam:Role",
  iamRolePolicy: "aws-native:iam:RolePolicy",
  iamManagedPolicy: "aws-native:iam:ManagedPolicy",
  iamOidcProvider: "aws-native:iam:OidcProvider",
} as const;

/** `@pulumi/aws`'s Cloud Control resource: any CloudFormation type, by `typeName`. */
export const cloudControlResourceType = "aws:cloudcontrol/resource:Resource";

/** `@pulumi/github` resources the pipeline creates. */
export const githubTypes = {
  provider: "pulumi:providers:github",
  actionsSecret: "github:index/actionsSecret:ActionsSecret",
  actionsEnvironmentSecret: "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret",
  actionsVariable: "github:index/actionsVariable:ActionsVariable",
  actionsEnvironmentVariable: "github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable",
  repositoryEnvironment: "github:index/repositoryEnvironment:RepositoryEnvironment",
  repositoryEnvironmentDeploymentPolicy:
    "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy",
  repositoryFile: "github:index/repositoryFile:RepositoryFile",
} as const;

/** Pulumi's own types. */
export const pulumiTypes = {
  stack: "pulumi:pulumi:Stack",
  awsProvider: "pulumi:providers:aws",
} as const;

/**
 * `@pulumi/aws` resources that deploy a CloudFormation template. Kept beside `awsTypes`, not in
 * it: the pack reads what their templates declare, rather than judging them as resources.
 */
export const awsCloudFormationTypes = {
  stack: "aws:cloudformation/stack:Stack",
  stackSet: "aws:cloudformation/stackSet:StackSet",
} as const;

/** `@pulumi/aws-native` resources that deploy a CloudFormation template. */
export const awsNativeCloudFormationTypes = {
  stack: "aws-native:cloudformation:Stack",
  stackSet: "aws-native:cloudformation:StackSet",
} as const;

/**
 * CloudFormation types that neither provider has as a resource of its own, read from templates
 * under their CloudFormation names: `AWS::IAM::Policy` is an inline policy given to roles.
 */
export const cloudFormationOnlyTypes = {
  iamPolicy: "AWS::IAM::Policy",
} as const;
