/** Pulumi type tokens the policies look at. */
export const types = {
  ecrRepository: "aws:ecr/repository:Repository",
  ecrRepositoryPolicy: "aws:ecr/repositoryPolicy:RepositoryPolicy",
  ecrLifecyclePolicy: "aws:ecr/lifecyclePolicy:LifecyclePolicy",
  ecrPublicRepository: "aws:ecrpublic/repository:Repository",
  nativeEcrRepository: "aws-native:ecr:Repository",
  nativeEcrPublicRepository: "aws-native:ecr:PublicRepository",
  iamRole: "aws:iam/role:Role",
  iamRolePolicy: "aws:iam/rolePolicy:RolePolicy",
  iamRolePolicyAttachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  iamPolicyAttachment: "aws:iam/policyAttachment:PolicyAttachment",
  iamPolicy: "aws:iam/policy:Policy",
  iamOidcProvider: "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
  nativeIamRole: "aws-native:iam:Role",
  nativeIamRolePolicy: "aws-native:iam:RolePolicy",
  nativeIamOidcProvider: "aws-native:iam:OidcProvider",
} as const;

/** ECR repositories of either AWS provider. */
export const ecrRepositoryTypes: readonly string[] = [
  types.ecrRepository,
  types.nativeEcrRepository,
];

/** The component that creates governed registries. */
export const trustedDeliveryPipelineType = "trusted-delivery:index:TrustedDeliveryPipeline";
