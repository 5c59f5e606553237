import { pipelineFinder } from "../core/programResources";
import { attributesFromProgram, RegistryAttributeValues } from "../registry/attributes";
import { isSubjectPattern } from "../../components/trustPolicy";
import { awsTypes, githubTypes, pulumiTypes } from "../../policy-pack/governance/typeTokens";
import { LogMessage, OfflineRun, RegisteredResource } from "./capture";

/**
 * The offline plan as data: what a run of the program would do, per app. Everything in it is
 * plain data, so it can be printed ({@link formatPlan}), compared, or written as JSON.
 */

/** What the program would do to one resource: create it, or adopt an existing one. */
export type PlanAction = "create" | "import";

export interface PlanResource {
  readonly action: PlanAction;
  readonly type: string;
  readonly name: string;
  readonly protect: boolean;
  /** The existing resource's ID, when adopted. */
  readonly importId?: string;
  /** An IAM OIDC provider's issuer URL and audiences. */
  readonly openIdConnect?: { readonly url: string; readonly audiences: readonly string[] };
  /** A GitHub provider's owner. */
  readonly githubOwner?: string;
  /** A registry scanning configuration's type and rules. */
  readonly registryScanning?: {
    readonly scanType: string;
    readonly rules: readonly { readonly frequency: string; readonly filters: readonly string[] }[];
  };
}

export interface TrustSubject {
  readonly subject: string;
  /** `StringEquals` for exact subjects, `StringLike` for patterns. */
  readonly operator: "StringEquals" | "StringLike";
}

/** One condition of the push role's trust on a claim other than `sub` and `aud`. */
export interface TrustClaimCondition {
  /** The claim, without its issuer: `repository_id`, `job_workflow_ref`, ... */
  readonly claim: string;
  readonly operator: string;
  readonly values: readonly string[];
}

/** The trust policy's conditions on claims other than `sub` and `aud`, once each. */
export function trustClaimConditions(assumeRolePolicy: unknown): TrustClaimCondition[] {
  let document: unknown = assumeRolePolicy;
  if (typeof document === "string") {
    try {
      document = JSON.parse(document);
    } catch {
      return [];
    }
  }
  const statements = (document as { Statement?: unknown } | undefined)?.Statement;
  const found = new Map<string, TrustClaimCondition>();
  for (const statement of Array.isArray(statements) ? statements : []) {
    const condition = (statement as { Condition?: Record<string, Record<string, unknown>> })
      .Condition;
    for (const [operator, entries] of Object.entries(condition ?? {})) {
      for (const [key, value] of Object.entries(entries ?? {})) {
        const claim = key.slice(key.lastIndexOf(":") + 1);
        if (claim === "sub" || claim === "aud") {
          continue;
        }
        const values = (Array.isArray(value) ? value : [value]).map(String);
        found.set(`${operator} ${claim} ${values.join(",")}`, { claim, operator, values });
      }
    }
  }
  return [...found.values()];
}

/**
 * A registry as the plan shows it: the attribute table's values (`cli/registry/attributes.ts`;
 * every tag it carries in `tagsAll`, the provider's default tags with its own), whether it is
 * protected, and its lifecycle rule.
 */
export interface PlanRegistry extends Omit<RegistryAttributeValues, "tags"> {
  readonly protect: boolean;
  /** The lifecycle rule's description, when it has a lifecycle policy. */
  readonly lifecycleRule?: string;
}

/** A GitHub deployment environment the pipeline creates, and how it is protected. */
export interface PlanEnvironment {
  readonly name: string;
  /** `team <id>` and `user <id>`. */
  readonly reviewers: readonly string[];
  readonly preventSelfReview: boolean;
  /** `branch <pattern>` and `tag <pattern>`. */
  readonly deploysFrom: readonly string[];
  /** Minutes to wait before a deployment; 0 for none. */
  readonly waitTimer: number;
}

export interface PlanSecret {
  readonly name: string;
  /** The deployment environment it belongs to; undefined for a repository secret. */
  readonly environment?: string;
}

/** One application: its pipeline and what the pipeline registered. */
export interface PlanApp {
  readonly name: string;
  readonly resources: readonly PlanResource[];
  /** The pipeline's governance metadata, from its registered outputs. */
  readonly metadata?: { readonly id: string; readonly owner: string; readonly risk: string };
  readonly registry?: PlanRegistry;
  readonly role?: {
    readonly name: string;
    readonly subjects: readonly TrustSubject[];
    /** The trust's conditions on GitHub's other claims (ids, reusable workflows), as written. */
    readonly claims?: readonly TrustClaimCondition[];
  };
  readonly environments: readonly PlanEnvironment[];
  /** The signing profile ECR managed signing signs the app's images with, when they are signed. */
  readonly signingProfileArn?: string;
  readonly github?: {
    readonly repository: string;
    readonly secrets: readonly PlanSecret[];
    readonly variables: readonly string[];
  };
}

export interface Plan {
  readonly project: string;
  readonly stack: string;
  /** The stack file, relative to the project root. */
  readonly file: string;
  /** The stack's environment (its `environment` output), or the stack's name. */
  readonly environment: string;
  readonly region: string;
  readonly accountId: string;
  /** Resources outside any app. */
  readonly shared: readonly PlanResource[];
  readonly apps: readonly PlanApp[];
  /** What the program logged. */
  readonly logs: readonly LogMessage[];
}

/** Where the plan ran: the stack and the placeholders the mocks stood in with. */
export interface PlanContext {
  readonly project: string;
  readonly stack: string;
  readonly file: string;
  readonly region: string;
  readonly accountId: string;
}

/** The plan of an offline run: what it registered, grouped by app. */
export function planModel(context: PlanContext, run: OfflineRun): Plan {
  return {
    ...context,
    environment: String(run.outputs.environment ?? context.stack),
    ...groupByApp(run.resources),
    logs: run.logs,
  };
}

function planResource(resource: RegisteredResource): PlanResource {
  const { inputs } = resource;
  return {
    action: resource.importId ? "import" : "create",
    type: resource.type,
    name: resource.name,
    protect: resource.protect,
    ...(resource.importId && { importId: resource.importId }),
    ...(resource.type === awsTypes.iamOidcProvider && {
      openIdConnect: { url: String(inputs.url), audiences: [...(inputs.clientIdLists ?? [])] },
    }),
    ...(resource.type === githubTypes.provider && { githubOwner: String(inputs.owner) }),
    ...(resource.type === awsTypes.ecrRegistryScanningConfiguration && {
      registryScanning: {
        scanType: String(inputs.scanType ?? "BASIC"),
        rules: (inputs.rules ?? []).map(
          (rule: { scanFrequency?: string; repositoryFilters?: { filter?: string }[] }) => ({
            frequency: String(rule.scanFrequency),
            filters: (rule.repositoryFilters ?? []).map((f) => String(f.filter)),
          }),
        ),
      },
    }),
  };
}

function groupByApp(resources: readonly RegisteredResource[]): {
  shared: PlanResource[];
  apps: PlanApp[];
} {
  const pipelineOf = pipelineFinder(resources);
  const shared: PlanResource[] = [];
  const members = new Map<RegisteredResource, RegisteredResource[]>();
  for (const resource of resources) {
    if (resource.type === pulumiTypes.stack) {
      continue;
    }
    const pipeline = pipelineOf(resource);
    if (pipeline === undefined) {
      shared.push(planResource(resource));
    } else {
      const own = members.get(pipeline);
      if (own === undefined) {
        members.set(pipeline, [resource]);
      } else {
        own.push(resource);
      }
    }
  }
  return {
    shared,
    apps: [...members].map(([pipeline, own]) => describeApp(pipeline, own.sort(byConstruction))),
  };
}

/** A component's children in the order its constructor creates them, which registration is not. */
function byConstruction(a: RegisteredResource, b: RegisteredResource): number {
  const [pa, pb] = [a.sourcePosition, b.sourcePosition];
  if (a.custom !== b.custom) {
    return a.custom ? 1 : -1;
  }
  return pa && pb && pa.uri === pb.uri ? pa.line - pb.line : 0;
}

function parseJson(text: unknown): any {
  try {
    return typeof text === "string" ? JSON.parse(text) : text;
  } catch {
    return undefined;
  }
}

function describeEnvironment(
  environment: RegisteredResource,
  policies: readonly RegisteredResource[],
): PlanEnvironment {
  const { inputs } = environment;
  const name = String(inputs.environment);
  return {
    name,
    reviewers: (inputs.reviewers ?? []).flatMap((r: { users?: number[]; teams?: number[] }) => [
      ...(r.teams ?? []).map((t) => `team ${t}`),
      ...(r.users ?? []).map((u) => `user ${u}`),
    ]),
    preventSelfReview: inputs.preventSelfReview === true,
    deploysFrom: policies
      .filter((p) => p.inputs.environment === name)
      .map((p) =>
        p.inputs.branchPattern ? `branch ${p.inputs.branchPattern}` : `tag ${p.inputs.tagPattern}`,
      ),
    waitTimer: Number(inputs.waitTimer ?? 0),
  };
}

function describeRegistry(
  repository: RegisteredResource,
  lifecycle: RegisteredResource | undefined,
): PlanRegistry {
  const lifecycleRule = parseJson(lifecycle?.inputs.policy)?.rules?.[0]?.description;
  const { tags: _own, ...shown } = attributesFromProgram(repository);
  return {
    ...shown,
    protect: repository.protect,
    ...(typeof lifecycleRule === "string" && { lifecycleRule }),
  };
}

function describeApp(pipeline: RegisteredResource, own: RegisteredResource[]): PlanApp {
  const ofType = (...types: string[]) => own.filter((r) => types.includes(r.type));
  const [repository] = ofType(awsTypes.ecrRepository);
  const [lifecycle] = ofType(awsTypes.ecrLifecyclePolicy);
  const [role] = ofType(awsTypes.iamRole);
  const secrets = ofType(githubTypes.actionsSecret, githubTypes.actionsEnvironmentSecret);
  const variables = ofType(githubTypes.actionsVariable, githubTypes.actionsEnvironmentVariable);
  const policies = ofType(githubTypes.repositoryEnvironmentDeploymentPolicy);
  const { metadata, subjects, githubRepository, signingProfileArn } = pipeline.outputs;
  return {
    name: pipeline.name,
    resources: own.map(planResource),
    ...(metadata && {
      metadata: {
        id: String(metadata.id),
        owner: String(metadata.owner),
        risk: String(metadata.risk),
      },
    }),
    environments: ofType(githubTypes.repositoryEnvironment).map((e) =>
      describeEnvironment(e, policies),
    ),
    ...(repository && { registry: describeRegistry(repository, lifecycle) }),
    ...(typeof signingProfileArn === "string" && { signingProfileArn }),
    ...(role &&
      Array.isArray(subjects) && {
        role: {
          name: String(role.inputs.name),
          subjects: subjects.map((subject: string): TrustSubject => ({
            subject,
            operator: isSubjectPattern(subject) ? "StringLike" : "StringEquals",
          })),
          ...(trustClaimConditions(role.inputs.assumeRolePolicy).length > 0 && {
            claims: trustClaimConditions(role.inputs.assumeRolePolicy),
          }),
        },
      }),
    ...(secrets.length + variables.length > 0 && {
      github: {
        repository: String(githubRepository),
        secrets: secrets.map((s) => ({
          name: String(s.inputs.secretName),
          ...(s.inputs.environment && { environment: String(s.inputs.environment) }),
        })),
        variables: variables.map((v) => String(v.inputs.variableName)),
      },
    }),
  };
}
