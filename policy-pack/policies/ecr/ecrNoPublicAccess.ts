import { PolicyConfigSchema, ResourceValidationPolicy } from "@pulumi/policy";
import { configWithDefaults } from "../../lib/config";
import { isAllow, parsePolicyDocument, Statement } from "../../lib/iamDocument";
import { types } from "../../lib/resourceTypes";

export interface NoPublicAccessConfig {
  /** ECR Public repositories allowed by name. */
  readonly allowedPublicRepositories: readonly string[];
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
  },
};

/** Condition keys that confine a `*` principal to an organisation or to accounts. */
const confiningKeys = [
  "aws:principalorgid",
  "aws:principalorgpaths",
  "aws:principalaccount",
  "aws:sourceaccount",
  "aws:sourceorgid",
  "aws:sourceorgpaths",
];
const confiningOperators = [
  "stringequals",
  "stringequalsignorecase",
  "stringlike",
  "arnequals",
  "arnlike",
];

function isEveryone(statement: Statement): boolean {
  const { principal } = statement;
  return principal === "*" || (principal !== undefined && (principal.aws ?? []).includes("*"));
}

function isConfined(statement: Statement): boolean {
  return statement.conditions.some(
    (c) =>
      confiningOperators.includes(c.base) &&
      confiningKeys.includes(c.key) &&
      c.values.length > 0 &&
      c.values.every((v) => !/^[*?]*$/.test(v)),
  );
}

/** Statements of a repository policy that let any AWS principal in, as violation messages. */
export function publicPolicyViolations(policy: unknown): string[] {
  const document = parsePolicyDocument(policy);
  if ("error" in document) {
    return [`ECR repository policy ${document.error}: give a valid policy document`];
  }
  return document.statements
    .filter((s) => isAllow(s) && isEveryone(s) && !isConfined(s))
    .map(
      (s) =>
        `ECR repository policy must not let every AWS principal in: ${s.label} allows Principal "*" without an aws:PrincipalOrgID or aws:PrincipalAccount condition; name the accounts that may pull, or add such a condition`,
    );
}

export const ecrNoPublicAccess: ResourceValidationPolicy = {
  name: "ecr-no-public-access",
  description:
    "ECR repository policies (aws.ecr.RepositoryPolicy, or inline on aws-native repositories) grant '*' principals only with an organisation or account condition, and ECR Public repositories exist only where allowed.",
  enforcementLevel: "mandatory",
  severity: "critical",
  remediationSteps:
    'Name the accounts that may pull in the policy\'s Principal, or add a condition on aws:PrincipalOrgID or aws:PrincipalAccount to statements with Principal "*". Publish public images only from repositories listed in allowedPublicRepositories.',
  configSchema: noPublicAccessConfigSchema,
  validateResource: (args, reportViolation) => {
    switch (args.type) {
      case types.ecrRepositoryPolicy:
        publicPolicyViolations(args.props.policy).forEach((v) => reportViolation(v));
        return;
      case types.nativeEcrRepository:
        if (args.props.repositoryPolicyText !== undefined) {
          publicPolicyViolations(args.props.repositoryPolicyText).forEach((v) =>
            reportViolation(v),
          );
        }
        return;
      case types.ecrPublicRepository:
      case types.nativeEcrPublicRepository: {
        const { allowedPublicRepositories } = configWithDefaults<NoPublicAccessConfig>(
          noPublicAccessConfigSchema,
          args.getConfig(),
        );
        const name: string = args.props.repositoryName ?? args.name;
        if (!allowedPublicRepositories.includes(name)) {
          reportViolation(
            `ECR Public repository "${name}" publishes images to everyone: use a private ECR repository, or list "${name}" in allowedPublicRepositories`,
          );
        }
        return;
      }
    }
  },
};
