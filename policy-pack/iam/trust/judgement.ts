/**
 * The questions asked of a scenario's admitted tokens, most serious first: another audience than
 * STS's; subjects of more than one repository, of no repository, or of pull requests; and, as
 * advice, every branch, tag or environment of the one repository.
 */
import { anyChar, concat, literal, plus } from "../automaton";
import { and, atom, evaluate, Formula, mentions, not, solve } from "../formula";
import {
  contextClaim,
  GitHubClaims,
  parseSubject,
  pullRequestContext,
  stsAudience,
} from "../../governance/github";
import {
  claimValues,
  completeClaims,
  givenClaims,
  ownerIdIs,
  ownerIs,
  pullRequestSubject,
  repositoryIdIs,
  repositoryIs,
  spellsNoRepository,
} from "./claims";
import { Inquiry, mayRestOn, TrustFinding, TrustFindingKind } from "./inquiry";
import { Scenario } from "./scenarios";
import {
  anyPullRequest,
  exampleSubject,
  forSts,
  inTokenSpace,
  repositorySubject,
  stsAudienceAtom,
  TrustToken,
  validSubject,
} from "./tokens";
import { Budget } from "../budget";

/** Tokens of an audience other than STS's; `admitted` is one the policy admits. */
export function judgeAudience(inquiry: Inquiry, admittedToken: TrustToken): void {
  const { admitted } = inquiry.scenario;
  const token = inquiry.find(
    and(admitted, not(stsAudienceAtom)),
    ["sigstore", "https://github.com"].map((aud) => ({ sub: admittedToken.sub, aud })),
  );
  if (token !== "none") {
    inquiry.report(
      "audience",
      [token],
      `admits tokens with aud ${JSON.stringify(token.aud)}; pin aud to "${stsAudience}" with StringEquals`,
    );
  }
}

function notARepository(token: TrustToken): string {
  return `admits sub ${JSON.stringify(token.sub)}, which names no one repository as "repo:<owner>/<name>:..." does`;
}

const otherOwner = (owner: string) => (owner === "mallory" ? "eve" : "mallory");

/** A token as a finding shows it: its subject, and the ids when the policy tests them. */
function shown(token: TrustToken, formula: Formula): string {
  const ids = (["repository_id", "repository_owner_id"] as const)
    .filter((claim) => mentions(formula, claim) && !/^repo:[^:]*@/.test(token.sub))
    .map((claim) => `${claim} ${JSON.stringify(token.claims?.[claim])}`);
  return `sub ${JSON.stringify(token.sub)}${ids.length > 0 ? ` (${ids.join(", ")})` : ""}`;
}

/** A first admitted token for STS, of a repository when there is one; "none" or reported when not. */
function firstToken(inquiry: Inquiry, admitted: Formula): TrustToken | undefined {
  const probes = [exampleSubject, ...inquiry.scenario.subjectExamples].map((sub) => ({ sub }));
  let first = inquiry.find(
    and(admitted, atom("sub", validSubject), not(atom("sub", anyPullRequest))),
    probes,
  );
  if (first === "none") {
    first = inquiry.find(and(admitted, atom("sub", repositorySubject)), probes);
  }
  if (first === "none") {
    const any = inquiry.find(admitted);
    if (any !== "none") {
      inquiry.report("not-a-repository", [any], notARepository(any));
    }
    return undefined;
  }
  return first;
}

/** Who a token's run is: its repository by name and by id, its owner by name and by id. */
interface Identity {
  readonly repository: string;
  readonly owner: string;
  readonly repositoryId: string;
  readonly ownerId: string;
}

function identityOf(token: TrustToken): Identity {
  const repository = token.claims!.repository!;
  return {
    repository,
    owner: repository.slice(0, repository.indexOf("/")),
    repositoryId: token.claims!.repository_id!,
    ownerId: token.claims!.repository_owner_id!,
  };
}

/** A run of the one repository, not a pull request's, whose subject says so. */
function ownRun(repository: Formula): Formula {
  return and(repository, not(pullRequestSubject), not(spellsNoRepository));
}

/**
 * Tokens of more than one repository, of no repository, or of pull requests, reporting the most
 * serious kind there is; returns the one repository when there is no other. A role is of one
 * repository when every token it admits has one repository name, or one repository id (which
 * stays with the repository when it is renamed or transferred, and is never reused).
 */
export function judgeSubjects(inquiry: Inquiry): string | undefined {
  // Subjects are judged on tokens for STS: a wrong audience is its own finding.
  const admitted = and(inquiry.scenario.admitted, stsAudienceAtom);
  const first = firstToken(inquiry, admitted);
  if (first === undefined) {
    return undefined;
  }
  const { context } = parseSubject(first.sub)!;
  const identity = identityOf(first);
  const name = identity.repository.slice(identity.owner.length + 1);
  if (!mentions(inquiry.scenario.admitted, "sub")) {
    // Another owner's run, with claims the policy admits (it may test other claims than sub).
    const otherSub = `repo:${otherOwner(identity.owner)}/${name}:${context}`;
    const found = inquiry.find(and(admitted, atom("sub", literal(otherSub))));
    const other = found === "none" ? inquiry.token({ sub: otherSub, aud: stsAudience }) : found;
    inquiry.report(
      "no-subject",
      [first, other],
      "has no sub condition, so every repository on GitHub can assume the role",
    );
    return undefined;
  }
  const probes = [
    { sub: `repo:${otherOwner(identity.owner)}/${name}:${context}` },
    { sub: `repo:${identity.repository}-fork:${context}` },
    { sub: `repo:${identity.repository}:${pullRequestContext}` },
  ];
  const byName = inquiry.find(
    and(admitted, not(ownRun(repositoryIs(identity.repository)))),
    probes,
  );
  if (byName === "none") {
    return identity.repository;
  }
  const byId = inquiry.find(and(admitted, not(ownRun(repositoryIdIs(identity.repositoryId)))), [
    byName,
  ]);
  if (byId === "none") {
    return identity.repository;
  }
  return reportForeign(inquiry, admitted, first, [byName, byId]);
}

type Kind = [TrustFindingKind, Formula, (t: TrustToken) => [TrustToken[], string]];

/** The kinds of foreign token, most serious first, each with its formula and its finding. */
function foreignKinds(admitted: Formula, first: TrustToken): Kind[] {
  const { repository, owner, repositoryId, ownerId } = identityOf(first);
  const show = (t: TrustToken) => shown(t, admitted);
  return [
    [
      "other-owner",
      // A repository keeps its id when transferred: another owner's token of the same id is
      // the same repository's.
      and(
        admitted,
        not(spellsNoRepository),
        not(ownerIs(owner)),
        not(ownerIdIs(ownerId)),
        not(repositoryIdIs(repositoryId)),
      ),
      (t) => [
        [first, t],
        `admits repositories of more than one owner, e.g. ${show(first)} and ${show(t)}`,
      ],
    ],
    [
      "other-repository",
      and(
        admitted,
        not(spellsNoRepository),
        not(repositoryIs(repository)),
        not(repositoryIdIs(repositoryId)),
      ),
      (t) => [
        [first, t],
        `admits more than one repository of ${owner}, e.g. ${show(first)} and ${show(t)}`,
      ],
    ],
    ["not-a-repository", and(admitted, spellsNoRepository), (t) => [[t], notARepository(t)]],
    [
      "pull-request",
      and(admitted, pullRequestSubject),
      (t) => [[t], `admits pull requests (${show(t)}), whose code nobody has reviewed`],
    ],
  ];
}

/** The most serious kind of foreign token there is, shown by a token found already if it is of that kind. */
function reportForeign(
  inquiry: Inquiry,
  admitted: Formula,
  first: TrustToken,
  found: readonly TrustToken[],
): string | undefined {
  const kinds = foreignKinds(admitted, first);
  for (const [kind, formula, describe] of kinds) {
    const wanted = inTokenSpace(formula);
    const token = found.find((t) => evaluate(wanted, claimValues(t))) ?? inquiry.find(formula);
    if (token !== "none") {
      const [tokens, problem] = describe(token);
      inquiry.report(kind, tokens, problem);
      // Pull requests are still the one repository's: its whole-repository trust is judged too.
      return kind === "pull-request" ? identityOf(first).repository : undefined;
    }
    if (kind === "other-repository" && reportTwoRepositories(inquiry, admitted, first)) {
      return undefined;
    }
  }
  // The formulas above cover every foreign token in the token space: reaching here would be a
  // bug in the model, and is reported rather than passed.
  inquiry.report("not-a-repository", [found[0]], notARepository(found[0]));
  return undefined;
}

/**
 * No admitted token differs from the first in both name and id, yet not all share its name and
 * not all its id: the role admits the repository of that name whatever its id (one made again
 * under the name) and the repository of that id whatever its name. Two repositories.
 */
function reportTwoRepositories(inquiry: Inquiry, admitted: Formula, first: TrustToken): boolean {
  const { repository, repositoryId, owner } = identityOf(first);
  const spelt = and(admitted, not(spellsNoRepository));
  const otherName = inquiry.find(and(spelt, not(repositoryIs(repository))));
  const otherId =
    otherName === "none" ? "none" : inquiry.find(and(spelt, not(repositoryIdIs(repositoryId))));
  if (otherName === "none" || otherId === "none") {
    return false;
  }
  inquiry.report(
    "other-repository",
    [otherName, otherId],
    `admits more than one repository of ${owner}: ${repository} whatever its id (e.g. sub ${JSON.stringify(otherId.sub)} with repository_id ${JSON.stringify(otherId.claims?.repository_id)}, a repository made again under that name) and repository id ${repositoryId} whatever its name (e.g. sub ${JSON.stringify(otherName.sub)})`,
  );
  return true;
}

export type RunContextKind = "branch" | "tag" | "environment";

export interface WholeRepositoryFinding {
  readonly context: RunContextKind;
  readonly statements: readonly string[];
  /** The subject of a run the policy names nowhere, which it admits. */
  readonly example: string;
  /** That run's other claims, as the policy admits them (its ids, say). */
  readonly claims: GitHubClaims;
  readonly problem: string;
  /**
   * Whether the policy surely admits the example; false when it is admitted only where the
   * model read a doubt in the direction that grants access (the problem then names the doubt).
   */
  readonly certain: boolean;
}

/**
 * Whole-repository trust: every branch (or tag, or environment) of the one repository is
 * admitted, i.e. no such subject is refused. A name nobody would list is tried first; only when
 * it is admitted does a search look for one that is refused. Advice: it never blocks.
 */
export function wholeRepository(
  primary: Scenario,
  repository: string,
  budget: Budget,
): WholeRepositoryFinding[] {
  const found: WholeRepositoryFinding[] = [];
  const contexts: [RunContextKind, string][] = [
    ["branch", "every branch"],
    ["tag", "every tag"],
    [
      "environment",
      "every deployment environment (a workflow that names a missing one creates it, unprotected)",
    ],
  ];
  for (const [kind, what] of contexts) {
    const prefix = `repo:${repository}:${contextClaim({ kind, name: "" })}`;
    const sub = `${prefix}any-other-${kind}`;
    // The subject is fixed; the other claims (ids, workflows) are any the policy admits,
    // surely if it can be, else only where a doubt is read as granting. The second search is
    // made only when the first token found is admitted under a doubt alone.
    const subject = atom("sub", literal(sub));
    const admitted = solve(forSts(and(subject, primary.admitted)), budget);
    if (admitted.kind !== "found") {
      continue;
    }
    const sure = evaluate(primary.surelyAdmitted, admitted.values)
      ? admitted
      : solve(forSts(and(subject, primary.surelyAdmitted)), budget);
    const certain = sure.kind === "found";
    const token = sure.kind === "found" ? sure : admitted;
    const refused = solve(
      forSts(and(atom("sub", concat(literal(prefix), [plus(anyChar)])), not(primary.admitted))),
      budget,
    );
    if (refused.kind === "none") {
      found.push({
        context: kind,
        statements: primary.allows
          .filter((a) => evaluate(a.upper, token.values))
          .map((a) => a.label),
        example: sub,
        claims: completeClaims(sub, givenClaims(token.values)),
        problem: `admits ${what} of ${repository}, e.g. sub "${sub}"${certain ? "" : mayRestOn(primary.assumptions)}`,
        certain,
      });
    }
  }
  return found;
}

export type { TrustFinding };
