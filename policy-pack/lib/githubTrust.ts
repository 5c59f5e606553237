import {
  isAllow,
  grantsAction,
  ParsedDocument,
  restrictingStringOperators,
  Statement,
} from "./iamDocument";

/**
 * GitHub Actions' OIDC issuers: github.com's (with an optional enterprise path, as GitHub
 * Enterprise Cloud issues it) and GitHub Enterprise Cloud with data residency (`*.ghe.com`).
 */
const githubIssuerPattern =
  /^(?:token\.actions\.githubusercontent\.com(?:\/[^:/]+)?|token\.actions\.[a-z0-9-]+\.ghe\.com)$/i;

export const stsAudience = "sts.amazonaws.com";

/** The issuer of a federated principal (an IAM OIDC provider ARN or a bare issuer), if GitHub's. */
export function githubIssuer(federated: string): string | undefined {
  const marker = ":oidc-provider/";
  const at = federated.indexOf(marker);
  const issuer = at >= 0 ? federated.slice(at + marker.length) : federated;
  return githubIssuerPattern.test(issuer) ? issuer.toLowerCase() : undefined;
}

function isGitHubConditionKey(key: string, claim: "sub" | "aud"): boolean {
  return key.endsWith(`:${claim}`) && githubIssuer(key.slice(0, -claim.length - 1)) !== undefined;
}

/**
 * Whether a trust policy statement lets GitHub Actions tokens in: an Allow for
 * `sts:AssumeRoleWithWebIdentity` whose principal is a GitHub OIDC provider, or any principal
 * with conditions on GitHub's claims.
 */
export function isGitHubTrustStatement(statement: Statement): boolean {
  if (!isAllow(statement) || !grantsAction(statement, "sts:AssumeRoleWithWebIdentity")) {
    return false;
  }
  const { principal } = statement;
  if (principal === "*" || (principal !== undefined && (principal.aws ?? []).includes("*"))) {
    return statement.conditions.some(
      (c) => isGitHubConditionKey(c.key, "sub") || isGitHubConditionKey(c.key, "aud"),
    );
  }
  return (principal?.federated ?? []).some((federated) => githubIssuer(federated) !== undefined);
}

/** Whether a trust policy document lets GitHub Actions tokens assume the role. */
export function trustsGitHub(document: ParsedDocument): boolean {
  return "statements" in document && document.statements.some(isGitHubTrustStatement);
}

export type SubjectVerdict =
  | { readonly kind: "one-repository" }
  | { readonly kind: "whole-repository" }
  | { readonly kind: "refused"; readonly reason: string };

const repositoryPart = /^[A-Za-z0-9-]+(?:@\d+)?\/[A-Za-z0-9._-]+(?:@\d+)?$/;

/**
 * What a `sub` value admits. It must name one repository: `repo:<owner>/<name>:...` or GitHub's
 * immutable `repo:<owner>@<id>/<name>@<id>:...`, with no wildcard in the repository part. A
 * context that starts with a wildcard (`repo:<owner>/<name>:*`) admits every workflow run of
 * that repository, pull requests included.
 */
export function classifySubject(value: string): SubjectVerdict {
  if (!value.startsWith("repo:")) {
    return {
      kind: "refused",
      reason: 'does not start with "repo:", so it does not name a repository',
    };
  }
  const rest = value.slice("repo:".length);
  const colon = rest.indexOf(":");
  const repository = colon < 0 ? rest : rest.slice(0, colon);
  const context = colon < 0 ? "" : rest.slice(colon + 1);
  if (/[*?]/.test(repository)) {
    if (/^[*?]+$/.test(repository)) {
      return { kind: "refused", reason: "matches every repository on GitHub" };
    }
    const ownerWide = /^([^/*?]+)\/[*?]+$/.exec(repository);
    if (ownerWide) {
      return { kind: "refused", reason: `matches every repository of owner "${ownerWide[1]}"` };
    }
    return { kind: "refused", reason: `has a wildcard in its repository part "${repository}"` };
  }
  if (!repositoryPart.test(repository)) {
    return {
      kind: "refused",
      reason: `does not name a repository as "owner/name" ("${repository}")`,
    };
  }
  if (/^[*?]/.test(context)) {
    return { kind: "whole-repository" };
  }
  return { kind: "one-repository" };
}

export interface TrustFinding {
  readonly statement: string;
  /** What is wrong, as a clause: `allows sub "repo:*", which matches every repository on GitHub`. */
  readonly problem: string;
}

/**
 * What makes GitHub-trusting statements unsafe: `aud` not pinned to `sts.amazonaws.com`, no `sub`
 * restriction, or a `sub` value that does not name one repository. Whole-repository subjects are
 * reported separately, by {@link wholeRepositorySubjects}.
 */
export function unsafeGitHubTrust(document: ParsedDocument): TrustFinding[] {
  if (!("statements" in document)) {
    return [];
  }
  const findings: TrustFinding[] = [];
  for (const statement of document.statements.filter(isGitHubTrustStatement)) {
    const restricting = statement.conditions.filter((c) =>
      restrictingStringOperators.includes(c.base),
    );
    const audiences = restricting.filter((c) => isGitHubConditionKey(c.key, "aud"));
    const pinned =
      audiences.length > 0 &&
      audiences.every((c) => c.values.length > 0 && c.values.every((v) => v === stsAudience));
    if (!pinned) {
      const given = audiences.flatMap((c) => c.values);
      findings.push({
        statement: statement.label,
        problem:
          given.length === 0
            ? `does not pin aud to "${stsAudience}"`
            : `pins aud to ${JSON.stringify(given)} instead of only "${stsAudience}"`,
      });
    }
    const subjects = restricting
      .filter((c) => isGitHubConditionKey(c.key, "sub"))
      .flatMap((c) => c.values);
    if (subjects.length === 0) {
      findings.push({
        statement: statement.label,
        problem: "has no sub condition, so every repository on GitHub can assume the role",
      });
    }
    for (const subject of subjects) {
      const verdict = classifySubject(subject);
      if (verdict.kind === "refused") {
        findings.push({
          statement: statement.label,
          problem: `allows sub "${subject}", which ${verdict.reason}`,
        });
      }
    }
  }
  return findings;
}

/** Subjects that name one repository but admit every workflow run of it. */
export function wholeRepositorySubjects(document: ParsedDocument): TrustFinding[] {
  if (!("statements" in document)) {
    return [];
  }
  return document.statements.filter(isGitHubTrustStatement).flatMap((statement) =>
    statement.conditions
      .filter(
        (c) => restrictingStringOperators.includes(c.base) && isGitHubConditionKey(c.key, "sub"),
      )
      .flatMap((c) => c.values)
      .filter((subject) => classifySubject(subject).kind === "whole-repository")
      .map((subject) => ({
        statement: statement.label,
        problem: `allows sub "${subject}", which admits every workflow run of the repository, pull requests included`,
      })),
  );
}
