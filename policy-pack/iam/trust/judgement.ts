/**
 * The questions asked of a scenario's admitted tokens, most serious first: another audience than
 * STS's; subjects of more than one repository, of no repository, or of pull requests; and, as
 * advice, every branch, tag or environment of the one repository.
 */
import { anyChar, concat, literal, plus } from "../automaton";
import { and, atom, evaluate, Formula, mentions, not, solve } from "../formula";
import {
  contextClaim,
  parseSubject,
  pullRequestContext,
  stsAudience,
} from "../../governance/github";
import { Inquiry, TrustFinding, TrustFindingKind } from "./inquiry";
import { Scenario } from "./scenarios";
import {
  anyPullRequest,
  exampleSubject,
  forSts,
  ownerPrefix,
  pullRequestOf,
  repositoryPrefix,
  repositorySubject,
  stsAudienceAtom,
  subjectSpace,
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

function notARepository(sub: string): string {
  return `admits sub ${JSON.stringify(sub)}, which names no one repository as "repo:<owner>/<name>:..." does`;
}

const otherOwner = (owner: string) => (owner === "mallory" ? "eve" : "mallory");

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
      inquiry.report("not-a-repository", [any], notARepository(any.sub));
    }
    return undefined;
  }
  return first;
}

/**
 * Subjects of more than one repository, of no repository, or of pull requests, reporting the
 * most serious kind there is; returns the one repository when there is no other.
 */
export function judgeSubjects(inquiry: Inquiry): string | undefined {
  // Subjects are judged on tokens for STS: a wrong audience is its own finding.
  const admitted = and(inquiry.scenario.admitted, stsAudienceAtom);
  const first = firstToken(inquiry, admitted);
  if (first === undefined) {
    return undefined;
  }
  const { repository, owner, context } = parseSubject(first.sub)!;
  const name = repository.slice(repository.indexOf("/") + 1).replace(/@\d+$/, "");
  if (!mentions(inquiry.scenario.admitted, "sub")) {
    const other = inquiry.token({
      sub: `repo:${otherOwner(owner)}/${name}:${context}`,
      aud: stsAudience,
    });
    inquiry.report(
      "no-subject",
      [first, other],
      "has no sub condition, so every repository on GitHub can assume the role",
    );
    return undefined;
  }
  const ownRepository = atom("sub", repositoryPrefix(repository));
  const pullRequest = atom("sub", pullRequestOf(repository));
  const foreign = inquiry.find(and(admitted, not(and(ownRepository, not(pullRequest)))), [
    { sub: `repo:${otherOwner(owner)}/${name}:${context}` },
    { sub: `repo:${owner}/${name}-fork:${context}` },
    { sub: `repo:${repository}:${pullRequestContext}` },
  ]);
  if (foreign === "none") {
    return repository;
  }
  return reportForeign(inquiry, admitted, first, foreign);
}

/** The most serious kind of foreign token there is, shown by `foreign` if it is of that kind. */
function reportForeign(
  inquiry: Inquiry,
  admitted: Formula,
  first: TrustToken,
  foreign: TrustToken,
): string | undefined {
  const { repository, owner } = parseSubject(first.sub)!;
  const valid = atom("sub", repositorySubject);
  const ownRepository = atom("sub", repositoryPrefix(repository));
  const pullRequest = atom("sub", pullRequestOf(repository));
  const kinds: [TrustFindingKind, Formula, (t: TrustToken) => [TrustToken[], string]][] = [
    [
      "other-owner",
      and(admitted, valid, not(atom("sub", ownerPrefix(owner)))),
      (t) => [
        [first, t],
        `admits repositories of more than one owner, e.g. sub "${first.sub}" and sub "${t.sub}"`,
      ],
    ],
    [
      "other-repository",
      and(admitted, valid, atom("sub", ownerPrefix(owner)), not(ownRepository)),
      (t) => [
        [first, t],
        `admits more than one repository of ${owner}, e.g. sub "${first.sub}" and sub "${t.sub}"`,
      ],
    ],
    [
      "not-a-repository",
      and(admitted, not(valid), not(ownRepository)),
      (t) => [[t], notARepository(t.sub)],
    ],
    [
      "pull-request",
      and(admitted, pullRequest),
      (t) => [[t], `admits pull requests (sub "${t.sub}"), whose code nobody has reviewed`],
    ],
  ];
  for (const [kind, formula, describe] of kinds) {
    const token = evaluate(and(formula, subjectSpace), { sub: foreign.sub, aud: foreign.aud })
      ? foreign
      : inquiry.find(formula);
    if (token !== "none") {
      const [tokens, problem] = describe(token);
      inquiry.report(kind, tokens, problem);
      // Pull requests are still the one repository's: its whole-repository trust is judged too.
      return kind === "pull-request" ? repository : undefined;
    }
  }
  // The formulas above cover every foreign token in the token space: reaching here would be a
  // bug in the model, and is reported rather than passed.
  inquiry.report("not-a-repository", [foreign], notARepository(foreign.sub));
  return undefined;
}

export type RunContextKind = "branch" | "tag" | "environment";

export interface WholeRepositoryFinding {
  readonly context: RunContextKind;
  readonly statements: readonly string[];
  /** The subject of a run the policy names nowhere, which it admits. */
  readonly example: string;
  readonly problem: string;
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
    const token = { sub, aud: stsAudience };
    if (!evaluate(primary.admitted, token)) {
      continue;
    }
    const refused = solve(
      forSts(and(atom("sub", concat(literal(prefix), [plus(anyChar)])), not(primary.admitted))),
      budget,
    );
    if (refused.kind === "none") {
      found.push({
        context: kind,
        statements: primary.allows.filter((a) => evaluate(a.upper, token)).map((a) => a.label),
        example: sub,
        problem: `admits ${what} of ${repository}, e.g. sub "${sub}"`,
      });
    }
  }
  return found;
}

export type { TrustFinding };
