import { strict as assert } from "assert";
import { iamGithubOidcRoleLeastPrivilege } from "../../policy-pack/policies/iam/iamGithubOidcRoleLeastPrivilege";
import { readFixture } from "../helpers/fixtures";
import { runStackPolicy, TestStackResource, unknown, urnOf } from "../helpers/policyHarness";
import {
  awsNativeTypes,
  awsTypes,
  cloudControlResourceType,
} from "../../policy-pack/governance/typeTokens";

const trust = readFixture("hand-made-iam/github-actions-oidc-trust.json");
const role: TestStackResource = {
  type: awsTypes.iamRole,
  name: "push-role",
  props: { name: "gha-ecr-push", assumeRolePolicy: trust },
};
const document = (...statements: object[]) => ({ Version: "2012-10-17", Statement: statements });
const ownRepository = document(
  { Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
  {
    Effect: "Allow",
    Action: ["ecr:PutImage", "ecr:UploadLayerPart"],
    Resource: "arn:aws:ecr:eu-west-2:123456789012:repository/payments-api",
  },
);
const rolePolicy = (policy: unknown, linked = true): TestStackResource => ({
  type: awsTypes.iamRolePolicy,
  name: "push-policy",
  props: { role: linked ? unknown : "gha-ecr-push", policy },
  ...(linked ? { propertyDependencies: { role: ["push-role"] } } : {}),
});
const lead =
  'Role "gha-ecr-push" is trusted by GitHub Actions and must only push to its own repositories';
const scope = "; scope Resource to the repository's ARN (TrustedDeliveryPipeline does)";
const escalation = (who: string, actions: string, grant = "grants") =>
  `${lead}: ${who} ${grant} ${actions} (e.g. on "arn:aws:iam::123456789012:role/admin"), with which it can give itself more rights; remove them`;
const registryWide =
  "ecr:CreatePullThroughCacheRule, ecr:CreateRepositoryCreationTemplate, ecr:DeletePullThroughCacheRule, ecr:DeleteRegistryPolicy and 11 more, which change the whole registry; remove them";
/** The ECR writes that undo a repository's governance, as messages list them. */
const governance =
  "ecr:BatchDeleteImage, ecr:CreateRepository, ecr:DeleteLifecyclePolicy, ecr:DeleteRepository and 7 more";
const undoes =
  "with which it can undo its repository's governance (policy, scanning, tag mutability, retention, tags); a push role needs none of them";
/** Every escalation path outside IAM and STS, as "*" grants them. */
const escalationPaths =
  "apprunner:UpdateService, bedrock-agentcore:InvokeCodeInterpreter, bedrock-agentcore:StartCodeInterpreterSession, cloudformation:CreateChangeSet and 22 more, together a known way to give itself more rights (paths apprunner-002, bedrock-002, cloudformation-002, cloudformation-005 and 13 more at pathfinding.cloud); remove them";
const run = (resources: TestStackResource[]) =>
  runStackPolicy(iamGithubOidcRoleLeastPrivilege, resources);
const messages = (resources: TestStackResource[]) => run(resources).map((v) => v.message);
const otherRepository = (who: string, actions: string, arn: string) =>
  `${lead}: ${who} grants ${actions} on "${arn}", a repository it does not name${scope}`;

/** The least-privilege rule's findings for AWS Signer: signing as any profile, and governance. */
const signBeyondProfiles =
  'signer:SignPayload on more than the signing profiles it names exactly (e.g. on "*"), so it could sign images as other signing profiles, and a signature would no longer say which pipeline pushed the image; grant it on the one profile\'s ARN instead (arn:aws:signer:<region>:<account>:/signing-profiles/<name>, no wildcards)';
const signingGovernance =
  'signer:AddProfilePermission, signer:CancelSigningProfile, signer:PutSigningProfile, signer:RemoveProfilePermission and 4 more (e.g. on "*"), with which it could re-create, revoke or share signing profiles or revoke signatures, undoing what signature verification relies on; a push role needs only signer:SignPayload on its profile';

describe("iam-github-oidc-role-least-privilege", () => {
  it("Compliance 1: push on the role's own repository, and the ECR login on *", () => {
    assert.deepEqual(run([role, rolePolicy(ownRepository)]), []);
  });

  it("Compliance 2: a role not trusted by GitHub may have broad grants (other policies judge it)", () => {
    const lambda: TestStackResource = {
      type: awsTypes.iamRole,
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

  it("Compliance 3: a broad grant that a Deny takes back to the role's own repository", () => {
    const denied = document(
      { Effect: "Allow", Action: "ecr:PutImage", Resource: "*" },
      {
        Effect: "Deny",
        Action: "ecr:PutImage",
        NotResource: "arn:aws:ecr:eu-west-2:123456789012:repository/payments-api",
      },
    );
    assert.deepEqual(run([role, rolePolicy(denied)]), []);
  });

  it("Compliance 4: a read-only AWS managed policy the config allows", () => {
    const listed = {
      ...role,
      props: {
        ...role.props,
        managedPolicyArns: ["arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly"],
      },
    };
    assert.deepEqual(run([listed]), []);
  });

  it("Noncompliance 1: the hand-made push policy, which reaches every repository in the account", () => {
    assert.deepEqual(
      run([role, rolePolicy(readFixture("hand-made-iam/github-actions-ecr-push.json"))]),
      [
        {
          urn: urnOf(role),
          message: otherRepository(
            'role policy "push-policy" statement "ECRPushPull"',
            "ecr:CompleteLayerUpload, ecr:InitiateLayerUpload, ecr:PutImage, ecr:UploadLayerPart",
            "arn:aws:ecr:eu-west-2:123456789012:repository/another-team-app",
          ),
        },
      ],
    );
  });

  it('Noncompliance 2: "ecr:*" in an inline policy, even on the role\'s own repository, changes the whole registry', () => {
    const inline = {
      ...role,
      props: {
        ...role.props,
        inlinePolicies: [
          {
            name: "all-ecr",
            policy: JSON.stringify(
              document({
                Effect: "Allow",
                Action: "ecr:*",
                Resource: "arn:aws:ecr:eu-west-2:123456789012:repository/payments-api",
              }),
            ),
          },
        ],
      },
    };
    assert.deepEqual(messages([inline]), [
      `${lead}: inline policy "all-ecr" statement 1 grants ${registryWide}`,
      `${lead}: inline policy "all-ecr" statement 1 grants ${governance} on "arn:aws:ecr:eu-west-2:123456789012:repository/payments-api", ${undoes}`,
    ]);
  });

  it('Noncompliance 3: "*", and NotAction, grant escalation, registry and every repository', () => {
    const star = {
      Statement: [
        { Sid: "Admin", Effect: "Allow", Action: "*", Resource: "*" },
        { Effect: "Allow", NotAction: "iam:*", Resource: "*" },
      ],
    };
    const both =
      'role policy "push-policy" statement "Admin", role policy "push-policy" statement 2';
    assert.deepEqual(messages([role, rolePolicy(star)]), [
      escalation(
        both,
        "iam:PassRole, iam:PutRolePolicy, iam:AttachRolePolicy, iam:CreatePolicyVersion and 121 more",
        "grant",
      ),
      `${lead}: ${both} grant ${escalationPaths}`,
      `${lead}: ${both} grant ${registryWide}`,
      `${lead}: ${both} grant ecr:BatchDeleteImage, ecr:BatchImportUpstreamImage, ecr:CompleteLayerUpload, ecr:CreateRepository and 16 more on "arn:aws:ecr:eu-west-2:123456789012:repository/another-team-app", a repository it does not name${scope}`,
      `${lead}: ${both} grant ${governance} on "arn:aws:ecr:eu-west-2:123456789012:repository/app", ${undoes}`,
      `${lead}: ${both} grant ${signBeyondProfiles}`,
      `${lead}: ${both} grant ${signingGovernance}`,
    ]);
  });

  it("Noncompliance 4: an ECR write wildcard on *", () => {
    const puts = { Statement: [{ Effect: "Allow", Action: "ecr:Put*", Resource: "*" }] };
    assert.deepEqual(messages([role, rolePolicy(puts, false)]), [
      `${lead}: role policy "push-policy" statement 1 grants ecr:PutAccountSetting, ecr:PutRegistryPolicy, ecr:PutRegistryScanningConfiguration, ecr:PutReplicationConfiguration and 1 more, which change the whole registry; remove them`,
      otherRepository(
        'role policy "push-policy" statement 1',
        "ecr:PutImage, ecr:PutImageScanningConfiguration, ecr:PutImageTagMutability, ecr:PutLifecyclePolicy",
        "arn:aws:ecr:eu-west-2:123456789012:repository/another-team-app",
      ),
      `${lead}: role policy "push-policy" statement 1 grants ecr:PutImageScanningConfiguration, ecr:PutImageTagMutability, ecr:PutLifecyclePolicy on "arn:aws:ecr:eu-west-2:123456789012:repository/app", ${undoes}`,
    ]);
  });

  it("Noncompliance 5: AWS managed admin and power-user policies, attached or listed on the role", () => {
    const attachment: TestStackResource = {
      type: awsTypes.iamRolePolicyAttachment,
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
    assert.deepEqual(messages([listed, attachment]), [
      `${lead}: it has the AWS managed policy AdministratorAccess attached; detach it and grant push on the repository's ARN only`,
      `${lead}: it has the AWS managed policy AmazonEC2ContainerRegistryPowerUser attached; detach it and grant push on the repository's ARN only`,
    ]);
  });

  it("Noncompliance 6: a customer managed policy attached from the stack", () => {
    const policy: TestStackResource = {
      type: awsTypes.iamPolicy,
      name: "broad",
      props: {
        policy: JSON.stringify(document({ Effect: "Allow", Action: "ecr:*", Resource: "*" })),
      },
    };
    const attachment: TestStackResource = {
      type: awsTypes.iamRolePolicyAttachment,
      name: "attach",
      props: { role: unknown, policyArn: unknown },
      propertyDependencies: { role: ["push-role"], policyArn: ["broad"] },
    };
    assert.deepEqual(messages([role, policy, attachment]), [
      `${lead}: attached policy "broad" statement 1 grants ${registryWide}`,
      otherRepository(
        'attached policy "broad" statement 1',
        "ecr:BatchDeleteImage, ecr:BatchImportUpstreamImage, ecr:CompleteLayerUpload, ecr:CreateRepository and 16 more",
        "arn:aws:ecr:eu-west-2:123456789012:repository/another-team-app",
      ),
      `${lead}: attached policy "broad" statement 1 grants ${governance} on "arn:aws:ecr:eu-west-2:123456789012:repository/app", ${undoes}`,
    ]);
  });

  it("Noncompliance 7 (class 7): IAM write actions, with which the role can make itself admin", () => {
    for (const action of [
      "iam:PutRolePolicy",
      "iam:AttachRolePolicy",
      "iam:PassRole",
      "iam:CreatePolicyVersion",
      "iam:UpdateAssumeRolePolicy",
    ]) {
      assert.deepEqual(
        messages([role, rolePolicy(document({ Effect: "Allow", Action: action, Resource: "*" }))]),
        [escalation('role policy "push-policy" statement 1', action)],
        action,
      );
    }
    assert.deepEqual(
      messages([
        role,
        rolePolicy(
          document({
            Effect: "Allow",
            Action: "iam:*",
            Resource: "arn:aws:iam::123456789012:role/*",
          }),
        ),
      ]),
      [
        escalation(
          'role policy "push-policy" statement 1',
          "iam:PassRole, iam:PutRolePolicy, iam:AttachRolePolicy, iam:CreatePolicyVersion and 109 more",
        ),
      ],
    );
  });

  it("Noncompliance 8 (class 7): admin-equivalent AWS managed policies beyond the two that were listed", () => {
    for (const policy of ["IAMFullAccess", "job-function/SystemAdministrator"]) {
      const listed = {
        ...role,
        props: { ...role.props, managedPolicyArns: [`arn:aws:iam::aws:policy/${policy}`] },
      };
      assert.deepEqual(messages([listed]), [
        `${lead}: it has the AWS managed policy ${policy} attached; detach it and grant push on the repository's ARN only`,
      ]);
    }
  });

  it("Noncompliance 9: an AWS managed policy the pack cannot read, and a customer policy from elsewhere", () => {
    const listed = {
      ...role,
      props: {
        ...role.props,
        managedPolicyArns: [
          "arn:aws:iam::aws:policy/AmazonS3FullAccess",
          "arn:aws:iam::123456789012:policy/shared-ci",
        ],
      },
    };
    assert.deepEqual(messages([listed]), [
      `${lead}: it has the AWS managed policy AmazonS3FullAccess attached, whose grants this pack cannot read; detach it, or list it in allowedManagedPolicies if it grants nothing beyond reading`,
      `${lead}: policy arn:aws:iam::123456789012:policy/shared-ci is attached, but its document is not in this stack, so what it grants cannot be checked; declare the policy in this stack, or inline it`,
    ]);
  });

  it("Noncompliance 10 (class 7): attachments through RolePolicyAttachmentsExclusive, PolicyAttachment and an aws-native ManagedPolicy", () => {
    const exclusive: TestStackResource = {
      type: awsTypes.iamRolePolicyAttachmentsExclusive,
      name: "exclusive",
      props: { roleName: "gha-ecr-push", policyArns: ["arn:aws:iam::aws:policy/IAMFullAccess"] },
    };
    const attachment: TestStackResource = {
      type: awsTypes.iamPolicyAttachment,
      name: "shared",
      props: {
        roles: ["some-role", "gha-ecr-push"],
        policyArn: "arn:aws:iam::aws:policy/PowerUserAccess",
      },
    };
    const managed: TestStackResource = {
      type: awsNativeTypes.iamManagedPolicy,
      name: "escalate",
      props: {
        roles: ["gha-ecr-push"],
        policyDocument: document({ Effect: "Allow", Action: "iam:PassRole", Resource: "*" }),
      },
    };
    assert.deepEqual(messages([role, exclusive, attachment, managed]), [
      `${lead}: it has the AWS managed policy IAMFullAccess attached; detach it and grant push on the repository's ARN only`,
      `${lead}: it has the AWS managed policy PowerUserAccess attached; detach it and grant push on the repository's ARN only`,
      escalation('managed policy "escalate" statement 1', "iam:PassRole"),
    ]);
  });

  it("Noncompliance 11 (class 8): wildcards that reach other teams' repositories", () => {
    const cases: [string, string][] = [
      [
        "arn:aws:ecr:eu-west-2:123456789012:repository/*b*",
        "arn:aws:ecr:eu-west-2:123456789012:repository/b",
      ],
      [
        "arn:aws:ecr:eu-west-2:123456789012:repository/a*",
        "arn:aws:ecr:eu-west-2:123456789012:repository/another-team-app",
      ],
      [
        "arn:aws:ecr:eu-west-2:123456789012:repository/9*",
        "arn:aws:ecr:eu-west-2:123456789012:repository/9other",
      ],
      [
        "arn:aws:ecr:eu-west-2:123456789012:repository/team-a-*",
        "arn:aws:ecr:eu-west-2:123456789012:repository/team-a-other",
      ],
      ["arn:*", "arn:aws:ecr:eu-west-2:123456789012:repository/another-team-app"],
      ["arn:aws:*", "arn:aws:ecr:eu-west-2:123456789012:repository/another-team-app"],
    ];
    for (const [pattern, reached] of cases) {
      assert.deepEqual(
        messages([
          role,
          rolePolicy(document({ Effect: "Allow", Action: "ecr:PutImage", Resource: pattern })),
        ]),
        [otherRepository('role policy "push-policy" statement 1', "ecr:PutImage", reached)],
        pattern,
      );
    }
  });

  it("Noncompliance 12 (class 9): a role whose trust is unknown during preview hides no known violation elsewhere", () => {
    const pending: TestStackResource = {
      type: awsTypes.iamRole,
      name: "pending",
      props: { name: "pending", assumeRolePolicy: unknown },
    };
    const admin = {
      ...role,
      props: { ...role.props, managedPolicyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"] },
    };
    assert.deepEqual(messages([pending, admin]), [
      `${lead}: it has the AWS managed policy AdministratorAccess attached; detach it and grant push on the repository's ARN only`,
    ]);
  });

  it("Noncompliance 13: a Cloud Control role with its policies in its desired state", () => {
    const cloudControl: TestStackResource = {
      type: cloudControlResourceType,
      name: "cc-role",
      props: {
        typeName: "AWS::IAM::Role",
        desiredState: JSON.stringify({
          RoleName: "cc-push",
          AssumeRolePolicyDocument: JSON.parse(trust),
          ManagedPolicyArns: ["arn:aws:iam::aws:policy/IAMFullAccess"],
          Policies: [
            {
              PolicyName: "escalate",
              PolicyDocument: document({
                Effect: "Allow",
                Action: "iam:PutRolePolicy",
                Resource: "*",
              }),
            },
          ],
        }),
      },
    };
    const ccLead =
      'Role "cc-push" is trusted by GitHub Actions and must only push to its own repositories';
    assert.deepEqual(messages([cloudControl]), [
      `${ccLead}: it has the AWS managed policy IAMFullAccess attached; detach it and grant push on the repository's ARN only`,
      `${ccLead}: inline policy "escalate" statement 1 grants iam:PutRolePolicy (e.g. on "arn:aws:iam::123456789012:role/admin"), with which it can give itself more rights; remove them`,
    ]);
  });
});

describe("iam-github-oidc-role-least-privilege on aws-native roles", () => {
  const nativeRole: TestStackResource = {
    type: awsNativeTypes.iamRole,
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
      type: awsNativeTypes.iamRolePolicy,
      name: "ecr-all",
      props: {
        roleName: "native-push",
        policyDocument: { Statement: [{ Effect: "Allow", Action: "ecr:*", Resource: "*" }] },
      },
    };
    const both = 'inline policy "everything" statement 1, role policy "ecr-all" statement 1';
    assert.deepEqual(messages([nativeRole, rolePolicy]), [
      `${nativeLead}: inline policy "everything" statement 1 grants iam:PassRole, iam:PutRolePolicy, iam:AttachRolePolicy, iam:CreatePolicyVersion and 121 more (e.g. on "arn:aws:iam::123456789012:role/admin"), with which it can give itself more rights; remove them`,
      `${nativeLead}: inline policy "everything" statement 1 grants ${escalationPaths}`,
      `${nativeLead}: ${both} grant ${registryWide}`,
      `${nativeLead}: ${both} grant ecr:BatchDeleteImage, ecr:BatchImportUpstreamImage, ecr:CompleteLayerUpload, ecr:CreateRepository and 16 more on "arn:aws:ecr:eu-west-2:123456789012:repository/another-team-app", a repository it does not name${scope}`,
      `${nativeLead}: ${both} grant ${governance} on "arn:aws:ecr:eu-west-2:123456789012:repository/app", ${undoes}`,
      `${nativeLead}: inline policy "everything" statement 1 grants ${signBeyondProfiles}`,
      `${nativeLead}: inline policy "everything" statement 1 grants ${signingGovernance}`,
    ]);
  });
});
