import { AnalyzerInfo } from "../../cli/policyPack/analyzerClient";
import { policyPackInfo } from "../../cli/policyPack/packInfo";
import { policies, policyPackName } from "../../policy-pack/policies";

/** The pack as GetAnalyzerInfo describes it, built from the policies in-process. */
export function packInfo(): AnalyzerInfo {
  return policyPackInfo(
    policyPackName,
    require("../../policy-pack/package.json").version,
    policies,
  );
}
