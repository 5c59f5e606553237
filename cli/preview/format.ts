import { awsTypes, githubTypes } from "../../policy-pack/governance/typeTokens";
import { Plan, PlanAction, PlanApp, PlanEnvironment, PlanResource } from "./model";

export { maskedInputs, planJson, planJsonSchemaVersion } from "./planJson";
export type * from "./planJson";

/** How each action is marked in front of a resource. */
const actionMarks: Readonly<Record<PlanAction, string>> = { create: "+", import: "=" };

function resourceLine(r: PlanResource, width: number): string {
  const flags = [r.protect ? "protected" : "", r.importId ? `import ${r.importId}` : ""]
    .filter(Boolean)
    .join(", ");
  return `  ${actionMarks[r.action]} ${r.name.padEnd(width)} ${r.type}${flags ? `  [${flags}]` : ""}`;
}

function environmentLine(e: PlanEnvironment): string {
  const approval =
    e.reviewers.length > 0 ? `approved by ${e.reviewers.join(", ")}` : "no reviewers";
  return `  Environment ${e.name}: ${approval}${e.preventSelfReview ? " (not by whoever triggered it)" : ""}, deploys from ${e.deploysFrom.join(", ") || "nothing"}${e.waitTimer ? `, after ${e.waitTimer} min` : ""}`;
}

function appLines(app: PlanApp, width: number): string[] {
  const lines: string[] = [];
  const metadata = app.metadata
    ? `  (id ${app.metadata.id}, owner ${app.metadata.owner}, risk ${app.metadata.risk})`
    : "";
  lines.push(`App ${app.name}${metadata}`);
  lines.push(...app.resources.map((r) => resourceLine(r, width)));
  if (app.registry) {
    const r = app.registry;
    lines.push(
      `  Registry   ${r.name}: ${r.imageTagMutability} tags, ${r.encryptionType} encryption${r.encryptionType === "KMS" ? ` (key ${r.kmsKey || "aws/ecr, AWS managed"})` : ""}, scan on push ${r.scanOnPush ? "on" : "OFF"}, force delete ${r.forceDelete ? "ON" : "off"}${r.protect ? ", protected from deletion" : ""}`,
    );
    lines.push(`  Lifecycle  ${r.lifecycleRule ?? "none"}`);
    lines.push(
      `  Tags       ${Object.entries(r.tagsAll)
        .map(([k, v]) => `${k}=${v}`)
        .join(", ")}`,
    );
  }
  if (app.signingProfileArn !== undefined) {
    lines.push(
      `  Signing    every pushed image, by ECR managed signing with ${app.signingProfileArn}`,
    );
  }
  if (app.role) {
    lines.push(`  Push role  ${app.role.name}, assumable only by GitHub Actions runs with sub:`);
    const subjectWidth = Math.max(...app.role.subjects.map((s) => s.subject.length));
    for (const s of app.role.subjects) {
      lines.push(`               ${s.subject.padEnd(subjectWidth)}  (${s.operator})`);
    }
    for (const c of app.role.claims ?? []) {
      lines.push(`             and ${c.claim} ${c.values.join(" or ")}  (${c.operator})`);
    }
  }
  lines.push(...app.environments.map(environmentLine));
  if (app.github) {
    const secrets = app.github.secrets.map((s) =>
      s.environment === undefined ? s.name : `${s.name} (environment ${s.environment})`,
    );
    lines.push(
      `  GitHub     ${app.github.repository}: secret ${secrets.join(", ")} holds the role ARN; variables ${app.github.variables.join(", ")}`,
    );
  }
  return lines;
}

/** The plan as text, for people. */
export function formatPlan(plan: Plan): string {
  const lines: string[] = [];
  const resources = [...plan.shared, ...plan.apps.flatMap((a) => a.resources)];
  // A loop, not Math.max(...): tens of thousands of arguments overflow the stack.
  const width = resources.reduce((widest, r) => Math.max(widest, r.name.length + 1), 34);
  lines.push(`Offline plan for stack "${plan.stack}" of ${plan.project} (${plan.file})`);
  lines.push(
    `Environment ${plan.environment}, region ${plan.region}. Run under Pulumi's mocks: no credentials, no Pulumi CLI; account ${plan.accountId} and the ARNs below are placeholders.`,
  );
  lines.push("");
  if (plan.shared.length > 0) {
    lines.push(plan.apps.length > 0 ? "Outside the apps" : "Resources");
    for (const r of plan.shared) {
      lines.push(resourceLine(r, width));
      if (r.type === awsTypes.iamOidcProvider && r.openIdConnect) {
        lines.push(
          `      url ${r.openIdConnect.url}, audiences ${r.openIdConnect.audiences.join(", ")}`,
        );
      }
      if (r.type === githubTypes.provider && r.githubOwner !== undefined) {
        lines.push(`      owner ${r.githubOwner}`);
      }
      if (r.type === awsTypes.ecrRegistryScanningConfiguration && r.registryScanning) {
        const rules = r.registryScanning.rules.map(
          (rule) => `${rule.frequency} ${rule.filters.join(", ")}`,
        );
        lines.push(
          `      ${r.registryScanning.scanType} scanning: ${rules.join("; ") || "no rules"}`,
        );
      }
    }
    lines.push("");
  }
  if (plan.apps.length === 0 && plan.shared.length <= 1) {
    lines.push("No apps yet: add one to the stack's apps map (trusted-delivery add-app).");
    lines.push("");
  }
  for (const app of plan.apps) {
    lines.push(...appLines(app, width), "");
  }
  const counts = { create: 0, import: 0 };
  for (const r of resources) {
    counts[r.action] += 1;
  }
  lines.push(
    `${counts.create} to create${counts.import > 0 ? `, ${counts.import} to import` : ""} (${plan.apps.length} app${plan.apps.length === 1 ? "" : "s"}).`,
  );
  for (const log of plan.logs) {
    lines.push(`${log.severity}: ${log.message}`);
  }
  return lines.join("\n");
}
