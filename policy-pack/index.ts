// The pack's entry: Pulumi starts it, and it serves the policies over the Analyzer protocol.
import { PolicyPack } from "@pulumi/policy";
import { policies, policyPackName } from "./policies";

new PolicyPack(policyPackName, { policies });
