/**
 * A trust-diff report as a table (people at a terminal), JSON (scripts) and Markdown (a pull
 * request's comment).
 */
import { DifferenceExample } from "../../policy-pack/iam/trust/difference";
import { AppTrustDiff, isWider, TrustDiffReport } from "./compare";

/** The JSON shape's version: it changes only when a field's meaning does. */
export const trustDiffSchemaVersion = 1;

/** The apps whose trust is wider (or could not be proven not to be). */
export function widerApps(report: TrustDiffReport): AppTrustDiff[] {
  return report.apps.filter((a) => isWider(a.difference));
}

function exampleJson(example: DifferenceExample): Record<string, unknown> {
  const { token } = example;
  return {
    kind: example.kind,
    description: example.description,
    certain: example.certain,
    token: {
      issuer: token.issuer,
      provider: token.provider,
      sub: token.sub,
      aud: token.aud,
      ...(token.claims !== undefined && {
        claims: Object.fromEntries(
          Object.entries(token.claims).filter(([, v]) => v !== undefined && v !== ""),
        ),
      }),
    },
  };
}

/**
 * The report as plain data, for `trust-diff -f json`:
 *
 * - `schemaVersion`: 1;
 * - `stack`, `before`, `after`: the stack and the two versions (a git ref, `the working tree`, a
 *   file);
 * - `wider`: whether any app's trust is wider or undecided (the command then exits 1);
 * - `apps`: every app of either version, by name: `app`, `change` (`added`, `removed`,
 *   `changed`, `unchanged`), `roleName`, `wider` and `narrower` (lists of examples: `kind`,
 *   `description`, `certain`, `token` with `issuer`, `provider`, `sub`, `aud` and, when the model
 *   gives them, `claims`), and `undecided` (why the comparison could not be finished) when so.
 */
export function trustDiffJson(report: TrustDiffReport): Record<string, unknown> {
  return {
    schemaVersion: trustDiffSchemaVersion,
    stack: report.stack,
    before: report.before,
    after: report.after,
    wider: widerApps(report).length > 0,
    apps: report.apps.map((a) => ({
      app: a.app,
      change: a.change,
      roleName: a.roleName,
      wider: a.difference.wider.map(exampleJson),
      narrower: a.difference.narrower.map(exampleJson),
      ...(a.difference.undecided !== undefined && { undecided: a.difference.undecided }),
    })),
  };
}

/** The example token's claims, when its description does not list them already. */
function claimsOf(example: DifferenceExample): string {
  if (example.kind === "claims") {
    return "";
  }
  const claims = Object.entries(example.token.claims ?? {}).filter(
    ([, value]) => value !== undefined && value !== "",
  );
  return claims.length === 0 ? "" : ` [${claims.map(([k, v]) => `${k}=${v}`).join(", ")}]`;
}

/** The report as a table: one row per example, a row for each app that did not change. */
export function formatTrustDiff(report: TrustDiffReport): string {
  const rows: string[][] = [];
  for (const a of report.apps) {
    const { wider, narrower, undecided } = a.difference;
    const examples: [string, DifferenceExample][] = [
      ...wider.map((e): [string, DifferenceExample] => ["wider", e]),
      ...narrower.map((e): [string, DifferenceExample] => ["narrower", e]),
    ];
    if (undecided !== undefined) {
      rows.push([a.app, a.change, "undecided", "-", undecided]);
    }
    for (const [direction, e] of examples) {
      rows.push([a.app, a.change, direction, e.kind, `${e.description}${claimsOf(e)}`]);
    }
    if (examples.length === 0 && undecided === undefined) {
      rows.push([a.app, a.change, "-", "-", "admits exactly what it admitted"]);
    }
  }
  const header = ["APP", "CHANGE", "DIRECTION", "KIND", "EXAMPLE"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) =>
    r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]))).join("  ");
  const wider = widerApps(report);
  return [
    `Push-role trust of stack ${report.stack}: ${report.before} -> ${report.after}`,
    "",
    line(header),
    ...(rows.length === 0 ? ["(no apps in either version)"] : rows.map(line)),
    "",
    wider.length === 0
      ? "Nothing wider."
      : `Wider: ${wider.map((a) => a.app).join(", ")} (admits tokens the old trust refused).`,
  ].join("\n");
}

/** Text safe in Markdown: characters that would format it are escaped. */
function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]<>()#+!|~]/g, "\\$&");
}

function markdownExamples(title: string, examples: readonly DifferenceExample[]): string[] {
  if (examples.length === 0) {
    return [];
  }
  return [
    `**${title}**`,
    "",
    ...examples.map(
      (e) =>
        `- ${e.kind}: ${escapeMarkdown(e.description + claimsOf(e))}${e.certain ? "" : " (doubt)"}`,
    ),
    "",
  ];
}

/**
 * The report as Markdown, for a pull request's comment: a heading, the verdict ("Nothing
 * wider." when so), and a section for each app whose trust changed.
 */
export function trustDiffMarkdown(report: TrustDiffReport): string {
  const wider = widerApps(report);
  const changed = report.apps.filter((a) => a.change !== "unchanged");
  const lines = [
    `## Trust changes: stack \`${escapeMarkdown(report.stack)}\``,
    "",
    `${escapeMarkdown(report.before)} → ${escapeMarkdown(report.after)}: ${
      wider.length === 0
        ? "**Nothing wider.**"
        : `**wider** for ${wider.map((a) => `\`${a.app}\``).join(", ")}: the new trust admits tokens the old one refused.`
    }`,
    "",
  ];
  if (changed.length === 0) {
    lines.push(`No app's push-role trust changed (${report.apps.length} compared).`, "");
  }
  for (const a of changed) {
    lines.push(`### \`${a.app}\` (${a.change}, role \`${a.roleName}\`)`, "");
    if (a.difference.undecided !== undefined) {
      lines.push(`**Undecided** (read as wider): ${escapeMarkdown(a.difference.undecided)}`, "");
    }
    lines.push(
      ...markdownExamples("Wider: admits what it did not", a.difference.wider),
      ...markdownExamples("Narrower: no longer admits", a.difference.narrower),
    );
  }
  return `${lines.join("\n").trimEnd()}\n`;
}
