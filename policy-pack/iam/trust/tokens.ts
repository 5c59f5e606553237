/**
 * GitHub Actions' OIDC tokens as IAM sees them, and the languages of subjects the trust judgement
 * asks about. What GitHub guarantees of its tokens narrows what the model searches over
 * (MODEL.md, "The token space"): a subject that starts with `repo:` names the token's repository
 * as GitHub spells repository names (ASCII letters, digits, `-`, and `.`/`_` in names), because
 * the claim holds the repository's own name; every other subject (a customised template's) may
 * be any string.
 */
import { anyChar, anyString, charsOf, concat, Language, literal, plus, union } from "../automaton";
import { and, atom, Formula, mentions, not, or } from "../formula";
import { claimSpace } from "./claims";
import {
  GitHubClaims,
  githubOwnerCharacters,
  githubRepositoryNameCharacters,
  pullRequestContext,
  stsAudience,
} from "../../governance/github";

/** A GitHub token as IAM sees it. */
export interface TrustToken {
  /** The issuer, as in condition keys. */
  readonly issuer: string;
  /** The OIDC provider it comes through. */
  readonly provider: string;
  readonly sub: string;
  readonly aud: string;
  /**
   * Its other claims that STS checks (`repository_id`, `job_workflow_ref`, ...), consistent with
   * `sub`; absent: the token lacks the claim (or, for a token built by hand, the model fills in
   * one consistent with the rest).
   */
  readonly claims?: GitHubClaims;
}

/** The claims the model reads, as the variables of its formulas. */
export type ClaimValues = Readonly<Record<string, string | undefined>>;

const ownerLetters = charsOf(githubOwnerCharacters);
const nameLetters = charsOf(githubRepositoryNameCharacters);
const digits = charsOf("0123456789");

/** `<owner>/<name>` or `<owner>@<id>/<name>@<id>`, as subjects write the repository. */
export const repositoryPart: Language = union(
  [[...plus(ownerLetters), ...literal("/")[0], ...plus(nameLetters)]],
  [
    [
      ...plus(ownerLetters),
      ...literal("@")[0],
      ...plus(digits),
      ...literal("/")[0],
      ...plus(nameLetters),
      ...literal("@")[0],
      ...plus(digits),
    ],
  ],
);

/** The contexts of GitHub's default subject template. */
const contextPart: Language = union(
  concat(literal("ref:refs/heads/"), [plus(anyChar)]),
  concat(literal("ref:refs/tags/"), [plus(anyChar)]),
  concat(literal("environment:"), [plus(anyChar)]),
  literal(pullRequestContext),
);

/** Subjects of GitHub's default template. */
export const validSubject: Language = concat(
  literal("repo:"),
  repositoryPart,
  literal(":"),
  contextPart,
);

/** Subjects of any repository's pull requests. */
export const anyPullRequest: Language = concat(
  literal("repo:"),
  repositoryPart,
  literal(`:${pullRequestContext}`),
  union(literal(""), concat(literal(":"), anyString)),
);

/** Subjects that name one repository, whatever follows (a customised template may add claims). */
export const repositorySubject: Language = concat(
  literal("repo:"),
  repositoryPart,
  literal(":"),
  anyString,
);

const repoPrefix: Language = concat(literal("repo:"), anyString);

/**
 * The subjects GitHub can issue, as far as the model relies on it: never empty; one that starts
 * with `repo:` names a repository; any other is any string.
 */
export const subjectSpace: Formula = and(
  atom("sub", [plus(anyChar)]),
  or(atom("sub", repositorySubject), not(atom("sub", repoPrefix))),
);

// `repo:` is read exactly, as GitHub writes it: `REPO:acme/app:...` names no repository in the
// token space (it may be any customised subject), so it is not taken for acme/app's
// (test/iam/counterexamples.test.ts, Z3's counter-example 1). Owner and name are compared
// without letter case, as GitHub compares them.

/** Subjects of repositories of `owner`. */
export function ownerPrefix(owner: string): Language {
  return concat(
    literal("repo:"),
    literal(owner, true),
    union(literal("/"), literal("@")),
    anyString,
  );
}

/** Subjects of `repository` (`owner/name` or the immutable form), any context. */
export function repositoryPrefix(repository: string): Language {
  return concat(literal("repo:"), literal(`${repository}:`, true), anyString);
}

/** Subjects of `repository`'s pull requests. */
export function pullRequestOf(repository: string): Language {
  return concat(
    literal("repo:"),
    literal(`${repository}:${pullRequestContext}`, true),
    union(literal(""), concat(literal(":"), anyString)),
  );
}

/** The token's audience is STS's. */
export const stsAudienceAtom: Formula = atom("aud", literal(stsAudience));

/** The subject a token gets when nothing else is asked of it: GitHub's documentation's example. */
export const exampleSubject = "repo:octo-org/octo-repo:ref:refs/heads/main";

/**
 * The formula's tokens that GitHub can issue: the subject in the subject space, and every claim
 * it mentions a value of its kind, related to the others as GitHub guarantees (`claims.ts`).
 */
export function inTokenSpace(formula: Formula): Formula {
  return and(
    formula,
    subjectSpace,
    claimSpace((variable) => mentions(formula, variable)),
  );
}

/** Tokens for STS in the token space. */
export function forSts(formula: Formula): Formula {
  return inTokenSpace(and(formula, stsAudienceAtom));
}
