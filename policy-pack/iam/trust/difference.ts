/**
 * What one trust policy admits that another does not, by the same model the pack judges trust
 * with (`trusted-delivery trust-diff` prints it).
 *
 * The argument, in short:
 *
 * - **The cases.** Both documents are judged in the same cases: the worlds (partition, account)
 *   and issuers that either names, and one of each that neither names (`scenarios.ts`). Every
 *   class of either document's cases is a union of these, so each case decides every token in
 *   it alike in both documents, and comparing case by case is exact. An issuer or world only
 *   one document names is still a case of the other, in which it admits nothing or what it
 *   admits of every issuer it does not name.
 * - **Wider fails closed.** In each case a token is *wider* when the new document may admit it
 *   (`admitted`, where a condition the model cannot evaluate reads as holding) and the old one
 *   does not surely admit it (`surelyAdmitted`, where it reads as not holding): so a doubt in
 *   either version shows as wider, never hides a difference, and such an example is marked
 *   `certain: false`. *Narrower* is the reverse (old may admit, new does not surely): advice.
 * - **Kinds are labels.** Whether anything is wider is decided by one search per case over the
 *   whole difference; the kinds only sort the examples (one per kind). When no kind's search
 *   finds one in a case that has a difference, that case's first token is shown as `claims`, so
 *   a difference is never left unreported. The repositories a kind calls "its own" are those
 *   the other document admits, found by up to {@link repositoryLimit} searches (more: the rest
 *   are shown as `repository`, which over-reports, never under-reports).
 * - **One run, two spellings.** GitHub spells a repository's subjects in one of two forms (names,
 *   or names with ids); a token whose run the other version admits in the other form is the
 *   same repository, context and run, and is not a difference (`otherForm`). Such subjects are
 *   set aside one at a time, up to {@link twinLimit}; past it the rest are shown.
 * - **Budget.** Every search is paid from one budget; running out ends the comparison with
 *   `undecided`, which callers treat as wider.
 *
 * Tokens are built only by `Inquiry.find` (and `Inquiry.token`), so whatever claims the model
 * gives its tokens are in the examples.
 */
import { anyChar, concat, Language, literal, plus, union } from "../automaton";
import { Budget, BudgetExhausted, documentBudget } from "../budget";
import { PolicyDocument } from "../document";
import { and, atom, evaluate, FALSE, Formula, mentions, not } from "../formula";
import { Placement, unplaced } from "../placement";
import {
  contextClaim,
  parseSubject,
  pullRequestContext,
  stsAudience,
} from "../../governance/github";
import { claimValues } from "./claims";
import { Inquiry, mayRestOn } from "./inquiry";
import {
  namedIssuers,
  Scenario,
  scenario,
  unnamedIssuers,
  webIdentityStatements,
  worlds,
} from "./scenarios";
import {
  exampleSubject,
  pullRequestOf,
  repositoryPrefix,
  repositorySubject,
  stsAudienceAtom,
  TrustToken,
} from "./tokens";

/** What kind of token one trust admits and the other does not. */
export type DifferenceKind =
  /** A token of an issuer (or provider) the other trust admits no token of. */
  | "issuer"
  /** A token whose `aud` is not STS's. */
  | "audience"
  /** A subject of a repository the other trust admits no token of, or of no repository. */
  | "repository"
  /** A pull request's subject, of a repository the other admits. */
  | "pull-request"
  /** A branch, tag or environment of a repository the other admits, which it does not admit. */
  | "branch"
  | "tag"
  | "environment"
  /** The same subject, from another reusable workflow (`job_workflow_ref`). */
  | "workflow"
  /** The same repository, with other claims (a customised subject, `repository_id`, ...). */
  | "claims";

/** The kinds, in the order examples are listed: most serious first. */
export const differenceKinds: readonly DifferenceKind[] = [
  "issuer",
  "audience",
  "repository",
  "pull-request",
  "branch",
  "tag",
  "environment",
  "workflow",
  "claims",
];

export interface DifferenceExample {
  readonly kind: DifferenceKind;
  /** A token one trust admits and the other does not. */
  readonly token: TrustToken;
  /** What it is, in one line. */
  readonly description: string;
  /** False when the difference rests on a condition the model could not evaluate. */
  readonly certain: boolean;
}

export interface TrustDifference {
  /** What the new trust admits that the old did not: one example per kind. */
  readonly wider: readonly DifferenceExample[];
  /** What the old trust admitted that the new does not: one example per kind. */
  readonly narrower: readonly DifferenceExample[];
  /** Why the comparison could not be finished (read it as wider: fail closed). */
  readonly undecided?: string;
}

/** How many repositories of the other trust are named "its own" before the rest count as others. */
export const repositoryLimit = 8;

/** One case, as each document decides it. */
interface Case {
  readonly before: Scenario;
  readonly after: Scenario;
}

/** The cases both documents are judged in: every world and issuer either names, and one other. */
function cases(before: PolicyDocument, after: PolicyDocument, placement: Placement): Case[] {
  const relevantBefore = webIdentityStatements(before);
  const relevantAfter = webIdentityStatements(after);
  const both = [...relevantBefore, ...relevantAfter];
  const named = namedIssuers(both);
  const issuers = [
    ...named.map((issuer) => ({ issuer, named: true })),
    { issuer: unnamedIssuers(named, 1)[0], named: false },
  ];
  return worlds(both, placement).flatMap((world) =>
    issuers
      .map(({ issuer, named: isNamed }) => ({
        before: scenario(before, relevantBefore, world, issuer, isNamed, named),
        after: scenario(after, relevantAfter, world, issuer, isNamed, named),
      }))
      .filter((c) => c.before.admitted.kind !== "false" || c.after.admitted.kind !== "false"),
  );
}

/**
 * Natural tokens to try first: the scenario's own subjects, wildcards filled in, those that read
 * as one run (one context, `release/main` rather than `release/ref:refs/heads/main`) first.
 */
function probesOf(scenario: Scenario): { sub: string }[] {
  const contexts = (sub: string) => sub.split(/ref:refs\/|environment:|pull_request/).length;
  return [exampleSubject, ...scenario.subjectExamples]
    .map((sub, at) => ({ sub, at }))
    .sort((a, b) => contexts(a.sub) - contexts(b.sub) || a.at - b.at)
    .map(({ sub }) => ({ sub }));
}

/** The repositories whose subjects `inquiry`'s formula admits, up to {@link repositoryLimit}. */
function repositoriesOf(inquiry: Inquiry, admitted: Formula): string[] {
  const found: string[] = [];
  const probes = probesOf(inquiry.scenario);
  while (found.length < repositoryLimit) {
    const known = found.length === 0 ? FALSE : atom("sub", union(...found.map(repositoryPrefix)));
    const token = inquiry.find(and(admitted, atom("sub", repositorySubject), not(known)), probes);
    const parsed = token === "none" ? undefined : parseSubject(token.sub);
    if (parsed === undefined) {
      break;
    }
    found.push(parsed.repository);
  }
  return found;
}

/** Subjects of `repositories` whose context starts with `context`, then at least one character. */
function contextsOf(repositories: readonly string[], context: string): Language {
  return union(
    ...repositories.map((r) =>
      concat(literal("repo:"), literal(`${r}:${context}`, true), [plus(anyChar)]),
    ),
  );
}

/** The kinds of one direction's difference in one case, each with its formula. */
function kindFormulas(difference: Formula, own: readonly string[]): [DifferenceKind, Formula][] {
  const forSts = and(difference, stsAudienceAtom);
  if (own.length === 0) {
    return [
      ["audience", and(difference, not(stsAudienceAtom))],
      ["repository", forSts],
    ];
  }
  const ownSubject = atom("sub", union(...own.map(repositoryPrefix)));
  const pullRequest = atom("sub", union(...own.map(pullRequestOf)));
  const contexts: [DifferenceKind, Formula][] = (["branch", "tag", "environment"] as const).map(
    (kind) => [kind, atom("sub", contextsOf(own, contextClaim({ kind, name: "" })))],
  );
  return [
    ["audience", and(difference, not(stsAudienceAtom))],
    ["repository", and(forSts, not(ownSubject))],
    ["pull-request", and(forSts, pullRequest)],
    ...contexts.map(([kind, formula]): [DifferenceKind, Formula] => [kind, and(forSts, formula)]),
    ["claims", and(forSts, ownSubject, not(pullRequest), ...contexts.map(([, f]) => not(f)))],
  ];
}

/** One direction of the comparison: what `wide` may admit that `narrow` does not surely admit. */
class Direction {
  readonly examples: DifferenceExample[] = [];
  /** The repositories the other version admits, in the case being compared. */
  private own: readonly string[] = [];

  constructor(private readonly budget: Budget) {}

  private has(kind: DifferenceKind): boolean {
    return this.examples.some((e) => e.kind === kind);
  }

  private add(kind: DifferenceKind, token: TrustToken, wide: Scenario, narrow: Scenario): void {
    if (this.has(kind) || sameRunInOtherForm(token, narrow)) {
      return;
    }
    const values = claimValues(token);
    const certain = evaluate(wide.surelyAdmitted, values) && !evaluate(narrow.admitted, values);
    const doubts = [...new Set([...wide.assumptions, ...narrow.assumptions])];
    const doubt = certain ? "" : mayRestOn(doubts);
    const description = describe(kind, token, this.own) + doubt;
    this.examples.push({ kind, token, description, certain });
  }

  /** Compares one case, `wide` the version whose extra tokens are looked for. */
  compare(wide: Scenario, narrow: Scenario): void {
    const inquiry = new Inquiry(wide, this.budget);
    const other = new Inquiry(narrow, this.budget);
    const probes = probesOf(wide);
    // Tokens the other version admits in the other subject form are the same runs: set aside,
    // one subject at a time, up to a limit past which the rest are shown (fail closed).
    const twins: string[] = [];
    let difference = and(wide.admitted, not(narrow.surelyAdmitted));
    let first = inquiry.find(difference, probes);
    while (first !== "none" && twins.length < twinLimit && sameRunInOtherForm(first, narrow)) {
      twins.push(first.sub);
      difference = and(
        wide.admitted,
        not(narrow.surelyAdmitted),
        not(atom("sub", union(...twins.map((t) => literal(t))))),
      );
      first = inquiry.find(difference, probes);
    }
    if (first === "none") {
      return;
    }
    if (other.find(narrow.admitted) === "none") {
      this.add("issuer", first, wide, narrow);
      return;
    }
    const own = repositoriesOf(other, narrow.admitted);
    this.own = own;
    const audienceProbes = ["sigstore", "https://github.com"].map((aud) => ({
      sub: first.sub,
      aud,
    }));
    let found = false;
    for (const [kind, formula] of kindFormulas(difference, own)) {
      found =
        this.search(kind, formula, [...probes, ...audienceProbes], other, narrow, wide) || found;
    }
    if (!found) {
      this.add(claimsKind(wide, narrow), first, wide, narrow);
    }
  }

  /**
   * One example of `kind`; a token whose subject and audience the other version admits too
   * differs only in other claims, and is shown as such (and the search tried again without it).
   * Whether a token of the kind was found (shown, or already shown by another case).
   */
  private search(
    kind: DifferenceKind,
    formula: Formula,
    probes: readonly { sub?: string; aud?: string }[],
    other: Inquiry,
    narrow: Scenario,
    wide: Scenario,
  ): boolean {
    if (this.has(kind)) {
      return true;
    }
    const inquiry = new Inquiry(wide, this.budget);
    const excluded: string[] = [];
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const wanted =
        excluded.length === 0
          ? formula
          : and(formula, not(atom("sub", union(...excluded.map((s) => literal(s))))));
      const token = inquiry.find(wanted, probes);
      if (token === "none") {
        return excluded.length > 0;
      }
      const sameSubject = and(
        narrow.admitted,
        atom("sub", literal(token.sub)),
        atom("aud", literal(token.aud)),
      );
      if (kind === "claims" || other.find(sameSubject) === "none") {
        this.add(kind === "claims" ? claimsKind(wide, narrow) : kind, token, wide, narrow);
        return true;
      }
      this.add(claimsKind(wide, narrow), token, wide, narrow);
      excluded.push(token.sub);
    }
    return true;
  }
}

/** How many subjects are set aside as the same runs in the other form before the rest are shown. */
export const twinLimit = 64;

/**
 * The same run as `token` in GitHub's other subject form: the name form (`repo:<owner>/<name>:`)
 * of an immutable subject, with its ids as claims, or the immutable form of a name-form subject
 * with the ids it carries. GitHub gives a repository one form or the other (the immutable one to
 * those created, renamed or transferred since 2026-07-15), so the two are one repository, one
 * context, one run: admitting the other form is not another repository, ref, pull request,
 * workflow or issuer (moving an app from names to ids is "nothing wider").
 */
function otherForm(token: TrustToken): TrustToken | undefined {
  const immutable = /^repo:([^:@/]+)@(\d+)\/([^:@/]+)@(\d+):(.*)$/s.exec(token.sub);
  if (immutable) {
    const [, owner, ownerId, name, repositoryId, rest] = immutable;
    return {
      ...token,
      sub: `repo:${owner}/${name}:${rest}`,
      claims: { ...token.claims, repository_owner_id: ownerId, repository_id: repositoryId },
    };
  }
  const named = /^repo:([^:@/]+)\/([^:@/]+):(.*)$/s.exec(token.sub);
  const ownerId = token.claims?.repository_owner_id;
  const repositoryId = token.claims?.repository_id;
  return named && ownerId && repositoryId
    ? { ...token, sub: `repo:${named[1]}@${ownerId}/${named[2]}@${repositoryId}:${named[3]}` }
    : undefined;
}

/** Whether `narrow` surely admits the token's run in the other subject form. */
function sameRunInOtherForm(token: TrustToken, narrow: Scenario): boolean {
  const twin = otherForm(token);
  return twin !== undefined && evaluate(narrow.surelyAdmitted, claimValues(twin));
}

/** `workflow` when either version's trust reads `job_workflow_ref`, else `claims`. */
function claimsKind(wide: Scenario, narrow: Scenario): DifferenceKind {
  return mentions(wide.admitted, "job_workflow_ref") ||
    mentions(narrow.admitted, "job_workflow_ref")
    ? "workflow"
    : "claims";
}

/** One line saying what the token is. */
function describe(kind: DifferenceKind, token: TrustToken, own: readonly string[]): string {
  const sub = `sub "${token.sub}"`;
  const parsed = parseSubject(token.sub);
  const of = parsed === undefined ? "" : ` of ${parsed.repository}`;
  const claims = Object.entries(token.claims ?? {})
    .filter(([, value]) => value !== undefined && value !== "")
    .map(([key, value]) => `${key} "${value}"`)
    .join(", ");
  switch (kind) {
    case "issuer":
      return `tokens of issuer ${token.issuer} (provider ${token.provider}), e.g. ${sub}`;
    case "audience":
      return `tokens with aud "${token.aud}" (not ${stsAudience}), e.g. ${sub}`;
    case "repository": {
      if (parsed === undefined) {
        return `a subject that names no repository: ${sub}`;
      }
      const ids = /^([^@/]+)@(\d+)\/([^@/]+)@(\d+)$/.exec(parsed.repository);
      const named = ids && `${ids[1]}/${ids[3]}`.toLowerCase();
      return named && own.some((r) => r.toLowerCase() === named)
        ? `the immutable subject form of ${ids[1]}/${ids[3]} (owner id ${ids[2]}, repository id ${ids[4]}), which GitHub gives repositories created, renamed or transferred since 2026-07-15: ${sub}`
        : `another repository, ${parsed.repository}: ${sub}`;
    }
    case "pull-request":
      return `pull requests${of} (${pullRequestContext}): ${sub}`;
    case "branch":
    case "tag":
    case "environment": {
      const context = contextClaim({ kind, name: "" });
      const name = parsed?.context.startsWith(context) ? parsed.context.slice(context.length) : "";
      return `${kind} ${name}${of}: ${sub}`;
    }
    case "workflow":
      return `another workflow: job_workflow_ref "${token.claims?.job_workflow_ref ?? "(any)"}", ${sub}`;
    case "claims":
      return `${sub} with other claims${claims === "" ? "" : ` (${claims})`}`;
  }
}

function byKind(a: DifferenceExample, b: DifferenceExample): number {
  return differenceKinds.indexOf(a.kind) - differenceKinds.indexOf(b.kind);
}

/**
 * What the trust policy `after` admits that `before` did not (`wider`) and the reverse
 * (`narrower`), one example token per kind, for a role placed as the stack knows it. Running
 * out of budget ends it with `undecided` (read as wider).
 */
export function trustDifference(
  before: PolicyDocument,
  after: PolicyDocument,
  placement: Placement = unplaced,
  budget: Budget = new Budget(2 * documentBudget),
): TrustDifference {
  const wider = new Direction(budget);
  const narrower = new Direction(budget);
  try {
    for (const c of cases(before, after, placement)) {
      wider.compare(c.after, c.before);
      narrower.compare(c.before, c.after);
    }
  } catch (e) {
    if (!(e instanceof BudgetExhausted)) {
      throw e;
    }
    return {
      wider: wider.examples.sort(byKind),
      narrower: narrower.examples.sort(byKind),
      undecided: `the comparison could not be finished: ${e.message}; read it as wider`,
    };
  }
  return { wider: wider.examples.sort(byKind), narrower: narrower.examples.sort(byKind) };
}
