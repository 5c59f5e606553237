/**
 * Searches for tokens of one scenario, and the findings they show. Every search is over the
 * token space (`tokens.ts`) and paid for from the document's budget; a token found is checked
 * against what the policy surely admits, so a finding says whether it rests on a doubt.
 */
import { Budget } from "../budget";
import { evaluate, Formula, solve } from "../formula";
import { stsAudience } from "../../governance/github";
import { Scenario } from "./scenarios";
import { GitHubClaims } from "../../governance/github";
import { claimValues, completeClaims, givenClaims } from "./claims";
import { ClaimValues, exampleSubject, inTokenSpace, TrustToken } from "./tokens";

export type TrustFindingKind =
  | "other-issuer"
  | "audience"
  | "no-subject"
  | "other-owner"
  | "other-repository"
  | "not-a-repository"
  | "pull-request"
  /** A statement IAM refuses in trust policies (NotPrincipal). */
  | "invalid"
  /** The model could not decide within its budget: not proven safe. */
  | "undecided";

export interface TrustFinding {
  readonly kind: TrustFindingKind;
  /** Labels of the Allow statements that may admit the token. */
  readonly statements: readonly string[];
  /** Tokens the role may admit that show the problem (two for "more than one"). */
  readonly tokens: readonly TrustToken[];
  /** What is wrong, as a clause after "the trust policy". */
  readonly problem: string;
  /**
   * Whether IAM surely admits the tokens shown; false when that rests on a doubt the model reads
   * in the direction that grants access (an unknown condition, a doubtful principal or effect).
   */
  readonly certain: boolean;
}

export type Found = TrustToken | "none";

/** What an example admitted only under a doubt rests on, as the last words of its message. */
export function mayRestOn(assumptions: readonly string[]): string {
  return ` (may: it rests on ${assumptions.join(", ") || "a doubt"})`;
}

/** A token to try before searching: a subject, an audience, claims; the rest natural. */
export interface Probe {
  readonly sub?: string;
  readonly aud?: string;
  readonly claims?: GitHubClaims;
}

export class Inquiry {
  readonly findings: TrustFinding[] = [];

  constructor(
    readonly scenario: Scenario,
    readonly budget: Budget,
  ) {}

  /**
   * A token the formula admits, in the token space: one of the natural `probes` when one is
   * admitted (they read better), else a shortest the search finds; "none" when there is none.
   */
  find(formula: Formula, probes: readonly Probe[] = []): Found {
    const wanted = inTokenSpace(formula);
    for (const probe of probes) {
      const token = this.token({ ...probe.claims, sub: probe.sub, aud: probe.aud ?? stsAudience });
      if (evaluate(wanted, claimValues(token))) {
        return token;
      }
    }
    const result = solve(wanted, this.budget);
    return result.kind === "found" ? this.token(result.values) : "none";
  }

  /**
   * The token of these values of the claims' variables; a claim the formula does not test gets a
   * value consistent with the others (`completeClaims`), an empty one is absent.
   */
  token(values: ClaimValues): TrustToken {
    const sub = values.sub ?? exampleSubject;
    return {
      issuer: this.scenario.issuer,
      provider: this.scenario.provider,
      sub,
      aud: values.aud ?? stsAudience,
      claims: completeClaims(sub, givenClaims(values)),
    };
  }

  /** Whether IAM surely admits the token, whatever the model could not know. */
  surely(token: TrustToken): boolean {
    return evaluate(this.scenario.surelyAdmitted, claimValues(token));
  }

  /** Labels of the Allow statements that may admit the token. */
  admitting(token: Pick<TrustToken, "sub" | "aud" | "claims">): string[] {
    const values = claimValues(token);
    return this.scenario.allows.filter((a) => evaluate(a.upper, values)).map((a) => a.label);
  }

  report(kind: TrustFindingKind, tokens: readonly TrustToken[], problem: string): void {
    const statements = new Set(tokens.flatMap((t) => this.admitting(t)));
    this.findings.push({
      kind,
      statements: [...statements],
      tokens,
      problem,
      certain: tokens.every((t) => this.surely(t)),
    });
  }
}
