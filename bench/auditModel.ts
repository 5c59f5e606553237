/**
 * The fewest AWS calls `trusted-delivery audit` can send for an estate, per API, and the least
 * wall time they can take: the references the audit's figures in the bench stand beside
 * (`bench/auditAtScale.ts`), and the model that puts an internet-scale organisation on paper.
 *
 * "Fewest" is for the reader's own strategy: the same APIs, the same page sizes, the same data
 * read (every repository's tags and policies, every role GitHub can assume with its policies,
 * each customer managed policy's default version). Every term below names the reader it comes
 * from; a reader that sends more than its term is a defect of the reader, a term that does not
 * match what the reader must send is a defect of the model, and the bench reports either.
 *
 * A pure function of the estate: no AWS, no clock.
 */

/** What one account holds, as far as the audit's call count depends on it. */
export interface AccountEstate {
  /** Repositories in each region read (one entry per region; its length is the regions read). */
  readonly repositoriesPerRegion: readonly number[];
  /**
   * Repositories whose images must be signed (tagged `goldenpath.idp/risk` high, the pack's
   * `signedImageRiskLevels`) in each region read, as `repositoriesPerRegion` counts them.
   * @default none in any region
   */
  readonly signedRepositoriesPerRegion?: readonly number[];
  /** Repository creation templates per region. @default 0 */
  readonly creationTemplatesPerRegion?: number;
  /** Pull-through cache rules per region. @default 0 */
  readonly pullThroughCacheRulesPerRegion?: number;
  /** Every IAM role of the account (ListRoles pages through all of them). */
  readonly roles: number;
  /** The roles whose trust policy GitHub's OIDC tokens can assume: the ones read in full. */
  readonly githubRoles: number;
  /** Inline policies of each GitHub role. */
  readonly inlinePoliciesPerGithubRole: number;
  /** Managed policies attached to each GitHub role (AWS managed and customer managed). */
  readonly attachedPoliciesPerGithubRole: number;
  /** Distinct customer managed policies attached to the GitHub roles (each read once). */
  readonly customerManagedPolicies: number;
  /** OIDC providers of the account. */
  readonly oidcProviders: number;
}

/** The estate one audit reads. */
export interface AuditEstate {
  /** Every account read; in an organisation audit, the caller's own among them or not. */
  readonly accounts: readonly AccountEstate[];
  /** No `--region`: each account's enabled regions are listed (`ec2:DescribeRegions`). */
  readonly regionsListed: boolean;
  /**
   * `audit --organization` (or `--accounts`); absent for a single-account audit. `listed`: the
   * accounts come from `organizations:ListAccounts` (all of its accounts, ACTIVE or not, for
   * its pages; here every one is ACTIVE and read). `callerIncluded`: the caller's own account
   * is one of `accounts` (read with the caller's credentials, no AssumeRole).
   */
  readonly organization?: { readonly listed: boolean; readonly callerIncluded: boolean };
}

/** The APIs the audit calls, in the order the tables list them. */
export const auditApis = [
  "sts:GetCallerIdentity",
  "organizations:ListAccounts",
  "sts:AssumeRole",
  "ec2:DescribeRegions",
  "ecr:DescribeRepositories",
  "ecr:ListTagsForResource",
  "ecr:GetLifecyclePolicy",
  "ecr:GetRepositoryPolicy",
  "ecr:GetRegistryScanningConfiguration",
  "ecr:GetRegistryPolicy",
  "ecr:DescribeRegistry",
  "ecr:DescribeRepositoryCreationTemplates",
  "ecr:DescribePullThroughCacheRules",
  "ecr:GetSigningConfiguration",
  "iam:ListOpenIDConnectProviders",
  "iam:GetOpenIDConnectProvider",
  "iam:ListRoles",
  "iam:ListRolePolicies",
  "iam:GetRolePolicy",
  "iam:ListAttachedRolePolicies",
  "iam:GetPolicy",
  "iam:GetPolicyVersion",
] as const;
export type AuditApi = (typeof auditApis)[number];

/** Page sizes, each as the reader asks for it (or the API's default where it asks for none). */
export const pageSizes = {
  /** `listAccountsPageSize` in cli/aws/organization.ts (ListAccounts' largest page). */
  listAccounts: 20,
  /** `describeRepositoriesPageSize` in cli/aws/readRegistries.ts (the API's largest). */
  describeRepositories: 1000,
  /** `listRolesPageSize` in cli/aws/readRoles.ts (the API's largest). */
  listRoles: 1000,
  /**
   * `paginateListRolePolicies` / `paginateListAttachedRolePolicies` in cli/aws/readRoles.ts ask
   * for no `MaxItems`: IAM's default page is 100 items.
   */
  iamDefault: 100,
  /**
   * `paginateDescribeRepositoryCreationTemplates` / `paginateDescribePullThroughCacheRules` in
   * cli/aws/readRegistries.ts ask for no `maxResults`: ECR's default page is 100 items.
   */
  ecrDefault: 100,
} as const;

/** Pages of a listing of `items` at `pageSize` a page: at least one, even of nothing. */
export function pages(items: number, pageSize: number): number {
  if (!Number.isInteger(items) || items < 0) {
    throw new Error(`items is ${items}; must be a whole number of 0 or more, e.g. 1000`);
  }
  if (!Number.isInteger(pageSize) || pageSize < 1) {
    throw new Error(`pageSize is ${pageSize}; must be a whole number of 1 or more, e.g. 1000`);
  }
  return Math.max(1, Math.ceil(items / pageSize));
}

/** Calls of one API to one rate-limited place: an account (global services) or a region of it. */
export interface PlacedCalls {
  readonly api: AuditApi;
  /** The index in `estate.accounts` whose credentials sign the calls. */
  readonly account: number;
  /** The region index for ECR's calls; absent for the global services and EC2's listing. */
  readonly region?: number;
  readonly calls: number;
}

export interface AuditCallModel {
  /** The fewest calls of each API, over the whole audit. */
  readonly perApi: Readonly<Record<AuditApi, number>>;
  readonly total: number;
  /** The same calls by the account (and region) they count against. */
  readonly placed: readonly PlacedCalls[];
}

/** The fewest calls the audit of `estate` can send, per API and per place. */
export function minimumAuditCalls(estate: AuditEstate): AuditCallModel {
  const placed: PlacedCalls[] = [];
  const add = (api: AuditApi, account: number, calls: number, region?: number) => {
    if (calls > 0) {
      placed.push({ api, account, calls, ...(region !== undefined && { region }) });
    }
  };
  const { organization } = estate;
  // The caller's account: the first of `accounts` when it is among them (index 0), else it is
  // none of them and its calls are placed on account -1.
  const caller = organization === undefined || organization.callerIncluded ? 0 : -1;
  // cli/aws/identity.ts readCallerIdentity: once, from cli/audit/audit.ts readAccount or
  // cli/audit/organization.ts readOrganization.
  add("sts:GetCallerIdentity", caller, 1);
  if (organization !== undefined) {
    // cli/aws/organization.ts listActiveAccounts: every account of the Organization, in pages
    // of 20; with --accounts, no listing.
    if (organization.listed) {
      add(
        "organizations:ListAccounts",
        caller,
        pages(estate.accounts.length, pageSizes.listAccounts),
      );
    }
    // cli/audit/organization.ts readMember: one AssumeRole per account but the caller's
    // (cli/aws/organization.ts assumeRole; credentials are refreshed only within 5 minutes of
    // expiring, which an audit shorter than the session never reaches). STS counts them
    // against the caller's account.
    const members = estate.accounts.length - (organization.callerIncluded ? 1 : 0);
    add("sts:AssumeRole", caller, members);
  }
  estate.accounts.forEach((account, index) => {
    // cli/audit/audit.ts regionsOf → cli/aws/regions.ts readEnabledRegions: once per account,
    // with its own credentials, when no --region is given.
    if (estate.regionsListed) {
      add("ec2:DescribeRegions", index, 1);
    }
    account.repositoriesPerRegion.forEach((repositories, region) => {
      // cli/aws/readRegistries.ts readRegistry → readRepositories: DescribeRepositories in pages
      // of 1,000; each repository (readRepository) its tags, lifecycle and repository policy.
      add(
        "ecr:DescribeRepositories",
        index,
        pages(repositories, pageSizes.describeRepositories),
        region,
      );
      add("ecr:ListTagsForResource", index, repositories, region);
      add("ecr:GetLifecyclePolicy", index, repositories, region);
      add("ecr:GetRepositoryPolicy", index, repositories, region);
      // readRegistry: the registry's own settings, once each per region (readScanning,
      // GetRegistryPolicy, readReplication), and two listings in default pages
      // (readCreationTemplates, readPullThroughCacheRules).
      add("ecr:GetRegistryScanningConfiguration", index, 1, region);
      add("ecr:GetRegistryPolicy", index, 1, region);
      add("ecr:DescribeRegistry", index, 1, region);
      add(
        "ecr:DescribeRepositoryCreationTemplates",
        index,
        pages(account.creationTemplatesPerRegion ?? 0, pageSizes.ecrDefault),
        region,
      );
      add(
        "ecr:DescribePullThroughCacheRules",
        index,
        pages(account.pullThroughCacheRulesPerRegion ?? 0, pageSizes.ecrDefault),
        region,
      );
      // readRegistry → readSigning: the signing configuration, once, in a region that holds a
      // repository whose images must be signed; none elsewhere.
      add(
        "ecr:GetSigningConfiguration",
        index,
        (account.signedRepositoriesPerRegion?.[region] ?? 0) > 0 ? 1 : 0,
        region,
      );
    });
    // cli/aws/readRoles.ts readOidcProviders: one listing (not paginated), one Get per provider.
    add("iam:ListOpenIDConnectProviders", index, 1);
    add("iam:GetOpenIDConnectProvider", index, account.oidcProviders);
    // readRoles: ListRoles in pages of 1,000; each role GitHub can assume read by readRole: its
    // inline policies listed (default pages) and each fetched, its attached policies listed.
    add("iam:ListRoles", index, pages(account.roles, pageSizes.listRoles));
    add(
      "iam:ListRolePolicies",
      index,
      account.githubRoles * pages(account.inlinePoliciesPerGithubRole, pageSizes.iamDefault),
    );
    add("iam:GetRolePolicy", index, account.githubRoles * account.inlinePoliciesPerGithubRole);
    add(
      "iam:ListAttachedRolePolicies",
      index,
      account.githubRoles * pages(account.attachedPoliciesPerGithubRole, pageSizes.iamDefault),
    );
    // cli/audit/audit.ts readAccountAs → readManagedPolicies: each distinct customer managed
    // policy attached to a GitHub role (AWS managed ones are known by name and not read):
    // GetPolicy for its default version's id, then GetPolicyVersion.
    add("iam:GetPolicy", index, account.customerManagedPolicies);
    add("iam:GetPolicyVersion", index, account.customerManagedPolicies);
  });
  const perApi = Object.fromEntries(auditApis.map((api) => [api, 0])) as Record<AuditApi, number>;
  for (const p of placed) {
    perApi[p.api] += p.calls;
  }
  return { perApi, total: placed.reduce((sum, p) => sum + p.calls, 0), placed };
}

/** One of AWS's request rates: a token bucket per account, or per account and region. */
export interface RateBucket {
  /** What it limits, for the tables: `IAM (per account)`. */
  readonly name: string;
  /** The APIs that draw on it: one bucket shared by all of them, or one bucket per API. */
  readonly apis: (api: AuditApi) => boolean;
  readonly shared: "all its APIs" | "per API";
  readonly scope: "account" | "account and region";
  /** Sustained requests per second (the bucket's refill rate). */
  readonly perSecond: number;
  /** Where the figure comes from. */
  readonly source: string;
  /** Why a value is assumed, where AWS documents none; absent for a documented figure. */
  readonly assumed?: string;
}

/**
 * The request rates the time bound uses.
 *
 * - IAM and STS: the AWS Security Blog, "How to monitor and query IAM resources at scale –
 *   Part 2" (https://aws.amazon.com/blogs/security/how-to-monitor-and-query-iam-resources-at-scale-part-2/),
 *   documents that IAM and STS each throttle with token buckets per account, refilled every
 *   second, whose sizes and refill rates depend on the API, and re:Post's "How do I resolve API
 *   throttling or 'Rate exceeded' errors for IAM and AWS STS?"
 *   (https://repost.aws/knowledge-center/iam-sts-throttling-error) that the rates are per account
 *   and cannot be raised. Neither publishes the per-API figures: the values are assumed.
 * - ECR: the Amazon ECR service quotas page
 *   (https://docs.aws.amazon.com/AmazonECR/latest/userguide/service-quotas.html) gives rates per
 *   account and region for the image transfer APIs only (BatchCheckLayerAvailability,
 *   GetDownloadUrlForLayer, PutImage, ...), none for the read APIs the audit calls: assumed.
 * - Organizations: the quotas page
 *   (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html)
 *   documents throttling (TooManyRequestsException) without a rate for ListAccounts: assumed.
 * - EC2: DescribeRegions is one call per account; its bucket never binds and is left out.
 */
export const awsRequestRates: readonly RateBucket[] = [
  {
    name: "IAM (per account, every read API together)",
    apis: (api) => api.startsWith("iam:"),
    shared: "all its APIs",
    scope: "account",
    perSecond: 20,
    source:
      "AWS Security Blog, How to monitor and query IAM resources at scale – Part 2 (token buckets per account; no figure published)",
    assumed:
      "no per-API figure is published; 20 requests/s for all of IAM's reads together is a cautious reading (buckets per API would only raise it)",
  },
  {
    name: "STS (per account, the caller's)",
    apis: (api) => api.startsWith("sts:"),
    shared: "all its APIs",
    scope: "account",
    perSecond: 100,
    source:
      "AWS Security Blog, How to monitor and query IAM resources at scale – Part 2 (token buckets per account; no figure published)",
    assumed:
      "no figure is published for AssumeRole; 100 requests/s, with every AssumeRole of the audit charged to the caller's account",
  },
  {
    name: "ECR (per account and region, per API)",
    apis: (api) => api.startsWith("ecr:"),
    shared: "per API",
    scope: "account and region",
    perSecond: 20,
    source:
      "Amazon ECR service quotas (rates documented for the image transfer APIs only, per account and region)",
    assumed:
      "no rate is documented for DescribeRepositories, ListTagsForResource, GetLifecyclePolicy or GetRepositoryPolicy; 20 requests/s each, the order of the documented transfer APIs' lowest",
  },
  {
    name: "Organizations (per account, the caller's)",
    apis: (api) => api.startsWith("organizations:"),
    shared: "all its APIs",
    scope: "account",
    perSecond: 1,
    source: "AWS Organizations quotas (throttling documented, no rate for ListAccounts)",
    assumed: "no rate is published for ListAccounts; 1 request/s, the most cautious",
  },
];

/** What the least wall time is bounded by, and how long. */
export interface AuditTimeBound {
  /** total calls × latency / concurrency: the requests in flight at once, each as slow as one. */
  readonly latencySeconds: number;
  /** The busiest bucket's calls / its rate, and which it is. */
  readonly busiest: {
    readonly bucket: string;
    /** `account 3`, `account 3, region 12, ecr:ListTagsForResource`. */
    readonly place: string;
    readonly calls: number;
    readonly seconds: number;
  };
  /** The larger of the two: no reader of these calls finishes sooner. */
  readonly seconds: number;
  readonly boundBy: "latency and concurrency" | "request rate";
}

/**
 * The least wall time of an audit's calls at `latencyMilliseconds` per request and
 * `concurrency` in flight, under `rates`: the larger of what the requests take in flight and
 * what the busiest rate-limited bucket takes to refill for them. (Bursts above the refill rate
 * are left out: over thousands of calls they shorten the bound by a second or so.)
 */
export function auditTimeBound(
  model: AuditCallModel,
  options: { readonly latencyMilliseconds: number; readonly concurrency: number },
  rates: readonly RateBucket[] = awsRequestRates,
): AuditTimeBound {
  const { latencyMilliseconds, concurrency } = options;
  if (!(latencyMilliseconds > 0)) {
    throw new Error(`latencyMilliseconds is ${latencyMilliseconds}; must be above 0, e.g. 50`);
  }
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new Error(`concurrency is ${concurrency}; must be a whole number of 1 or more, e.g. 16`);
  }
  const latencySeconds = (model.total * latencyMilliseconds) / 1000 / concurrency;
  const buckets = new Map<string, { bucket: RateBucket; calls: number }>();
  for (const p of model.placed) {
    const bucket = rates.find((r) => r.apis(p.api));
    if (bucket === undefined) {
      continue;
    }
    const where = [
      `account ${p.account}`,
      ...(bucket.scope === "account and region" && p.region !== undefined
        ? [`region ${p.region}`]
        : []),
      ...(bucket.shared === "per API" ? [p.api] : []),
    ].join(", ");
    const key = `${bucket.name}|${where}`;
    const entry = buckets.get(key) ?? { bucket, calls: 0 };
    entry.calls += p.calls;
    buckets.set(key, entry);
  }
  let busiest: AuditTimeBound["busiest"] = { bucket: "none", place: "", calls: 0, seconds: 0 };
  for (const [key, { bucket, calls }] of buckets) {
    const seconds = calls / bucket.perSecond;
    if (seconds > busiest.seconds) {
      busiest = { bucket: bucket.name, place: key.split("|")[1], calls, seconds };
    }
  }
  const byRate = busiest.seconds > latencySeconds;
  return {
    latencySeconds,
    busiest,
    seconds: Math.max(latencySeconds, busiest.seconds),
    boundBy: byRate ? "request rate" : "latency and concurrency",
  };
}

/** The internet-scale organisation of the issue: 500 accounts × 17 regions. */
export const internetScale = {
  accounts: 500,
  regions: 17,
  repositoriesPerRegion: 50,
  roles: 200,
  githubRoles: 20,
  inlinePoliciesPerGithubRole: 1,
  attachedPoliciesPerGithubRole: 2,
  customerManagedPolicies: 20,
  oidcProviders: 1,
  /** A request's round trip to AWS from the same continent, assumed (none is documented). */
  latencyMilliseconds: 50,
  concurrency: 16,
} as const;

/**
 * The internet-scale estate: every account alike, the caller's (the management account) among
 * them, its accounts listed from the Organization, each account's 17 regions listed.
 */
export function internetScaleEstate(scale = internetScale): AuditEstate {
  const account: AccountEstate = {
    repositoriesPerRegion: Array.from({ length: scale.regions }, () => scale.repositoriesPerRegion),
    roles: scale.roles,
    githubRoles: scale.githubRoles,
    inlinePoliciesPerGithubRole: scale.inlinePoliciesPerGithubRole,
    attachedPoliciesPerGithubRole: scale.attachedPoliciesPerGithubRole,
    customerManagedPolicies: scale.customerManagedPolicies,
    oidcProviders: scale.oidcProviders,
  };
  return {
    accounts: Array.from({ length: scale.accounts }, () => account),
    regionsListed: true,
    organization: { listed: true, callerIncluded: true },
  };
}
