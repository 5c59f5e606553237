import type { PolicyConfigSchema, ResourceValidationPolicy } from "@pulumi/policy";
import { ecrActions, ecrRepositoryWriteActions } from "../../governance/actions";
import { parsePolicyDocument } from "../../iam/document";
import { AccessFinding, analyzeResourceAccess, Outsider } from "../../iam/resourceAccess";
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
  },
};

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

/** What a resource policy lets outsiders do, as violation messages. */
export function publicPolicyViolations(
  policy: unknown,
  what = "ECR repository policy",
  placement: Placement = unplaced,
): string[] {
  const document = parsePolicyDocument(policy);
  if ("error" in document) {
    return [`${what} ${document.error}: give a valid policy document`];
  }
  const { findings, undecided } = analyzeResourceAccess(document, ecrActions, placement);
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
  return [...shown.values()].map(
    (finding) =>
      `${what} must not let principals of other accounts in: ${finding.statements.join(", ")} let${finding.statements.length === 1 ? "s" : ""} ${describeOutsider(finding.outsider)} ${describeActions(finding.actions)}; name the accounts that may pull in Principal, or confine "*" with an aws:PrincipalOrgID condition naming your organisation`,
  );
}

export const ecrNoPublicAccess: ResourceValidationPolicy = {
  name: "ecr-no-public-access",
  description:
    "No ECR repository policy, registry policy or creation template's policy lets principals of accounts or organisations it does not name in (judged as IAM evaluates it); replication copies images only to the stack's own or allowed accounts; and ECR Public repositories exist only where allowed.",
  enforcementLevel: "mandatory",
  severity: "critical",
  remediationSteps:
    "Name the accounts that may pull in the policy's Principal, or add a condition on aws:PrincipalOrgID (StringEquals, your organisation's id, no wildcards, no IfExists) to statements with Principal \"*\". Replicate only to accounts in allowedReplicationAccounts. Publish public images only from repositories listed in allowedPublicRepositories.",
  configSchema: noPublicAccessConfigSchema,
  validateResource: (args, reportViolation) =>
    judgeResource(args, reportViolation, (resource, reportViolation) => {
      const config = configWithDefaults<NoPublicAccessConfig>(
        noPublicAccessConfigSchema,
        args.getConfig(),
      );
      const policy = registryPolicyDocument(resource);
      if (policy !== undefined) {
        publicPolicyViolations(policy.document(), policy.what, placementOfJudged(resource)).forEach(
          (v) => reportViolation(v),
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
