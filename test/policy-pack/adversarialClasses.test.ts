/**
 * The classes of adversarial IAM and ECR found in review (each passed every mandatory policy
 * before the pack judged what IAM would allow), driven over the Analyzer protocol as the Pulumi
 * CLI drives the pack: one compliant and one non-compliant case per class, in the aws,
 * aws-native and Cloud Control forms where they exist.
 */
import { strict as assert } from "assert";
import * as path from "path";
import {
  AnalyzerResource,
  Diagnostic,
  PolicyPackProcess,
  unknownValue,
} from "../../cli/policyPack/analyzerClient";
import { resolvePolicyConfig } from "../../cli/policyPack/policyConfig";
import {
  awsNativeTypes,
  awsTypes,
  cloudControlResourceType,
} from "../../policy-pack/governance/typeTokens";

const packDir = path.join(__dirname, "../../policy-pack");
const account = "123456789012";
const github = `arn:aws:iam::${account}:oidc-provider/token.actions.githubusercontent.com`;
const aud = { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" };
const sub = (...values: string[]) => ({ "token.actions.githubusercontent.com:sub": values });
const document = (...statements: object[]) => ({ Version: "2012-10-17", Statement: statements });
const webIdentity = (condition: object, principal: unknown = { Federated: github }) =>
  document({
    Effect: "Allow",
    Principal: principal,
    Action: "sts:AssumeRoleWithWebIdentity",
    Condition: condition,
  });
const scopedTrust = webIdentity({
  StringEquals: { ...aud, ...sub("repo:acme/app:ref:refs/heads/main") },
});

let counter = 0;
const resource = (
  type: string,
  properties: Record<string, unknown>,
  extra: Partial<AnalyzerResource> = {},
): AnalyzerResource => {
  const name = `r${(counter += 1)}`;
  return { urn: `urn:pulumi:dev::platform::${type}::${name}`, type, name, properties, ...extra };
};
const role = (trust: unknown, extra: Record<string, unknown> = {}) =>
  resource(awsTypes.iamRole, { name: "push", assumeRolePolicy: trust, ...extra });
const nativeRole = (trust: unknown) =>
  resource(awsNativeTypes.iamRole, { roleName: "push", assumeRolePolicyDocument: trust });
const cloudControl = (typeName: string, desiredState: object) =>
  resource(cloudControlResourceType, {
    typeName,
    desiredState: JSON.stringify(desiredState),
  });
const governanceTags = {
  "goldenpath.idp/id": "REGISTRY_APP",
  "goldenpath.idp/owner": "team-app",
  "goldenpath.idp/risk": "medium",
};

/** `policy (level): violation`, the violation without the description the SDK puts first. */
const lines = (diagnostics: Diagnostic[]) =>
  diagnostics.map(
    (d) => `${d.policyName} (${d.enforcementLevel}): ${d.message.split("\n").slice(1).join("\n")}`,
  );

describe("the adversarial classes, over the Analyzer protocol", function () {
  this.timeout(90000);
  let pack: PolicyPackProcess;
  const analyze = async (r: AnalyzerResource) => lines(await pack.analyze(r));
  const mandatory = async (r: AnalyzerResource) =>
    (await analyze(r)).filter((l) => l.includes("(mandatory)"));
  const stack = async (resources: AnalyzerResource[]) =>
    lines(await pack.analyzeStack(resources)).filter((l) => l.includes("(mandatory)"));

  before(async () => {
    pack = await PolicyPackProcess.start(packDir);
    await pack.configure(resolvePolicyConfig(await pack.getAnalyzerInfo(), undefined));
  });
  after(async () => {
    await pack?.stop();
  });

  const trustViolation = (who: string, problem: string) =>
    `iam-github-oidc-trust-scoped (mandatory): GitHub OIDC trust must admit one repository's workflow runs only, with aud "sts.amazonaws.com": ${who} ${problem}; list exact subjects such as "repo:<owner>/<name>:ref:refs/heads/main"`;
  const everyRepository = "has no sub condition, so every repository on GitHub can assume the role";

  describe("class 1: condition keys of another issuer", () => {
    const otherIssuer = webIdentity({
      StringEquals: aud,
      StringLikeIfExists: { "token.actions.githubusercontent.com/acme:sub": "repo:acme/app:*" },
    });

    it("Compliance: the github.com provider's own sub key, in the aws, aws-native and Cloud Control forms", async () => {
      assert.deepEqual(await mandatory(role(scopedTrust)), []);
      assert.deepEqual(await mandatory(nativeRole(scopedTrust)), []);
      assert.deepEqual(
        await mandatory(cloudControl("AWS::IAM::Role", { AssumeRolePolicyDocument: scopedTrust })),
        [],
      );
    });

    it("Noncompliance: a sub test only on an enterprise issuer's key under IfExists, in every form", async () => {
      const expected = [trustViolation("statement 1", everyRepository)];
      assert.deepEqual(await mandatory(role(otherIssuer)), expected);
      assert.deepEqual(await mandatory(nativeRole(otherIssuer)), expected);
      assert.deepEqual(
        await mandatory(cloudControl("AWS::IAM::Role", { AssumeRolePolicyDocument: otherIssuer })),
        expected,
      );
    });
  });

  describe("class 2: wildcard principals", () => {
    it("Compliance: a wildcard principal held to one repository by github.com's keys", async () => {
      const held = webIdentity(
        { StringEquals: { ...aud, ...sub("repo:acme/app:ref:refs/heads/main") } },
        "*",
      );
      assert.deepEqual(await mandatory(role(held)), []);
    });

    it('Noncompliance: {AWS: "*"} with no condition and AdministratorAccess, judged by the trust and least-privilege policies', async () => {
      const open = document({
        Effect: "Allow",
        Principal: { AWS: "*" },
        Action: "sts:AssumeRoleWithWebIdentity",
      });
      const admin = role(open, {
        managedPolicyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"],
      });
      assert.deepEqual(await mandatory(admin), [
        trustViolation(
          "statement 1",
          "admits tokens of other issuers than token.actions.githubusercontent.com too: any issuer it does not name (e.g. token.actions.githubusercontent.com/another-enterprise)",
        ),
        trustViolation(
          "statement 1",
          'admits tokens with aud "sigstore"; pin aud to "sts.amazonaws.com" with StringEquals',
        ),
        trustViolation("statement 1", everyRepository),
      ]);
      assert.deepEqual(await stack([admin]), [
        `iam-github-oidc-role-least-privilege (mandatory): Role "push" is trusted by GitHub Actions and must only push to its own repositories: it has the AWS managed policy AdministratorAccess attached; detach it and grant push on the repository's ARN only`,
      ]);
    });
  });

  describe("class 3: GitHub Enterprise Server issuers", () => {
    const ghes = `arn:aws:iam::${account}:oidc-provider/github.acme.internal/_services/token`;

    it("Compliance: a GHES role scoped by its own issuer's keys", async () => {
      const scoped = webIdentity(
        {
          StringEquals: {
            "github.acme.internal/_services/token:aud": "sts.amazonaws.com",
            "github.acme.internal/_services/token:sub": "repo:acme/app:ref:refs/heads/main",
          },
        },
        { Federated: ghes },
      );
      assert.deepEqual(await mandatory(role(scoped)), []);
    });

    it("Noncompliance: an unconditioned role on a GHES issuer", async () => {
      const open = document({
        Effect: "Allow",
        Principal: { Federated: ghes },
        Action: "sts:AssumeRoleWithWebIdentity",
      });
      assert.deepEqual(await mandatory(role(open)), [
        trustViolation(
          "statement 1",
          'admits tokens with aud "sigstore"; pin aud to "sts.amazonaws.com" with StringEquals',
        ),
        trustViolation("statement 1", everyRepository),
      ]);
    });
  });

  describe("class 4: whole-repository subjects in disguise", () => {
    const whole = (subject: string) =>
      role(webIdentity({ StringEquals: aud, StringLike: sub(subject) }));
    const advice = (problem: string) =>
      `iam-github-oidc-trust-whole-repository (advisory): GitHub OIDC trust should name the refs or environments that may assume the role: statement 1 ${problem}; list the branches, tags or environments that may push instead of a wildcard`;

    it("Compliance: a named environment and a release branch pattern", async () => {
      assert.deepEqual(await analyze(whole("repo:acme/app:environment:prod")), []);
      assert.deepEqual(await analyze(whole("repo:acme/app:ref:refs/heads/release/*")), []);
    });

    it("Noncompliance: environment:* and ref:* are whole-repository trust", async () => {
      assert.deepEqual(await analyze(whole("repo:acme/app:environment:*")), [
        advice(
          'admits every deployment environment (a workflow that names a missing one creates it, unprotected) of acme/app, e.g. sub "repo:acme/app:environment:any-other-environment"',
        ),
      ]);
      assert.deepEqual(await analyze(whole("repo:acme/app:ref:*")), [
        advice(
          'admits every branch of acme/app, e.g. sub "repo:acme/app:ref:refs/heads/any-other-branch"',
        ),
        advice(
          'admits every tag of acme/app, e.g. sub "repo:acme/app:ref:refs/tags/any-other-tag"',
        ),
      ]);
    });
  });

  describe("class 5: public registry policies judged by what IAM allows", () => {
    const repositoryPolicy = (statement: object) =>
      resource(awsTypes.ecrRepositoryPolicy, {
        repository: "app",
        policy: JSON.stringify(document(statement)),
      });
    const publicLine = (outsider: string, actions: string) =>
      `ecr-no-public-access (mandatory): ECR repository policy must not let principals of other accounts in: statement 1 lets ${outsider} ${actions}; name the accounts that may pull in Principal, or confine "*" with an aws:PrincipalOrgID condition naming your organisation`;

    it("Principal * confined to an organisation the config does not allow is reported, in the aws and aws-native forms (allowedPullOrganizations: nothing wider)", async () => {
      const confined = {
        Effect: "Allow",
        Principal: "*",
        Action: "ecr:BatchGetImage",
        Condition: { StringEquals: { "aws:PrincipalOrgID": "o-abc123defg" } },
      };
      const reported = (lines: string[]) =>
        lines.length === 1 &&
        lines[0].includes(
          "in o-abc123defg, not an allowed organisation read it (ecr:BatchGetImage)",
        );
      assert.ok(reported(await mandatory(repositoryPolicy(confined))));
      assert.ok(
        reported(
          await mandatory(
            resource(awsNativeTypes.ecrRepository, {
              repositoryName: "app",
              imageScanningConfiguration: { scanOnPush: true },
              tags: Object.entries(governanceTags).map(([key, value]) => ({ key, value })),
              repositoryPolicyText: document(confined),
            }),
          ),
        ),
      );
    });

    it("Noncompliance: NotPrincipal with Allow, IfExists only, and a wildcard organisation", async () => {
      assert.deepEqual(
        await mandatory(
          repositoryPolicy({
            Effect: "Allow",
            NotPrincipal: { AWS: `arn:aws:iam::${account}:root` },
            Action: "ecr:PutImage",
          }),
        ),
        [
          publicLine(
            "a role of an account it does not name, in no organisation (e.g. arn:aws:iam::111122223333:role/outsider)",
            "push images (ecr:PutImage)",
          ),
        ],
      );
      assert.deepEqual(
        await mandatory(
          repositoryPolicy({
            Effect: "Allow",
            Principal: "*",
            Action: "ecr:PutImage",
            Condition: { StringEqualsIfExists: { "aws:PrincipalOrgID": "o-abc123defg" } },
          }),
        ),
        [
          publicLine(
            "a role of an account it does not name, in no organisation (e.g. arn:aws:iam::111122223333:role/outsider)",
            "push images (ecr:PutImage)",
          ),
        ],
      );
      assert.deepEqual(
        await mandatory(
          repositoryPolicy({
            Effect: "Allow",
            Principal: "*",
            Action: "ecr:PutImage",
            Condition: { StringLike: { "aws:PrincipalOrgID": "o-abc*" } },
          }),
        ),
        [
          publicLine(
            "a role of an account it does not name, in an organisation it does not name (e.g. arn:aws:iam::000000000000:role/a in o-abcaaaaaaa)",
            "push images (ecr:PutImage)",
          ),
        ],
      );
    });
  });

  describe("class 6: registries without a repository resource", () => {
    const template = (extra: Record<string, unknown>) =>
      resource(awsTypes.ecrRepositoryCreationTemplate, {
        prefix: "cache",
        appliedFors: ["PULL_THROUGH_CACHE", "CREATE_ON_PUSH"],
        imageTagMutability: "MUTABLE",
        ...extra,
      });
    const scanning = resource(awsTypes.ecrRegistryScanningConfiguration, {
      scanType: "BASIC",
      rules: [
        {
          scanFrequency: "SCAN_ON_PUSH",
          repositoryFilters: [{ filter: "*", filterType: "WILDCARD" }],
        },
      ],
    });
    const cacheRule = resource(awsTypes.ecrPullThroughCacheRule, {
      ecrRepositoryPrefix: "cache",
      upstreamRegistryUrl: "public.ecr.aws",
    });

    it("Compliance: a governed creation template, its scanning, and the pull-through cache rule it covers", async () => {
      const governed = template({ resourceTags: governanceTags });
      assert.deepEqual(await mandatory(governed), []);
      assert.deepEqual(await mandatory(scanning), []);
      assert.deepEqual(await stack([governed, scanning, cacheRule]), []);
    });

    it("Noncompliance: an ungoverned template, an unscanned registry, a cache rule no template covers", async () => {
      assert.deepEqual(await mandatory(template({})), [
        'ecr-governance-metadata (mandatory): ECR repository creation template "cache" must carry its catalog id: set tag "goldenpath.idp/id" in resourceTags (matching ^[A-Z0-9_]+$), or create the repository with TrustedDeliveryPipeline',
        'ecr-governance-metadata (mandatory): ECR repository creation template "cache" must carry its owner: set tag "goldenpath.idp/owner" in resourceTags to the owning team',
        'ecr-governance-metadata (mandatory): ECR repository creation template "cache" must carry its risk: set tag "goldenpath.idp/risk" in resourceTags to one of low, medium, high',
      ]);
      assert.deepEqual(
        await stack([
          template({ resourceTags: governanceTags }),
          resource(awsTypes.ecrPullThroughCacheRule, {
            ecrRepositoryPrefix: "docker-hub",
          }),
        ]),
        [
          'ecr-repository-creation-governed (mandatory): ECR pull-through cache rule for prefix "docker-hub" makes repositories with no governance tags, risk tier or policy: declare a repository creation template for "docker-hub" (or ROOT) applied to PULL_THROUGH_CACHE',
          'ecr-repository-creation-governed (mandatory): ECR repository creation template "cache" makes repositories whose scanning this stack does not configure (repository templates have no scan setting; the registry\'s scanning configuration decides): declare an aws.ecr.RegistryScanningConfiguration with a SCAN_ON_PUSH rule for "*", or set registryScanningManagedElsewhere',
        ],
      );
      assert.deepEqual(
        await mandatory(
          resource(awsTypes.ecrRegistryScanningConfiguration, {
            scanType: "ENHANCED",
            rules: [
              {
                scanFrequency: "CONTINUOUS_SCAN",
                repositoryFilters: [{ filter: "payments-*", filterType: "WILDCARD" }],
              },
            ],
          }),
        ),
        [
          'ecr-scan-on-push (mandatory): ECR registry scanning configuration must scan every repository on push or continuously: its rules leave out repositories such as "a", whose images would then never be scanned; add a SCAN_ON_PUSH rule with the filter "*"',
        ],
      );
    });

    it("Noncompliance: the registry policy and replication to another account, in the aws-native and Cloud Control forms", async () => {
      const open = document({ Effect: "Allow", Principal: "*", Action: "ecr:ReplicateImage" });
      assert.deepEqual(
        await mandatory(cloudControl("AWS::ECR::RegistryPolicy", { PolicyText: open })),
        [
          'ecr-no-public-access (mandatory): ECR registry policy must not let principals of other accounts in: statement 1 lets a role of an account it does not name, in no organisation (e.g. arn:aws:iam::111122223333:role/outsider) change it (ecr:ReplicateImage); name the accounts that may pull in Principal, or confine "*" with an aws:PrincipalOrgID condition naming your organisation',
        ],
      );
      assert.deepEqual(
        await mandatory(
          resource(awsNativeTypes.ecrReplicationConfiguration, {
            replicationConfiguration: {
              rules: [{ destinations: [{ region: "us-east-1", registryId: "999999999999" }] }],
            },
          }),
        ),
        [
          "ecr-no-public-access (mandatory): ECR replication copies images to account 999999999999 (us-east-1), which cannot be shown to be this stack's own: set aws:allowedAccountIds on the stack's AWS provider, or list 999999999999 in allowedReplicationAccounts",
        ],
      );
    });

    it("Compliance and noncompliance: a Cloud Control ECR repository is judged as an aws-native one", async () => {
      const governed = {
        RepositoryName: "app",
        ImageScanningConfiguration: { ScanOnPush: true },
        Tags: Object.entries(governanceTags).map(([Key, Value]) => ({ Key, Value })),
      };
      assert.deepEqual(await mandatory(cloudControl("AWS::ECR::Repository", governed)), []);
      assert.deepEqual(
        await mandatory(
          cloudControl("AWS::ECR::Repository", {
            ...governed,
            ImageScanningConfiguration: { ScanOnPush: false },
          }),
        ),
        [
          "ecr-scan-on-push (mandatory): ECR repository must enable scan on push: set imageScanningConfiguration.scanOnPush = true",
        ],
      );
    });
  });

  describe("class 7: privilege escalation through every attachment route", () => {
    const trusted = role(scopedTrust);
    const lead =
      'iam-github-oidc-role-least-privilege (mandatory): Role "push" is trusted by GitHub Actions and must only push to its own repositories';

    it("Compliance: push on its own repository through an aws-native role policy", async () => {
      const push = resource(awsNativeTypes.iamRolePolicy, {
        roleName: "push",
        policyDocument: document({
          Effect: "Allow",
          Action: "ecr:PutImage",
          Resource: `arn:aws:ecr:eu-west-2:${account}:repository/app`,
        }),
      });
      assert.deepEqual(await stack([trusted, push]), []);
    });

    it("Noncompliance: IAM writes and admin-equivalent managed policies, through exclusive attachments, policy attachments and aws-native managed policies", async () => {
      assert.deepEqual(
        await stack([
          trusted,
          resource(awsTypes.iamRolePolicyAttachmentsExclusive, {
            roleName: "push",
            policyArns: ["arn:aws:iam::aws:policy/job-function/SystemAdministrator"],
          }),
          resource(awsTypes.iamPolicyAttachment, {
            roles: ["push"],
            policyArn: "arn:aws:iam::aws:policy/IAMFullAccess",
          }),
          resource(awsNativeTypes.iamManagedPolicy, {
            roles: ["push"],
            managedPolicyName: "self-service",
            policyDocument: document({
              Effect: "Allow",
              Action: ["iam:UpdateAssumeRolePolicy", "iam:CreatePolicyVersion"],
              Resource: "*",
            }),
          }),
        ]),
        [
          `${lead}: it has the AWS managed policy job-function/SystemAdministrator attached; detach it and grant push on the repository's ARN only`,
          `${lead}: it has the AWS managed policy IAMFullAccess attached; detach it and grant push on the repository's ARN only`,
          `${lead}: managed policy "self-service" statement 1 grants iam:CreatePolicyVersion, iam:UpdateAssumeRolePolicy (e.g. on "arn:aws:iam::123456789012:role/admin"), with which it can give itself more rights; remove them`,
        ],
      );
    });
  });

  describe("class 8: every repository, whatever the pattern", () => {
    const trusted = role(scopedTrust);
    const grant = (pattern: string) =>
      resource(awsTypes.iamRolePolicy, {
        role: "push",
        policy: JSON.stringify(
          document({ Effect: "Allow", Action: "ecr:PutImage", Resource: pattern }),
        ),
      });

    it("Compliance: the repository's own ARN", async () => {
      assert.deepEqual(
        await stack([trusted, grant(`arn:aws:ecr:eu-west-2:${account}:repository/app`)]),
        [],
      );
    });

    it("Noncompliance: repository/*b*, arn:* and arn:aws:*", async () => {
      for (const [pattern, reached] of [
        [`arn:aws:ecr:eu-west-2:${account}:repository/*b*`, "repository/b"],
        ["arn:*", "repository/another-team-app"],
        ["arn:aws:*", "repository/another-team-app"],
      ]) {
        const policy = grant(pattern);
        assert.deepEqual(
          await stack([trusted, policy]),
          [
            `iam-github-oidc-role-least-privilege (mandatory): Role "push" is trusted by GitHub Actions and must only push to its own repositories: role policy "${policy.name}" statement 1 grants ecr:PutImage on "arn:aws:ecr:eu-west-2:${account}:${reached}", a repository it does not name; scope Resource to the repository's ARN (TrustedDeliveryPipeline does)`,
          ],
          pattern,
        );
      }
    });
  });

  describe("class 9: an unknown value hides no known violation", () => {
    it("Noncompliance: during preview, a role whose trust is unknown beside a known admin grant on another", async () => {
      const pending = resource(awsTypes.iamRole, {
        name: "pending",
        assumeRolePolicy: unknownValue,
      });
      const admin = resource(awsTypes.iamRole, {
        name: "admin-push",
        assumeRolePolicy: scopedTrust,
        managedPolicyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"],
      });
      assert.deepEqual(await stack([pending, admin]), [
        `iam-github-oidc-role-least-privilege (mandatory): Role "admin-push" is trusted by GitHub Actions and must only push to its own repositories: it has the AWS managed policy AdministratorAccess attached; detach it and grant push on the repository's ARN only`,
      ]);
    });

    it("Compliance: the unknown role alone is judged when its values are known, not reported in preview", async () => {
      const pending = resource(awsTypes.iamRole, {
        name: "pending",
        assumeRolePolicy: unknownValue,
      });
      assert.deepEqual(await stack([pending]), []);
    });
  });
});
