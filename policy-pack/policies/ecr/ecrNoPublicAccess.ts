import type { PolicyConfigSchema, ResourceValidationPolicy } from "@pulumi/policy";
import {
  ecrActions,
  ecrRegistryWriteActions,
  ecrRepositoryWriteActions,
} from "../../governance/actions";
import { parsePolicyDocument, PolicyDocument } from "../../iam/document";
import { coversAction } from "../../iam/statements";
import {
  AccessFinding,
  analyzeResourceAccess,
  Insiders,
  namedIds,
  Outsider,
} from "../../iam/resourceAccess";
import { Budget } from "../../iam/budget";
import { Placement, unplaced } from "../../iam/placement";
import { configWithDefaults } from "../../lib/config";
import { judgeResource } from "../../lib/judge";
import {
  publicRepositoryName,
  registryPolicyDocument,
  replicationDestinations,
} from "../../resources/registries";
import { placementOfJudged } from "../../resources/declared";
import { knownOrUndefined } from "../../resources/stackIndex";

export interface NoPublicAccessConfig {
  /** ECR Public repositories allowed by name. */
  readonly allowedPublicRepositories: readonly string[];
  /** Accounts replication may copy images to, besides the stack's own. */
  readonly allowedReplicationAccounts: readonly string[];
  /** Accounts whose principals a repository policy may let pull, besides the stack's own. */
  readonly allowedPullAccounts: readonly string[];
  /** Organisations (`o-<id>`) or organisation paths (`o-<id>/r-<id>/ou-.../`) that may pull. */
  readonly allowedPullOrganizations: readonly string[];
}

export const noPublicAccessConfigSchema: PolicyConfigSchema = {
  properties: {
    allowedPublicRepositories: {
      type: "array",
      items: { type: "string" },
      description:
        "ECR Public repositories (by repository name) that may publish images to everyone.",
      default: [],
    },
    allowedReplicationAccounts: {
      type: "array",
      items: { type: "string", pattern: "^\\d{12}$" },
      description:
        "Accounts (12-digit ids) a replication configuration may copy images to, besides the stack's own account (known from the AWS provider's allowedAccountIds, or once the registry exists).",
      default: [],
    },
    allowedPullAccounts: {
      type: "array",
      items: { type: "string", pattern: "^\\d{12}$" },
      description:
        "Accounts (12-digit ids) whose principals, and AWS services acting for them, a repository policy may let pull (read and list only), besides the stack's own account (known from the AWS provider's allowedAccountIds, or once the repository exists).",
      default: [],
    },
    allowedPullOrganizations: {
      type: "array",
      items: {
        type: "string",
        pattern: "^o-[a-z0-9]{10,32}(/r-[a-z0-9]{4,32}/(ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}/)*)?$",
      },
      description:
        "AWS Organizations (o-<id>: every account of it) or organisation paths (o-<id>/r-<id>/ou-<id>/…/: the accounts under that organisational unit) whose principals a repository policy may let pull (read and list only).",
      default: [],
    },
  },
};

/**
 * What readers may do: ECR's Read and List actions (AWS's access levels). A reader the config
 * allows that may also change the repository or push is reported as any outsider is.
 */
export const ecrReadActions: readonly string[] = ecrActions.filter(
  (action) =>
    !ecrRepositoryWriteActions.includes(action) && !ecrRegistryWriteActions.includes(action),
);

/** The readers a repository policy may let pull: the config's, with the stack's own accounts. */
export interface AllowedReaders {
  /** The stack's own accounts, when known; undefined: not known. */
  readonly own?: readonly string[];
  readonly accounts: readonly string[];
  readonly organizations: readonly string[];
}

const principalWords: Readonly<Record<string, string>> = {
  role: "a role",
  user: "an IAM user",
  "account-root": "the root user",
  "federated-user": "a federated user",
};

function describeOutsider(outsider: Outsider): string {
  switch (outsider.kind) {
    case "service":
      return outsider.account === undefined
        ? `the service ${outsider.principal} acting for no account at all`
        : `the service ${outsider.principal} acting for an account it does not name (e.g. ${outsider.account})`;
    case "anonymous":
      return "anonymous callers";
    default:
      return outsider.organisationPath === undefined
        ? `${principalWords[outsider.kind]} of an account it does not name, in no organisation (e.g. ${outsider.principal})`
        : `${principalWords[outsider.kind]} of an account it does not name, in an organisation it does not name (e.g. ${outsider.principal} in ${outsider.organisationPath.split("/")[0]})`;
  }
}

function describeActions(actions: readonly string[]): string {
  const writes = actions
    .filter((a) => ecrRepositoryWriteActions.includes(a))
    .sort((a, b) => Number(b === "ecr:PutImage") - Number(a === "ecr:PutImage"));
  const shown = (list: readonly string[]) =>
    list.length <= 3
      ? list.join(", ")
      : `${list.slice(0, 3).join(", ")} and ${list.length - 3} more`;
  return actions.includes("ecr:PutImage")
    ? `push images (${shown(writes)})`
    : writes.length > 0
      ? `change it (${shown(writes)})`
      : `read it (${shown(actions)})`;
}

/** The insiders of the two questions: who may read, and who may do anything else. */
function readerInsiders(readers: AllowedReaders): { read: Insiders; change: Insiders } {
  const own = readers.own ?? [];
  const organisations = readers.organizations.filter((o) => !o.includes("/"));
  const organisationPaths = readers.organizations.filter((o) => o.includes("/"));
  return {
    read: {
      accounts: [...new Set([...own, ...readers.accounts])],
      organisations,
      organisationPaths,
    },
    change: { accounts: own, organisations: [], organisationPaths: [] },
  };
}

/** Why an outsider is one, when readers are judged: not the stack's, and not an allowed reader. */
function readerRemedy(readers: AllowedReaders, finding: AccessFinding): string {
  const account = finding.outsider.account;
  const reads = finding.actions.every((a) => ecrReadActions.includes(a));
  if (!reads) {
    return "readers may only pull (ECR's Read and List actions): grant other accounts pull actions only";
  }
  if (account !== undefined && readers.own === undefined) {
    return `account ${account} cannot be shown to be this stack's own: set aws:allowedAccountIds on the stack's AWS provider, or list ${account} in allowedPullAccounts`;
  }
  return account === undefined
    ? "name the accounts that may pull in Principal, and list them in allowedPullAccounts (or their organisation in allowedPullOrganizations)"
    : `list ${account} in allowedPullAccounts (or its organisation in allowedPullOrganizations) if it may pull, or remove it from the policy`;
}

/**
 * What a resource policy lets outsiders do, as violation messages. With `readers` (repository
 * policies and creation templates' policies), an outsider is anyone but the stack's own
 * accounts and the allowed readers, and allowed readers may only read (pull); without them
 * (the registry policy, whose principals replicate into the registry), anyone of an account or
 * organisation the policy does not name.
 */
export function publicPolicyViolations(
  policy: unknown,
  what = "ECR repository policy",
  placement: Placement = unplaced,
  readers?: AllowedReaders,
): string[] {
  const parsed = parsePolicyDocument(policy);
  if ("error" in parsed) {
    return [`${what} ${parsed.error}: give a valid policy document`];
  }
  let document: PolicyDocument = parsed;
  let findings: readonly AccessFinding[];
  let undecided: string | undefined;
  if (readers === undefined) {
    ({ findings, undecided } = analyzeResourceAccess(document, ecrActions, placement));
  } else {
    // One budget for both questions: the limit is on the document, not on each question.
    const budget = new Budget();
    const insiders = readerInsiders(readers);
    // The outsider analysis reads a named principal as the policy's own choice, so a Deny with
    // NotPrincipal naming an account would seem to keep that account's principals out too; with
    // allowed readers they may be outsiders, so such a Deny is not counted (fail closed: dropping
    // a Deny only lets more in).
    document = {
      ...document,
      statements: document.statements.filter(
        (s) => !(s.effect === "Deny" && s.principal?.not === true),
      ),
    };
    const read = analyzeResourceAccess(document, ecrActions, placement, budget, insiders.read);
    const change =
      read.undecided === undefined
        ? analyzeResourceAccess(
            document,
            ecrActions.filter((a) => !ecrReadActions.includes(a)),
            placement,
            budget,
            insiders.change,
          )
        : { findings: [] };
    findings = [...read.findings, ...change.findings];
    undecided = read.undecided ?? change.undecided;
  }
  if (undecided !== undefined) {
    return [
      `${what} cannot be proven to keep principals of other accounts out: ${undecided}, the limit for one document; name the accounts in Principal, with fewer wildcards and fewer Deny statements`,
    ];
  }
  // One message per statements and actions, showing the first kind of outsider they let in
  // (a role in no organisation, then one in another organisation, then a service).
  const shown = new Map<string, AccessFinding>();
  for (const finding of findings) {
    const key = `${finding.statements.join(",")} ${finding.actions.join(",")}`;
    if (!shown.has(key)) {
      shown.set(key, finding);
    }
  }
  const ids = namedIds(document);
  const named = { accounts: new Set(ids.accounts), organisations: new Set(ids.organisations) };
  const lets = (finding: AccessFinding) =>
    `${finding.statements.join(", ")} let${finding.statements.length === 1 ? "s" : ""}`;
  const messages = [
    ...[...shown.values()].map((finding) =>
      readers === undefined || !namesOutsider(named, finding.outsider)
        ? `${what} must not let principals of other accounts in: ${lets(finding)} ${describeOutsider(finding.outsider)} ${describeActions(finding.actions)}; name the accounts that may pull in Principal, or confine "*" with an aws:PrincipalOrgID condition naming your organisation`
        : `${what} must let in only this stack's account and the allowed readers: ${lets(finding)} ${describeReader(finding.outsider, readers)} ${describeActions(finding.actions)}; ${readerRemedy(readers, finding)}`,
    ),
    ...(readers === undefined ? [] : namedReaderViolations(document, what, readers)),
  ];
  // The read and the change questions can find one outsider doing the same: said once.
  return [...new Set(messages)];
}

/** Whether the outsider found is of an account or organisation the policy itself names. */
function namesOutsider(
  named: { accounts: Set<string>; organisations: Set<string> },
  outsider: Outsider,
): boolean {
  return (
    (outsider.account !== undefined && named.accounts.has(outsider.account)) ||
    (outsider.organisationPath !== undefined &&
      named.organisations.has(outsider.organisationPath.split("/")[0]))
  );
}

/** A principal's account: a 12-digit id, or the account field of an IAM or STS ARN. */
function principalAccount(value: string): string | undefined {
  if (/^\d{12}$/.test(value)) {
    return value;
  }
  return /^arn:[^:]+:(?:iam|sts)::(\d{12}):/.exec(value)?.[1];
}

/**
 * Accounts an Allow statement names as its principal (the analysis of outsiders reads a named
 * principal as the policy's own choice; with allowed readers, the choice must be theirs): each
 * must be the stack's own, or an allowed reader granted read actions only. An account the
 * stack's own cannot be shown to be, or a principal whose account cannot be read, is reported:
 * not proven to be an allowed reader.
 */
function namedReaderViolations(
  document: PolicyDocument,
  what: string,
  readers: AllowedReaders,
): string[] {
  const violations: string[] = [];
  const own = readers.own ?? [];
  for (const statement of document.statements) {
    const principal = statement.principal;
    if (statement.effect === "Deny" || principal === undefined || principal.not) {
      continue;
    }
    if (principal.value === "*") {
      continue;
    }
    const covered = ecrActions.filter((a) => coversAction(statement, a).kind !== "false");
    if (covered.length === 0) {
      continue;
    }
    for (const value of principal.value.AWS ?? []) {
      if (value === "*") {
        continue;
      }
      const account = principalAccount(value);
      if (account !== undefined && own.includes(account)) {
        continue;
      }
      const label = statement.label;
      if (account === undefined) {
        violations.push(
          `${what} must let in only this stack's account and the allowed readers: ${label} names ${value}, whose account cannot be read from it: name principals by ARN or account id`,
        );
      } else if (!readers.accounts.includes(account)) {
        violations.push(
          readers.own === undefined
            ? `${what} must let in only this stack's account and the allowed readers: ${label} names account ${account}, which cannot be shown to be this stack's own: set aws:allowedAccountIds on the stack's AWS provider, or list ${account} in allowedPullAccounts`
            : `${what} must let in only this stack's account (${own.join(", ")}) and the allowed readers: ${label} names account ${account}: list it in allowedPullAccounts if it may pull, or remove it from the policy`,
        );
      } else {
        const changes = covered.filter((a) => !ecrReadActions.includes(a));
        if (changes.length > 0) {
          violations.push(
            `${what} lets the reader account ${account} ${describeActions(changes)} in ${label}: readers may only pull (ECR's Read and List actions)`,
          );
        }
      }
    }
  }
  return violations;
}

/** An outsider when readers are judged: of an account, or an organisation, not allowed. */
function describeReader(outsider: Outsider, readers: AllowedReaders): string {
  if (outsider.kind === "anonymous") {
    return "anonymous callers";
  }
  const allowed = new Set([...(readers.own ?? []), ...readers.accounts]);
  if (outsider.account !== undefined && !allowed.has(outsider.account)) {
    if (outsider.kind === "service") {
      return `the service ${outsider.principal} acting for account ${outsider.account}`;
    }
    const who = `${principalWords[outsider.kind]} of account ${outsider.account} (e.g. ${outsider.principal})`;
    return outsider.organisationPath === undefined
      ? `${who}, in no allowed organisation`
      : `${who}, in ${outsider.organisationPath.split("/")[0]}, not an allowed organisation`;
  }
  return describeOutsider(outsider);
}

export const ecrNoPublicAccess: ResourceValidationPolicy = {
  name: "ecr-no-public-access",
  description:
    "No ECR repository policy or creation template's policy lets anyone but the stack's own account and the allowed readers (allowedPullAccounts, allowedPullOrganizations) in, and readers only pull; no registry policy lets principals of accounts or organisations it does not name in (each judged as IAM evaluates it); replication copies images only to the stack's own or allowed accounts; and ECR Public repositories exist only where allowed.",
  enforcementLevel: "mandatory",
  severity: "critical",
  remediationSteps:
    "Name the accounts that may pull in the policy's Principal and list them in allowedPullAccounts (or their organisation in allowedPullOrganizations), granting them pull (read) actions only; or add a condition on aws:PrincipalOrgID (StringEquals, your organisation's id, no wildcards, no IfExists) to statements with Principal \"*\". Replicate only to accounts in allowedReplicationAccounts. Publish public images only from repositories listed in allowedPublicRepositories.",
  configSchema: noPublicAccessConfigSchema,
  validateResource: (args, reportViolation) =>
    judgeResource(args, reportViolation, (resource, reportViolation) => {
      const config = configWithDefaults<NoPublicAccessConfig>(
        noPublicAccessConfigSchema,
        args.getConfig(),
      );
      const policy = registryPolicyDocument(resource);
      if (policy !== undefined) {
        const placement = placementOfJudged(resource);
        const readers: AllowedReaders | undefined =
          policy.what === "ECR registry policy"
            ? undefined
            : {
                ...(placement.accounts !== undefined && { own: placement.accounts }),
                accounts: config.allowedPullAccounts,
                organizations: config.allowedPullOrganizations,
              };
        publicPolicyViolations(policy.document(), policy.what, placement, readers).forEach((v) =>
          reportViolation(v),
        );
      }
      const name = publicRepositoryName(resource);
      if (name !== undefined && !config.allowedPublicRepositories.includes(name)) {
        reportViolation(
          `ECR Public repository "${name}" publishes images to everyone: use a private ECR repository, or list "${name}" in allowedPublicRepositories`,
        );
      }
      const destinations = replicationDestinations(resource);
      if (destinations !== undefined) {
        const own = [
          knownOrUndefined(() => resource.props.registryId),
          ...(knownOrUndefined(() => resource.provider?.props.allowedAccountIds) ?? []),
        ].filter((id): id is string => typeof id === "string");
        for (const { registryId, region } of destinations) {
          if (
            !own.includes(registryId) &&
            !config.allowedReplicationAccounts.includes(registryId)
          ) {
            reportViolation(
              own.length === 0
                ? `ECR replication copies images to account ${registryId} (${region}), which cannot be shown to be this stack's own: set aws:allowedAccountIds on the stack's AWS provider, or list ${registryId} in allowedReplicationAccounts`
                : `ECR replication copies images to account ${registryId} (${region}), outside this stack's account (${own.join(", ")}): replicate within the account, or list ${registryId} in allowedReplicationAccounts`,
            );
          }
        }
      }
    }),
};
