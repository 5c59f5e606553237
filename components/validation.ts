import * as pulumi from "@pulumi/pulumi";
import {
  githubIssuerOfProvider,
  isGitHubRepository,
  oidcProviderArnPattern,
} from "../policy-pack/governance/github";
import {
  defaultTagPrefix,
  governanceTagKeys,
  environmentTagKey,
  registryIdPattern,
  requiredTierControls,
} from "../policy-pack/governance/registry";
import { defaultRoleSecretName, environmentNameSuffix, pipelineChildNames } from "./names";
import { isRiskLevel, riskLevels, riskTiers } from "./riskTiers";
import {
  defaultTrustPolicyMaxLength,
  githubSubjects,
  longestGitHubProviderArn,
  trustPolicyLength,
  trustPolicyLengthQuotaMaximum,
} from "./trustPolicy";

export { defaultTagPrefix, registryIdPattern };

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

/** One thing wrong with the arguments: which one, what it was, and what is allowed. */
export interface Problem {
  /** The argument's path, e.g. `github.branches[1]`. */
  readonly field: string;
  /** `<field> is <value>; <what is allowed>`. */
  readonly message: string;
}

/** Every problem with a resource's arguments, found before anything was registered. */
export class InvalidArgumentsError extends pulumi.RunError {
  constructor(
    readonly subject: string,
    readonly problems: readonly Problem[],
  ) {
    super(formatProblems(subject, problems));
    this.name = "InvalidArgumentsError";
  }
}

export function formatProblems(subject: string, problems: readonly Problem[]): string {
  const count =
    problems.length === 1 ? "an invalid argument" : `${problems.length} invalid arguments`;
  return [`${subject} has ${count}:`, ...problems.map((p) => `  - ${p.message}`)].join("\n");
}

/** Puts `prefix.` in front of every problem's field, for arguments nested in a larger document. */
export function prefixProblems(prefix: string, problems: readonly Problem[]): Problem[] {
  return problems.map((p) =>
    p.field === ""
      ? { field: prefix, message: `${prefix}${p.message}` }
      : { field: `${prefix}.${p.field}`, message: `${prefix}.${p.message}` },
  );
}

/** A value as an error message shows it: JSON for plain data, `an output` for Pulumi outputs. */
export function describeValue(value: unknown): string {
  if (value === undefined) {
    return "missing";
  }
  if (pulumi.Output.isInstance(value) || value instanceof Promise) {
    return "an output";
  }
  const json = JSON.stringify(value);
  return json.length > 120 ? `${json.slice(0, 117)}...` : json;
}

export function problem(field: string, value: unknown, allowed: string): Problem {
  return { field, message: `${field} is ${describeValue(value)}; ${allowed}` };
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Whether a value is only known once resources exist, so it cannot be checked up front. */
function isUnknownYet(value: unknown): boolean {
  return pulumi.Output.isInstance(value) || value instanceof Promise;
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
  if (typeof value !== "string" || !environmentPattern.test(value)) {
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

/** Reports keys of `value` outside `allowed`: misspelt settings must not pass silently. */
export function unknownKeys(
  field: string,
  value: Record<string, unknown>,
  allowed: readonly string[],
): Problem[] {
  return Object.keys(value)
    .filter((key) => !allowed.includes(key))
    .map((key) => ({
      field: `${field}${field ? "." : ""}${key}`,
      message: `${field}${field ? "." : ""}${key} is not a setting; allowed: ${allowed.join(", ")}`,
    }));
}

/** Why `name` is not a valid git branch or tag name (with `*` wildcards), or undefined. */
function refNameProblem(name: string, kind: "branch" | "tag"): string | undefined {
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

/** The invisible characters of a text, as code points. */
function describeInvisible(text: string): string {
  return [...text]
    .filter((c) => invisibleCharacters.test(c))
    .map((c) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`)
    .join(", ");
}

/** Whether `text` holds `word` as a whole word: between non-alphanumeric characters or ends. */
function containsWord(text: string, word: string): boolean {
  const words = (value: string) =>
    value
      .toLowerCase()
      .split(/[^a-z0-9]+/)
      .filter(Boolean);
  const haystack = words(text);
  const needle = words(word);
  return haystack.some((_, i) => needle.every((part, j) => haystack[i + j] === part));
}

function stringList(
  field: string,
  value: unknown,
  check: (item: string, itemField: string) => Problem | undefined,
): { items: string[]; problems: Problem[] } {
  if (value === undefined) {
    return { items: [], problems: [] };
  }
  if (!Array.isArray(value)) {
    return { items: [], problems: [problem(field, value, "must be a list of strings")] };
  }
  const problems: Problem[] = [];
  const items: string[] = [];
  value.forEach((item, i) => {
    const itemField = `${field}[${i}]`;
    if (typeof item !== "string") {
      problems.push(problem(itemField, item, "must be a string"));
      return;
    }
    const itemProblem = check(item, itemField);
    if (itemProblem) {
      problems.push(itemProblem);
    } else {
      items.push(item);
    }
  });
  return { items, problems };
}

function tagValueProblem(field: string, value: unknown): Problem | undefined {
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
  if (invisibleCharacters.test(value)) {
    return problem(
      field,
      value,
      `must be printing characters and ASCII spaces: it holds an invisible or non-printing character (${describeInvisible(value)})`,
    );
  }
  return undefined;
}

function tagKeyProblem(field: string, key: string): Problem | undefined {
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
  if (invisibleCharacters.test(key)) {
    return problem(
      field,
      key,
      `must be printing characters and ASCII spaces: it holds an invisible or non-printing character (${describeInvisible(key)})`,
    );
  }
  return undefined;
}

/** Checks a GitHub secret or variable name, which must carry the environment. */
function githubNameProblem(
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
  if (typeof environment === "string" && environmentPattern.test(environment)) {
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

const pipelineKeys = [
  "repositoryName",
  "trustPolicyMaxLength",
  "environment",
  "metadata",
  "github",
  "oidcProviderArn",
  "ecr",
  "tagPrefix",
  "tags",
  "importIds",
] as const;
const metadataKeys = ["id", "owner", "risk", "description"] as const;
const githubKeys = [
  "repository",
  "branches",
  "tags",
  "environments",
  "environmentProtection",
  "commitWorkflow",
  "secretName",
  "variableNames",
  "ownerId",
  "repositoryId",
] as const;
const protectionKeys = [
  "reviewerUsers",
  "reviewerTeams",
  "preventSelfReview",
  "deploymentBranches",
  "deploymentTags",
  "waitTimer",
] as const;
const variableNameKeys = ["repositoryUrl", "region"] as const;
const importIdKeys = ["repository", "lifecyclePolicy"] as const;
const ecrKeys = [
  "imageTagMutability",
  "encryption",
  "kmsKeyArn",
  "keepImages",
  "forceDelete",
  "protect",
] as const;

/** Tag keys the pipeline sets itself, which `tags` may not replace. */
export function reservedTagKeys(tagPrefix: string): string[] {
  return [...Object.values(governanceTagKeys(tagPrefix)), environmentTagKey];
}

/**
 * Every problem with a pipeline's arguments, in argument order; empty when they are valid.
 *
 * `args` is checked as untyped data, because it also comes from YAML stack config, the CLI and
 * other languages. Values that are Pulumi outputs are only known later and are not checked.
 */
export function validateTrustedDeliveryPipelineArgs(name: string, args: unknown): Problem[] {
  if (!isPlainObject(args)) {
    return [problem("args", args, "must be an object with environment, metadata and github")];
  }
  const problems: Problem[] = [...unknownKeys("", args, pipelineKeys)];

  const repositoryName = args.repositoryName ?? name;
  const repositoryNameIssue = repositoryNameProblem(
    "repositoryName",
    repositoryName,
    args.repositoryName === undefined ? " (it defaults to the resource name)" : "",
  );
  if (repositoryNameIssue) {
    problems.push(repositoryNameIssue);
  }
  const environment = args.environment;
  const environmentIssue = environmentProblem("environment", environment);
  if (environmentIssue) {
    problems.push(environmentIssue);
  }

  const risk = isPlainObject(args.metadata) ? args.metadata.risk : undefined;
  problems.push(...validateMetadata(args.metadata));
  const githubProblems = validateGitHub(args.github, environment);
  problems.push(...githubProblems);
  problems.push(...validateEcr(args.ecr, risk));
  problems.push(
    ...validateTrustPolicyLength(
      args.trustPolicyMaxLength,
      githubProblems.length === 0 ? args.github : undefined,
      args.oidcProviderArn,
    ),
  );

  const tagPrefix = args.tagPrefix ?? defaultTagPrefix;
  let reserved: string[] = [];
  if (
    typeof tagPrefix !== "string" ||
    tagPrefix.length === 0 ||
    tagPrefix.length > 123 ||
    !awsTagCharacters.test(tagPrefix) ||
    tagPrefix.toLowerCase().startsWith("aws:")
  ) {
    problems.push(
      problem(
        "tagPrefix",
        tagPrefix,
        'must be 1 to 123 letters, digits, spaces and _ . : / = + - @, not starting with "aws:", e.g. "goldenpath.idp/"',
      ),
    );
  } else {
    reserved = reservedTagKeys(tagPrefix);
  }

  if (args.tags !== undefined) {
    if (!isPlainObject(args.tags)) {
      problems.push(problem("tags", args.tags, "must be a map of tag keys to values"));
    } else {
      for (const [key, value] of Object.entries(args.tags)) {
        const field = `tags.${key}`;
        const keyProblem = tagKeyProblem(field, key);
        if (keyProblem) {
          problems.push(keyProblem);
        } else if (reserved.includes(key)) {
          problems.push(
            problem(
              field,
              value,
              `cannot be set: the pipeline sets ${reserved.map((k) => `"${k}"`).join(", ")} itself`,
            ),
          );
        } else {
          const valueProblem = tagValueProblem(field, value);
          if (valueProblem) {
            problems.push(valueProblem);
          }
        }
      }
    }
  }

  problems.push(...validateImportIds(args.importIds, repositoryName));

  const providerArnIssue = oidcProviderArnProblem("oidcProviderArn", args.oidcProviderArn);
  if (providerArnIssue) {
    problems.push(providerArnIssue);
  }
  return problems;
}

function validateImportIds(importIds: unknown, repositoryName: unknown): Problem[] {
  if (importIds === undefined) {
    return [];
  }
  if (!isPlainObject(importIds)) {
    return [
      problem("importIds", importIds, "must be an object with repository and lifecyclePolicy"),
    ];
  }
  const problems = unknownKeys("importIds", importIds, importIdKeys);
  for (const key of importIdKeys) {
    const id = importIds[key];
    if (id !== undefined && id !== repositoryName) {
      problems.push(
        problem(
          `importIds.${key}`,
          id,
          `must be the repository's name ${JSON.stringify(repositoryName)}: ECR knows the ${key === "repository" ? "repository" : "lifecycle policy"} by it, and importing another would replace it`,
        ),
      );
    }
  }
  return problems;
}

function validateMetadata(metadata: unknown): Problem[] {
  if (!isPlainObject(metadata)) {
    return [problem("metadata", metadata, "must be an object with id, owner and risk")];
  }
  const problems = unknownKeys("metadata", metadata, metadataKeys);
  if (
    typeof metadata.id !== "string" ||
    !registryIdPattern.test(metadata.id) ||
    metadata.id.length > 256
  ) {
    problems.push(
      problem(
        "metadata.id",
        metadata.id,
        'must match ^[A-Z0-9_]+$ (upper-case letters, digits and _), e.g. "REGISTRY_PAYMENTS_API"',
      ),
    );
  }
  if (typeof metadata.owner !== "string" || metadata.owner.trim() === "") {
    problems.push(
      problem("metadata.owner", metadata.owner, 'must name the owning team, e.g. "team-payments"'),
    );
  } else {
    const ownerProblem = tagValueProblem("metadata.owner", metadata.owner);
    if (ownerProblem) {
      problems.push(ownerProblem);
    }
  }
  if (!isRiskLevel(metadata.risk)) {
    problems.push(
      problem(
        "metadata.risk",
        metadata.risk,
        `must be one of ${riskLevels.map((r) => `"${r}"`).join(", ")}`,
      ),
    );
  }
  if (
    metadata.description !== undefined &&
    (typeof metadata.description !== "string" || metadata.description.length > 1000)
  ) {
    problems.push(
      problem(
        "metadata.description",
        metadata.description,
        "must be a string of up to 1000 characters",
      ),
    );
  }
  return problems;
}

/**
 * The trust policy must fit IAM's quota on its length: a role whose policy is longer cannot be
 * created. Checked once the GitHub settings are valid; the provider ARN, when only known later,
 * is measured as the longest it could be.
 */
function validateTrustPolicyLength(
  maxLength: unknown,
  github: unknown,
  oidcProviderArn: unknown,
): Problem[] {
  if (
    maxLength !== undefined &&
    !(
      Number.isSafeInteger(maxLength) &&
      (maxLength as number) >= defaultTrustPolicyMaxLength &&
      (maxLength as number) <= trustPolicyLengthQuotaMaximum
    )
  ) {
    return [
      problem(
        "trustPolicyMaxLength",
        maxLength,
        `must be your account's "Role trust policy length" quota in IAM, from ${defaultTrustPolicyMaxLength} (the default) to ${trustPolicyLengthQuotaMaximum}`,
      ),
    ];
  }
  if (!isPlainObject(github)) {
    return [];
  }
  const limit = (maxLength as number | undefined) ?? defaultTrustPolicyMaxLength;
  const environments = (github.environments as string[] | undefined) ?? [];
  const subjects = githubSubjects({
    repository: github.repository as string,
    branches:
      (github.branches as string[] | undefined) ?? (environments.length > 0 ? [] : ["main"]),
    tags: (github.tags as string[] | undefined) ?? [],
    environments,
    ownerId: github.ownerId as number | undefined,
    repositoryId: github.repositoryId as number | undefined,
  });
  const providerArn =
    typeof oidcProviderArn === "string" && oidcProviderArnProblem("", oidcProviderArn) === undefined
      ? oidcProviderArn
      : longestGitHubProviderArn;
  const length = trustPolicyLength(providerArn, subjects);
  if (length <= limit) {
    return [];
  }
  const count = (list: unknown, one: string) =>
    `${Array.isArray(list) ? list.length : 0} ${one}${Array.isArray(list) && list.length === 1 ? "" : one.endsWith("h") ? "es" : "s"}`;
  return [
    problem(
      "github",
      `${subjects.length} subjects: ${count(github.branches ?? (environments.length > 0 ? [] : ["main"]), "branch")}, ${count(github.tags, "tag")}, ${count(environments, "environment")}`,
      `makes a trust policy of ${length} characters, over IAM's limit of ${limit} (the "Role trust policy length" quota, ${defaultTrustPolicyMaxLength} by default): trust fewer branches, tags or environments, or use patterns (release/*); or raise the quota in Service Quotas (IAM, up to ${trustPolicyLengthQuotaMaximum}) and set trustPolicyMaxLength to it`,
    ),
  ];
}

function validateGitHub(github: unknown, environment: unknown): Problem[] {
  if (!isPlainObject(github)) {
    return [
      problem(
        "github",
        github,
        'must be an object with repository ("owner/name") and branches, tags or environments',
      ),
    ];
  }
  const problems = unknownKeys("github", github, githubKeys);

  const repository = github.repository;
  if (typeof repository !== "string" || !isGitHubRepository(repository)) {
    problems.push(
      problem(
        "github.repository",
        repository,
        'must be one GitHub repository as "owner/name" (no wildcards), e.g. "acme/payments-api"',
      ),
    );
  }

  const refCheck = (kind: "branch" | "tag") => (item: string, field: string) => {
    const reason = refNameProblem(item, kind);
    return reason ? problem(field, item, `must be ${reason}`) : undefined;
  };
  const word = typeof environment === "string" ? environment.toLowerCase() : undefined;
  const environments = stringList("github.environments", github.environments, (item, field) =>
    item.length > 255 || !githubEnvironmentPattern.test(item)
      ? problem(
          field,
          item,
          'must be a GitHub environment name: up to 255 letters, digits, single spaces and _ . - (no wildcards), e.g. "production"',
        )
      : word !== undefined && !containsWord(item, word)
        ? problem(
            field,
            item,
            `must contain the stack's environment "${word}" as a whole word, so stacks of other environments never manage the same GitHub environment, e.g. "${word}" or "${word}-release"`,
          )
        : undefined,
  );
  // Environments become child resources named after them: two that name the same child collide.
  const childOf = new Map<string, string>();
  environments.items.forEach((item) => {
    const child = pipelineChildNames("").environment(item);
    const other = childOf.get(child);
    if (other !== undefined && other !== item) {
      problems.push(
        problem(
          "github.environments",
          github.environments,
          `must name distinct environments: "${other}" and "${item}" are the same resource name once lower-cased, with spaces as hyphens (GitHub also compares environment names without case)`,
        ),
      );
    } else {
      childOf.set(child, item);
    }
  });
  const withEnvironments = Array.isArray(github.environments) && github.environments.length > 0;
  const branches = stringList(
    "github.branches",
    github.branches ?? (withEnvironments ? [] : ["main"]),
    refCheck("branch"),
  );
  const tags = stringList("github.tags", github.tags, refCheck("tag"));
  problems.push(...branches.problems, ...tags.problems, ...environments.problems);
  if (withEnvironments) {
    for (const key of ["branches", "tags"] as const) {
      const given = github[key];
      if (Array.isArray(given) && given.length > 0) {
        problems.push(
          problem(
            `github.${key}`,
            given,
            `cannot be given with github.environments: then only jobs in those environments may push; environmentProtection.deployment${key === "branches" ? "Branches" : "Tags"} picks the ${key} that may deploy`,
          ),
        );
      }
    }
  }
  const subjectLists = [branches, tags, environments];
  if (subjectLists.every((list) => list.items.length === 0 && list.problems.length === 0)) {
    problems.push(
      problem(
        "github",
        {
          branches: github.branches ?? ["main"],
          tags: github.tags ?? [],
          environments: github.environments ?? [],
        },
        "must give at least one branch, tag or environment: otherwise no workflow can assume the push role",
      ),
    );
  }
  problems.push(
    ...validateEnvironmentProtection(github.environmentProtection, withEnvironments, refCheck),
  );
  if (github.commitWorkflow !== undefined && typeof github.commitWorkflow !== "boolean") {
    problems.push(problem("github.commitWorkflow", github.commitWorkflow, "must be true or false"));
  }

  if (github.secretName !== undefined) {
    const nameProblem = githubNameProblem("github.secretName", github.secretName, environment);
    if (nameProblem) {
      problems.push(nameProblem);
    }
  }
  if (github.variableNames !== undefined) {
    if (!isPlainObject(github.variableNames)) {
      problems.push(
        problem(
          "github.variableNames",
          github.variableNames,
          "must be an object with repositoryUrl and region",
        ),
      );
    } else {
      problems.push(...unknownKeys("github.variableNames", github.variableNames, variableNameKeys));
      for (const key of variableNameKeys) {
        const value = github.variableNames[key];
        const nameProblem =
          value === undefined
            ? undefined
            : githubNameProblem(`github.variableNames.${key}`, value, environment);
        if (nameProblem) {
          problems.push(nameProblem);
        }
      }
    }
  }

  for (const key of ["ownerId", "repositoryId"] as const) {
    const value = github[key];
    if (value !== undefined && !(Number.isSafeInteger(value) && (value as number) > 0)) {
      problems.push(
        problem(`github.${key}`, value, "must be a positive integer, GitHub's numeric id"),
      );
    }
  }
  if ((github.ownerId === undefined) !== (github.repositoryId === undefined)) {
    const missing = github.ownerId === undefined ? "ownerId" : "repositoryId";
    problems.push(
      problem(
        `github.${missing}`,
        undefined,
        "must be given together with " +
          (missing === "ownerId" ? "github.repositoryId" : "github.ownerId") +
          ": the immutable subject form needs both ids",
      ),
    );
  }
  return problems;
}

function validateEnvironmentProtection(
  protection: unknown,
  withEnvironments: boolean,
  refCheck: (kind: "branch" | "tag") => (item: string, field: string) => Problem | undefined,
): Problem[] {
  const field = "github.environmentProtection";
  if (protection === undefined) {
    return [];
  }
  if (!isPlainObject(protection)) {
    return [
      problem(field, protection, `must be an object with any of ${protectionKeys.join(", ")}`),
    ];
  }
  const problems = unknownKeys(field, protection, protectionKeys);
  if (!withEnvironments) {
    problems.push(
      problem(
        field,
        protection,
        "is only used with github.environments, which the pipeline then creates",
      ),
    );
  }
  for (const key of ["reviewerUsers", "reviewerTeams"] as const) {
    const ids = protection[key];
    if (
      ids !== undefined &&
      (!Array.isArray(ids) || !ids.every((id) => Number.isSafeInteger(id) && id > 0))
    ) {
      problems.push(problem(`${field}.${key}`, ids, "must be a list of GitHub's numeric ids"));
    }
  }
  if (
    protection.preventSelfReview !== undefined &&
    typeof protection.preventSelfReview !== "boolean"
  ) {
    problems.push(
      problem(`${field}.preventSelfReview`, protection.preventSelfReview, "must be true or false"),
    );
  }
  problems.push(
    ...stringList(`${field}.deploymentBranches`, protection.deploymentBranches, refCheck("branch"))
      .problems,
  );
  problems.push(
    ...stringList(`${field}.deploymentTags`, protection.deploymentTags, refCheck("tag")).problems,
  );
  if (
    withEnvironments &&
    Array.isArray(protection.deploymentBranches) &&
    protection.deploymentBranches.length === 0 &&
    (!Array.isArray(protection.deploymentTags) || protection.deploymentTags.length === 0)
  ) {
    problems.push(
      problem(
        `${field}.deploymentBranches`,
        [],
        "must name at least one branch, or deploymentTags a tag: otherwise nothing can deploy",
      ),
    );
  }
  const wait = protection.waitTimer;
  if (
    wait !== undefined &&
    !(Number.isSafeInteger(wait) && (wait as number) >= 0 && (wait as number) <= 43200)
  ) {
    problems.push(
      problem(`${field}.waitTimer`, wait, "must be whole minutes from 0 to 43200 (30 days)"),
    );
  }
  return problems;
}

function validateEcr(ecr: unknown, risk: unknown): Problem[] {
  if (ecr === undefined) {
    return [];
  }
  if (!isPlainObject(ecr)) {
    return [problem("ecr", ecr, `must be an object with any of ${ecrKeys.join(", ")}`)];
  }
  const problems = unknownKeys("ecr", ecr, ecrKeys);
  // What the risk tier may not give up (immutable tags, KMS), from the one definition.
  const required = typeof risk === "string" ? (requiredTierControls[risk] ?? {}) : {};
  if (ecr.imageTagMutability !== undefined) {
    if (ecr.imageTagMutability !== "MUTABLE" && ecr.imageTagMutability !== "IMMUTABLE") {
      problems.push(
        problem(
          "ecr.imageTagMutability",
          ecr.imageTagMutability,
          'must be "MUTABLE" or "IMMUTABLE"',
        ),
      );
    } else if (
      required.imageTagMutability &&
      ecr.imageTagMutability !== required.imageTagMutability
    ) {
      problems.push(
        problem(
          "ecr.imageTagMutability",
          ecr.imageTagMutability,
          `must be "${required.imageTagMutability}" for a ${risk}-risk registry`,
        ),
      );
    }
  }
  if (ecr.encryption !== undefined) {
    if (ecr.encryption !== "AES256" && ecr.encryption !== "KMS") {
      problems.push(problem("ecr.encryption", ecr.encryption, 'must be "AES256" or "KMS"'));
    } else if (required.encryption && ecr.encryption !== required.encryption) {
      problems.push(
        problem(
          "ecr.encryption",
          ecr.encryption,
          `must be "${required.encryption}" for a ${risk}-risk registry`,
        ),
      );
    }
  }
  if (ecr.kmsKeyArn !== undefined && !isUnknownYet(ecr.kmsKeyArn)) {
    const encryption =
      ecr.encryption ?? (isRiskLevel(risk) ? riskTiers[risk].encryption : undefined);
    if (typeof ecr.kmsKeyArn !== "string" || !kmsKeyArnPattern.test(ecr.kmsKeyArn)) {
      problems.push(
        problem(
          "ecr.kmsKeyArn",
          ecr.kmsKeyArn,
          'must be a KMS key or alias ARN, e.g. "arn:aws:kms:eu-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"',
        ),
      );
    } else if (encryption === "AES256") {
      problems.push(
        problem("ecr.kmsKeyArn", ecr.kmsKeyArn, 'is only used with ecr.encryption "KMS"'),
      );
    }
  }
  if (
    ecr.keepImages !== undefined &&
    !(Number.isSafeInteger(ecr.keepImages) && (ecr.keepImages as number) >= 1)
  ) {
    problems.push(
      problem("ecr.keepImages", ecr.keepImages, "must be a whole number of images, at least 1"),
    );
  }
  for (const key of ["forceDelete", "protect"] as const) {
    if (ecr[key] !== undefined && typeof ecr[key] !== "boolean") {
      problems.push(problem(`ecr.${key}`, ecr[key], "must be true or false"));
    }
  }
  return problems;
}
