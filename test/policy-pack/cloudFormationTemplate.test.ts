import { strict as assert } from "assert";
import * as aws from "@pulumi/aws";
import {
  awsCloudFormationTypes,
  awsNativeCloudFormationTypes,
  awsTypes,
  cloudControlResourceType,
} from "../../policy-pack/governance/typeTokens";
import { Unresolved } from "../../policy-pack/iam/document";
import {
  cloudFormationTemplate,
  DeclaredResource,
  maxTextLength,
  readDeployment,
  readTemplate,
  TemplateContext,
  TemplateReading,
} from "../../policy-pack/resources/cloudFormation";
import { parseTemplateText } from "../../policy-pack/resources/cloudFormationText";
import { unknown } from "../helpers/policyHarness";

const { unknownCheckingProxy } = require("@pulumi/policy/proxy");

const account = "123456789012";
const known: TemplateContext = { account, partition: "aws", region: "eu-west-1" };
const u = (reason: string) => new Unresolved(reason);

/** The resources of a reading, by logical id; fails on an unreadable template. */
function declared(reading: TemplateReading): Record<string, DeclaredResource> {
  assert.ok("resources" in reading, `unreadable: ${"unreadable" in reading && reading.unreadable}`);
  return Object.fromEntries(reading.resources.map((r) => [r.logicalId, r]));
}

/** One resource's props, read from a template of `resources` (and other sections). */
function propsOf(
  template: Record<string, unknown>,
  logicalId: string,
  context: TemplateContext = known,
): Record<string, unknown> {
  return declared(readTemplate(JSON.stringify(template), context))[logicalId].props;
}

const githubProvider =
  "arn:${AWS::Partition}:iam::${AWS::AccountId}:oidc-provider/token.actions.githubusercontent.com";

/** A GitHub-trusted role, its push policy and a repository, as JSON. */
const pipelineJson = {
  AWSTemplateFormatVersion: "2010-09-09",
  Resources: {
    PushRole: {
      Type: "AWS::IAM::Role",
      Properties: {
        RoleName: "app-push",
        Path: "/ci/",
        AssumeRolePolicyDocument: {
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Principal: { Federated: { "Fn::Sub": githubProvider } },
              Action: "sts:AssumeRoleWithWebIdentity",
              Condition: {
                StringLike: { "token.actions.githubusercontent.com:sub": "repo:acme/app:*" },
              },
            },
          ],
        },
      },
    },
    PushPolicy: {
      Type: "AWS::IAM::Policy",
      Properties: {
        PolicyName: "push",
        Roles: [{ Ref: "PushRole" }],
        PolicyDocument: {
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Action: "ecr:*", Resource: { "Fn::GetAtt": ["Repository", "Arn"] } },
          ],
        },
      },
    },
    Repository: {
      Type: "AWS::ECR::Repository",
      Properties: {
        RepositoryName: "app",
        RepositoryPolicyText: {
          Statement: [
            {
              Effect: "Allow",
              Principal: { AWS: { "Fn::GetAtt": ["PushRole", "Arn"] } },
              Action: "ecr:BatchGetImage",
            },
          ],
        },
      },
    },
  },
};

/** The same template in YAML, with short-form tags. */
const pipelineYaml = `
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  PushRole:
    Type: AWS::IAM::Role
    Properties:
      RoleName: app-push
      Path: /ci/
      AssumeRolePolicyDocument:
        Version: 2012-10-17
        Statement:
          - Effect: Allow
            Principal:
              Federated: !Sub arn:\${AWS::Partition}:iam::\${AWS::AccountId}:oidc-provider/token.actions.githubusercontent.com
            Action: sts:AssumeRoleWithWebIdentity
            Condition:
              StringLike:
                token.actions.githubusercontent.com:sub: repo:acme/app:*
  PushPolicy:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: push
      Roles: [!Ref PushRole]
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: ecr:*
            Resource: !GetAtt Repository.Arn
  Repository:
    Type: AWS::ECR::Repository
    Properties:
      RepositoryName: app
      RepositoryPolicyText:
        Statement:
          - Effect: Allow
            Principal:
              AWS: !GetAtt [PushRole, Arn]
            Action: ecr:BatchGetImage
`;

const trust = (federated: unknown) => ({
  Version: "2012-10-17",
  Statement: [
    {
      Effect: "Allow",
      Principal: { Federated: federated },
      Action: "sts:AssumeRoleWithWebIdentity",
      Condition: {
        StringLike: { "token.actions.githubusercontent.com:sub": "repo:acme/app:*" },
      },
    },
  ],
});

describe("reading a CloudFormation template (policy-pack/resources/cloudFormation)", () => {
  describe("its resources", () => {
    it("are read from JSON as the aws-native resources of their types, camel-cased, policy documents as written", () => {
      assert.deepEqual(readTemplate(JSON.stringify(pipelineJson), known), {
        resources: [
          {
            logicalId: "PushRole",
            cloudFormationType: "AWS::IAM::Role",
            type: "aws-native:iam:Role",
            props: {
              roleName: "app-push",
              path: "/ci/",
              assumeRolePolicyDocument: trust(
                `arn:aws:iam::${account}:oidc-provider/token.actions.githubusercontent.com`,
              ),
            },
            references: {},
          },
          {
            logicalId: "PushPolicy",
            cloudFormationType: "AWS::IAM::Policy",
            type: "AWS::IAM::Policy",
            props: {
              policyName: "push",
              roles: ["app-push"],
              policyDocument: {
                Version: "2012-10-17",
                Statement: [
                  {
                    Effect: "Allow",
                    Action: "ecr:*",
                    Resource: `arn:aws:ecr:eu-west-1:${account}:repository/app`,
                  },
                ],
              },
            },
            references: { roles: ["PushRole"], policyDocument: ["Repository"] },
          },
          {
            logicalId: "Repository",
            cloudFormationType: "AWS::ECR::Repository",
            type: "aws-native:ecr:Repository",
            props: {
              repositoryName: "app",
              repositoryPolicyText: {
                Statement: [
                  {
                    Effect: "Allow",
                    Principal: { AWS: `arn:aws:iam::${account}:role/ci/app-push` },
                    Action: "ecr:BatchGetImage",
                  },
                ],
              },
            },
            references: { repositoryPolicyText: ["PushRole"] },
          },
        ],
        unread: [],
      });
    });

    it("are the same read from YAML with short-form tags as from JSON", () => {
      assert.deepEqual(
        readTemplate(pipelineYaml, known),
        readTemplate(JSON.stringify(pipelineJson), known),
      );
    });

    it("are the same read from a template object (aws-native, Cloud Control) as from its text", () => {
      assert.deepEqual(readTemplate(pipelineJson, known), readTemplate(pipelineYaml, known));
    });

    it("leave the account Unresolved inside a trust policy's principal when it is not known", () => {
      const role = declared(readTemplate(pipelineYaml, { partition: "aws" })).PushRole;
      assert.deepEqual(
        role.props.assumeRolePolicyDocument,
        trust(
          u(
            'Fn::Sub "arn:${AWS::Partition}:iam::${AWS::AccountId}:oidc-provider/token.actions.githubusercontent.com" (AWS::AccountId (the account is not known))',
          ),
        ),
      );
    });

    it("name the resources each property refers to, so a policy links to the roles it names", () => {
      const reading = declared(readTemplate(pipelineYaml, {}));
      assert.deepEqual(reading.PushPolicy.references, {
        roles: ["PushRole"],
        policyDocument: ["Repository"],
      });
      // A role's Ref is its name, known from the template whatever the account.
      assert.deepEqual(reading.PushPolicy.props.roles, ["app-push"]);
    });

    it("link a role's ManagedPolicyArns to a managed policy of the template, whose Ref is its ARN", () => {
      const reading = declared(
        readTemplate(
          JSON.stringify({
            Resources: {
              Role: {
                Type: "AWS::IAM::Role",
                Properties: {
                  AssumeRolePolicyDocument: { Statement: [] },
                  ManagedPolicyArns: [
                    { Ref: "Push" },
                    { "Fn::GetAtt": ["Push", "PolicyArn"] },
                    "arn:aws:iam::aws:policy/ReadOnlyAccess",
                  ],
                },
              },
              Push: {
                Type: "AWS::IAM::ManagedPolicy",
                Properties: {
                  ManagedPolicyName: "push",
                  Path: "/ci/",
                  PolicyDocument: { Statement: [] },
                },
              },
            },
          }),
          known,
        ),
      );
      assert.deepEqual(reading.Role.props.managedPolicyArns, [
        `arn:aws:iam::${account}:policy/ci/push`,
        `arn:aws:iam::${account}:policy/ci/push`,
        "arn:aws:iam::aws:policy/ReadOnlyAccess",
      ]);
      assert.deepEqual(reading.Role.references, { managedPolicyArns: ["Push"] });
      assert.equal(reading.Push.type, "aws-native:iam:ManagedPolicy");
    });

    it("are read as their CloudFormation type where aws-native has no type the pack reads", () => {
      const reading = readTemplate(
        JSON.stringify({
          Resources: {
            Policy: { Type: "AWS::IAM::Policy", Properties: {} },
            User: { Type: "AWS::IAM::User", Properties: { UserName: "ci" } },
            Group: { Type: "AWS::IAM::Group", Properties: {} },
            Provider: { Type: "AWS::IAM::OIDCProvider", Properties: {} },
            Public: { Type: "AWS::ECR::PublicRepository", Properties: {} },
          },
        }),
      );
      assert.ok("resources" in reading);
      assert.deepEqual(
        reading.resources.map((r) => [r.logicalId, r.type]),
        [
          ["Policy", "AWS::IAM::Policy"],
          ["User", "AWS::IAM::User"],
          ["Group", "AWS::IAM::Group"],
          ["Provider", "aws-native:iam:OidcProvider"],
          ["Public", "aws-native:ecr:PublicRepository"],
        ],
      );
    });
  });

  describe("the return values of resources (Ref, Fn::GetAtt)", () => {
    const template = (properties: Record<string, unknown>) => ({
      Resources: {
        Role: { Type: "AWS::IAM::Role", Properties: properties },
        User: { Type: "AWS::IAM::User", Properties: { UserName: "ci" } },
        Group: { Type: "AWS::IAM::Group", Properties: { GroupName: "ops", Path: "/x/" } },
        Provider: {
          Type: "AWS::IAM::OIDCProvider",
          Properties: { Url: "https://token.actions.githubusercontent.com" },
        },
        Repo: { Type: "AWS::ECR::Repository", Properties: { RepositoryName: "app" } },
        Public: { Type: "AWS::ECR::PublicRepository", Properties: { RepositoryName: "pub" } },
        Policy: { Type: "AWS::IAM::Policy", Properties: { PolicyName: "p" } },
        Uses: {
          Type: "AWS::SNS::Topic",
          Properties: {
            Values: [
              { Ref: "Role" },
              { "Fn::GetAtt": ["Role", "Arn"] },
              { "Fn::GetAtt": ["Role", "RoleId"] },
              { Ref: "User" },
              { "Fn::GetAtt": ["User", "Arn"] },
              { Ref: "Group" },
              { "Fn::GetAtt": ["Group", "Arn"] },
              { Ref: "Provider" },
              { "Fn::GetAtt": ["Provider", "Arn"] },
              { Ref: "Repo" },
              { "Fn::GetAtt": ["Repo", "Arn"] },
              { "Fn::GetAtt": ["Repo", "RepositoryUri"] },
              { Ref: "Public" },
              { "Fn::GetAtt": ["Public", "Arn"] },
              { Ref: "Policy" },
            ],
          },
        },
      },
    });

    it("are the documented values, where the template determines them", () => {
      assert.deepEqual(propsOf(template({ RoleName: "push" }), "Uses").values, [
        "push",
        `arn:aws:iam::${account}:role/push`,
        u("Fn::GetAtt Role.RoleId (a value CloudFormation makes when it creates AWS::IAM::Role)"),
        "ci",
        `arn:aws:iam::${account}:user/ci`,
        "ops",
        `arn:aws:iam::${account}:group/x/ops`,
        `arn:aws:iam::${account}:oidc-provider/token.actions.githubusercontent.com`,
        `arn:aws:iam::${account}:oidc-provider/token.actions.githubusercontent.com`,
        "app",
        `arn:aws:ecr:eu-west-1:${account}:repository/app`,
        `${account}.dkr.ecr.eu-west-1.amazonaws.com/app`,
        "pub",
        `arn:aws:ecr-public::${account}:repository/pub`,
        u("Ref Policy (a value CloudFormation makes when it creates AWS::IAM::Policy)"),
      ]);
    });

    it("are Unresolved when CloudFormation generates the name", () => {
      assert.deepEqual((propsOf(template({}), "Uses").values as unknown[]).slice(0, 2), [
        u("Ref Role (RoleName is not set: CloudFormation generates the name)"),
        u("Fn::GetAtt Role.Arn (RoleName is not set: CloudFormation generates the name)"),
      ]);
    });

    it("follow a name given by a parameter or a pseudo parameter", () => {
      const values = propsOf(
        {
          ...template({ RoleName: { "Fn::Sub": "${AWS::StackName}-${Suffix}" } }),
          Parameters: { Suffix: { Type: "String", Default: "push" } },
        },
        "Uses",
        { ...known, stackName: "pipeline" },
      ).values as unknown[];
      assert.deepEqual(values.slice(0, 2), [
        "pipeline-push",
        `arn:aws:iam::${account}:role/pipeline-push`,
      ]);
    });

    it("give a repository's URI with the partition's URL suffix (amazonaws.com.cn in China)", () => {
      const values = propsOf(template({}), "Uses", {
        account,
        partition: "aws-cn",
        region: "cn-north-1",
      }).values as unknown[];
      assert.deepEqual(values.slice(10, 12), [
        `arn:aws-cn:ecr:cn-north-1:${account}:repository/app`,
        `${account}.dkr.ecr.cn-north-1.amazonaws.com.cn/app`,
      ]);
    });

    it("are Unresolved for a circular reference, which CloudFormation refuses", () => {
      const values = propsOf(
        {
          Resources: {
            A: { Type: "AWS::IAM::Role", Properties: { RoleName: { Ref: "B" } } },
            B: { Type: "AWS::IAM::Role", Properties: { RoleName: { Ref: "A" } } },
          },
        },
        "A",
      );
      assert.deepEqual(values, {
        roleName: u("Ref B (Ref A (a circular reference, which CloudFormation refuses))"),
      });
    });
  });

  describe("its parameters", () => {
    const template = {
      Parameters: {
        Org: { Type: "String", Default: "acme" },
        Repo: { Type: "String", Default: "app" },
        Branches: { Type: "CommaDelimitedList", Default: "main, release" },
        Secret: { Type: "AWS::SSM::Parameter::Value<String>", Default: "/ci/org" },
        NoDefault: { Type: "String" },
      },
      Resources: {
        Topic: {
          Type: "AWS::SNS::Topic",
          Properties: {
            Org: { Ref: "Org" },
            Repo: { Ref: "Repo" },
            Branches: { Ref: "Branches" },
            Secret: { Ref: "Secret" },
            NoDefault: { Ref: "NoDefault" },
          },
        },
      },
    };

    it("are the stack's values, else their Defaults; list types are split at commas and trimmed", () => {
      assert.deepEqual(
        propsOf(template, "Topic", { parameters: { Org: "octo", NoDefault: "x" } }),
        {
          org: "octo",
          repo: "app",
          branches: ["main", "release"],
          secret: u(
            "parameter Secret (the value of an SSM parameter, read when CloudFormation deploys)",
          ),
          noDefault: "x",
        },
      );
    });

    it("are Unresolved when the stack gives none and there is no Default, or the stack's is unknown", () => {
      const props = propsOf(template, "Topic", {
        parameters: { Org: u("parameter Org (unknown during the preview)") },
      });
      assert.deepEqual(
        [props.org, props.noDefault],
        [
          u("parameter Org (unknown during the preview)"),
          u("parameter NoDefault (the stack gives it no value, and it has no Default)"),
        ],
      );
    });

    it("are Unresolved when each deployment may override them (a stack set's instances)", () => {
      const props = propsOf(template, "Topic", { parameters: { Org: "octo" }, overridden: "all" });
      assert.deepEqual(props.org, u("parameter Org (each stack set instance may override it)"));
      assert.deepEqual(
        propsOf(template, "Topic", { overridden: ["Repo"] }).repo,
        u("parameter Repo (each stack set instance may override it)"),
      );
    });
  });

  describe("its conditions", () => {
    const template = {
      Parameters: { Env: { Type: "String", Default: "dev" }, Region: { Type: "String" } },
      Conditions: {
        IsProd: { "Fn::Equals": [{ Ref: "Env" }, "prod"] },
        InEurope: { "Fn::Equals": [{ Ref: "Region" }, "eu-west-1"] },
        ProdOrEurope: { "Fn::Or": [{ Condition: "IsProd" }, { Condition: "InEurope" }] },
        NotProd: { "Fn::Not": [{ Condition: "IsProd" }] },
        ProdInEurope: { "Fn::And": [{ Condition: "IsProd" }, { Condition: "InEurope" }] },
      },
      Resources: {
        Role: {
          Type: "AWS::IAM::Role",
          Properties: {
            RoleName: { "Fn::If": ["IsProd", "prod-push", "dev-push"] },
            ManagedPolicyArns: [
              "arn:aws:iam::aws:policy/ReadOnlyAccess",
              {
                "Fn::If": [
                  "IsProd",
                  { Ref: "AWS::NoValue" },
                  "arn:aws:iam::aws:policy/AdministratorAccess",
                ],
              },
            ],
            Path: { "Fn::If": ["InEurope", "/ci/", "/ci/"] },
            Description: { "Fn::If": ["NotProd", { Ref: "AWS::NoValue" }, "production"] },
            Tags: [
              { Key: "or", Value: { "Fn::If": ["ProdOrEurope", "yes", "no"] } },
              { Key: "and", Value: { "Fn::If": ["ProdInEurope", "yes", "no"] } },
            ],
          },
        },
        ProdOnly: { Type: "AWS::SNS::Topic", Condition: "IsProd", Properties: {} },
        EuropeOnly: { Type: "AWS::SNS::Topic", Condition: "InEurope", Properties: {} },
      },
    };

    it("choose Fn::If's branch when decided; AWS::NoValue removes the property or list item", () => {
      assert.deepEqual(propsOf(template, "Role", { parameters: { Env: "dev", Region: "x" } }), {
        roleName: "dev-push",
        managedPolicyArns: [
          "arn:aws:iam::aws:policy/ReadOnlyAccess",
          "arn:aws:iam::aws:policy/AdministratorAccess",
        ],
        path: "/ci/",
        tags: [
          { key: "or", value: "no" },
          { key: "and", value: "no" },
        ],
      });
      assert.deepEqual(propsOf(template, "Role", { parameters: { Env: "prod", Region: "x" } }), {
        roleName: "prod-push",
        managedPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
        path: "/ci/",
        description: "production",
        tags: [
          { key: "or", value: "yes" },
          { key: "and", value: "no" },
        ],
      });
    });

    it("leave an undecided Fn::If Unresolved unless both branches agree; a known decisive part decides", () => {
      const region = u("parameter Region (the stack gives it no value, and it has no Default)");
      const inEurope = `the condition InEurope (Fn::Equals [{"Ref":"Region"},"eu-west-1"] (${region.reason}))`;
      assert.deepEqual(propsOf(template, "Role", { parameters: { Env: "prod" } }).tags, [
        { key: "or", value: "yes" },
        { key: "and", value: u(`Fn::If ProdInEurope (the condition ProdInEurope (${inEurope}))`) },
      ]);
      assert.deepEqual(propsOf(template, "Role", { parameters: { Env: "prod" } }).path, "/ci/");
      assert.deepEqual(propsOf(template, "Role", { parameters: { Env: "dev" } }).tags, [
        { key: "or", value: u(`Fn::If ProdOrEurope (the condition ProdOrEurope (${inEurope}))`) },
        { key: "and", value: "no" },
      ]);
    });

    it("omit a resource whose Condition is false, and mark one whose Condition is undecided", () => {
      const reading = readTemplate(JSON.stringify(template), { parameters: { Env: "dev" } });
      assert.ok("resources" in reading);
      assert.deepEqual(
        reading.resources.map((r) => [r.logicalId, r.condition]),
        [
          ["Role", undefined],
          [
            "EuropeOnly",
            u(
              'the condition InEurope (Fn::Equals [{"Ref":"Region"},"eu-west-1"] (parameter Region (the stack gives it no value, and it has no Default)))',
            ),
          ],
        ],
      );
    });
  });

  describe("its functions", () => {
    const topic = (properties: Record<string, unknown>, context: TemplateContext = known) =>
      propsOf(
        {
          Mappings: { Accounts: { prod: { Id: "210987654321", Regions: ["eu-west-1"] } } },
          Parameters: { Stage: { Type: "String", Default: "prod" } },
          Resources: { Topic: { Type: "AWS::SNS::Topic", Properties: properties } },
        },
        "Topic",
        context,
      );

    it("evaluate Fn::Sub (both forms), Fn::Join, Fn::Select, Fn::Split, Fn::FindInMap, Fn::Base64 and Fn::Cidr", () => {
      assert.deepEqual(
        topic({
          Sub: { "Fn::Sub": "${AWS::Region}/${Stage}/${!Literal}" },
          SubMap: { "Fn::Sub": ["${Name}-${AWS::AccountId}", { Name: { Ref: "Stage" } }] },
          Join: { "Fn::Join": [":", ["a", { Ref: "AWS::Partition" }, "b"]] },
          Select: { "Fn::Select": ["1", { "Fn::Split": [",", "x,y,z"] }] },
          Find: { "Fn::FindInMap": ["Accounts", { Ref: "Stage" }, "Id"] },
          FindList: { "Fn::FindInMap": ["Accounts", "prod", "Regions"] },
          Base64: { "Fn::Base64": "echo hi" },
          Cidr: { "Fn::Cidr": ["10.0.0.0/24", 2, 6] },
          UrlSuffix: { Ref: "AWS::URLSuffix" },
        }),
        {
          sub: "eu-west-1/prod/${Literal}",
          subMap: `prod-${account}`,
          join: "a:aws:b",
          select: "y",
          find: "210987654321",
          findList: ["eu-west-1"],
          base64: "ZWNobyBoaQ==",
          cidr: ["10.0.0.0/26", "10.0.0.64/26"],
          urlSuffix: "amazonaws.com",
        },
      );
    });

    it("keep what the template does not determine Unresolved, in its place", () => {
      assert.deepEqual(
        topic(
          {
            Azs: { "Fn::GetAZs": "" },
            Import: { "Fn::ImportValue": "shared-role-arn" },
            StackId: { Ref: "AWS::StackId" },
            Dynamic: "{{resolve:ssm:/ci/role}}",
            List: ["kept", { Ref: "AWS::AccountId" }],
            Select: { "Fn::Select": [0, ["known", { Ref: "AWS::AccountId" }]] },
            Missing: { "Fn::FindInMap": ["Accounts", "dev", "Id"] },
            Unknown: { "Fn::Length": [1, 2] },
          },
          { partition: "aws" },
        ),
        {
          azs: u("Fn::GetAZs (the Availability Zones the account sees)"),
          import: u('Fn::ImportValue "shared-role-arn" (another stack\'s export)'),
          stackId: u("AWS::StackId (CloudFormation makes it)"),
          dynamic: u(
            'the dynamic reference "{{resolve:ssm:/ci/role}}" (read when CloudFormation deploys)',
          ),
          list: ["kept", u("AWS::AccountId (the account is not known)")],
          select: "known",
          missing: u(
            'Fn::FindInMap ["Accounts","dev","Id"] (the Mappings hold no such key, and CloudFormation refuses it)',
          ),
          unknown: u("Fn::Length [1,2] (a function the pack does not evaluate)"),
        },
      );
    });

    it("leave text longer than the pack computes Unresolved", () => {
      const long = "x".repeat(maxTextLength);
      const shown = `${JSON.stringify(["", [long, "y"]]).slice(0, 200)}…`;
      assert.deepEqual(
        topic({ Long: { "Fn::Join": ["", [long, "y"]] } }).long,
        u(`Fn::Join ${shown} (longer than the ${maxTextLength} characters the pack computes)`),
      );
    });
  });

  describe("its YAML", () => {
    it("reads every short-form tag as its function", () => {
      assert.deepEqual(
        parseTemplateText(
          [
            "- !Ref X",
            "- !Sub a-${X}",
            "- !GetAtt R.Arn",
            "- !Join [',', [a, b]]",
            "- !If [C, a, b]",
            "- !Select [0, [a]]",
            "- !Split [',', 'a,b']",
            "- !FindInMap [M, a, b]",
            "- !ImportValue E",
            "- !Base64 text",
            "- !Cidr [10.0.0.0/24, 2, 6]",
            "- !GetAZs ''",
            "- !Equals [a, b]",
            "- !Not [!Condition C]",
            "- !And [!Condition C, !Condition D]",
            "- !Or [!Condition C, !Condition D]",
          ].join("\n"),
        ),
        {
          value: [
            { Ref: "X" },
            { "Fn::Sub": "a-${X}" },
            { "Fn::GetAtt": "R.Arn" },
            { "Fn::Join": [",", ["a", "b"]] },
            { "Fn::If": ["C", "a", "b"] },
            { "Fn::Select": [0, ["a"]] },
            { "Fn::Split": [",", "a,b"] },
            { "Fn::FindInMap": ["M", "a", "b"] },
            { "Fn::ImportValue": "E" },
            { "Fn::Base64": "text" },
            { "Fn::Cidr": ["10.0.0.0/24", 2, 6] },
            { "Fn::GetAZs": "" },
            { "Fn::Equals": ["a", "b"] },
            { "Fn::Not": [{ Condition: "C" }] },
            { "Fn::And": [{ Condition: "C" }, { Condition: "D" }] },
            { "Fn::Or": [{ Condition: "C" }, { Condition: "D" }] },
          ],
        },
      );
    });

    it("reads yes and no as booleans and 2012-10-17 as text, and leaves 012 and on Unresolved", () => {
      assert.deepEqual(parseTemplateText("[yes, No, 2012-10-17, '012', 012, on, 12]"), {
        value: [
          true,
          false,
          "2012-10-17",
          "012",
          u("the YAML value 012, which YAML 1.1 reads as 10 and YAML 1.2 as 12"),
          u('the YAML value on, which YAML 1.1 reads as true and YAML 1.2 as "on"'),
          12,
        ],
      });
    });
  });

  describe("a template it cannot read", () => {
    it("is unreadable when it declares a Transform: macros make resources it does not list", () => {
      assert.deepEqual(
        readTemplate(
          "Transform: AWS::Serverless-2016-10-31\nResources:\n  F: {Type: AWS::Serverless::Function}",
        ),
        {
          unreadable:
            'declares Transform "AWS::Serverless-2016-10-31": macros rewrite the template, and may declare resources it does not list',
        },
      );
    });

    it("is unreadable when it is not JSON or YAML, or not a template", () => {
      assert.deepEqual(readTemplate("Resources: [unclosed"), {
        unreadable:
          "is neither JSON nor YAML (Flow sequence in block collection must be sufficiently indented and end with a ] at line 1, column 21:)",
      });
      assert.deepEqual(readTemplate("a few words"), {
        unreadable: "is not a CloudFormation template (a JSON or YAML map with a Resources map)",
      });
      assert.deepEqual(readTemplate('{"Description": "x"}'), {
        unreadable: "has no Resources map",
      });
    });

    it("is unreadable when two readers could read its text differently", () => {
      assert.deepEqual(readTemplate('{"Resources": {}, "Resources": {"R": {}}}'), {
        unreadable: 'is JSON with the key "Resources" twice in one object',
      });
      assert.deepEqual(readTemplate("Resources: {}\nResources: {}"), {
        unreadable: "is neither JSON nor YAML (Map keys must be unique at line 2, column 1:)",
      });
      assert.deepEqual(readTemplate("Resources: !Macro {}"), {
        unreadable: "uses the YAML tag !Macro, which CloudFormation does not define",
      });
      assert.deepEqual(readTemplate("Resources:\n  A: &a {Type: AWS::SNS::Topic}\n  B: *a"), {
        unreadable: "uses the YAML alias *a, which CloudFormation does not document",
      });
    });

    it("is unreadable when it uses Fn::Transform outside a resource, and a resource using it is unread", () => {
      assert.deepEqual(
        readTemplate({
          Resources: { "Fn::Transform": { Name: "AWS::Include", Parameters: {} } },
        }),
        { unreadable: "uses Fn::Transform in its Resources: a macro rewrites them" },
      );
      assert.deepEqual(
        readTemplate({
          Resources: {
            Role: {
              Type: "AWS::IAM::Role",
              Properties: {
                RoleName: "push",
                Policies: [{ "Fn::Transform": { Name: "AWS::Include", Parameters: {} } }],
              },
            },
          },
        }),
        {
          resources: [],
          unread: [{ logicalId: "Role", reason: "uses Fn::Transform: a macro rewrites it" }],
        },
      );
    });
  });

  describe("resources it cannot judge", () => {
    it("are listed in unread: nested stacks, custom resources, modules, registry extensions", () => {
      const reading = readTemplate(
        JSON.stringify({
          Resources: {
            Nested: {
              Type: "AWS::CloudFormation::Stack",
              Properties: { TemplateURL: "https://s3.amazonaws.com/b/roles.yaml" },
            },
            Custom: { Type: "Custom::RoleMaker", Properties: { ServiceToken: "arn:x" } },
            Generic: {
              Type: "AWS::CloudFormation::CustomResource",
              Properties: { ServiceToken: "arn:x" },
            },
            Set: { Type: "AWS::CloudFormation::StackSet", Properties: {} },
            Module: { Type: "Acme::Ci::Roles::MODULE", Properties: {} },
            Extension: { Type: "Acme::Ci::Role", Properties: {} },
            Uses: {
              Type: "AWS::IAM::Role",
              Properties: {
                RoleName: { "Fn::GetAtt": ["Custom", "Name"] },
                AssumeRolePolicyDocument: {},
              },
            },
          },
        }),
        known,
      );
      assert.deepEqual(reading, {
        resources: [
          {
            logicalId: "Uses",
            cloudFormationType: "AWS::IAM::Role",
            type: "aws-native:iam:Role",
            props: {
              roleName: u(
                "Fn::GetAtt Custom.Name (Custom is a custom resource (Custom::RoleMaker): code the pack cannot read decides what it does)",
              ),
              assumeRolePolicyDocument: {},
            },
            references: { roleName: ["Custom"] },
          },
        ],
        unread: [
          {
            logicalId: "Nested",
            reason:
              'is a nested stack, whose template (TemplateURL "https://s3.amazonaws.com/b/roles.yaml") the pack does not fetch',
          },
          {
            logicalId: "Custom",
            reason:
              "is a custom resource (Custom::RoleMaker): code the pack cannot read decides what it does",
          },
          {
            logicalId: "Generic",
            reason:
              "is a custom resource (AWS::CloudFormation::CustomResource): code the pack cannot read decides what it does",
          },
          { logicalId: "Set", reason: "is a stack set: it deploys a template into other accounts" },
          {
            logicalId: "Module",
            reason:
              "is a module (Acme::Ci::Roles::MODULE): it expands into resources the template does not list",
          },
          {
            logicalId: "Extension",
            reason:
              "is a registry extension (Acme::Ci::Role): code the pack cannot read decides what it does",
          },
        ],
      });
    });
  });
});

describe("the template of a CloudFormation stack or stack set (cloudFormationTemplate)", () => {
  const body = JSON.stringify({
    Parameters: { Org: { Type: "String", Default: "acme" } },
    Resources: {
      Role: {
        Type: "AWS::IAM::Role",
        Properties: {
          RoleName: { "Fn::Sub": "${AWS::StackName}-${Org}" },
          AssumeRolePolicyDocument: {
            Statement: [{ Effect: "Allow", Principal: { AWS: { Ref: "AWS::AccountId" } } }],
          },
        },
      },
    },
  });

  /** The role a stack's template declares, read with a target account. */
  function role(resource: { type: string; props: Record<string, unknown>; name?: string }) {
    const deployment = cloudFormationTemplate(resource);
    assert.ok(deployment !== undefined);
    return declared(readDeployment(deployment, { ...known, region: "us-east-1" })).Role.props;
  }

  it("gives the tokens of @pulumi/aws's own classes", () => {
    const tokenOf = (cls: unknown) => (cls as { __pulumiType?: string }).__pulumiType;
    assert.deepEqual(awsCloudFormationTypes, {
      stack: tokenOf(aws.cloudformation.Stack),
      stackSet: tokenOf(aws.cloudformation.StackSet),
    });
  });

  it("reads an aws:cloudformation/stack:Stack's body, parameters, name and region", () => {
    const stack = {
      type: awsCloudFormationTypes.stack,
      name: "pipeline",
      props: { name: "ci", templateBody: body, parameters: { Org: "octo" }, region: "eu-west-1" },
    };
    const deployment = cloudFormationTemplate(stack)!;
    assert.deepEqual(
      [deployment.what, deployment.kind, deployment.otherAccounts, deployment.template()],
      ['CloudFormation stack "ci"', "stack", false, { body }],
    );
    assert.deepEqual(deployment.context(), {
      parameters: { Org: "octo" },
      stackName: "ci",
      region: "eu-west-1",
    });
    assert.deepEqual(role(stack), {
      roleName: "ci-octo",
      assumeRolePolicyDocument: {
        Statement: [{ Effect: "Allow", Principal: { AWS: account } }],
      },
    });
  });

  it("reads an aws:cloudformation/stackSet:StackSet as deploying into accounts not known, every parameter overridable", () => {
    const set = {
      type: awsCloudFormationTypes.stackSet,
      props: { name: "roles", templateBody: body, parameters: { Org: "octo" } },
    };
    const deployment = cloudFormationTemplate(set)!;
    assert.deepEqual(
      [deployment.what, deployment.kind, deployment.otherAccounts, deployment.context()],
      [
        'CloudFormation stack set "roles"',
        "stack set",
        true,
        { parameters: { Org: "octo" }, overridden: "all" },
      ],
    );
    assert.deepEqual(role(set), {
      roleName: u(
        'Fn::Sub "${AWS::StackName}-${Org}" (AWS::StackName (the stack\'s name is not known); parameter Org (each stack set instance may override it))',
      ),
      assumeRolePolicyDocument: {
        Statement: [
          { Effect: "Allow", Principal: { AWS: u("AWS::AccountId (the account is not known)") } },
        ],
      },
    });
  });

  it("reads an aws-native:cloudformation:Stack's template object", () => {
    const stack = {
      type: awsNativeCloudFormationTypes.stack,
      // As the policy SDK gives it: reading a value unknown during a preview throws.
      props: unknownCheckingProxy({
        stackName: "ci",
        templateBody: JSON.parse(body),
        parameters: { Org: "octo" },
      }),
    };
    assert.equal(cloudFormationTemplate(stack)!.what, 'CloudFormation stack "ci"');
    assert.equal(role(stack).roleName, "ci-octo");
  });

  it("reads an aws-native:cloudformation:StackSet's parameters from their list", () => {
    const set = {
      type: awsNativeCloudFormationTypes.stackSet,
      props: {
        stackSetName: "roles",
        templateBody: body,
        parameters: [{ parameterKey: "Org", parameterValue: "octo" }],
      },
    };
    const deployment = cloudFormationTemplate(set)!;
    assert.deepEqual(
      [deployment.what, deployment.otherAccounts, deployment.context()],
      [
        'CloudFormation stack set "roles"',
        true,
        { parameters: { Org: "octo" }, overridden: "all" },
      ],
    );
  });

  it("reads Cloud Control stacks and stack sets from their desired state", () => {
    const stack = {
      type: cloudControlResourceType,
      props: {
        typeName: "AWS::CloudFormation::Stack",
        desiredState: JSON.stringify({
          StackName: "ci",
          TemplateBody: body,
          Parameters: { Org: "octo" },
        }),
      },
    };
    assert.equal(cloudFormationTemplate(stack)!.what, 'CloudFormation stack "ci"');
    assert.equal(role(stack).roleName, "ci-octo");
    const set = cloudFormationTemplate({
      type: cloudControlResourceType,
      name: "roles",
      props: {
        typeName: "AWS::CloudFormation::StackSet",
        desiredState: JSON.stringify({
          TemplateURL: "https://s3.amazonaws.com/b/roles.yaml",
          Parameters: [{ ParameterKey: "Org", ParameterValue: "octo" }],
        }),
      },
    })!;
    assert.deepEqual(
      [set.what, set.otherAccounts, set.template(), set.context()],
      [
        'CloudFormation stack set "roles"',
        true,
        { url: "https://s3.amazonaws.com/b/roles.yaml" },
        { parameters: { Org: "octo" }, overridden: "all" },
      ],
    );
    assert.deepEqual(readDeployment(set, known), {
      unreadable:
        "is only given by URL (https://s3.amazonaws.com/b/roles.yaml), and the pack does not fetch templates",
    });
  });

  it("reports a template it cannot find: only a URL, no template, a desired state that is not JSON", () => {
    const read = (resource: { type: string; props: Record<string, unknown> }) =>
      readDeployment(cloudFormationTemplate(resource)!, known);
    assert.deepEqual(
      read({
        type: awsCloudFormationTypes.stack,
        props: { name: "ci", templateUrl: "https://x/t" },
      }),
      { unreadable: "is only given by URL (https://x/t), and the pack does not fetch templates" },
    );
    assert.deepEqual(read({ type: awsNativeCloudFormationTypes.stack, props: {} }), {
      unreadable: "names no template (neither a template body nor a template URL)",
    });
    assert.deepEqual(
      read({
        type: cloudControlResourceType,
        props: { typeName: "AWS::CloudFormation::Stack", desiredState: "{" },
      }),
      { unreadable: "has a desiredState that is not valid JSON" },
    );
  });

  it("reads a parameter unknown during a preview as Unresolved, and throws for an unknown template", () => {
    const deployment = cloudFormationTemplate({
      type: awsCloudFormationTypes.stack,
      props: unknownCheckingProxy({
        name: "ci",
        templateBody: unknown,
        parameters: { Org: unknown, Repo: "app" },
      }),
    })!;
    assert.deepEqual(deployment.context().parameters, {
      Org: u("parameter Org (unknown during the preview)"),
      Repo: "app",
    });
    const isUnknown = (e: Error) => e.constructor.name === "UnknownValueError";
    assert.throws(() => deployment.template(), isUnknown);
    // A template object with a value unknown during the preview: read at the update.
    const native = cloudFormationTemplate({
      type: awsNativeCloudFormationTypes.stack,
      props: unknownCheckingProxy({
        stackName: "ci",
        templateBody: {
          Resources: { Role: { Type: "AWS::IAM::Role", Properties: { RoleName: unknown } } },
        },
      }),
    })!;
    assert.throws(() => readDeployment(native, known), isUnknown);
  });

  it("is undefined for other resources", () => {
    assert.equal(cloudFormationTemplate({ type: awsTypes.iamRole, props: {} }), undefined);
    assert.equal(
      cloudFormationTemplate({
        type: cloudControlResourceType,
        props: { typeName: "AWS::IAM::Role", desiredState: "{}" },
      }),
      undefined,
    );
  });
});
