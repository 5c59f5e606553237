/**
 * What was read of a live account, as resources in the `@pulumi/aws` provider's property
 * shapes: the pack's policies judge them exactly as they judge a stack's resources. Each region
 * is a stack of its own (one Pulumi stack is one region), and IAM, which is global, one more.
 *
 * A property that could not be read is unknown, as a value not known yet is during a preview:
 * reading it throws an error the pack recognises (the policy SDK's `UnknownValueError`, by
 * name), so a resource check that needs it does not run (the audit says which), and a stack
 * check skips it. Nothing unread is taken for compliant.
 */
import { awsTypes } from "../../policy-pack/governance/typeTokens";
import { LiveManagedPolicy, LiveOidcProvider, LiveRole } from "../aws/readRoles";
import { LiveRegistry, LiveRepository } from "../aws/readRegistries";
import { Unread } from "../aws/unread";
import { RunnableResource } from "./runPolicies";

/** Where a resource is, for people and for code scanning. */
export interface ResourceLocation {
  /** The Pulumi type token of its shape. */
  readonly type: string;
  /** What it is, for people: `ECR repository`. */
  readonly kind: string;
  /** Its name: the repository's, role's, template's prefix; `registry` for the registry's own settings. */
  readonly name: string;
  /** The region; undefined for IAM. */
  readonly region?: string;
  /** Its ARN, or the ARN of the repository or role it belongs to; undefined when it has none. */
  readonly arn?: string;
  /**
   * A stable path naming it, unique in the account: `aws/ecr/eu-west-2/123456789012/repository/x`,
   * `aws/iam/123456789012/role/x`, `aws/ecr/eu-west-2/123456789012/registry-policy`.
   */
  readonly id: string;
}

export interface AuditResource extends RunnableResource {
  readonly location: ResourceLocation;
}

/** What was read of an account. */
export interface LiveAccount {
  readonly account: string;
  readonly partition: string;
  readonly registries: readonly LiveRegistry[];
  readonly oidcProviders: readonly LiveOidcProvider[] | Unread;
  readonly roles: readonly LiveRole[] | Unread;
  /** Customer managed policies attached to the roles read. */
  readonly managedPolicies: readonly LiveManagedPolicy[];
}

/** Thrown when a policy reads a property that could not be read; named as the policy SDK's. */
export class UnknownValueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UnknownValueError";
  }
}

/** What a resource is, by the type of its shape. */
export const resourceKinds: Readonly<Record<string, string>> = {
  [awsTypes.ecrRepository]: "ECR repository",
  [awsTypes.ecrLifecyclePolicy]: "ECR lifecycle policy",
  [awsTypes.ecrRepositoryPolicy]: "ECR repository policy",
  [awsTypes.ecrRegistryPolicy]: "ECR registry policy",
  [awsTypes.ecrReplicationConfiguration]: "ECR replication configuration",
  [awsTypes.ecrRegistryScanningConfiguration]: "ECR registry scanning configuration",
  [awsTypes.ecrRepositoryCreationTemplate]: "ECR repository creation template",
  [awsTypes.ecrPullThroughCacheRule]: "ECR pull-through cache rule",
  [awsTypes.iamOidcProvider]: "IAM OIDC provider",
  [awsTypes.iamRole]: "IAM role",
  [awsTypes.iamPolicy]: "IAM managed policy",
  [awsTypes.iamRolePolicyAttachment]: "IAM role policy attachment",
};

/** The path of an ARN: `arn:aws:ecr:eu-west-2:1:repository/x` is `aws/ecr/eu-west-2/1/repository/x`. */
export function arnPath(arn: string): string {
  const [, partition, service, region, account, ...resource] = arn.split(":");
  return [partition, service, region, account, resource.join(":")]
    .filter((part) => part !== undefined && part !== "")
    .join("/");
}

/** Properties, with those that could not be read unknown: reading them throws. */
function withUnknowns(
  known: Record<string, unknown>,
  unread: Readonly<Record<string, Unread | undefined>>,
): Record<string, any> {
  const props: Record<string, any> = { ...known };
  for (const [key, reading] of Object.entries(unread)) {
    if (reading !== undefined) {
      Object.defineProperty(props, key, {
        enumerable: true,
        get: () => {
          throw new UnknownValueError(
            `${reading.what} could not be read (${reading.action}: ${reading.reason})`,
          );
        },
      });
    }
  }
  return props;
}

const unreadOr = <T>(value: T | Unread): Unread | undefined =>
  value instanceof Unread ? value : undefined;

const knownOr = <T>(value: T | Unread | undefined): T | undefined =>
  value instanceof Unread ? undefined : value;

class Builder {
  readonly resources: AuditResource[] = [];

  constructor(private readonly stack: string) {}

  add(
    type: string,
    location: Omit<ResourceLocation, "type" | "kind">,
    props: Record<string, any>,
    propertyDependencies: Record<string, readonly AuditResource[]> = {},
  ): AuditResource {
    const resource: AuditResource = {
      type,
      name: location.name,
      urn: `urn:pulumi:${this.stack}::live::${type}::${location.id}`,
      props,
      propertyDependencies,
      location: { type, kind: resourceKinds[type] ?? type, ...location },
    };
    this.resources.push(resource);
    return resource;
  }
}

function repositoryResources(builder: Builder, region: string, repository: LiveRepository): void {
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
    if (reading === undefined) {
      continue;
    }
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

function registryResources(builder: Builder, account: LiveAccount, registry: LiveRegistry): void {
  const { region } = registry;
  const base = `${account.partition}/ecr/${region}/${account.account}`;
  const registryPart = (what: string) => ({ region, name: "registry", id: `${base}/${what}` });
  for (const repository of knownOr(registry.repositories) ?? []) {
    repositoryResources(builder, region, repository);
  }
  const scanning = registry.scanning;
  // BASIC scanning with no rules is the registry's default, under which each repository's own
  // scan-on-push setting applies: no registry-wide configuration to judge.
  if (scanning instanceof Unread || scanning.scanType !== "BASIC" || scanning.rules.length > 0) {
    builder.add(
      awsTypes.ecrRegistryScanningConfiguration,
      registryPart("registry-scanning-configuration"),
      withUnknowns(
        {
          registryId: account.account,
          scanType: knownOr(scanning)?.scanType,
          rules: knownOr(scanning)?.rules,
        },
        { scanType: unreadOr(scanning), rules: unreadOr(scanning) },
      ),
    );
  }
  if (registry.registryPolicy !== undefined) {
    builder.add(
      awsTypes.ecrRegistryPolicy,
      registryPart("registry-policy"),
      withUnknowns(
        { registryId: account.account, policy: knownOr(registry.registryPolicy) },
        { policy: unreadOr(registry.registryPolicy) },
      ),
    );
  }
  const replication = registry.replication;
  if (replication instanceof Unread || replication.length > 0) {
    builder.add(
      awsTypes.ecrReplicationConfiguration,
      registryPart("replication-configuration"),
      withUnknowns(
        {
          registryId: account.account,
          replicationConfiguration: { rules: knownOr(replication) },
        },
        { replicationConfiguration: unreadOr(replication) },
      ),
    );
  }
  for (const template of knownOr(registry.creationTemplates) ?? []) {
    builder.add(
      awsTypes.ecrRepositoryCreationTemplate,
      {
        region,
        name: template.prefix,
        id: `${base}/repository-creation-template/${template.prefix}`,
      },
      {
        registryId: account.account,
        prefix: template.prefix,
        ...(template.description && { description: template.description }),
        appliedFors: template.appliedFor,
        ...(template.imageTagMutability && { imageTagMutability: template.imageTagMutability }),
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
  for (const rule of knownOr(registry.pullThroughCacheRules) ?? []) {
    builder.add(
      awsTypes.ecrPullThroughCacheRule,
      {
        region,
        name: rule.ecrRepositoryPrefix,
        id: `${base}/pull-through-cache-rule/${rule.ecrRepositoryPrefix}`,
      },
      { registryId: account.account, ...rule },
    );
  }
}

function iamResources(builder: Builder, account: LiveAccount): void {
  for (const provider of knownOr(account.oidcProviders) ?? []) {
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
  const policies = new Map<string, AuditResource>();
  for (const policy of account.managedPolicies) {
    policies.set(
      policy.arn,
      builder.add(
        awsTypes.iamPolicy,
        { arn: policy.arn, name: policy.name, id: arnPath(policy.arn) },
        withUnknowns(
          { arn: policy.arn, name: policy.name, policy: knownOr(policy.document) },
          { policy: unreadOr(policy.document) },
        ),
      ),
    );
  }
  for (const role of knownOr(account.roles) ?? []) {
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
    // AWS managed policies are attached by ARN alone, as a stack attaches them: the pack judges
    // them by name (forbiddenManagedPolicies, allowedManagedPolicies). Customer managed policies
    // are judged by their default version's document.
    for (const attached of knownOr(role.attachedPolicies) ?? []) {
      const policy = policies.get(attached.arn);
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
}

/** The account's resources as stacks: one per region read, then IAM's. */
export function auditStacks(account: LiveAccount): AuditResource[][] {
  const stacks = account.registries.map((registry) => {
    const builder = new Builder(registry.region);
    registryResources(builder, account, registry);
    return builder.resources;
  });
  const iam = new Builder("global");
  iamResources(iam, account);
  return [...stacks, iam.resources];
}

/** Everything that could not be read, in the order it was read. */
export function unreadParts(account: LiveAccount): Unread[] {
  const found: Unread[] = [];
  const collect = (value: unknown) => {
    if (value instanceof Unread) {
      found.push(value);
    }
  };
  for (const registry of account.registries) {
    collect(registry.repositories);
    for (const repository of knownOr(registry.repositories) ?? []) {
      collect(repository.tags);
      collect(repository.lifecyclePolicy);
      collect(repository.repositoryPolicy);
    }
    collect(registry.scanning);
    collect(registry.registryPolicy);
    collect(registry.replication);
    collect(registry.creationTemplates);
    collect(registry.pullThroughCacheRules);
  }
  collect(account.oidcProviders);
  for (const provider of knownOr(account.oidcProviders) ?? []) {
    collect(provider.clientIds);
  }
  collect(account.roles);
  for (const role of knownOr(account.roles) ?? []) {
    collect(role.inlinePolicies);
    collect(role.attachedPolicies);
  }
  for (const policy of account.managedPolicies) {
    collect(policy.document);
  }
  return found;
}
