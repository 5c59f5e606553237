/**
 * Every part of an account the audit reads, in one registry: the resource shapes it becomes (the
 * Pulumi type tokens the pack's policies know, and what each is for people), the read-only calls
 * its reader makes (`cli/aws`), how its resources are built from what was read, and what of it
 * could not be read. The audit's stacks, its report's kinds, what it could not read and its
 * printed permissions derive from here; the registry is typed by the readers' shapes
 * (`LiveRegistry`, `LiveAccount`), so a part a reader adds without an entry fails to compile.
 */
import { awsNativeTypes, awsTypes } from "../../policy-pack/governance/typeTokens";
import { ReadAction } from "../aws/readOnlyCalls";
import { LiveRegistry, LiveRepository } from "../aws/readRegistries";
import { Unread } from "../aws/unread";
import {
  arnPath,
  Builder,
  knownOr,
  LiveAccount,
  unreadOr,
  Where,
  withUnknowns,
} from "./liveResources";

/** A resource shape a part becomes, and what it is for people. */
export interface AuditedShape {
  readonly token: string;
  readonly kind: string;
}

export interface AuditedPart<Live> {
  readonly shapes: readonly AuditedShape[];
  /** The read-only calls its reader makes. */
  readonly calls: readonly ReadAction[];
  /** Its resources, from what was read. */
  readonly build: (builder: Builder, live: Live, where: Where) => void;
  /** What of it could not be read, in the order it was read. */
  readonly unread: (live: Live) => readonly Unread[];
  /**
   * The part whose findings it reads for, when it reads nothing on its own (the customer managed
   * policies the roles attach): when that part could not be read, it has nothing to read.
   */
  readonly readFor?: string;
}

type RegionalParts = Omit<LiveRegistry, "region">;
type AccountParts = Omit<
  LiveAccount,
  "account" | "partition" | "regions" | "enabledRegions" | "registries"
>;

const unreadIn = (...values: unknown[]): Unread[] =>
  values.filter((value): value is Unread => value instanceof Unread);

function buildRepository(builder: Builder, repository: LiveRepository, region: string): void {
  const id = arnPath(repository.arn);
  const where = { region, arn: repository.arn };
  const tags = knownOr(repository.tags);
  const resource = builder.add(
    awsTypes.ecrRepository,
    { ...where, name: repository.name, id },
    withUnknowns(
      {
        name: repository.name,
        arn: repository.arn,
        registryId: repository.registryId,
        repositoryUrl: repository.uri,
        imageTagMutability: repository.imageTagMutability,
        ...(repository.imageTagMutabilityExclusionFilters && {
          imageTagMutabilityExclusionFilters: repository.imageTagMutabilityExclusionFilters,
        }),
        imageScanningConfiguration: { scanOnPush: repository.scanOnPush },
        encryptionConfigurations: [
          {
            encryptionType: repository.encryptionType,
            ...(repository.kmsKey && { kmsKey: repository.kmsKey }),
          },
        ],
        tags,
        tagsAll: tags,
      },
      { tags: unreadOr(repository.tags), tagsAll: unreadOr(repository.tags) },
    ),
  );
  for (const [type, reading, suffix] of [
    [awsTypes.ecrLifecyclePolicy, repository.lifecyclePolicy, "lifecycle-policy"],
    [awsTypes.ecrRepositoryPolicy, repository.repositoryPolicy, "repository-policy"],
  ] as const) {
    if (reading !== undefined) {
      builder.add(
        type,
        { ...where, name: repository.name, id: `${id}/${suffix}` },
        withUnknowns(
          {
            repository: repository.name,
            registryId: repository.registryId,
            policy: knownOr(reading),
          },
          { policy: unreadOr(reading) },
        ),
        { repository: [resource] },
      );
    }
  }
}

/** The registry's own settings: one resource of the region, named `registry`. */
const registryPart = (where: Where, what: string) => ({
  region: where.region,
  name: "registry",
  id: `${where.partition}/ecr/${where.region}/${where.account}/${what}`,
});

export const regionalTypes: { readonly [K in keyof RegionalParts]: AuditedPart<RegionalParts[K]> } =
  {
    repositories: {
      shapes: [
        { token: awsTypes.ecrRepository, kind: "ECR repository" },
        { token: awsTypes.ecrLifecyclePolicy, kind: "ECR lifecycle policy" },
        { token: awsTypes.ecrRepositoryPolicy, kind: "ECR repository policy" },
      ],
      calls: [
        "ecr:DescribeRepositories",
        "ecr:ListTagsForResource",
        "ecr:GetLifecyclePolicy",
        "ecr:GetRepositoryPolicy",
      ],
      build: (builder, repositories, where) =>
        (knownOr(repositories) ?? []).forEach((r) => buildRepository(builder, r, where.region!)),
      unread: (repositories) => [
        ...unreadIn(repositories),
        ...(knownOr(repositories) ?? []).flatMap((r) =>
          unreadIn(r.tags, r.lifecyclePolicy, r.repositoryPolicy),
        ),
      ],
    },
    scanning: {
      shapes: [
        {
          token: awsTypes.ecrRegistryScanningConfiguration,
          kind: "ECR registry scanning configuration",
        },
      ],
      calls: ["ecr:GetRegistryScanningConfiguration"],
      build: (builder, scanning, where) => {
        // BASIC scanning with no rules is the registry's default, under which each repository's
        // own scan-on-push setting applies: no registry-wide configuration to judge.
        if (
          scanning instanceof Unread ||
          scanning.scanType !== "BASIC" ||
          scanning.rules.length > 0
        ) {
          builder.add(
            awsTypes.ecrRegistryScanningConfiguration,
            registryPart(where, "registry-scanning-configuration"),
            withUnknowns(
              {
                registryId: where.account,
                scanType: knownOr(scanning)?.scanType,
                rules: knownOr(scanning)?.rules,
              },
              { scanType: unreadOr(scanning), rules: unreadOr(scanning) },
            ),
          );
        }
      },
      unread: (scanning) => unreadIn(scanning),
    },
    registryPolicy: {
      shapes: [{ token: awsTypes.ecrRegistryPolicy, kind: "ECR registry policy" }],
      calls: ["ecr:GetRegistryPolicy"],
      build: (builder, policy, where) => {
        if (policy !== undefined) {
          builder.add(
            awsTypes.ecrRegistryPolicy,
            registryPart(where, "registry-policy"),
            withUnknowns(
              { registryId: where.account, policy: knownOr(policy) },
              { policy: unreadOr(policy) },
            ),
          );
        }
      },
      unread: (policy) => unreadIn(policy),
    },
    replication: {
      shapes: [
        { token: awsTypes.ecrReplicationConfiguration, kind: "ECR replication configuration" },
      ],
      calls: ["ecr:DescribeRegistry"],
      build: (builder, replication, where) => {
        if (replication instanceof Unread || replication.length > 0) {
          builder.add(
            awsTypes.ecrReplicationConfiguration,
            registryPart(where, "replication-configuration"),
            withUnknowns(
              {
                registryId: where.account,
                replicationConfiguration: { rules: knownOr(replication) },
              },
              { replicationConfiguration: unreadOr(replication) },
            ),
          );
        }
      },
      unread: (replication) => unreadIn(replication),
    },
    creationTemplates: {
      shapes: [
        { token: awsTypes.ecrRepositoryCreationTemplate, kind: "ECR repository creation template" },
      ],
      calls: ["ecr:DescribeRepositoryCreationTemplates"],
      build: (builder, templates, where) => {
        for (const template of knownOr(templates) ?? []) {
          builder.add(
            awsTypes.ecrRepositoryCreationTemplate,
            {
              region: where.region,
              name: template.prefix,
              id: `${where.partition}/ecr/${where.region}/${where.account}/repository-creation-template/${template.prefix}`,
            },
            {
              registryId: where.account,
              prefix: template.prefix,
              ...(template.description && { description: template.description }),
              appliedFors: template.appliedFor,
              ...(template.imageTagMutability && {
                imageTagMutability: template.imageTagMutability,
              }),
              ...(template.encryptionType && {
                encryptionConfigurations: [
                  {
                    encryptionType: template.encryptionType,
                    ...(template.kmsKey && { kmsKey: template.kmsKey }),
                  },
                ],
              }),
              resourceTags: template.resourceTags,
              ...(template.repositoryPolicy && { repositoryPolicy: template.repositoryPolicy }),
              ...(template.lifecyclePolicy && { lifecyclePolicy: template.lifecyclePolicy }),
              ...(template.customRoleArn && { customRoleArn: template.customRoleArn }),
            },
          );
        }
      },
      unread: (templates) => unreadIn(templates),
    },
    pullThroughCacheRules: {
      shapes: [{ token: awsTypes.ecrPullThroughCacheRule, kind: "ECR pull-through cache rule" }],
      calls: ["ecr:DescribePullThroughCacheRules"],
      build: (builder, rules, where) => {
        for (const rule of knownOr(rules) ?? []) {
          builder.add(
            awsTypes.ecrPullThroughCacheRule,
            {
              region: where.region,
              name: rule.ecrRepositoryPrefix,
              id: `${where.partition}/ecr/${where.region}/${where.account}/pull-through-cache-rule/${rule.ecrRepositoryPrefix}`,
            },
            { registryId: where.account, ...rule },
          );
        }
      },
      unread: (rules) => unreadIn(rules),
    },
    // The AWS provider has no resource for it: the shape is aws-native's, as the platform
    // program declares it.
    signing: {
      shapes: [
        {
          token: awsNativeTypes.ecrSigningConfiguration,
          kind: "ECR registry signing configuration",
        },
      ],
      calls: ["ecr:GetSigningConfiguration"],
      // Read only for the repositories whose images must be signed (cli/aws/readRegistries.ts).
      readFor: "repositories",
      build: (builder, signing, where) => {
        // Not read (no repository of the region asks for it), or no rules (ECR's default, and
        // its answer for a registry that has none): no configuration to judge, and nothing is
        // signed, as the pack says of a stack without one.
        if (signing instanceof Unread || (signing !== undefined && signing.rules.length > 0)) {
          builder.add(
            awsNativeTypes.ecrSigningConfiguration,
            registryPart(where, "signing-configuration"),
            withUnknowns(
              { registryId: where.account, rules: knownOr(signing)?.rules },
              { rules: unreadOr(signing) },
            ),
          );
        }
      },
      unread: (signing) => unreadIn(signing),
    },
  };

export const accountTypes: { readonly [K in keyof AccountParts]: AuditedPart<AccountParts[K]> } = {
  oidcProviders: {
    shapes: [{ token: awsTypes.iamOidcProvider, kind: "IAM OIDC provider" }],
    calls: ["iam:ListOpenIDConnectProviders", "iam:GetOpenIDConnectProvider"],
    build: (builder, providers) => {
      for (const provider of knownOr(providers) ?? []) {
        builder.add(
          awsTypes.iamOidcProvider,
          {
            arn: provider.arn,
            name: provider.url.replace(/^https:\/\//i, ""),
            id: arnPath(provider.arn),
          },
          withUnknowns(
            { arn: provider.arn, url: provider.url, clientIdLists: knownOr(provider.clientIds) },
            { clientIdLists: unreadOr(provider.clientIds) },
          ),
        );
      }
    },
    unread: (providers) => [
      ...unreadIn(providers),
      ...(knownOr(providers) ?? []).flatMap((p) => unreadIn(p.clientIds)),
    ],
  },
  // Before the roles: a role's attachment links to the customer managed policy it attaches.
  managedPolicies: {
    shapes: [{ token: awsTypes.iamPolicy, kind: "IAM managed policy" }],
    readFor: "roles",
    calls: ["iam:GetPolicy", "iam:GetPolicyVersion"],
    build: (builder, policies) => {
      for (const policy of policies) {
        builder.add(
          awsTypes.iamPolicy,
          { arn: policy.arn, name: policy.name, id: arnPath(policy.arn) },
          withUnknowns(
            { arn: policy.arn, name: policy.name, policy: knownOr(policy.document) },
            { policy: unreadOr(policy.document) },
          ),
        );
      }
    },
    unread: (policies) => policies.flatMap((p) => unreadIn(p.document)),
  },
  roles: {
    shapes: [
      { token: awsTypes.iamRole, kind: "IAM role" },
      { token: awsTypes.iamRolePolicyAttachment, kind: "IAM role policy attachment" },
    ],
    calls: [
      "iam:ListRoles",
      "iam:ListRolePolicies",
      "iam:GetRolePolicy",
      "iam:ListAttachedRolePolicies",
    ],
    build: (builder, roles) => {
      for (const role of knownOr(roles) ?? []) {
        const id = arnPath(role.arn);
        const resource = builder.add(
          awsTypes.iamRole,
          { arn: role.arn, name: role.name, id },
          withUnknowns(
            {
              name: role.name,
              arn: role.arn,
              path: role.path,
              assumeRolePolicy: role.trustPolicy,
              inlinePolicies: knownOr(role.inlinePolicies),
            },
            { inlinePolicies: unreadOr(role.inlinePolicies) },
          ),
        );
        // AWS managed policies are attached by ARN alone, as a stack attaches them: the pack
        // judges them by name. Customer managed policies are judged by their default version.
        for (const attached of knownOr(role.attachedPolicies) ?? []) {
          const policy = builder.find(awsTypes.iamPolicy, attached.arn);
          builder.add(
            awsTypes.iamRolePolicyAttachment,
            {
              arn: role.arn,
              name: `${role.name}/${attached.name}`,
              id: `${id}/attached/${attached.name}`,
            },
            { role: role.name, policyArn: attached.arn },
            { role: [resource], ...(policy && { policyArn: [policy] }) },
          );
        }
      }
    },
    unread: (roles) => [
      ...unreadIn(roles),
      ...(knownOr(roles) ?? []).flatMap((r) => unreadIn(r.inlinePolicies, r.attachedPolicies)),
    ],
  },
};

const parts: readonly AuditedPart<never>[] = [
  ...Object.values(regionalTypes),
  ...Object.values(accountTypes),
] as readonly AuditedPart<never>[];

/** What each resource shape is, for people, by its type token. */
export const resourceKinds: Readonly<Record<string, string>> = Object.fromEntries(
  parts.flatMap((part) => part.shapes.map((shape) => [shape.token, shape.kind])),
);

/**
 * The read-only calls the audit makes: every part's, the caller's identity, and the account's
 * enabled regions (read when no `--region` is given).
 */
export function auditCalls(): ReadAction[] {
  return [
    ...new Set<ReadAction>([
      "sts:GetCallerIdentity",
      "ec2:DescribeRegions",
      ...parts.flatMap((part) => part.calls),
    ]),
  ].sort();
}
