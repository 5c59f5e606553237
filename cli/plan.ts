import * as fs from "fs";
import * as path from "path";
import { trustedDeliveryPipelineType } from "../components/names";
import { InvalidArgumentsError, Problem, problem } from "../components/validation";
import { readAwsSettings } from "./awsConfig";
import { platformConfigValues } from "../programs/platform/config";
import {
  OfflineRun,
  RegisteredResource,
  runOfflineSettled,
  withoutSerializingPrefixes,
} from "./offline/capture";
import { OfflineMocks, placeholderAccountId, TerraformOutputs } from "./offline/mocks";
import { displayPath, PulumiProject, readStackConfig, StackConfig, userPath } from "./project";

/** What the program would do to one resource: create it, or adopt an existing one. */
export type PlanAction = "create" | "import";

export interface PlanResource {
  readonly action: PlanAction;
  readonly type: string;
  readonly name: string;
  readonly resource: RegisteredResource;
}

export interface TrustSubject {
  readonly subject: string;
  /** `StringEquals` for exact subjects, `StringLike` for patterns. */
  readonly operator: string;
}

/** One application: its pipeline and what the pipeline registered. */
export interface PlanApp {
  readonly name: string;
  readonly pipeline: RegisteredResource;
  readonly resources: readonly PlanResource[];
  readonly metadata: { readonly id?: string; readonly owner?: string; readonly risk?: string };
  readonly registry?: {
    readonly name: string;
    readonly imageTagMutability: string;
    readonly encryption: string;
    readonly kmsKey?: string;
    readonly scanOnPush: boolean;
    readonly forceDelete: boolean;
    readonly protect: boolean;
    readonly tags: Readonly<Record<string, string>>;
    readonly lifecycleRule?: string;
  };
  readonly role?: { readonly name: string; readonly subjects: readonly TrustSubject[] };
  /** GitHub deployment environments the pipeline creates, described. */
  readonly environments: readonly string[];
  readonly github?: {
    readonly repository: string;
    readonly secrets: readonly string[];
    readonly variables: readonly string[];
  };
}

export interface Plan {
  readonly project: string;
  readonly stack: string;
  /** The stack file, relative to the project root. */
  readonly file: string;
  readonly region: string;
  readonly accountId: string;
  readonly shared: readonly PlanResource[];
  readonly apps: readonly PlanApp[];
  readonly run: OfflineRun;
}

/**
 * The AWS region and default tags a stack's config gives the AWS provider; refuses, naming the
 * stack file, settings the provider would refuse.
 */
export function awsSettings(
  config: StackConfig,
  file = config.file,
): {
  region: string;
  defaultTags: Readonly<Record<string, string>>;
} {
  const { settings, problems } = readAwsSettings(config.values);
  if (problems.length > 0) {
    throw new InvalidArgumentsError(`Stack "${config.stack}" config (${file})`, problems);
  }
  return { region: settings.region ?? "us-east-1", defaultTags: settings.defaultTags };
}

/**
 * The project's program, as the Pulumi CLI runs it: its module is loaded inside the run (a
 * program may declare resources as it loads), and a function it exports is called. TypeScript
 * programs are compiled on the fly, as Pulumi's Node.js host does.
 */
export function loadProgram(project: PulumiProject): () => unknown {
  const main = project.main;
  const refuse = (problems: Problem[]): never => {
    throw new InvalidArgumentsError(`Pulumi project file ${userPath(project.file)}`, problems);
  };
  if (project.runtime !== "nodejs") {
    refuse([
      problem("runtime", project.runtime, "must be nodejs: the offline plan runs Node.js programs"),
    ]);
  }
  const isTypeScript = [main, `${main}.ts`, path.join(main, "index.ts")].some(
    (file) => file.endsWith(".ts") && fs.existsSync(file),
  );
  if (isTypeScript && require.extensions[".ts"] === undefined) {
    const tsconfig = path.join(project.root, "tsconfig.json");
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only for TypeScript programs
    require("ts-node").register({
      transpileOnly: true,
      ...(fs.existsSync(tsconfig) ? { project: tsconfig } : {}),
    });
  }
  let entry = "";
  try {
    entry = require.resolve(main);
  } catch {
    refuse([
      problem(
        "main",
        path.relative(project.root, main) || ".",
        `must be the program, relative to Pulumi.yaml: a JavaScript or TypeScript file, or a directory with an index file or package.json; ${fs.existsSync(main) ? "there is no program there" : "it does not exist"}`,
      ),
    ]);
  }
  return () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the program's path is only known now
    const exported = require(entry);
    const program = exported?.default ?? exported;
    if (typeof program === "function") {
      return program();
    }
    // Its resources were declared as it loaded: load it afresh for the next run.
    delete require.cache[entry];
    return exported;
  };
}

export interface PlanOptions {
  /** Outputs for Terraform state references the offline run cannot reach. */
  readonly terraformOutputs?: TerraformOutputs;
}

/** Runs the stack's program under mocks and groups what it registers by application. */
export async function planStack(
  project: PulumiProject,
  stack: string,
  options: PlanOptions = {},
): Promise<Plan> {
  const config = readStackConfig(project, stack);
  const file = displayPath(project, config.file);
  const { region, defaultTags } = awsSettings(config, file);
  const program = loadProgram(project);
  const terraformState = platformConfigValues(project.name, config.values).terraformState as
    { path?: unknown } | undefined;
  const mocks = new OfflineMocks(
    { accountId: placeholderAccountId, region, partition: "aws", defaultTags },
    options.terraformOutputs,
    {
      subject: `Stack "${config.stack}" config (${file})`,
      ...(typeof terraformState?.path === "string" && {
        localStatePath: { key: `${project.name}:terraformState.path`, value: terraformState.path },
      }),
    },
  );
  // Pulumi runs programs in the project root; so does the plan.
  const cwd = process.cwd();
  process.chdir(project.root);
  const run = await runOfflineSettled({
    project: project.name,
    stack: config.stack,
    config: config.values,
    secretKeys: config.secretKeys,
    mocks,
    program,
  }).finally(() => process.chdir(cwd));
  if ("error" in run) {
    // What a mock refused says more than the program's failure it caused.
    throw mocks.failures[0] ?? withoutSerializingPrefixes(run.error);
  }
  return {
    project: project.name,
    stack: config.stack,
    file,
    region,
    accountId: placeholderAccountId,
    ...groupByApp(run.resources),
    run,
  };
}

function planResource(resource: RegisteredResource): PlanResource {
  return {
    action: resource.importId ? "import" : "create",
    type: resource.type,
    name: resource.name,
    resource,
  };
}

function groupByApp(resources: readonly RegisteredResource[]): {
  shared: PlanResource[];
  apps: PlanApp[];
} {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const pipelineOf = (resource: RegisteredResource): RegisteredResource | undefined => {
    for (
      let r: RegisteredResource | undefined = resource;
      r;
      r = r.parent ? byUrn.get(r.parent) : undefined
    ) {
      if (r.type === trustedDeliveryPipelineType) {
        return r;
      }
    }
    return undefined;
  };
  const shared: PlanResource[] = [];
  const members = new Map<RegisteredResource, RegisteredResource[]>();
  for (const resource of resources) {
    if (resource.type === "pulumi:pulumi:Stack") {
      continue;
    }
    const pipeline = pipelineOf(resource);
    if (pipeline === undefined) {
      shared.push(planResource(resource));
    } else {
      members.set(pipeline, [...(members.get(pipeline) ?? []), resource]);
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

/** The `sub` values a trust policy admits, with the operator that matches each. */
export function trustSubjects(assumeRolePolicy: unknown): TrustSubject[] {
  const document = parseJson(assumeRolePolicy);
  const statements = [document?.Statement ?? []].flat();
  const subjects: TrustSubject[] = [];
  for (const statement of statements) {
    for (const [operator, conditions] of Object.entries<Record<string, unknown>>(
      statement?.Condition ?? {},
    )) {
      for (const [key, values] of Object.entries(conditions ?? {})) {
        if (key.endsWith(":sub")) {
          subjects.push(
            ...[values].flat().map((subject) => ({ subject: String(subject), operator })),
          );
        }
      }
    }
  }
  return subjects;
}

function describeApp(pipeline: RegisteredResource, own: RegisteredResource[]): PlanApp {
  const first = (type: string) => own.find((r) => r.type === type);
  const repository = first("aws:ecr/repository:Repository");
  const lifecycle = first("aws:ecr/lifecyclePolicy:LifecyclePolicy");
  const role = first("aws:iam/role:Role");
  const secrets = own.filter(
    (r) => r.type.startsWith("github:index/actions") && r.type.endsWith("Secret"),
  );
  const policies = own.filter(
    (r) =>
      r.type ===
      "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy",
  );
  const environments = own
    .filter((r) => r.type === "github:index/repositoryEnvironment:RepositoryEnvironment")
    .map((e) => {
      const name = e.inputs.environment;
      const reviewers = (e.inputs.reviewers ?? []).flatMap(
        (r: { users?: number[]; teams?: number[] }) => [
          ...(r.teams ?? []).map((t) => `team ${t}`),
          ...(r.users ?? []).map((u) => `user ${u}`),
        ],
      );
      const from = policies
        .filter((p) => p.inputs.environment === name)
        .map((p) =>
          p.inputs.branchPattern
            ? `branch ${p.inputs.branchPattern}`
            : `tag ${p.inputs.tagPattern}`,
        );
      return `${name}: ${reviewers.length > 0 ? `approved by ${reviewers.join(", ")}` : "no reviewers"}${e.inputs.preventSelfReview ? " (not by whoever triggered it)" : ""}, deploys from ${from.join(", ") || "nothing"}${e.inputs.waitTimer ? `, after ${e.inputs.waitTimer} min` : ""}`;
    });
  const variables = own.filter(
    (r) => r.type.startsWith("github:index/actions") && r.type.endsWith("Variable"),
  );
  const prefixTags = Object.entries<string>(repository?.inputs.tags ?? {});
  const metadataTag = (suffix: string) =>
    prefixTags.find(([key]) => key.endsWith(`/${suffix}`) || key === suffix)?.[1];
  const encryption = repository?.inputs.encryptionConfigurations?.[0] ?? {};
  return {
    name: pipeline.name,
    pipeline,
    resources: own.map(planResource),
    metadata: { id: metadataTag("id"), owner: metadataTag("owner"), risk: metadataTag("risk") },
    environments,
    ...(repository && {
      registry: {
        name: repository.inputs.name,
        imageTagMutability: repository.inputs.imageTagMutability ?? "MUTABLE",
        encryption: encryption.encryptionType ?? "AES256",
        ...(encryption.kmsKey ? { kmsKey: encryption.kmsKey } : {}),
        scanOnPush: repository.inputs.imageScanningConfiguration?.scanOnPush === true,
        forceDelete: repository.inputs.forceDelete === true,
        protect: repository.protect,
        tags: { ...(repository.outputs.tagsAll ?? {}), ...(repository.inputs.tags ?? {}) },
        lifecycleRule: parseJson(lifecycle?.inputs.policy)?.rules?.[0]?.description,
      },
    }),
    ...(role && {
      role: { name: role.inputs.name, subjects: trustSubjects(role.inputs.assumeRolePolicy) },
    }),
    ...(secrets.length + variables.length > 0 && {
      github: {
        repository: pipeline.outputs.githubRepository,
        secrets: secrets.map((s) =>
          s.inputs.environment
            ? `${s.inputs.secretName} (environment ${s.inputs.environment})`
            : s.inputs.secretName,
        ),
        variables: variables.map((v) => v.inputs.variableName),
      },
    }),
  };
}

const actionMarks: Record<PlanAction, string> = { create: "+", import: "=" };

function resourceLine(r: PlanResource, width: number): string {
  const flags = [
    r.resource.protect ? "protected" : "",
    r.resource.importId ? `import ${r.resource.importId}` : "",
  ]
    .filter(Boolean)
    .join(", ");
  return `  ${actionMarks[r.action]} ${r.name.padEnd(width)} ${r.type}${flags ? `  [${flags}]` : ""}`;
}

/** The plan as text, for people. */
export function formatPlan(plan: Plan): string {
  const lines: string[] = [];
  const environment = plan.run.outputs.environment ?? plan.stack;
  const width = Math.max(
    34,
    ...[...plan.shared, ...plan.apps.flatMap((a) => a.resources)].map((r) => r.name.length + 1),
  );
  lines.push(`Offline plan for stack "${plan.stack}" of ${plan.project} (${plan.file})`);
  lines.push(
    `Environment ${environment}, region ${plan.region}. Run under Pulumi's mocks: no credentials, no Pulumi CLI; account ${plan.accountId} and the ARNs below are placeholders.`,
  );
  lines.push("");
  if (plan.shared.length > 0) {
    lines.push(plan.apps.length > 0 ? "Outside the apps" : "Resources");
    for (const r of plan.shared) {
      lines.push(resourceLine(r, width));
      if (r.type === "aws:iam/openIdConnectProvider:OpenIdConnectProvider") {
        lines.push(
          `      url ${r.resource.inputs.url}, audiences ${(r.resource.inputs.clientIdLists ?? []).join(", ")}`,
        );
      }
      if (r.type === "pulumi:providers:github") {
        lines.push(`      owner ${r.resource.inputs.owner}`);
      }
    }
    lines.push("");
  }
  if (plan.apps.length === 0 && plan.shared.length <= 1) {
    lines.push("No apps yet: add one to the stack's apps map (trusted-delivery add-app).");
    lines.push("");
  }
  for (const app of plan.apps) {
    const { id, owner, risk } = app.metadata;
    lines.push(`App ${app.name}  (id ${id}, owner ${owner}, risk ${risk})`);
    lines.push(...app.resources.map((r) => resourceLine(r, width)));
    if (app.registry) {
      const r = app.registry;
      lines.push(
        `  Registry   ${r.name}: ${r.imageTagMutability} tags, ${r.encryption} encryption${r.encryption === "KMS" ? ` (key ${r.kmsKey ?? "aws/ecr, AWS managed"})` : ""}, scan on push ${r.scanOnPush ? "on" : "OFF"}, force delete ${r.forceDelete ? "ON" : "off"}${r.protect ? ", protected from deletion" : ""}`,
      );
      lines.push(`  Lifecycle  ${r.lifecycleRule ?? "none"}`);
      lines.push(
        `  Tags       ${Object.entries(r.tags)
          .map(([k, v]) => `${k}=${v}`)
          .join(", ")}`,
      );
    }
    if (app.role) {
      lines.push(`  Push role  ${app.role.name}, assumable only by GitHub Actions runs with sub:`);
      const width = Math.max(...app.role.subjects.map((s) => s.subject.length));
      for (const s of app.role.subjects) {
        lines.push(`               ${s.subject.padEnd(width)}  (${s.operator})`);
      }
    }
    for (const environment of app.environments) {
      lines.push(`  Environment ${environment}`);
    }
    if (app.github) {
      lines.push(
        `  GitHub     ${app.github.repository}: secret ${app.github.secrets.join(", ")} holds the role ARN; variables ${app.github.variables.join(", ")}`,
      );
    }
    lines.push("");
  }
  const counts = { create: 0, import: 0 };
  for (const r of [...plan.shared, ...plan.apps.flatMap((a) => a.resources)]) {
    counts[r.action] += 1;
  }
  lines.push(
    `${counts.create} to create${counts.import > 0 ? `, ${counts.import} to import` : ""} (${plan.apps.length} app${plan.apps.length === 1 ? "" : "s"}).`,
  );
  for (const log of plan.run.logs) {
    lines.push(`${log.severity}: ${log.message}`);
  }
  return lines.join("\n");
}
