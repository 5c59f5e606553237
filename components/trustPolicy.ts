import {
  conditionKey,
  githubIssuerOfProvider,
  githubOidcIssuerUrl,
  issuerOfProvider,
  stsAudience,
  subjectOf,
} from "../policy-pack/governance/github";

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
 * The push role's trust policy: only `sts:AssumeRoleWithWebIdentity`, only through the given
 * GitHub OIDC provider, only with `aud` = `sts.amazonaws.com`, and only for the given subjects.
 *
 * Exact subjects are matched with `StringEquals`. Subjects with a wildcard get a statement of
 * their own with `StringLike`: conditions in one statement must all hold, so mixing both
 * operators on `sub` in a single statement would admit nothing.
 */
export function githubTrustPolicy(
  providerArn: string,
  subjects: readonly string[],
): PolicyDocument {
  const issuer = oidcIssuerFromProviderArn(providerArn);
  const audience = { [conditionKey(issuer, "aud")]: stsAudience };
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
    statements.push(
      statement("GitHubActionsExactSubjects", {
        StringEquals: { ...audience, [conditionKey(issuer, "sub")]: exact },
      }),
    );
  }
  if (patterns.length > 0) {
    statements.push(
      statement("GitHubActionsSubjectPatterns", {
        StringEquals: audience,
        StringLike: { [conditionKey(issuer, "sub")]: patterns },
      }),
    );
  }
  return { Version: "2012-10-17", Statement: statements };
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
export function trustPolicyLength(providerArn: string, subjects: readonly string[]): number {
  return JSON.stringify(githubTrustPolicy(providerArn, subjects)).length;
}
