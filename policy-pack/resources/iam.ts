/**
 * IAM roles and every way a stack gives a role permissions, read into one shape, whichever
 * provider declared them: a role's own inline and managed policies, role policies, policy
 * attachments (one role, several roles, or a role's exclusive set), and managed policies that
 * name their roles. Reading a property unknown during a preview throws the policy SDK's
 * UnknownValueError; callers decide what that means.
 */
import { Unresolved } from "../iam/document";
import { awsNativeTypes, awsTypes, cloudFormationOnlyTypes } from "../governance/typeTokens";
import { normalize, ResourceLike } from "./normalize";

/** A policy document given with a role, or through one of the routes below. */
export interface DocumentSource {
  /** How a message names it: `inline policy "push"`, `role policy "x"`. */
  readonly label: string;
  readonly document: () => unknown;
}

export interface RoleView {
  /** The role's name, when it is set (rather than generated). */
  readonly name: () => string | undefined;
  readonly trustPolicy: () => unknown;
  readonly inline: () => DocumentSource[];
  readonly managedPolicyArns: () => string[];
  /** The permissions boundary's ARN as given (a template may leave it unresolved), if any. */
  readonly permissionsBoundary: () => unknown;
}

export function roleView(resource: ResourceLike): RoleView | undefined {
  const normalized = normalize(resource);
  const { type } = normalized;
  if (type === awsTypes.iamRole) {
    return {
      name: () => (typeof normalized.props.name === "string" ? normalized.props.name : undefined),
      trustPolicy: () => normalized.props.assumeRolePolicy,
      inline: () =>
        ((normalized.props.inlinePolicies ?? []) as any[]).map((entry) => ({
          label: `inline policy "${entry.name ?? "unnamed"}"`,
          document: () => entry.policy,
        })),
      managedPolicyArns: () => arns(normalized.props.managedPolicyArns),
      permissionsBoundary: () => normalized.props.permissionsBoundary,
    };
  }
  if (type === awsNativeTypes.iamRole) {
    return {
      name: () =>
        typeof normalized.props.roleName === "string" ? normalized.props.roleName : undefined,
      trustPolicy: () => normalized.props.assumeRolePolicyDocument,
      inline: () =>
        ((normalized.props.policies ?? []) as any[]).map((entry) => ({
          label: `inline policy "${entry.policyName ?? "unnamed"}"`,
          document: () => entry.policyDocument,
        })),
      managedPolicyArns: () => arns(normalized.props.managedPolicyArns),
      permissionsBoundary: () => normalized.props.permissionsBoundary,
    };
  }
  return undefined;
}

/** Managed policy ARNs as given; one a template leaves unresolved is named by what it is. */
function arns(value: unknown): string[] {
  return ((value ?? []) as unknown[]).map((arn) =>
    arn instanceof Unresolved ? `(${arn.reason})` : String(arn),
  );
}

/**
 * Something that gives roles permissions: which roles (by the properties that name them), and
 * what (documents, or managed policies by ARN).
 */
export interface RoleGrant {
  /** The property that names the roles (their names), for linking by dependency. */
  readonly roleProperty: string;
  readonly roleNames: () => string[];
  readonly documents: (name: string) => DocumentSource[];
  /** The property that names managed policies by ARN, for linking by dependency. */
  readonly policyArnProperty?: string;
  readonly policyArns: () => string[];
}

const names = (value: unknown): string[] =>
  [value].flat().filter((v): v is string => typeof v === "string");

export function roleGrant(resource: ResourceLike): RoleGrant | undefined {
  const normalized = normalize(resource);
  const { type } = normalized;
  switch (type) {
    case awsTypes.iamRolePolicy:
      return {
        roleProperty: "role",
        roleNames: () => names(normalized.props.role),
        documents: (name) => [
          { label: `role policy "${name}"`, document: () => normalized.props.policy },
        ],
        policyArns: () => [],
      };
    case awsNativeTypes.iamRolePolicy:
      return {
        roleProperty: "roleName",
        roleNames: () => names(normalized.props.roleName),
        documents: (name) => [
          { label: `role policy "${name}"`, document: () => normalized.props.policyDocument },
        ],
        policyArns: () => [],
      };
    case awsTypes.iamRolePolicyAttachment:
      return {
        roleProperty: "role",
        roleNames: () => names(normalized.props.role),
        documents: () => [],
        policyArnProperty: "policyArn",
        policyArns: () => names(normalized.props.policyArn),
      };
    case awsTypes.iamPolicyAttachment:
      return {
        roleProperty: "roles",
        roleNames: () => names(normalized.props.roles ?? []),
        documents: () => [],
        policyArnProperty: "policyArn",
        policyArns: () => names(normalized.props.policyArn),
      };
    case awsTypes.iamRolePolicyAttachmentsExclusive:
      return {
        roleProperty: "roleName",
        roleNames: () => names(normalized.props.roleName),
        documents: () => [],
        policyArnProperty: "policyArns",
        policyArns: () => names(normalized.props.policyArns ?? []),
      };
    case cloudFormationOnlyTypes.iamPolicy:
      return {
        roleProperty: "roles",
        roleNames: () => names(normalized.props.roles ?? []),
        documents: (name) => [
          {
            label: `policy "${normalized.props.policyName ?? name}"`,
            document: () => normalized.props.policyDocument,
          },
        ],
        policyArns: () => [],
      };
    case awsNativeTypes.iamManagedPolicy:
      return {
        roleProperty: "roles",
        roleNames: () => names(normalized.props.roles ?? []),
        documents: (name) => [
          {
            label: `managed policy "${normalized.props.managedPolicyName ?? name}"`,
            document: () => normalized.props.policyDocument,
          },
        ],
        policyArns: () => [],
      };
    default:
      return undefined;
  }
}

/** A customer managed policy declared in the stack: its ARN (once known) and document. */
export function managedPolicy(
  resource: ResourceLike,
):
  | { arn: () => string | undefined; document: () => unknown; name: () => string | undefined }
  | undefined {
  const normalized = normalize(resource);
  const { type } = normalized;
  if (type === awsTypes.iamPolicy) {
    return {
      arn: () => (typeof normalized.props.arn === "string" ? normalized.props.arn : undefined),
      document: () => normalized.props.policy,
      name: () => (typeof normalized.props.name === "string" ? normalized.props.name : undefined),
    };
  }
  if (type === awsNativeTypes.iamManagedPolicy) {
    return {
      arn: () =>
        typeof normalized.props.policyArn === "string" ? normalized.props.policyArn : undefined,
      document: () => normalized.props.policyDocument,
      name: () =>
        typeof normalized.props.managedPolicyName === "string"
          ? normalized.props.managedPolicyName
          : undefined,
    };
  }
  return undefined;
}

/** `AdministratorAccess`, `job-function/SystemAdministrator`: an AWS managed policy by path. */
export function awsManagedPolicyName(arn: string): string | undefined {
  return /^arn:aws[a-z-]*:iam::aws:policy\/(.+)$/.exec(arn)?.[1];
}

/** The OIDC provider URL of an IAM OIDC provider resource; undefined for others. */
export function oidcProviderUrl(resource: ResourceLike): string | undefined {
  const normalized = normalize(resource);
  const { type } = normalized;
  return type === awsTypes.iamOidcProvider || type === awsNativeTypes.iamOidcProvider
    ? String(normalized.props.url ?? "")
    : undefined;
}
