/**
 * The least-privilege rule judges a permissions boundary as IAM does: what a role may do is what
 * its identity policies allow and its boundary allows too. A boundary only ever removes findings
 * when the stack knows its document; an unknown one restricts nothing.
 */
import { strict as assert } from "assert";
import { iamGithubOidcRoleLeastPrivilege } from "../../policy-pack/policies/iam/iamGithubOidcRoleLeastPrivilege";
import { awsNativeTypes, awsTypes } from "../../policy-pack/governance/typeTokens";
import { readFixture } from "../helpers/fixtures";
import { runStackPolicy, TestStackResource, unknown, urnOf } from "../helpers/policyHarness";

const trust = readFixture("hand-made-iam/github-actions-oidc-trust.json");
const document = (...statements: object[]) => ({ Version: "2012-10-17", Statement: statements });
const repository = "arn:aws:ecr:eu-west-2:123456789012:repository/payments-api";
const boundaryArn = "arn:aws:iam::123456789012:policy/delivery/ecr-push-boundary";
const pushActions = [
  "ecr:BatchCheckLayerAvailability",
  "ecr:CompleteLayerUpload",
  "ecr:InitiateLayerUpload",
  "ecr:PutImage",
  "ecr:UploadLayerPart",
];
/** A boundary that allows only the ECR login and pushing to the role's own repository. */
const pushOnly = document(
  { Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
  { Effect: "Allow", Action: pushActions, Resource: repository },
);
const role = (permissionsBoundary?: unknown, dependsOnBoundary = false): TestStackResource => ({
  type: awsTypes.iamRole,
  name: "push-role",
  props: {
    name: "gha-ecr-push",
    assumeRolePolicy: trust,
    ...(permissionsBoundary === undefined ? {} : { permissionsBoundary }),
  },
  ...(dependsOnBoundary ? { propertyDependencies: { permissionsBoundary: ["boundary"] } } : {}),
});
const boundary = (policy: unknown, arn: unknown = boundaryArn): TestStackResource => ({
  type: awsTypes.iamPolicy,
  name: "boundary",
  props: { name: "ecr-push-boundary", path: "/delivery/", policy, arn },
});
const rolePolicy = (policy: unknown): TestStackResource => ({
  type: awsTypes.iamRolePolicy,
  name: "push-policy",
  props: { role: unknown, policy },
  propertyDependencies: { role: ["push-role"] },
});
/** An identity policy that allows every IAM action, beside the push. */
const iamEverything = document(
  { Effect: "Allow", Action: "iam:*", Resource: "*" },
  { Effect: "Allow", Action: pushActions, Resource: repository },
);
const lead =
  'Role "gha-ecr-push" is trusted by GitHub Actions and must only push to its own repositories';
const escalation = (actions: string) =>
  `${lead}: role policy "push-policy" statement 1 grants ${actions} (e.g. on "arn:aws:iam::123456789012:role/admin"), with which it can give itself more rights; remove them`;
const allIam =
  "iam:PassRole, iam:PutRolePolicy, iam:AttachRolePolicy, iam:CreatePolicyVersion and 109 more";
const messages = (resources: TestStackResource[]) =>
  runStackPolicy(iamGithubOidcRoleLeastPrivilege, resources).map((v) => v.message);

describe("iam-github-oidc-role-least-privilege, with a permissions boundary", () => {
  it("Compliance 1: iam:* in the identity policy, under a boundary of the stack that allows only the ECR push", () => {
    assert.deepEqual(
      messages([role(boundaryArn), boundary(pushOnly), rolePolicy(iamEverything)]),
      [],
    );
  });

  it('Compliance 2: "*" on "*" (every finding kind at once) under the push-only boundary', () => {
    const everything = document(
      { Effect: "Allow", Action: "*", Resource: "*" },
      { Effect: "Allow", Action: pushActions, Resource: repository },
    );
    assert.deepEqual(messages([role(boundaryArn), boundary(pushOnly), rolePolicy(everything)]), []);
  });

  it("Compliance 3: the boundary is linked by dependency while its ARN is unknown in a preview", () => {
    assert.deepEqual(
      messages([role(unknown, true), boundary(pushOnly, unknown), rolePolicy(iamEverything)]),
      [],
    );
  });

  it("Compliance 4: a boundary that allows everything but denies IAM and STS takes iam:* away", () => {
    const denyingIam = document(
      { Effect: "Allow", Action: "*", Resource: "*" },
      { Effect: "Deny", Action: ["iam:*", "sts:*"], Resource: "*" },
    );
    assert.deepEqual(
      messages([role(boundaryArn), boundary(denyingIam), rolePolicy(iamEverything)]),
      [],
    );
  });

  it("Compliance 5: an aws-native role's boundary, a managed policy of the stack", () => {
    const nativeRole: TestStackResource = {
      type: awsNativeTypes.iamRole,
      name: "push-role",
      props: {
        roleName: "gha-ecr-push",
        assumeRolePolicyDocument: trust,
        permissionsBoundary: boundaryArn,
        policies: [{ policyName: "push", policyDocument: iamEverything }],
      },
    };
    assert.deepEqual(messages([nativeRole, boundary(pushOnly)]), []);
  });

  it("Noncompliance 1: a role without a boundary that allows iam:* can give itself more rights", () => {
    assert.deepEqual(messages([role(), rolePolicy(iamEverything)]), [escalation(allIam)]);
  });

  it("Noncompliance 2: an AWS managed boundary, whose document the pack does not know, restricts nothing", () => {
    assert.deepEqual(
      messages([
        role("arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPowerUser"),
        rolePolicy(iamEverything),
      ]),
      [escalation(allIam)],
    );
  });

  it("Noncompliance 3: a boundary of another stack (its ARN names no policy here) restricts nothing", () => {
    assert.deepEqual(
      messages([
        role("arn:aws:iam::123456789012:policy/elsewhere"),
        boundary(pushOnly),
        rolePolicy(iamEverything),
      ]),
      [escalation(allIam)],
    );
  });

  it("Noncompliance 4: a boundary whose document is unknown in a preview restricts nothing", () => {
    assert.deepEqual(messages([role(boundaryArn), boundary(unknown), rolePolicy(iamEverything)]), [
      escalation(allIam),
    ]);
  });

  it("Noncompliance 5: what both allow stays a finding: a boundary that also allows iam:PassRole", () => {
    const passRole = document(
      { Effect: "Allow", Action: "iam:PassRole", Resource: "*" },
      { Effect: "Allow", Action: pushActions, Resource: repository },
    );
    assert.deepEqual(messages([role(boundaryArn), boundary(passRole), rolePolicy(iamEverything)]), [
      escalation("iam:PassRole"),
    ]);
  });

  it("Noncompliance 6: a boundary Deny with a condition may not apply, so it takes nothing away", () => {
    const conditionalDeny = document(
      { Effect: "Allow", Action: "*", Resource: "*" },
      {
        Effect: "Deny",
        Action: "iam:*",
        Resource: "*",
        Condition: { StringEquals: { "aws:RequestedRegion": "eu-west-2" } },
      },
    );
    assert.deepEqual(
      messages([role(boundaryArn), boundary(conditionalDeny), rolePolicy(iamEverything)]),
      [escalation(allIam)],
    );
  });

  it("Noncompliance 8: a boundary does not name the role's own repositories: its identity policies must", () => {
    const everything = document({ Effect: "Allow", Action: "*", Resource: "*" });
    assert.deepEqual(messages([role(boundaryArn), boundary(pushOnly), rolePolicy(everything)]), [
      `${lead}: role policy "push-policy" statement 1 grants ecr:CompleteLayerUpload, ecr:InitiateLayerUpload, ecr:PutImage, ecr:UploadLayerPart on "${repository}", a repository it does not name; scope Resource to the repository's ARN (TrustedDeliveryPipeline does)`,
    ]);
  });

  it("Noncompliance 7: a boundary does not make the identity policy's registry-wide grant safe unless it refuses it", () => {
    const registry = document({ Effect: "Allow", Action: "ecr:PutRegistryPolicy", Resource: "*" });
    const violations = runStackPolicy(iamGithubOidcRoleLeastPrivilege, [
      role(boundaryArn),
      boundary(document({ Effect: "Allow", Action: "ecr:*", Resource: repository })),
      rolePolicy(registry),
    ]);
    // IAM authorises registry-wide actions on "*": a boundary naming a repository still grants
    // them (read so, failing closed), as the identity side is read.
    assert.deepEqual(violations, [
      {
        urn: urnOf(role(boundaryArn)),
        message: `${lead}: role policy "push-policy" statement 1 grants ecr:PutRegistryPolicy, which change the whole registry; remove them`,
      },
    ]);
  });
});
