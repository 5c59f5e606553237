/**
 * Who can assume a role through GitHub Actions' OIDC tokens, worked out from what IAM evaluates
 * rather than from how the trust policy is spelt (the argument: MODEL.md).
 *
 * A token is judged as `sts:AssumeRoleWithWebIdentity` through one OIDC provider of the role's
 * account, with its `sub` and `aud` claims as the condition keys `<issuer>:sub` and
 * `<issuer>:aud`; the keys of every other issuer are absent from its request. The cases
 * (`scenarios.ts`) cover every account, partition and issuer; in each, what the model finds
 * admitted is a superset of what IAM admits (doubt grants), and every search is exhaustive or
 * stops the analysis (the budget), so "nothing found" is a proof.
 *
 * The verdict: a role is scoped when every GitHub token it admits carries `aud`
 * `sts.amazonaws.com`, comes from one issuer, and has a subject of one repository
 * (`repo:<owner>/<name>:<context>`, or the immutable form, owner and name compared without
 * letter case as GitHub does), other than a pull request's. Anything else is a finding with a
 * token that shows it. Whole-repository trust (every branch, tag or environment) is reported
 * apart, as advice.
 */
import { Budget, BudgetExhausted } from "../budget";
import { PolicyDocument } from "../document";
import { Placement, unplaced } from "../placement";
import { parseGitHubIssuer } from "../../governance/github";
import { Inquiry, TrustFinding } from "./inquiry";
import { judgeAudience, judgeSubjects, wholeRepository, WholeRepositoryFinding } from "./judgement";
import { provenRepository } from "./proof";
import { Scenario, scenariosByWorld, unnamedIssuers } from "./scenarios";
import { TrustToken } from "./tokens";

export type { TrustFinding, TrustFindingKind } from "./inquiry";
export type { RunContextKind, WholeRepositoryFinding } from "./judgement";
export type { TokenDecision } from "./decide";
export { decideToken } from "./decide";
export { webIdentityAction } from "./scenarios";
export type { TrustToken } from "./tokens";

export interface TrustAnalysis {
  /**
   * Whether some GitHub Actions token may assume the role: false only when the model proved
   * that none can (so the least-privilege rule is never switched off by a search given up).
   */
  readonly trustsGitHub: boolean;
  /** The one repository part its subjects name, when there is one. */
  readonly repository?: string;
  /** The issuer of the tokens it admits, when there is one. */
  readonly issuer?: string;
  /** Tokens of other repositories, issuers or audiences, and pull requests: must not pass. */
  readonly findings: readonly TrustFinding[];
  /** Every branch, tag or environment of the repository: advice. */
  readonly wholeRepository: readonly WholeRepositoryFinding[];
  /** What the model could not know and read in the direction that grants access. */
  readonly assumptions: readonly string[];
}

const noTokens: TrustAnalysis = Object.freeze({
  trustsGitHub: false,
  findings: [],
  wholeRepository: [],
  assumptions: [],
});

/** Whether a scenario's tokens may be GitHub's: a GitHub issuer, or one the policy does not name. */
function mayBeGitHub(scenario: Scenario): boolean {
  return !scenario.named || parseGitHubIssuer(scenario.issuer) !== undefined;
}

interface WorldVerdict {
  readonly findings: readonly TrustFinding[];
  readonly repository?: string;
  readonly issuer?: string;
  readonly wholeRepository: readonly WholeRepositoryFinding[];
  readonly trustsGitHub: boolean;
}

/** The verdict in one world: its scenarios' tokens judged together. */
function judgeWorld(scenarios: readonly Scenario[], budget: Budget): WorldVerdict {
  if (scenarios.length === 1) {
    const repository = provenRepository(scenarios);
    if (repository !== undefined) {
      return {
        findings: [],
        repository,
        issuer: scenarios[0].issuer,
        wholeRepository: wholeRepository(scenarios[0], repository, budget),
        trustsGitHub: mayBeGitHub(scenarios[0]),
      };
    }
  }
  // The primary issuer is the first whose tokens the policy admits; any other is a finding.
  const admittedBy: { inquiry: Inquiry; token: TrustToken }[] = [];
  for (const s of scenarios) {
    const inquiry = new Inquiry(s, budget);
    const token = budget.about(`which tokens of ${s.issuer} the policy admits`, () =>
      inquiry.find(s.admitted),
    );
    if (token !== "none") {
      admittedBy.push({ inquiry, token });
    }
  }
  // Tokens of other issuers are judged as GitHub's only beside a GitHub issuer's: a role that
  // only other providers can assume (an EKS cluster's, say) is not this rule's to judge.
  const primaryAt = admittedBy.findIndex((a) => mayBeGitHub(a.inquiry.scenario));
  if (primaryAt < 0) {
    return { findings: [], wholeRepository: [], trustsGitHub: false };
  }
  const { inquiry: primary, token: primaryToken } = admittedBy[primaryAt];
  const others = admittedBy.filter((_, i) => i !== primaryAt);
  const unnamed = admittedBy.find((a) => !a.inquiry.scenario.named);
  if (others.length > 0 || unnamed !== undefined) {
    primary.findings.push(otherIssuers(primary, primaryToken, others, unnamed));
  }
  budget.about("the audiences the policy admits", () => judgeAudience(primary, primaryToken));
  const repository = budget.about("the subjects the policy admits", () => judgeSubjects(primary));
  const single = repository !== undefined && others.length === 0;
  return {
    findings: primary.findings,
    ...(single && { repository }),
    issuer: primary.scenario.issuer,
    wholeRepository: single
      ? budget.about("whole-repository trust", () =>
          wholeRepository(primary.scenario, repository, budget),
        )
      : [],
    trustsGitHub: admittedBy.some((a) => mayBeGitHub(a.inquiry.scenario)),
  };
}

/**
 * Tokens of more than one issuer. An issuer the policy does not name stands for every one it
 * does not name (they are all decided alike), so when its tokens are admitted, those of every
 * other OIDC provider the account may have are too: the finding shows two of them.
 */
function otherIssuers(
  primary: Inquiry,
  primaryToken: TrustToken,
  others: readonly { inquiry: Inquiry; token: TrustToken }[],
  unnamed: { inquiry: Inquiry; token: TrustToken } | undefined,
): TrustFinding {
  const named = others.filter((o) => o.inquiry.scenario.named);
  const tokens = [primaryToken, ...named.map((o) => o.token)];
  const issuers = named.map((o) => o.inquiry.scenario.issuer);
  if (unnamed !== undefined) {
    const taken = [...tokens.map((t) => t.issuer), ...unnamed.inquiry.scenario.namedIssuers];
    const [stand] = unnamedIssuers(taken, 1);
    const world = unnamed.inquiry.scenario.world;
    tokens.push({
      ...unnamed.token,
      issuer: stand,
      provider: `arn:${world.partition}:iam::${world.account}:oidc-provider/${stand}`,
    });
    issuers.push(`any issuer it does not name (e.g. ${stand})`);
  }
  return {
    kind: "other-issuer",
    statements: [
      ...new Set(
        [primary, ...others.map((o) => o.inquiry)].flatMap((i, n) =>
          i.admitting(n === 0 ? primaryToken : others[n - 1].token),
        ),
      ),
    ],
    tokens,
    problem: `admits tokens of other issuers than ${primary.scenario.issuer} too: ${issuers.join(", ")}`,
    certain: [{ inquiry: primary, token: primaryToken }, ...others].every((a) =>
      a.inquiry.surely(a.token),
    ),
  };
}

/** The finding of an analysis that ran out of budget: not proven safe. */
export function undecidedFinding(
  exhausted: BudgetExhausted,
  statements: readonly string[],
): TrustFinding {
  return {
    kind: "undecided",
    statements,
    tokens: [],
    problem: `cannot be proven to admit one repository only: ${exhausted.message}, the limit for one document; use exact subjects with StringEquals, fewer wildcards and fewer Deny statements`,
    certain: false,
  };
}

/** IAM refuses NotPrincipal in trust policies: a finding of its own. */
function notPrincipalFindings(document: PolicyDocument): TrustFinding[] {
  return document.statements
    .filter((s) => s.principal?.not)
    .map((s) => ({
      kind: "invalid" as const,
      statements: [s.label],
      tokens: [],
      problem: `uses NotPrincipal, which IAM does not allow in a role trust policy (and an Allow with NotPrincipal would admit every principal it does not list); name the OIDC provider in Principal.Federated`,
      certain: true,
    }));
}

/**
 * Who can assume a role with this trust policy through GitHub Actions' OIDC tokens, for a role
 * placed as the stack knows it (unknown parts: any), within one document's budget.
 */
export function analyzeTrust(
  document: PolicyDocument,
  placement: Placement = unplaced,
  budget: Budget = new Budget(),
): TrustAnalysis {
  const invalid = notPrincipalFindings(document);
  const byWorld = scenariosByWorld(document, placement);
  if (byWorld.length === 0) {
    return invalid.length > 0 ? { ...noTokens, trustsGitHub: true, findings: invalid } : noTokens;
  }
  const assumptions = [...new Set(byWorld.flat().flatMap((s) => s.assumptions))];
  let verdicts: WorldVerdict[];
  try {
    verdicts = byWorld.map((scenarios) => judgeWorld(scenarios, budget));
  } catch (e) {
    if (!(e instanceof BudgetExhausted)) {
      throw e;
    }
    const statements = [...new Set(byWorld.flat().flatMap((s) => s.allows.map((a) => a.label)))];
    return {
      trustsGitHub: true,
      findings: [...invalid, undecidedFinding(e, statements)],
      wholeRepository: [],
      assumptions,
    };
  }
  return combineWorlds(verdicts, invalid, assumptions);
}

/** The worlds' verdicts as one: a finding in any world is a finding; one repository when all agree. */
function combineWorlds(
  verdicts: readonly WorldVerdict[],
  invalid: readonly TrustFinding[],
  assumptions: readonly string[],
): TrustAnalysis {
  const findings: TrustFinding[] = [...invalid];
  for (const finding of verdicts.flatMap((v) => v.findings)) {
    if (!findings.some((f) => f.kind === finding.kind && f.problem === finding.problem)) {
      findings.push(finding);
    }
  }
  const admitting = verdicts.filter((v) => v.trustsGitHub || v.findings.length > 0 || v.repository);
  const repositories = new Set(admitting.map((v) => v.repository?.toLowerCase()));
  const single = repositories.size === 1 && !repositories.has(undefined);
  const first = admitting[0];
  return {
    trustsGitHub: invalid.length > 0 || verdicts.some((v) => v.trustsGitHub),
    ...(single && first?.repository && { repository: first.repository }),
    ...(first?.issuer && { issuer: first.issuer }),
    findings,
    wholeRepository: single ? (first?.wholeRepository ?? []) : [],
    assumptions,
  };
}
