/**
 * Who outside the accounts and organisations a resource policy names can act on the resource
 * (an ECR repository policy, the registry policy, a creation template's policy), worked out as
 * IAM evaluates the policy.
 *
 * The outsider is any principal the policy does not name: a role of an account whose id appears
 * nowhere in the policy, either in no organisation (its `aws:PrincipalOrgID` is absent) or in an
 * organisation whose id appears nowhere; or an AWS service the policy names, acting for such an
 * account. Every condition on the principal's account, ARN, organisation or organisation path
 * (and a service's source account) is evaluated with all of IAM's operators, `IfExists`, set
 * qualifiers and wildcards; other conditions cannot be known from the policy and are assumed to
 * hold in Allows and not in Denies (fail closed).
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
} from "./automaton";
import { conditionsFormula, KeyResolver, KeyValue } from "./conditions";
import { PolicyDocument, Statement, usesPolicyVariables } from "./document";
import { and, atom, bound, evaluate, FALSE, Formula, not, or, solve, TRUE } from "./formula";
import { actionMatches } from "./patterns";

export type OutsiderKind = "account" | "organisation" | "service";

export interface Outsider {
  readonly kind: OutsiderKind;
  /** The principal: a role ARN, or a service principal. */
  readonly principal: string;
  /** Its account (for a service: the account it acts for). */
  readonly account: string;
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

const digits = charsOf("0123456789");
const lowerDigits = charsOf("abcdefghijklmnopqrstuvwxyz0123456789");
const roleName = charsExcept(":/");

/** `arn:aws:iam::<account>:role/<name>`: an outsider's role. */
const roleArn: Language = concat(literal("arn:aws:iam::"), [times(digits, 12)], literal(":role/"), [
  plus(roleName),
]);
const wrapAccountInRole = (account: Language): Language =>
  concat(literal("arn:aws:iam::"), account, literal(":role/"), [plus(roleName)]);

/** `o-<10>/r-<4>/ou-<4>-<8>/`: an organisation path of one account. */
const organisationPath: Language = concat(
  literal("o-"),
  [times(lowerDigits, 10)],
  literal("/r-"),
  [times(lowerDigits, 4)],
  literal("/ou-"),
  [times(lowerDigits, 4)],
  literal("-"),
  [times(lowerDigits, 8)],
  literal("/"),
);
const wrapOrganisation = (organisation: Language): Language =>
  concat(organisation, literal("/"), anyString);

const accountNumber: Language = [times(digits, 12)];

/** `<name>.amazonaws.com`: an AWS service principal. */
const serviceName: Language = concat(
  [plus(charsOf("abcdefghijklmnopqrstuvwxyz0123456789-"))],
  literal(".amazonaws.com"),
);

/** Account and organisation ids the policy names anywhere. */
function namedIds(document: PolicyDocument): { accounts: string[]; organisations: string[] } {
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
  readonly matches: (statement: Statement) => boolean;
  /** What makes it an outsider: ids the policy does not name, and the shapes of its values. */
  readonly constraints: Formula;
  readonly describe: (values: Readonly<Record<string, string | undefined>>) => Outsider;
}

function principalMatches(
  statement: Statement,
  type: "AWS" | "Service",
  service?: string,
): boolean {
  const principal = statement.principal;
  if (principal === undefined) {
    // A resource policy statement without a principal: IAM refuses it; fail closed.
    return true;
  }
  let listed: boolean;
  if (principal.value === "*") {
    listed = true;
  } else {
    const values = principal.value[type] ?? [];
    listed =
      type === "AWS"
        ? // IAM allows no wildcard in principals but "*": read any as "*" (fail closed).
          values.some((v) => v.includes("*"))
        : values.some((v) => v === "*" || (service !== undefined && v === service));
    if (type === "Service" && (principal.value.AWS ?? []).some((v) => v.includes("*"))) {
      listed = true;
    }
  }
  return principal.not ? !listed : listed;
}

function scenarios(document: PolicyDocument, relevant: readonly Statement[]): Scenario[] {
  const { accounts, organisations } = namedIds(document);
  const unnamedAccount = (variable: string, wrap: (l: Language) => Language) =>
    and(...accounts.map((a) => not(atom(variable, wrap(literal(a))))));
  const unnamedOrganisation = and(
    ...organisations.map((o) => not(atom("organisationPath", wrapOrganisation(literal(o))))),
  );
  const principalKeys = (inOrganisation: boolean): Record<string, KeyValue> => ({
    "aws:principalarn": { kind: "variable", variable: "principal" },
    "aws:principalaccount": { kind: "variable", variable: "principal", wrap: wrapAccountInRole },
    "aws:principalorgid": inOrganisation
      ? { kind: "variable", variable: "organisationPath", wrap: wrapOrganisation }
      : { kind: "absent" },
    "aws:principalorgpaths": inOrganisation
      ? { kind: "variable", variable: "organisationPath", multivalued: true }
      : { kind: "absent" },
    "aws:principalisawsservice": { kind: "known", value: "false" },
    "aws:principaltype": { kind: "known", value: "AssumedRole" },
    "aws:principalservicename": { kind: "absent" },
    "aws:sourceaccount": { kind: "absent" },
    "aws:sourcearn": { kind: "absent" },
    "aws:sourceorgid": { kind: "absent" },
    "aws:sourceorgpaths": { kind: "absent" },
  });
  const outsiderRole = (values: Readonly<Record<string, string | undefined>>) => {
    const principal = values.principal ?? "arn:aws:iam::000000000000:role/outsider";
    return { principal, account: principal.split(":")[4] };
  };
  const found: Scenario[] = [
    {
      kind: "account",
      keys: principalKeys(false),
      matches: (s) => principalMatches(s, "AWS"),
      constraints: and(atom("principal", roleArn), unnamedAccount("principal", wrapAccountInRole)),
      describe: (values) => ({ kind: "account", ...outsiderRole(values) }),
    },
    {
      kind: "organisation",
      keys: principalKeys(true),
      matches: (s) => principalMatches(s, "AWS"),
      constraints: and(
        atom("principal", roleArn),
        unnamedAccount("principal", wrapAccountInRole),
        atom("organisationPath", organisationPath),
        unnamedOrganisation,
      ),
      describe: (values) => ({
        kind: "organisation",
        ...outsiderRole(values),
        organisationPath: values.organisationPath ?? "o-0000000000/r-0000/ou-0000-00000000/",
      }),
    },
  ];
  // Services the policy names, and (for "*" principals) any service.
  const services = new Set<string | undefined>();
  for (const statement of relevant) {
    const value = statement.principal?.value;
    if (value === "*" || statement.principal?.not || (value && (value.AWS ?? []).includes("*"))) {
      services.add(undefined);
    } else if (value) {
      (value.Service ?? []).forEach((s) => services.add(s === "*" ? undefined : s));
    }
  }
  for (const service of services) {
    found.push({
      kind: "service",
      keys: {
        "aws:sourceaccount": { kind: "variable", variable: "sourceAccount" },
        "aws:principalisawsservice": { kind: "known", value: "true" },
        "aws:principalservicename":
          service === undefined
            ? { kind: "variable", variable: "service" }
            : { kind: "known", value: service },
        "aws:principalarn": { kind: "absent" },
        "aws:principalaccount": { kind: "absent" },
        "aws:principalorgid": { kind: "absent" },
        "aws:principalorgpaths": { kind: "absent" },
      },
      matches: (s) => principalMatches(s, "Service", service),
      constraints: and(
        atom("sourceAccount", accountNumber),
        unnamedAccount("sourceAccount", (l) => l),
        // Any service but those the policy names (they have scenarios of their own).
        ...(service === undefined
          ? [
              atom("service", serviceName),
              ...[...services]
                .filter((named): named is string => named !== undefined)
                .map((named) => not(atom("service", literal(named)))),
            ]
          : []),
      ),
      describe: (values) => ({
        kind: "service",
        principal: service ?? values.service ?? "lambda.amazonaws.com",
        account: values.sourceAccount ?? "000000000000",
      }),
    });
  }
  return found;
}

function resolver(keys: Readonly<Record<string, KeyValue>>): KeyResolver {
  return (key) => keys[key] ?? { kind: "unknown", reason: `the condition key ${key}` };
}

function coversAction(statement: Statement, action: string): boolean {
  const listed = statement.actions.patterns.some((pattern) => actionMatches(pattern, action));
  return statement.actions.not ? !listed : listed;
}

/**
 * Who may act matters here, not on which of the registry's resources: a statement reaches some
 * resource unless it excludes every one (`NotResource: "*"`).
 */
function resourceFormula(statement: Statement): Formula {
  return statement.resources?.not && statement.resources.patterns.includes("*") ? FALSE : TRUE;
}

/**
 * Outsiders a resource policy lets perform any of `actions`: one finding per kind of outsider
 * and group of actions, each with a principal that shows it.
 */
export function analyzeResourceAccess(
  document: PolicyDocument,
  actions: readonly string[],
): AccessFinding[] | "undecided" {
  const relevant = document.statements.filter((s) => actions.some((a) => coversAction(s, a)));
  if (!relevant.some((s) => s.effect === "Allow")) {
    return [];
  }
  const variables = usesPolicyVariables(document);
  const findings: AccessFinding[] = [];
  for (const scenario of scenarios(document, relevant)) {
    const resolve = resolver(scenario.keys);
    const formulas = new Map<Statement, Formula>();
    for (const statement of relevant) {
      const applies = scenario.matches(statement);
      const raw = and(
        applies ? TRUE : FALSE,
        resourceFormula(statement),
        conditionsFormula(statement.conditions, resolve, variables),
      );
      formulas.set(statement, bound(raw, statement.effect === "Allow" ? "upper" : "lower"));
    }
    // Actions grouped by the statements that cover them.
    const groups = new Map<string, string[]>();
    for (const action of actions) {
      const key = relevant
        .map((s, i) => (coversAction(s, action) ? i : -1))
        .filter((i) => i >= 0)
        .join(",");
      groups.set(key, [...(groups.get(key) ?? []), action]);
    }
    for (const [key, groupActions] of groups) {
      const covering = key === "" ? [] : key.split(",").map((i) => relevant[Number(i)]);
      const allows = covering.filter((s) => s.effect === "Allow");
      const denies = covering.filter((s) => s.effect === "Deny");
      if (allows.length === 0) {
        continue;
      }
      const admitted = and(
        scenario.constraints,
        or(...allows.map((s) => formulas.get(s)!)),
        not(or(...denies.map((s) => formulas.get(s)!))),
      );
      if (admitted.kind === "false") {
        continue;
      }
      // A natural outsider first (AWS's documentation's example account), then the search.
      const natural = {
        principal: "arn:aws:iam::111122223333:role/outsider",
        organisationPath: "o-zzzzzzzzzz/r-zzzz/ou-zzzz-zzzzzzzz/",
        sourceAccount: "111122223333",
        service: "lambda.amazonaws.com",
      };
      const result = evaluate(admitted, natural)
        ? ({ kind: "found", values: natural } as const)
        : solve(admitted);
      if (result.kind === "unknown") {
        return "undecided";
      }
      if (result.kind === "found") {
        findings.push({
          outsider: scenario.describe(result.values),
          actions: groupActions,
          statements: allows
            .filter((s) => evaluate(formulas.get(s)!, result.values))
            .map((s) => s.label),
        });
      }
    }
  }
  return findings;
}
