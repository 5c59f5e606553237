import type { BuilderIdentity } from "../../components/verification";
import { issuerOfProvider, stsAudience } from "../../policy-pack/governance/github";
import { isSubjectPattern } from "../../components/trustPolicy";
import { Explanation, TokenVerdict } from "./explain";
import { idsOfClaims, WorkflowRun } from "./run";

function describeRun(run: WorkflowRun): string {
  const on = run.ref ? ` of ${run.ref.kind} ${run.ref.name}` : "";
  const environment =
    run.environment !== undefined ? `, job in environment ${run.environment}` : "";
  return `${run.event}${on}${environment}, in ${run.repository}`;
}

function verdictOf(token: TokenVerdict): string {
  if (!token.decision.admitted) {
    return token.decision.deniedBy.length > 0
      ? `refused by ${token.decision.deniedBy.join(" and ")}`
      : "refused";
  }
  const match = token.matchedBy
    ? `, by "${token.matchedBy.value}" (${token.matchedBy.operator})`
    : "";
  return `admitted by ${token.decision.allowedBy.join(" and ")}${match}`;
}

/**
 * Who the app's verifiers require to have built an image: the workflow and refs in the
 * provenance's signing certificate, which the deploy gate and the admission policy check.
 */
function verifierLines(verifier: BuilderIdentity): string[] {
  return [
    "A verifier (the deploy gate, the admission policy: trusted-delivery verify-policy) requires",
    `  provenance signed for ${verifier.sourceRepository} by ${verifier.issuer}, built by:`,
    ...verifier.workflows.map(
      ({ workflow, refs }) =>
        `  ${workflow} at ${refs.length > 0 ? refs.join(", ") : "no ref (nothing can build it)"}`,
    ),
    `  certificate subject ${verifier.subjectPattern}`,
  ];
}

/** An explanation as text, for the app team. */
export function formatExplanation(explanation: Explanation): string {
  const { app, run, tokens, issued } = explanation;
  const lines: string[] = [];
  lines.push(
    `App ${app.name} of stack ${app.stack} (${app.file}): push role ${explanation.roleName}`,
  );
  lines.push(`Run:   ${describeRun(run)}`);
  if (explanation.event !== undefined) {
    lines.push(`Event: ${explanation.event}`);
  }
  const issuer = issuerOfProvider(app.providerArn);
  if (tokens.length === 1) {
    lines.push(`Token: sub "${issued.sub}", aud "${stsAudience}", issuer ${issuer}`);
  } else {
    lines.push(`Token: aud "${stsAudience}", issuer ${issuer}, and the sub of its form:`);
    for (const token of tokens) {
      const why = idsOfClaims(run.claims) ? "the ids are given" : "the app's ids are configured";
      const issuedNote = token === issued ? `; GitHub issues this form (${why})` : "";
      lines.push(`  ${token.form} form: sub "${token.sub}": ${verdictOf(token)}${issuedNote}`);
    }
  }
  const given = Object.entries(run.claims ?? {});
  if (given.length > 0) {
    lines.push(`Claims: ${given.map(([claim, value]) => `${claim} "${value}"`).join(", ")}`);
  }
  lines.push(...verifierLines(explanation.verifier));
  lines.push("The role trusts:");
  const width = Math.max(...explanation.trusted.map((s) => s.length));
  for (const subject of explanation.trusted) {
    lines.push(
      `  ${subject.padEnd(width)}  (${isSubjectPattern(subject) ? "StringLike" : "StringEquals"})`,
    );
  }
  lines.push("");
  if (explanation.admitted) {
    lines.push(`ADMITTED: sub "${issued.sub}" is ${verdictOf(issued)}.`);
  } else if (explanation.environmentGate !== undefined) {
    lines.push(`REFUSED: ${explanation.environmentGate}.`);
  } else {
    lines.push(
      issued.decision.deniedBy.length > 0
        ? `REFUSED: sub "${issued.sub}" is ${verdictOf(issued)}.`
        : `REFUSED: no statement of the role's trust policy admits sub "${issued.sub}".`,
    );
    if (explanation.nearest !== undefined) {
      lines.push(`Nearest expected: "${explanation.nearest}"`);
    }
  }
  const advice = explanation.advice;
  if (advice?.kind === "change") {
    lines.push(`To admit it: ${advice.change}.`);
  } else if (advice?.kind === "run-differently") {
    lines.push(`To admit it: ${advice.how}.`);
  } else if (advice?.kind === "must-not") {
    lines.push(`Must not be admitted: ${advice.reason}.`);
  } else if (advice?.kind === "refused-change") {
    lines.push(`No config change admits it: ${advice.reason}.`);
  }
  for (const note of explanation.notes) {
    lines.push(`Note: ${note}.`);
  }
  return lines.join("\n");
}

/**
 * An explanation as plain data, for `explain -f json`: the verdict, the run, each token form's
 * decision, what the role trusts, and the advice. `schemaVersion` changes only when a field's
 * meaning does.
 */
export function explanationJson(explanation: Explanation): Record<string, unknown> {
  const { app, run } = explanation;
  return {
    schemaVersion: 1,
    admitted: explanation.admitted,
    app: { name: app.name, stack: app.stack, file: app.file, providerArn: app.providerArn },
    roleName: explanation.roleName,
    run: {
      repository: run.repository,
      event: run.event,
      ...(run.ref && { ref: { kind: run.ref.kind, name: run.ref.name } }),
      ...(run.environment !== undefined && { environment: run.environment }),
      ...(run.claims !== undefined && { claims: run.claims }),
    },
    ...(explanation.event !== undefined && { event: explanation.event }),
    tokens: explanation.tokens.map((token) => ({
      form: token.form,
      sub: token.sub,
      claims: token.claims,
      issued: token === explanation.issued,
      admitted: token.decision.admitted,
      allowedBy: token.decision.allowedBy,
      deniedBy: token.decision.deniedBy,
      assumptions: token.decision.assumptions,
      ...(token.matchedBy && { matchedBy: token.matchedBy }),
    })),
    trusted: explanation.trusted.map((subject) => ({
      subject,
      operator: isSubjectPattern(subject) ? "StringLike" : "StringEquals",
    })),
    ...(explanation.environmentGate !== undefined && {
      environmentGate: explanation.environmentGate,
    }),
    ...(explanation.nearest !== undefined && { nearest: explanation.nearest }),
    ...(explanation.advice !== undefined && { advice: explanation.advice }),
    notes: explanation.notes,
    verifier: explanation.verifier,
  };
}
