/**
 * The organisation audit's one report, in the single-account audit's three forms: a table
 * grouped by account, JSON with the account and region on every resource and finding and a
 * summary per account, and SARIF whose every result names its account and region (a logical
 * location and its properties), with the per-account summary in the run's properties.
 */
import { AccountReport, OrganizationReport } from "./organization";
import {
  auditTable,
  AuditFormat,
  describeUnread,
  groupUnread,
  levelCounts,
  locationJson,
  resourcesByKind,
  sarifResult,
  sarifLog,
  sarifRule,
} from "./report";
import { ResourceLocation } from "./resources";

/** IAM and the account itself are global: their "region" in the report. */
export const globalRegion = "global";

/** `123456789012 (payments-prod)`, or the id alone. */
function accountLabel(account: AccountReport): string {
  return account.name === undefined ? account.account : `${account.account} (${account.name})`;
}

/** Whether none of the account could be read (its role not assumed, or every part refused). */
function notRead(account: AccountReport): boolean {
  return account.resources.length === 0 && account.couldNotRead.length > 0;
}

/** One account's counts, for JSON and SARIF. */
export function accountSummary(account: AccountReport) {
  const { mandatory, advisory } = levelCounts(account.findings);
  return {
    account: account.account,
    ...(account.name && { name: account.name }),
    read: !notRead(account),
    resources: account.resources.length,
    mandatory,
    advisory,
    notJudged: account.notJudged.length,
    couldNotRead: groupUnread(account.couldNotRead).length,
  };
}

function totals(report: OrganizationReport) {
  const all = report.accounts.map(accountSummary);
  const sum = (key: "resources" | "mandatory" | "advisory" | "notJudged" | "couldNotRead") =>
    all.reduce((n, a) => n + a[key], 0);
  return {
    accounts: all.length,
    accountsNotRead: all.filter((a) => !a.read).length,
    resources: sum("resources"),
    mandatory: sum("mandatory"),
    advisory: sum("advisory"),
    notJudged: sum("notJudged"),
    couldNotRead: sum("couldNotRead"),
  };
}

/** The final line on stderr. */
export function organizationSummaryLine(report: OrganizationReport): string {
  const t = totals(report);
  return `audit of ${t.accounts} accounts (${report.regions.join(", ")}): ${t.accounts - t.accountsNotRead} read, ${t.accountsNotRead} could not be read; ${t.resources} resources; findings: ${t.mandatory} mandatory, ${t.advisory} advisory; could not read: ${t.couldNotRead}`;
}

/** The table: each account's audit in turn, then the organisation's totals. */
export function organizationTable(report: OrganizationReport): string {
  const sections = report.accounts.map((account) => {
    const heading = `=== Account ${accountLabel(account)} ===`;
    if (account.resources.length === 0 && account.couldNotRead.length > 0) {
      const unread = groupUnread(account.couldNotRead).map((g) => `  ${describeUnread(g)}`);
      return [heading, "Could not read (never taken as compliant):", ...unread, ""].join("\n");
    }
    return `${heading}\n${auditTable(account)}`;
  });
  const t = totals(report);
  const closing = [
    `${t.accounts} accounts in ${report.regions.join(", ")}: ${t.accounts - t.accountsNotRead} read, ${t.accountsNotRead} could not be read; ${t.mandatory} mandatory and ${t.advisory} advisory findings.`,
    ...report.accounts.filter(notRead).map((a) => `  could not read account ${accountLabel(a)}`),
  ];
  return `${sections.join("\n")}\n${closing.join("\n")}\n`;
}

/** Where a resource is, with its account, and its region (`global` for IAM). */
function located(account: string, location: ResourceLocation) {
  return { account, region: location.region ?? globalRegion, ...locationJson(location) };
}

/** Unread groups with their account (and `global` for a call no region has). */
function unreadOf(account: AccountReport) {
  return groupUnread(account.couldNotRead).map((g) => ({
    account: account.account,
    ...g,
    region: g.region ?? globalRegion,
    // For people: `IAM roles (...)`, never `IAM roles in global (...)`.
    text: describeUnread(g),
  }));
}

/** The report for automation. */
export function organizationJson(report: OrganizationReport): Record<string, unknown> {
  const pack = report.accounts[0]?.pack;
  return {
    organization: {
      caller: report.caller,
      partition: report.partition,
      regions: report.regions,
      roleName: report.roleName,
    },
    ...(pack && { policyPack: { name: pack.name, version: pack.version } }),
    summary: totals(report),
    accounts: report.accounts.map((a) => ({
      ...accountSummary(a),
      readByKind: Object.fromEntries(resourcesByKind(a.resources)),
    })),
    findings: report.accounts.flatMap((a) =>
      a.findings.map((f) => ({
        account: a.account,
        region: f.resource?.location.region ?? globalRegion,
        policy: f.policyName,
        level: f.enforcementLevel,
        severity: f.severity,
        message: f.message,
        description: f.description,
        ...(f.resource && { resource: located(a.account, f.resource.location) }),
      })),
    ),
    notJudged: report.accounts.flatMap((a) =>
      a.notJudged.map((n) => ({
        account: a.account,
        region: n.resource?.location.region ?? globalRegion,
        policy: n.policyName,
        reason: n.reason,
        ...(n.resource && { resource: located(a.account, n.resource.location) }),
      })),
    ),
    skipped: (report.accounts[0]?.skipped ?? []).map((s) => ({
      policy: s.policyName,
      reason: s.reason,
    })),
    couldNotRead: report.accounts.flatMap(unreadOf).map(({ text: _, ...group }) => group),
    resources: report.accounts.flatMap((a) =>
      a.resources.map((r) => located(a.account, r.location)),
    ),
  };
}

/** The report as SARIF 2.1.0: one run for the whole organisation. */
export function organizationSarif(report: OrganizationReport): Record<string, unknown> {
  const pack = report.accounts[0]?.pack;
  const rules = (pack?.policies ?? []).map(sarifRule);
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
  const unread = report.accounts.flatMap(unreadOf);
  const results = report.accounts.flatMap((account) =>
    account.findings.map((f) => {
      const result = sarifResult(account, f, ruleIndex.get(f.policyName));
      const region = f.resource?.location.region ?? globalRegion;
      const [location] = result.locations;
      return {
        ...result,
        locations: [
          {
            ...location,
            logicalLocations: [
              ...location.logicalLocations,
              {
                name: `${account.account}/${region}`,
                fullyQualifiedName: `${account.partition}/account/${account.account}/${region}`,
                kind: "namespace",
              },
            ],
          },
        ],
        properties: { ...result.properties, account: account.account, region },
      };
    }),
  );
  // One analysis per organisation (as seen from the caller's account) and set of regions.
  return sarifLog(pack, rules, {
    automationId: `trusted-delivery-audit/organization/${report.caller}/${[...report.regions].sort().join("+")}/`,
    notifications: unread.map((group) => ({
      level: "error",
      message: { text: `Could not read ${group.text} in account ${group.account}` },
      properties: { account: group.account, region: group.region },
    })),
    results,
    properties: { accounts: report.accounts.map(accountSummary) },
  });
}

/** The report in the format asked for. */
export function formatOrganizationAudit(report: OrganizationReport, format: AuditFormat): string {
  switch (format) {
    case "table":
      return organizationTable(report);
    case "json":
      return `${JSON.stringify(organizationJson(report), null, 2)}\n`;
    case "sarif":
      return `${JSON.stringify(organizationSarif(report), null, 2)}\n`;
  }
}
