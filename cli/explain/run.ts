import { problem, Problem } from "../../components/problems";
import { didYouMeanText } from "../core/suggest";
import {
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
