/**
 * IAM decisions for meaning tests, from @cloud-copilot/iam-simulate (a maintained IAM policy
 * evaluator), so tests assert what AWS would decide, not what a policy document looks like.
 *
 * Trust policies are evaluated with the library's engine (`authorize`) directly: its
 * `runSimulation` drops the `token.actions.githubusercontent.com:sub` and `:aud` context keys,
 * because AWS's service authorization reference does not list them for
 * sts:AssumeRoleWithWebIdentity, so every GitHub trust policy would read as "deny"; and its
 * `runUnsafeSimulation` fails on resource policies without a name. The package is pinned to an
 * exact version for that reason; `test/helpers/iam.test.ts` shows the engine refusing what IAM
 * refuses, so an upgrade that changes its behaviour fails loudly.
 */
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { loadPolicy } from "@cloud-copilot/iam-policy";
import * as path from "path";

const engineRoot = path.dirname(require.resolve("@cloud-copilot/iam-simulate"));
const { authorize } = require(path.join(engineRoot, "core_engine/CoreSimulatorEngine.js"));
const { AwsRequestImpl } = require(path.join(engineRoot, "request/request.js"));
const { RequestContextImpl } = require(path.join(engineRoot, "requestContext.js"));
const { DiscoveryContextKeyConstraints } = require(
  path.join(engineRoot, "context_keys/discoveryContextKeyConstraints.js"),
);

export const accountId = "123456789012";
export const githubProviderArn = `arn:aws:iam::${accountId}:oidc-provider/token.actions.githubusercontent.com`;

export interface WebIdentityRequest {
  /** The OIDC provider the token came through. */
  readonly provider?: string;
  readonly sub: string;
  /** @default "sts.amazonaws.com" */
  readonly aud?: string;
  /** @default "sts:AssumeRoleWithWebIdentity" */
  readonly action?: string;
  /** Other claims of the token, by claim (`repository_id`, `job_workflow_ref`, ...). @default none */
  readonly claims?: Readonly<Record<string, string>>;
}

/** Whether IAM lets a GitHub Actions token with these claims assume a role with this trust policy. */
export function canAssume(trustPolicy: unknown, request: WebIdentityRequest): boolean {
  const document = typeof trustPolicy === "string" ? JSON.parse(trustPolicy) : trustPolicy;
  const provider = request.provider ?? githubProviderArn;
  const issuer = provider.split(":oidc-provider/")[1];
  const context = new RequestContextImpl({
    [`${issuer}:sub`]: request.sub,
    [`${issuer}:aud`]: request.aud ?? "sts.amazonaws.com",
    ...Object.fromEntries(
      Object.entries(request.claims ?? {}).map(([claim, value]) => [`${issuer}:${claim}`, value]),
    ),
  });
  const awsRequest = new AwsRequestImpl(
    provider,
    { resource: `arn:aws:iam::${accountId}:role/under-test`, accountId },
    request.action ?? "sts:AssumeRoleWithWebIdentity",
    context,
  );
  const analysis = authorize({
    request: awsRequest,
    sessionPolicy: undefined,
    identityPolicies: [],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: loadPolicy(document, { name: "trust-policy" }),
    permissionBoundaries: undefined,
    vpcEndpointPolicies: undefined,
    simulationParameters: {
      simulationMode: "Strict",
      discoveryContextKeyConstraints: new DiscoveryContextKeyConstraints([]),
    },
    serviceSettings: { s3: {} },
  });
  return analysis.result === "Allowed";
}

/** Whether a role with this identity policy may perform `action` on `resource`. */
export async function isAllowed(
  policy: unknown,
  action: string,
  resource: string,
): Promise<boolean> {
  const document = typeof policy === "string" ? JSON.parse(policy) : policy;
  const result = await runSimulation(
    {
      identityPolicies: [{ name: "policy-under-test", policy: document }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      request: {
        action,
        principal: `arn:aws:iam::${accountId}:role/under-test`,
        resource: { resource, accountId },
        contextVariables: {},
      },
    },
    {},
  );
  if (result.resultType === "error") {
    throw new Error(`the IAM simulator refused the request: ${JSON.stringify(result.errors)}`);
  }
  return result.overallResult === "Allowed";
}

export interface ResourceRequest {
  /** The caller: a principal's ARN, a service principal (`lambda.amazonaws.com`), or anonymous. */
  readonly principal: string | { readonly type: "Anonymous" };
  readonly action: string;
  /** The resource acted on. @default this account's repository "app" */
  readonly resource?: string;
  /** Request context keys, e.g. `aws:PrincipalOrgID`. */
  readonly context?: Readonly<Record<string, string | string[]>>;
}

const allowEverything = loadPolicy(
  { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] },
  { name: "callers-own-policy" },
);

/**
 * Whether IAM lets a caller act on a resource with this resource policy (an ECR repository
 * policy, say). The caller's own identity policy allows everything: an outsider grants itself
 * whatever it likes, and only the resource policy can keep it out.
 */
export function canAccess(resourcePolicy: unknown, request: ResourceRequest): boolean {
  const document = typeof resourcePolicy === "string" ? JSON.parse(resourcePolicy) : resourcePolicy;
  const resource = request.resource ?? `arn:aws:ecr:eu-west-2:${accountId}:repository/app`;
  const service = typeof request.principal !== "string" || !request.principal.startsWith("arn:");
  const awsRequest = new AwsRequestImpl(
    request.principal,
    { resource, accountId },
    request.action,
    new RequestContextImpl({ ...request.context }),
  );
  const analysis = authorize({
    request: awsRequest,
    sessionPolicy: undefined,
    identityPolicies: service ? [] : [allowEverything],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: loadPolicy(document, { name: "resource-policy" }),
    permissionBoundaries: undefined,
    vpcEndpointPolicies: undefined,
    simulationParameters: {
      simulationMode: "Strict",
      discoveryContextKeyConstraints: new DiscoveryContextKeyConstraints([]),
    },
    serviceSettings: { s3: {} },
  });
  return analysis.result === "Allowed";
}

/**
 * Whether a role of this account with these identity policies may perform `action` on
 * `resource` (no resource policy, no request context): the engine's decision, synchronously.
 */
export function identityAllows(
  policies: readonly unknown[],
  action: string,
  resource: string,
): boolean {
  const awsRequest = new AwsRequestImpl(
    `arn:aws:iam::${accountId}:role/under-test`,
    { resource, accountId },
    action,
    new RequestContextImpl({}),
  );
  const analysis = authorize({
    request: awsRequest,
    sessionPolicy: undefined,
    identityPolicies: policies.map((policy, i) =>
      loadPolicy(typeof policy === "string" ? JSON.parse(policy) : policy, { name: `policy-${i}` }),
    ),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: undefined,
    permissionBoundaries: undefined,
    vpcEndpointPolicies: undefined,
    simulationParameters: {
      simulationMode: "Strict",
      discoveryContextKeyConstraints: new DiscoveryContextKeyConstraints([]),
    },
    serviceSettings: { s3: {} },
  });
  return analysis.result === "Allowed";
}
