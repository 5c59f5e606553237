// The risk levels and tiers are part of the governance the policy pack also enforces: they live
// in its definitions (policy-pack/governance), which this package builds too.
export {
  EncryptionType,
  ImageTagMutability,
  isRiskLevel,
  releaseRetentionRiskLevels,
  RiskLevel,
  riskLevels,
  RiskTier,
  riskTiers,
} from "../policy-pack/governance/registry";
