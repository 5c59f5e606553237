import { strict as assert } from "assert";
import * as github from "@pulumi/github";
import * as path from "path";
import YAML from "yaml";
import {
  GitHubOidcProvider,
  TrustedDeliveryPipeline,
  TrustedDeliveryPipelineArgs,
} from "../../components";
import { OfflineRun } from "../../cli/preview/capture";
import { validateTrustedDeliveryPipelineArgs } from "../../components/validation";
import { canAssume } from "../helpers/iam";
import { minimalPipelineArgs } from "../helpers/pipelineArgs";
import { ofType, runExpectingError, runProgram, single } from "../helpers/offline";
import { documentedDefaults } from "../helpers/tsdoc";
import { awsTypes, componentTypes, githubTypes } from "../../policy-pack/governance/typeTokens";

const minimal = minimalPipelineArgs;

const providerArn = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";

function withArgs(args: Partial<TrustedDeliveryPipelineArgs>, name = "payments-api") {
  return () => {
    const pipeline = new TrustedDeliveryPipeline(name, { ...minimal, ...args });
    return { subjects: pipeline.subjects, secretName: pipeline.secretName };
  };
}

/** A signing profile, which a high-risk pipeline (whose images are signed) needs. */
const signingProfileArn =
  "arn:aws:signer:eu-west-2:123456789012:/signing-profiles/trusted_delivery_dev";

const REPOSITORY = awsTypes.ecrRepository;
const LIFECYCLE = awsTypes.ecrLifecyclePolicy;
const ROLE = awsTypes.iamRole;
const ROLE_POLICY = awsTypes.iamRolePolicy;
const OIDC = awsTypes.iamOidcProvider;
const SECRET = githubTypes.actionsSecret;
const VARIABLE = githubTypes.actionsVariable;
const ENVIRONMENT = githubTypes.repositoryEnvironment;
const DEPLOYMENT_POLICY = githubTypes.repositoryEnvironmentDeploymentPolicy;
const ENVIRONMENT_SECRET = githubTypes.actionsEnvironmentSecret;
const REPOSITORY_FILE = githubTypes.repositoryFile;

/** A prod pipeline with the prod deployment environment, protected as given. */
function withEnvironments(environmentProtection: Record<string, unknown>) {
  return withArgs({
    environment: "prod",
    github: {
      repository: "acme/payments-api",
      environments: ["prod"],
      environmentProtection,
    },
  });
}

describe("TrustedDeliveryPipeline", () => {
  let run: OfflineRun;
  before(async () => {
    run = await runProgram(() => {
      const pipeline = new TrustedDeliveryPipeline("payments-api", minimal);
      return {
        repositoryName: pipeline.repositoryName,
        repositoryUrl: pipeline.repositoryUrl,
        repositoryArn: pipeline.repositoryArn,
        roleArn: pipeline.roleArn,
        roleName: pipeline.roleName,
        oidcProviderArn: pipeline.oidcProviderArn,
        secretName: pipeline.secretName,
        subjects: pipeline.subjects,
      };
    });
  });

  it("registers as trusted-delivery:index:TrustedDeliveryPipeline, with every child parented to it", () => {
    const pipeline = single(run, componentTypes.trustedDeliveryPipeline);
    assert.equal(pipeline.name, "payments-api");
    const children = run.resources.filter((r) => r.parent === pipeline.urn);
    assert.deepEqual(children.map((r) => `${r.type} ${r.name}`).sort(), [
      `${LIFECYCLE} payments-api-lifecycle`,
      `${REPOSITORY} payments-api-repository`,
      `${ROLE} payments-api-push-role`,
      `${ROLE_POLICY} payments-api-push-policy`,
      `${SECRET} payments-api-role-secret`,
      `${VARIABLE} payments-api-region`,
      `${VARIABLE} payments-api-repository-url`,
      `trusted-delivery:index:GitHubOidcProvider payments-api-oidc`,
    ]);
  });

  it("creates an ECR repository with scan on push, always", () => {
    assert.deepEqual(single(run, REPOSITORY).inputs.imageScanningConfiguration, {
      scanOnPush: true,
    });
  });

  it("tags the repository with the governance metadata and the environment", () => {
    assert.deepEqual(single(run, REPOSITORY).inputs.tags, {
      "goldenpath.idp/id": "REGISTRY_PAYMENTS_API",
      "goldenpath.idp/owner": "team-payments",
      "goldenpath.idp/risk": "medium",
      Environment: "dev",
    });
  });

  it("applies the medium tier: MUTABLE tags, AES256, keep 30", () => {
    const repository = single(run, REPOSITORY);
    assert.equal(repository.inputs.imageTagMutability, "MUTABLE");
    assert.deepEqual(repository.inputs.encryptionConfigurations, [{ encryptionType: "AES256" }]);
    assert.equal(
      JSON.parse(single(run, LIFECYCLE).inputs.policy).rules[0].selection.countNumber,
      30,
    );
  });

  it("attaches the lifecycle policy to its repository, described as the Terraform module does", () => {
    const lifecycle = single(run, LIFECYCLE);
    assert.equal(lifecycle.inputs.repository, "payments-api");
    assert.ok(lifecycle.dependencies.includes(single(run, REPOSITORY).urn));
    assert.equal(
      JSON.parse(lifecycle.inputs.policy).rules[0].description,
      "Keep last 30 images (medium risk policy)",
    );
  });

  it("creates the push role with a stable name within IAM's limit, tagged like the repository", () => {
    const role = single(run, ROLE);
    assert.equal(role.inputs.name, "ecr-push-dev-payments-api");
    assert.equal(role.inputs.tags["goldenpath.idp/id"], "REGISTRY_PAYMENTS_API");
    assert.equal(role.inputs.maxSessionDuration, 3600);
  });

  it("lets only the main branch of the app repository assume the role, through the OIDC provider", () => {
    const trust = single(run, ROLE).inputs.assumeRolePolicy;
    assert.equal(canAssume(trust, { sub: "repo:acme/payments-api:ref:refs/heads/main" }), true);
    assert.equal(canAssume(trust, { sub: "repo:acme/payments-api:ref:refs/heads/feature" }), false);
    assert.equal(canAssume(trust, { sub: "repo:acme/payments-api:pull_request" }), false);
    assert.equal(JSON.parse(trust).Statement[0].Principal.Federated, single(run, OIDC).outputs.arn);
  });

  it("grants the role push on this repository's ARN only, in an inline policy", () => {
    const policy = JSON.parse(single(run, ROLE_POLICY).inputs.policy);
    assert.equal(single(run, ROLE_POLICY).inputs.role, "ecr-push-dev-payments-api");
    assert.deepEqual(
      policy.Statement[1].Resource,
      "arn:aws:ecr:eu-west-2:123456789012:repository/payments-api",
    );
    assert.deepEqual(policy.Statement[0], {
      Sid: "EcrLogin",
      Effect: "Allow",
      Action: "ecr:GetAuthorizationToken",
      Resource: "*",
    });
  });

  it("writes the role ARN as a secret, and the repository URL and region as variables, into the app repository", () => {
    const secret = single(run, SECRET);
    assert.equal(secret.name, "payments-api-role-secret");
    assert.deepEqual(secret.inputs, {
      repository: "payments-api",
      secretName: "TF_AWS_IAM_ROLE_DEV",
      value: "arn:aws:iam::123456789012:role/ecr-push-dev-payments-api",
    });
    assert.deepEqual(secret.secretInputs, ["value"]);
    assert.deepEqual(
      ofType(run, VARIABLE)
        .map((v) => v.inputs)
        .sort((a, b) => a.variableName.localeCompare(b.variableName)),
      [
        { repository: "payments-api", variableName: "AWS_REGION_DEV", value: "eu-west-2" },
        {
          repository: "payments-api",
          variableName: "ECR_REPOSITORY_URL_DEV",
          value: "123456789012.dkr.ecr.eu-west-2.amazonaws.com/payments-api",
        },
      ],
    );
  });

  it("exposes the outputs the app's CI and the platform need", () => {
    assert.deepEqual(run.outputs, {
      repositoryName: "payments-api",
      repositoryUrl: "123456789012.dkr.ecr.eu-west-2.amazonaws.com/payments-api",
      repositoryArn: "arn:aws:ecr:eu-west-2:123456789012:repository/payments-api",
      roleArn: "arn:aws:iam::123456789012:role/ecr-push-dev-payments-api",
      roleName: "ecr-push-dev-payments-api",
      oidcProviderArn: providerArn,
      secretName: "TF_AWS_IAM_ROLE_DEV",
      subjects: ["repo:acme/payments-api:ref:refs/heads/main"],
    });
  });

  it("registers its outputs on the component", () => {
    const outputs = single(run, componentTypes.trustedDeliveryPipeline).outputs;
    assert.equal(outputs.roleArn, "arn:aws:iam::123456789012:role/ecr-push-dev-payments-api");
    assert.equal(outputs.githubRepository, "acme/payments-api");
    assert.deepEqual(outputs.subjects, ["repo:acme/payments-api:ref:refs/heads/main"]);
  });

  it("applies the high tier: IMMUTABLE tags, KMS with the AWS managed key, keep 50", async () => {
    const high = await runProgram(
      withArgs({ metadata: { ...minimal.metadata, risk: "high" }, signingProfileArn }),
    );
    const repository = single(high, REPOSITORY);
    assert.equal(repository.inputs.imageTagMutability, "IMMUTABLE");
    assert.deepEqual(repository.inputs.encryptionConfigurations, [{ encryptionType: "KMS" }]);
    assert.equal(
      JSON.parse(single(high, LIFECYCLE).inputs.policy).rules[0].description,
      "Keep last 50 images (high risk policy)",
    );
  });

  it("applies the low tier: MUTABLE tags, AES256, keep 20", async () => {
    const low = await runProgram(withArgs({ metadata: { ...minimal.metadata, risk: "low" } }));
    assert.equal(single(low, REPOSITORY).inputs.imageTagMutability, "MUTABLE");
    assert.deepEqual(single(low, REPOSITORY).inputs.encryptionConfigurations, [
      { encryptionType: "AES256" },
    ]);
    assert.equal(
      JSON.parse(single(low, LIFECYCLE).inputs.policy).rules[0].selection.countNumber,
      20,
    );
  });

  it("uses the given KMS key and the overrides of the tier", async () => {
    const key = "arn:aws:kms:eu-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    const custom = await runProgram(
      withArgs({
        ecr: { encryption: "KMS", kmsKeyArn: key, imageTagMutability: "IMMUTABLE", keepImages: 7 },
      }),
    );
    const repository = single(custom, REPOSITORY);
    assert.deepEqual(repository.inputs.encryptionConfigurations, [
      { encryptionType: "KMS", kmsKey: key },
    ]);
    assert.equal(repository.inputs.imageTagMutability, "IMMUTABLE");
    assert.equal(
      JSON.parse(single(custom, LIFECYCLE).inputs.policy).rules[0].description,
      "Keep last 7 images (medium risk policy)",
    );
  });

  it("trusts the given OIDC provider and creates none", async () => {
    const shared = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";
    const given = await runProgram(withArgs({ oidcProviderArn: shared }));
    assert.deepEqual(ofType(given, OIDC), []);
    assert.deepEqual(ofType(given, GitHubOidcProvider.typeToken), []);
    assert.equal(
      JSON.parse(single(given, ROLE).inputs.assumeRolePolicy).Statement[0].Principal.Federated,
      shared,
    );
  });

  it("writes into the repository of the GitHub provider it is given", async () => {
    const pinned = await runProgram(() => {
      const provider = new github.Provider("github-acme", { owner: "acme" });
      new TrustedDeliveryPipeline("payments-api", minimal, { providers: { github: provider } });
    });
    const providerUrn = single(pinned, githubTypes.provider).urn;
    assert.ok(single(pinned, SECRET).provider?.startsWith(`${providerUrn}::`));
    assert.ok(ofType(pinned, VARIABLE).every((v) => v.provider?.startsWith(`${providerUrn}::`)));
    // AWS children keep the default AWS provider.
    assert.equal(single(pinned, REPOSITORY).provider, undefined);
  });

  it("fails before writing any GitHub resource when its GitHub provider manages another owner", async () => {
    const { error, registered } = await runExpectingError(() => {
      const provider = new github.Provider("github-globex", { owner: "globex" });
      new TrustedDeliveryPipeline("payments-api", minimal, { providers: { github: provider } });
    });
    // The message is the error's own: the SDK's prefixes ("error serializing property ...") do
    // not pile onto it, and its stack is the message alone.
    const message =
      'TrustedDeliveryPipeline "payments-api" has an invalid argument:\n  - github.repository is "acme/payments-api"; must belong to the owner of the GitHub provider it is given, "globex": pass a provider whose owner is "acme"';
    assert.equal(error.message, message);
    assert.equal(error.stack, `InvalidArgumentsError: ${message}`);
    assert.deepEqual(
      registered.filter((r) => r.type.startsWith("github:index/")),
      [],
    );
  });

  it("adopts an existing repository and lifecycle policy by import ID, creating the rest", async () => {
    const adopted = await runProgram(
      withArgs({ importIds: { repository: "payments-api", lifecyclePolicy: "payments-api" } }),
    );
    assert.equal(single(adopted, REPOSITORY).importId, "payments-api");
    assert.equal(single(adopted, REPOSITORY).id, "payments-api");
    assert.equal(single(adopted, LIFECYCLE).importId, "payments-api");
    assert.equal(single(adopted, ROLE).importId, undefined);
  });

  it("leaves Environment to the AWS provider's default tags when they already set it, keeping governance tags", async () => {
    const withDefaults = await runProgram(withArgs({}), {
      config: {
        "aws:defaultTags": JSON.stringify({
          tags: { Environment: "dev", "goldenpath.idp/risk": "medium" },
        }),
      },
      account: { defaultTags: { Environment: "dev", "goldenpath.idp/risk": "medium" } },
    });
    const repository = single(withDefaults, REPOSITORY);
    assert.deepEqual(repository.inputs.tags, {
      "goldenpath.idp/id": "REGISTRY_PAYMENTS_API",
      "goldenpath.idp/owner": "team-payments",
      "goldenpath.idp/risk": "medium",
    });
    assert.equal(repository.outputs.tagsAll.Environment, "dev");
  });

  it("keeps Environment on the resource when the provider's default tags give it another value", async () => {
    const withDefaults = await runProgram(withArgs({}), {
      config: { "aws:defaultTags": JSON.stringify({ tags: { Environment: "shared" } }) },
    });
    assert.equal(single(withDefaults, REPOSITORY).inputs.tags.Environment, "dev");
  });
});

describe("TrustedDeliveryPipeline with GitHub deployment environments", () => {
  let run: OfflineRun;
  before(async () => {
    run = await runProgram(
      withArgs({
        environment: "prod",
        github: {
          repository: "acme/payments-api",
          environments: ["prod", "prod-eu"],
          environmentProtection: { reviewerTeams: [42], deploymentTags: ["v*"], waitTimer: 5 },
        },
      }),
    );
  });

  it("creates each environment, protected: reviewers, no self-review, no admin bypass, and a deployment policy", () => {
    assert.deepEqual(
      ofType(run, ENVIRONMENT).map((e) => [
        e.name,
        e.inputs.environment,
        e.inputs.reviewers,
        e.inputs.waitTimer,
      ]),
      [
        ["payments-api-environment-prod", "prod", [{ users: [], teams: [42] }], 5],
        ["payments-api-environment-prod-eu", "prod-eu", [{ users: [], teams: [42] }], 5],
      ],
    );
    assert.deepEqual(
      ofType(run, DEPLOYMENT_POLICY).map((p) => [
        p.inputs.environment,
        p.inputs.branchPattern ?? p.inputs.tagPattern,
      ]),
      [
        ["prod", "main"],
        ["prod", "v*"],
        ["prod-eu", "main"],
        ["prod-eu", "v*"],
      ],
    );
  });

  it("stores the role ARN as a secret of each environment, and no repository secret", () => {
    assert.deepEqual(ofType(run, SECRET), []);
    assert.deepEqual(
      ofType(run, ENVIRONMENT_SECRET).map((s) => s.inputs),
      ["prod", "prod-eu"].map((environment) => ({
        repository: "payments-api",
        environment,
        secretName: "TF_AWS_IAM_ROLE_PROD",
        value: "arn:aws:iam::123456789012:role/ecr-push-prod-payments-api",
      })),
    );
    assert.deepEqual(ofType(run, ENVIRONMENT_SECRET)[0].secretInputs, ["value"]);
  });

  it("lets only jobs in those environments assume the role: no branch, tag or pull request", () => {
    const trust = single(run, ROLE).inputs.assumeRolePolicy;
    assert.deepEqual(run.outputs.subjects, [
      "repo:acme/payments-api:environment:prod",
      "repo:acme/payments-api:environment:prod-eu",
    ]);
    assert.equal(canAssume(trust, { sub: "repo:acme/payments-api:environment:prod" }), true);
    assert.equal(canAssume(trust, { sub: "repo:acme/payments-api:environment:staging" }), false);
    assert.equal(canAssume(trust, { sub: "repo:acme/payments-api:ref:refs/heads/main" }), false);
    assert.equal(canAssume(trust, { sub: "repo:acme/payments-api:ref:refs/tags/v1.0.0" }), false);
    assert.equal(canAssume(trust, { sub: "repo:acme/payments-api:pull_request" }), false);
  });

  it("lets a stack name its GitHub environment anything GitHub allows: a prod stack's may be production", async () => {
    const production = await runProgram(
      withArgs({
        environment: "prod",
        github: { repository: "acme/payments-api", environments: ["production"] },
      }),
    );
    assert.deepEqual(
      ofType(production, ENVIRONMENT).map((e) => [e.name, e.inputs.environment]),
      [["payments-api-environment-production", "production"]],
    );
    const trust = single(production, ROLE).inputs.assumeRolePolicy;
    assert.equal(canAssume(trust, { sub: "repo:acme/payments-api:environment:production" }), true);
    assert.equal(canAssume(trust, { sub: "repo:acme/payments-api:environment:prod" }), false);
    assert.equal(single(production, ENVIRONMENT_SECRET).inputs.secretName, "TF_AWS_IAM_ROLE_PROD");
  });

  it("commits the build-and-push workflow to the app repository when asked, under a name carrying the environment", async () => {
    const committed = await runProgram(
      withArgs({ github: { repository: "acme/payments-api", commitWorkflow: true } }),
    );
    const file = single(committed, REPOSITORY_FILE);
    assert.equal(file.inputs.file, ".github/workflows/ci-build-push-dev.yml");
    assert.equal(file.inputs.repository, "payments-api");
    assert.equal(file.inputs.overwriteOnCreate, true);
    assert.match(file.inputs.content, /^name: Build and push payments-api \(dev\)$/m);
    assert.match(file.inputs.content, /role-to-assume: \$\{\{ secrets\.TF_AWS_IAM_ROLE_DEV \}\}/);
  });
});

describe("TrustedDeliveryPipeline defaults", () => {
  // One test per documented default. The list of documented defaults is read from the TSDoc
  // `@default` tags, so a default documented without a test here (or the reverse) fails.
  const defaults: Record<string, () => Promise<void>> = {
    "TrustedDeliveryPipelineArgs.repositoryName": async () => {
      const run = await runProgram(withArgs({}, "ledger-service"));
      assert.equal(single(run, REPOSITORY).inputs.name, "ledger-service");
    },
    "TrustedDeliveryPipelineArgs.oidcProviderArn": async () => {
      const run = await runProgram(withArgs({}));
      const provider = single(run, OIDC);
      assert.equal(provider.parent, single(run, GitHubOidcProvider.typeToken).urn);
      assert.equal(
        single(run, GitHubOidcProvider.typeToken).parent,
        single(run, componentTypes.trustedDeliveryPipeline).urn,
      );
    },
    "TrustedDeliveryPipelineArgs.tagPrefix": async () => {
      const run = await runProgram(withArgs({}));
      assert.deepEqual(
        Object.keys(single(run, REPOSITORY).inputs.tags).filter((k) =>
          k.startsWith("goldenpath.idp/"),
        ),
        ["goldenpath.idp/id", "goldenpath.idp/owner", "goldenpath.idp/risk"],
      );
      const custom = await runProgram(withArgs({ tagPrefix: "acme.io/" }));
      assert.equal(single(custom, REPOSITORY).inputs.tags["acme.io/risk"], "medium");
    },
    "TrustedDeliveryPipelineArgs.tags": async () => {
      const run = await runProgram(withArgs({}));
      assert.deepEqual(Object.keys(single(run, REPOSITORY).inputs.tags).length, 4);
      const extra = await runProgram(withArgs({ tags: { CostCenter: "42" } }));
      assert.equal(single(extra, REPOSITORY).inputs.tags.CostCenter, "42");
      assert.equal(single(extra, ROLE).inputs.tags.CostCenter, "42");
    },
    "TrustedDeliveryPipelineArgs.trustPolicyMaxLength": async () => {
      // 2048 characters by default: a trust policy one character longer is refused.
      const branches = Array.from({ length: 40 }, (_, i) => `release/team-${i}`);
      const lengths = [29, 30].map((count) =>
        validateTrustedDeliveryPipelineArgs("payments-api", {
          ...minimal,
          github: { repository: "acme/payments-api", branches: branches.slice(0, count) },
        }),
      );
      assert.deepEqual(lengths[0], []);
      assert.match(lengths[1][0].message, /over IAM's limit of 2048/);
    },
    "TrustedDeliveryPipelineArgs.importIds": async () => {
      const run = await runProgram(withArgs({}));
      assert.equal(single(run, REPOSITORY).importId, undefined);
      assert.equal(single(run, LIFECYCLE).importId, undefined);
    },
    "GitHubRepositoryAccess.branches": async () => {
      const run = await runProgram(withArgs({}));
      assert.deepEqual(run.outputs.subjects, ["repo:acme/payments-api:ref:refs/heads/main"]);
    },
    "GitHubRepositoryAccess.tags": async () => {
      const run = await runProgram(withArgs({}));
      assert.ok(!run.outputs.subjects.some((s: string) => s.includes(":ref:refs/tags/")));
    },
    "GitHubRepositoryAccess.environments": async () => {
      const run = await runProgram(withArgs({}));
      assert.ok(!run.outputs.subjects.some((s: string) => s.includes(":environment:")));
      assert.deepEqual(ofType(run, ENVIRONMENT), []);
      assert.equal(ofType(run, SECRET).length, 1);
    },
    "GitHubRepositoryAccess.environmentProtection": async () => {
      const run = await runProgram(withEnvironments({}));
      assert.deepEqual(single(run, ENVIRONMENT).inputs, {
        repository: "payments-api",
        environment: "prod",
        preventSelfReview: true,
        canAdminsBypass: false,
        waitTimer: 0,
        deploymentBranchPolicy: { protectedBranches: false, customBranchPolicies: true },
      });
    },
    "GitHubRepositoryAccess.commitWorkflow": async () => {
      const run = await runProgram(withArgs({}));
      assert.deepEqual(ofType(run, REPOSITORY_FILE), []);
    },
    "GitHubRepositoryAccess.attestations": async () => {
      const run = await runProgram(
        withArgs({ github: { repository: "acme/payments-api", commitWorkflow: true } }),
      );
      const workflow = YAML.parse(single(run, REPOSITORY_FILE).inputs.content);
      assert.equal(workflow.permissions.attestations, "write");
      assert.deepEqual(
        workflow.jobs["build-push"].steps
          .filter((step: any) => step.uses?.startsWith("actions/attest@"))
          .map((step: any) => step.name),
        ["Attest the build provenance", "Attest the SBOM"],
      );
    },
    "GitHubRepositoryAccess.vulnerabilityGate": async () => {
      const scans = async (risk: "low" | "medium" | "high") => {
        const run = await runProgram(
          withArgs({
            metadata: { ...minimal.metadata, risk },
            github: { repository: "acme/payments-api", commitWorkflow: true },
            ...(risk === "high" && { signingProfileArn }),
          }),
        );
        return YAML.parse(single(run, REPOSITORY_FILE).inputs.content)
          .jobs["build-push"].steps.filter((step: any) =>
            step.uses?.startsWith("aquasecurity/trivy-action@"),
          )
          .map((step: any) => step.with.severity);
      };
      assert.deepEqual(await scans("low"), []);
      assert.deepEqual(await scans("medium"), []);
      assert.deepEqual(await scans("high"), ["CRITICAL"]);
    },
    "EnvironmentProtection.reviewerUsers": async () => {
      const run = await runProgram(withEnvironments({}));
      assert.equal(single(run, ENVIRONMENT).inputs.reviewers, undefined);
      const reviewed = await runProgram(withEnvironments({ reviewerUsers: [7] }));
      assert.deepEqual(single(reviewed, ENVIRONMENT).inputs.reviewers, [{ users: [7], teams: [] }]);
    },
    "EnvironmentProtection.reviewerTeams": async () => {
      const run = await runProgram(withEnvironments({ reviewerTeams: [42] }));
      assert.deepEqual(single(run, ENVIRONMENT).inputs.reviewers, [{ users: [], teams: [42] }]);
    },
    "EnvironmentProtection.preventSelfReview": async () => {
      const run = await runProgram(withEnvironments({}));
      assert.equal(single(run, ENVIRONMENT).inputs.preventSelfReview, true);
    },
    "EnvironmentProtection.deploymentBranches": async () => {
      const run = await runProgram(withEnvironments({}));
      assert.deepEqual(
        ofType(run, DEPLOYMENT_POLICY).map((p) => p.inputs),
        [{ repository: "payments-api", environment: "prod", branchPattern: "main" }],
      );
    },
    "EnvironmentProtection.deploymentTags": async () => {
      const run = await runProgram(withEnvironments({ deploymentTags: ["v*"] }));
      assert.deepEqual(
        ofType(run, DEPLOYMENT_POLICY).map((p) => [
          p.name,
          p.inputs.branchPattern ?? p.inputs.tagPattern,
        ]),
        [
          ["payments-api-environment-prod-branch-0", "main"],
          ["payments-api-environment-prod-tag-1", "v*"],
        ],
      );
    },
    "EnvironmentProtection.waitTimer": async () => {
      const run = await runProgram(withEnvironments({}));
      assert.equal(single(run, ENVIRONMENT).inputs.waitTimer, 0);
    },
    "GitHubRepositoryAccess.secretName": async () => {
      const run = await runProgram(withArgs({ environment: "staging" }));
      assert.equal(single(run, SECRET).inputs.secretName, "TF_AWS_IAM_ROLE_STAGING");
    },
    "GitHubRepositoryAccess.ownerId": async () => {
      const run = await runProgram(withArgs({}));
      assert.match(run.outputs.subjects[0], /^repo:acme\/payments-api:/);
    },
    "GitHubRepositoryAccess.repositoryId": async () => {
      const run = await runProgram(
        withArgs({ github: { repository: "acme/payments-api", ownerId: 10, repositoryId: 20 } }),
      );
      assert.deepEqual(run.outputs.subjects, ["repo:acme@10/payments-api@20:ref:refs/heads/main"]);
    },
    "GitHubRepositoryAccess.trust": async () => {
      // By name: sub alone, no id conditions, nothing looked up on GitHub.
      const run = await runProgram(withArgs({}));
      const conditions = JSON.parse(single(run, ROLE).inputs.assumeRolePolicy).Statement[0]
        .Condition.StringEquals;
      assert.deepEqual(Object.keys(conditions), [
        "token.actions.githubusercontent.com:aud",
        "token.actions.githubusercontent.com:sub",
      ]);
      assert.deepEqual(run.logs, []);
    },
    "GitHubRepositoryAccess.workflows": async () => {
      // Any workflow: no job_workflow_ref condition, and no subject claim template managed.
      const run = await runProgram(withArgs({}));
      assert.doesNotMatch(single(run, ROLE).inputs.assumeRolePolicy, /job_workflow_ref/);
      assert.equal(
        run.resources.some((r) => r.type.includes("OidcSubjectClaimCustomizationTemplate")),
        false,
      );
    },
    "GitHubVariableNames.repositoryUrl": async () => {
      const run = await runProgram(withArgs({ environment: "prod" }));
      assert.ok(
        ofType(run, VARIABLE).some((v) => v.inputs.variableName === "ECR_REPOSITORY_URL_PROD"),
      );
    },
    "GitHubVariableNames.region": async () => {
      const run = await runProgram(withArgs({ environment: "prod" }));
      assert.ok(ofType(run, VARIABLE).some((v) => v.inputs.variableName === "AWS_REGION_PROD"));
    },
    "EcrSettings.imageTagMutability": async () => {
      const run = await runProgram(withArgs({}));
      assert.equal(single(run, REPOSITORY).inputs.imageTagMutability, "MUTABLE");
    },
    "EcrSettings.encryption": async () => {
      const run = await runProgram(withArgs({}));
      assert.equal(
        single(run, REPOSITORY).inputs.encryptionConfigurations[0].encryptionType,
        "AES256",
      );
    },
    "EcrSettings.kmsKeyArn": async () => {
      const run = await runProgram(withArgs({ ecr: { encryption: "KMS" } }));
      assert.deepEqual(single(run, REPOSITORY).inputs.encryptionConfigurations, [
        { encryptionType: "KMS" },
      ]);
    },
    "EcrSettings.keepImages": async () => {
      const run = await runProgram(withArgs({}));
      assert.equal(
        JSON.parse(single(run, LIFECYCLE).inputs.policy).rules[0].selection.countNumber,
        30,
      );
    },
    "EcrSettings.forceDelete": async () => {
      const run = await runProgram(withArgs({}));
      assert.equal(single(run, REPOSITORY).inputs.forceDelete, false);
    },
    "EcrSettings.imageTagMutabilityExclusionFilters": async () => {
      const repository = single(await runProgram(withArgs({})), REPOSITORY).inputs;
      assert.equal(repository.imageTagMutabilityExclusionFilters, undefined);
    },
    "EcrSettings.pull": async () => {
      const run = await runProgram(withArgs({}));
      assert.deepEqual(
        run.resources.filter((r) => r.type === "aws:ecr/repositoryPolicy:RepositoryPolicy"),
        [],
      );
    },
    "EcrSettings.retention": async () => {
      const rules = JSON.parse(
        single(await runProgram(withArgs({})), LIFECYCLE).inputs.policy,
      ).rules;
      assert.deepEqual(
        rules.map((r: any) => r.selection.tagStatus),
        ["any"],
      );
    },
    "EcrSettings.signing": async () => {
      const signs = async (args: Partial<TrustedDeliveryPipelineArgs>) => {
        const run = await runProgram(withArgs(args));
        return JSON.parse(single(run, ROLE_POLICY).inputs.policy).Statement.some(
          (s: { Action: unknown }) => s.Action === "signer:SignPayload",
        );
      };
      const high = { metadata: { ...minimal.metadata, risk: "high" as const } };
      assert.equal(await signs({ ...high, signingProfileArn }), true);
      assert.equal(await signs({}), false);
      assert.equal(await signs({ signingProfileArn }), true);
      assert.equal(await signs({ metadata: { ...minimal.metadata, risk: "low" } }), false);
    },
    "GitHubRepositoryAccess.registryFindingsGate": async () => {
      const gated = async (risk: "low" | "medium" | "high") => {
        const run = await runProgram(
          withArgs({
            metadata: { ...minimal.metadata, risk },
            github: { repository: "acme/payments-api", commitWorkflow: true },
            ...(risk === "high" && { signingProfileArn }),
          }),
        );
        const steps = YAML.parse(single(run, REPOSITORY_FILE).inputs.content).jobs["build-push"]
          .steps;
        return steps
          .filter((step: any) => String(step.name).startsWith("Wait for the registry's scan"))
          .map((step: any) => step.env.FAILING_SEVERITIES);
      };
      assert.deepEqual(await gated("low"), []);
      assert.deepEqual(await gated("medium"), []);
      assert.equal((await gated("high")).length, 1);
    },
    "TrustedDeliveryPipelineArgs.signingProfileArn": async () => {
      const run = await runProgram(withArgs({}));
      assert.equal(
        run.resources.find((r) => r.name === "payments-api-signing-profile"),
        undefined,
      );
      assert.ok(
        !single(run, ROLE_POLICY).inputs.policy.includes("signer:"),
        "no signing permission without a profile",
      );
    },
    "EcrSettings.protect": async () => {
      const run = await runProgram(withArgs({}));
      assert.equal(single(run, REPOSITORY).protect, true);
      const unprotected = await runProgram(withArgs({ ecr: { protect: false } }));
      assert.equal(single(unprotected, REPOSITORY).protect, false);
    },
    "TrustedDeliveryPipelineArgs.role": async () => {
      const role = single(await runProgram(withArgs({})), ROLE).inputs;
      assert.deepEqual(
        [role.permissionsBoundary, role.maxSessionDuration, role.path],
        [undefined, 3600, "/"],
      );
    },
    "PushRoleSettings.permissionsBoundary": async () => {
      const run = await runProgram(withArgs({}));
      assert.equal(single(run, ROLE).inputs.permissionsBoundary, undefined);
    },
    "PushRoleSettings.maxSessionDuration": async () => {
      const run = await runProgram(withArgs({}));
      assert.equal(single(run, ROLE).inputs.maxSessionDuration, 3600);
    },
    "PushRoleSettings.path": async () => {
      const run = await runProgram(withArgs({}));
      assert.equal(single(run, ROLE).inputs.path, "/");
    },
    "GitHubOidcProviderArgs.issuer": async () => {
      const run = await runProgram(() => new GitHubOidcProvider("github-oidc"));
      assert.equal(single(run, OIDC).inputs.url, "https://token.actions.githubusercontent.com");
    },
    "GitHubOidcProviderArgs.tags": async () => {
      const run = await runProgram(() => new GitHubOidcProvider("github-oidc"));
      assert.equal(single(run, OIDC).inputs.tags, undefined);
    },
    "GitHubOidcProviderArgs.protect": async () => {
      const run = await runProgram(() => new GitHubOidcProvider("github-oidc"));
      assert.equal(single(run, OIDC).protect, true);
    },
  };

  it("has one test for every @default documented in the component's TSDoc", () => {
    const documented = [
      ...documentedDefaults(path.join(__dirname, "../../components/pipelineArgs.ts")),
      ...documentedDefaults(path.join(__dirname, "../../components/githubOidcProvider.ts")),
    ].sort();
    assert.deepEqual(Object.keys(defaults).sort(), documented);
  });

  for (const [field, test] of Object.entries(defaults)) {
    it(`applies the documented default of ${field}`, test);
  }
});

describe("GitHubOidcProvider", () => {
  it("creates GitHub's OIDC provider for the sts.amazonaws.com audience, with no pinned thumbprints", async () => {
    const run = await runProgram(() => ({ arn: new GitHubOidcProvider("github-oidc").arn }));
    const provider = single(run, OIDC);
    assert.deepEqual(provider.inputs, {
      url: "https://token.actions.githubusercontent.com",
      clientIdLists: ["sts.amazonaws.com"],
    });
    assert.equal(provider.parent, single(run, componentTypes.githubOidcProvider).urn);
    assert.equal(run.outputs.arn, providerArn);
  });
});
