/**
 * An AWS account as the platform team finds it, created through the AWS API (against moto) for
 * the tests that read live accounts: the Terraform module's registries as the fixture state
 * describes them, the hand-made GitHub role and its push policy, what else grew there by hand,
 * and, beside them, what the platform program creates for one app.
 */
import {
  CreateRepositoryCommand,
  ECRClient,
  PutLifecyclePolicyCommand,
  PutRegistryScanningConfigurationCommand,
  SetRepositoryPolicyCommand,
} from "@aws-sdk/client-ecr";
import {
  AttachRolePolicyCommand,
  CreateOpenIDConnectProviderCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  IAMClient,
  PutRolePolicyCommand,
} from "@aws-sdk/client-iam";
import { lifecyclePolicyDocument } from "../../components/lifecyclePolicy";
import { pushRoleName } from "../../components/names";
import { registryScanningRules } from "../../components/registryScanning";
import { ecrPushPolicy } from "../../components/pushPolicy";
import { riskTiers } from "../../components/riskTiers";
import { githubSubjects, githubTrustPolicy } from "../../components/trustPolicy";
import { readFixture, stateInstances } from "./fixtures";
import { motoAccount, motoRegion } from "./moto";

/** Clients on an endpoint (moto's), in a region. */
export function testClients(endpoint: string, region = motoRegion) {
  const credentials = { accessKeyId: "testing", secretAccessKey: "testing" };
  return {
    ecr: new ECRClient({ endpoint, region, credentials }),
    iam: new IAMClient({ endpoint, region, credentials }),
  };
}

export const githubProviderArn = `arn:aws:iam::${motoAccount}:oidc-provider/token.actions.githubusercontent.com`;

/** The names of what the legacy system holds. */
export const legacy = {
  /** The hand-made role: trusts every repository of the owner, pushes to every repository. */
  pushRole: "github-actions-ecr-push",
  pushPolicy: "github-actions-ecr-push",
  /** A repository made in the console: no tags, no scanning, a policy open to everyone. */
  consoleRepository: "console-scratch",
  /** A role a team made for its deployments, with AdministratorAccess. */
  adminRole: "github-actions-deploy-admin",
  adminTrustSubject: "repo:mikeybeezy/goldenpath-infra:ref:refs/heads/main",
  /** A role GitHub cannot assume: the audit leaves it alone. */
  lambdaRole: "image-cleanup-lambda",
  /** The Terraform module's registries, by name. */
  terraformRepositories: Object.keys(stateInstances("aws_ecr_repository")),
} as const;

export const publicRepositoryPolicy = JSON.stringify({
  Version: "2012-10-17",
  Statement: [
    {
      Sid: "AnyonePulls",
      Effect: "Allow",
      Principal: "*",
      Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
    },
  ],
});

/** The legacy system: the Terraform registries, the hand-made IAM, and what grew by hand. */
export async function createLegacySystem(endpoint: string): Promise<void> {
  const { ecr, iam } = testClients(endpoint);
  const policies = stateInstances("aws_ecr_lifecycle_policy");
  for (const [app, repository] of Object.entries(stateInstances("aws_ecr_repository"))) {
    const [encryption] = repository.encryption_configuration;
    await ecr.send(
      new CreateRepositoryCommand({
        repositoryName: repository.name,
        imageTagMutability: repository.image_tag_mutability,
        imageScanningConfiguration: {
          scanOnPush: repository.image_scanning_configuration[0].scan_on_push,
        },
        encryptionConfiguration: {
          encryptionType: encryption.encryption_type,
          ...(encryption.kms_key ? { kmsKey: encryption.kms_key } : {}),
        },
        // The live repository carries every tag Terraform set: its own and the default tags.
        tags: Object.entries(repository.tags_all as Record<string, string>).map(([Key, Value]) => ({
          Key,
          Value,
        })),
      }),
    );
    await ecr.send(
      new PutLifecyclePolicyCommand({
        repositoryName: repository.name,
        lifecyclePolicyText: policies[app].policy,
      }),
    );
  }
  await ecr.send(
    new CreateRepositoryCommand({
      repositoryName: legacy.consoleRepository,
      imageScanningConfiguration: { scanOnPush: false },
    }),
  );
  await ecr.send(
    new SetRepositoryPolicyCommand({
      repositoryName: legacy.consoleRepository,
      policyText: publicRepositoryPolicy,
    }),
  );

  await iam.send(
    new CreateOpenIDConnectProviderCommand({
      Url: "https://token.actions.githubusercontent.com",
      ClientIDList: ["sts.amazonaws.com"],
      ThumbprintList: ["6938fd4d98bab03faadb97b34396831e3780aea1"],
    }),
  );
  await iam.send(
    new CreateRoleCommand({
      RoleName: legacy.pushRole,
      AssumeRolePolicyDocument: readFixture("hand-made-iam/github-actions-oidc-trust.json"),
    }),
  );
  const { Policy } = await iam.send(
    new CreatePolicyCommand({
      PolicyName: legacy.pushPolicy,
      PolicyDocument: readFixture("hand-made-iam/github-actions-ecr-push.json"),
    }),
  );
  await iam.send(
    new AttachRolePolicyCommand({ RoleName: legacy.pushRole, PolicyArn: Policy!.Arn }),
  );
  await iam.send(
    new CreateRoleCommand({
      RoleName: legacy.adminRole,
      AssumeRolePolicyDocument: JSON.stringify(
        githubTrustPolicy(githubProviderArn, [legacy.adminTrustSubject]),
      ),
    }),
  );
  await iam.send(
    new AttachRolePolicyCommand({
      RoleName: legacy.adminRole,
      PolicyArn: "arn:aws:iam::aws:policy/AdministratorAccess",
    }),
  );
  await iam.send(
    new CreateRoleCommand({
      RoleName: legacy.lambdaRole,
      AssumeRolePolicyDocument: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { Service: "lambda.amazonaws.com" },
            Action: "sts:AssumeRole",
          },
        ],
      }),
    }),
  );
  await iam.send(
    new AttachRolePolicyCommand({
      RoleName: legacy.lambdaRole,
      PolicyArn: "arn:aws:iam::aws:policy/AdministratorAccess",
    }),
  );
}

/** What the platform program creates for one app, built with the component's own helpers. */
export const platformApp = {
  repository: "payments-api",
  environment: "dev",
  risk: "high",
  github: "acme/payments-api",
  get role() {
    return pushRoleName(this.repository, this.environment);
  },
  get repositoryArn() {
    return `arn:aws:ecr:${motoRegion}:${motoAccount}:repository/${this.repository}`;
  },
} as const;

export async function createPlatformApp(endpoint: string): Promise<void> {
  const { ecr, iam } = testClients(endpoint);
  const tier = riskTiers[platformApp.risk];
  await ecr.send(
    new CreateRepositoryCommand({
      repositoryName: platformApp.repository,
      imageTagMutability: tier.imageTagMutability,
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfiguration: { encryptionType: tier.encryption },
      tags: [
        { Key: "goldenpath.idp/id", Value: "REGISTRY_PAYMENTS_API" },
        { Key: "goldenpath.idp/owner", Value: "team-payments" },
        { Key: "goldenpath.idp/risk", Value: platformApp.risk },
        { Key: "Environment", Value: platformApp.environment },
      ],
    }),
  );
  await ecr.send(
    new PutLifecyclePolicyCommand({
      repositoryName: platformApp.repository,
      lifecyclePolicyText: lifecyclePolicyDocument(tier.keepImages, platformApp.risk),
    }),
  );
  // The stack owns the region's scanning (registryScanning: managed), as the program declares it.
  await ecr.send(
    new PutRegistryScanningConfigurationCommand({
      scanType: "ENHANCED",
      rules: registryScanningRules([{ name: platformApp.repository, risk: platformApp.risk }]).map(
        (rule) => ({ ...rule, repositoryFilters: [...rule.repositoryFilters] }),
      ),
    }),
  );
  const subjects = githubSubjects({
    repository: platformApp.github,
    branches: ["main"],
    tags: ["v*"],
    environments: [],
  });
  await iam.send(
    new CreateRoleCommand({
      RoleName: platformApp.role,
      AssumeRolePolicyDocument: JSON.stringify(githubTrustPolicy(githubProviderArn, subjects)),
    }),
  );
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: platformApp.role,
      PolicyName: "ecr-push",
      PolicyDocument: JSON.stringify(ecrPushPolicy(platformApp.repositoryArn)),
    }),
  );
}
