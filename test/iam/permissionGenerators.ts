/**
 * Generated identity policies of a push role, and the probes that tell, with an independent IAM
 * evaluator, what they really allow.
 */
import fc from "fast-check";
import { loadPolicy } from "@cloud-copilot/iam-policy";
import * as path from "path";
import { accountId, identityAllows } from "../helpers/iam";

export const repositoryArn = (name: string, region = "eu-west-2", account = accountId) =>
  `arn:aws:ecr:${region}:${account}:repository/${name}`;
export const named = repositoryArn("app");

const actions = [
  "ecr:PutImage",
  "ecr:UploadLayerPart",
  "ecr:BatchDeleteImage",
  "ecr:SetRepositoryPolicy",
  "ecr:Put*",
  "ecr:*",
  "ecr:GetAuthorizationToken",
  "ecr:PutRegistryPolicy",
  "*",
  "iam:PassRole",
  "iam:PutRolePolicy",
  "iam:*",
  "iam:Get*",
  "sts:AssumeRole",
  "s3:GetObject",
  // Escalation outside IAM and STS (pathfinding.cloud), and writes that undo governance.
  "lambda:UpdateFunctionCode",
  "lambda:*",
  "ssm:SendCommand",
  "ec2:RunInstances",
  "ecr:TagResource",
  "ecr:PutLifecyclePolicy",
];

/**
 * Resource patterns. A `*` spans `:` only where it ends a segment as a whole (IAM documents
 * that it may expand past colons there; the evaluator reads a `*` in the middle of an ARN as one
 * segment, which the model does not, failing closed: see the named tests).
 */
const resources = [
  named,
  repositoryArn("app"),
  repositoryArn("billing"),
  repositoryArn("app", "us-east-1"),
  "*",
  "arn:aws:ecr:*:*:repository/*",
  `arn:aws:ecr:eu-west-2:${accountId}:repository/*`,
  `arn:aws:ecr:eu-west-2:${accountId}:repository/app*`,
  `arn:aws:ecr:eu-west-2:${accountId}:repository/*b*`,
  `arn:aws:ecr:eu-west-2:${accountId}:repository/a?p`,
  `arn:aws:ecr:*:${accountId}:repository/app`,
  "arn:aws:ecr:*",
  "arn:aws:*",
  "arn:*",
  `arn:aws:iam::${accountId}:role/*`,
  "arn:aws:s3:::bucket/*",
  // Other accounts and partitions: the model takes the role's from the stack, or any.
  "arn:aws:iam::999999999999:role/*",
  "arn:aws-cn:ecr:cn-north-1:999999999999:repository/app",
  `arn:aws:lambda:eu-west-2:${accountId}:function:*`,
];

/**
 * NotResource patterns: ARNs of all six segments. The evaluator reads an ARN of fewer segments
 * in NotResource conservatively (it does not exclude what the padded pattern fails to match:
 * `arn:aws:ecr:*` would not let an IAM action through), where IAM excludes only what matches.
 */
const fullArns = resources.filter((r) => r === "*" || r.split(":").length >= 6);

const statement = fc
  .tuple(
    fc.constantFrom("Allow", "Allow", "Allow", "Deny"),
    fc.boolean(),
    fc.oneof(
      { weight: 6, arbitrary: fc.subarray(actions, { minLength: 1, maxLength: 3 }) },
      { weight: 1, arbitrary: fc.constant(["iam:*", "sts:*", "ecr:*"]) },
    ),
    fc.constantFrom(false, false, false, true),
  )
  .chain(([effect, notAction, action, notResource]) =>
    fc.tuple(
      fc.constant(effect),
      fc.constant(notAction),
      fc.constant(action),
      fc.constant(notResource),
      fc.subarray(notResource ? fullArns : resources, { minLength: 1, maxLength: 3 }),
    ),
  )
  .map(([effect, notAction, action, notResource, resource]) => ({
    Effect: effect,
    [notAction && effect === "Allow" ? "NotAction" : "Action"]: action,
    [notResource ? "NotResource" : "Resource"]: resource,
  }));

const document = fc
  .array(statement, { minLength: 1, maxLength: 3 })
  .map((statements) => ({ Version: "2012-10-17", Statement: statements }));

/** One or two policies of a role. */
export const rolePolicies = fc.array(document, { minLength: 1, maxLength: 2 });

/** A role's policies and a permissions boundary, a document generated the same way. */
export const boundedRolePolicies = fc.tuple(rolePolicies, document);

/** Actions and resources the evaluator is asked about. */
export const probeActions = {
  escalation: ["iam:PassRole", "iam:PutRolePolicy", "iam:CreateAccessKey", "sts:AssumeRole"],
  /** Escalation paths of one action outside IAM and STS, and where they act. */
  paths: [
    ["lambda:UpdateFunctionCode", `arn:aws:lambda:eu-west-2:${accountId}:function:deploy`],
    ["ssm:SendCommand", `arn:aws:ec2:eu-west-2:${accountId}:instance/i-0123456789abcdef0`],
  ] as const,
  governance: ["ecr:SetRepositoryPolicy", "ecr:TagResource", "ecr:PutLifecyclePolicy"],
  registry: ["ecr:PutRegistryPolicy", "ecr:PutReplicationConfiguration"],
  repository: ["ecr:PutImage", "ecr:BatchDeleteImage", "ecr:SetRepositoryPolicy"],
};
export const probeResources = {
  escalation: [`arn:aws:iam::${accountId}:role/admin`, "arn:aws:iam::999999999999:role/admin"],
  registry: ["*"],
  repository: [
    named,
    repositoryArn("billing"),
    repositoryArn("app", "us-east-1"),
    repositoryArn("app", "eu-west-2", "999999999999"),
    repositoryArn("team/app"),
  ],
};

export function allows(policies: readonly unknown[], action: string, resource: string): boolean {
  return identityAllows(policies, action, resource);
}

/**
 * Repository ARNs the policies name literally: in an Allow's Resource, or in a Deny's NotResource
 * (a Deny that takes back everything else): the role's own repositories.
 */
export function literallyNamed(policies: readonly any[]): string[] {
  const literal = (values: unknown) =>
    [values].flat().filter((r): r is string => typeof r === "string" && !/[*?]/.test(r));
  return policies.flatMap((policy) =>
    policy.Statement.flatMap((s: any) =>
      s.Effect === "Allow" ? literal(s.Resource) : literal(s.NotResource),
    ),
  );
}

// The evaluator's engine, called directly as `test/helpers/iam.ts` does (see there why), here
// with a permissions boundary.
const engineRoot = path.dirname(require.resolve("@cloud-copilot/iam-simulate"));
const { authorize } = require(path.join(engineRoot, "core_engine/CoreSimulatorEngine.js"));
const { AwsRequestImpl } = require(path.join(engineRoot, "request/request.js"));
const { RequestContextImpl } = require(path.join(engineRoot, "requestContext.js"));
const { DiscoveryContextKeyConstraints } = require(
  path.join(engineRoot, "context_keys/discoveryContextKeyConstraints.js"),
);

/**
 * Whether a role of this account with these identity policies and this permissions boundary
 * may perform `action` on `resource`, as the evaluator decides (its boundary analysis, not an
 * intersection worked out here).
 */
export function allowsWithin(
  policies: readonly unknown[],
  boundary: unknown,
  action: string,
  resource: string,
): boolean {
  const analysis = authorize({
    request: new AwsRequestImpl(
      `arn:aws:iam::${accountId}:role/under-test`,
      { resource, accountId },
      action,
      new RequestContextImpl({}),
    ),
    sessionPolicy: undefined,
    identityPolicies: policies.map((policy, i) => loadPolicy(policy, { name: `policy-${i}` })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: undefined,
    permissionBoundaries: [loadPolicy(boundary, { name: "boundary" })],
    vpcEndpointPolicies: undefined,
    simulationParameters: {
      simulationMode: "Strict",
      discoveryContextKeyConstraints: new DiscoveryContextKeyConstraints([]),
    },
    serviceSettings: { s3: {} },
  });
  return analysis.result === "Allowed";
}
