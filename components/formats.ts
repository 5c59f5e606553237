/**
 * The format of each single value the pipeline takes: what ECR, IAM, git, GitHub and AWS tags
 * accept, and what would break the pipeline's promises (policy variables and invisible
 * characters in names that reach a trust policy). Each check returns a problem or undefined.
 */
import {
  githubIssuerOfProvider,
  oidcProviderArnPattern,
  parseGitHubIssuer,
} from "../policy-pack/governance/github";
import { registryIdPattern, signingProfileArnPattern } from "../policy-pack/governance/registry";
import { defaultRoleSecretName, environmentNameSuffix } from "./names";
import { isUnknownYet, Problem, problem } from "./problems";

// ECR: 2-256 characters, lower-case path components separated by `/`.
const ecrRepositoryNamePattern =
  /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
const environmentPattern = /^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/;
const githubEnvironmentPattern = /^[A-Za-z0-9_.-]+(?: [A-Za-z0-9_.-]+)*$/;
const githubSecretNamePattern = /^[A-Za-z_][A-Za-z0-9_]*$/;
// AWS tags: letters, digits, spaces and _ . : / = + - @.
const awsTagCharacters = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const kmsKeyArnPattern = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(?:key|alias)\/[A-Za-z0-9/_-]+$/;
/**
 * Characters that do not print, or print as something else: controls, format characters
 * (zero-width spaces, bidirectional overrides), private and unassigned code points, and spaces
 * other than the ASCII one. A name that holds one cannot be told from another that does not.
 */
const invisibleCharacters = /[\p{C}\p{Zl}\p{Zp}]|(?! )\p{Zs}/u;

/** The invisible characters of a text, as code points. */
function describeInvisible(text: string): string {
  return [...text]
    .filter((c) => invisibleCharacters.test(c))
    .map((c) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`)
    .join(", ");
}

/** A tag key or value that holds an invisible character, naming each. */
function invisibleProblem(field: string, text: string): Problem | undefined {
  return invisibleCharacters.test(text)
    ? problem(
        field,
        text,
        `must be printing characters and ASCII spaces: it holds an invisible or non-printing character (${describeInvisible(text)})`,
      )
    : undefined;
}

/** Whether `text` holds `word` as a whole word: between non-alphanumeric characters or ends. */
export function containsWord(text: string, word: string): boolean {
  const words = (value: string) =>
    value
      .toLowerCase()
      .split(/[^a-z0-9]+/)
      .filter(Boolean);
  const haystack = words(text);
  const needle = words(word);
  return haystack.some((_, i) => needle.every((part, j) => haystack[i + j] === part));
}

export function isEnvironment(value: unknown): value is string {
  return typeof value === "string" && environmentPattern.test(value);
}

export function repositoryNameProblem(
  field: string,
  value: unknown,
  note = "",
): Problem | undefined {
  if (
    typeof value !== "string" ||
    value.length < 2 ||
    value.length > 256 ||
    !ecrRepositoryNamePattern.test(value)
  ) {
    return problem(
      field,
      value,
      `must be an ECR repository name${note}: 2 to 256 lower-case letters, digits and . _ - in path components separated by /, e.g. "payments-api" or "team/payments-api"`,
    );
  }
  return undefined;
}

export function environmentProblem(field: string, value: unknown, note = ""): Problem | undefined {
  if (!isEnvironment(value)) {
    return problem(
      field,
      value,
      `must be 1 to 32 lower-case letters, digits and hyphens, starting and ending with a letter or digit, e.g. "dev" or "prod-eu"${note}`,
    );
  }
  return undefined;
}

/** Checks an OIDC provider ARN given as a plain string; outputs are only known later. */
export function oidcProviderArnProblem(field: string, value: unknown): Problem | undefined {
  if (value === undefined || isUnknownYet(value)) {
    return undefined;
  }
  const match = typeof value === "string" ? oidcProviderArnPattern.exec(value) : null;
  if (!match || githubIssuerOfProvider(value as string) === undefined) {
    return problem(
      field,
      value,
      'must be the ARN of a GitHub Actions OIDC provider (github.com, an enterprise\'s issuer, GHE.com or GitHub Enterprise Server), e.g. "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"',
    );
  }
  return undefined;
}

/** Checks a signing profile ARN given as a plain string; outputs are only known later. */
export function signingProfileArnProblem(field: string, value: unknown): Problem | undefined {
  if (value === undefined || isUnknownYet(value)) {
    return undefined;
  }
  return typeof value === "string" && signingProfileArnPattern.test(value)
    ? undefined
    : problem(
        field,
        value,
        'must be the ARN of an AWS Signer signing profile, arn:<partition>:signer:<region>:<account>:/signing-profiles/<name> (2 to 64 letters, digits and _), e.g. "arn:aws:signer:eu-west-2:123456789012:/signing-profiles/trusted_delivery_prod"',
      );
}

/**
 * An issuer a `GitHubOidcProvider` may be created for: github.com's, an enterprise's own
 * (`token.actions.githubusercontent.com/<slug>`) or GHE.com's (`token.actions.<subdomain>.ghe.com`).
 * GitHub Enterprise Server's issuers are judged by the pack but not created here: their
 * provider needs the server's certificate, which this component does not take.
 */
export function githubOidcIssuerProblem(field: string, value: unknown): Problem | undefined {
  const parsed = typeof value === "string" ? parseGitHubIssuer(value) : undefined;
  if (parsed === undefined || parsed.kind === "ghes") {
    return problem(
      field,
      value,
      'must be a GitHub Actions issuer: "token.actions.githubusercontent.com" (github.com), "token.actions.githubusercontent.com/<enterprise slug>" (GitHub Enterprise Cloud\'s enterprise issuer) or "token.actions.<subdomain>.ghe.com" (GHE.com), with or without https://',
    );
  }
  return undefined;
}

/** The issuer as IAM names it (lower case, no scheme), of one that passed {@link githubOidcIssuerProblem}. */
export function githubOidcIssuer(value: string): string {
  return parseGitHubIssuer(value)!.issuer;
}

export function registryIdProblem(field: string, value: unknown): Problem | undefined {
  if (typeof value !== "string" || !registryIdPattern.test(value) || value.length > 256) {
    return problem(
      field,
      value,
      'must match ^[A-Z0-9_]+$ (upper-case letters, digits and _), e.g. "REGISTRY_PAYMENTS_API"',
    );
  }
  return undefined;
}

/** Why `name` is not a valid git branch or tag name (with `*` wildcards), or undefined. */
function refNameReason(name: string, kind: "branch" | "tag"): string | undefined {
  if (name.length === 0 || name.length > 255) {
    return `a ${kind} name of 1 to 255 characters`;
  }
  if (name.startsWith("refs/")) {
    return `the ${kind} name without "refs/${kind === "branch" ? "heads" : "tags"}/"`;
  }
  // eslint-disable-next-line no-control-regex -- git refuses control characters in ref names
  if (/[\x00-\x20\x7f~^:?[\\]/.test(name)) {
    return `a git ${kind} name: no spaces, control characters or ~ ^ : ? [ \\`;
  }
  if (
    name.startsWith("/") ||
    name.endsWith("/") ||
    name.includes("//") ||
    name.includes("..") ||
    name.includes("@{") ||
    name === "@" ||
    name.startsWith("-") ||
    name.endsWith(".") ||
    name.split("/").some((part) => part.startsWith(".") || part.endsWith(".lock"))
  ) {
    return `a git ${kind} name (see git check-ref-format)`;
  }
  if (!/[^*/]/.test(name)) {
    return `a ${kind} name or a pattern with at least one literal character: "${name}" would admit every ${kind}`;
  }
  if (name.includes("${")) {
    return `a ${kind} name without "\${": IAM reads "\${...}" in a subject as a policy variable, so the trust policy would not match the ${kind}`;
  }
  if (invisibleCharacters.test(name)) {
    return `a ${kind} name of printing characters: it holds an invisible or non-printing character (${describeInvisible(name)}), so it cannot be told from a ${kind} that looks the same`;
  }
  return undefined;
}

/** A check of branch (or tag) names, with `*` patterns, for {@link stringList}. */
export function refNameCheck(kind: "branch" | "tag") {
  return (item: string, field: string): Problem | undefined => {
    const reason = refNameReason(item, kind);
    return reason ? problem(field, item, `must be ${reason}`) : undefined;
  };
}

/** A GitHub deployment environment's name, which must hold the stack's environment as a word. */
export function githubEnvironmentProblem(
  field: string,
  item: string,
  environment: string | undefined,
): Problem | undefined {
  if (item.length > 255 || !githubEnvironmentPattern.test(item)) {
    return problem(
      field,
      item,
      'must be a GitHub environment name: up to 255 letters, digits, single spaces and _ . - (no wildcards), e.g. "production"',
    );
  }
  if (environment !== undefined && !containsWord(item, environment)) {
    return problem(
      field,
      item,
      `must contain the stack's environment "${environment}" as a whole word, so stacks of other environments never manage the same GitHub environment, e.g. "${environment}" or "${environment}-release"`,
    );
  }
  return undefined;
}

export function tagValueProblem(field: string, value: unknown): Problem | undefined {
  if (isUnknownYet(value)) {
    return undefined;
  }
  if (typeof value !== "string" || value.length > 256 || !awsTagCharacters.test(value)) {
    return problem(
      field,
      value,
      "must be an AWS tag value: up to 256 letters, digits, spaces and _ . : / = + - @",
    );
  }
  return invisibleProblem(field, value);
}

export function tagKeyProblem(field: string, key: string): Problem | undefined {
  if (key.length === 0 || key.length > 128 || !awsTagCharacters.test(key)) {
    return problem(
      field,
      key,
      "must be an AWS tag key: 1 to 128 letters, digits, spaces and _ . : / = + - @",
    );
  }
  if (key.toLowerCase().startsWith("aws:")) {
    return problem(field, key, 'must not start with "aws:", which AWS reserves');
  }
  return invisibleProblem(field, key);
}

export function tagPrefixProblem(field: string, value: unknown): Problem | undefined {
  if (
    typeof value !== "string" ||
    value.length === 0 ||
    value.length > 123 ||
    !awsTagCharacters.test(value) ||
    value.toLowerCase().startsWith("aws:")
  ) {
    return problem(
      field,
      value,
      'must be 1 to 123 letters, digits, spaces and _ . : / = + - @, not starting with "aws:", e.g. "goldenpath.idp/"',
    );
  }
  return undefined;
}

/** A GitHub secret or variable name, which must carry the environment as a word. */
export function githubNameProblem(
  field: string,
  value: unknown,
  environment: unknown,
): Problem | undefined {
  if (
    typeof value !== "string" ||
    !githubSecretNamePattern.test(value) ||
    /^GITHUB_/i.test(value)
  ) {
    return problem(
      field,
      value,
      'must be a GitHub secret or variable name: letters, digits and _, not starting with a digit or "GITHUB_"',
    );
  }
  if (isEnvironment(environment)) {
    const word = environmentNameSuffix(environment);
    if (!`_${value.toUpperCase()}_`.includes(`_${word}_`)) {
      return problem(
        field,
        value,
        `must contain the environment as a word ("${word}"), so stacks of other environments never write the same name, e.g. "${defaultRoleSecretName(environment)}"`,
      );
    }
  }
  return undefined;
}

export function kmsKeyArnProblem(field: string, value: unknown): Problem | undefined {
  if (typeof value !== "string" || !kmsKeyArnPattern.test(value)) {
    return problem(
      field,
      value,
      'must be a KMS key or alias ARN, e.g. "arn:aws:kms:eu-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"',
    );
  }
  return undefined;
}

// IAM: a managed policy's ARN, customer (`<12 digits>`) or AWS managed (`aws`), with its path.
const managedPolicyArnPattern =
  /^arn:aws[a-z-]*:iam::(?:\d{12}|aws):policy\/(?:[\x21-\x7e]*\/)?[\w+=,.@-]{1,128}$/;
// IAM's documented pattern for paths: `/`, or `/` printable ASCII characters `/`.
const iamPathPattern = /^(?:\/|\/[\x21-\x7e]+\/)$/;

/** The lowest and highest maximum session duration IAM accepts for a role, in seconds. */
export const roleSessionDurationRange = { min: 3600, max: 43200 } as const;

/** A permissions boundary's ARN given as a plain string; outputs are only known later. */
export function permissionsBoundaryProblem(field: string, value: unknown): Problem | undefined {
  if (value === undefined || isUnknownYet(value)) {
    return undefined;
  }
  if (typeof value !== "string" || value.length > 2048 || !managedPolicyArnPattern.test(value)) {
    return problem(
      field,
      value,
      'must be the ARN of an IAM managed policy, arn:<partition>:iam::<12-digit account>:policy/<path/name> or an AWS managed policy arn:<partition>:iam::aws:policy/<path/name>, e.g. "arn:aws:iam::123456789012:policy/delivery-boundary"',
    );
  }
  return undefined;
}

export function maxSessionDurationProblem(field: string, value: unknown): Problem | undefined {
  const { min, max } = roleSessionDurationRange;
  if (
    value !== undefined &&
    !(Number.isSafeInteger(value) && (value as number) >= min && (value as number) <= max)
  ) {
    return problem(
      field,
      value,
      `must be a whole number of seconds from ${min} (one hour, IAM's default) to ${max} (12 hours), as IAM allows`,
    );
  }
  return undefined;
}

export function iamPathProblem(field: string, value: unknown): Problem | undefined {
  if (
    value !== undefined &&
    (typeof value !== "string" || value.length > 512 || !iamPathPattern.test(value))
  ) {
    return problem(
      field,
      value,
      'must be an IAM path: "/" or segments between slashes, 1 to 512 printable ASCII characters without spaces, e.g. "/delivery/"',
    );
  }
  return undefined;
}

export function booleanProblem(field: string, value: unknown): Problem | undefined {
  return value !== undefined && typeof value !== "boolean"
    ? problem(field, value, "must be true or false")
    : undefined;
}
