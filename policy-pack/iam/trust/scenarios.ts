/**
 * The cases a trust policy is judged in. A web identity token is decided by the OIDC provider it
 * comes through (its issuer, in the role's own account) and its claims. The role's account and
 * partition are what the stack knows of them, or any; the issuer is any. Both are infinite, but
 * the policy can only tell apart the ones it names, so the model splits them into finitely many
 * classes and judges one representative of each (MODEL.md, "Issuers and accounts"):
 *
 * - a **world** is the role's partition and account: each one the policy names in a Federated
 *   principal, and one it names nowhere (unless the stack's placement rules it out);
 * - in each world, an **issuer** is each one the policy names (in a provider ARN, or as the
 *   prefix of a condition key), and one it names nowhere: every condition key of such an issuer
 *   is absent from its tokens and no Federated ARN names it, so all of them are decided alike.
 *
 * A scenario is one issuer in one world. Within a scenario every statement's principal is decided
 * exactly, except `{"Federated": "*"}` and a bare issuer, whose meaning IAM does not document:
 * those may apply (an Allow applies, a Deny does not; `statements.ts`).
 */
import { conditionsFormula, KeyResolver } from "../conditions";
import { githubClaimKeys, isGitHubClaimKey } from "../../governance/github";
import { claimKey } from "./claims";
import { PolicyDocument, Statement, usesPolicyVariables } from "../document";
import { and, FALSE, Formula, TRUE, unknown, unknownReasons } from "../formula";
import { awsPartitions, Placement } from "../placement";
import {
  Bounded,
  byEffect,
  coversAction,
  labelled,
  mayBeAllowed,
  surelyAllowed,
} from "../statements";

export const webIdentityAction = "sts:AssumeRoleWithWebIdentity";

/** The role's partition and account in one case; `account` undefined: one the policy does not name. */
export interface World {
  readonly partition: string;
  readonly account: string;
  /** Whether the account is one the policy names (else it stands for every other). */
  readonly named: boolean;
}

export interface Scenario {
  readonly world: World;
  /** The issuer, lower case, as in condition keys. */
  readonly issuer: string;
  /** Whether the policy names the issuer (else it stands for every issuer it does not name). */
  readonly named: boolean;
  /** Every issuer the policy names. */
  readonly namedIssuers: readonly string[];
  /** The OIDC provider of the role's account for this issuer. */
  readonly provider: string;
  readonly allows: readonly Bounded[];
  readonly denies: readonly Bounded[];
  /** The tokens the policy may admit (an over-approximation: MODEL.md). */
  readonly admitted: Formula;
  /** The tokens the policy surely admits. */
  readonly surelyAdmitted: Formula;
  /**
   * What the model could not evaluate, in the Allows and the Denies, and read in the direction
   * that grants access (an Allow's as holding, a Deny's as not).
   */
  readonly assumptions: readonly string[];
  /** The policy's own subject values, wildcards filled in: natural tokens to try first. */
  readonly subjectExamples: readonly string[];
}

const providerArn = /^arn:([^:]+):iam::([^:]*):oidc-provider\/(.+)$/;

function federatedValues(statements: readonly Statement[]): string[] {
  return statements.flatMap((s) =>
    s.principal && s.principal.value !== "*" ? (s.principal.value.Federated ?? []) : [],
  );
}

/** Account stand-ins for "an account the policy does not name": AWS's documentation's examples. */
const standInAccounts = ["123456789012", "111122223333", "444455556666", "777788889999"];

function unnamed<T>(candidates: readonly T[], named: readonly T[]): T | undefined {
  return candidates.find((c) => !named.includes(c));
}

/** The worlds the role may be in: named partitions and accounts, and others, as placement allows. */
export function worlds(statements: readonly Statement[], placement: Placement): World[] {
  const named = federatedValues(statements)
    .map((value) => providerArn.exec(value))
    .filter((m): m is RegExpExecArray => m !== null);
  const namedPartitions = [...new Set(named.map((m) => m[1]))];
  const namedAccounts = [...new Set(named.map((m) => m[2]))];
  const partitions =
    placement.partitions ??
    [...namedPartitions, unnamed(awsPartitions, namedPartitions)].filter(
      (p): p is string => p !== undefined,
    );
  const accounts: { account: string; named: boolean }[] = placement.accounts
    ? placement.accounts.map((account) => ({ account, named: namedAccounts.includes(account) }))
    : [
        ...namedAccounts.map((account) => ({ account, named: true })),
        {
          account:
            unnamed(standInAccounts, namedAccounts) ??
            String(Number(namedAccounts.reduce((a, b) => (a > b ? a : b))) + 1).padStart(12, "0"),
          named: false,
        },
      ];
  return partitions.flatMap((partition) => accounts.map((a) => ({ partition, ...a })));
}

/** Issuers the policy names: in Federated provider ARNs and as the prefixes of condition keys. */
export function namedIssuers(statements: readonly Statement[]): string[] {
  const issuers = new Set<string>();
  for (const value of federatedValues(statements)) {
    const match = providerArn.exec(value);
    if (match) {
      issuers.add(match[3].toLowerCase());
    }
  }
  for (const entry of statements.flatMap((s) => s.conditions)) {
    const key = entry.key.toLowerCase();
    const prefix = key.slice(0, key.lastIndexOf(":"));
    if (prefix.includes(".") || prefix.includes("/")) {
      issuers.add(prefix);
    }
  }
  return [...issuers];
}

/**
 * Issuers the policy names nowhere, standing for all of them: github.com's when it is not
 * named (so that messages show the issuer most tokens come from), then enterprise issuers.
 */
export function unnamedIssuers(named: readonly string[], count: number): string[] {
  const found: string[] = [];
  for (let n = 0; found.length < count; n += 1) {
    const candidate =
      n === 0
        ? "token.actions.githubusercontent.com"
        : `token.actions.githubusercontent.com/another-enterprise${n === 1 ? "" : n}`;
    if (!named.includes(candidate)) {
      found.push(candidate);
    }
  }
  return found;
}

/** Whether a statement's principal matches tokens of `issuer` through the world's provider. */
export function principalFormula(statement: Statement, world: World, issuer: string): Formula {
  const principal = statement.principal;
  if (principal === undefined || principal.not) {
    // Trust statements need a principal; NotPrincipal is refused in trust policies (a finding).
    return FALSE;
  }
  if (principal.value === "*" || (principal.value.AWS ?? []).includes("*")) {
    return TRUE;
  }
  const matched = (principal.value.Federated ?? []).map((value) =>
    federatedFormula(value, world, issuer),
  );
  if (principal.unresolved !== undefined) {
    matched.push(unknown(`a principal that holds ${principal.unresolved}`));
  }
  return matched.some((f) => f.kind === "true")
    ? TRUE
    : (matched.find((f) => f.kind === "unknown") ?? FALSE);
}

function federatedFormula(value: string, world: World, issuer: string): Formula {
  if (value === "*") {
    return unknown(`Principal {"Federated": "*"}, which IAM does not document`);
  }
  const match = providerArn.exec(value);
  if (!match) {
    return value.toLowerCase() === issuer
      ? unknown(`Principal {"Federated": "${value}"}, an issuer without its provider's ARN`)
      : FALSE;
  }
  const [, partition, account, named] = match;
  if (partition !== world.partition || account !== world.account) {
    return FALSE;
  }
  if (named === issuer) {
    return TRUE;
  }
  return named.toLowerCase() === issuer
    ? unknown(`the provider ARN ${value}, whose issuer is spelt in another letter case`)
    : FALSE;
}

/**
 * A trust policy's statement has no Resource (the role is the resource); IAM's documentation
 * does not say what one that has it means, so it may not apply.
 */
function resourceDoubt(statement: Statement): Formula {
  return statement.resources === undefined
    ? TRUE
    : unknown(
        `${statement.resources.not ? "NotResource" : "Resource"} in a trust policy, which IAM does not document`,
      );
}

/** Condition keys of `issuer`'s tokens become the variables `sub` and `aud`. */
export function keysOf(issuer: string): KeyResolver {
  return (key) => {
    const colon = key.lastIndexOf(":");
    if (colon < 0) {
      return { kind: "unknown", reason: `the condition key ${key}` };
    }
    const prefix = key.slice(0, colon);
    const claim = key.slice(colon + 1);
    if (prefix === issuer) {
      if (claim === "sub" || claim === "aud") {
        return { kind: "variable", variable: claim };
      }
      return isGitHubClaimKey(claim)
        ? claimKey(claim)
        : {
            kind: "unknown",
            reason: `the claim key ${key}, which STS does not check (it checks ${["sub", "aud", ...githubClaimKeys].join(", ")})`,
          };
    }
    // Another provider's keys (an issuer host and path): absent from this issuer's tokens.
    if (prefix.includes(".") || prefix.includes("/")) {
      return { kind: "absent" };
    }
    return { kind: "unknown", reason: `the condition key ${key}` };
  };
}

/** The statements that may cover `sts:AssumeRoleWithWebIdentity`. */
export function webIdentityStatements(document: PolicyDocument): Statement[] {
  return document.statements.filter((s) => coversAction(s, webIdentityAction).kind !== "false");
}

/** One scenario: how each statement decides this issuer's tokens in this world. */
export function scenario(
  document: PolicyDocument,
  relevant: readonly Statement[],
  world: World,
  issuer: string,
  named: boolean,
  namedIssuers: readonly string[] = [],
): Scenario {
  const resolve = keysOf(issuer);
  const variables = usesPolicyVariables(document);
  const { allows, denies } = byEffect(labelled(relevant), ({ statement }) =>
    and(
      coversAction(statement, webIdentityAction),
      principalFormula(statement, world, issuer),
      resourceDoubt(statement),
      conditionsFormula(statement.conditions, resolve, variables),
    ),
  );
  const subjectExamples = relevant
    .flatMap((statement) => statement.conditions)
    .filter((entry) => entry.key.toLowerCase().endsWith(":sub"))
    .flatMap((entry) => entry.values)
    .flatMap((value) => [
      value.replace(/\*$/, "ref:refs/heads/main").replace(/\*/g, "app").replace(/\?/g, "x"),
      value.replace(/\/\*$/, "/app:ref:refs/heads/main").replace(/\*/g, "app").replace(/\?/g, "x"),
      value.replace(/\*/g, "main").replace(/\?/g, "x"),
    ]);
  return {
    world,
    issuer,
    named,
    namedIssuers,
    provider: `arn:${world.partition}:iam::${world.account}:oidc-provider/${issuer}`,
    allows,
    denies,
    admitted: mayBeAllowed(allows, denies),
    surelyAdmitted: surelyAllowed(allows, denies),
    assumptions: [...new Set([...allows, ...denies].flatMap((a) => unknownReasons(a.raw)))],
    subjectExamples,
  };
}

/** Every scenario of the policy, grouped by world; those that admit nothing are left out. */
export function scenariosByWorld(document: PolicyDocument, placement: Placement): Scenario[][] {
  const relevant = webIdentityStatements(document);
  const named = namedIssuers(relevant);
  const issuers = [
    ...named.map((issuer) => ({ issuer, named: true })),
    { issuer: unnamedIssuers(named, 1)[0], named: false },
  ];
  return worlds(relevant, placement)
    .map((world) =>
      issuers
        .map(({ issuer, named: isNamed }) =>
          scenario(document, relevant, world, issuer, isNamed, named),
        )
        .filter((s) => s.admitted.kind !== "false"),
    )
    .filter((group) => group.length > 0);
}
