/**
 * How the push role recognises the app repository's GitHub Actions runs: by the repository's
 * name, or by GitHub's numeric ids of the repository and its owner. Plain data, without the
 * Pulumi SDK: the checks, the CLI and the trust policy read it.
 */

/** What the push role's trust policy pins the app repository by. */
export const GitHubTrust = {
  /**
   * The repository's name, in `sub` only (`repo:<owner>/<name>:...`), as the Terraform module
   * this pipeline replaces does: a repository deleted and created again, or another one renamed
   * to the name, is trusted too.
   */
  Name: "name",
  /**
   * GitHub's ids of the repository and of its owner (`repository_id`, `repository_owner_id`),
   * beside `sub` in both of its forms: only that one repository, whatever it is called later.
   */
  Id: "id",
} as const;

export type GitHubTrust = (typeof GitHubTrust)[keyof typeof GitHubTrust];

/** The trust settings, in the order the error messages list them. */
export const githubTrusts: readonly GitHubTrust[] = Object.freeze(Object.values(GitHubTrust));

export function isGitHubTrust(value: unknown): value is GitHubTrust {
  return typeof value === "string" && (githubTrusts as readonly string[]).includes(value);
}

/** GitHub's numeric ids of a repository and of its owner (a user or an organisation). */
export interface GitHubIds {
  readonly ownerId: number;
  readonly repositoryId: number;
}

/**
 * The largest id IAM could be asked to compare, for measuring a trust policy whose ids are only
 * looked up at deploy time: JavaScript's largest exact integer, longer than any id GitHub gives.
 */
export const longestGitHubIds: GitHubIds = Object.freeze({
  ownerId: Number.MAX_SAFE_INTEGER,
  repositoryId: Number.MAX_SAFE_INTEGER,
});

/** Where reusable workflows live: GitHub runs them from this directory only, not below it. */
export const reusableWorkflowDirectory = ".github/workflows/";

/** A commit SHA as GitHub writes it in `job_workflow_ref`: 40 lower-case hex digits. */
export const commitShaPattern = /^[0-9a-f]{40}$/;
