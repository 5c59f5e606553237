/**
 * Reads a region's ECR registry as it is: repositories with their settings, tags, lifecycle and
 * repository policies, and the registry's own settings (scanning, policy, replication, creation
 * templates, pull-through cache rules, and signing where a repository's images must be signed).
 * Only read calls of the table in `readOnlyCalls.ts`.
 *
 * Each part is read on its own: a call that fails becomes an {@link Unread} for that part, and
 * the rest is still read. `readRepositories` with names reads only those repositories (none
 * when one of them does not exist), for commands that check one registry's live settings;
 * `readRepositoriesByName` reads each named one on its own, telling a missing one apart.
 */
import {
  DescribeRegistryCommand,
  ECRClient,
  GetLifecyclePolicyCommand,
  GetRegistryPolicyCommand,
  GetRegistryScanningConfigurationCommand,
  GetRepositoryPolicyCommand,
  GetSigningConfigurationCommand,
  ListTagsForResourceCommand,
  paginateDescribePullThroughCacheRules,
  paginateDescribeRepositories,
  paginateDescribeRepositoryCreationTemplates,
  Repository,
} from "@aws-sdk/client-ecr";
import { requestPool } from "./pool";
import { attempt, mapLimit, Reading, Unread } from "./unread";

/** A repository's live settings. */
export interface LiveRepository {
  readonly name: string;
  readonly arn: string;
  readonly registryId: string;
  readonly uri: string;
  readonly imageTagMutability: string;
  readonly imageTagMutabilityExclusionFilters?: readonly { filter: string; filterType: string }[];
  readonly scanOnPush: boolean;
  readonly encryptionType: string;
  readonly kmsKey?: string;
  readonly tags: Record<string, string> | Unread;
  /** The lifecycle policy's JSON text; undefined when it has none. */
  readonly lifecyclePolicy: Reading<string>;
  /** The repository policy's JSON text; undefined when it has none. */
  readonly repositoryPolicy: Reading<string>;
}

export interface LiveScanningConfiguration {
  readonly scanType: string;
  readonly rules: readonly {
    readonly scanFrequency: string;
    readonly repositoryFilters: readonly { filter: string; filterType: string }[];
  }[];
}

/** The registry's signing configuration (ECR managed signing): none signs nothing. */
export interface LiveSigningConfiguration {
  readonly rules: readonly {
    readonly signingProfileArn: string;
    /** None: the rule signs every repository of the registry. */
    readonly repositoryFilters: readonly { filter: string; filterType: string }[];
  }[];
}

/**
 * Whether a repository's images must be signed, by its tags: the region's signing configuration
 * is read only where one is (the check that reads it judges no other repository).
 */
export type SignedRepositoryTest = (tags: Readonly<Record<string, string>>) => boolean;

export interface LiveReplicationRule {
  readonly destinations: readonly { region: string; registryId: string }[];
  readonly repositoryFilters: readonly { filter: string; filterType: string }[];
}

export interface LiveCreationTemplate {
  readonly prefix: string;
  readonly description?: string;
  readonly appliedFor: readonly string[];
  readonly imageTagMutability?: string;
  readonly encryptionType?: string;
  readonly kmsKey?: string;
  readonly resourceTags: Record<string, string>;
  readonly repositoryPolicy?: string;
  readonly lifecyclePolicy?: string;
  readonly customRoleArn?: string;
}

export interface LivePullThroughCacheRule {
  readonly ecrRepositoryPrefix: string;
  readonly upstreamRegistryUrl?: string;
  readonly upstreamRepositoryPrefix?: string;
  readonly credentialArn?: string;
  readonly customRoleArn?: string;
}

/** A region's registry as read; each part is its value, or what could not be read. */
export interface LiveRegistry {
  readonly region: string;
  readonly repositories: readonly LiveRepository[] | Unread;
  readonly scanning: LiveScanningConfiguration | Unread;
  /** The registry policy's JSON text; undefined when it has none. */
  readonly registryPolicy: Reading<string>;
  readonly replication: readonly LiveReplicationRule[] | Unread;
  readonly creationTemplates: readonly LiveCreationTemplate[] | Unread;
  readonly pullThroughCacheRules: readonly LivePullThroughCacheRule[] | Unread;
  /**
   * The signing configuration; undefined when it was not read: the region holds no repository
   * (whose tags were read) whose images must be signed, so no check asks for it.
   */
  readonly signing: Reading<LiveSigningConfiguration>;
}

/** How many repositories are read at once (three calls each); the SDK retries throttling. */
const concurrency = 8;

const tagMap = (tags: readonly { Key?: string; Value?: string }[] | undefined) =>
  Object.fromEntries((tags ?? []).map((t) => [String(t.Key), String(t.Value ?? "")]));

const filters = (list: readonly { filter?: string; filterType?: string }[] | undefined) =>
  (list ?? []).map((f) => ({ filter: String(f.filter), filterType: String(f.filterType) }));

/** One repository's settings, tags and policies, from what DescribeRepositories gave. */
export async function readRepository(
  ecr: ECRClient,
  region: string,
  repository: Repository,
): Promise<LiveRepository> {
  const name = String(repository.repositoryName);
  const arn = String(repository.repositoryArn);
  const registryId = String(repository.registryId);
  const where = { region, resource: name };
  const [tags, lifecyclePolicy, repositoryPolicy] = await Promise.all([
    attempt("ecr:ListTagsForResource", where, async () =>
      tagMap((await ecr.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags),
    ),
    attempt(
      "ecr:GetLifecyclePolicy",
      where,
      async () =>
        (
          await ecr.send(
            new GetLifecyclePolicyCommand({ repositoryName: name, registryId: registryId }),
          )
        ).lifecyclePolicyText,
      ["LifecyclePolicyNotFoundException"],
    ),
    attempt(
      "ecr:GetRepositoryPolicy",
      where,
      async () =>
        (
          await ecr.send(
            new GetRepositoryPolicyCommand({ repositoryName: name, registryId: registryId }),
          )
        ).policyText,
      ["RepositoryPolicyNotFoundException"],
    ),
  ]);
  return {
    name,
    arn,
    registryId,
    uri: String(repository.repositoryUri),
    imageTagMutability: repository.imageTagMutability ?? "MUTABLE",
    ...(repository.imageTagMutabilityExclusionFilters?.length
      ? {
          imageTagMutabilityExclusionFilters: filters(
            repository.imageTagMutabilityExclusionFilters,
          ),
        }
      : {}),
    scanOnPush: repository.imageScanningConfiguration?.scanOnPush === true,
    encryptionType: repository.encryptionConfiguration?.encryptionType ?? "AES256",
    ...(repository.encryptionConfiguration?.kmsKey
      ? { kmsKey: repository.encryptionConfiguration.kmsKey }
      : {}),
    // Tags are never "absent": a repository without tags has an empty list.
    tags: tags ?? {},
    lifecyclePolicy,
    repositoryPolicy,
  };
}

/** DescribeRepositories' largest page. */
const describeRepositoriesPageSize = 1000;

/**
 * The region's repositories (all, or the ones named) with their settings, each read as its page
 * of DescribeRepositories arrives; `onListed` hears how many there are once all are listed. A
 * listing that fails part-way makes the repositories unread.
 */
export async function readRepositories(
  ecr: ECRClient,
  region: string,
  options: { readonly names?: readonly string[]; readonly onListed?: (count: number) => void } = {},
): Promise<readonly LiveRepository[] | Unread> {
  const pool = requestPool(concurrency);
  const reads: Promise<LiveRepository>[] = [];
  const listed = await attempt(
    "ecr:DescribeRepositories",
    { region },
    async () => {
      // ECR refuses a page size beside repository names.
      const paginator = options.names
        ? paginateDescribeRepositories({ client: ecr }, { repositoryNames: [...options.names] })
        : paginateDescribeRepositories({ client: ecr, pageSize: describeRepositoriesPageSize }, {});
      for await (const page of paginator) {
        for (const repository of page.repositories ?? []) {
          reads.push(pool.run(() => readRepository(ecr, region, repository)));
        }
      }
      return reads.length;
    },
    // Asked for by name, a repository that does not exist is absent, not unreadable.
    options.names ? ["RepositoryNotFoundException"] : [],
  );
  // Reads already started finish (or fail) before the answer, whatever it is.
  const repositories = await Promise.all(reads);
  if (listed instanceof Unread || listed === undefined) {
    return listed ?? [];
  }
  options.onListed?.(listed);
  return repositories;
}

/**
 * Each named repository of the region, read on its own: its settings, undefined when it does not
 * exist, or {@link Unread} when it could not be read.
 */
export async function readRepositoriesByName(
  ecr: ECRClient,
  region: string,
  names: readonly string[],
): Promise<Map<string, LiveRepository | undefined | Unread>> {
  const read = await mapLimit(names, concurrency, async (name) => {
    const found = await readRepositories(ecr, region, { names: [name] });
    return [name, found instanceof Unread ? found : found[0]] as const;
  });
  return new Map(read);
}

/** The names of the region's repositories (DescribeRepositories alone), or {@link Unread}. */
export async function listRepositoryNames(
  ecr: ECRClient,
  region: string,
): Promise<readonly string[] | Unread> {
  const names = await attempt("ecr:DescribeRepositories", { region }, async () => {
    const found: string[] = [];
    for await (const page of paginateDescribeRepositories(
      { client: ecr, pageSize: describeRepositoriesPageSize },
      {},
    )) {
      found.push(...(page.repositories ?? []).map((r) => String(r.repositoryName)));
    }
    return found;
  });
  return names ?? [];
}

async function readScanning(ecr: ECRClient, region: string) {
  const scanning = await attempt("ecr:GetRegistryScanningConfiguration", { region }, async () => {
    const { scanningConfiguration } = await ecr.send(
      new GetRegistryScanningConfigurationCommand({}),
    );
    return {
      scanType: scanningConfiguration?.scanType ?? "BASIC",
      rules: (scanningConfiguration?.rules ?? []).map((rule) => ({
        scanFrequency: String(rule.scanFrequency),
        repositoryFilters: filters(rule.repositoryFilters),
      })),
    };
  });
  return scanning ?? { scanType: "BASIC", rules: [] };
}

async function readReplication(ecr: ECRClient, region: string) {
  const replication = await attempt("ecr:DescribeRegistry", { region }, async () => {
    const { replicationConfiguration } = await ecr.send(new DescribeRegistryCommand({}));
    return (replicationConfiguration?.rules ?? []).map((rule) => ({
      destinations: (rule.destinations ?? []).map((d) => ({
        region: String(d.region),
        registryId: String(d.registryId),
      })),
      repositoryFilters: filters(rule.repositoryFilters),
    }));
  });
  return replication ?? [];
}

async function readCreationTemplates(ecr: ECRClient, region: string) {
  const templates = await attempt(
    "ecr:DescribeRepositoryCreationTemplates",
    { region },
    async () => {
      const found: LiveCreationTemplate[] = [];
      for await (const page of paginateDescribeRepositoryCreationTemplates({ client: ecr }, {})) {
        for (const t of page.repositoryCreationTemplates ?? []) {
          found.push({
            prefix: String(t.prefix),
            ...(t.description ? { description: t.description } : {}),
            appliedFor: [...(t.appliedFor ?? [])],
            ...(t.imageTagMutability ? { imageTagMutability: t.imageTagMutability } : {}),
            ...(t.encryptionConfiguration?.encryptionType
              ? { encryptionType: t.encryptionConfiguration.encryptionType }
              : {}),
            ...(t.encryptionConfiguration?.kmsKey
              ? { kmsKey: t.encryptionConfiguration.kmsKey }
              : {}),
            resourceTags: tagMap(t.resourceTags),
            ...(t.repositoryPolicy ? { repositoryPolicy: t.repositoryPolicy } : {}),
            ...(t.lifecyclePolicy ? { lifecyclePolicy: t.lifecyclePolicy } : {}),
            ...(t.customRoleArn ? { customRoleArn: t.customRoleArn } : {}),
          });
        }
      }
      return found;
    },
  );
  return templates ?? [];
}

async function readPullThroughCacheRules(ecr: ECRClient, region: string) {
  const rules = await attempt("ecr:DescribePullThroughCacheRules", { region }, async () => {
    const found: LivePullThroughCacheRule[] = [];
    for await (const page of paginateDescribePullThroughCacheRules({ client: ecr }, {})) {
      for (const rule of page.pullThroughCacheRules ?? []) {
        found.push({
          ecrRepositoryPrefix: String(rule.ecrRepositoryPrefix),
          ...(rule.upstreamRegistryUrl ? { upstreamRegistryUrl: rule.upstreamRegistryUrl } : {}),
          ...(rule.upstreamRepositoryPrefix
            ? { upstreamRepositoryPrefix: rule.upstreamRepositoryPrefix }
            : {}),
          ...(rule.credentialArn ? { credentialArn: rule.credentialArn } : {}),
          ...(rule.customRoleArn ? { customRoleArn: rule.customRoleArn } : {}),
        });
      }
    }
    return found;
  });
  return rules ?? [];
}

/**
 * The registry's signing configuration. ECR answers SigningConfigurationNotFoundException for
 * a registry that has none: no rules, so nothing is signed. Any other failure is unread.
 */
async function readSigning(
  ecr: ECRClient,
  region: string,
): Promise<LiveSigningConfiguration | Unread> {
  const signing = await attempt(
    "ecr:GetSigningConfiguration",
    { region },
    async () => {
      const { signingConfiguration } = await ecr.send(new GetSigningConfigurationCommand({}));
      return {
        rules: (signingConfiguration?.rules ?? []).map((rule) => ({
          signingProfileArn: String(rule.signingProfileArn),
          repositoryFilters: filters(rule.repositoryFilters),
        })),
      };
    },
    ["SigningConfigurationNotFoundException"],
  );
  return signing ?? { rules: [] };
}

/**
 * The whole registry of a region. The signing configuration is read once the repositories are,
 * and only when one of them is one `signs` names: a region without such a repository needs no
 * read (nothing there is judged against it), and sends none. A repository whose tags could not
 * be read cannot be judged either (its tags are "could not read" already), and asks for none.
 */
export async function readRegistry(
  ecr: ECRClient,
  region: string,
  signs: SignedRepositoryTest,
  onListed?: (repositories: number) => void,
): Promise<LiveRegistry> {
  const listed = readRepositories(ecr, region, { onListed });
  const signing = listed.then((repositories) =>
    repositories instanceof Unread ||
    !repositories.some((r) => !(r.tags instanceof Unread) && signs(r.tags))
      ? undefined
      : readSigning(ecr, region),
  );
  const [
    repositories,
    scanning,
    registryPolicy,
    replication,
    creationTemplates,
    pullThrough,
    signingConfiguration,
  ] = await Promise.all([
    listed,
    readScanning(ecr, region),
    attempt(
      "ecr:GetRegistryPolicy",
      { region },
      async () => (await ecr.send(new GetRegistryPolicyCommand({}))).policyText,
      ["RegistryPolicyNotFoundException"],
    ),
    readReplication(ecr, region),
    readCreationTemplates(ecr, region),
    readPullThroughCacheRules(ecr, region),
    signing,
  ]);
  return {
    region,
    repositories,
    scanning,
    registryPolicy,
    replication,
    creationTemplates,
    pullThroughCacheRules: pullThrough,
    signing: signingConfiguration,
  };
}
