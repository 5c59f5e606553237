import { BuilderIdentity, builderIdentity } from "../../components/verification";
import { isPlainObject, prefixProblems } from "../../components/problems";
import {
  githubTrustPolicy,
  IdentityConditions,
  isSubjectPattern,
  pipelineTrust,
} from "../../components/trustPolicy";
import {
  GitHubClaims,
  issuerOfProvider,
  stsAudience,
  SubjectContext,
} from "../../policy-pack/governance/github";
import { matches } from "../../policy-pack/iam/automaton";
import { parsePolicyDocument, PolicyDocument } from "../../policy-pack/iam/document";
import { compilePattern } from "../../policy-pack/iam/patterns";
import { decideToken, TokenDecision } from "../../policy-pack/iam/trust";
import { checkApp, ResolvedApp } from "../../programs/platform/config";
import { githubEvent } from "./events";
import {
  idsOfClaims,
  pullRequestTargetEvent,
  RunSubject,
  runContext,
  runSubjects,
  WorkflowRun,
} from "./run";

/** Where the app is declared, for messages. */
export interface ExplainedApp {
  readonly name: string;
  readonly stack: string;
  /** The stack file, as the user knows it. */
  readonly file: string;
  /** The stack's environment. */
  readonly environment: string;
  readonly app: ResolvedApp;
  /** The OIDC provider the push role trusts. */
  readonly providerArn: string;
  /**
   * The GitHub environments the project's other stacks declare, by repository: advice never
   * proposes one of them, which would let two stacks' roles trust each other's deployments.
   */
  readonly claimedElsewhere?: readonly {
    readonly file: string;
    readonly app: string;
    readonly repository: string;
    readonly environment: string;
  }[];
}

/** One subject of the run's token, and how the role's trust policy decides it. */
export interface TokenVerdict extends RunSubject {
  /** The token's claims besides `sub` and `aud` that the model was given. */
  readonly claims: GitHubClaims;
  readonly decision: TokenDecision;
  /** The trusted subject value that admits it, when one does. */
  readonly matchedBy?: { readonly value: string; readonly operator: "StringEquals" | "StringLike" };
}

/** What would admit a refused run, or why nothing should. */
export type Advice =
  | { readonly kind: "change"; readonly change: string }
  | { readonly kind: "must-not"; readonly reason: string }
  | { readonly kind: "run-differently"; readonly how: string }
  /** The change that would admit it, which the checks refuse. */
  | { readonly kind: "refused-change"; readonly reason: string };

export interface Explanation {
  readonly app: ExplainedApp;
  readonly run: WorkflowRun;
  readonly roleName: string;
  /**
   * Who a verifier of the app's images (the deploy gate, the admission policy) requires to have
   * built them: derived from the same settings as the role's trust.
   */
  readonly verifier: BuilderIdentity;
  readonly trusted: readonly string[];
  readonly tokens: readonly TokenVerdict[];
  /** The token GitHub issues: the immutable-id form when the app's ids are configured. */
  readonly issued: TokenVerdict;
  /**
   * What the run's event makes its token name, when that is not simply the run's own ref (a
   * pull request's runs, runs on the default branch), and so why the role admits it or not.
   */
  readonly event?: string;
  /** Why GitHub refuses the job before any token exists (an environment's deployment policy). */
  readonly environmentGate?: string;
  readonly admitted: boolean;
  /** The trusted subject nearest to the issued one, when refused. */
  readonly nearest?: string;
  readonly advice?: Advice;
  /** Things worth knowing whatever the verdict. */
  readonly notes: readonly string[];
}

/**
 * Whether a ref name matches a deployment policy pattern as GitHub matches them (Ruby's
 * `File.fnmatch` with `FNM_PATHNAME`): `*` and `?` stop at `/`, `**` crosses it.
 */
export function deploymentPatternMatches(pattern: string, name: string): boolean {
  let expression = "";
  for (let i = 0; i < pattern.length; i += 1) {
    const c = pattern[i];
    if (c === "*" && pattern[i + 1] === "*") {
      expression += ".*";
      i += 1;
    } else if (c === "*") {
      expression += "[^/]*";
    } else if (c === "?") {
      expression += "[^/]";
    } else {
      expression += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
    }
  }
  return new RegExp(`^${expression}$`).test(name);
}

function trustDocument(
  providerArn: string,
  subjects: readonly string[],
  conditions: IdentityConditions = {},
): PolicyDocument {
  const parsed = parsePolicyDocument(githubTrustPolicy(providerArn, subjects, conditions));
  if ("error" in parsed) {
    throw new Error(`the pipeline's trust policy does not parse: ${parsed.error}`);
  }
  return parsed;
}

function decide(
  document: PolicyDocument,
  providerArn: string,
  sub: string,
  claims: GitHubClaims = {},
): TokenDecision {
  return decideToken(document, {
    issuer: issuerOfProvider(providerArn),
    provider: providerArn,
    sub,
    aud: stsAudience,
    claims,
  });
}

/**
 * The claims of the run's token the model is given: its repository, its ids (given, or the
 * app's), its environment, and what the user gave; the model makes the rest consistent.
 */
function tokenClaims(
  run: WorkflowRun,
  ids: { readonly ownerId: number; readonly repositoryId: number } | undefined,
): GitHubClaims {
  return {
    repository: run.repository,
    ...(ids && {
      repository_id: String(ids.repositoryId),
      repository_owner_id: String(ids.ownerId),
    }),
    ...(run.environment !== undefined && { environment: run.environment }),
    ...run.claims,
  };
}

/** The trusted value that admits `sub`: exact values with StringEquals, patterns with StringLike. */
function matchedBy(trusted: readonly string[], sub: string): TokenVerdict["matchedBy"] {
  for (const value of trusted) {
    const like = isSubjectPattern(value);
    const compiled = compilePattern(value, { wildcards: like });
    if ("language" in compiled && matches(compiled.language, sub)) {
      return { value, operator: like ? "StringLike" : "StringEquals" };
    }
  }
  return undefined;
}

/** Edit distance, for the nearest expected subject. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      current[j] = Math.min(
        previous[j] + 1,
        current[j - 1] + 1,
        previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length];
}

function listed(values: readonly string[]): string {
  return `[${values.join(", ")}]`;
}

/**
 * A config change for the app entry, checked as the platform program will check it: the change
 * to make, or, when the checks refuse it, why it must not be made.
 */
function proposal(
  explained: ExplainedApp,
  describe: string,
  change: (github: Record<string, unknown>) => Record<string, unknown>,
  admitsRun: (subjects: readonly string[]) => boolean,
): Advice {
  const entry = explained.app.entry;
  const github = isPlainObject(entry.github) ? { ...entry.github } : {};
  // checkApp checks the proposed entry as it would any entry read from a stack file.
  const proposed = { ...entry, github: change(github) };
  const checked = checkApp(explained.name, explained.environment, proposed);
  if (checked.value === undefined) {
    const reasons = prefixProblems(`apps.${explained.name}`, checked.problems).map(
      (p) => p.message,
    );
    return { kind: "refused-change", reason: `${describe} is refused: ${reasons.join("; ")}` };
  }
  if (!admitsRun(checked.value.settings.github.subjects)) {
    return { kind: "refused-change", reason: `${describe} would still not admit this run` };
  }
  return {
    kind: "change",
    change: `in ${explained.file}, ${describe}; then pulumi up -s ${explained.stack}`,
  };
}

/** The environments whose deployment policy lets the run's ref deploy, by name. */
function environmentsAllowing(explained: ExplainedApp, ref: WorkflowRun["ref"]): string[] {
  const { environments, environmentProtection } = explained.app.settings.github;
  if (ref === undefined) {
    return [...environments];
  }
  const patterns =
    ref.kind === "branch"
      ? environmentProtection.deploymentBranches
      : environmentProtection.deploymentTags;
  return patterns.some((p) => deploymentPatternMatches(p, ref.name)) ? [...environments] : [];
}

/**
 * Explains how the app's push role decides a run: the subjects of the run's token, the trust
 * policy's decision on each (by the policy pack's model of IAM), whether an environment's
 * deployment policy stops the job first, and, when refused, the nearest subject the role expects
 * and the config change that would admit the run (checked as the program checks config), or why
 * none should.
 */
export function explainRun(explained: ExplainedApp, run: WorkflowRun): Explanation {
  const { settings, entry } = explained.app;
  const github = settings.github;
  const ownRepository = run.repository.toLowerCase() === github.repository.toLowerCase();
  const configured =
    entry.github.ownerId !== undefined && entry.github.repositoryId !== undefined
      ? { ownerId: entry.github.ownerId, repositoryId: entry.github.repositoryId }
      : undefined;
  const given = idsOfClaims(run.claims);
  // Ids given on the command line are the run's, in any repository; else the app's own.
  const ids = given ?? (ownRepository ? configured : undefined);
  // The trust as the pipeline makes it. With trust "id" and no ids configured, it looks them up
  // at deploy time: the ids given stand for what it would find (the repository's, by the user).
  const roleTrust = pipelineTrust(
    github,
    configured ?? (github.trust === "id" ? given : undefined),
  );
  const trusted = roleTrust.subjects;
  const document = trustDocument(explained.providerArn, trusted, roleTrust.conditions);
  const claims = tokenClaims(run, ids);
  const tokens: TokenVerdict[] = runSubjects(run, ids).map((subject) => {
    const decision = decide(document, explained.providerArn, subject.sub, claims);
    const match = decision.admitted ? matchedBy(trusted, subject.sub) : undefined;
    return { ...subject, claims, decision, ...(match && { matchedBy: match }) };
  });
  const issued = tokens[tokens.length - 1];
  const context = runContext(run);
  const { environmentGate, environmentNote } = deploymentGate(explained, run);
  const notes = [
    ...(environmentNote === undefined ? [] : [environmentNote]),
    ...runNotes(
      explained,
      run,
      issued,
      ownRepository && ids === undefined && github.trust !== "id",
    ),
    ...(github.trust === "id" && configured === undefined && given === undefined
      ? [
          `the role also requires repository_id and repository_owner_id to be ${github.repository}'s and its owner's GitHub ids, which the pipeline looks up at deploy time: give --repository-id and --owner-id to judge a run with them`,
        ]
      : []),
  ];

  const admitted = issued.decision.admitted && environmentGate === undefined;
  const event = eventExplanation(run, issued);
  const found = {
    app: explained,
    run,
    roleName: settings.roleName,
    verifier: builderIdentity(settings),
    trusted,
    tokens,
    issued,
    ...(event !== undefined && { event }),
  };
  if (admitted) {
    return { ...found, admitted, notes };
  }

  const nearest = [...trusted].sort(
    (a, b) => distance(a, issued.sub) - distance(b, issued.sub) || a.localeCompare(b),
  )[0];
  const refused: RefusedRun = {
    explained,
    run,
    issued,
    context,
    ownRepository,
    environmentGate,
    conditions: roleTrust.conditions,
  };
  return {
    ...found,
    ...(environmentGate !== undefined && { environmentGate }),
    admitted,
    nearest,
    advice: adviceFor(refused),
    notes,
  };
}

/**
 * What the run's event makes its token name, when not the run's own ref: a pull request's
 * merge ref has no branch or tag to name, so its token says `pull_request`; an event that runs
 * on the default branch (`pull_request_target`, `schedule`, `issue_comment`, ...) gets the
 * subject of that branch, the same as a push to it, so a role that trusts the branch admits it.
 */
function eventExplanation(run: WorkflowRun, issued: TokenVerdict): string | undefined {
  const known = githubEvent(run.event);
  const environment =
    run.environment === undefined
      ? ""
      : `, and a job that names an environment gets the environment's instead`;
  const verdict = issued.decision.admitted
    ? "the role trusts that subject, so it admits the run"
    : "the role does not trust that subject";
  if (known?.ref === "pull request") {
    return `${run.event} runs on the pull request's merge ref (refs/pull/<number>/merge), which is no branch or tag: its token's sub says pull_request, whatever the branches${environment}: sub "${issued.sub}"; ${verdict}`;
  }
  if (known?.ref === "default branch") {
    const where =
      run.event === pullRequestTargetEvent
        ? "the default branch's workflow (GitHub Enterprise Server before 3.20: the base branch's), in that branch's context, for pull requests from any branch or fork"
        : "the default branch's workflow at its latest commit";
    return `${run.event} runs ${where}; its token names that branch, as a push to it would${environment}: sub "${issued.sub}" (--ref must be that branch); ${verdict}`;
  }
  return undefined;
}

/**
 * Whether the deployment policy of the environment the run names stops the job before GitHub
 * issues any token; without a ref to judge, a note of which refs it lets deploy.
 */
function deploymentGate(
  explained: ExplainedApp,
  run: WorkflowRun,
): { environmentGate?: string; environmentNote?: string } {
  const github = explained.app.settings.github;
  if (run.environment === undefined || !github.environments.includes(run.environment)) {
    return {};
  }
  const protection = github.environmentProtection;
  const patterns = [
    ...protection.deploymentBranches.map((p) => `branch ${p}`),
    ...protection.deploymentTags.map((p) => `tag ${p}`),
  ];
  if (run.ref === undefined) {
    return {
      environmentNote: `environment ${run.environment} lets jobs deploy from ${patterns.join(", ") || "no ref at all"}; GitHub stops a job from any other ref before it gets a token`,
    };
  }
  if (environmentsAllowing(explained, run.ref).length === 0) {
    return {
      environmentGate: `GitHub stops the job before it gets a token: environment ${run.environment} deploys from ${patterns.join(", ") || "no ref at all"}, and ${run.ref.kind} ${run.ref.name} is none of them`,
    };
  }
  return {};
}

/**
 * Things worth knowing whatever the verdict: the risks of pull request events, immutable
 * subject claims the role would refuse (`idsUnknown`: the app's own repository, its ids not
 * configured), and what the model could not evaluate.
 */
function runNotes(
  explained: ExplainedApp,
  run: WorkflowRun,
  issued: TokenVerdict,
  idsUnknown: boolean,
): string[] {
  const repository = explained.app.settings.github.repository;
  const notes: string[] = [];
  const risk = githubEvent(run.event)?.risk;
  if (risk !== undefined) {
    // Whether admitted now or by the change advised: the event's subject is the branch's.
    notes.push(`${run.event} needs care wherever a role admits it: ${risk}`);
  }
  if (idsUnknown && issued.decision.admitted) {
    notes.push(
      `if ${repository} uses immutable subject claims (repositories created after 2026-06-18, or opted in), its tokens name it by id (repo:<owner>@<ownerId>/<name>@<repositoryId>:...) and this role refuses them: set github.ownerId and github.repositoryId (gh api repos/${repository} --jq '{ownerId: .owner.id, repositoryId: .id}')`,
    );
  }
  if (githubEvent(run.event)?.ref === "pull request" && runContext(run).kind === "environment") {
    notes.push(
      "a pull request's job that names an environment gets the environment's subject, not pull_request: the environment's deployment policy alone keeps pull requests from deploying, so never let a pull request's ref deploy to it",
    );
  }
  if (issued.decision.assumptions.length > 0) {
    notes.push(`the model could not evaluate ${issued.decision.assumptions.join(", ")}`);
  }
  return notes;
}

/** A run the role refuses, with what advice about it depends on. */
interface RefusedRun {
  readonly explained: ExplainedApp;
  readonly run: WorkflowRun;
  /** The token GitHub issues. */
  readonly issued: TokenVerdict;
  readonly context: SubjectContext;
  /** Whether the run is in the app's own repository (not a fork, not another repository). */
  readonly ownRepository: boolean;
  readonly environmentGate?: string;
  /** The trust's conditions besides `sub` and `aud` (ids, reusable workflows). */
  readonly conditions: IdentityConditions;
}

/**
 * What would admit a refused run, or why nothing should: never another repository or a pull
 * request; else the deployment policy, the environments, or the refs the role trusts.
 */
function adviceFor(refused: RefusedRun): Advice {
  const { explained, run, context } = refused;
  const github = explained.app.settings.github;
  if (!refused.ownRepository) {
    return {
      kind: "must-not",
      reason: `the role pushes to ${explained.app.settings.repositoryName} for ${github.repository} only; a run of ${run.repository} (a fork, or another repository) must never assume it: give that repository its own app (trusted-delivery add-app) if it needs a registry`,
    };
  }
  if (refused.environmentGate !== undefined) {
    return deploymentPolicyAdvice(explained, run.ref!);
  }
  if (context.kind === "pull_request") {
    return {
      kind: "must-not",
      reason:
        "a pull request's run builds code nobody has reviewed yet (from any branch, or from a fork), so it must never push images: build and test pull requests without AWS credentials, and push from the branch once merged (on: push)",
    };
  }
  const admitsIssued = (subjects: readonly string[]) =>
    decide(
      trustDocument(explained.providerArn, subjects, refused.conditions),
      explained.providerArn,
      refused.issued.sub,
      refused.issued.claims,
    ).admitted;
  if (context.kind === "environment") {
    return environmentAdvice(explained, context.name, admitsIssued);
  }
  if (github.environments.length > 0 && github.branches.length + github.tags.length === 0) {
    const allowing = environmentsAllowing(explained, run.ref);
    return allowing.length > 0
      ? {
          kind: "run-differently",
          how: `the role trusts jobs in environment ${github.environments.join(" or ")} only: run the job there (jobs.<job>.environment: ${allowing[0]}), as the generated workflow does`,
        }
      : {
          kind: "run-differently",
          how: `the role trusts jobs in environment ${github.environments.join(" or ")} only, which ${context.kind} ${context.name} may not deploy to: deploy from a ref the environment allows (github.environmentProtection), in a job that names it`,
        };
  }
  const field = context.kind === "branch" ? "branches" : "tags";
  const current = context.kind === "branch" ? github.branches : github.tags;
  return proposal(
    explained,
    `set github.${field} of app ${explained.name} to ${listed([...current, context.name])}`,
    (g) => ({ ...g, [field]: [...current, context.name] }),
    admitsIssued,
  );
}

/** Let the run's ref deploy to the environment: add it to the deployment policy's refs. */
function deploymentPolicyAdvice(
  explained: ExplainedApp,
  ref: NonNullable<WorkflowRun["ref"]>,
): Advice {
  const protection = explained.app.settings.github.environmentProtection;
  const field = ref.kind === "branch" ? "deploymentBranches" : "deploymentTags";
  const current = ref.kind === "branch" ? protection.deploymentBranches : protection.deploymentTags;
  return proposal(
    explained,
    `set github.environmentProtection.${field} of app ${explained.name} to ${listed([...current, ref.name])}`,
    (g) => ({
      ...g,
      environmentProtection: {
        ...(isPlainObject(g.environmentProtection) ? g.environmentProtection : {}),
        [field]: [...current, ref.name],
      },
    }),
    () => true,
  );
}

/**
 * Trust the environment the run's job names: add it to the app's environments, or, for an app
 * trusting refs until now, make it the one environment, which those refs may deploy to.
 */
function environmentAdvice(
  explained: ExplainedApp,
  environment: string,
  admitsIssued: (subjects: readonly string[]) => boolean,
): Advice {
  const github = explained.app.settings.github;
  const claim = explained.claimedElsewhere?.find(
    (c) =>
      c.repository.toLowerCase() === github.repository.toLowerCase() &&
      c.environment.toLowerCase() === environment.toLowerCase(),
  );
  if (claim !== undefined) {
    return {
      kind: "refused-change",
      reason: `environment ${environment} of ${github.repository} is declared in ${claim.file} (app ${claim.app}); one GitHub environment belongs to one stack, or each stack's push role would trust the other's deployments`,
    };
  }
  if (github.environments.length > 0) {
    return proposal(
      explained,
      `set github.environments of app ${explained.name} to ${listed([...github.environments, environment])} (the pipeline creates and protects it)`,
      (g) => ({ ...g, environments: [...github.environments, environment] }),
      admitsIssued,
    );
  }
  // Environments replace branches and tags as the role's subjects: the refs that pushed until
  // now become the refs that may deploy to the environment.
  const moved = [
    ...(github.branches.length > 0 ? [`branches ${listed(github.branches)}`] : []),
    ...(github.tags.length > 0 ? [`tags ${listed(github.tags)}`] : []),
  ];
  return proposal(
    explained,
    `set github.environments of app ${explained.name} to [${environment}] (the pipeline creates and protects it)${moved.length > 0 ? ` and move its ${moved.join(" and ")} to github.environmentProtection (deploymentBranches, deploymentTags): the role then trusts only jobs in that environment, which those refs may deploy to` : ""}`,
    (g) => {
      const rest = Object.fromEntries(
        Object.entries(g).filter(([key]) => key !== "branches" && key !== "tags"),
      );
      return {
        ...rest,
        environments: [environment],
        environmentProtection: {
          ...(isPlainObject(g.environmentProtection) ? g.environmentProtection : {}),
          deploymentBranches: [...github.branches],
          deploymentTags: [...github.tags],
        },
      };
    },
    admitsIssued,
  );
}
