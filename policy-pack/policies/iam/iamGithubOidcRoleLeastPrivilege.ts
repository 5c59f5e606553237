import type { PolicyConfigSchema, StackValidationPolicy } from "@pulumi/policy";
import {
  ecrGovernanceActions,
  ecrRegistryWriteActions,
  ecrRepositoryWriteActions,
  iamAndStsActions,
  privilegeEscalationActions,
  signerGovernanceActions,
  signerSignActions,
  signerUnscopedGovernanceActions,
} from "../../governance/actions";
import { awsNativeTypes, awsTypes } from "../../governance/typeTokens";
import { EscalationPath, escalationPaths } from "../../governance/escalationPaths";
import {
  defaultTagPrefix,
  governanceTagKeys,
  signingProfileArnPattern,
} from "../../governance/registry";
import { Budget, documentBudget } from "../../iam/budget";
import { PolicyDocument, Statement, usesPolicyVariables } from "../../iam/document";
import { atom, evaluate } from "../../iam/formula";
import {
  analyzePermissions,
  GrantFinding,
  namedRepositories,
  PermissionQuestions,
  PolicySource,
} from "../../iam/permissions";
import { actionMatches, compilePattern, isLiteralValue } from "../../iam/patterns";
import { Placement } from "../../iam/placement";
import { mayCover } from "../../iam/statements";
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

/**
 * The signing profile ARNs the documents name exactly: in an Allow's Resource, or in a Deny's
 * NotResource (which takes every other resource back). Where they come from does not matter to
 * what is proven (each names one profile), only to which policies pass: those that sign as
 * profiles they spell out.
 */
export function namedSigningProfiles(sources: readonly PolicySource[]): string[] {
  const exact = (statement: Statement, negated: boolean) =>
    statement.resources && statement.resources.not === negated
      ? statement.resources.patterns.filter(
          (p) => isLiteralValue(p) && signingProfileArnPattern.test(p),
        )
      : [];
  const statements = sources.flatMap((s) => s.document.statements);
  return [
    ...new Set([
      ...statements.filter((s) => s.effect === "Allow").flatMap((s) => exact(s, false)),
      ...statements.filter((s) => s.effect === "Deny").flatMap((s) => exact(s, true)),
    ]),
  ];
}

/**
 * An unconditional Deny of signing on the named profiles. Asked beside the role's policies,
 * "it may sign on some resource" becomes "on some resource other than those": the Deny takes
 * away exactly those ARNs, and nothing else.
 */
function exceptNamedProfiles(profiles: readonly string[]): PolicySource[] {
  if (profiles.length === 0) {
    return [];
  }
  const deny: Statement = {
    label: "statement 1",
    effect: "Deny",
    actions: { not: false, patterns: signerSignActions },
    resources: { not: false, patterns: profiles },
    conditions: [],
  };
  return [{ label: "the signing profiles named exactly", document: { statements: [deny] } }];
}

/**
 * A budget that names whatever it is spent on as one question. The signing questions are asked
 * through the permission model's question about single actions (its escalation question), whose
 * name would mislead in the message when the budget runs out.
 */
class SigningBudget extends Budget {
  constructor(
    private readonly signingQuestion: string,
    limit: number,
  ) {
    super(limit);
  }

  override about<T>(_question: string, work: () => T): T {
    return super.about(this.signingQuestion, work);
  }
}

/** A statement of the role's policies or boundary, as findings name it. */
interface ReadStatement {
  readonly label: string;
  readonly statement: Statement;
  readonly boundary: boolean;
  readonly variables: boolean;
  /** Why IAM may not apply it as written, when it may not. */
  readonly doubt?: string;
}

/** Why IAM may not apply a statement as written (MODEL.md, "Doubt grants"), or undefined. */
function statementDoubt(statement: Statement, variables: boolean): string | undefined {
  const condition = statement.conditions[0];
  const variable = (statement.resources?.patterns ?? [])
    .map((p) => compilePattern(p, { wildcards: true, variables }))
    .find((c): c is { unknown: string } => "unknown" in c);
  return (
    statement.effectDoubt ??
    (condition &&
      `its condition ${condition.operator} on ${condition.key} tests the request, which the policy does not tell`) ??
    (statement.actions.unresolved && `its actions hold ${statement.actions.unresolved}`) ??
    (statement.resources?.unresolved && `its resources hold ${statement.resources.unresolved}`) ??
    (variable && `its resources use ${variable.unknown}`)
  );
}

function readStatements(
  sources: readonly PolicySource[],
  boundary: readonly PolicySource[] | undefined,
): ReadStatement[] {
  const read = (list: readonly PolicySource[], inBoundary: boolean) =>
    list.flatMap((source) => {
      const variables = usesPolicyVariables(source.document);
      return source.document.statements.map((statement) => ({
        label: `${source.label} ${statement.label}`,
        statement,
        boundary: inBoundary,
        variables,
        doubt: statementDoubt(statement, variables),
      }));
    });
  return [...read(sources, false), ...read(boundary ?? [], true)];
}

/** Whether a statement may name `resource` (a pattern it cannot read may). */
function mayName(read: ReadStatement, resource: string): boolean {
  const resources = read.statement.resources;
  if (resources === undefined || resources.unresolved !== undefined) {
    return true;
  }
  const matches = resources.patterns.map((p) => {
    const compiled = compilePattern(p, { wildcards: true, variables: read.variables });
    return "unknown" in compiled
      ? undefined
      : evaluate(atom("resource", compiled.language), { resource });
  });
  return matches.includes(true) ? !resources.not : matches.includes(undefined) || resources.not;
}

/**
 * Why a finding may not hold, when it rests on a doubt: every Allow that grants it may not apply,
 * a Deny the model did not count may apply, or the boundary grants it only through statements that
 * may not apply. The model reads each doubt as granting (so the finding stands); the message says
 * that it is not proven safe, rather than proven unsafe.
 */
function findingDoubt(finding: GrantFinding, reads: readonly ReadStatement[]): string | undefined {
  const applies = (r: ReadStatement) =>
    finding.actions.some((a) => mayCover(r.statement, a)) && mayName(r, finding.resource);
  const granting = reads.filter((r) => !r.boundary && finding.statements.includes(r.label));
  const bounding = reads.filter(
    (r) =>
      r.boundary && (r.statement.effect === "Allow" || r.statement.effectUnknown) && applies(r),
  );
  const doubtful =
    (granting.every((r) => r.doubt !== undefined) ? granting[0] : undefined) ??
    reads.find(
      (r) =>
        r.doubt !== undefined &&
        (r.statement.effect === "Deny" || r.statement.effectUnknown) &&
        applies(r),
    ) ??
    (bounding.length > 0 && bounding.every((r) => r.doubt !== undefined) ? bounding[0] : undefined);
  return doubtful && `${doubtful.label} may not apply as written, since ${doubtful.doubt}`;
}

/** The ARN to grant signing on, with what the stack knows of where the role is. */
function profileArnHint(placement: Placement): string {
  const partition = placement.partitions?.[0] ?? "aws";
  const region = placement.regions?.[0] ?? "<region>";
  const account = placement.accounts?.[0] ?? "<account>";
  return `arn:${partition}:signer:${region}:${account}:/signing-profiles/<name>`;
}

function describeSigning(
  finding: GrantFinding,
  question: "sign" | "governance",
  reads: readonly ReadStatement[],
  placement: Placement,
): string {
  const who = finding.statements.join(", ");
  const plural = finding.statements.length !== 1;
  const hint = profileArnHint(placement);
  if (finding.kind === "undecided") {
    return `${who} ${plural ? "are" : "is"} not proven safe for signing: ${finding.reason ?? "the model could not decide"}, the limit for one question; grant signer:SignPayload on the one signing profile's ARN (${hint}) and no other AWS Signer write`;
  }
  const doubt = findingDoubt(finding, reads);
  const grants = doubt !== undefined ? "may grant" : plural ? "grant" : "grants";
  const hedge = doubt !== undefined ? ` (not proven safe: ${doubt})` : "";
  return question === "sign"
    ? `${who} ${grants} signer:SignPayload on more than the signing profiles it names exactly (e.g. on "${finding.resource}")${hedge}, so it could sign images as other signing profiles, and a signature would no longer say which pipeline pushed the image; grant it on the one profile's ARN instead (${hint}, no wildcards)`
    : `${who} ${grants} ${listActions(finding.actions)} (e.g. on "${finding.resource}")${hedge}, with which it could re-create, revoke or share signing profiles or revoke signatures, undoing what signature verification relies on; a push role needs only signer:SignPayload on its profile`;
}

/** Where a role may sign, asked as the permission model's question about single actions. */
const signingQuestions: PermissionQuestions = {
  escalationActions: signerSignActions,
  repositoryWriteActions: [],
  registryWriteActions: [],
};

/**
 * Which signing governance a role may change. Writes scoped to resources are looked for on any
 * resource; those authorised on "*" only, as registry-wide writes are (a Deny's NotResource does
 * not take them back).
 */
const signingGovernanceQuestions: PermissionQuestions = {
  escalationActions: signerGovernanceActions.filter(
    (a) => !signerUnscopedGovernanceActions.includes(a),
  ),
  repositoryWriteActions: [],
  registryWriteActions: signerUnscopedGovernanceActions,
};

/**
 * What a role may do with AWS Signer that a push role must not: sign as a profile its policies
 * do not name exactly (`signer:SignPayload` on `*`, a wildcard ARN, anything else), or change
 * signing governance (`signerGovernanceActions`, on any resource). Each is the permission
 * model's "allowed on some resource", which over-approximates what IAM allows (conditions read
 * as holding), with a budget of its own; one that runs out is reported as not proven safe, and a
 * finding that rests on a doubt says so. `limit` is each budget's, for tests.
 */
export function signingViolations(
  sources: readonly PolicySource[],
  placement: Placement,
  boundary: readonly PolicySource[] | undefined,
  limit: number = documentBudget,
): string[] {
  const ask = (questions: PermissionQuestions, extra: readonly PolicySource[], question: string) =>
    analyzePermissions(
      [...sources, ...extra],
      questions,
      placement,
      new SigningBudget(question, limit),
      boundary,
    );
  const reads = readStatements(sources, boundary);
  const signing = ask(
    signingQuestions,
    exceptNamedProfiles(namedSigningProfiles([...sources, ...(boundary ?? [])])),
    "where it may sign",
  );
  const governance = ask(signingGovernanceQuestions, [], "which signing governance it may change");
  return [
    ...signing.map((f) => describeSigning(f, "sign", reads, placement)),
    ...mergeGrants(governance).map((f) => describeSigning(f, "governance", reads, placement)),
  ];
}

/**
 * A question's findings as one, its undecided one apart: the signing-governance writes are asked
 * as two kinds (on any resource, and on "*" only), and a reviewer reads them as one problem.
 */
function mergeGrants(findings: readonly GrantFinding[]): GrantFinding[] {
  const grants = findings.filter((f) => f.kind !== "undecided");
  const undecided = findings.filter((f) => f.kind === "undecided");
  if (grants.length === 0) {
    return undecided;
  }
  const merged: GrantFinding = {
    ...grants[0],
    actions: [...new Set(grants.flatMap((f) => f.actions))],
    statements: [...new Set(grants.flatMap((f) => f.statements))],
  };
  return [merged, ...undecided];
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
    const findings = analyzePermissions(sources, questions, placement, undefined, boundary);
    findings.forEach((finding) => report(describeGrant(finding)));
    // A role whose analysis ran out of budget is reported once, as not proven safe, and no
    // further question is asked of it (MODEL.md, "Signing").
    if (!findings.some((f) => f.kind === "undecided")) {
      signingViolations(sources, placement, boundary).forEach(report);
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
  for (const resource of index.ofTypes(awsTypes.ecrRepository, awsNativeTypes.ecrRepository)) {
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
    "Roles GitHub Actions can assume get nothing beyond pushing to the repositories they name, judged as IAM evaluates their policies (every attachment route of aws and aws-native): no IAM or STS action with which they could give themselves more rights, no registry-wide ECR change, no ECR write on a repository they do not name, no AWS Signer signing but as one signing profile named exactly, no change to signing profiles, their permissions or signatures, and no admin-equivalent or unreadable managed policy.",
  enforcementLevel: "mandatory",
  severity: "critical",
  remediationSteps:
    "Grant ecr:GetAuthorizationToken on * and the push actions on the repository's ARN only (TrustedDeliveryPipeline's push policy), and signer:SignPayload on the platform's signing profile ARN only; remove IAM and STS write actions and every other AWS Signer write; detach AdministratorAccess, PowerUserAccess, IAMFullAccess and the other admin-equivalent managed policies.",
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
