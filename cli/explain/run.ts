import { problem, Problem } from "../../components/problems";
import { didYouMeanText } from "../core/suggest";
import {
  GitHubClaimKey,
  GitHubClaims,
  githubOwnerPattern,
  isGitHubRepository,
  SubjectContext,
  SubjectRepository,
  subjectOf,
} from "../../policy-pack/governance/github";
import { githubEvent, githubEvents, notEvents } from "./events";

/** A GitHub Actions run, as `explain` is told of it. */
export interface WorkflowRun {
  /** `owner/name`: where the workflow runs (a fork, say, or the app's repository). */
  readonly repository: string;
  /** The event that started it: `push`, `pull_request`, `workflow_dispatch`, ... */
  readonly event: string;
  /** The branch or tag it runs on, when given. */
  readonly ref?: { readonly kind: "branch" | "tag"; readonly name: string };
  /** The deployment environment its job names, when it names one. */
  readonly environment?: string;
  /**
   * Claims of its token the user gave (`--repository-id`, `--workflow-ref`, ...): the model
   * decides the token with them; a claim not given gets the app's (its ids, when configured) or
   * one consistent with the rest.
   */
  readonly claims?: GitHubClaims;
}

/** A `sub` GitHub would put in the run's token, and the form it is in. */
export interface RunSubject {
  readonly form: "name" | "immutable id";
  readonly sub: string;
}

/**
 * The event whose tokens carry `pull_request` instead of the ref (when no environment is named);
 * `pull_request_review` and `pull_request_review_comment` do too (`events.ts`).
 */
export const pullRequestEvent = "pull_request";

/** The event that runs the base branch's workflow for a pull request, with its secrets. */
export const pullRequestTargetEvent = "pull_request_target";

/**
 * The context GitHub's default subject template gives a run: the job's environment when it
 * names one (whatever the event), `pull_request` for an event that runs on a pull request's
 * merge ref, else its ref (for events that run on the default branch, that branch).
 */
export function runContext(run: WorkflowRun): SubjectContext {
  if (run.environment !== undefined) {
    return { kind: "environment", name: run.environment };
  }
  if (githubEvent(run.event)?.ref === "pull request") {
    return { kind: "pull_request" };
  }
  return run.ref!;
}

/**
 * The subjects of the run's token: the name form, and the immutable-id form when the
 * repository's ids are known (GitHub issues that form to repositories that use immutable subject
 * claims).
 */
export function runSubjects(
  run: WorkflowRun,
  ids?: { readonly ownerId: number; readonly repositoryId: number },
): RunSubject[] {
  const [owner, name] = run.repository.split("/");
  const context = runContext(run);
  const repository: SubjectRepository = { owner, name };
  return [
    { form: "name", sub: subjectOf(repository, context) },
    ...(ids
      ? [{ form: "immutable id" as const, sub: subjectOf({ ...repository, ...ids }, context) }]
      : []),
  ];
}

/** A ref as the user gives it: `refs/heads/<branch>`, `refs/tags/<tag>`, or a bare branch name. */
export function parseRef(option: string, value: string): WorkflowRun["ref"] | Problem {
  const match = /^refs\/(heads|tags)\/(.+)$/.exec(value);
  const ref = match
    ? { kind: match[1] === "heads" ? ("branch" as const) : ("tag" as const), name: match[2] }
    : value.startsWith("refs/")
      ? undefined
      : { kind: "branch" as const, name: value };
  if (ref === undefined || ref.name === "" || /[\s:]/.test(ref.name)) {
    return problem(
      option,
      value,
      "must be a branch or tag ref, e.g. refs/heads/main or refs/tags/v1.2.0 (a bare name is a branch)",
    );
  }
  return ref;
}

/** Problems with a run's description, named by option. */
export function runProblems(run: Partial<WorkflowRun>): Problem[] {
  const problems: Problem[] = [];
  if (run.repository !== undefined && !isGitHubRepository(run.repository)) {
    problems.push(
      problem("--repository", run.repository, 'must be a GitHub repository, "owner/name"'),
    );
  }
  const eventProblem = run.event === undefined ? undefined : unknownEventProblem(run.event);
  if (eventProblem !== undefined) {
    problems.push(eventProblem);
  }
  if (
    run.environment !== undefined &&
    (run.environment.trim() === "" || /[\n\r]/.test(run.environment))
  ) {
    problems.push(
      problem("--environment", run.environment, "must be a deployment environment's name"),
    );
  }
  return problems;
}

/**
 * Why `event` names no event a run's token can come from, or undefined: an event GitHub does not
 * document (with the nearest ones), or `workflow_call`, whose token is its caller's.
 */
function unknownEventProblem(event: string): Problem | undefined {
  const known = githubEvent(event);
  if (known?.ref === "caller") {
    return problem(
      "--event",
      event,
      "must be the event that started the calling workflow: a called (reusable) workflow's token is its caller's, with the caller's subject",
    );
  }
  if (known !== undefined) {
    return undefined;
  }
  if (Object.hasOwn(notEvents, event)) {
    return problem(
      "--event",
      event,
      `must be a GitHub Actions event, which this is not: ${notEvents[event]}`,
    );
  }
  return problem(
    "--event",
    event,
    `must be an event that starts GitHub Actions workflows, e.g. push, pull_request, workflow_dispatch${didYouMeanText(event, Object.keys(githubEvents))}`,
  );
}

/**
 * What is missing or wrong in the ref of a run of `event` (an event {@link runProblems} knows):
 * a run the token of which names its ref needs one (or an environment, which the token names
 * instead); a release runs on a tag, the merge queue on a branch, and an event that runs on the
 * default branch on that branch, never a tag. `field` is the option the ref came from.
 */
export function refProblems(
  event: string,
  ref: WorkflowRun["ref"] | undefined,
  environment: string | undefined,
  field: "--ref" | "--tag" = "--ref",
): Problem[] {
  const known = githubEvent(event);
  if (known === undefined || known.ref === "pull request" || known.ref === "caller") {
    return [];
  }
  const onDefault = known.ref === "default branch";
  const kinds = known.refKinds ?? ["branch"];
  if (ref === undefined && environment === undefined) {
    const options = [
      ...(kinds.includes("branch")
        ? [`--ref refs/heads/<${onDefault ? "default branch" : "branch"}>`]
        : []),
      ...(kinds.includes("tag") ? ["--tag <tag>"] : []),
      "--environment <environment>",
    ];
    const names = onDefault ? "the default branch, which it runs on" : "its ref";
    return [
      {
        field: "--ref",
        message: `a ${event} run's token names ${names}: give ${options.slice(0, -1).join(", ")} or ${options[options.length - 1]}`,
      },
    ];
  }
  if (ref === undefined) {
    return [];
  }
  if (!kinds.includes(ref.kind)) {
    const refName = `refs/${ref.kind === "branch" ? "heads" : "tags"}/${ref.name}`;
    const runsOn = onDefault
      ? "the default branch, never a tag: give --ref refs/heads/<default branch>"
      : kinds[0] === "tag"
        ? "its tag: give --tag <tag>"
        : "a branch: give --ref refs/heads/<branch>";
    return [
      problem(field, field === "--tag" ? ref.name : refName, `a ${event} run runs on ${runsOn}`),
    ];
  }
  return [];
}

/** One of explain's options that gives a claim of the run's token. */
export interface ClaimOption {
  readonly claim: GitHubClaimKey;
  /** What the value is, as the help shows it. */
  readonly value: string;
  readonly help: string;
  /** What the value must be, when it is not: `must be ...`. */
  readonly allowed: string;
  readonly valid: (value: string) => boolean;
}

/** A GitHub numeric id: a positive whole number, as the token's claims write it. */
const numericId = (value: string) => /^[1-9][0-9]{0,14}$/.test(value);

/** A GitHub login, or an app's bot (`dependabot[bot]`). */
const login = (value: string) => githubOwnerPattern.test(value.replace(/\[bot\]$/, ""));

/**
 * `<owner>/<name>/.github/workflows/<file>.yml@<ref>`: GitHub runs reusable workflows from that
 * directory only, and writes the full ref (`refs/heads/...`, `refs/tags/...`) or commit SHA.
 */
function workflowRef(value: string): boolean {
  const match = /^([^/@\s]+)\/([^/@\s]+)\/\.github\/workflows\/([^/@\s]+\.ya?ml)@(.+)$/.exec(value);
  return (
    match !== null &&
    isGitHubRepository(`${match[1]}/${match[2]}`) &&
    (/^refs\/(heads|tags)\/[^\s:]+$/.test(match[4]) || /^[0-9a-f]{40}$/.test(match[4]))
  );
}

/** explain's options for claims of the run's token, by option name. */
export const claimOptions: Readonly<Record<string, ClaimOption>> = {
  "repository-id": {
    claim: "repository_id",
    value: "<id>",
    help: "The repository's numeric GitHub id (repository_id); with --owner-id, the token's sub is the immutable form. Default: the app's github.repositoryId.",
    allowed:
      "must be the repository's numeric GitHub id, e.g. 98765 (gh api repos/<owner>/<name> --jq .id)",
    valid: numericId,
  },
  "owner-id": {
    claim: "repository_owner_id",
    value: "<id>",
    help: "The repository owner's numeric GitHub id (repository_owner_id). Default: the app's github.ownerId.",
    allowed:
      "must be the owner's numeric GitHub id, e.g. 1234 (gh api repos/<owner>/<name> --jq .owner.id)",
    valid: numericId,
  },
  "workflow-ref": {
    claim: "job_workflow_ref",
    value: "<owner/name/path@ref>",
    help: "The reusable workflow the job runs (job_workflow_ref), e.g. acme/workflows/.github/workflows/build.yml@refs/tags/v1.",
    allowed:
      "must be <owner>/<name>/.github/workflows/<file>.yml@<ref>, the ref refs/heads/<branch>, refs/tags/<tag> or a full commit SHA, e.g. acme/workflows/.github/workflows/build.yml@refs/tags/v1",
    valid: workflowRef,
  },
  workflow: {
    claim: "workflow",
    value: "<name>",
    help: "The workflow's name (workflow).",
    allowed: "must be the workflow's name, on one line",
    valid: (value) => value.trim() !== "" && !/[\n\r]/.test(value),
  },
  actor: {
    claim: "actor",
    value: "<login>",
    help: "Who started the run (actor): a GitHub login, or an app's bot, e.g. dependabot[bot].",
    allowed: "must be a GitHub login, e.g. octocat or dependabot[bot]",
    valid: login,
  },
  "actor-id": {
    claim: "actor_id",
    value: "<id>",
    help: "The numeric GitHub id of who started the run (actor_id).",
    allowed: "must be a numeric GitHub id, e.g. 583231",
    valid: numericId,
  },
  "enterprise-id": {
    claim: "enterprise_id",
    value: "<id>",
    help: "The numeric id of the GitHub enterprise the repository belongs to (enterprise_id).",
    allowed: "must be a numeric GitHub id, e.g. 1234",
    valid: numericId,
  },
};

/** The claims given on the command line (by option name), or every problem with them. */
export function readClaims(given: Readonly<Record<string, unknown>>): {
  claims: GitHubClaims;
  problems: Problem[];
} {
  const claims: Partial<Record<GitHubClaimKey, string>> = {};
  const problems: Problem[] = [];
  for (const [option, spec] of Object.entries(claimOptions)) {
    const value = given[option];
    if (value === undefined) {
      continue;
    }
    if (spec.valid(String(value))) {
      claims[spec.claim] = String(value);
    } else {
      problems.push(problem(`--${option}`, String(value), spec.allowed));
    }
  }
  if ((given["repository-id"] === undefined) !== (given["owner-id"] === undefined)) {
    const missing = given["repository-id"] === undefined ? "--repository-id" : "--owner-id";
    problems.push({
      field: missing,
      message: `${missing} is missing: --repository-id and --owner-id go together, as the immutable subject (repo:<owner>@<ownerId>/<name>@<repositoryId>:...) names both`,
    });
  }
  return { claims, problems };
}

/** The ids the claims give, when they give both. */
export function idsOfClaims(
  claims: GitHubClaims | undefined,
): { readonly ownerId: number; readonly repositoryId: number } | undefined {
  return claims?.repository_id !== undefined && claims.repository_owner_id !== undefined
    ? { ownerId: Number(claims.repository_owner_id), repositoryId: Number(claims.repository_id) }
    : undefined;
}
