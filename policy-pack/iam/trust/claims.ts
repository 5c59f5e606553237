/**
 * GitHub's claims as the trust model reads them (MODEL.md, "Claims"): each claim STS checks is
 * either a part of `sub` (in the tokens whose subject spells it out) or a variable of its own (in
 * the others), so a condition on a claim and a condition on the subject are decided together, with
 * the relations GitHub guarantees between them and nothing more:
 *
 * - a subject `repo:<owner>/<name>:...` (the name form) names the token's `repository`;
 * - a subject `repo:<owner>@<owner id>/<name>@<repository id>:...` (GitHub's immutable form)
 *   names its `repository`, `repository_owner_id` and `repository_id`;
 * - a subject whose context is `ref:<ref>` (GitHub's default template, or a customised one that
 *   puts `context` or `ref` right after `repo`) names its `ref` (refs have no `:`);
 * - a pull request's subject (`...:pull_request`) comes from a job with no `environment`, and an
 *   environment's subject (`...:environment:...`) from a job with one;
 * - every other claim is any value of its kind, independent of the rest: ids change with the
 *   repository, not its name (a repository deleted and made again under the same name has a new
 *   id; a renamed one keeps it), and a reusable workflow's `job_workflow_ref` names any
 *   repository that lets the caller use it.
 *
 * Each relation is written as a finite case split on languages of `sub`, so the formulas stay
 * over independent variables (the solver's premise) and are exact: in every case a claim's
 * language is rewritten into the language of the subjects that spell it, character sets
 * restricted to what the subject's grammar allows there (`restrict`, `splitOnce`).
 */
import {
  anyChar,
  anyString,
  charsExcept,
  charsOf,
  CharSet,
  concat,
  Language,
  literal,
  plus,
  Step,
  union,
} from "../automaton";
import { and, atom, Formula, not, or, TRUE } from "../formula";
import { KeyValue } from "../conditions";
import {
  GitHubClaimKey,
  GitHubClaims,
  githubOwnerCharacters,
  githubRepositoryNameCharacters,
  pullRequestContext,
} from "../../governance/github";

const ownerLetters = charsOf(githubOwnerCharacters);
const nameLetters = charsOf(githubRepositoryNameCharacters);
const digits = charsOf("0123456789");
const notColon = charsExcept(":");

/** The language with every step's set cut down to `allowed` (exact for words made of `allowed`). */
export function restrict(language: Language, allowed: CharSet): Language {
  const kept: Step[][] = [];
  for (const sequence of language) {
    const steps = sequence.map((step) => ({
      set: step.set.intersect(allowed),
      repeat: step.repeat,
    }));
    if (steps.every((step) => step.repeat || !step.set.isEmpty())) {
      kept.push(steps.filter((step) => !(step.repeat && step.set.isEmpty())));
    }
  }
  return kept;
}

/**
 * The words of `language` with exactly one `separator`, as pairs (before, after) of languages
 * without it: for each sequence, each step that can read the separator is where it is read (a
 * repeat step reads it in its middle, and is split in two).
 */
export function splitOnce(
  language: Language,
  separator: string,
): { before: Language; after: Language }[] {
  const sep = charsOf(separator);
  const without = (steps: readonly Step[]) =>
    steps.map((step) => ({ set: step.set.minus(sep), repeat: step.repeat }));
  const pairs: { before: Language; after: Language }[] = [];
  for (const sequence of language) {
    sequence.forEach((step, i) => {
      if (!step.set.hasChar(separator)) {
        return;
      }
      const head = without(sequence.slice(0, i));
      const tail = without(sequence.slice(i + 1));
      const rest = { set: step.set.minus(sep), repeat: true };
      pairs.push(
        step.repeat
          ? { before: [[...head, rest]], after: [[rest, ...tail]] }
          : { before: [head], after: [tail] },
      );
    });
  }
  return pairs;
}

const nameFormRepository: Language = [
  [...plus(ownerLetters), ...literal("/")[0], ...plus(nameLetters)],
];

/** `<owner>@<owner id>/<name>@<repository id>`, each part's language given. */
function immutableRepository(
  owner: Language,
  ownerId: Language,
  name: Language,
  repositoryId: Language,
): Language {
  return concat(
    restrict(owner, ownerLetters),
    literal("@"),
    restrict(ownerId, digits),
    literal("/"),
    restrict(name, nameLetters),
    literal("@"),
    restrict(repositoryId, digits),
  );
}

const someOwner: Language = [plus(ownerLetters)];
const someName: Language = [plus(nameLetters)];
const someId: Language = [plus(digits)];

/** Subjects `repo:<repository>:<anything>`, the repository part's language given. */
function subjectsOf(repository: Language): Language {
  return concat(literal("repo:"), repository, literal(":"), anyString);
}

const nameFormSubject = atom("sub", subjectsOf(nameFormRepository));
const immutableSubject = atom(
  "sub",
  subjectsOf(immutableRepository(someOwner, someId, someName, someId)),
);
/** The token's subject spells no repository (a customised template's). */
const noRepositorySubject = not(atom("sub", concat(literal("repo:"), anyString)));

const anyRepositoryPart: Language = union(
  nameFormRepository,
  immutableRepository(someOwner, someId, someName, someId),
);

/** Subjects whose context names the ref: `repo:<repository>:ref:<ref>`, then nothing or `:...`. */
function refSubjects(ref: Language): Language {
  return concat(
    literal("repo:"),
    anyRepositoryPart,
    literal(":ref:"),
    restrict(ref, notColon),
    union(literal(""), concat(literal(":"), anyString)),
  );
}

const refSubject = atom("sub", refSubjects([plus(notColon)]));

/** Subjects of pull requests, of any repository. */
export const pullRequestSubject = atom(
  "sub",
  concat(
    literal("repo:"),
    anyRepositoryPart,
    literal(`:${pullRequestContext}`),
    union(literal(""), concat(literal(":"), anyString)),
  ),
);

const environmentSubject = atom(
  "sub",
  concat(literal("repo:"), anyRepositoryPart, literal(":environment:"), anyString),
);

/** `repository` is in `l`: the subject's, or (a subject that spells none) the claim's own. */
function repositoryHolds(l: Language): Formula {
  const byName = subjectsOf(restrict(l, notColon));
  const byImmutable = splitOnce(l, "/").map(({ before, after }) =>
    atom("sub", subjectsOf(immutableRepository(before, someId, after, someId))),
  );
  return or(
    and(nameFormSubject, atom("sub", byName)),
    and(immutableSubject, or(...byImmutable)),
    and(noRepositorySubject, atom("repository", l)),
  );
}

function repositoryIdHolds(l: Language): Formula {
  return or(
    atom("sub", subjectsOf(immutableRepository(someOwner, someId, someName, l))),
    and(not(immutableSubject), atom("repository_id", l)),
  );
}

function ownerIdHolds(l: Language): Formula {
  return or(
    atom("sub", subjectsOf(immutableRepository(someOwner, l, someName, someId))),
    and(not(immutableSubject), atom("repository_owner_id", l)),
  );
}

function refHolds(l: Language): Formula {
  return or(and(refSubject, atom("sub", refSubjects(l))), and(not(refSubject), atom("ref", l)));
}

const nonEmpty: Language = [plus(anyChar)];

/** Claims some tokens lack: the variable's empty value stands for "absent" (no claim is empty). */
const mayBeAbsent: readonly GitHubClaimKey[] = ["environment", "enterprise_id"];

function derived(holds: (l: Language) => Formula, present: Formula = TRUE): KeyValue {
  return { kind: "derived", holds, present };
}

/** How a condition on one of the claims STS checks is decided. */
export function claimKey(claim: GitHubClaimKey): KeyValue {
  switch (claim) {
    case "repository":
      return derived(repositoryHolds);
    case "repository_id":
      return derived(repositoryIdHolds);
    case "repository_owner_id":
      return derived(ownerIdHolds);
    case "ref":
      return derived(refHolds);
    default: {
      if (mayBeAbsent.includes(claim)) {
        const present = atom(claim, nonEmpty);
        return derived((l) => and(present, atom(claim, l)), present);
      }
      return derived((l) => atom(claim, l));
    }
  }
}

/** The claims' variables (besides `sub` and `aud`) and the values GitHub can give each. */
const domains: Readonly<Record<GitHubClaimKey, Language>> = {
  repository: nameFormRepository,
  repository_id: someId,
  repository_owner_id: someId,
  ref: nonEmpty,
  environment: union(literal(""), nonEmpty),
  enterprise_id: union(literal(""), someId),
  job_workflow_ref: nonEmpty,
  workflow: nonEmpty,
  actor: nonEmpty,
  actor_id: someId,
};

/**
 * What GitHub guarantees of the claims' variables a formula mentions: each holds a value of its
 * kind, and the environment is absent from a pull request's job and present in an environment's.
 */
export function claimSpace(mentioned: (variable: string) => boolean): Formula {
  const parts: Formula[] = [];
  for (const claim of Object.keys(domains) as GitHubClaimKey[]) {
    if (mentioned(claim)) {
      parts.push(atom(claim, domains[claim]));
    }
  }
  if (mentioned("environment")) {
    const present = atom("environment", nonEmpty);
    parts.push(or(not(pullRequestSubject), not(present)), or(not(environmentSubject), present));
  }
  return and(...parts);
}

/** The claims a search's values give (an empty value: the claim is absent). */
export function givenClaims(values: Readonly<Record<string, string | undefined>>): GitHubClaims {
  const given: Partial<Record<GitHubClaimKey, string>> = {};
  for (const claim of Object.keys(domains) as GitHubClaimKey[]) {
    const value = values[claim];
    if (value !== undefined && value !== "") {
      given[claim] = value;
    }
  }
  return given;
}

/** Values of a token's variables, for evaluating formulas on it: an absent claim is empty. */
export function claimValues(token: {
  readonly sub: string;
  readonly aud: string;
  readonly claims?: GitHubClaims;
}): Record<string, string> {
  const values: Record<string, string> = { sub: token.sub, aud: token.aud };
  const claims = completeClaims(token.sub, token.claims ?? {});
  for (const claim of Object.keys(domains) as GitHubClaimKey[]) {
    values[claim] = claims[claim] ?? "";
  }
  return values;
}

/** The repository, owner id and repository id a subject spells, where it spells them. */
function spelled(sub: string): { repository?: string; ownerId?: string; repositoryId?: string } {
  const immutable = /^repo:([^:@/]+)@(\d+)\/([^:@/]+)@(\d+):/.exec(sub);
  if (immutable) {
    return {
      repository: `${immutable[1]}/${immutable[3]}`,
      ownerId: immutable[2],
      repositoryId: immutable[4],
    };
  }
  const named = /^repo:([^:@/]+\/[^:@/]+):/.exec(sub);
  return named ? { repository: named[1] } : {};
}

/**
 * An id for a name nobody gave one: the same for the same name (without letter case, as GitHub
 * compares names), different for different ones (an FNV-1a hash, as digits).
 */
function naturalId(name: string): string {
  let hash = 0x811c9dc5;
  for (const c of name.toLowerCase()) {
    hash = Math.imul(hash ^ c.codePointAt(0)!, 0x01000193) >>> 0;
  }
  return String(hash + 1);
}

/**
 * A token's claims, each one it lacks filled in consistently with its subject and the rest: what
 * the subject spells wins, then what was given, then a natural value (GitHub's documentation's
 * examples). The environment is present only where the subject says so or one was given.
 */
export function completeClaims(sub: string, given: GitHubClaims): GitHubClaims {
  const fromSubject = spelled(sub);
  const refInSubject = /^repo:[^:]+:ref:([^:]+)(?::|$)/.exec(sub)?.[1];
  const pullRequest = /^repo:[^:]+:pull_request(?::|$)/.test(sub);
  const environmentInSubject = /^repo:[^:]+:environment:(.+)$/s.exec(sub)?.[1];
  const repository = fromSubject.repository ?? given.repository ?? "octo-org/octo-repo";
  const ref = refInSubject ?? given.ref ?? (pullRequest ? "refs/pull/1/merge" : "refs/heads/main");
  const environment = pullRequest
    ? undefined
    : given.environment !== undefined && given.environment !== ""
      ? given.environment
      : environmentInSubject;
  return {
    ...given,
    repository,
    repository_id: fromSubject.repositoryId ?? given.repository_id ?? naturalId(repository),
    repository_owner_id:
      fromSubject.ownerId ?? given.repository_owner_id ?? naturalId(repository.split("/")[0]),
    ref,
    job_workflow_ref: given.job_workflow_ref ?? `${repository}/.github/workflows/build.yml@${ref}`,
    workflow: given.workflow ?? "build",
    actor: given.actor ?? "octocat",
    actor_id: given.actor_id ?? "583231",
    environment,
    enterprise_id: given.enterprise_id === "" ? undefined : given.enterprise_id,
  };
}

/** The token's repository is `repository` (`owner/name`, without letter case as GitHub compares). */
export function repositoryIs(repository: string): Formula {
  return repositoryHolds(literal(repository, true));
}

/** The token's repository is one of `owner`'s (by name). */
export function ownerIs(owner: string): Formula {
  return repositoryHolds(concat(literal(owner, true), literal("/"), anyString));
}

export function repositoryIdIs(id: string): Formula {
  return repositoryIdHolds(literal(id));
}

export function ownerIdIs(id: string): Formula {
  return ownerIdHolds(literal(id));
}

/** The token's subject spells no repository: a customised template's, which may be anything. */
export const spellsNoRepository: Formula = noRepositorySubject;
