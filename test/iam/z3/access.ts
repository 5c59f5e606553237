/**
 * The existential question about a resource policy (an ECR repository policy), to Z3: is there
 * an outsider some Allow lets perform an action that no Deny refuses?
 *
 * An outsider is a role `arn:aws:iam::<account>:role/<name>` of an account whose id appears
 * nowhere in the policy. Its request carries `aws:PrincipalArn`, `aws:PrincipalAccount`,
 * `aws:PrincipalIsAWSService` ("false") and `aws:PrincipalType` ("AssumedRole"), and, when its
 * account is in an organisation whose id appears nowhere in the policy, `aws:PrincipalOrgID`
 * (`o-` and ten lower-case letters or digits) and the multivalued `aws:PrincipalOrgPaths` (its
 * one path, `<org>/r-<root>/` then its organisational units: one, or with `paths: "any"` none
 * or several). Every other key is absent.
 *
 * A statement's principal covers it when it is `"*"` or `{"AWS": "*"}`, or a NotPrincipal that
 * does not list `"*"`: any other value names an account, a role or a service of the policy, and
 * the outsider's account appears nowhere in it. Services are not asked about here.
 */
import type { Re } from "z3-solver";
import {
  admittedTerm,
  coversAction,
  coversResource,
  KeyValue,
  PolicyStatement,
  readPolicy,
  Unsupported,
} from "./encoding";
import { ask, Outcome } from "./search";
import { Regexes, Z3 } from "./solver";
import { and, member, not, or, Term } from "./terms";

/** An outsider, in the shape the evaluator's probes take (`lets` in accessGenerators). */
export interface Outsider {
  readonly kind: "role";
  readonly principal: string;
  readonly account: string;
  readonly organisationPath?: string;
}

export interface OutsiderWitness {
  readonly outsider: Outsider;
  readonly action: string;
}

export interface AccessSetting {
  /** The ARN of the resource the policy is attached to. */
  readonly resource: string;
  /** The actions to ask about. */
  readonly actions: readonly string[];
  /**
   * The organisation paths to consider: `"one-unit"`, an account in one organisational unit
   * below the root (as the differential tests' probes), or `"any"`, also an account in the root
   * itself (`o-.../r-.../`) or in nested units.
   */
  readonly paths: "one-unit" | "any";
  /** Whether the evaluator lets the outsider perform the action. */
  lets(outsider: Outsider, action: string): boolean;
}

export type AccessReport =
  | { readonly kind: "skipped"; readonly reason: string }
  | {
      readonly kind: "asked";
      /** One answer per group of actions the same statements cover, named by its first. */
      readonly answers: Readonly<Record<string, Outcome<OutsiderWitness>>>;
    };

/** Every `length`-character window of the text that matches `pattern`. */
function windows(text: string, length: number, pattern: RegExp): string[] {
  const found = new Set<string>();
  for (let i = 0; i + length <= text.length; i += 1) {
    const window = text.slice(i, i + length);
    if (pattern.test(window)) {
      found.add(window);
    }
  }
  return [...found];
}

/**
 * The outsider's strings: its role's ARN (the account is its fixed-length part) and, in an
 * organisation, its organisation path (the organisation id is its fixed-length start), each
 * in a domain that parses it one way only.
 */
class OutsiderEncoding {
  private readonly re: Regexes;
  private readonly accountRe;
  private readonly organisationRe;
  private readonly roleName;
  private readonly belowOrganisation;

  constructor(
    private readonly z3: Z3,
    document: unknown,
    paths: AccessSetting["paths"],
  ) {
    const re = (this.re = new Regexes(z3));
    const digit = re.range(0x30, 0x39);
    const lowerDigit = re.union([re.range(0x61, 0x7a), digit]);
    const text = JSON.stringify(document);
    const notIn = (length: number, pattern: RegExp) =>
      re.complement(re.union(windows(text, length, pattern).map((w) => re.text(w))));
    this.accountRe = z3.Intersect(re.times(digit, 12), notIn(12, /^[0-9]{12}$/));
    this.organisationRe = z3.Intersect(
      re.concat([re.text("o-"), re.times(lowerDigit, 10)]),
      notIn(12, /^o-[a-z0-9]{10}$/),
    );
    this.roleName = z3.Loop(
      re.charsOf("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+=,.@_-"),
      1,
      64,
    );
    const unit = re.concat([
      re.text("ou-"),
      re.times(lowerDigit, 4),
      re.text("-"),
      re.times(lowerDigit, 8),
      re.text("/"),
    ]);
    this.belowOrganisation = re.concat([
      re.text("/r-"),
      re.times(lowerDigit, 4),
      re.text("/"),
      paths === "any" ? re.star(unit) : unit,
    ]);
  }

  /** The role ARNs whose account is in `account`. */
  arn(account: Re<"main">) {
    const re = this.re;
    return re.concat([
      re.text("arn:aws:iam::"),
      this.z3.Intersect(account, this.accountRe),
      re.text(":role/"),
      this.roleName,
    ]);
  }

  /** The organisation paths whose organisation is in `organisation`. */
  path(organisation: Re<"main">) {
    return this.re.concat([
      this.z3.Intersect(organisation, this.organisationRe),
      this.belowOrganisation,
    ]);
  }

  /** The outsider's keys, in an organisation or not. */
  keys(inOrganisation: boolean): (key: string) => KeyValue | undefined {
    const keys: Record<string, KeyValue> = {
      "aws:principalarn": { variable: "arn" },
      "aws:principalisawsservice": { variable: "service" },
      "aws:principaltype": { variable: "type" },
      "aws:principalaccount": { variable: "arn", part: (re) => this.arn(re) },
      ...(inOrganisation && {
        "aws:principalorgid": { variable: "path", part: (re) => this.path(re) },
        "aws:principalorgpaths": { variable: "path", multivalued: true },
      }),
    };
    return (key) => keys[key.toLowerCase()];
  }

  domain(inOrganisation: boolean): Term {
    const all = this.re.star(this.re.anyChar());
    return and(
      member("arn", this.arn(all)),
      member("service", this.re.text("false")),
      member("type", this.re.text("AssumedRole")),
      ...(inOrganisation ? [member("path", this.path(all))] : []),
    );
  }
}

function coversOutsider(statement: PolicyStatement): boolean {
  if (statement.principal === undefined) {
    return false;
  }
  const value = statement.principal.value;
  const everyone = value === "*" || (value.AWS ?? []).includes("*");
  return statement.principal.not ? !everyone : everyone;
}

/** Asks Z3, per group of actions, whether an outsider may perform them. */
export async function askAccess(
  z3: Z3,
  document: unknown,
  setting: AccessSetting,
): Promise<AccessReport> {
  try {
    const policy = readPolicy(document);
    const encoding = new OutsiderEncoding(z3, document, setting.paths);
    const groups = new Map<string, string[]>();
    for (const action of setting.actions) {
      const signature = policy.statements.map((s) => (coversAction(s, action) ? 1 : 0)).join("");
      groups.set(signature, [...(groups.get(signature) ?? []), action]);
    }
    const answers: Record<string, Outcome<OutsiderWitness>> = {};
    for (const [, [action]] of groups) {
      const applies = (s: PolicyStatement) =>
        coversAction(s, action) && coversResource(s, setting.resource) && coversOutsider(s);
      if (!policy.statements.some((s) => s.effect === "Allow" && applies(s))) {
        answers[action] = { kind: "none", refused: [] };
        continue;
      }
      const refused: OutsiderWitness[] = [];
      let outcome: Outcome<OutsiderWitness> | undefined;
      for (const inOrganisation of [false, true]) {
        const strings = {
          arn: z3.String.const("arn"),
          path: z3.String.const("path"),
          service: z3.String.const("service"),
          type: z3.String.const("type"),
        };
        const re = new Regexes(z3);
        const found = await ask<OutsiderWitness>(z3, {
          term: and(
            encoding.domain(inOrganisation),
            admittedTerm(z3, policy, encoding.keys(inOrganisation), applies),
          ),
          strings,
          read: (values) => {
            const principal = values.arn ?? "";
            const account = principal.slice("arn:aws:iam::".length, "arn:aws:iam::".length + 12);
            return {
              action,
              outsider: inOrganisation
                ? { kind: "role", principal, account, organisationPath: values.path ?? "" }
                : { kind: "role", principal, account },
            };
          },
          confirm: (w) => setting.lets(w.outsider, w.action),
          exclude: (w) =>
            or(
              not(member("arn", re.text(w.outsider.principal))),
              ...(w.outsider.organisationPath === undefined
                ? []
                : [not(member("path", re.text(w.outsider.organisationPath)))]),
            ),
        });
        refused.push(...found.refused);
        if (found.kind === "witness" || (found.kind === "unknown" && outcome === undefined)) {
          outcome = { ...found, refused };
        }
        if (found.kind === "witness") {
          break;
        }
      }
      answers[action] = outcome ?? { kind: "none", refused };
    }
    return { kind: "asked", answers };
  } catch (error) {
    if (error instanceof Unsupported) {
      return { kind: "skipped", reason: error.message };
    }
    throw error;
  }
}
