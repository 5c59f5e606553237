// The pack's entry: Pulumi starts it, and it serves the policies over the Analyzer protocol.
import { PolicyPack } from "@pulumi/policy";
import { shareStackReading } from "./lib/sharedReading";
import { policies, policyPackName } from "./policies";

shareStackReading();
new PolicyPack(policyPackName, { policies });
