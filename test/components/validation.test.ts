import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { TrustedDeliveryPipeline, TrustedDeliveryPipelineArgs } from "../../components";
import { InvalidArgumentsError } from "../../components/invalidArguments";
import { validateTrustedDeliveryPipelineArgs } from "../../components/validation";
import { minimalPipelineArgs, testSigningProfileArn } from "../helpers/pipelineArgs";
import { runExpectingError } from "../helpers/offline";

const valid = minimalPipelineArgs;

type Loose = Record<string, any>;

/** `valid` with some fields replaced; `undefined` removes a field. */
function argsWith(overrides: Loose): Loose {
  const merge = (base: Loose, patch: Loose): Loose => {
    const out: Loose = { ...base };
    for (const [key, value] of Object.entries(patch)) {
      if (value === undefined) {
        delete out[key];
      } else if (
        typeof value === "object" &&
        value !== null &&
        !Array.isArray(value) &&
        typeof base[key] === "object"
      ) {
        out[key] = merge(base[key], value);
      } else {
        out[key] = value;
      }
    }
    return out;
  };
  return merge(valid as Loose, overrides);
}

function messages(overrides: Loose, name = "payments-api"): string[] {
  return validateTrustedDeliveryPipelineArgs(name, argsWith(overrides)).map((p) => p.message);
}

describe("pipeline argument validation", () => {
  it("accepts the minimal arguments: environment, metadata and github.repository", () => {
    assert.deepEqual(messages({}), []);
  });

  it("accepts any GitHub environment name, whether or not it holds the stack's environment", () => {
    assert.deepEqual(
      messages({
        environment: "prod",
        github: {
          environments: ["production", "Staging EU", "release_1.2-canary", "x".repeat(255)],
        },
      }),
      [],
    );
  });

  it("refuses environment names with spaces at their ends or doubled, each on its own", () => {
    const allowed =
      'must be a GitHub environment name: up to 255 letters, digits, single spaces and _ . - (no wildcards), e.g. "production"';
    assert.deepEqual(messages({ github: { environments: [" production", "pro  d", "prod "] } }), [
      `github.environments[0] is " production"; ${allowed}`,
      `github.environments[1] is "pro  d"; ${allowed}`,
      `github.environments[2] is "prod "; ${allowed}`,
    ]);
  });

  it("accepts every GitHub issuer the policy pack counts as GitHub's, Enterprise Server's too", () => {
    for (const issuer of [
      "token.actions.githubusercontent.com",
      "token.actions.githubusercontent.com/acme",
      "token.actions.acme.ghe.com",
      "github.acme.internal/_services/token",
    ]) {
      assert.deepEqual(
        messages({ oidcProviderArn: `arn:aws:iam::123456789012:oidc-provider/${issuer}` }),
        [],
        issuer,
      );
    }
  });

  it("accepts a longer trust policy once trustPolicyMaxLength says the quota was raised", () => {
    const branches = Array.from({ length: 40 }, (_, i) => `release/team-${i}`);
    assert.equal(messages({ github: { branches } }).length, 1);
    assert.deepEqual(messages({ github: { branches }, trustPolicyMaxLength: 4096 }), []);
  });

  const cases: [string, Loose, string, string?][] = [
    [
      "refuses a repository name ECR would refuse",
      { repositoryName: "Payments_API" },
      'repositoryName is "Payments_API"; must be an ECR repository name: 2 to 256 lower-case letters, digits and . _ - in path components separated by /, e.g. "payments-api" or "team/payments-api"',
    ],
    [
      "refuses a resource name that is no ECR name when the repository name defaults to it",
      {},
      'repositoryName is "Payments API"; must be an ECR repository name (it defaults to the resource name): 2 to 256 lower-case letters, digits and . _ - in path components separated by /, e.g. "payments-api" or "team/payments-api"',
      "Payments API",
    ],
    [
      "refuses an environment that cannot be part of role and secret names",
      { environment: "Prod EU" },
      'environment is "Prod EU"; must be 1 to 32 lower-case letters, digits and hyphens, starting and ending with a letter or digit, e.g. "dev" or "prod-eu"',
    ],
    [
      "refuses a registry id outside ^[A-Z0-9_]+$",
      { metadata: { id: "registry-payments" } },
      'metadata.id is "registry-payments"; must match ^[A-Z0-9_]+$ (upper-case letters, digits and _), e.g. "REGISTRY_PAYMENTS_API"',
    ],
    [
      "refuses an empty owner",
      { metadata: { owner: "  " } },
      'metadata.owner is "  "; must name the owning team, e.g. "team-payments"',
    ],
    [
      "refuses an owner AWS cannot store as a tag value",
      { metadata: { owner: "team#payments" } },
      'metadata.owner is "team#payments"; must be an AWS tag value: up to 256 letters, digits, spaces and _ . : / = + - @',
    ],
    [
      "refuses a risk outside the three tiers",
      { metadata: { risk: "critical" } },
      'metadata.risk is "critical"; must be one of "low", "medium", "high"',
    ],
    [
      "refuses missing metadata",
      { metadata: undefined },
      "metadata is missing; must be an object with id, owner and risk",
    ],
    [
      "refuses a misspelt setting instead of ignoring it",
      { github: { brances: ["main"] } },
      "github.brances is not a setting; allowed: repository, branches, tags, environments, environmentProtection, commitWorkflow, attestations, vulnerabilityGate, registryFindingsGate, secretName, variableNames, ownerId, repositoryId, trust, workflows",
    ],
    [
      "refuses a GitHub repository that is not owner/name",
      { github: { repository: "payments-api" } },
      'github.repository is "payments-api"; must be one GitHub repository as "owner/name" (no wildcards), e.g. "acme/payments-api"',
    ],
    [
      "refuses a wildcard repository",
      { github: { repository: "acme/*" } },
      'github.repository is "acme/*"; must be one GitHub repository as "owner/name" (no wildcards), e.g. "acme/payments-api"',
    ],
    [
      "refuses a bare * branch, which would admit every branch",
      { github: { branches: ["*"] } },
      'github.branches[0] is "*"; must be a branch name or a pattern with at least one literal character: "*" would admit every branch',
    ],
    [
      "refuses a pattern of wildcards and slashes only",
      { github: { tags: ["*/*"] } },
      'github.tags[0] is "*/*"; must be a tag name or a pattern with at least one literal character: "*/*" would admit every tag',
    ],
    [
      "refuses a full ref where a branch name belongs",
      { github: { branches: ["refs/heads/main"] } },
      'github.branches[0] is "refs/heads/main"; must be the branch name without "refs/heads/"',
    ],
    [
      "refuses a : in a branch, which could forge another subject",
      { github: { branches: ["main:environment:production"] } },
      'github.branches[0] is "main:environment:production"; must be a git branch name: no spaces, control characters or ~ ^ : ? [ \\',
    ],
    [
      "refuses branch names git refuses",
      { github: { branches: ["feature/../main"] } },
      'github.branches[0] is "feature/../main"; must be a git branch name (see git check-ref-format)',
    ],
    [
      "refuses branches that are not strings",
      { github: { branches: "main" } },
      'github.branches is "main"; must be a list of strings',
    ],
    [
      "refuses wildcards in environment names",
      { github: { environments: ["dev*"] } },
      'github.environments[0] is "dev*"; must be a GitHub environment name: up to 255 letters, digits, single spaces and _ . - (no wildcards), e.g. "production"',
    ],
    [
      "refuses an environment name longer than GitHub's 255 characters",
      { environment: "prod", github: { environments: ["p".repeat(256)] } },
      `github.environments[0] is "${"p".repeat(116)}...; must be a GitHub environment name: up to 255 letters, digits, single spaces and _ . - (no wildcards), e.g. "production"`,
    ],
    [
      "refuses characters outside the set the pipeline carries safely into subjects and resource names",
      { environment: "prod", github: { environments: ["prod/eu"] } },
      'github.environments[0] is "prod/eu"; must be a GitHub environment name: up to 255 letters, digits, single spaces and _ . - (no wildcards), e.g. "production"',
    ],
    [
      "refuses GitHub environments that name the same child resource",
      { environment: "prod", github: { environments: ["prod release", "Prod-Release"] } },
      'github.environments is ["prod release","Prod-Release"]; must name distinct environments: "prod release" and "Prod-Release" are the same resource name once lower-cased, with spaces as hyphens (GitHub also compares environment names without case)',
    ],
    [
      "refuses an IAM policy variable in a branch, which the trust policy would read as a variable",
      { github: { branches: ["release-${user}"] } },
      'github.branches[0] is "release-${user}"; must be a branch name without "${": IAM reads "${...}" in a subject as a policy variable, so the trust policy would not match the branch',
    ],
    [
      "refuses invisible characters in a tag pattern, which would look like another tag",
      { github: { tags: ["v1\u200b*"] } },
      'github.tags[0] is "v1\u200b*"; must be a tag name of printing characters: it holds an invisible or non-printing character (U+200B), so it cannot be told from a tag that looks the same',
    ],
    [
      "refuses a non-breaking space in the owner, which would look like a space",
      { metadata: { owner: "team\u00a0payments" } },
      'metadata.owner is "team\u00a0payments"; must be printing characters and ASCII spaces: it holds an invisible or non-printing character (U+00A0)',
    ],
    [
      "refuses a trust policy longer than IAM's quota, saying how to raise it",
      { github: { branches: Array.from({ length: 40 }, (_, i) => `release/team-${i}`) } },
      `github is "40 subjects: 40 branches, 0 tags, 0 environments"; makes a trust policy of 2611 characters, over IAM's limit of 2048 (the "Role trust policy length" quota, 2048 by default): trust fewer branches, tags or environments, or use patterns (release/*); or raise the quota in Service Quotas (IAM, up to 8192) and set trustPolicyMaxLength to it`,
    ],
    [
      "refuses a trust policy length limit outside what IAM's quota can be",
      { trustPolicyMaxLength: 10000 },
      'trustPolicyMaxLength is 10000; must be your account\'s "Role trust policy length" quota in IAM, from 2048 (the default) to 8192',
    ],
    [
      "refuses branches beside environments: then only jobs in the environments may push",
      { environment: "prod", github: { environments: ["prod"], branches: ["main"] } },
      'github.branches is ["main"]; cannot be given with github.environments: then only jobs in those environments may push; environmentProtection.deploymentBranches picks the branches that may deploy',
    ],
    [
      "refuses environment protection without environments",
      { github: { environmentProtection: { reviewerTeams: [42] } } },
      'github.environmentProtection is {"reviewerTeams":[42]}; is only used with github.environments, which the pipeline then creates',
    ],
    [
      "refuses reviewers that are not GitHub ids",
      {
        environment: "prod",
        github: {
          environments: ["prod"],
          environmentProtection: { reviewerTeams: ["platform"] },
        },
      },
      'github.environmentProtection.reviewerTeams is ["platform"]; must be a list of GitHub\'s numeric ids',
    ],
    [
      "refuses an environment nothing can deploy to",
      {
        environment: "prod",
        github: {
          environments: ["prod"],
          environmentProtection: { deploymentBranches: [], deploymentTags: [] },
        },
      },
      "github.environmentProtection.deploymentBranches is []; must name at least one branch, or deploymentTags a tag: otherwise nothing can deploy",
    ],
    [
      "refuses a bare * as the branches that may deploy",
      {
        environment: "prod",
        github: {
          environments: ["prod"],
          environmentProtection: { deploymentBranches: ["*"] },
        },
      },
      'github.environmentProtection.deploymentBranches[0] is "*"; must be a branch name or a pattern with at least one literal character: "*" would admit every branch',
    ],
    [
      "refuses a wait timer beyond GitHub's 30 days",
      {
        environment: "prod",
        github: { environments: ["prod"], environmentProtection: { waitTimer: 50000 } },
      },
      "github.environmentProtection.waitTimer is 50000; must be whole minutes from 0 to 43200 (30 days)",
    ],
    [
      "refuses arguments that admit no subject at all",
      { github: { branches: [] } },
      'github is {"branches":[],"tags":[],"environments":[]}; must give at least one branch, tag or environment: otherwise no workflow can assume the push role',
    ],
    [
      "refuses a secret name GitHub refuses",
      { github: { secretName: "GITHUB_ROLE_DEV" } },
      'github.secretName is "GITHUB_ROLE_DEV"; must be a GitHub secret or variable name: letters, digits and _, not starting with a digit or "GITHUB_"',
    ],
    [
      "refuses a secret name without the environment, which another stack could also write",
      { github: { secretName: "AWS_ROLE_ARN" } },
      'github.secretName is "AWS_ROLE_ARN"; must contain the environment as a word ("DEV"), so stacks of other environments never write the same name, e.g. "TF_AWS_IAM_ROLE_DEV"',
    ],
    [
      "refuses a variable name without the environment",
      { github: { variableNames: { region: "AWS_REGION" } } },
      'github.variableNames.region is "AWS_REGION"; must contain the environment as a word ("DEV"), so stacks of other environments never write the same name, e.g. "TF_AWS_IAM_ROLE_DEV"',
    ],
    [
      "refuses one immutable id without the other",
      { github: { ownerId: 1234 } },
      "github.repositoryId is missing; must be given together with github.ownerId: the immutable subject form needs both ids",
    ],
    [
      "refuses ids that are not positive integers",
      { github: { ownerId: "1234", repositoryId: 5 } },
      'github.ownerId is "1234"; must be a positive integer, GitHub\'s numeric id',
    ],
    [
      "refuses attestations that are not true or false",
      { github: { attestations: "off" } },
      'github.attestations is "off"; must be true or false',
    ],
    [
      "refuses a vulnerability gate that is not one of the scanner's severities",
      { github: { vulnerabilityGate: "critical" } },
      'github.vulnerabilityGate is "critical"; must be one of Trivy\'s severities "UNKNOWN", "LOW", "MEDIUM", "HIGH", "CRITICAL": the lowest that fails the scan, e.g. "HIGH"; left unset, the risk tier decides ("CRITICAL" for high, no scan for low and medium)',
    ],
    [
      "refuses turning a vulnerability gate off with a value that is not a severity",
      {
        metadata: { risk: "high" },
        github: { vulnerabilityGate: "NONE" },
        signingProfileArn: testSigningProfileArn,
      },
      'github.vulnerabilityGate is "NONE"; must be one of Trivy\'s severities "UNKNOWN", "LOW", "MEDIUM", "HIGH", "CRITICAL": the lowest that fails the scan, e.g. "HIGH"; left unset, the risk tier decides ("CRITICAL" for high, no scan for low and medium)',
    ],
    [
      "refuses a tag mutability ECR does not know",
      { ecr: { imageTagMutability: "mutable" } },
      'ecr.imageTagMutability is "mutable"; must be one of "MUTABLE", "IMMUTABLE", "IMMUTABLE_WITH_EXCLUSION", "MUTABLE_WITH_EXCLUSION"',
    ],
    [
      "refuses mutable tags for a high-risk registry",
      { metadata: { risk: "high" }, ecr: { imageTagMutability: "MUTABLE" } },
      'ecr.imageTagMutability is "MUTABLE"; must be "IMMUTABLE" (or "IMMUTABLE_WITH_EXCLUSION" with filters that match no release tag) for a high-risk registry',
    ],
    [
      "refuses dropping KMS for a high-risk registry",
      { metadata: { risk: "high" }, ecr: { encryption: "AES256" } },
      'ecr.encryption is "AES256"; must be "KMS" for a high-risk registry',
    ],
    [
      "refuses keeping fewer images than the tier for a high-risk registry, whose releases production may still run",
      { metadata: { risk: "high" }, ecr: { keepImages: 10 } },
      "ecr.keepImages is 10; must be at least 50 for a high-risk registry, which serves production: fewer would expire releases an environment may still run",
    ],
    [
      "refuses a KMS key with AES256 encryption, where it would be ignored",
      { ecr: { kmsKeyArn: "arn:aws:kms:eu-west-2:123456789012:key/abcd" } },
      'ecr.kmsKeyArn is "arn:aws:kms:eu-west-2:123456789012:key/abcd"; is only used with ecr.encryption "KMS"',
    ],
    [
      "refuses a KMS key that is not an ARN",
      { ecr: { encryption: "KMS", kmsKeyArn: "alias/ecr" } },
      'ecr.kmsKeyArn is "alias/ecr"; must be a KMS key or alias ARN, e.g. "arn:aws:kms:eu-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"',
    ],
    [
      "refuses keeping fewer than one image",
      { ecr: { keepImages: 0 } },
      "ecr.keepImages is 0; must be a whole number of images, at least 1",
    ],
    [
      "refuses a non-boolean forceDelete",
      { ecr: { forceDelete: "no" } },
      'ecr.forceDelete is "no"; must be true or false',
    ],
    [
      "refuses a tag prefix AWS reserves",
      { tagPrefix: "aws:idp/" },
      'tagPrefix is "aws:idp/"; must be 1 to 123 letters, digits, spaces and _ . : / = + - @, not starting with "aws:", e.g. "goldenpath.idp/"',
    ],
    [
      "refuses extra tags that would replace governance tags",
      { tags: { "goldenpath.idp/owner": "someone-else" } },
      'tags.goldenpath.idp/owner is "someone-else"; cannot be set: the pipeline sets "goldenpath.idp/id", "goldenpath.idp/owner", "goldenpath.idp/risk", "Environment" itself',
    ],
    [
      "refuses extra tag keys AWS reserves",
      { tags: { "aws:cost-center": "1" } },
      'tags.aws:cost-center is "aws:cost-center"; must not start with "aws:", which AWS reserves',
    ],
    [
      "refuses an import of another repository than the pipeline's, which would replace it",
      { importIds: { repository: "payments" } },
      'importIds.repository is "payments"; must be the repository\'s name "payments-api": ECR knows the repository by it, and importing another would replace it',
    ],
    [
      "refuses a misspelt import ID",
      { importIds: { lifecycle: "payments-api" } },
      "importIds.lifecycle is not a setting; allowed: repository, lifecyclePolicy, repositoryPolicy",
    ],
    [
      "refuses an OIDC provider ARN that is not GitHub's",
      { oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/gitlab.com" },
      'oidcProviderArn is "arn:aws:iam::123456789012:oidc-provider/gitlab.com"; must be the ARN of a GitHub Actions OIDC provider (github.com, an enterprise\'s issuer, GHE.com or GitHub Enterprise Server), e.g. "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"',
    ],
  ];
  for (const [rule, overrides, message, name = "payments-api"] of cases) {
    it(rule, async () => {
      assert.deepEqual(messages(overrides, name), [message]);
      // The component throws that message and registers nothing, not even itself.
      const { error, registered } = await runExpectingError(
        () => new TrustedDeliveryPipeline(name, argsWith(overrides) as TrustedDeliveryPipelineArgs),
      );
      assert.equal(
        error.message,
        `TrustedDeliveryPipeline "${name}" has an invalid argument:\n  - ${message}`,
      );
      assert.deepEqual(registered, []);
    });
  }

  it("accepts a GitHub Enterprise issuer path, a KMS key with KMS, and stricter settings for lower risks", () => {
    assert.deepEqual(
      messages({
        oidcProviderArn:
          "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com/acme-corp",
        ecr: {
          encryption: "KMS",
          kmsKeyArn: "arn:aws:kms:eu-west-2:123456789012:key/mrk-1234",
          imageTagMutability: "IMMUTABLE",
        },
        github: {
          branches: ["release/*"],
          tags: ["v*"],
          ownerId: 1,
          repositoryId: 2,
        },
      }),
      [],
    );
  });

  it("does not check values that are outputs, which are only known once resources exist", () => {
    assert.deepEqual(
      messages({
        oidcProviderArn: pulumi.output("not-an-arn"),
        ecr: { encryption: "KMS", kmsKeyArn: pulumi.output("x") },
      }),
      [],
    );
  });

  it("reports every problem at once, in one error naming the resource", () => {
    const error = new InvalidArgumentsError(
      'TrustedDeliveryPipeline "payments-api"',
      validateTrustedDeliveryPipelineArgs(
        "payments-api",
        argsWith({ metadata: { id: "x", risk: "severe" } }),
      ),
    );
    assert.equal(
      error.message,
      [
        'TrustedDeliveryPipeline "payments-api" has 2 invalid arguments:',
        '  - metadata.id is "x"; must match ^[A-Z0-9_]+$ (upper-case letters, digits and _), e.g. "REGISTRY_PAYMENTS_API"',
        '  - metadata.risk is "severe"; must be one of "low", "medium", "high"',
      ].join("\n"),
    );
  });
});

describe("TrustedDeliveryPipeline with invalid arguments", () => {
  it("throws the validation error and registers nothing, not even itself", async () => {
    const { error, registered } = await runExpectingError(
      () =>
        new TrustedDeliveryPipeline(
          "payments-api",
          argsWith({ metadata: { risk: "critical" } }) as any,
        ),
    );
    assert.ok(error instanceof InvalidArgumentsError);
    assert.equal(
      error.message,
      'TrustedDeliveryPipeline "payments-api" has an invalid argument:\n  - metadata.risk is "critical"; must be one of "low", "medium", "high"',
    );
    assert.deepEqual(registered, []);
  });

  it("refuses an app repository of another owner than the default GitHub provider's, registering nothing", async () => {
    const { error, registered } = await runExpectingError(
      () => new TrustedDeliveryPipeline("payments-api", valid),
      {
        config: { "github:owner": "globex" },
      },
    );
    assert.equal(
      error.message,
      'TrustedDeliveryPipeline "payments-api" has an invalid argument:\n  - github.repository is "acme/payments-api"; must belong to the default GitHub provider\'s owner "globex" (github:owner): pass a github provider for "acme" in opts.providers',
    );
    assert.deepEqual(registered, []);
  });
});
