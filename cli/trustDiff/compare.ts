/**
 * Each app's trust in two versions of a stack, compared by the policy pack's model
 * (`trustDifference`): what the new trust admits that the old one did not, and the reverse.
 */
import { parsePolicyDocument, PolicyDocument } from "../../policy-pack/iam/document";
import { trustDifference, TrustDifference } from "../../policy-pack/iam/trust/difference";
import { AppTrust } from "./trusts";

/** How an app's trust changed between the versions. */
export type AppChange = "added" | "removed" | "changed" | "unchanged";

export interface AppTrustDiff {
  readonly app: string;
  readonly change: AppChange;
  /** The push role's name in the new version (the old, for a removed app). */
  readonly roleName: string;
  readonly difference: TrustDifference;
}

export interface TrustDiffReport {
  readonly stack: string;
  /** The versions, for people: `origin/main`, `the working tree`, a file. */
  readonly before: string;
  readonly after: string;
  /** Every app of either version, by name. */
  readonly apps: readonly AppTrustDiff[];
}

/** A trust that admits nothing: what an app that is not there trusts. */
const admitsNothing: PolicyDocument = (() => {
  const parsed = parsePolicyDocument({ Version: "2012-10-17", Statement: [] });
  if ("error" in parsed) {
    throw new Error(`the empty trust policy does not parse: ${parsed.error}`);
  }
  return parsed;
})();

/** Whether anything is wider, or could not be decided (read as wider: fail closed). */
export function isWider(difference: TrustDifference): boolean {
  return difference.wider.length > 0 || difference.undecided !== undefined;
}

function documentOf(trust: AppTrust | undefined, version: string): PolicyDocument | string {
  if (trust === undefined) {
    return admitsNothing;
  }
  return trust.document ?? `app ${trust.app}'s push role in ${version}: ${trust.problem}`;
}

function compareApp(
  app: string,
  before: AppTrust | undefined,
  after: AppTrust | undefined,
  labels: { before: string; after: string },
): AppTrustDiff {
  const old = documentOf(before, labels.before);
  const next = documentOf(after, labels.after);
  // A trust that cannot be read cannot be proven no wider.
  const difference: TrustDifference =
    typeof old === "string" || typeof next === "string"
      ? {
          wider: [],
          narrower: [],
          undecided: [old, next].filter((d) => typeof d === "string").join("; "),
        }
      : trustDifference(old, next);
  const changed =
    difference.wider.length > 0 ||
    difference.narrower.length > 0 ||
    difference.undecided !== undefined;
  return {
    app,
    change:
      before === undefined
        ? "added"
        : after === undefined
          ? "removed"
          : changed
            ? "changed"
            : "unchanged",
    roleName: (after ?? before)!.roleName,
    difference,
  };
}

/** Every app's trust in `before` and in `after`, compared. */
export function compareTrusts(
  stack: string,
  before: { readonly label: string; readonly trusts: ReadonlyMap<string, AppTrust> },
  after: { readonly label: string; readonly trusts: ReadonlyMap<string, AppTrust> },
): TrustDiffReport {
  const names = [...new Set([...before.trusts.keys(), ...after.trusts.keys()])].sort();
  const labels = { before: before.label, after: after.label };
  return {
    stack,
    before: before.label,
    after: after.label,
    apps: names.map((app) =>
      compareApp(app, before.trusts.get(app), after.trusts.get(app), labels),
    ),
  };
}
