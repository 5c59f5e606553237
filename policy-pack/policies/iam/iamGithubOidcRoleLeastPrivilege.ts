import type { PolicyConfigSchema, StackValidationPolicy } from "@pulumi/policy";
import {
  ecrGovernanceActions,
  ecrRegistryWriteActions,
  ecrRepositoryWriteActions,
  iamAndStsActions,
  privilegeEscalationActions,
} from "../../governance/actions";
import { EscalationPath, escalationPaths } from "../../governance/escalationPaths";
import { defaultTagPrefix, governanceTagKeys } from "../../governance/registry";
import { PolicyDocument } from "../../iam/document";
import {
  analyzePermissions,
  GrantFinding,
  namedRepositories,
  PolicySource,
} from "../../iam/permissions";
import { actionMatches } from "../../iam/patterns";
import { configWithDefaults } from "../../lib/config";
import { eachKnown, stackReporter } from "../../lib/judge";
import { trustOf } from "../../lib/trustMessages";
import { awsManagedPolicyName, RoleView } from "../../resources/iam";
import { placementOfResource } from "../../resources/placement";
import { registrySettings } from "../../resources/registries";
import { knownOrUndefined, StackIndex, StackResource } from "../../resources/stackIndex";

export interface LeastPrivilegeConfig {
  /** AWS managed policies (by name or path, e.g. `job-function/SystemAdministrator`) never allowed. */
  readonly forbiddenManagedPolicies: readonly string[];
  /** AWS managed policies allowed: they grant nothing beyond reading. */
  readonly allowedManagedPolicies: readonly string[];
  /** Actions (patterns allowed) that let a role give itself more rights. */
  readonly escalationActions: readonly string[];
  /** Sets of actions that let a role give itself more rights together. */
  readonly escalationPaths: readonly EscalationPath[];
  /** Prefix of the governance tag keys, to tell whose repositories a role writes. */
  readonly tagPrefix: string;
}

/** AWS managed policies that make a role an administrator of the account, or of IAM or ECR. */
export const adminEquivalentManagedPolicies = [
  "AdministratorAccess",
  "PowerUserAccess",
  "IAMFullAccess",
  "job-function/SystemAdministrator",
  "job-function/NetworkAdministrator",
  "job-function/DatabaseAdministrator",
  "AWSCloudFormationFullAccess",
  "AmazonEC2ContainerRegistryFullAccess",
  "AmazonEC2ContainerRegistryPowerUser",
  "AmazonElasticContainerRegistryPublicFullAccess",
  "EC2InstanceProfileForImageBuilderECRContainerBuilds",
  "AWSOrganizationsFullAccess",
];

export const leastPrivilegeConfigSchema: PolicyConfigSchema = {
  properties: {
    forbiddenManagedPolicies: {
      type: "array",
      items: { type: "string" },
      description:
        "AWS managed policies (by name, with their path: job-function/SystemAdministrator) a GitHub-trusted role may never have attached.",
      default: adminEquivalentManagedPolicies,
    },
    allowedManagedPolicies: {
      type: "array",
      items: { type: "string" },
      description:
        "AWS managed policies a GitHub-trusted role may have attached: every other is reported, since the pack cannot read what it grants.",
      default: ["AmazonEC2ContainerRegistryReadOnly", "AmazonEC2ContainerRegistryPullOnly"],
    },
    escalationActions: {
      type: "array",
      items: { type: "string" },
      description:
        "Actions (IAM patterns) with which a role can give itself more rights; by default every IAM and STS action AWS classes as Write, Permissions management or Tagging.",
      default: privilegeEscalationActions,
    },
    escalationPaths: {
      type: "array",
      items: {
        type: "object",
        properties: {
          id: { type: "string" },
          actions: { type: "array", items: { type: "string" }, minItems: 1 },
        },
        required: ["id", "actions"],
      },
      description:
        "Sets of actions (in any service) that let a role give itself more rights together, such as lambda:UpdateFunctionCode or iam:PassRole with ec2:RunInstances; a role allowed every action of one (each on some resource) is reported. By default the paths of pathfinding.cloud outside IAM and STS.",
      default: escalationPaths,
    },
    tagPrefix: {
      type: "string",
      minLength: 1,
      description:
        "Prefix of the governance tag keys: a role may only write repositories whose owner tag is its own.",
      default: defaultTagPrefix,
    },
  },
};

/** Escalation actions first named in messages: the classic routes to administrator. */
const notable = [
  "iam:PassRole",
  "iam:PutRolePolicy",
  "iam:AttachRolePolicy",
  "iam:CreatePolicyVersion",
  "iam:UpdateAssumeRolePolicy",
  "iam:CreateAccessKey",
  "sts:AssumeRole",
];

function listActions(actions: readonly string[]): string {
  const sorted = [...actions].sort(
    (a, b) =>
      (notable.includes(a) ? notable.indexOf(a) : notable.length) -
        (notable.includes(b) ? notable.indexOf(b) : notable.length) || a.localeCompare(b),
  );
  return sorted.length <= 4
    ? sorted.join(", ")
    : `${sorted.slice(0, 4).join(", ")} and ${sorted.length - 4} more`;
}

/** The escalation actions a config names, its patterns expanded over IAM's and STS's actions. */
function expand(patterns: readonly string[]): string[] {
  return [
    ...new Set(
      patterns.flatMap((pattern) =>
        /[*?]/.test(pattern)
          ? iamAndStsActions.filter((action) => actionMatches(pattern, action))
          : [pattern],
      ),
    ),
  ];
}

function listPaths(paths: readonly string[]): string {
  const shown =
    paths.length <= 4
      ? paths.join(", ")
      : `${paths.slice(0, 4).join(", ")} and ${paths.length - 4} more`;
  return `path${paths.length === 1 ? "" : "s"} ${shown}`;
}

function describeGrant(finding: GrantFinding): string {
  const who = finding.statements.join(", ");
  const grants = finding.statements.length === 1 ? "grants" : "grant";
  switch (finding.kind) {
    case "escalation":
      return `${who} ${grants} ${listActions(finding.actions)} (e.g. on "${finding.resource}"), with which it can give itself more rights; remove them`;
    case "escalation-path":
      return `${who} ${grants} ${listActions(finding.actions)}, together a known way to give itself more rights (${listPaths(finding.paths ?? [])} at pathfinding.cloud); remove them`;
    case "governance":
      return `${who} ${grants} ${listActions(finding.actions)} on "${finding.resource}", with which it can undo its repository's governance (policy, scanning, tag mutability, retention, tags); a push role needs none of them`;
    case "registry-write":
      return `${who} ${grants} ${listActions(finding.actions)}, which change the whole registry; remove them`;
    case "other-repository":
      return `${who} ${grants} ${listActions(finding.actions)} on "${finding.resource}", a repository it does not name; scope Resource to the repository's ARN (TrustedDeliveryPipeline does)`;
    case "undecided":
      return `${who} cannot be proven to grant nothing beyond pushing to its own repositories: ${finding.reason ?? "the model could not decide"}, the limit for one role; simplify them to the push actions on the repository's ARN`;
  }
}

/** Violation messages for every GitHub-trusted role of the stack that can do more than push to its own repositories. */
export function leastPrivilegeViolations(
  resources: readonly StackResource[],
  config: LeastPrivilegeConfig,
): { urn: string; message: string }[] {
  const index = StackIndex.of(resources);
  const violations: { urn: string; message: string }[] = [];
  const questions = {
    escalationActions: expand(config.escalationActions),
    escalationPaths: config.escalationPaths,
    registryWriteActions: ecrRegistryWriteActions,
    repositoryWriteActions: ecrRepositoryWriteActions,
    governanceActions: ecrGovernanceActions,
  };
  const owners = repositoryOwners(index, config.tagPrefix);
  eachKnown(index.roles(), ({ resource, view }) => {
    const placement = placementOfResource(resource);
    const trust = trustOf(view.trustPolicy(), placement);
    if ("error" in trust || !trust.trustsGitHub) {
      return;
    }
    const name = knownOrUndefined(() => view.name()) ?? resource.name;
    const lead = `Role "${name}" is trusted by GitHub Actions and must only push to its own repositories`;
    const report = (message: string) =>
      violations.push({ urn: resource.urn, message: `${lead}: ${message}` });
    const permissions = index.permissionsOf(resource, view);
    for (const arn of permissions.managedPolicyArns) {
      const managed = awsManagedPolicyName(arn);
      const short = managed?.split("/").pop();
      const listed = (list: readonly string[]) =>
        managed !== undefined && (list.includes(managed) || list.includes(short!));
      if (listed(config.forbiddenManagedPolicies)) {
        report(
          `it has the AWS managed policy ${managed} attached; detach it and grant push on the repository's ARN only`,
        );
      } else if (managed !== undefined && !listed(config.allowedManagedPolicies)) {
        report(
          `it has the AWS managed policy ${managed} attached, whose grants this pack cannot read; detach it, or list it in allowedManagedPolicies if it grants nothing beyond reading`,
        );
      } else if (managed === undefined) {
        report(
          `policy ${arn} is attached, but its document is not in this stack, so what it grants cannot be checked; declare the policy in this stack, or inline it`,
        );
      }
    }
    const sources: PolicySource[] = [];
    for (const source of permissions.documents) {
      const text = knownOrUndefined(() => source.document());
      if (text === undefined) {
        continue;
      }
      const document = index.parse(text);
      if ("error" in document) {
        report(`${source.label} ${document.error}, so what it grants cannot be checked`);
      } else {
        sources.push({ label: source.label, document: document as PolicyDocument });
      }
    }
    const boundary = boundaryDocument(index, resource, view);
    for (const finding of analyzePermissions(sources, questions, placement, undefined, boundary)) {
      report(describeGrant(finding));
    }
    const own = knownOrUndefined(
      () => resource.props.tags?.[governanceTagKeys(config.tagPrefix).owner],
    );
    for (const problem of otherOwners(namedRepositories(sources), owners, own)) {
      report(problem);
    }
  });
  return violations;
}

/**
 * The role's permissions boundary, as IAM intersects it with the role's policies, when the
 * stack knows its document; otherwise undefined, and the boundary restricts nothing: one that
 * is unknown in a preview or cannot be parsed may only ever leave findings standing.
 */
function boundaryDocument(
  index: StackIndex,
  resource: StackResource,
  view: RoleView,
): PolicySource[] | undefined {
  const source = index.boundaryOf(resource, view);
  const text = source && knownOrUndefined(() => source.document());
  if (source === undefined || text === undefined) {
    return undefined;
  }
  const document = index.parse(text);
  return "error" in document
    ? undefined
    : [{ label: source.label, document: document as PolicyDocument }];
}

/** The governance owner of each repository of the stack, by name. */
function repositoryOwners(index: StackIndex, tagPrefix: string): Map<string, string> {
  const owners = new Map<string, string>();
  const key = governanceTagKeys(tagPrefix).owner;
  for (const resource of index.resources) {
    const settings = knownOrUndefined(() => registrySettings(resource));
    const owner = settings && knownOrUndefined(() => settings.tags()[key]);
    if (
      settings?.kind === "repository" &&
      settings.name !== undefined &&
      typeof owner === "string"
    ) {
      owners.set(settings.name, owner);
    }
  }
  return owners;
}

/**
 * Repositories of the stack a role writes whose governance owner is not its own: its own tag's,
 * or (untagged) the owner of the first repository it writes.
 */
function otherOwners(
  written: readonly string[],
  owners: ReadonlyMap<string, string>,
  own: unknown,
): string[] {
  const byName = written
    .map((arn) => ({
      arn,
      owner: owners.get(arn.slice(arn.indexOf(":repository/") + ":repository/".length)),
    }))
    .filter((w): w is { arn: string; owner: string } => w.owner !== undefined);
  const expected = typeof own === "string" ? own : byName[0]?.owner;
  return byName
    .filter((w) => w.owner !== expected)
    .map(
      (w) =>
        `it may write "${w.arn}", a repository of ${w.owner}, while it ${typeof own === "string" ? "is" : "writes repositories of"} ${expected}'s; give each team's repositories their own push role`,
    );
}

export const iamGithubOidcRoleLeastPrivilege: StackValidationPolicy = {
  name: "iam-github-oidc-role-least-privilege",
  description:
    "Roles GitHub Actions can assume get nothing beyond pushing to the repositories they name, judged as IAM evaluates their policies (every attachment route of aws and aws-native): no IAM or STS action with which they could give themselves more rights, no registry-wide ECR change, no ECR write on a repository they do not name, and no admin-equivalent or unreadable managed policy.",
  enforcementLevel: "mandatory",
  severity: "critical",
  remediationSteps:
    "Grant ecr:GetAuthorizationToken on * and the push actions on the repository's ARN only (TrustedDeliveryPipeline's push policy); remove IAM and STS write actions; detach AdministratorAccess, PowerUserAccess, IAMFullAccess and the other admin-equivalent managed policies.",
  configSchema: leastPrivilegeConfigSchema,
  validateStack: (args, report) => {
    const reportViolation = stackReporter(args.resources, report);
    const config = configWithDefaults<LeastPrivilegeConfig>(
      leastPrivilegeConfigSchema,
      args.getConfig(),
    );
    for (const { urn, message } of leastPrivilegeViolations(args.resources, config)) {
      reportViolation(message, urn);
    }
  },
};
