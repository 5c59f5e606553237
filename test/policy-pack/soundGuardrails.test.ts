/**
 * The classes of documents that talked the model out of a verdict (each passed every mandatory
 * policy while an IAM evaluator let a foreign principal in, or the role escalate), driven over
 * the Analyzer protocol as the Pulumi CLI drives the pack: a compliant and a non-compliant case
 * per class, with the exact messages, in the aws, aws-native and Cloud Control forms where they
 * exist. The argument that closes each class is in policy-pack/iam/MODEL.md.
 */
import { strict as assert } from "assert";
import * as path from "path";
import {
  AnalyzerResource,
  Diagnostic,
  PolicyPackProcess,
} from "../../cli/policyPack/analyzerClient";
import { resolvePolicyConfig } from "../../cli/policyPack/policyConfig";
import {
  awsCloudFormationTypes,
  awsNativeCloudFormationTypes,
  awsNativeTypes,
  awsTypes,
  cloudControlResourceType,
} from "../../policy-pack/governance/typeTokens";

const packDir = path.join(__dirname, "../../policy-pack");
const account = "123456789012";
const github = `arn:aws:iam::${account}:oidc-provider/token.actions.githubusercontent.com`;
const subKey = "token.actions.githubusercontent.com:sub";
const aud = { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" };
const document = (...statements: object[]) => ({ Version: "2012-10-17", Statement: statements });
const webIdentity = (
  effect: string,
  condition: object,
  principal: unknown = { Federated: github },
) => ({
  Effect: effect,
  Principal: principal,
  Action: "sts:AssumeRoleWithWebIdentity",
  Condition: condition,
});
const scopedTrust = document(
  webIdentity("Allow", { StringEquals: { ...aud, [subKey]: "repo:acme/app:ref:refs/heads/main" } }),
);
/** The stack's AWS provider: eu-west-2 of the account, as `aws:allowedAccountIds` says. */
const provider = {
  urn: "urn:pulumi:dev::platform::pulumi:providers:aws::default",
  type: "pulumi:providers:aws",
  name: "default",
  properties: { region: "eu-west-2", allowedAccountIds: [account] },
};

let counter = 0;
const resource = (
  type: string,
  properties: Record<string, unknown>,
  extra: Partial<AnalyzerResource> = {},
): AnalyzerResource => {
  const name = `r${(counter += 1)}`;
  return { urn: `urn:pulumi:dev::platform::${type}::${name}`, type, name, properties, ...extra };
};
const role = (trust: unknown, extra: Record<string, unknown> = {}, options = {}) =>
  resource(awsTypes.iamRole, { name: "push", assumeRolePolicy: trust, ...extra }, options);
/** The same role in the aws-native and Cloud Control forms. */
const otherForms = (trust: unknown) => [
  resource(awsNativeTypes.iamRole, { roleName: "push", assumeRolePolicyDocument: trust }),
  resource(cloudControlResourceType, {
    typeName: "AWS::IAM::Role",
    desiredState: JSON.stringify({ RoleName: "push", AssumeRolePolicyDocument: trust }),
  }),
];
const withInline = (policy: object, options = {}) =>
  role(
    scopedTrust,
    { inlinePolicies: [{ name: "push", policy: JSON.stringify(policy) }] },
    options,
  );
const repositoryPolicy = (policy: object) =>
  resource(awsTypes.ecrRepositoryPolicy, { repository: "app", policy: JSON.stringify(policy) });

/** Every letter-case spelling of a key, up to `count` of them: JSON keys differ, IAM's do not. */
function spellings(key: string, count: number): string[] {
  const found = new Set<string>();
  for (let mask = 0; found.size < count; mask += 1) {
    found.add([...key].map((c, i) => ((mask >> (i % 24)) & 1 ? c.toUpperCase() : c)).join(""));
  }
  return [...found];
}

const lines = (diagnostics: Diagnostic[]) =>
  diagnostics.map(
    (d) => `${d.policyName} (${d.enforcementLevel}): ${d.message.split("\n").slice(1).join("\n")}`,
  );
const trustViolation = (problem: string, who = "statement 1") =>
  `iam-github-oidc-trust-scoped (mandatory): GitHub OIDC trust must admit one repository's workflow runs only, with aud "sts.amazonaws.com": ${who} ${problem}; list exact subjects such as "repo:<owner>/<name>:ref:refs/heads/main"`;
const leastPrivilege = (message: string, name = "push") =>
  `iam-github-oidc-role-least-privilege (mandatory): Role "${name}" is trusted by GitHub Actions and must only push to its own repositories: ${message}`;
const noPublicAccess = (who: string, actions: string) =>
  `ecr-no-public-access (mandatory): ECR repository policy must not let principals of other accounts in: statement 1 lets ${who} read it (${actions}); name the accounts that may pull in Principal, or confine "*" with an aws:PrincipalOrgID condition naming your organisation`;
const otherOwners =
  'admits repositories of more than one owner, e.g. sub "repo:octo-org/octo-repo:ref:refs/heads/main" and sub "repo:mallory/octo-repo:ref:refs/heads/main"';
const acmeRepositories =
  'admits more than one repository of acme, e.g. sub "repo:acme/app:ref:refs/heads/main" and sub "repo:acme/app-fork:ref:refs/heads/main"';

describe("guardrails that cannot be talked out of a verdict, over the Analyzer protocol", function () {
  this.timeout(90000);
  let pack: PolicyPackProcess;
  const mandatory = async (r: AnalyzerResource) =>
    lines(await pack.analyze(r)).filter((l) => l.includes("(mandatory)"));
  const stack = async (resources: AnalyzerResource[]) =>
    lines(await pack.analyzeStack(resources)).filter((l) => l.includes("(mandatory)"));

  before(async () => {
    pack = await PolicyPackProcess.start(packDir);
    await pack.configure(resolvePolicyConfig(await pack.getAnalyzerInfo(), undefined));
  });
  after(async () => {
    await pack?.stop();
  });

  describe("class 1: a search that ends early never reads as none found", () => {
    const manyConditions = (subject: string) =>
      document(
        webIdentity("Allow", {
          StringEquals: Object.fromEntries(
            spellings("token.actions.githubusercontent.com:aud", 40).map((k) => [
              k,
              "sts.amazonaws.com",
            ]),
          ),
          StringLike: Object.fromEntries(spellings(subKey, 40).map((k) => [k, subject])),
        }),
      );

    it("Compliance 1: forty conditions on each claim, every one pinning one subject", async () => {
      assert.deepEqual(
        await mandatory(role(manyConditions("repo:acme/app:ref:refs/heads/main"))),
        [],
      );
    });

    it("Noncompliance 1: forty conditions on each claim (past 31, where 1 << n overflowed) admitting every repository of an owner", async () => {
      for (const form of [
        role(manyConditions("repo:acme/*")),
        ...otherForms(manyConditions("repo:acme/*")),
      ]) {
        assert.deepEqual(await mandatory(form), [trustViolation(acmeRepositories)], form.type);
      }
    });

    it("Noncompliance 2: a Deny of every printable ASCII character and of the old stand-ins leaves subjects of other characters admitted", async () => {
      const ascii = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).filter(
        (c) => c !== "*" && c !== "?",
      );
      const standIns = [..."xqzjkvwybdfghmnpstulorei0123456789~\u00e6\u00f8\u00df\u4e00"];
      const denied = [...new Set([...ascii, ...standIns])].map((c) => `*${c}*`);
      const trust = document(
        webIdentity("Allow", { StringEquals: aud, StringLike: { [subKey]: "*" } }),
        webIdentity("Deny", { StringLike: { [subKey]: [...denied, "*${*}*", "*${?}*"] } }),
      );
      assert.deepEqual(await mandatory(role(trust)), [
        trustViolation(
          'admits sub "\u00aa", which names no one repository as "repo:<owner>/<name>:..." does',
        ),
      ]);
    });
  });

  describe("class 2: the role's account and partition come from the stack, or are any", () => {
    // A first statement on another account's (and partition's) ARN once became the role's home.
    const guessed = document(
      {
        Effect: "Allow",
        Action: "ecr:GetAuthorizationToken",
        Resource: "arn:aws-cn:ecr:cn-north-1:999999999999:repository/x",
      },
      {
        Effect: "Allow",
        Action: ["iam:PutRolePolicy", "iam:PassRole"],
        Resource: `arn:aws:iam::${account}:role/*`,
      },
      {
        Effect: "Allow",
        Action: "ecr:PutImage",
        Resource: `arn:aws:ecr:*:${account}:repository/*`,
      },
    );
    const expected = [
      leastPrivilege(
        `inline policy "push" statement 2 grants iam:PassRole, iam:PutRolePolicy (e.g. on "arn:aws:iam::${account}:role/admin"), with which it can give itself more rights; remove them`,
      ),
      leastPrivilege(
        `inline policy "push" statement 3 grants ecr:PutImage on "arn:aws:ecr:other:${account}:repository/other", a repository it does not name; scope Resource to the repository's ARN (TrustedDeliveryPipeline does)`,
      ),
    ];

    it("Compliance 2: the push policy the component writes, with the provider's account", async () => {
      const push = document(
        { Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
        {
          Effect: "Allow",
          Action: ["ecr:PutImage", "ecr:UploadLayerPart"],
          Resource: `arn:aws:ecr:eu-west-2:${account}:repository/app`,
        },
      );
      assert.deepEqual(await stack([withInline(push, { provider })]), []);
    });

    it("Noncompliance 3: IAM writes on the role's own account behind another partition's first ARN, with the provider's account", async () => {
      assert.deepEqual(await stack([withInline(guessed, { provider })]), expected);
    });

    it("Noncompliance 4: the same with no provider: the account is any", async () => {
      assert.deepEqual(await stack([withInline(guessed)]), expected);
    });
  });

  describe("class 3: outsiders of every principal kind", () => {
    const pullIf = (principalArn: string) =>
      document({
        Effect: "Allow",
        Principal: "*",
        Action: "ecr:BatchGetImage",
        Condition: { ArnLike: { "aws:PrincipalArn": principalArn } },
      });

    it("Compliance 3: Principal * confined to the account's own principals", async () => {
      // The stack's own account is known from the registry's id: its principals are inside.
      const own = resource(awsTypes.ecrRepositoryPolicy, {
        repository: "app",
        registryId: account,
        policy: JSON.stringify(pullIf(`arn:aws:iam::${account}:*`)),
      });
      assert.deepEqual(await mandatory(own), []);
      // Not known to be the stack's own, the account is no allowed reader: reported.
      assert.equal(
        (await mandatory(repositoryPolicy(pullIf(`arn:aws:iam::${account}:*`)))).length,
        1,
      );
    });

    it("Noncompliance 5: IAM users, account roots and federated users of any account", async () => {
      assert.deepEqual(await mandatory(repositoryPolicy(pullIf("arn:aws:iam::*:user/*"))), [
        noPublicAccess(
          "an IAM user of an account it does not name, in no organisation (e.g. arn:aws:iam::111122223333:user/outsider)",
          "ecr:BatchGetImage",
        ),
      ]);
      assert.deepEqual(await mandatory(repositoryPolicy(pullIf("arn:aws:iam::*:root"))), [
        noPublicAccess(
          "the root user of an account it does not name, in no organisation (e.g. arn:aws:iam::111122223333:root)",
          "ecr:BatchGetImage",
        ),
      ]);
      assert.deepEqual(
        await mandatory(repositoryPolicy(pullIf("arn:aws:sts::*:federated-user/*"))),
        [
          noPublicAccess(
            "a federated user of an account it does not name, in no organisation (e.g. arn:aws:sts::111122223333:federated-user/outsider)",
            "ecr:BatchGetImage",
          ),
        ],
      );
    });
  });

  describe("class 4: a statement IAM may not apply grants, and never protects", () => {
    const foreignAllow = webIdentity("Allow", {
      StringEquals: aud,
      StringLike: { [subKey]: "repo:*" },
    });
    const denyOthers = (overrides: object) => ({
      ...webIdentity("Deny", { StringNotLike: { [subKey]: "repo:acme/app:ref:refs/heads/main" } }),
      ...overrides,
    });

    it("Compliance 4: a Deny spelt as IAM documents it holds the Allow to one subject", async () => {
      assert.deepEqual(await mandatory(role(document(foreignAllow, denyOthers({})))), []);
    });

    it('Noncompliance 6: a Deny whose Effect is "deny", whose Principal is {"Federated": "*"}, or that names a Resource', async () => {
      const doubts: [object, string][] = [
        [{ Effect: "deny" }, 'its Effect is spelt "deny", not "Deny"'],
        [
          { Principal: { Federated: "*" } },
          'Principal {"Federated": "*"}, which IAM does not document',
        ],
        [
          { Resource: `arn:aws:iam::${account}:role/other` },
          "Resource in a trust policy, which IAM does not document",
        ],
      ];
      for (const [doubtful, doubt] of doubts) {
        const trust = document(foreignAllow, denyOthers(doubtful));
        for (const form of [role(trust), ...otherForms(trust)]) {
          assert.deepEqual(
            await mandatory(form),
            [
              trustViolation(
                `${otherOwners} (reading what the model cannot evaluate in the direction that grants access: ${doubt})`,
              ),
            ],
            `${form.type} ${JSON.stringify(doubtful)}`,
          );
        }
      }
    });
  });

  describe("class 5: escalation outside IAM and STS, and writes that undo governance", () => {
    it("Noncompliance 7: NotAction of IAM, STS and ECR on * grants the escalation paths of other services", async () => {
      const notAction = document({
        Effect: "Allow",
        NotAction: ["iam:*", "sts:*", "ecr:*"],
        Resource: "*",
      });
      assert.deepEqual(await stack([withInline(notAction)]), [
        leastPrivilege(
          'inline policy "push" statement 1 grants apprunner:UpdateService, bedrock-agentcore:InvokeCodeInterpreter, bedrock-agentcore:StartCodeInterpreterSession, cloudformation:CreateChangeSet and 22 more, together a known way to give itself more rights (paths apprunner-002, bedrock-002, cloudformation-002, cloudformation-005 and 13 more at pathfinding.cloud); remove them',
        ),
        // NotAction leaves AWS Signer in: signing as any profile, and its governance.
        leastPrivilege(
          'inline policy "push" statement 1 grants signer:SignPayload on more than the signing profiles it names exactly (e.g. on "*"), so it could sign images as other signing profiles, and a signature would no longer say which pipeline pushed the image; grant it on the one profile\'s ARN instead (arn:aws:signer:<region>:<account>:/signing-profiles/<name>, no wildcards)',
        ),
        leastPrivilege(
          'inline policy "push" statement 1 grants signer:AddProfilePermission, signer:CancelSigningProfile, signer:PutSigningProfile, signer:RemoveProfilePermission and 4 more (e.g. on "*"), with which it could re-create, revoke or share signing profiles or revoke signatures, undoing what signature verification relies on; a push role needs only signer:SignPayload on its profile',
        ),
      ]);
    });

    it("Noncompliance 8: sts:AssumeRole on another account's role", async () => {
      const assume = document({
        Effect: "Allow",
        Action: "sts:AssumeRole",
        Resource: "arn:aws:iam::999999999999:role/admin",
      });
      assert.deepEqual(await stack([withInline(assume, { provider })]), [
        leastPrivilege(
          'inline policy "push" statement 1 grants sts:AssumeRole (e.g. on "arn:aws:iam::999999999999:role/admin"), with which it can give itself more rights; remove them',
        ),
      ]);
    });

    it("Noncompliance 9: SetRepositoryPolicy on the role's own repository", async () => {
      const own = document({
        Effect: "Allow",
        Action: ["ecr:SetRepositoryPolicy", "ecr:PutImage"],
        Resource: `arn:aws:ecr:eu-west-2:${account}:repository/app`,
      });
      assert.deepEqual(await stack([withInline(own, { provider })]), [
        leastPrivilege(
          `inline policy "push" statement 1 grants ecr:SetRepositoryPolicy on "arn:aws:ecr:eu-west-2:${account}:repository/app", with which it can undo its repository's governance (policy, scanning, tag mutability, retention, tags); a push role needs none of them`,
        ),
      ]);
    });

    it("Noncompliance 10: a push role of one team writing another team's repository", async () => {
      const tags = (owner: string) => ({
        "goldenpath.idp/id": "REGISTRY_X",
        "goldenpath.idp/owner": owner,
        "goldenpath.idp/risk": "low",
      });
      const repository = (name: string, owner: string) =>
        resource(awsTypes.ecrRepository, { name, tags: tags(owner) });
      const push = document({
        Effect: "Allow",
        Action: "ecr:PutImage",
        Resource: [
          `arn:aws:ecr:eu-west-2:${account}:repository/payments`,
          `arn:aws:ecr:eu-west-2:${account}:repository/ledger`,
        ],
      });
      const pushRole = role(scopedTrust, {
        tags: tags("team-payments"),
        inlinePolicies: [{ name: "push", policy: JSON.stringify(push) }],
      });
      assert.deepEqual(
        await stack([
          repository("payments", "team-payments"),
          repository("ledger", "team-ledger"),
          pushRole,
        ]),
        [
          leastPrivilege(
            `it may write "arn:aws:ecr:eu-west-2:${account}:repository/ledger", a repository of team-ledger, while it is team-payments's; give each team's repositories their own push role`,
          ),
        ],
      );
    });
  });

  describe("class 6: what a CloudFormation template declares is judged as declared", () => {
    const template = (resources: object) =>
      JSON.stringify({ AWSTemplateFormatVersion: "2010-09-09", Resources: resources });
    const openRole = {
      PushRole: {
        Type: "AWS::IAM::Role",
        Properties: {
          RoleName: "cfn-push",
          AssumeRolePolicyDocument: document(
            webIdentity(
              "Allow",
              { StringEquals: aud, StringLike: { [subKey]: "repo:acme/*" } },
              {
                Federated: {
                  "Fn::Sub":
                    "arn:${AWS::Partition}:iam::${AWS::AccountId}:oidc-provider/token.actions.githubusercontent.com",
                },
              },
            ),
          ),
        },
      },
      Admin: {
        Type: "AWS::IAM::Policy",
        Properties: {
          PolicyName: "admin",
          Roles: [{ Ref: "PushRole" }],
          PolicyDocument: document({ Effect: "Allow", Action: "iam:*", Resource: "*" }),
        },
      },
    };
    const publicRepository = {
      Repo: {
        Type: "AWS::ECR::Repository",
        Properties: {
          RepositoryName: "cfn-app",
          ImageScanningConfiguration: { ScanOnPush: true },
          Tags: [
            { Key: "goldenpath.idp/id", Value: "REGISTRY_CFN" },
            { Key: "goldenpath.idp/owner", Value: "team-cfn" },
            { Key: "goldenpath.idp/risk", Value: "low" },
          ],
          RepositoryPolicyText: document({
            Effect: "Allow",
            Principal: "*",
            Action: "ecr:BatchGetImage",
          }),
        },
      },
    };
    const scopedYaml = [
      'AWSTemplateFormatVersion: "2010-09-09"',
      "Resources:",
      "  PushRole:",
      "    Type: AWS::IAM::Role",
      "    Properties:",
      "      AssumeRolePolicyDocument:",
      '        Version: "2012-10-17"',
      "        Statement:",
      "          - Effect: Allow",
      "            Principal:",
      "              Federated: !Sub arn:${AWS::Partition}:iam::${AWS::AccountId}:oidc-provider/token.actions.githubusercontent.com",
      "            Action: sts:AssumeRoleWithWebIdentity",
      "            Condition:",
      "              StringEquals:",
      "                token.actions.githubusercontent.com:aud: sts.amazonaws.com",
      "                token.actions.githubusercontent.com:sub: repo:acme/app:ref:refs/heads/main",
      "",
    ].join("\n");
    const cfnStack = (properties: object) =>
      resource(awsCloudFormationTypes.stack, { name: "legacy", ...properties }, { provider });
    const declares = (what: string, message: string) =>
      message.replace(/^([^:]+ \((?:mandatory|advisory)\)): /, `$1: ${what}: `);
    const publicRepo = noPublicAccess(
      "a role of an account it does not name, in no organisation (e.g. arn:aws:iam::111122223333:role/outsider)",
      "ecr:BatchGetImage",
    );

    it("Compliance 5: a YAML template (short-form tags) declaring a scoped role", async () => {
      assert.deepEqual(await mandatory(cfnStack({ templateBody: scopedYaml })), []);
    });

    it("Noncompliance 11: a stack declaring a GitHub-trusted role with IAM rights, judged by the trust and least-privilege policies", async () => {
      const legacy = cfnStack({ templateBody: template(openRole) });
      const by = 'CloudFormation stack "legacy" declares AWS::IAM::Role "PushRole"';
      assert.deepEqual(await mandatory(legacy), [declares(by, trustViolation(acmeRepositories))]);
      assert.deepEqual(await stack([legacy]), [
        declares(
          by,
          leastPrivilege(
            `policy "admin" statement 1 grants iam:PassRole, iam:PutRolePolicy, iam:AttachRolePolicy, iam:CreatePolicyVersion and 109 more (e.g. on "arn:aws:iam::${account}:role/admin"), with which it can give itself more rights; remove them`,
            "cfn-push",
          ),
        ),
      ]);
    });

    it("Noncompliance 12: a public repository in an aws, aws-native and Cloud Control stack", async () => {
      const body = template(publicRepository);
      const by = 'CloudFormation stack "legacy" declares AWS::ECR::Repository "Repo"';
      assert.deepEqual(await mandatory(cfnStack({ templateBody: body })), [
        declares(by, publicRepo),
      ]);
      assert.deepEqual(
        await mandatory(
          resource(
            awsNativeCloudFormationTypes.stack,
            { stackName: "legacy", templateBody: body },
            { provider },
          ),
        ),
        [declares(by, publicRepo)],
      );
      assert.deepEqual(
        await mandatory(
          resource(
            cloudControlResourceType,
            {
              typeName: "AWS::CloudFormation::Stack",
              desiredState: JSON.stringify({ StackName: "legacy", TemplateBody: body }),
            },
            { provider },
          ),
        ),
        [declares(by, publicRepo)],
      );
    });

    it("Noncompliance 13: a stack set's role, deployed into accounts the pack does not know", async () => {
      const set = resource(
        awsCloudFormationTypes.stackSet,
        { name: "org", templateBody: template({ PushRole: openRole.PushRole }) },
        { provider },
      );
      const [violation] = await mandatory(set);
      assert.match(
        violation,
        /^iam-github-oidc-trust-scoped \(mandatory\): CloudFormation stack set "org" declares AWS::IAM::Role "PushRole": GitHub OIDC trust must admit one repository's workflow runs only, .* admits more than one repository of acme, .*\(reading what the model cannot evaluate in the direction that grants access: a principal that holds Fn::Sub .*AWS::AccountId \(the account is not known\)\)\)/,
      );
    });

    it("Noncompliance 14: a template the pack cannot read, and a resource whose code it cannot read, are not proven safe", async () => {
      assert.deepEqual(
        await mandatory(cfnStack({ templateUrl: "https://s3.amazonaws.com/bucket/template.json" })),
        [
          `cloudformation-template-readable (mandatory): CloudFormation stack "legacy"'s template is only given by URL (https://s3.amazonaws.com/bucket/template.json), and the pack does not fetch templates, so what it declares cannot be proven safe: give the template itself (templateBody), without macros (Transform)`,
        ],
      );
      const custom = template({
        Thing: {
          Type: "Custom::Thing",
          Properties: { ServiceToken: `arn:aws:lambda:eu-west-2:${account}:function:x` },
        },
      });
      assert.deepEqual(await mandatory(cfnStack({ templateBody: custom })), [
        `cloudformation-template-readable (mandatory): CloudFormation stack "legacy" declares "Thing", which cannot be proven safe: is a custom resource (Custom::Thing): code the pack cannot read decides what it does; declare what it makes in the template or the program, where the pack can judge it`,
      ]);
    });
  });

  describe("class 7: lifecycle rules are read, not only present", () => {
    const ledger = resource(awsTypes.ecrRepository, {
      name: "ledger",
      imageTagMutability: "IMMUTABLE",
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfigurations: [{ encryptionType: "KMS" }],
      tags: {
        "goldenpath.idp/id": "REGISTRY_LEDGER",
        "goldenpath.idp/owner": "team-ledger",
        "goldenpath.idp/risk": "high",
      },
    });
    const lifecycle = (rules: object[]) =>
      resource(
        awsTypes.ecrLifecyclePolicy,
        { repository: "ledger", policy: JSON.stringify({ rules }) },
        {},
      );
    const keepLast50 = {
      rulePriority: 2,
      selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 50 },
      action: { type: "expire" },
    };

    it("Compliance 6: the component's rule, the last 50 images of a high-risk registry", async () => {
      assert.deepEqual(await stack([ledger, lifecycle([{ ...keepLast50, rulePriority: 1 }])]), []);
    });

    it("Noncompliance 15: a rule that expires v* release images a day after they are pushed", async () => {
      const expireReleases = {
        rulePriority: 1,
        selection: {
          tagStatus: "tagged",
          tagPatternList: ["v*"],
          countType: "sinceImagePushed",
          countUnit: "days",
          countNumber: 1,
        },
        action: { type: "expire" },
      };
      const policy = lifecycle([expireReleases, keepLast50]);
      assert.deepEqual(await stack([ledger, policy]), [
        `ecr-lifecycle-protects-releases (mandatory): ECR repository "ledger" must keep release images as long as its high-risk tier keeps images (the newest 50): lifecycle rule 1 (tagPatternList ["v*"]) of aws.ecr.LifecyclePolicy "${policy.name}" expires images tagged "v*", and images tagged "release-*" that also carry a tag it selects, 1 day after they are pushed; use countType imageCountMoreThan with countNumber 50 or more`,
      ]);
    });
  });

  describe("class 8: a document past the budget is not proven safe, and stops there", () => {
    it("Noncompliance 16: twelve overlapping wildcard conditions on sub, all of which must hold (1 KB)", async () => {
      const fragments = ["aa", "ae", "al", "ar", "as", "ea", "ee", "el", "er", "es", "la", "le"];
      const trust = document(
        webIdentity("Allow", {
          StringEquals: aud,
          StringLike: Object.fromEntries(
            spellings(subKey, fragments.length).map((key, i) => [
              key,
              `repo:acme/*${fragments[i]}*`,
            ]),
          ),
        }),
      );
      assert.deepEqual(await mandatory(role(trust)), [
        trustViolation(
          "cannot be proven to admit one repository only: the analysis needed more than 2,500,000 steps (working out which tokens of token.actions.githubusercontent.com the policy admits), the limit for one document; use exact subjects with StringEquals, fewer wildcards and fewer Deny statements",
        ),
      ]);
    });

    it("Noncompliance 17: a repository policy holding one Principal * statement to twelve overlapping ARN patterns at once (1 KB)", async () => {
      const fragments = ["aa", "ae", "al", "ar", "as", "ea", "ee", "el", "er", "es", "la", "le"];
      const policy = document({
        Effect: "Allow",
        Principal: "*",
        Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
        Condition: {
          ArnLike: Object.fromEntries(
            spellings("aws:PrincipalArn", fragments.length).map((key, i) => [
              key,
              `arn:aws:iam::*${i}*:role/*${fragments[i]}*`,
            ]),
          ),
        },
      });
      const [violation, ...rest] = await mandatory(repositoryPolicy(policy));
      assert.deepEqual(rest, []);
      assert.match(
        violation,
        /^ecr-no-public-access \(mandatory\): ECR repository policy cannot be proven to keep principals of other accounts out: the analysis needed more than 2,500,000 steps \(working out who of kind [a-z-]+ it lets in\), the limit for one document; name the accounts in Principal, with fewer wildcards and fewer Deny statements$/,
      );
    });

    it("Noncompliance 18: a role's policy of sixteen NotAction/NotResource statements, each with overlapping wildcards", async () => {
      const fragments = [
        "aa",
        "ae",
        "al",
        "ar",
        "as",
        "ea",
        "ee",
        "el",
        "er",
        "es",
        "la",
        "le",
        "ll",
        "lr",
        "ls",
        "ra",
      ];
      const statements = fragments.map((f, i) =>
        i % 2 === 0
          ? {
              Effect: "Allow",
              NotAction: ["iam:*", "sts:*", `ecr:*${f}*`],
              NotResource: `arn:aws:ecr:*:${account}:repository/acme/*${f}*`,
            }
          : {
              Effect: "Deny",
              NotAction: ["ecr:BatchCheckLayerAvailability", "ecr:*Upload*", "ecr:Put*"],
              NotResource: `arn:aws:ecr:*:${account}:repository/acme/payments*${f}*`,
            },
      );
      const [violation, ...rest] = await stack([withInline(document(...statements))]);
      assert.deepEqual(rest, []);
      assert.equal(
        violation,
        leastPrivilege(
          `inline policy "push" statement 1, inline policy "push" statement 3, inline policy "push" statement 5, inline policy "push" statement 7, inline policy "push" statement 9, inline policy "push" statement 11, inline policy "push" statement 13, inline policy "push" statement 15 cannot be proven to grant nothing beyond pushing to its own repositories: the analysis needed more than 2,500,000 steps (working out the escalation actions it is allowed), the limit for one role; simplify them to the push actions on the repository's ARN`,
        ),
      );
    });
  });
});
