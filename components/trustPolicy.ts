import {
  conditionKey,
  githubIssuerOfProvider,
  githubOidcIssuerUrl,
  issuerOfProvider,
  jobWorkflowRef,
  stsAudience,
  subjectOf,
} from "../policy-pack/governance/github";
import { GitHubIds, GitHubTrust, longestGitHubIds } from "./githubTrust";

// The facts of GitHub's OIDC trust are shared with the policy pack (policy-pack/governance).
export { githubOidcIssuerUrl, stsAudience };

/** Who may assume the push role: one GitHub repository, on these refs and environments. */
export interface GitHubSubjectSpec {
  /** `owner/name`. */
  readonly repository: string;
  readonly branches: readonly string[];
  readonly tags: readonly string[];
  readonly environments: readonly string[];
  /** With `repositoryId`: GitHub's immutable subject form, `repo:<owner>@<id>/<name>@<id>`. */
  readonly ownerId?: number;
  readonly repositoryId?: number;
}

/**
 * The `sub` values the trust policy admits: one per branch (`:ref:refs/heads/<branch>`), tag
 * (`:ref:refs/tags/<tag>`) and deployment environment (`:environment:<name>`), in that order.
 */
export function githubSubjects(spec: GitHubSubjectSpec): string[] {
  const [owner, name] = spec.repository.split("/");
  const repository = { owner, name, ownerId: spec.ownerId, repositoryId: spec.repositoryId };
  return [
    ...spec.branches.map((branch) => subjectOf(repository, { kind: "branch", name: branch })),
    ...spec.tags.map((tag) => subjectOf(repository, { kind: "tag", name: tag })),
    ...spec.environments.map((environment) =>
      subjectOf(repository, { kind: "environment", name: environment }),
    ),
  ];
}

/** Whether a subject holds a wildcard the user wrote, and so needs `StringLike`. */
export function isSubjectPattern(subject: string): boolean {
  return subject.includes("*");
}

/**
 * The issuer part of a GitHub OIDC provider's ARN (`token.actions.githubusercontent.com`, or an
 * enterprise's), which prefixes the condition keys the provider's tokens set.
 */
export function oidcIssuerFromProviderArn(providerArn: string): string {
  if (
    !providerArn.includes(":oidc-provider/") ||
    githubIssuerOfProvider(providerArn) === undefined
  ) {
    throw new Error(`"${providerArn}" is not the ARN of a GitHub Actions OIDC provider`);
  }
  return issuerOfProvider(providerArn);
}

export interface PolicyStatement {
  readonly Sid: string;
  readonly Effect: "Allow";
  readonly Principal?: { readonly Federated: string };
  readonly Action: string | readonly string[];
  readonly Resource?: string;
  readonly Condition?: Record<string, Record<string, string | readonly string[]>>;
}

export interface PolicyDocument {
  readonly Version: "2012-10-17";
  readonly Statement: readonly PolicyStatement[];
}

/**
 * What the trust policy pins besides `aud` and `sub`: the repository's and its owner's GitHub
 * ids (`trust: "id"`), and the reusable workflows a job must run (`job_workflow_ref`).
 */
export interface IdentityConditions {
  /** `<issuer>:repository_id` and `<issuer>:repository_owner_id`, compared as strings. */
  readonly ids?: GitHubIds;
  /** `<owner>/<name>/<path>@<ref>` values, one of which the job's `job_workflow_ref` must be. */
  readonly jobWorkflowRefs?: readonly string[];
}

/**
 * The push role's trust policy: only `sts:AssumeRoleWithWebIdentity`, only through the given
 * GitHub OIDC provider, only with `aud` = `sts.amazonaws.com`, only for the given subjects, and
 * (when given) only for the repository with these ids and for jobs running these workflows.
 *
 * Exact subjects are matched with `StringEquals`. Subjects with a wildcard get a statement of
 * their own with `StringLike`: conditions in one statement must all hold, so mixing both
 * operators on `sub` in a single statement would admit nothing. For the same reason the
 * `job_workflow_ref` values are all matched with `StringLike` when one of them is a pattern (an
 * exact value, which holds no `*` and no `?`, matches itself alone there too). Without
 * conditions the policy is the one the pipeline has always made, byte for byte.
 */
export function githubTrustPolicy(
  providerArn: string,
  subjects: readonly string[],
  conditions: IdentityConditions = {},
): PolicyDocument {
  const issuer = oidcIssuerFromProviderArn(providerArn);
  const key = (claim: Parameters<typeof conditionKey>[1]) => conditionKey(issuer, claim);
  const refs = conditions.jobWorkflowRefs ?? [];
  const refsArePatterns = refs.some(isSubjectPattern);
  const exactConditions = {
    [key("aud")]: stsAudience,
    ...(conditions.ids && {
      [key("repository_id")]: String(conditions.ids.repositoryId),
      [key("repository_owner_id")]: String(conditions.ids.ownerId),
    }),
    ...(refs.length > 0 && !refsArePatterns && { [key("job_workflow_ref")]: refs }),
  };
  const patternConditions = refsArePatterns ? { [key("job_workflow_ref")]: refs } : {};
  const exact = subjects.filter((subject) => !isSubjectPattern(subject));
  const patterns = subjects.filter(isSubjectPattern);
  const statement = (sid: string, condition: PolicyStatement["Condition"]): PolicyStatement => ({
    Sid: sid,
    Effect: "Allow",
    Principal: { Federated: providerArn },
    Action: "sts:AssumeRoleWithWebIdentity",
    Condition: condition,
  });
  const statements: PolicyStatement[] = [];
  if (exact.length > 0) {
    const [first, ...rest] = Object.entries(exactConditions);
    statements.push(
      statement("GitHubActionsExactSubjects", {
        // `aud` first, then `sub`, then the rest: the order the pipeline has always written.
        StringEquals: Object.fromEntries([first, [key("sub"), exact], ...rest]),
        ...(refsArePatterns && { StringLike: patternConditions }),
      }),
    );
  }
  if (patterns.length > 0) {
    statements.push(
      statement("GitHubActionsSubjectPatterns", {
        StringEquals: exactConditions,
        StringLike: { [key("sub")]: patterns, ...patternConditions },
      }),
    );
  }
  return { Version: "2012-10-17", Statement: statements };
}

/** The GitHub settings the trust policy is made from (resolved, see `pipelineSettings.ts`). */
export interface PipelineTrustSpec {
  /** `owner/name`. */
  readonly repository: string;
  readonly branches: readonly string[];
  readonly tags: readonly string[];
  readonly environments: readonly string[];
  readonly trust: GitHubTrust;
  readonly workflows: readonly {
    readonly repository: string;
    readonly path: string;
    readonly ref: string;
  }[];
}

/** A trust policy's inputs besides the provider: its subjects and its other conditions. */
export interface PipelineTrust {
  readonly subjects: readonly string[];
  readonly conditions: IdentityConditions;
}

/**
 * The subjects and conditions of a pipeline's trust policy, given the repository's ids (given
 * by hand, or looked up; `undefined` when there are none).
 *
 * - `trust: "name"`: the subjects as they always were (the immutable form when ids are given),
 *   and no id conditions.
 * - `trust: "id"`: `repository_id` and `repository_owner_id`, and every subject in both forms,
 *   the name form first; without ids (not yet looked up), the name form only.
 *
 * Either way, the reusable workflows become `job_workflow_ref` values.
 */
export function pipelineTrust(spec: PipelineTrustSpec, ids: GitHubIds | undefined): PipelineTrust {
  const refs = { branches: spec.branches, tags: spec.tags, environments: spec.environments };
  const jobWorkflowRefs = [
    ...new Set(spec.workflows.map((w) => jobWorkflowRef(w.repository, w.path, w.ref))),
  ];
  const workflowConditions = jobWorkflowRefs.length > 0 ? { jobWorkflowRefs } : {};
  if (spec.trust === "name") {
    return {
      subjects: githubSubjects({ repository: spec.repository, ...refs, ...ids }),
      conditions: workflowConditions,
    };
  }
  const byName = githubSubjects({ repository: spec.repository, ...refs });
  return {
    subjects: ids
      ? [...byName, ...githubSubjects({ repository: spec.repository, ...refs, ...ids })]
      : byName,
    conditions: { ...(ids && { ids }), ...workflowConditions },
  };
}

/**
 * The inputs of the longest trust policy a pipeline could make: with `trust: "id"` and no ids
 * given, the ids are only known at deploy time, and are measured as long as any could be.
 */
export function longestPipelineTrust(
  spec: PipelineTrustSpec,
  ids: GitHubIds | undefined,
): PipelineTrust {
  return pipelineTrust(spec, ids ?? (spec.trust === "id" ? longestGitHubIds : undefined));
}

/** IAM's default quota on the length of a role's trust policy ("Role trust policy length"). */
export const defaultTrustPolicyMaxLength = 2048;
/** The highest that quota can be raised to. */
export const trustPolicyLengthQuotaMaximum = 8192;

/**
 * A provider ARN as long as any the trust policy could name, for measuring a policy whose
 * provider ARN is only known later: the longest partition, on github.com's issuer.
 */
export const longestGitHubProviderArn = `arn:aws-us-gov:iam::123456789012:oidc-provider/token.actions.githubusercontent.com`;

/** The length IAM counts of a trust policy: its JSON without whitespace, as the pipeline sends it. */
export function trustPolicyLength(
  providerArn: string,
  subjects: readonly string[],
  conditions: IdentityConditions = {},
): number {
  return JSON.stringify(githubTrustPolicy(providerArn, subjects, conditions)).length;
}
