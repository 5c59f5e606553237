/**
 * The events that start GitHub Actions workflows, each with what the tokens of its runs name as
 * their context, and what a role that admits them should know. From GitHub's documentation:
 *
 * - the events and each one's `GITHUB_REF`, the ref its runs run on:
 *   https://docs.github.com/en/actions/reference/workflows-and-actions/events-that-trigger-workflows
 * - how the default `sub` is built from it: the job's environment when it names one; else
 *   `pull_request` "when the workflow is triggered by a pull request event"; else the ref
 *   (https://docs.github.com/en/actions/reference/security/oidc#example-subject-claims).
 *
 * "A pull request event" is read as an event whose runs run on the pull request's merge ref
 * (`refs/pull/<n>/merge`, no branch or tag to name): `pull_request`, `pull_request_review` and
 * `pull_request_review_comment`. `pull_request_target` runs on a branch, and its tokens name that
 * branch (observed: kyma-project/test-infra#9976, a `pull_request_target` token with `ref`
 * `refs/heads/main`): that is what makes it dangerous. On github.com it runs the default branch's
 * workflow (GitHub Enterprise Server before 3.20: the pull request's base branch's).
 *
 * An event missing here is refused by name, with the nearest ones: `explain` never guesses what
 * a run it does not know would be given.
 */

/** What the runs of an event run on, which is what their tokens name (without an environment). */
export type EventRef =
  /** The branch or tag the event is about (pushed, dispatched, released): the run's own. */
  | "ref"
  /** The pull request's merge ref: the token's context is `pull_request`. */
  | "pull request"
  /** The latest commit of the default branch: the token names the default branch. */
  | "default branch"
  /** `workflow_call`: the caller's run, whose event decides. */
  | "caller";

export interface GitHubEvent {
  readonly ref: EventRef;
  /** For `ref` events, the kinds of ref its runs can have. */
  readonly refKinds?: readonly ("branch" | "tag")[];
  /** What a role that admits its runs must keep in mind, when more than the ref's trust. */
  readonly risk?: string;
}

const onDefault: GitHubEvent = { ref: "default branch" };
const onPullRequest: GitHubEvent = { ref: "pull request" };
const branchOrTag: GitHubEvent = { ref: "ref", refKinds: ["branch", "tag"] };

/** Text anyone can write (issues, comments, discussions) starts these: a job must not run it. */
const untrustedText =
  "anyone who can open an issue or comment starts it: in a job that assumes the role, never put the event's text (titles, bodies, comments) in a command, and never check out a pull request's code";

const pullRequestTargetRisk =
  "it runs for pull requests from forks too, with the branch's secrets and the role: a job that checks out the pull request's code and builds or runs it gives code nobody reviewed the branch's trust; never do that in a job that assumes the role (build pull requests with on: pull_request, which the role refuses)";

/** Every workflow trigger event GitHub documents, in the documentation's order. */
export const githubEvents: Readonly<Record<string, GitHubEvent>> = {
  branch_protection_rule: onDefault,
  check_run: onDefault,
  check_suite: onDefault,
  create: branchOrTag,
  delete: onDefault,
  deployment: branchOrTag,
  deployment_status: branchOrTag,
  discussion: { ...onDefault, risk: untrustedText },
  discussion_comment: { ...onDefault, risk: untrustedText },
  fork: onDefault,
  gollum: onDefault,
  image_version: onDefault,
  issue_comment: { ...onDefault, risk: untrustedText },
  issues: { ...onDefault, risk: untrustedText },
  label: onDefault,
  // The merge queue's temporary branch, gh-readonly-queue/<base>/pr-<n>-<sha>.
  merge_group: { ref: "ref", refKinds: ["branch"] },
  milestone: onDefault,
  page_build: onDefault,
  project: onDefault,
  project_card: onDefault,
  project_column: onDefault,
  public: onDefault,
  pull_request: onPullRequest,
  pull_request_review: onPullRequest,
  pull_request_review_comment: onPullRequest,
  pull_request_target: { ...onDefault, risk: pullRequestTargetRisk },
  push: branchOrTag,
  registry_package: branchOrTag,
  release: { ref: "ref", refKinds: ["tag"] },
  repository_dispatch: onDefault,
  schedule: onDefault,
  status: onDefault,
  watch: onDefault,
  workflow_call: { ref: "caller" },
  workflow_dispatch: branchOrTag,
  workflow_run: {
    ...onDefault,
    risk: "it runs with secrets and the role after another workflow, which may have run a pull request's code: never trust what that run left (artifacts, caches, outputs) in a job that assumes the role",
  },
};

/** Names people give for events that are not, with the event meant. */
export const notEvents: Readonly<Record<string, string>> = {
  pull_request_comment:
    "a comment on a pull request starts issue_comment (or pull_request_review_comment, on its diff)",
};

/** The event of a name, when GitHub has one of that name. */
export function githubEvent(name: string): GitHubEvent | undefined {
  return Object.hasOwn(githubEvents, name) ? githubEvents[name] : undefined;
}
