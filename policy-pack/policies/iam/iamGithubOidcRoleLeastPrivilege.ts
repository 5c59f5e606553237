import { PolicyConfigSchema, PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { configWithDefaults } from "../../lib/config";
import { trustsGitHub } from "../../lib/githubTrust";
import { globMatches, grantsAction, isAllow, parsePolicyDocument } from "../../lib/iamDocument";
import { types } from "../../lib/resourceTypes";
import { isRole, knownOrUndefined, physicalName, trustPolicyOf } from "../../lib/resources";

export interface LeastPrivilegeConfig {
  /** AWS managed policies (by name) a GitHub-trusted role must not have. */
  readonly forbiddenManagedPolicies: readonly string[];
}

export const leastPrivilegeConfigSchema: PolicyConfigSchema = {
  properties: {
    forbiddenManagedPolicies: {
      type: "array",
      items: { type: "string" },
      description:
        "AWS managed policies, by name, that roles trusted by GitHub Actions must not have attached.",
      default: [
        "AdministratorAccess",
        "PowerUserAccess",
        "AmazonEC2ContainerRegistryFullAccess",
        "AmazonEC2ContainerRegistryPowerUser",
      ],
    },
  },
};

/**
 * ECR actions that change something: AWS's Write, Permissions management and Tagging access
 * levels (the service authorization reference; test/policy-pack pins this list against it).
 */
export const ecrWriteActions: readonly string[] = [
  "BatchDeleteImage",
  "BatchImportUpstreamImage",
  "CompleteLayerUpload",
  "CreatePullThroughCacheRule",
  "CreateRepository",
  "CreateRepositoryCreationTemplate",
  "DeleteLifecyclePolicy",
  "DeletePullThroughCacheRule",
  "DeleteRegistryPolicy",
  "DeleteRepository",
  "DeleteRepositoryCreationTemplate",
  "DeleteRepositoryPolicy",
  "DeleteSigningConfiguration",
  "DeregisterPullTimeUpdateExclusion",
  "InitiateLayerUpload",
  "PutAccountSetting",
  "PutImage",
  "PutImageScanningConfiguration",
  "PutImageTagMutability",
  "PutLifecyclePolicy",
  "PutRegistryPolicy",
  "PutRegistryScanningConfiguration",
  "PutReplicationConfiguration",
  "PutSigningConfiguration",
  "RegisterPullTimeUpdateExclusion",
  "ReplicateImage",
  "SetRepositoryPolicy",
  "StartImageScan",
  "StartLifecyclePolicyPreview",
  "TagResource",
  "UntagResource",
  "UpdateImageStorageClass",
  "UpdatePullThroughCacheRule",
  "UpdateRepositoryCreationTemplate",
  "UploadLayerPart",
].map((action) => `ecr:${action}`);

/** Whether a Resource pattern covers every ECR repository (of a region and account, or all). */
export function coversEveryRepository(resource: string): boolean {
  if (resource === "*") {
    return true;
  }
  const parts = resource.split(":");
  if (parts.length < 6 || parts[0].toLowerCase() !== "arn" || !globMatches(parts[2], "ecr")) {
    return false;
  }
  // A repository name no team would choose: a pattern matching it matches every name.
  return globMatches(parts.slice(5).join(":"), "repository/zz-any-repository-4f9c2e");
}

/** What a policy document grants beyond one repository, as clauses. */
export function overbroadGrants(policy: unknown): string[] {
  const document = parsePolicyDocument(policy);
  if ("error" in document) {
    return [`${document.error}, so what it grants cannot be checked`];
  }
  const grants: string[] = [];
  for (const statement of document.statements.filter(isAllow)) {
    if (statement.notAction || statement.actions.includes("*")) {
      grants.push(`${statement.label} grants every action`);
      continue;
    }
    if (statement.actions.some((action) => action.toLowerCase() === "ecr:*")) {
      grants.push(`${statement.label} grants every ECR action ("ecr:*")`);
      continue;
    }
    const writes = ecrWriteActions.filter((action) => grantsAction(statement, action));
    const everywhere = statement.notResource
      ? ["NotResource"]
      : statement.resources.filter(coversEveryRepository);
    if (writes.length > 0 && everywhere.length > 0) {
      grants.push(
        `${statement.label} grants ${writes.join(", ")} on ${everywhere.map((r) => `"${r}"`).join(", ")}, which covers every repository`,
      );
    }
  }
  return grants;
}

interface RolePolicySource {
  readonly label: string;
  readonly policy: unknown;
}

function managedPolicyName(arn: string): string | undefined {
  return /^arn:aws[a-z-]*:iam::aws:policy\/(?:.*\/)?([^/]+)$/.exec(arn)?.[1];
}

/** Every identity policy a role gets in the stack: inline, role policies, and attached policies. */
/** The property through which each kind of role policy or attachment names its role. */
const roleProperty: Readonly<Record<string, string>> = {
  [types.iamRolePolicy]: "role",
  [types.nativeIamRolePolicy]: "roleName",
  [types.iamRolePolicyAttachment]: "role",
  [types.iamPolicyAttachment]: "roles",
};

/**
 * The stack's role policies and attachments by the role they name: `urn:<role URN>` for those
 * that depend on the role's output, `name:<role name>` for those that name it. One pass, so a
 * stack of thousands of roles is not read once per role.
 */
function attachmentsByRole(resources: readonly PolicyResource[]): Map<string, PolicyResource[]> {
  const index = new Map<string, PolicyResource[]>();
  const add = (key: string, resource: PolicyResource) => {
    const list = index.get(key) ?? [];
    if (!list.includes(resource)) {
      list.push(resource);
    }
    index.set(key, list);
  };
  for (const resource of resources) {
    const property = roleProperty[resource.type];
    if (property === undefined) {
      continue;
    }
    for (const dependency of resource.propertyDependencies[property] ?? []) {
      add(`urn:${dependency.urn}`, resource);
    }
    for (const name of [knownOrUndefined(() => resource.props[property])].flat()) {
      if (typeof name === "string") {
        add(`name:${name}`, resource);
      }
    }
  }
  return index;
}

function policiesOf(
  role: PolicyResource,
  attachments: Map<string, PolicyResource[]>,
  order: Map<PolicyResource, number>,
): {
  documents: RolePolicySource[];
  managedArns: string[];
} {
  const native = role.type === types.nativeIamRole;
  const roleName = physicalName(role, native ? "roleName" : "name");
  const documents: RolePolicySource[] = [];
  const managedArns: string[] = [...(role.props.managedPolicyArns ?? [])];
  const inline: any[] = (native ? role.props.policies : role.props.inlinePolicies) ?? [];
  for (const entry of inline) {
    const name = native ? entry.policyName : entry.name;
    documents.push({
      label: `inline policy "${name ?? "unnamed"}"`,
      policy: native ? entry.policyDocument : entry.policy,
    });
  }
  const attached = new Set([
    ...(attachments.get(`urn:${role.urn}`) ?? []),
    ...(roleName === undefined ? [] : (attachments.get(`name:${roleName}`) ?? [])),
  ]);
  // In stack order, as the engine lists resources.
  for (const resource of [...attached].sort((a, b) => order.get(a)! - order.get(b)!)) {
    if (resource.type === types.iamRolePolicy) {
      documents.push({ label: `role policy "${resource.name}"`, policy: resource.props.policy });
    } else if (resource.type === types.nativeIamRolePolicy) {
      documents.push({
        label: `role policy "${resource.name}"`,
        policy: resource.props.policyDocument,
      });
    } else {
      const customer = (resource.propertyDependencies.policyArn ?? []).find(
        (d) => d.type === types.iamPolicy,
      );
      if (customer) {
        documents.push({
          label: `attached policy "${customer.name}"`,
          policy: customer.props.policy,
        });
      } else {
        const arn = knownOrUndefined(() => resource.props.policyArn);
        if (typeof arn === "string") {
          managedArns.push(arn);
        }
      }
    }
  }
  return { documents, managedArns };
}

/** Violation messages for every GitHub-trusted role of the stack that can do more than push to its own repositories. */
export function leastPrivilegeViolations(
  resources: readonly PolicyResource[],
  config: LeastPrivilegeConfig,
): { urn: string; message: string }[] {
  const violations: { urn: string; message: string }[] = [];
  const attachments = attachmentsByRole(resources);
  const order = new Map(resources.map((resource, index) => [resource, index]));
  for (const role of resources.filter(
    (r) => isRole(r) && trustsGitHub(parsePolicyDocument(trustPolicyOf(r))),
  )) {
    const name =
      physicalName(role, role.type === types.nativeIamRole ? "roleName" : "name") ?? role.name;
    const lead = `Role "${name}" is trusted by GitHub Actions and must only push to its own repositories`;
    const { documents, managedArns } = policiesOf(role, attachments, order);
    for (const arn of managedArns) {
      const managed = managedPolicyName(arn);
      if (managed !== undefined && config.forbiddenManagedPolicies.includes(managed)) {
        violations.push({
          urn: role.urn,
          message: `${lead}: it has the AWS managed policy ${managed} attached; detach it and grant push on the repository's ARN only`,
        });
      }
    }
    for (const source of documents) {
      for (const grant of overbroadGrants(source.policy)) {
        violations.push({
          urn: role.urn,
          message: `${lead}: ${source.label} ${grant}; scope Resource to the repository's ARN (TrustedDeliveryPipeline does)`,
        });
      }
    }
  }
  return violations;
}

export const iamGithubOidcRoleLeastPrivilege: StackValidationPolicy = {
  name: "iam-github-oidc-role-least-privilege",
  description:
    'Roles trusted by GitHub Actions are not granted "*", "ecr:*", or ECR write actions on every repository, through inline policies, role policies, or attached AWS managed admin or power-user policies.',
  enforcementLevel: "mandatory",
  severity: "critical",
  remediationSteps:
    "Grant ecr:GetAuthorizationToken on * and the push actions on the repository's ARN only (TrustedDeliveryPipeline's push policy), and detach AdministratorAccess, PowerUserAccess and the ECR full-access or power-user managed policies.",
  configSchema: leastPrivilegeConfigSchema,
  validateStack: (args, reportViolation) => {
    const config = configWithDefaults<LeastPrivilegeConfig>(
      leastPrivilegeConfigSchema,
      args.getConfig(),
    );
    for (const { urn, message } of leastPrivilegeViolations(args.resources, config)) {
      reportViolation(message, urn);
    }
  },
};
