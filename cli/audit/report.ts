/**
 * The audit's report in its three forms: a table for people (grouped by resource), JSON for
 * automation, and SARIF 2.1.0 for GitHub code scanning; and the one-line summary.
 */
import { createHash } from "crypto";
import { awsTypes } from "../../policy-pack/governance/typeTokens";
import { Unread } from "../aws/unread";
import { AuditFinding, AuditReport } from "./audit";
import { AuditResource, ResourceLocation } from "./resources";

export const auditFormats = ["table", "json", "sarif"] as const;
export type AuditFormat = (typeof auditFormats)[number];

/** `ECR repositories`, `IAM OIDC providers`: a kind, counted. */
function counted(count: number, kind: string): string {
  const plural = kind.replace(/y$/, "ies").replace(/([^s])$/, "$1s");
  return `${count} ${count === 1 ? kind : plural}`;
}

/** Resources read, by kind, in the order first read. */
export function resourcesByKind(resources: readonly AuditResource[]): Map<string, number> {
  const kinds = new Map<string, number>();
  for (const resource of resources) {
    kinds.set(resource.location.kind, (kinds.get(resource.location.kind) ?? 0) + 1);
  }
  return kinds;
}

/** What could not be read, one entry per call, region and reason, with the resources affected. */
export interface UnreadGroup {
  readonly what: string;
  readonly action: string;
  readonly region?: string;
  readonly reason: string;
  readonly resources: readonly string[];
}

export function groupUnread(unread: readonly Unread[]): UnreadGroup[] {
  const groups = new Map<string, UnreadGroup & { resources: string[] }>();
  for (const u of unread) {
    const key = `${u.action}\u0000${u.region ?? ""}\u0000${u.reason}`;
    let group = groups.get(key);
    if (group === undefined) {
      group = {
        what: u.what,
        action: u.action,
        ...(u.region && { region: u.region }),
        reason: u.reason,
        resources: [],
      };
      groups.set(key, group);
    }
    if (u.resource !== undefined && !group.resources.includes(u.resource)) {
      group.resources.push(u.resource);
    }
  }
  return [...groups.values()].map((g) => ({ ...g, resources: [...g.resources].sort() }));
}

export function describeUnread(group: UnreadGroup): string {
  const where = group.region ? ` in ${group.region}` : "";
  const of =
    group.resources.length === 0
      ? ""
      : group.resources.length <= 3
        ? ` of ${group.resources.join(", ")}`
        : ` of ${group.resources.slice(0, 3).join(", ")} and ${group.resources.length - 3} more`;
  return `${group.what}${of}${where} (${group.action}: ${group.reason})`;
}

export function levelCounts(findings: readonly AuditFinding[]): {
  mandatory: number;
  advisory: number;
} {
  return {
    mandatory: findings.filter((f) => f.enforcementLevel === "mandatory").length,
    advisory: findings.filter((f) => f.enforcementLevel === "advisory").length,
  };
}

/** The final line on stderr: what was read, the findings by level, what could not be read. */
export function summaryLine(report: AuditReport): string {
  const read = [...resourcesByKind(report.resources)].map(([kind, n]) => counted(n, kind));
  const { mandatory, advisory } = levelCounts(report.findings);
  const unread = groupUnread(report.couldNotRead);
  return [
    `audit of ${report.account} (${report.regions.join(", ")}): read ${read.length === 0 ? "nothing" : read.join(", ")}`,
    `findings: ${mandatory} mandatory, ${advisory} advisory`,
    ...(report.notJudged.length > 0 ? [`not judged: ${report.notJudged.length}`] : []),
    `could not read: ${unread.length === 0 ? "nothing" : unread.map(describeUnread).join("; ")}`,
  ].join("; ");
}

export function locationJson(location: ResourceLocation) {
  return {
    type: location.type,
    kind: location.kind,
    name: location.name,
    ...(location.region && { region: location.region }),
    ...(location.arn && { arn: location.arn }),
    id: location.id,
  };
}

/** The report for automation. */
export function auditJson(report: AuditReport): Record<string, unknown> {
  const { mandatory, advisory } = levelCounts(report.findings);
  const unread = groupUnread(report.couldNotRead);
  return {
    account: report.account,
    partition: report.partition,
    regions: report.regions,
    policyPack: { name: report.pack.name, version: report.pack.version },
    summary: {
      resources: report.resources.length,
      mandatory,
      advisory,
      notJudged: report.notJudged.length,
      couldNotRead: unread.length,
    },
    read: Object.fromEntries(resourcesByKind(report.resources)),
    findings: report.findings.map((f) => ({
      policy: f.policyName,
      level: f.enforcementLevel,
      severity: f.severity,
      message: f.message,
      description: f.description,
      ...(f.resource && { resource: locationJson(f.resource.location) }),
    })),
    notJudged: report.notJudged.map((n) => ({
      policy: n.policyName,
      reason: n.reason,
      ...(n.resource && { resource: locationJson(n.resource.location) }),
    })),
    skipped: report.skipped.map((s) => ({ policy: s.policyName, reason: s.reason })),
    couldNotRead: unread,
    resources: report.resources.map((r) => locationJson(r.location)),
  };
}

function title(location: ResourceLocation): string {
  const where = [location.region, location.arn ?? location.id].filter(Boolean).join(", ");
  // A repository's policies and a role's attachments are named by what they belong to.
  const name =
    location.name === "registry"
      ? ""
      : location.type === awsTypes.ecrLifecyclePolicy ||
          location.type === awsTypes.ecrRepositoryPolicy
        ? ` of ${location.name}`
        : ` ${location.name}`;
  return `${location.kind}${name} (${where})`;
}

/** The report for people: findings grouped by resource, then what was not judged or read. */
export function auditTable(report: AuditReport): string {
  const lines = [
    `Audit of AWS account ${report.account} (${report.regions.join(", ")}) with ${report.pack.name}@v${report.pack.version}`,
  ];
  const byResource = new Map<AuditResource | undefined, AuditFinding[]>();
  for (const finding of report.findings) {
    byResource.set(finding.resource, [...(byResource.get(finding.resource) ?? []), finding]);
  }
  for (const [resource, findings] of byResource) {
    lines.push("", resource ? title(resource.location) : "The account");
    for (const f of findings) {
      lines.push(`  [${f.enforcementLevel}] ${f.policyName} (${f.severity})`);
      lines.push(...f.message.split("\n").map((line) => `      ${line}`));
    }
  }
  const clean = report.resources.filter((r) => !byResource.has(r));
  if (clean.length > 0) {
    lines.push("", `No findings on ${clean.length} of ${report.resources.length} resources:`);
    lines.push(...clean.map((r) => `  ${title(r.location)}`));
  }
  if (report.notJudged.length > 0) {
    lines.push("", "Not judged (a value it needs could not be read):");
    for (const n of report.notJudged) {
      lines.push(
        `  ${n.policyName} on ${n.resource ? title(n.resource.location) : "the account"}: ${n.reason}`,
      );
    }
  }
  const unread = groupUnread(report.couldNotRead);
  if (unread.length > 0) {
    lines.push("", "Could not read (never taken as compliant):");
    lines.push(...unread.map((group) => `  ${describeUnread(group)}`));
  }
  for (const s of report.skipped) {
    lines.push("", `Not run: ${s.policyName}, ${s.reason}.`);
  }
  const { mandatory, advisory } = levelCounts(report.findings);
  lines.push(
    "",
    mandatory > 0
      ? `${mandatory} mandatory and ${advisory} advisory finding${mandatory + advisory === 1 ? "" : "s"}: the account breaks the pack's mandatory policies.`
      : unread.length > 0 || report.notJudged.length > 0
        ? `${advisory} advisory finding${advisory === 1 ? "" : "s"}, none mandatory; but what could not be read or judged is not proven compliant, so the audit does not pass.`
        : `${advisory} advisory finding${advisory === 1 ? "" : "s"}, none mandatory.`,
  );
  return `${lines.join("\n")}\n`;
}

/** GitHub's `security-severity` (0.0 to 10.0) for the pack's severities. */
const securitySeverity: Readonly<Record<string, string>> = {
  critical: "9.5",
  high: "8.0",
  medium: "5.5",
  low: "3.0",
};

const sarifLevel = (level: string) => (level === "mandatory" ? "error" : "warning");

/**
 * The report as SARIF 2.1.0, as GitHub code scanning takes it: one rule per policy (its
 * description, remediation and severity), one result per finding, located at the resource: a
 * logical location (its ARN) and, since code scanning needs a physical one, an artifact URI that
 * is the resource's path (`aws/ecr/<region>/<account>/repository/<name>`). The URI is relative,
 * with no scheme: code scanning refuses a URI whose scheme is not the checkout's (`file`).
 */
export function auditSarif(report: AuditReport): Record<string, unknown> {
  const rules = report.pack.policies.map(sarifRule);
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
  const unread = groupUnread(report.couldNotRead);
  const results = report.findings.map((f) => sarifResult(report, f, ruleIndex.get(f.policyName)));
  // Code scanning keeps one analysis per category: one per account and set of regions.
  return sarifLog(report.pack, rules, {
    automationId: `trusted-delivery-audit/${report.account}/${[...report.regions].sort().join("+")}/`,
    notifications: unread.map((group) => ({
      level: "error",
      message: { text: `Could not read ${describeUnread(group)}` },
    })),
    results,
  });
}

/** What one SARIF run of an audit holds besides its tool. */
export interface SarifRun {
  /** The analysis's category (`automationDetails.id`). */
  readonly automationId: string;
  /** One per part that could not be read: any makes the run unsuccessful. */
  readonly notifications: readonly Record<string, unknown>[];
  readonly results: readonly unknown[];
  readonly properties?: Record<string, unknown>;
}

/** A SARIF 2.1.0 log of one run: the pack's policies as the tool's rules, then the run. */
export function sarifLog(
  pack: AuditReport["pack"] | undefined,
  rules: readonly ReturnType<typeof sarifRule>[],
  run: SarifRun,
): Record<string, unknown> {
  return {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "trusted-delivery audit",
            version: pack?.version,
            semanticVersion: pack?.version,
            rules,
            properties: pack && { policyPack: `${pack.name}@${pack.version}` },
          },
        },
        automationDetails: { id: run.automationId },
        invocations: [
          {
            // Parts that could not be read leave the audit incomplete, never passed.
            executionSuccessful: run.notifications.length === 0,
            toolExecutionNotifications: run.notifications,
          },
        ],
        results: run.results,
        ...(run.properties && { properties: run.properties }),
      },
    ],
  };
}

/** One policy as a SARIF rule: its description, remediation, level and severity. */
export function sarifRule(p: AuditReport["pack"]["policies"][number]) {
  return {
    id: p.name,
    name: p.name
      .split("-")
      .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
      .join(""),
    shortDescription: { text: p.description },
    fullDescription: { text: p.description },
    help: {
      text: p.remediationSteps,
      markdown: `**Remediation:** ${p.remediationSteps}`,
    },
    defaultConfiguration: {
      enabled: p.enforcementLevel !== "disabled",
      level: p.enforcementLevel === "disabled" ? "none" : sarifLevel(p.enforcementLevel),
    },
    properties: {
      tags: ["security", "aws", p.name.split("-")[0]],
      precision: "very-high",
      "problem.severity": p.enforcementLevel === "mandatory" ? "error" : "warning",
      ...(securitySeverity[p.severity] && { "security-severity": securitySeverity[p.severity] }),
    },
  };
}

/**
 * One finding as a SARIF result, located at its resource (the account for a finding that names
 * none), with a fingerprint that stays the same while the finding does.
 */
export function sarifResult(report: AuditReport, f: AuditFinding, ruleIndex: number | undefined) {
  const location: ResourceLocation = f.resource?.location ?? {
    type: "account",
    kind: "AWS account",
    name: report.account,
    id: `${report.partition}/account/${report.account}`,
  };
  const fingerprint = createHash("sha256")
    .update(`${f.policyName}\u0000${location.id}\u0000${f.message}`)
    .digest("hex");
  return {
    ruleId: f.policyName,
    ruleIndex,
    level: sarifLevel(f.enforcementLevel),
    message: { text: f.message },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: encodeURI(location.id) },
          region: { startLine: 1 },
        },
        logicalLocations: [
          {
            name: location.name,
            fullyQualifiedName: location.arn ?? location.id,
            kind: "resource",
          },
        ],
      },
    ],
    partialFingerprints: { "trustedDeliveryAudit/v1": fingerprint },
    properties: {
      enforcementLevel: f.enforcementLevel,
      severity: f.severity,
      resourceType: location.type,
      resourceKind: location.kind,
      ...(location.region && { region: location.region }),
      ...(location.arn && { arn: location.arn }),
    },
  };
}

/** The report in the format asked for. */
export function formatAudit(report: AuditReport, format: AuditFormat): string {
  switch (format) {
    case "table":
      return auditTable(report);
    case "json":
      return `${JSON.stringify(auditJson(report), null, 2)}\n`;
    case "sarif":
      return `${JSON.stringify(auditSarif(report), null, 2)}\n`;
  }
}
