import { isGitHubRepository } from "../../policy-pack/governance/github";
import { defaultGitHubTrust } from "../defaults";
import { refNameCheck } from "../formats";
import {
  commitShaPattern,
  GitHubTrust,
  githubTrusts,
  isGitHubTrust,
  reusableWorkflowDirectory,
} from "../githubTrust";
import { ReusableWorkflow } from "../pipelineArgs";
import {
  Checked,
  checked,
  Fields,
  fieldNames,
  isPlainObject,
  Problem,
  problem,
  unknownKeys,
} from "../problems";

/** The key list of its interface, tied to it by the compiler. */
export const reusableWorkflowFields = {
  repository: true,
  path: true,
  ref: true,
} as const satisfies Fields<ReusableWorkflow>;

/** How the trust policy pins the repository, and the reusable workflows it admits, resolved. */
export interface ResolvedTrust {
  readonly trust: GitHubTrust;
  readonly workflows: readonly ReusableWorkflow[];
}

/** A workflow file name: letters, digits and `. _ -` (no `*`, `?` or `$`, which IAM reads). */
const workflowFileName = /^[A-Za-z0-9_.-]+\.ya?ml$/;

/**
 * `github.trust` and `github.workflows`, checked and resolved: the trust one of the settings,
 * and every workflow a repository, a file GitHub runs reusable workflows from, and a ref that a
 * job's `job_workflow_ref` can carry. Each refusal is a setting that would lock the app out
 * (no job could assume the role), or admit more than meant.
 */
export function checkTrust(github: Record<string, unknown>): Checked<ResolvedTrust> {
  const problems: Problem[] = [];
  if (github.trust !== undefined && !isGitHubTrust(github.trust)) {
    problems.push(
      problem(
        "github.trust",
        github.trust,
        `must be one of ${githubTrusts.map((t) => `"${t}"`).join(", ")}: "name" trusts the repository by its name (the default), "id" by GitHub's ids of it and its owner`,
      ),
    );
  }
  problems.push(...workflowsProblems(github.workflows));
  return checked(problems, () => ({
    trust: (github.trust as GitHubTrust | undefined) ?? defaultGitHubTrust,
    workflows: uniqueWorkflows((github.workflows as ReusableWorkflow[] | undefined) ?? []),
  }));
}

function workflowsProblems(workflows: unknown): Problem[] {
  const field = "github.workflows";
  if (workflows === undefined) {
    return [];
  }
  if (!Array.isArray(workflows)) {
    return [
      problem(
        field,
        workflows,
        'must be a list of reusable workflows, each { repository: "owner/name", path: ".github/workflows/<file>.yml", ref: "refs/heads/main" }',
      ),
    ];
  }
  if (workflows.length === 0) {
    return [
      problem(
        field,
        workflows,
        "must name at least one reusable workflow: an empty list admits no job, so nothing could push; leave github.workflows out to admit any workflow of the trusted runs",
      ),
    ];
  }
  return workflows.flatMap((workflow, i) => workflowProblems(`${field}[${i}]`, workflow));
}

function workflowProblems(field: string, workflow: unknown): Problem[] {
  if (!isPlainObject(workflow)) {
    return [
      problem(
        field,
        workflow,
        `must be an object with ${fieldNames(reusableWorkflowFields).join(", ")}`,
      ),
    ];
  }
  const problems = unknownKeys(field, workflow, fieldNames(reusableWorkflowFields));
  const { repository, path, ref } = workflow;
  if (typeof repository !== "string" || !isGitHubRepository(repository)) {
    problems.push(
      problem(
        `${field}.repository`,
        repository,
        'must be the repository holding the workflow, as "owner/name" (no wildcards), e.g. "acme/platform-workflows"',
      ),
    );
  }
  const pathIssue = workflowPathProblem(`${field}.path`, path);
  if (pathIssue) {
    problems.push(pathIssue);
  }
  const refIssue = workflowRefProblem(`${field}.ref`, ref);
  if (refIssue) {
    problems.push(refIssue);
  }
  return problems;
}

/** A reusable workflow's file: directly in `.github/workflows/`, ending `.yml` or `.yaml`. */
function workflowPathProblem(field: string, path: unknown): Problem | undefined {
  const file = typeof path === "string" ? path.slice(reusableWorkflowDirectory.length) : "";
  if (
    typeof path !== "string" ||
    !path.startsWith(reusableWorkflowDirectory) ||
    !workflowFileName.test(file)
  ) {
    return problem(
      field,
      path,
      `must be a workflow file directly in ${reusableWorkflowDirectory} (GitHub runs reusable workflows from there only, not from a directory below it), a name of letters, digits and . _ - ending .yml or .yaml, e.g. "${reusableWorkflowDirectory}build-push.yml"`,
    );
  }
  return undefined;
}

/**
 * A reusable workflow's ref as GitHub writes it in `job_workflow_ref`: the full branch or tag
 * ref (patterns allowed in the name, as for `github.branches`), or a full commit SHA.
 */
function workflowRefProblem(field: string, ref: unknown): Problem | undefined {
  const allowed =
    'must be the ref the workflow is called at, as GitHub writes it in job_workflow_ref: "refs/heads/<branch>", "refs/tags/<tag>" (either may hold * patterns) or a full 40-digit lower-case commit SHA; anything else matches no job, e.g. "refs/heads/main", "refs/tags/v1" or "refs/tags/v1.*"';
  if (typeof ref !== "string") {
    return problem(field, ref, allowed);
  }
  const kind = ref.startsWith("refs/heads/")
    ? "branch"
    : ref.startsWith("refs/tags/")
      ? "tag"
      : undefined;
  if (kind === undefined) {
    if (commitShaPattern.test(ref)) {
      return undefined;
    }
    const shaLike = /^[0-9a-fA-F*]+$/.test(ref);
    return problem(
      field,
      ref,
      shaLike
        ? "must be a full 40-digit lower-case commit SHA, without patterns: GitHub writes the SHA the workflow is called at in full, so a short, upper-case or pattern SHA matches no job"
        : allowed,
    );
  }
  const name = ref.slice(kind === "branch" ? "refs/heads/".length : "refs/tags/".length);
  const nameIssue = refNameCheck(kind)(name, field);
  // The name's check words what is wrong with it; the problem names the whole ref.
  const reason = nameIssue?.message.slice(nameIssue.message.indexOf("; must be ") + 2);
  return reason === undefined ? undefined : problem(field, ref, reason);
}

/** The workflows, each once, in the order given. */
function uniqueWorkflows(workflows: readonly ReusableWorkflow[]): ReusableWorkflow[] {
  const seen = new Set<string>();
  return workflows
    .map(({ repository, path, ref }) => ({ repository, path, ref }))
    .filter((w) => {
      const key = `${w.repository}/${w.path}@${w.ref}`;
      return !seen.has(key) && (seen.add(key), true);
    });
}
