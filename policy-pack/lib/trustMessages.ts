import { PolicyDocument, parsePolicyDocument } from "../iam/document";
import { Placement, unplaced } from "../iam/placement";
import { analyzeTrust, TrustAnalysis } from "../iam/trust";

const cache = new Map<string, TrustAnalysis | { error: string }>();
const cacheLimit = 5000;

/**
 * Who can assume a role with this trust policy through GitHub's tokens; analyses are cached by
 * the document's text, since the pack's policies (and Analyze and AnalyzeStack) ask about the
 * same roles.
 */
export function trustOf(
  trustPolicy: unknown,
  placement: Placement = unplaced,
): TrustAnalysis | { error: string } {
  const text = typeof trustPolicy === "string" ? trustPolicy : JSON.stringify(trustPolicy);
  const key = `${JSON.stringify(placement)}\n${text}`;
  let analysis = cache.get(key);
  if (analysis === undefined) {
    const document = parsePolicyDocument(trustPolicy);
    analysis = "error" in document ? document : analyzeTrust(document as PolicyDocument, placement);
    if (cache.size >= cacheLimit) {
      cache.delete(cache.keys().next().value!);
    }
    cache.set(key, analysis);
  }
  return analysis;
}

/** `statement "X"`, `statements "X" and 2`, as the subject of a clause. */
export function statementsPhrase(labels: readonly string[]): string {
  if (labels.length === 0) {
    return "the trust policy";
  }
  if (labels.length === 1) {
    return labels[0];
  }
  const names = labels.map((l) => l.replace(/^statement /, ""));
  return `the trust policy (statements ${names.slice(0, -1).join(", ")} and ${names[names.length - 1]})`;
}

/** A note on the conditions the model assumed to hold, when a finding rests on them. */
export function assumptionsNote(analysis: TrustAnalysis): string {
  return analysis.assumptions.length === 0
    ? ""
    : ` (reading what the model cannot evaluate in the direction that grants access: ${analysis.assumptions.join(", ")})`;
}
