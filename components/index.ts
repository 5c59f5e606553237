export {
  EcrSettings,
  EnvironmentProtection,
  GitHubRepositoryAccess,
  GitHubVariableNames,
  PipelineImportIds,
  RegistryMetadata,
  TrustedDeliveryPipelineArgs,
} from "./pipelineArgs";
export {
  PipelineSettings,
  resolvePipelineSettings,
  tagsBesideProviderDefaults,
} from "./pipelineSettings";
export {
  defaultTagPrefix,
  formatProblems,
  InvalidArgumentsError,
  Problem,
  validateTrustedDeliveryPipelineArgs,
} from "./validation";
export {
  EncryptionType,
  ImageTagMutability,
  RiskLevel,
  riskLevels,
  RiskTier,
  riskTiers,
} from "./riskTiers";
export { lifecyclePolicyDocument } from "./lifecyclePolicy";
export {
  GitHubSubjectSpec,
  githubSubjects,
  githubTrustPolicy,
  githubOidcIssuerUrl,
  PolicyDocument,
  PolicyStatement,
  stsAudience,
} from "./trustPolicy";
export { ecrPushActions, ecrPushPolicy } from "./pushPolicy";
export { pipelineChildNames, pushRoleName, trustedDeliveryPipelineType } from "./names";
export { buildPushWorkflow, pinnedActions } from "./workflow";
export { GitHubOidcProvider, GitHubOidcProviderArgs } from "./githubOidcProvider";
export { TrustedDeliveryPipeline } from "./trustedDeliveryPipeline";
