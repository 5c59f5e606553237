export {
  EcrSettings,
  EnvironmentProtection,
  GitHubRepositoryAccess,
  GitHubVariableNames,
  TagMutabilitySetting,
  RetentionOverrides,
  PipelineImportIds,
  PullAccess,
  PullService,
  PushRoleSettings,
  RegistryMetadata,
  ReusableWorkflow,
  TrustedDeliveryPipelineArgs,
} from "./pipelineArgs";
export { GitHubIds, GitHubTrust, githubTrusts } from "./githubTrust";
export { lambdaPullActions, pullActions, pullPolicyDocument } from "./pullPolicy";
export {
  EcrPipelineSettings,
  GitHubPipelineSettings,
  PipelineSettings,
  Resolved,
  RolePipelineSettings,
  resolvePipelineSettings,
  tagsBesideProviderDefaults,
} from "./pipelineSettings";
export { validateTrustedDeliveryPipelineArgs } from "./validation";
export { InvalidArgumentsError } from "./invalidArguments";
export { formatProblems, Problem } from "./problems";
export { defaultTagPrefix } from "./defaults";
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
  IdentityConditions,
  pipelineTrust,
  PipelineTrust,
  PipelineTrustSpec,
  PolicyDocument,
  PolicyStatement,
  stsAudience,
} from "./trustPolicy";
export { ecrPushActions, ecrPushPolicy, PushRoleDuties } from "./pushPolicy";
export {
  BuilderIdentity,
  builderIdentity,
  BuilderWorkflow,
  provenancePredicateType,
} from "./verification";
export { admissionPolicyName, kyvernoAdmissionPolicy } from "./admissionPolicy";
export { deployGateWorkflow, deployGateWorkflowPath } from "./deployGate";
export {
  imageSigningPlatformId,
  RegistrySigningRule,
  registrySigningRules,
  signingProfileName,
} from "./registrySigning";
export { pipelineChildNames, pushRoleName, trustedDeliveryPipelineType } from "./names";
export {
  buildPushWorkflow,
  PinnedAction,
  pinnedActions,
  registryScanPredicateType,
  trivyVersion,
} from "./workflow";
export { VulnerabilitySeverity, vulnerabilitySeverities } from "./vulnerabilityGate";
export { GitHubOidcProvider, GitHubOidcProviderArgs } from "./githubOidcProvider";
export { TrustedDeliveryPipeline } from "./trustedDeliveryPipeline";
