/**
 * The audit of a whole AWS Organization: its ACTIVE accounts (or the ones given), each read
 * through the audit role it assumes there, every region at once, under one bound on the
 * requests in flight; then each account judged as the single-account audit judges one.
 *
 * The caller's own account (the management or delegated administrator account) is read with
 * the caller's own credentials when it is one of the accounts: service-managed StackSets never
 * deploy to the management account, so the member role is not there to assume, and the caller
 * already holds the read-only calls (`--print-permissions --organization`). An account whose
 * role cannot be assumed, or a region that cannot be read, is "could not read" for that account
 * or region only; the others are read and judged all the same.
 */
import { nothingReadError } from "../aws/access";
import { AwsClientOptions, awsClients, AwsClients } from "../aws/clients";
import { readCallerIdentity } from "../aws/identity";
import {
  assumeRole,
  listActiveAccounts,
  memberRoleArn,
  OrganizationAccount,
} from "../aws/organization";
import { RequestPool, requestPool } from "../aws/pool";
import { SignedRepositoryTest } from "../aws/readRegistries";
import { describeSelection, RegionSelection } from "../aws/regions";
import { Unread } from "../aws/unread";
import type { PolicyConfig } from "../policyPack/analyzerClient";
import { ExitCode, exitCodes } from "../core/exitCodes";
import { AuditReport, auditExitCode, judgeAccount, readAccountAs } from "./audit";
import { LiveAccount, nothingRead, unreadParts } from "./resources";

/** How an organisation is audited. */
export interface OrganizationAuditOptions {
  /** The accounts to read; undefined: the Organization's ACTIVE accounts (ListAccounts). */
  readonly accounts?: readonly string[];
  /** The audit role's name in each member account. */
  readonly roleName: string;
  /** The external id the role's trust policy asks for, if any. */
  readonly externalId?: string;
  /** The most AWS requests in flight at once, across every account and region. */
  readonly concurrency: number;
  /** Hears every call (the tests count them). */
  readonly observe?: AwsClientOptions["observe"];
  /**
   * The repositories whose region's signing configuration is read (`signedRepositories` of the
   * policy config the accounts are judged with). @default the pack's defaults' (high risk)
   */
  readonly signs?: SignedRepositoryTest;
}

/** One account as read: what was read, or why it could not be (its role not assumed). */
export interface AccountRead {
  readonly account: string;
  readonly name?: string;
  /** The principal it was read as: the caller's ARN, or the member role's. */
  readonly readAs: string;
  /** Undefined when the role could not be assumed. */
  readonly live?: LiveAccount;
  /** What could not be read of it: the assumed role, or its parts. */
  readonly couldNotRead: readonly Unread[];
}

export interface LiveOrganization {
  /** The caller's account: the management or delegated administrator account. */
  readonly caller: string;
  readonly partition: string;
  readonly regions: readonly string[];
  readonly roleName: string;
  readonly accounts: readonly AccountRead[];
}

/** Whether nothing of any account was read (exit 3). */
function nothingOfAny(accounts: readonly AccountRead[]): boolean {
  return accounts.every((a) => a.live === undefined || nothingRead(a.live));
}

/**
 * Reads every account of the Organization (or `options.accounts`) in the regions `selection`
 * gives, or each account's own enabled regions.
 * Throws an `AwsAccessError` (exit 3) when the caller's identity or the accounts cannot be
 * listed, or when nothing of any account could be read.
 */
export async function readOrganization(
  selection: RegionSelection,
  options: OrganizationAuditOptions,
  progress: (line: string) => void,
): Promise<LiveOrganization> {
  const { home } = selection;
  const pool = requestPool(options.concurrency);
  const callerClients = awsClients({ observe: options.observe, pool });
  const identity = await readCallerIdentity(callerClients.sts(home));
  const listed: readonly OrganizationAccount[] | Unread =
    options.accounts?.map((id) => ({ id })) ??
    (await listActiveAccounts(callerClients.organizations(home)));
  if (listed instanceof Unread) {
    throw nothingReadError(
      `could not list the accounts of the Organization as ${identity.arn} (from the management or a delegated administrator account, or give --accounts)`,
      [listed],
    );
  }
  progress(
    `auditing ${listed.length} account${listed.length === 1 ? "" : "s"} as ${identity.arn} (role ${options.roleName}) in ${describeSelection(selection)}, at most ${options.concurrency} requests at once`,
  );
  const accounts = await Promise.all(
    listed.map((account) =>
      readMember(account, { identity, selection, options, callerClients, pool }, progress),
    ),
  );
  if (nothingOfAny(accounts)) {
    throw nothingReadError(
      `could not read anything of the ${listed.length} accounts in ${describeSelection(selection)}`,
      accounts.flatMap((a) => a.couldNotRead.map((u) => [`account ${a.account}`, u] as const)),
    );
  }
  return {
    caller: identity.account,
    partition: identity.partition,
    // The regions read of any account: the ones given, or every account's enabled ones.
    regions: selection.given ?? [...new Set(accounts.flatMap((a) => a.live?.regions ?? []))].sort(),
    roleName: options.roleName,
    accounts,
  };
}

interface MemberContext {
  readonly identity: { readonly account: string; readonly arn: string; readonly partition: string };
  readonly selection: RegionSelection;
  readonly options: OrganizationAuditOptions;
  readonly callerClients: AwsClients;
  readonly pool: RequestPool;
}

async function readMember(
  account: OrganizationAccount,
  context: MemberContext,
  progress: (line: string) => void,
): Promise<AccountRead> {
  const { identity, selection, options, callerClients, pool } = context;
  const named = { account: account.id, ...(account.name && { name: account.name }) };
  const say = (line: string) => progress(`account ${account.id}: ${line}`);
  let clients = callerClients;
  let readAs = identity.arn;
  if (account.id !== identity.account) {
    readAs = memberRoleArn(identity.partition, account.id, options.roleName);
    const credentials = await assumeRole(
      callerClients.sts(selection.home),
      readAs,
      options.externalId,
    );
    if (credentials instanceof Unread) {
      say(`could not assume ${readAs} (${credentials.reason}); not read`);
      return { ...named, readAs, couldNotRead: [credentials] };
    }
    clients = awsClients({ observe: options.observe, pool, credentials });
  }
  say(`reading as ${readAs}…`);
  const live = await readAccountAs(
    clients,
    { account: account.id, partition: identity.partition, arn: readAs },
    selection,
    say,
    options.signs,
  );
  const couldNotRead = unreadParts(live);
  say(
    nothingRead(live)
      ? "could not read anything"
      : `read${couldNotRead.length === 0 ? "" : `, ${couldNotRead.length} part${couldNotRead.length === 1 ? "" : "s"} could not be read`}`,
  );
  return { ...named, readAs, live, couldNotRead };
}

/** One account's judgement, with its name when the Organization gave one. */
export interface AccountReport extends AuditReport {
  readonly name?: string;
}

export interface OrganizationReport {
  readonly caller: string;
  readonly partition: string;
  readonly regions: readonly string[];
  readonly roleName: string;
  readonly accounts: readonly AccountReport[];
}

/**
 * Judges each account read with the pack's policies; an account whose role could not be
 * assumed has no resources and its role in "could not read".
 */
export async function judgeOrganization(
  organization: LiveOrganization,
  config: Readonly<Record<string, PolicyConfig>>,
): Promise<OrganizationReport> {
  const accounts: AccountReport[] = [];
  for (const read of organization.accounts) {
    const live: LiveAccount = read.live ?? {
      account: read.account,
      partition: organization.partition,
      regions: [],
      registries: [],
      oidcProviders: [],
      managedPolicies: [],
      roles: [],
    };
    const report = await judgeAccount(live, config);
    accounts.push({
      ...report,
      ...(read.name && { name: read.name }),
      // An account not read is judged on nothing: what a check says of an empty account
      // proves nothing of the real one, which is only "could not read".
      ...(read.live === undefined && {
        resources: [],
        findings: [],
        notJudged: [],
        couldNotRead: read.couldNotRead,
      }),
    });
  }
  return { ...organization, accounts };
}

/**
 * The organisation audit's exit code: as the single-account audit's (`auditExitCode`) for the
 * worst account, so one account with a mandatory finding or anything unread fails it all.
 */
export function organizationExitCode(report: OrganizationReport): ExitCode {
  return report.accounts.some((account) => auditExitCode(account) !== exitCodes.ok)
    ? exitCodes.findings
    : exitCodes.ok;
}
