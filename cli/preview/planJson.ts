import type { EnforcementLevel } from "../policyPack/analyzerClient";
import { secretPlaceholder } from "../workspace/project";
import { pulumiTypes } from "../../policy-pack/governance/typeTokens";
import type { InputPath, LogMessage, RegisteredResource } from "./capture";
import { pipelineFinder } from "../core/programResources";
import type { StackPlan } from "./index";
import type { PolicyReport } from "./policySession";

/**
 * The offline plan as JSON (`plan -f json`): plain data for programs (CI, dashboards, a diff
 * between two plans), where {@link formatPlan}'s text is for people. Stable within a schema
 * version: fields are only added, never renamed or given another meaning, without a new
 * {@link planJsonSchemaVersion}; the order of resources and diagnostics is the plan's, so two
 * plans of one program compare line by line.
 *
 * Secrets: every input the program made secret (`pulumi.secret`, a secret config value, a
 * provider's secret input such as a GitHub Actions secret's value) is {@link secretPlaceholder}
 * (`"[secret]"`), whole as the SDK marks it (an input holding a secret is secret whole), as the
 * text plan never shows them; config values
 * that were `secure:` ciphertext reached the program as that placeholder already. Diagnostics
 * are the pack's messages as the text report prints them (the pack, as under the engine, sees
 * the values it judges).
 */
export interface PlanJson {
  /** The schema's version: {@link planJsonSchemaVersion}. */
  readonly schemaVersion: typeof planJsonSchemaVersion;
  /** The Pulumi project's name. */
  readonly project: string;
  readonly stack: string;
  /** The stack file, relative to the project root. */
  readonly stackFile: string;
  /** The stack's environment (its `environment` output), or the stack's name. */
  readonly environment: string;
  /** The AWS region the stack's provider deploys into (the stack's `aws:region`, or us-east-1). */
  readonly region: string;
  /**
   * The AWS account, when known: never in an offline plan, which runs without credentials (its
   * ARNs use {@link PlanJson.placeholderAccountId}).
   */
  readonly accountId: string | null;
  /** The account id the offline plan's ARNs and registry ids stand in with. */
  readonly placeholderAccountId: string;
  /**
   * Every resource the program registers, but the stack itself, in the order it registers them
   * (a program's order: the same from one plan of it to the next).
   */
  readonly resources: readonly PlanJsonResource[];
  /** What the policy pack said; null when it did not run (`--skip-policy`, or no pack). */
  readonly policy: PlanJsonPolicy | null;
  readonly summary: PlanJsonSummary;
  /** What the program logged. */
  readonly logs: readonly LogMessage[];
}

export interface PlanJsonResource {
  readonly urn: string;
  /** The type token, e.g. `aws:ecr/repository:Repository`. */
  readonly type: string;
  readonly name: string;
  /** The parent's URN; absent for a child of the stack. */
  readonly parent?: string;
  /** The app (its pipeline's name) the resource belongs to; absent for a shared resource. */
  readonly app?: string;
  /** `create`, or `import` when the program adopts an existing resource (see `importId`). */
  readonly action: "create" | "import";
  /** False for components (a pipeline), which group resources and create nothing themselves. */
  readonly custom: boolean;
  readonly protect: boolean;
  /** The existing resource's id, when it is imported. */
  readonly importId?: string;
  /** The inputs as the program gave them, each secret one `"[secret]"`. */
  readonly inputs: Readonly<Record<string, unknown>>;
  /**
   * Where `inputs` holds a secret, each as a dotted path (`value`, `tags.token`,
   * `rules.0.key`), sorted; absent when none does.
   */
  readonly secretInputs?: readonly string[];
}

export interface PlanJsonPolicy {
  readonly pack: {
    readonly name: string;
    readonly version: string;
    /** How many policies the pack has (resource and stack policies). */
    readonly policies: number;
  };
  /** Every violation, in the order the text report lists them (the resources' order, then the stack's). */
  readonly diagnostics: readonly PlanJsonDiagnostic[];
}

export interface PlanJsonDiagnostic {
  /** The policy's name, e.g. `iam-oidc-trust-scoped`. */
  readonly policy: string;
  /** `mandatory` fails `pulumi preview`; `advisory` is reported only. */
  readonly enforcementLevel: EnforcementLevel;
  /** `low`, `medium`, `high`, `critical`, or empty when the policy gives none. */
  readonly severity: string;
  /** The resource's URN; absent for a violation of the stack as a whole. */
  readonly urn?: string;
  /** The resource's name (the URN's last part); absent with `urn`. */
  readonly resourceName?: string;
  /** The policy's description. */
  readonly description: string;
  /** The violation as the pack words it: the description, then what must hold and how to fix it. */
  readonly message: string;
}

export interface PlanJsonSummary {
  /** Apps (pipelines) in the plan. */
  readonly apps: number;
  /** Resources to create or import: `resources.length`. */
  readonly resources: number;
  readonly create: number;
  readonly import: number;
  /** Violations by enforcement level; null when the pack did not run. */
  readonly violations: Readonly<Record<EnforcementLevel, number>> | null;
  /** Whether a mandatory violation would fail `pulumi preview` (and the plan's exit code is 1). */
  readonly mandatoryViolation: boolean;
}

/** The schema version of {@link PlanJson}; a change that is not an addition makes a new one. */
export const planJsonSchemaVersion = 1;

/** The resource name a URN ends in. */
function urnName(urn: string): string {
  return urn.slice(urn.lastIndexOf("::") + 2);
}

/** `["tags", "token"]` as `tags.token`. */
function dotted(path: InputPath): string {
  return path.join(".");
}

/** `value` with what is at each of `paths` replaced by the placeholder, copying only what it changes. */
export function maskedInputs(value: unknown, paths: readonly InputPath[]): unknown {
  let masked = value;
  for (const path of paths) {
    masked = maskAt(masked, path, 0);
  }
  return masked;
}

function maskAt(value: unknown, path: InputPath, depth: number): unknown {
  if (depth === path.length) {
    return secretPlaceholder;
  }
  const key = path[depth];
  if (Array.isArray(value) && typeof key === "number" && key < value.length) {
    const copy = [...value];
    copy[key] = maskAt(value[key], path, depth + 1);
    return copy;
  }
  if (typeof value === "object" && value !== null && Object.hasOwn(value, key)) {
    const record = value as Record<string, unknown>;
    return { ...record, [key]: maskAt(record[String(key)], path, depth + 1) };
  }
  // Not there (the path came from the same inputs, so this does not happen): mask the whole.
  return secretPlaceholder;
}

function jsonResource(
  r: RegisteredResource,
  app: RegisteredResource | undefined,
  stackUrn: string | undefined,
): PlanJsonResource {
  const secretPaths = r.secretPaths;
  return {
    urn: r.urn,
    type: r.type,
    name: r.name,
    ...(r.parent !== undefined && r.parent !== stackUrn && { parent: r.parent }),
    ...(app && { app: app.name }),
    action: r.importId ? "import" : "create",
    custom: r.custom,
    protect: r.protect,
    ...(r.importId && { importId: r.importId }),
    inputs: maskedInputs(r.inputs, secretPaths) as Record<string, unknown>,
    ...(secretPaths.length > 0 && { secretInputs: secretPaths.map(dotted).sort() }),
  };
}

function jsonPolicy(report: PolicyReport): PlanJsonPolicy {
  return {
    pack: {
      name: report.pack.name,
      version: report.pack.version,
      policies: report.pack.policies.length,
    },
    diagnostics: report.diagnostics.map((d) => ({
      policy: d.policyName,
      enforcementLevel: d.enforcementLevel,
      severity: d.severity,
      ...(d.urn && { urn: d.urn, resourceName: urnName(d.urn) }),
      description: d.description,
      message: d.message,
    })),
  };
}

/** The report's violations by enforcement level. */
function violationCounts(report: PolicyReport): Record<EnforcementLevel, number> {
  const counts: Record<EnforcementLevel, number> = {
    advisory: 0,
    mandatory: 0,
    remediate: 0,
    disabled: 0,
  };
  for (const d of report.diagnostics) {
    counts[d.enforcementLevel] += 1;
  }
  return counts;
}

/**
 * The plan (and the pack's report on it, when the pack ran) as {@link PlanJson}: plain data,
 * `JSON.stringify` as it is.
 */
export function planJson(plan: StackPlan, report?: PolicyReport): PlanJson {
  const pipelineOf = pipelineFinder(plan.run.resources);
  const stackUrn = plan.run.resources.find((r) => r.type === pulumiTypes.stack)?.urn;
  const resources = plan.run.resources
    .filter((r) => r.type !== pulumiTypes.stack)
    .map((r) => jsonResource(r, pipelineOf(r), stackUrn));
  const violations = report === undefined ? null : violationCounts(report);
  const imports = resources.filter((r) => r.action === "import").length;
  return {
    schemaVersion: planJsonSchemaVersion,
    project: plan.project,
    stack: plan.stack,
    stackFile: plan.file,
    environment: plan.environment,
    region: plan.region,
    accountId: null,
    placeholderAccountId: plan.accountId,
    resources,
    policy: report === undefined ? null : jsonPolicy(report),
    summary: {
      apps: plan.apps.length,
      resources: resources.length,
      create: resources.length - imports,
      import: imports,
      violations,
      mandatoryViolation: (violations?.mandatory ?? 0) > 0,
    },
    logs: plan.logs.map((log) => ({ severity: log.severity, message: log.message })),
  };
}
