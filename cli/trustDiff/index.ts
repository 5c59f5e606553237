/**
 * `trust-diff`: each app's push-role trust in two versions of a stack, compared by the policy
 * pack's model of IAM. The command runs each version under the offline plan's mocks and hands
 * the registered resources here.
 */
export { appTrusts } from "./trusts";
export type { AppTrust, ProgramResource } from "./trusts";
export { compareTrusts, isWider } from "./compare";
export type { AppChange, AppTrustDiff, TrustDiffReport } from "./compare";
export {
  formatTrustDiff,
  trustDiffJson,
  trustDiffMarkdown,
  trustDiffSchemaVersion,
  widerApps,
} from "./format";
export { stackOfFile, versionAtRef, versionOfFile, workingTreeVersion } from "./versions";
export type { StackVersion } from "./versions";
