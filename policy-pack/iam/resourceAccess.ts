/**
 * Who outside the accounts and organisations a resource policy names can act on the resource
 * (an ECR repository policy, the registry policy, a creation template's policy), worked out as
 * IAM evaluates the policy.
 *
 * An outsider is any principal of an account the policy names nowhere, of every kind IAM knows
 * (MODEL.md, "Outsiders"): a role's session, an IAM user, the account's root, a federated user;
 * each in no organisation, or in an organisation the policy names nowhere; an AWS service acting
 * for such an account, or for none; and an anonymous caller. Every condition on the principal's
 * ARN, account, type, organisation or organisation path (and a service's source account) is
 * evaluated with all of IAM's operators, `IfExists`, set qualifiers and wildcards; other
 * conditions cannot be known from the policy and are assumed to hold in Allows and not in
 * Denies (doubt grants). The partition is the stack's when known, else any.
 */
import {
  anyString,
  charsExcept,
  charsOf,
  concat,
  Language,
  literal,
  plus,
  times,
  union,
} from "./automaton";
import { Budget, BudgetExhausted } from "./budget";
import { conditionsFormula, KeyResolver, KeyValue } from "./conditions";
import { PolicyDocument, Statement, usesPolicyVariables } from "./document";
import { and, atom, evaluate, FALSE, Formula, not, solve, TRUE, unknown } from "./formula";
import { partitionLanguage, Placement, unplaced } from "./placement";
import { byEffect, coversAction, mayBeAllowed } from "./statements";

export type OutsiderKind =
  "role" | "user" | "account-root" | "federated-user" | "service" | "anonymous";

export interface Outsider {
  readonly kind: OutsiderKind;
  /** The caller: its ARN (a role session's role), a service principal, or `anonymous`. */
  readonly principal: string;
  /** Its account (for a service: the account it acts for, if any). */
  readonly account?: string;
  /** Its organisation path, for a principal in an organisation. */
  readonly organisationPath?: string;
}

export interface AccessFinding {
  readonly outsider: Outsider;
  /** The actions of `actions` it may perform. */
  readonly actions: readonly string[];
  /** Labels of the Allow statements that let it in. */
  readonly statements: readonly string[];
}

/** The findings, and why the model stopped when it could not decide (not proven safe). */
export interface AccessAnalysis {
  readonly findings: readonly AccessFinding[];
  readonly undecided?: string;
}

const digits = charsOf("0123456789");
const lowerDigits = charsOf("abcdefghijklmnopqrstuvwxyz0123456789");
const nameCharacters = charsExcept(":");
const accountNumber: Language = [times(digits, 12)];

/**
 * An organisation path of one account, as `aws:PrincipalOrgPaths` holds it: the organisation,
 * its root, and the organisational units down to the account (none for an account at the root,
 * up to five levels), each `/`-terminated: `o-<id>/r-<id>/ou-<id>-<id>/.../`.
 */
const organisationUnit: Language = concat(
  literal("ou-"),
  [plus(lowerDigits)],
  literal("-"),
  [plus(lowerDigits)],
  literal("/"),
);
const organisationPath: Language = union(
  ...[0, 1, 2, 3, 4, 5].map((depth) =>
    concat(
      literal("o-"),
      [times(lowerDigits, 10)],
      literal("/r-"),
      [times(lowerDigits, 4)],
      literal("/"),
      ...Array.from({ length: depth }, () => organisationUnit),
    ),
  ),
);
const wrapOrganisation = (organisation: Language): Language =>
  concat(organisation, literal("/"), anyString);

/** `<name>.amazonaws.com`: an AWS service principal. */
const serviceName: Language = concat(
  [plus(charsOf("abcdefghijklmnopqrstuvwxyz0123456789-"))],
  literal(".amazonaws.com"),
);

/** The kinds of AWS principal an outsider can be: the shape of `aws:PrincipalArn`, and `aws:PrincipalType`. */
const principalKinds: readonly {
  readonly kind: Exclude<OutsiderKind, "service" | "anonymous">;
  readonly type: string;
  readonly service: "iam" | "sts";
  readonly resource: Language;
  readonly example: string;
}[] = [
  {
    kind: "role",
    type: "AssumedRole",
    service: "iam",
    resource: concat(literal("role/"), [plus(nameCharacters)]),
    example: "role/outsider",
  },
  {
    kind: "user",
    type: "User",
    service: "iam",
    resource: concat(literal("user/"), [plus(nameCharacters)]),
    example: "user/outsider",
  },
  {
    kind: "account-root",
    type: "Account",
    service: "iam",
    resource: literal("root"),
    example: "root",
  },
  {
    kind: "federated-user",
    type: "FederatedUser",
    service: "sts",
    resource: concat(literal("federated-user/"), [plus(nameCharacters)]),
    example: "federated-user/outsider",
  },
];

/** Account and organisation ids the policy names anywhere (principals and condition values). */
export function namedIds(document: PolicyDocument): {
  accounts: string[];
  organisations: string[];
} {
  const text = JSON.stringify(
    document.statements.map((s) => [s.principal, s.conditions.map((c) => c.values)]),
  );
  return {
    accounts: [...new Set(text.match(/\d{12}/g) ?? [])],
    organisations: [...new Set(text.match(/o-[a-z0-9]{10,32}/g) ?? [])],
  };
}

interface Scenario {
  readonly kind: OutsiderKind;
  /** Condition keys (lower case) to what they are for this outsider. */
  readonly keys: Readonly<Record<string, KeyValue>>;
  /** Whether a statement's principal lets this outsider in. */
  readonly matches: (statement: Statement) => Formula;
  /** What makes it an outsider: ids the policy does not name, and the shapes of its values. */
  readonly constraints: Formula;
  /** A natural outsider to try first. */
  readonly natural: Readonly<Record<string, string>>;
  readonly describe: (values: Readonly<Record<string, string | undefined>>) => Outsider;
}

/** Whether a statement's principal matches an outsider: never a principal naming an account. */
function principalFormula(
  statement: Statement,
  type: "AWS" | "Service",
  service?: string,
): Formula {
  const principal = statement.principal;
  if (principal === undefined) {
    // A resource policy statement without a principal: IAM refuses it; read it as everyone.
    return TRUE;
  }
  let listed: Formula;
  if (principal.value === "*") {
    listed = TRUE;
  } else {
    const aws = principal.value.AWS ?? [];
    const services = principal.value.Service ?? [];
    if (aws.includes("*") || (type === "Service" && services.includes(service ?? "*"))) {
      listed = TRUE;
    } else if (aws.some((v) => v.includes("*") || v.includes("?"))) {
      // IAM allows no wildcard in principals but "*": what it does with one is not documented.
      listed = unknown(`a principal with a wildcard (${aws.find((v) => /[*?]/.test(v))})`);
    } else if (type === "Service" && service === undefined && services.length > 0) {
      listed = FALSE;
    } else if (principal.unresolved !== undefined) {
      listed = unknown(`a principal that holds ${principal.unresolved}`);
    } else {
      listed = FALSE;
    }
    if (principal.unresolved !== undefined && listed.kind === "false") {
      listed = unknown(`a principal that holds ${principal.unresolved}`);
    }
  }
  return principal.not ? not(listed) : listed;
}

function awsScenarios(
  placement: Placement,
  unnamedAccount: (variable: string, wrap: (l: Language) => Language) => Formula,
  unnamedOrganisation: Formula,
): Scenario[] {
  const partition = partitionLanguage(placement);
  const examplePartition = placement.partitions?.[0] ?? "aws";
  return principalKinds.flatMap((kind) => {
    const arnOf = (account: Language) =>
      concat(
        literal("arn:"),
        partition,
        literal(`:${kind.service}::`),
        account,
        literal(":"),
        kind.resource,
      );
    const keys = (inOrganisation: boolean): Record<string, KeyValue> => ({
      "aws:principalarn": { kind: "variable", variable: "principal" },
      "aws:principalaccount": { kind: "variable", variable: "principal", wrap: arnOf },
      "aws:principalorgid": inOrganisation
        ? { kind: "variable", variable: "organisationPath", wrap: wrapOrganisation }
        : { kind: "absent" },
      "aws:principalorgpaths": inOrganisation
        ? { kind: "variable", variable: "organisationPath", multivalued: true }
        : { kind: "absent" },
      "aws:principalisawsservice": { kind: "known", value: "false" },
      "aws:principaltype": { kind: "known", value: kind.type },
      "aws:principalservicename": { kind: "absent" },
      "aws:sourceaccount": { kind: "absent" },
      "aws:sourcearn": { kind: "absent" },
      "aws:sourceorgid": { kind: "absent" },
      "aws:sourceorgpaths": { kind: "absent" },
      ...(kind.kind !== "user" && { "aws:username": { kind: "absent" as const } }),
    });
    const natural = {
      principal: `arn:${examplePartition}:${kind.service}::111122223333:${kind.example}`,
      organisationPath: "o-zzzzzzzzzz/r-zzzz/ou-zzzz-zzzzzzzz/",
    };
    const describe = (
      values: Readonly<Record<string, string | undefined>>,
      inOrganisation: boolean,
    ): Outsider => {
      const principal = values.principal ?? natural.principal;
      return {
        kind: kind.kind,
        principal,
        account: principal.split(":")[4],
        ...(inOrganisation && {
          organisationPath: values.organisationPath ?? natural.organisationPath,
        }),
      };
    };
    const outsider = and(
      atom("principal", arnOf(accountNumber)),
      unnamedAccount("principal", arnOf),
    );
    return [false, true].map((inOrganisation) => ({
      kind: kind.kind,
      keys: keys(inOrganisation),
      matches: (s: Statement) => principalFormula(s, "AWS"),
      constraints: inOrganisation
        ? and(outsider, atom("organisationPath", organisationPath), unnamedOrganisation)
        : outsider,
      natural,
      describe: (values: Readonly<Record<string, string | undefined>>) =>
        describe(values, inOrganisation),
    }));
  });
}

/** Services the policy names, and (for principals that may be anyone) any service, with and without an account. */
function serviceScenarios(
  relevant: readonly Statement[],
  unnamedAccount: (variable: string, wrap: (l: Language) => Language) => Formula,
): Scenario[] {
  const services = new Set<string | undefined>();
  for (const statement of relevant) {
    const value = statement.principal?.value;
    if (
      value === undefined ||
      value === "*" ||
      statement.principal?.not ||
      (value.AWS ?? []).includes("*")
    ) {
      services.add(undefined);
    } else {
      (value.Service ?? []).forEach((s) => services.add(s === "*" ? undefined : s));
    }
    if (statement.principal?.unresolved !== undefined) {
      services.add(undefined);
    }
  }
  const named = [...services].filter((s): s is string => s !== undefined);
  return [...services].flatMap((service) =>
    [true, false].map((forAccount) => ({
      kind: "service" as const,
      keys: {
        "aws:sourceaccount": forAccount
          ? { kind: "variable", variable: "sourceAccount" }
          : { kind: "absent" },
        "aws:sourcearn": forAccount
          ? { kind: "unknown", reason: "aws:SourceArn of a service's request" }
          : { kind: "absent" },
        "aws:sourceorgid": forAccount
          ? { kind: "unknown", reason: "aws:SourceOrgID of a service's request" }
          : { kind: "absent" },
        "aws:sourceorgpaths": forAccount
          ? { kind: "unknown", reason: "aws:SourceOrgPaths of a service's request" }
          : { kind: "absent" },
        "aws:principalisawsservice": { kind: "known", value: "true" },
        "aws:principalservicename":
          service === undefined
            ? { kind: "variable", variable: "service" }
            : { kind: "known", value: service },
        "aws:principalarn": { kind: "absent" },
        "aws:principalaccount": { kind: "absent" },
        "aws:principalorgid": { kind: "absent" },
        "aws:principalorgpaths": { kind: "absent" },
        "aws:principaltype": { kind: "absent" },
        "aws:username": { kind: "absent" },
      } satisfies Record<string, KeyValue>,
      matches: (s: Statement) => principalFormula(s, "Service", service),
      constraints: and(
        ...(forAccount
          ? [atom("sourceAccount", accountNumber), unnamedAccount("sourceAccount", (l) => l)]
          : []),
        // Any service but those the policy names (they have scenarios of their own).
        ...(service === undefined
          ? [atom("service", serviceName), ...named.map((n) => not(atom("service", literal(n))))]
          : []),
      ),
      natural: { sourceAccount: "111122223333", service: "lambda.amazonaws.com" },
      describe: (values: Readonly<Record<string, string | undefined>>): Outsider => ({
        kind: "service",
        principal: service ?? values.service ?? "lambda.amazonaws.com",
        ...(forAccount && { account: values.sourceAccount ?? "111122223333" }),
      }),
    })),
  );
}

/** An anonymous caller: only a principal that is everyone lets it in, and it has no principal keys. */
const anonymous: Scenario = {
  kind: "anonymous",
  keys: {
    ...Object.fromEntries(
      [
        "aws:principalarn",
        "aws:principalaccount",
        "aws:principalorgid",
        "aws:principalorgpaths",
        "aws:principalservicename",
        "aws:sourceaccount",
        "aws:sourcearn",
        "aws:sourceorgid",
        "aws:sourceorgpaths",
        "aws:username",
      ].map((key) => [key, { kind: "absent" } as KeyValue]),
    ),
    "aws:principaltype": { kind: "known", value: "Anonymous" },
    "aws:principalisawsservice": { kind: "known", value: "false" },
  },
  matches: (s) => {
    if (s.principal === undefined) {
      return TRUE;
    }
    const everyone = s.principal.value === "*" || (s.principal.value.AWS ?? []).includes("*");
    // NotPrincipal matches every caller it does not list, anonymous ones too.
    return everyone !== s.principal.not ? TRUE : FALSE;
  },
  constraints: TRUE,
  natural: {},
  describe: () => ({ kind: "anonymous", principal: "anonymous" }),
};

/**
 * Who counts as inside, when the caller says (a pack's allowed readers): these accounts, every
 * account of these organisations, and every account under these organisation paths. Any other
 * principal is an outsider, accounts the policy itself names among them.
 */
export interface Insiders {
  /** 12-digit account ids. */
  readonly accounts: readonly string[];
  /** Organisation ids, `o-<id>`. */
  readonly organisations: readonly string[];
  /** Organisation paths, `o-<id>/r-<id>/ou-.../`, `/`-terminated: the accounts under them. */
  readonly organisationPaths: readonly string[];
}

function scenarios(
  document: PolicyDocument,
  relevant: readonly Statement[],
  placement: Placement,
  insiders?: Insiders,
): Scenario[] {
  // Without insiders given, outsiders are of the accounts and organisations the policy names
  // nowhere; with them, of every other account and organisation.
  const { accounts, organisations } = insiders ?? namedIds(document);
  const unnamedAccount = (variable: string, wrap: (l: Language) => Language) =>
    and(...accounts.map((a) => not(atom(variable, wrap(literal(a))))));
  const unnamedOrganisation = and(
    ...organisations.map((o) => not(atom("organisationPath", wrapOrganisation(literal(o))))),
    ...(insiders?.organisationPaths ?? []).map((path) =>
      not(atom("organisationPath", concat(literal(path), anyString))),
    ),
  );
  return [
    ...awsScenarios(placement, unnamedAccount, unnamedOrganisation),
    ...serviceScenarios(relevant, unnamedAccount),
    anonymous,
  ];
}

function resolver(keys: Readonly<Record<string, KeyValue>>): KeyResolver {
  return (key) => keys[key] ?? { kind: "unknown", reason: `the condition key ${key}` };
}

/**
 * Whether a statement reaches the resource the policy is attached to. Who may act matters here,
 * not on which of the registry's resources: a statement without Resource, or with `"*"`, reaches
 * it; `NotResource: "*"` reaches nothing; any other pattern may or may not name it (an Allow
 * that may reach it does, a Deny does not: doubt grants).
 */
function resourceFormula(statement: Statement): Formula {
  const resources = statement.resources;
  if (resources === undefined) {
    return TRUE;
  }
  const everything = resources.patterns.includes("*") && resources.unresolved === undefined;
  if (everything) {
    return resources.not ? FALSE : TRUE;
  }
  return unknown(
    `${resources.not ? "NotResource" : "Resource"} ${JSON.stringify(resources.patterns)}, which may not name the resource the policy is attached to`,
  );
}

/** Actions grouped by the statements that may cover them. */
function actionGroups(
  relevant: readonly Statement[],
  actions: readonly string[],
): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const action of actions) {
    const key = relevant
      .map((s, i) => `${i}${coversAction(s, action).kind[0]}`)
      .filter((k) => !k.endsWith("f"))
      .join(",");
    groups.set(key, [...(groups.get(key) ?? []), action]);
  }
  return groups;
}

function judgeScenario(
  scenario: Scenario,
  document: PolicyDocument,
  relevant: readonly Statement[],
  actions: readonly string[],
  budget: Budget,
): AccessFinding[] {
  const resolve = resolver(scenario.keys);
  const variables = usesPolicyVariables(document);
  const findings: AccessFinding[] = [];
  for (const groupActions of actionGroups(relevant, actions).values()) {
    const { allows, denies } = byEffect(
      relevant.map((statement) => ({ statement, label: statement.label })),
      ({ statement }) =>
        and(
          coversAction(statement, groupActions[0]),
          scenario.matches(statement),
          resourceFormula(statement),
          conditionsFormula(statement.conditions, resolve, variables),
        ),
    );
    const admitted = and(scenario.constraints, mayBeAllowed(allows, denies));
    if (admitted.kind === "false") {
      continue;
    }
    const result = evaluate(admitted, scenario.natural)
      ? ({ kind: "found", values: scenario.natural } as const)
      : solve(admitted, budget);
    if (result.kind === "found") {
      findings.push({
        outsider: scenario.describe(result.values),
        actions: groupActions,
        statements: allows.filter((a) => evaluate(a.upper, result.values)).map((a) => a.label),
      });
    }
  }
  return findings;
}

/**
 * Outsiders a resource policy lets perform any of `actions`: one finding per kind of outsider
 * and group of actions, each with a principal that shows it, or why it could not decide. With
 * `insiders`, an outsider is anyone not of them (see {@link Insiders}).
 */
export function analyzeResourceAccess(
  document: PolicyDocument,
  actions: readonly string[],
  placement: Placement = unplaced,
  budget: Budget = new Budget(),
  insiders?: Insiders,
): AccessAnalysis {
  const relevant = document.statements.filter((s) =>
    actions.some((a) => coversAction(s, a).kind !== "false"),
  );
  if (!relevant.some((s) => s.effect === "Allow" || s.effectUnknown)) {
    return { findings: [] };
  }
  const findings: AccessFinding[] = [];
  try {
    for (const scenario of scenarios(document, relevant, placement, insiders)) {
      findings.push(
        ...budget.about(`who of kind ${scenario.kind} it lets in`, () =>
          judgeScenario(scenario, document, relevant, actions, budget),
        ),
      );
    }
  } catch (e) {
    if (!(e instanceof BudgetExhausted)) {
      throw e;
    }
    return { findings, undecided: e.message };
  }
  return { findings };
}
