import {
  defaultAttestations,
  defaultBranches,
  defaultCommitWorkflow,
  defaultEnvironmentProtection,
  defaultRegionVariableName,
  defaultRepositoryUrlVariableName,
  defaultRoleSecretName,
  tierRegistryFindingsGates,
  tierVulnerabilityGates,
} from "../defaults";
import { isGitHubRepository } from "../../policy-pack/governance/github";
import {
  booleanProblem,
  githubEnvironmentProblem,
  githubNameProblem,
  isEnvironment,
  refNameCheck,
} from "../formats";
import {
  buildPushWorkflowPath,
  defaultSigningProfileVariableName,
  pipelineChildNames,
} from "../names";
import {
  EnvironmentProtection,
  GitHubRepositoryAccess,
  GitHubVariableNames,
} from "../pipelineArgs";
import type { PipelineSettings } from "../pipelineSettings";
import {
  Checked,
  checked,
  Fields,
  fieldNames,
  isPlainObject,
  Problem,
  problem,
  stringList,
  unknownKeys,
} from "../problems";
import { isRiskLevel } from "../riskTiers";
import { pipelineTrust } from "../trustPolicy";
import { checkTrust, ResolvedTrust } from "./githubTrust";
import { isVulnerabilitySeverity, vulnerabilitySeverities } from "../vulnerabilityGate";

/** The key list of its interface, tied to it by the compiler. */
export const githubFields = {
  repository: true,
  branches: true,
  tags: true,
  environments: true,
  environmentProtection: true,
  commitWorkflow: true,
  attestations: true,
  vulnerabilityGate: true,
  registryFindingsGate: true,
  secretName: true,
  variableNames: true,
  ownerId: true,
  repositoryId: true,
  trust: true,
  workflows: true,
} as const satisfies Fields<GitHubRepositoryAccess>;

/** The key list of its interface, tied to it by the compiler. */
export const protectionFields = {
  reviewerUsers: true,
  reviewerTeams: true,
  preventSelfReview: true,
  deploymentBranches: true,
  deploymentTags: true,
  waitTimer: true,
} as const satisfies Fields<EnvironmentProtection>;

/** The key list of its interface, tied to it by the compiler. */
export const variableNameFields = {
  repositoryUrl: true,
  region: true,
} as const satisfies Fields<GitHubVariableNames>;

/** The tiers' gates in words: `"CRITICAL" for high, no scan for low and medium`. */
function tierGatesText(
  gates: Readonly<Record<string, string | undefined>> = tierVulnerabilityGates,
): string {
  const byGate = new Map<string, string[]>();
  for (const [risk, gate] of Object.entries(gates)) {
    const text = gate === undefined ? "no scan" : `"${gate}"`;
    byGate.set(text, [...(byGate.get(text) ?? []), risk]);
  }
  return [...byGate]
    .sort(([a], [b]) => Number(a === "no scan") - Number(b === "no scan"))
    .map(([text, risks]) => `${text} for ${risks.join(" and ")}`)
    .join(", ");
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

function checkEnvironmentProtection(
  protection: unknown,
  withEnvironments: boolean,
): Checked<PipelineSettings["github"]["environmentProtection"]> {
  const field = "github.environmentProtection";
  const given = protection ?? {};
  if (!isPlainObject(given)) {
    return {
      problems: [
        problem(
          field,
          protection,
          `must be an object with any of ${fieldNames(protectionFields).join(", ")}`,
        ),
      ],
    };
  }
  const problems: Problem[] = unknownKeys(field, given, fieldNames(protectionFields));
  if (protection !== undefined && !withEnvironments) {
    problems.push(
      problem(
        field,
        protection,
        "is only used with github.environments, which the pipeline then creates",
      ),
    );
  }
  for (const key of ["reviewerUsers", "reviewerTeams"] as const) {
    const ids = given[key];
    if (
      ids !== undefined &&
      (!Array.isArray(ids) || !ids.every((id) => Number.isSafeInteger(id) && id > 0))
    ) {
      problems.push(problem(`${field}.${key}`, ids, "must be a list of GitHub's numeric ids"));
    }
  }
  const selfReview = booleanProblem(`${field}.preventSelfReview`, given.preventSelfReview);
  if (selfReview) {
    problems.push(selfReview);
  }
  problems.push(
    ...stringList(`${field}.deploymentBranches`, given.deploymentBranches, refNameCheck("branch"))
      .problems,
    ...stringList(`${field}.deploymentTags`, given.deploymentTags, refNameCheck("tag")).problems,
  );
  if (
    withEnvironments &&
    Array.isArray(given.deploymentBranches) &&
    given.deploymentBranches.length === 0 &&
    (!Array.isArray(given.deploymentTags) || given.deploymentTags.length === 0)
  ) {
    problems.push(
      problem(
        `${field}.deploymentBranches`,
        [],
        "must name at least one branch, or deploymentTags a tag: otherwise nothing can deploy",
      ),
    );
  }
  const wait = given.waitTimer;
  if (
    wait !== undefined &&
    !(Number.isSafeInteger(wait) && (wait as number) >= 0 && (wait as number) <= 43200)
  ) {
    problems.push(
      problem(`${field}.waitTimer`, wait, "must be whole minutes from 0 to 43200 (30 days)"),
    );
  }
  const settings = given as EnvironmentProtection;
  const defaults = defaultEnvironmentProtection;
  return checked(problems, () => ({
    reviewerUsers: settings.reviewerUsers ?? defaults.reviewerUsers,
    reviewerTeams: settings.reviewerTeams ?? defaults.reviewerTeams,
    preventSelfReview: settings.preventSelfReview ?? defaults.preventSelfReview,
    deploymentBranches: settings.deploymentBranches ?? defaults.deploymentBranches,
    deploymentTags: settings.deploymentTags ?? defaults.deploymentTags,
    waitTimer: settings.waitTimer ?? defaults.waitTimer,
  }));
}

/**
 * The GitHub side, checked and resolved: the one repository, the branches, tags or deployment
 * environments that may push (and so the trust policy's subjects), the environments'
 * protection, the secret and variable names, which carry the stack's environment, and what the
 * build-and-push workflow does (attestations, the vulnerability gate, whose default is the risk
 * tier's). `environment` is the stack's and `risk` the metadata's; either may be invalid
 * (reported with them).
 */
export function checkGitHub(
  github: unknown,
  environment: unknown,
  risk: unknown,
): Checked<PipelineSettings["github"]> {
  if (!isPlainObject(github)) {
    return {
      problems: [
        problem(
          "github",
          github,
          'must be an object with repository ("owner/name") and branches, tags or environments',
        ),
      ],
    };
  }
  const problems: Problem[] = unknownKeys("github", github, fieldNames(githubFields));
  const repository = checkRepository(github.repository);
  const refs = checkPushRefs(github);
  const protection = checkEnvironmentProtection(
    github.environmentProtection,
    refs.withEnvironments,
  );
  const trust = checkTrust(github);
  problems.push(
    ...repository.problems,
    ...refs.problems,
    ...protection.problems,
    ...workflowProblems(github),
    ...secretAndVariableNameProblems(github, environment),
    ...githubIdProblems(github),
    ...trust.problems,
  );
  if (!isEnvironment(environment) || repository.value === undefined) {
    // The environment is reported with the pipeline; names derive from it. An invalid
    // repository is among the problems.
    return { problems };
  }
  // Every field read from here on was checked above, and `checked` resolves only without problems.
  const settings = github as Partial<GitHubRepositoryAccess>;
  const repositoryName = repository.value;
  return checked(problems, () =>
    resolveGitHub(settings, repositoryName, refs, protection.value!, trust.value!, {
      environment,
      risk,
    }),
  );
}

/** The one repository that may push, as `owner/name` without wildcards. */
function checkRepository(repository: unknown): Checked<string> {
  if (typeof repository !== "string" || !isGitHubRepository(repository)) {
    return {
      problems: [
        problem(
          "github.repository",
          repository,
          'must be one GitHub repository as "owner/name" (no wildcards), e.g. "acme/payments-api"',
        ),
      ],
    };
  }
  return { value: repository, problems: [] };
}

/** The refs and environments that may push, checked: they become the trust policy's subjects. */
interface PushRefs {
  readonly branches: readonly string[];
  readonly tags: readonly string[];
  readonly environments: readonly string[];
  /** Whether github.environments names any: then jobs in them push, not branches or tags. */
  readonly withEnvironments: boolean;
  readonly problems: readonly Problem[];
}

/**
 * The branches, tags and environments that may push: each valid, environments distinct as
 * resource names, not branches or tags beside environments, and at least one of them.
 *
 * An environment may have any name GitHub accepts that the pipeline can carry safely; it need
 * not hold the stack's environment (a `prod` stack may use `production`). GitHub documents only
 * that an environment name has at most 255 characters, is compared without case and is unique
 * in its repository ("Managing environments for deployment", docs.github.com); it documents no
 * character set. So the characters stay the conservative set of `githubEnvironmentProblem`
 * (letters, digits, `_ . -` and single spaces): a name reaches the trust policy's subject (where
 * `*` and `${` mean something to IAM), Pulumi resource names and GitHub's URL paths. Two stacks
 * of a project declaring one environment of one repository is checked across the stack files
 * (`cli/workspace/environmentClaims.ts`): one pipeline sees one stack only.
 */
function checkPushRefs(github: Record<string, unknown>): PushRefs {
  const environments = stringList("github.environments", github.environments, (item, field) =>
    githubEnvironmentProblem(field, item, undefined),
  );
  const problems: Problem[] = environmentCollisions(github.environments, environments.items);
  const withEnvironments = Array.isArray(github.environments) && github.environments.length > 0;
  const branches = stringList(
    "github.branches",
    github.branches ?? defaultBranches(withEnvironments ? (github.environments as string[]) : []),
    refNameCheck("branch"),
  );
  const tags = stringList("github.tags", github.tags, refNameCheck("tag"));
  problems.push(...branches.problems, ...tags.problems, ...environments.problems);
  if (withEnvironments) {
    problems.push(...refsBesideEnvironments(github));
  }
  const subjectLists = [branches, tags, environments];
  if (subjectLists.every((list) => list.items.length === 0 && list.problems.length === 0)) {
    problems.push(
      problem(
        "github",
        {
          branches: github.branches ?? defaultBranches([]),
          tags: github.tags ?? [],
          environments: github.environments ?? [],
        },
        "must give at least one branch, tag or environment: otherwise no workflow can assume the push role",
      ),
    );
  }
  return {
    branches: branches.items,
    tags: tags.items,
    environments: environments.items,
    withEnvironments,
    problems,
  };
}

/** Environments become child resources named after them: two that name the same child collide. */
function environmentCollisions(given: unknown, environments: readonly string[]): Problem[] {
  const problems: Problem[] = [];
  const childOf = new Map<string, string>();
  for (const item of environments) {
    const child = pipelineChildNames("").environment(item);
    const other = childOf.get(child);
    if (other !== undefined && other !== item) {
      problems.push(
        problem(
          "github.environments",
          given,
          `must name distinct environments: "${other}" and "${item}" are the same resource name once lower-cased, with spaces as hyphens (GitHub also compares environment names without case)`,
        ),
      );
    } else {
      childOf.set(child, item);
    }
  }
  return problems;
}

/** With environments, only jobs in them may push: branches and tags beside them are refused. */
function refsBesideEnvironments(github: Record<string, unknown>): Problem[] {
  const problems: Problem[] = [];
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
  return problems;
}

/** What the build-and-push workflow does: commitWorkflow, attestations, the vulnerability gate. */
function workflowProblems(github: Record<string, unknown>): Problem[] {
  const problems: Problem[] = [];
  for (const key of ["commitWorkflow", "attestations"] as const) {
    const booleanIssue = booleanProblem(`github.${key}`, github[key]);
    if (booleanIssue) {
      problems.push(booleanIssue);
    }
  }
  if (
    github.vulnerabilityGate !== undefined &&
    !isVulnerabilitySeverity(github.vulnerabilityGate)
  ) {
    problems.push(
      problem(
        "github.vulnerabilityGate",
        github.vulnerabilityGate,
        `must be one of Trivy's severities ${vulnerabilitySeverities.map((s) => `"${s}"`).join(", ")}: the lowest that fails the scan, e.g. "HIGH"; left unset, the risk tier decides (${tierGatesText()})`,
      ),
    );
  }
  if (
    github.registryFindingsGate !== undefined &&
    !isVulnerabilitySeverity(github.registryFindingsGate)
  ) {
    problems.push(
      problem(
        "github.registryFindingsGate",
        github.registryFindingsGate,
        `must be one of ${vulnerabilitySeverities.map((s) => `"${s}"`).join(", ")}: the lowest severity of the registry's scan findings that fails the gates, e.g. "HIGH"; left unset, the risk tier decides (${tierGatesText(tierRegistryFindingsGates).replace(/no scan/g, "no gate")})`,
      ),
    );
  }
  return problems;
}

/** The secret and variable names the pipeline writes: GitHub names carrying the environment. */
function secretAndVariableNameProblems(
  github: Record<string, unknown>,
  environment: unknown,
): Problem[] {
  const problems: Problem[] = [];
  if (github.secretName !== undefined) {
    const nameProblem = githubNameProblem("github.secretName", github.secretName, environment);
    if (nameProblem) {
      problems.push(nameProblem);
    }
  }
  if (github.variableNames === undefined) {
    return problems;
  }
  if (!isPlainObject(github.variableNames)) {
    problems.push(
      problem(
        "github.variableNames",
        github.variableNames,
        "must be an object with repositoryUrl and region",
      ),
    );
    return problems;
  }
  problems.push(
    ...unknownKeys("github.variableNames", github.variableNames, fieldNames(variableNameFields)),
  );
  for (const key of fieldNames(variableNameFields)) {
    const value = github.variableNames[key];
    const nameProblem =
      value === undefined
        ? undefined
        : githubNameProblem(`github.variableNames.${key}`, value, environment);
    if (nameProblem) {
      problems.push(nameProblem);
    }
  }
  return problems;
}

/** GitHub's numeric owner and repository ids: positive integers, given both or neither. */
function githubIdProblems(github: Record<string, unknown>): Problem[] {
  const problems: Problem[] = [];
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

/** The checked GitHub settings with every default applied, and the trust policy's subjects. */
function resolveGitHub(
  settings: Partial<GitHubRepositoryAccess>,
  repository: string,
  refs: PushRefs,
  environmentProtection: PipelineSettings["github"]["environmentProtection"],
  trust: ResolvedTrust,
  { environment, risk }: { readonly environment: string; readonly risk: unknown },
): PipelineSettings["github"] {
  const [owner, name] = repository.split("/");
  const resolvedEnvironments = unique(refs.environments);
  const resolvedBranches = unique(refs.branches);
  const resolvedTags = unique(refs.tags);
  // Checked: both ids or neither.
  const ids =
    settings.ownerId === undefined || settings.repositoryId === undefined
      ? undefined
      : { ownerId: settings.ownerId, repositoryId: settings.repositoryId };
  const trusted = pipelineTrust(
    {
      repository,
      branches: resolvedBranches,
      tags: resolvedTags,
      environments: resolvedEnvironments,
      ...trust,
    },
    ids,
  );
  return {
    repository,
    owner,
    name,
    branches: resolvedBranches,
    tags: resolvedTags,
    environments: resolvedEnvironments,
    environmentProtection,
    subjects: trusted.subjects,
    ids,
    trust: trust.trust,
    workflows: trust.workflows,
    commitWorkflow: settings.commitWorkflow ?? defaultCommitWorkflow,
    attestations: settings.attestations ?? defaultAttestations,
    // An invalid risk is reported with the metadata, and then these settings are not used.
    vulnerabilityGate:
      settings.vulnerabilityGate ?? (isRiskLevel(risk) ? tierVulnerabilityGates[risk] : undefined),
    registryFindingsGate:
      settings.registryFindingsGate ??
      (isRiskLevel(risk) ? tierRegistryFindingsGates[risk] : undefined),
    signingProfileVariableName: defaultSigningProfileVariableName(environment),
    workflowPath: buildPushWorkflowPath(environment),
    secretName: settings.secretName ?? defaultRoleSecretName(environment),
    repositoryUrlVariableName:
      settings.variableNames?.repositoryUrl ?? defaultRepositoryUrlVariableName(environment),
    regionVariableName: settings.variableNames?.region ?? defaultRegionVariableName(environment),
  };
}
