// The pack's entry: Pulumi starts it, and it serves the policies over the Analyzer protocol.
import { PolicyPack } from "@pulumi/policy";
import { serveSharedAnalysis } from "./lib/analyzerService";
import { shareStackReading } from "./lib/sharedReading";
import { policies, policyPackName } from "./policies";

// Our handlers read each request once for every policy; where the SDK is not as they expect, it
// serves as shipped, with its readings memoized.
if (!serveSharedAnalysis()) {
  shareStackReading();
}
new PolicyPack(policyPackName, { policies });
