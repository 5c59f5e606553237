/**
 * Generated ECR repository policies, and the outsiders that tell, with an independent IAM
 * evaluator, whether a policy lets in a principal of an account or organisation it does not name.
 */
import fc from "fast-check";
import { canAccess } from "../helpers/iam";
import { Outsider } from "../../policy-pack/iam/resourceAccess";

/** The account and organisation the policies trust by name. */
export const trustedAccount = "111111111111";
export const trustedOrganisation = "o-aaaaaaaaaa";

const principals = [
  { Principal: "*" },
  { Principal: { AWS: "*" } },
  { Principal: { AWS: `arn:aws:iam::${trustedAccount}:root` } },
  { Principal: { AWS: trustedAccount } },
  { Principal: { AWS: `arn:aws:iam::${trustedAccount}:role/ci` } },
  { Principal: { AWS: `arn:aws:iam::${trustedAccount}:user/ci` } },
  { Principal: { Service: "lambda.amazonaws.com" } },
  { NotPrincipal: { AWS: `arn:aws:iam::${trustedAccount}:root` } },
];

const actions = [
  "ecr:*",
  "ecr:BatchGetImage",
  "ecr:PutImage",
  ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
  "*",
  "s3:GetObject",
];

const keyValues: [string, string[]][] = [
  ["aws:PrincipalOrgID", [trustedOrganisation, "o-*", "o-a*", "*", "?*", "o-aaaaaaaaa?"]],
  ["aws:PrincipalAccount", [trustedAccount, "1*", "*", "222222222222", "11111111111?"]],
  [
    "aws:PrincipalOrgPaths",
    [
      `${trustedOrganisation}/*`,
      "o-*/r-*/ou-*/",
      `${trustedOrganisation}/r-aaaa/ou-aaaa-aaaaaaaa/`,
      "*",
    ],
  ],
  [
    "aws:PrincipalArn",
    [
      `arn:aws:iam::${trustedAccount}:role/*`,
      "arn:aws:iam::*:role/ci",
      `arn:aws:iam::${trustedAccount}:role/ci`,
      "*",
      // Every principal kind: users, account roots, federated users, of any account.
      "arn:aws:iam::*:user/*",
      "arn:aws:iam::*:root",
      "arn:aws:sts::*:federated-user/*",
      `arn:aws:iam::${trustedAccount}:*`,
      "arn:aws-cn:iam::*:role/*",
    ],
  ],
  ["aws:PrincipalType", ["AssumedRole", "User", "Account", "FederatedUser", "Anonymous"]],
  ["aws:SourceAccount", [trustedAccount, "*", "1*"]],
];

const stringOperators = [
  "StringEquals",
  "StringNotEquals",
  "StringLike",
  "StringNotLike",
  "StringEqualsIgnoreCase",
  "ArnLike",
  "ArnNotLike",
  "ArnEquals",
];

const entry = fc
  .tuple(
    fc.constantFrom(...stringOperators),
    fc.constantFrom("", "", "ForAnyValue:", "ForAllValues:"),
    fc.constantFrom("", "", "IfExists"),
    fc.constantFrom(...keyValues),
  )
  .chain(([operator, qualifier, suffix, [key, values]]) =>
    fc.tuple(
      fc.constant(`${qualifier}${operator}${suffix}`),
      fc.constant(key),
      fc.subarray(values, { minLength: 1, maxLength: 2 }),
    ),
  )
  // ARN operators only on ARN keys, as IAM requires, and with whole ARNs: how IAM compares an
  // ARN with fewer parts is not documented (the model does not know it; see the named tests).
  .filter(
    ([operator, key, values]) =>
      !/Arn/.test(operator) ||
      (key === "aws:PrincipalArn" && values.every((v) => v.split(":").length >= 6)),
  )
  // The multivalued org paths only with a set operator, as IAM documents them; the model reads
  // other operators on them as unknown (failing closed; see the named tests).
  .filter(([operator, key]) => key !== "aws:PrincipalOrgPaths" || operator.startsWith("For"));

const statement = fc
  .tuple(
    fc.constantFrom("Allow", "Allow", "Allow", "Deny"),
    fc.constantFrom(...principals),
    fc.constantFrom(...actions),
    fc.array(entry, { maxLength: 3 }),
  )
  .map(([effect, who, action, entries]) => {
    const condition: Record<string, Record<string, string[]>> = {};
    for (const [operator, key, values] of entries) {
      (condition[operator] ??= {})[key] = values;
    }
    return {
      Effect: effect,
      ...who,
      Action: action,
      ...(Object.keys(condition).length > 0 && { Condition: condition }),
    };
  });

export const repositoryPolicy = fc
  .array(statement, { minLength: 1, maxLength: 3 })
  .map((statements) => ({ Version: "2012-10-17", Statement: statements }));

const principalTypes: Readonly<Record<string, string>> = {
  role: "AssumedRole",
  user: "User",
  "account-root": "Account",
  "federated-user": "FederatedUser",
};

/** The request context of an outsider, as IAM builds it. */
export function contextOf(outsider: Outsider): Record<string, string | string[]> {
  if (outsider.kind === "service") {
    return {
      ...(outsider.account !== undefined && { "aws:SourceAccount": outsider.account }),
      "aws:PrincipalIsAWSService": "true",
      "aws:PrincipalServiceName": outsider.principal,
    };
  }
  if (outsider.kind === "anonymous") {
    return { "aws:PrincipalIsAWSService": "false", "aws:PrincipalType": "Anonymous" };
  }
  return {
    "aws:PrincipalAccount": outsider.account!,
    "aws:PrincipalArn": outsider.principal,
    "aws:PrincipalIsAWSService": "false",
    "aws:PrincipalType": principalTypes[outsider.kind],
    ...(outsider.organisationPath !== undefined && {
      "aws:PrincipalOrgID": outsider.organisationPath.split("/")[0],
      "aws:PrincipalOrgPaths": [outsider.organisationPath],
    }),
  };
}

/** The caller IAM sees: a role's session for a role, the principal itself for the others. */
function caller(outsider: Outsider): string | { type: "Anonymous" } {
  if (outsider.kind === "anonymous") {
    return { type: "Anonymous" };
  }
  if (outsider.kind === "role") {
    const [, partition, , , account, resource] = outsider.principal.split(":");
    return `arn:${partition}:sts::${account}:assumed-role/${resource.slice("role/".length).split("/").pop()}/session`;
  }
  return outsider.principal;
}

export function lets(policy: unknown, outsider: Outsider, action: string): boolean {
  return canAccess(policy, { principal: caller(outsider), action, context: contextOf(outsider) });
}

/** Outsiders the evaluator is asked about. */
export const probeOutsiders: readonly Outsider[] = [
  { kind: "role", principal: "arn:aws:iam::999999999999:role/x", account: "999999999999" },
  {
    kind: "role",
    principal: "arn:aws:iam::999999999999:role/x",
    account: "999999999999",
    organisationPath: "o-zzzzzzzzzz/r-zzzz/ou-zzzz-zzzzzzzz/",
  },
  {
    kind: "role",
    principal: "arn:aws:iam::199999999999:role/ci",
    account: "199999999999",
    organisationPath: "o-abcdefghij/r-zzzz/ou-zzzz-zzzzzzzz/",
  },
  { kind: "user", principal: "arn:aws:iam::999999999999:user/x", account: "999999999999" },
  { kind: "user", principal: "arn:aws:iam::199999999999:user/ci", account: "199999999999" },
  { kind: "account-root", principal: "arn:aws:iam::999999999999:root", account: "999999999999" },
  {
    kind: "federated-user",
    principal: "arn:aws:sts::999999999999:federated-user/x",
    account: "999999999999",
  },
  { kind: "role", principal: "arn:aws-cn:iam::999999999999:role/x", account: "999999999999" },
  { kind: "service", principal: "lambda.amazonaws.com", account: "999999999999" },
  { kind: "service", principal: "lambda.amazonaws.com" },
  { kind: "service", principal: "ecs-tasks.amazonaws.com", account: "999999999999" },
  { kind: "anonymous", principal: "anonymous" },
];
export const probeActions = ["ecr:PutImage", "ecr:BatchGetImage", "ecr:SetRepositoryPolicy"];
