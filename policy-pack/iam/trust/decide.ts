/**
 * How a trust policy decides one given token (what `explain` prints): the same scenarios and
 * formulas the judgement searches over, evaluated on the token's claims.
 */
import { PolicyDocument } from "../document";
import { evaluate, unknownReasons } from "../formula";
import { issuerOfProvider } from "../../governance/github";
import { scenario, webIdentityStatements, World } from "./scenarios";
import { claimValues } from "./claims";
import { TrustToken } from "./tokens";

/** How a trust policy decides one token. */
export interface TokenDecision {
  /** Whether IAM lets the token assume the role, whatever the model could not know. */
  readonly admitted: boolean;
  /** Labels of the Allow statements whose principal and conditions the token may meet. */
  readonly allowedBy: readonly string[];
  /** Labels of the Deny statements that surely refuse it. */
  readonly deniedBy: readonly string[];
  /** Conditions the model could not evaluate: the decision is not certain. */
  readonly assumptions: readonly string[];
}

const providerArn = /^arn:([^:]+):iam::([^:]*):oidc-provider\//;

/**
 * How IAM decides `sts:AssumeRoleWithWebIdentity` for one GitHub token, by the model the pack
 * judges trust with. The role is taken to be in the account of the token's provider (a role
 * trusts providers of its own account). A condition the model cannot evaluate makes the
 * decision uncertain; the token is then called admitted only if it is admitted whatever that
 * condition says (and `assumptions` names it).
 */
export function decideToken(document: PolicyDocument, token: TrustToken): TokenDecision {
  const issuer = issuerOfProvider(token.provider).toLowerCase();
  const match = providerArn.exec(token.provider);
  const world: World = {
    partition: match?.[1] ?? "aws",
    account: match?.[2] ?? "123456789012",
    named: true,
  };
  const relevant = webIdentityStatements(document).filter((s) => !s.principal?.not);
  const judged = scenario(document, relevant, world, issuer, true);
  const values = claimValues(token);
  const assumptions = [
    ...new Set([...judged.allows, ...judged.denies].flatMap((s) => unknownReasons(s.raw))),
  ];
  return {
    admitted: evaluate(judged.surelyAdmitted, values),
    allowedBy: judged.allows.filter((a) => evaluate(a.upper, values)).map((a) => a.label),
    deniedBy: judged.denies.filter((d) => evaluate(d.lower, values)).map((d) => d.label),
    assumptions,
  };
}
