/** The issuer of GitHub Actions' OIDC tokens on github.com. */
export const githubOidcIssuerUrl = "https://token.actions.githubusercontent.com";

/** The audience `aws-actions/configure-aws-credentials` asks GitHub to put in its tokens. */
export const stsAudience = "sts.amazonaws.com";

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

/** The `repo:` part of the subject claim GitHub puts in the repository's tokens. */
export function repositoryClaim(spec: GitHubSubjectSpec): string {
  const [owner, name] = spec.repository.split("/");
  if (spec.ownerId !== undefined && spec.repositoryId !== undefined) {
    return `repo:${owner}@${spec.ownerId}/${name}@${spec.repositoryId}`;
  }
  return `repo:${owner}/${name}`;
}

/**
 * The `sub` values the trust policy admits: one per branch (`:ref:refs/heads/<branch>`), tag
 * (`:ref:refs/tags/<tag>`) and deployment environment (`:environment:<name>`), in that order.
 */
export function githubSubjects(spec: GitHubSubjectSpec): string[] {
  const claim = repositoryClaim(spec);
  return [
    ...spec.branches.map((branch) => `${claim}:ref:refs/heads/${branch}`),
    ...spec.tags.map((tag) => `${claim}:ref:refs/tags/${tag}`),
    ...spec.environments.map((environment) => `${claim}:environment:${environment}`),
  ];
}

/** Whether a subject holds a wildcard the user wrote, and so needs `StringLike`. */
export function isSubjectPattern(subject: string): boolean {
  return subject.includes("*");
}

/**
 * The issuer part of an IAM OIDC provider ARN (`token.actions.githubusercontent.com`, or with
 * an enterprise path), which prefixes the condition keys the provider's tokens set.
 */
export function oidcIssuerFromProviderArn(providerArn: string): string {
  const marker = ":oidc-provider/";
  const at = providerArn.indexOf(marker);
  if (at < 0) {
    throw new Error(`"${providerArn}" is not an IAM OIDC provider ARN`);
  }
  return providerArn.slice(at + marker.length);
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
  const audience = { [`${issuer}:aud`]: stsAudience };
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
        StringEquals: { ...audience, [`${issuer}:sub`]: exact },
      }),
    );
  }
  if (patterns.length > 0) {
    statements.push(
      statement("GitHubActionsSubjectPatterns", {
        StringEquals: audience,
        StringLike: { [`${issuer}:sub`]: patterns },
      }),
    );
  }
  return { Version: "2012-10-17", Statement: statements };
}
