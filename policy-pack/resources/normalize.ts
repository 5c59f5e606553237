/**
 * Resources as the policies read them, whichever provider declared them: `@pulumi/aws`,
 * `@pulumi/aws-native`, or `@pulumi/aws`'s Cloud Control resource with a CloudFormation type
 * and its desired state as JSON. Cloud Control resources are read as the aws-native resource of
 * the same CloudFormation type (aws-native's properties are CloudFormation's, camel-cased).
 */
import { awsNativeTypes, cloudControlResourceType } from "../governance/typeTokens";

/** A resource's type and properties, as given (a policy SDK resource, or one the audit built). */
export interface ResourceLike {
  readonly type: string;
  readonly props: Record<string, any>;
}

/** CloudFormation types the policies judge, as the aws-native types of the same name. */
export const cloudFormationTypes: Readonly<Record<string, string>> = {
  "AWS::ECR::Repository": awsNativeTypes.ecrRepository,
  "AWS::ECR::PublicRepository": awsNativeTypes.ecrPublicRepository,
  "AWS::ECR::RegistryPolicy": awsNativeTypes.ecrRegistryPolicy,
  "AWS::ECR::ReplicationConfiguration": awsNativeTypes.ecrReplicationConfiguration,
  "AWS::ECR::RepositoryCreationTemplate": awsNativeTypes.ecrRepositoryCreationTemplate,
  "AWS::ECR::PullThroughCacheRule": awsNativeTypes.ecrPullThroughCacheRule,
  "AWS::ECR::RegistryScanningConfiguration": awsNativeTypes.ecrRegistryScanningConfiguration,
  "AWS::ECR::SigningConfiguration": awsNativeTypes.ecrSigningConfiguration,
  "AWS::IAM::Role": awsNativeTypes.iamRole,
  "AWS::IAM::RolePolicy": awsNativeTypes.iamRolePolicy,
  "AWS::IAM::ManagedPolicy": awsNativeTypes.iamManagedPolicy,
  "AWS::IAM::OIDCProvider": awsNativeTypes.iamOidcProvider,
};

/** Properties that hold a policy document: kept as they are, not camel-cased. */
const documentProperties = new Set([
  "RepositoryPolicyText",
  "PolicyText",
  "AssumeRolePolicyDocument",
  "PolicyDocument",
  "RepositoryPolicy",
  "LifecyclePolicyText",
]);

function camelCase(key: string): string {
  return key.charAt(0).toLowerCase() + key.slice(1);
}

/** CloudFormation properties with camel-cased keys, policy documents left as they are. */
export function camelCaseProperties(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(camelCaseProperties);
  }
  if (typeof value !== "object" || value === null) {
    return value;
  }
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [
      camelCase(key),
      documentProperties.has(key) ? item : camelCaseProperties(item),
    ]),
  );
}

/** Why a Cloud Control resource cannot be read: its desired state is not a JSON object. */
export class UnreadableDesiredState extends Error {}

/**
 * The resource as the policies read it: a Cloud Control resource of a CloudFormation type they
 * judge becomes the aws-native resource of that type; everything else is returned as it is.
 * Throws UnreadableDesiredState when a judged type's desired state is not a JSON object.
 * Any other resource comes back itself, its `props` not read: callers read the type first and
 * the properties only for a type they judge (most of a stack's resources are of none, and
 * reading a resource's properties decodes them).
 */
export function normalize(resource: ResourceLike): ResourceLike {
  if (resource.type !== cloudControlResourceType) {
    return resource;
  }
  const type = cloudFormationTypes[String(resource.props.typeName)];
  if (type === undefined) {
    return resource;
  }
  const desired = resource.props.desiredState;
  let state: unknown = desired;
  if (typeof desired === "string") {
    try {
      state = JSON.parse(desired);
    } catch {
      throw new UnreadableDesiredState(
        `Cloud Control resource of type ${resource.props.typeName} has a desiredState that is not valid JSON`,
      );
    }
  }
  if (typeof state !== "object" || state === null || Array.isArray(state)) {
    throw new UnreadableDesiredState(
      `Cloud Control resource of type ${resource.props.typeName} has a desiredState that is not a JSON object`,
    );
  }
  return { type, props: camelCaseProperties(state) as Record<string, any> };
}
