import { problem, Problem } from "../../components/problems";
import {
  isGitHubRepository,
  SubjectContext,
  SubjectRepository,
  subjectOf,
} from "../../policy-pack/governance/github";

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

/** The events whose tokens carry `pull_request` instead of the ref (when no environment is named). */
export const pullRequestEvent = "pull_request";

/** The event that runs the base branch's workflow for a pull request, with its secrets. */
export const pullRequestTargetEvent = "pull_request_target";

/**
 * The context GitHub's default subject template gives a run: the job's environment when it
 * names one (whatever the event), `pull_request` for a pull request, else its ref.
 */
export function runContext(run: WorkflowRun): SubjectContext {
  if (run.environment !== undefined) {
    return { kind: "environment", name: run.environment };
  }
  if (run.event === pullRequestEvent) {
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
  if (run.event !== undefined && !/^[a-z_]+$/.test(run.event)) {
    problems.push(
      problem(
        "--event",
        run.event,
        "must be a GitHub Actions event name, e.g. push, pull_request, workflow_dispatch",
      ),
    );
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
