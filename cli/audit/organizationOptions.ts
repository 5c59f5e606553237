/**
 * The organisation audit's command-line settings, checked once, up front: every problem at once,
 * each naming the option, the value and what is allowed.
 */
import { problem } from "../../components/problems";

/**
 * The audit role's name in each member account, by default. A role of its own, holding only the
 * read-only calls (`--print-permissions --organization`), rather than
 * `OrganizationAccountAccessRole`, which administers the account: an audit needs no write.
 */
export const defaultAuditRoleName = "TrustedDeliveryAudit";

/**
 * AWS requests in flight at once, across every account and region, by default (a single
 * account's audit too). Each region
 * reads at most 8 repositories (3 calls each) and each account 8 roles at once; 16 in flight
 * keeps one account's ECR and IAM calls under AWS's per-account request rates with few
 * throttles (the adaptive retries absorb the rest), and lets small accounts overlap.
 */
export const defaultConcurrency = 16;

/** The most requests in flight `--concurrency` allows: beyond it AWS throttles, not answers. */
export const maxConcurrency = 256;

const accountIdPattern = /^\d{12}$/;
// IAM's role name and STS's external id, as the APIs define them.
const roleNamePattern = /^[\w+=,.@-]{1,64}$/;
const externalIdPattern = /^[\w+=,.@:/-]{2,1224}$/;

export interface OrganizationSettings {
  /** Undefined: the Organization's ACTIVE accounts. */
  readonly accounts?: readonly string[];
  readonly roleName: string;
  readonly externalId?: string;
  readonly concurrency: number;
}

/**
 * The settings of `audit --organization` or `--accounts`, or the problems with them; undefined
 * (and no problems) for a single-account audit, which takes none of them.
 */
export function organizationSettings(options: Readonly<Record<string, unknown>>): {
  readonly settings?: OrganizationSettings;
  /** `--concurrency`, which bounds a single-account audit's requests too. */
  readonly concurrency: number;
  readonly problems: readonly string[];
} {
  const problems: string[] = [];
  const organization = options.organization === true;
  const list = options.accounts as string | undefined;
  if (organization && list !== undefined) {
    problems.push(
      "--organization lists the Organization's accounts and --accounts names them: give one of the two",
    );
  }
  if (!organization && list === undefined) {
    for (const option of ["role-name", "external-id"]) {
      if (options[option] !== undefined) {
        problems.push(
          `--${option} is for auditing several accounts: give --organization or --accounts <id,...> with it`,
        );
      }
    }
    return { problems, concurrency: concurrencySetting(options, problems) };
  }
  const accounts =
    list === undefined ? undefined : [...new Set(list.split(",").map((id) => id.trim()))];
  for (const id of accounts ?? []) {
    if (!accountIdPattern.test(id)) {
      problems.push(
        problem(
          "--accounts",
          id,
          'must be AWS account ids of 12 digits, comma-separated, e.g. "111111111111,222222222222"',
        ).message,
      );
    }
  }
  const roleName = (options["role-name"] as string | undefined) ?? defaultAuditRoleName;
  if (!roleNamePattern.test(roleName)) {
    problems.push(
      problem(
        "--role-name",
        roleName,
        `must be an IAM role name: 1 to 64 of letters, digits and +=,.@_-, e.g. "${defaultAuditRoleName}"`,
      ).message,
    );
  }
  const externalId = options["external-id"] as string | undefined;
  if (externalId !== undefined && !externalIdPattern.test(externalId)) {
    problems.push(
      problem(
        "--external-id",
        externalId,
        'must be 2 to 1224 of letters, digits and +=,.@:/_-, as the role\'s trust policy asks for it (sts:ExternalId), e.g. "audit-7f3a"',
      ).message,
    );
  }
  const concurrency = concurrencySetting(options, problems);
  return {
    problems,
    concurrency,
    settings: {
      ...(accounts && { accounts }),
      roleName,
      ...(externalId !== undefined && { externalId }),
      concurrency,
    },
  };
}

/** `--concurrency`, or the default; a problem (and the default) when it is not allowed. */
function concurrencySetting(
  options: Readonly<Record<string, unknown>>,
  problems: string[],
): number {
  const given = options.concurrency as string | undefined;
  const concurrency = given === undefined ? defaultConcurrency : Number(given);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > maxConcurrency) {
    problems.push(
      problem(
        "--concurrency",
        given,
        `must be a whole number of requests from 1 to ${maxConcurrency}, e.g. "${defaultConcurrency}" (the default)`,
      ).message,
    );
    return defaultConcurrency;
  }
  return concurrency;
}
