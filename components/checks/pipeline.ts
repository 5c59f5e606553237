import { environmentTagKey, governanceTagKeys } from "../../policy-pack/governance/registry";
import { defaultTagPrefix, defaultTrustPolicyMaxLength } from "../defaults";
import {
  environmentProblem,
  oidcProviderArnProblem,
  signingProfileArnProblem,
  repositoryNameProblem,
  tagKeyProblem,
  tagPrefixProblem,
  tagValueProblem,
} from "../formats";
import { pushRoleName } from "../names";
import { PipelineImportIds, PullAccess, TrustedDeliveryPipelineArgs } from "../pipelineArgs";
import { hasReaders } from "../pullPolicy";
import type { PipelineSettings } from "../pipelineSettings";
import {
  Checked,
  Fields,
  fieldNames,
  isPlainObject,
  Problem,
  problem,
  unknownKeys,
} from "../problems";
import {
  longestGitHubProviderArn,
  longestPipelineTrust,
  trustPolicyLength,
  trustPolicyLengthQuotaMaximum,
} from "../trustPolicy";
import { checkEcr } from "./ecr";
import { checkGitHub } from "./github";
import { checkMetadata } from "./metadata";
import { checkRole } from "./role";

/** The key list of its interface, tied to it by the compiler. */
export const pipelineFields = {
  repositoryName: true,
  environment: true,
  metadata: true,
  github: true,
  oidcProviderArn: true,
  signingProfileArn: true,
  ecr: true,
  tagPrefix: true,
  tags: true,
  importIds: true,
  role: true,
  trustPolicyMaxLength: true,
} as const satisfies Fields<TrustedDeliveryPipelineArgs>;

/** The key list of its interface, tied to it by the compiler. */
export const importIdFields = {
  repository: true,
  lifecyclePolicy: true,
  repositoryPolicy: true,
} as const satisfies Fields<PipelineImportIds>;

/** The pipeline's arguments, by name: the settings a stack's app entry may not give. */
export const pipelineArgumentNames = fieldNames(pipelineFields);

/** Tag keys the pipeline sets itself, which `tags` may not replace. */
export function reservedTagKeys(tagPrefix: string): string[] {
  return [...Object.values(governanceTagKeys(tagPrefix)), environmentTagKey];
}

function checkImportIds(importIds: unknown, repositoryName: unknown): Problem[] {
  if (importIds === undefined) {
    return [];
  }
  if (!isPlainObject(importIds)) {
    return [
      problem(
        "importIds",
        importIds,
        "must be an object with repository, lifecyclePolicy and repositoryPolicy",
      ),
    ];
  }
  const problems = unknownKeys("importIds", importIds, fieldNames(importIdFields));
  for (const key of fieldNames(importIdFields)) {
    const id = importIds[key];
    if (id !== undefined && id !== repositoryName) {
      problems.push(
        problem(
          `importIds.${key}`,
          id,
          `must be the repository's name ${JSON.stringify(repositoryName)}: ECR knows the ${{ repository: "repository", lifecyclePolicy: "lifecycle policy", repositoryPolicy: "repository policy" }[key]} by it, and importing another would replace it`,
        ),
      );
    }
  }
  return problems;
}

function checkTags(tags: unknown, reserved: readonly string[]): Problem[] {
  if (tags === undefined) {
    return [];
  }
  if (!isPlainObject(tags)) {
    return [problem("tags", tags, "must be a map of tag keys to values")];
  }
  const problems: Problem[] = [];
  for (const [key, value] of Object.entries(tags)) {
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
  return problems;
}

/**
 * The trust policy must fit IAM's quota on its length: a role whose policy is longer cannot be
 * created. The provider ARN, when only known later, is measured as the longest it could be, and
 * so are GitHub's ids when they are only looked up at deploy time (`trust: "id"`).
 */
function checkTrustPolicyLength(
  maxLength: unknown,
  github: PipelineSettings["github"] | undefined,
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
  if (github === undefined) {
    return [];
  }
  const limit = (maxLength as number | undefined) ?? defaultTrustPolicyMaxLength;
  const providerArn =
    typeof oidcProviderArn === "string" && oidcProviderArnProblem("", oidcProviderArn) === undefined
      ? oidcProviderArn
      : longestGitHubProviderArn;
  const longest = longestPipelineTrust(github, github.ids);
  const length = trustPolicyLength(providerArn, longest.subjects, longest.conditions);
  if (length <= limit) {
    return [];
  }
  const count = (list: readonly string[], one: string, many: string) =>
    `${list.length} ${list.length === 1 ? one : many}`;
  return [
    problem(
      "github",
      `${longest.subjects.length} subjects: ${count(github.branches, "branch", "branches")}, ${count(github.tags, "tag", "tags")}, ${count(github.environments, "environment", "environments")}`,
      `makes a trust policy of ${length} characters, over IAM's limit of ${limit} (the "Role trust policy length" quota, ${defaultTrustPolicyMaxLength} by default): trust fewer branches, tags or environments, or use patterns (release/*); or raise the quota in Service Quotas (IAM, up to ${trustPolicyLengthQuotaMaximum}) and set trustPolicyMaxLength to it`,
    ),
  ];
}

/**
 * Signed images need the signing profile, and a profile is only given to sign: its ARN's form
 * when it is known, its absence when `ecr.signing` (or the tier) signs, its presence when
 * `ecr.signing` is false.
 */
function signingProfileProblems(
  signingProfileArn: unknown,
  ecr: PipelineSettings["ecr"] | undefined,
  risk: unknown,
): Problem[] {
  const formIssue = signingProfileArnProblem("signingProfileArn", signingProfileArn);
  if (formIssue) {
    return [formIssue];
  }
  if (ecr === undefined) {
    return [];
  }
  if (ecr.signing && signingProfileArn === undefined) {
    return [
      problem(
        "signingProfileArn",
        undefined,
        `is required: the registry's images are signed (ecr.signing${typeof risk === "string" ? `, always for ${risk} risk` : ""}) with ECR managed signing, and the push role may sign only with this AWS Signer profile, arn:<partition>:signer:<region>:<account>:/signing-profiles/<name> (the platform program creates it with registrySigning: managed)`,
      ),
    ];
  }
  if (!ecr.signing && signingProfileArn !== undefined) {
    return [
      problem(
        "signingProfileArn",
        signingProfileArn,
        "is given but ecr.signing is false: leave out one or the other (a profile nothing signs with would only widen the push role)",
      ),
    ];
  }
  return [];
}

/** The tag prefix's problem, and the tags' (which may not set what the prefix reserves). */
function tagProblems(tagPrefix: unknown, tags: unknown): Problem[] {
  const tagPrefixIssue = tagPrefixProblem("tagPrefix", tagPrefix);
  return [
    ...found(tagPrefixIssue),
    ...checkTags(tags, tagPrefixIssue ? [] : reservedTagKeys(tagPrefix as string)),
  ];
}

/** The problems found, without the checks that found none. */
function found(...issues: (Problem | undefined)[]): Problem[] {
  return issues.filter((issue): issue is Problem => issue !== undefined);
}

/** A repository policy is adopted only as the one `ecr.pull` writes: it needs readers. */
function importedPolicyProblems(
  importIds: unknown,
  ecr: PipelineSettings["ecr"] | undefined,
): Problem[] {
  const importedPolicy = (importIds as { repositoryPolicy?: unknown } | undefined)
    ?.repositoryPolicy;
  return importedPolicy !== undefined &&
    ecr !== undefined &&
    !hasReaders(ecr.pull as Required<PullAccess>)
    ? [
        problem(
          "importIds.repositoryPolicy",
          importedPolicy,
          "adopts the repository policy ecr.pull writes: give ecr.pull its readers, or leave the policy unmanaged (no importIds.repositoryPolicy)",
        ),
      ]
    : [];
}

/**
 * Checks a pipeline's arguments and applies every default, in one pass: every problem, in
 * argument order, or the settings the pipeline creates.
 *
 * `args` is checked as untyped data, because it also comes from YAML stack config, the CLI and
 * other languages. Values that are Pulumi outputs are only known later and are not checked.
 */
export function checkPipelineArgs(name: string, args: unknown): Checked<PipelineSettings> {
  if (!isPlainObject(args)) {
    return {
      problems: [problem("args", args, "must be an object with environment, metadata and github")],
    };
  }
  const problems: Problem[] = [...unknownKeys("", args, pipelineArgumentNames)];
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
  const metadata = checkMetadata(args.metadata);
  const risk = isPlainObject(args.metadata) ? args.metadata.risk : undefined;
  const github = checkGitHub(args.github, environment, risk);
  const ecr = checkEcr(args.ecr, risk, args.signingProfileArn !== undefined);
  const role = checkRole(args.role);
  problems.push(...metadata.problems, ...github.problems, ...ecr.problems, ...role.problems);
  problems.push(
    ...checkTrustPolicyLength(
      args.trustPolicyMaxLength,
      github.problems.length === 0 ? github.value : undefined,
      args.oidcProviderArn,
    ),
  );
  const tagPrefix = args.tagPrefix ?? defaultTagPrefix;
  problems.push(...tagProblems(tagPrefix, args.tags));
  problems.push(...checkImportIds(args.importIds, repositoryName));
  problems.push(...importedPolicyProblems(args.importIds, ecr.value));
  problems.push(...found(oidcProviderArnProblem("oidcProviderArn", args.oidcProviderArn)));
  problems.push(...signingProfileProblems(args.signingProfileArn, ecr.value, risk));
  if (
    problems.length > 0 ||
    metadata.value === undefined ||
    github.value === undefined ||
    ecr.value === undefined ||
    role.value === undefined
  ) {
    return { problems };
  }
  // Checked above: tags and importIds are what their interface says.
  const typed = args as Pick<TrustedDeliveryPipelineArgs, "tags" | "importIds">;
  const prefix = tagPrefix as string;
  const keys = governanceTagKeys(prefix);
  return {
    problems: [],
    value: {
      repositoryName: repositoryName as string,
      environment: environment as string,
      metadata: metadata.value,
      ecr: ecr.value,
      tagPrefix: prefix,
      tags: {
        [keys.id]: metadata.value.id,
        [keys.owner]: metadata.value.owner,
        [keys.risk]: metadata.value.risk,
        [environmentTagKey]: environment as string,
        ...typed.tags,
      },
      roleName: pushRoleName(repositoryName as string, environment as string),
      role: role.value,
      importIds: { ...typed.importIds },
      github: github.value,
      ...(ecr.value.signing && {
        signingProfileArn: (args as Pick<TrustedDeliveryPipelineArgs, "signingProfileArn">)
          .signingProfileArn,
      }),
    },
  };
}
