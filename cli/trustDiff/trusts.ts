/**
 * Each app's push-role trust policy, as a run of the platform program registers it: the
 * `aws:iam/role:Role` inside each `TrustedDeliveryPipeline`, its `assumeRolePolicy` (with the
 * OIDC provider's ARN the mocks resolved into it).
 */
import { pipelineFinder } from "../core/programResources";
import { parsePolicyDocument, PolicyDocument } from "../../policy-pack/iam/document";
import { awsTypes } from "../../policy-pack/governance/typeTokens";

/** A resource as a run registers it (the offline plan's `RegisteredResource` is one). */
export interface ProgramResource {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly parent?: string;
  readonly inputs: Readonly<Record<string, unknown>>;
}

/** One app's push role and its trust. */
export interface AppTrust {
  readonly app: string;
  readonly roleName: string;
  /** The trust policy; undefined when it could not be read (`problem` says why). */
  readonly document?: PolicyDocument;
  readonly problem?: string;
  /** The OIDC providers its statements name (`Principal.Federated`). */
  readonly providers: readonly string[];
}

function readTrust(app: string, role: ProgramResource): AppTrust {
  const roleName = String(role.inputs.name ?? role.name);
  const raw = role.inputs.assumeRolePolicy;
  let value: unknown = raw;
  if (typeof raw === "string") {
    try {
      value = JSON.parse(raw);
    } catch (e) {
      return {
        app,
        roleName,
        problem: `its assumeRolePolicy is not JSON: ${(e as Error).message}`,
        providers: [],
      };
    }
  }
  const parsed = parsePolicyDocument(value);
  if ("error" in parsed) {
    return {
      app,
      roleName,
      problem: `its assumeRolePolicy does not parse: ${parsed.error}`,
      providers: [],
    };
  }
  const providers = [
    ...new Set(
      parsed.statements.flatMap((s) =>
        s.principal && s.principal.value !== "*" ? (s.principal.value.Federated ?? []) : [],
      ),
    ),
  ];
  return { app, roleName, document: parsed, providers };
}

/**
 * Each app's push-role trust, by app name. A pipeline whose role trusts no OIDC provider (or
 * that has no role) is not listed: it has no push role to compare.
 */
export function appTrusts(resources: readonly ProgramResource[]): Map<string, AppTrust> {
  const pipelineOf = pipelineFinder(resources);
  const trusts = new Map<string, AppTrust>();
  for (const resource of resources) {
    if (resource.type !== awsTypes.iamRole) {
      continue;
    }
    const pipeline = pipelineOf(resource);
    if (pipeline === undefined || trusts.has(pipeline.name)) {
      continue;
    }
    const trust = readTrust(pipeline.name, resource);
    if (trust.problem !== undefined || trust.providers.length > 0) {
      trusts.set(pipeline.name, trust);
    }
  }
  return trusts;
}
