import type { Policies } from "@pulumi/policy";
import { cloudformationTemplateReadable } from "./policies/cloudformation/cloudformationTemplateReadable";
import { ecrGoldenPath } from "./policies/ecr/ecrGoldenPath";
import { ecrHighRiskContinuousScan } from "./policies/ecr/ecrHighRiskContinuousScan";
import { ecrHighRiskSigned } from "./policies/ecr/ecrHighRiskSigned";
import { ecrGovernanceMetadata } from "./policies/ecr/ecrGovernanceMetadata";
import { ecrLifecyclePolicyPresent } from "./policies/ecr/ecrLifecyclePolicyPresent";
import {
  ecrLifecycleProtectsReleases,
  ecrLifecycleProtectsReleasesAdvisory,
} from "./policies/ecr/ecrLifecycleProtectsReleases";
import { ecrNoPublicAccess } from "./policies/ecr/ecrNoPublicAccess";
import { ecrRepositoryCreationGoverned } from "./policies/ecr/ecrRepositoryCreationGoverned";
import { ecrRiskTierControls } from "./policies/ecr/ecrRiskTierControls";
import { ecrScanOnPush } from "./policies/ecr/ecrScanOnPush";
import { iamGithubOidcRoleLeastPrivilege } from "./policies/iam/iamGithubOidcRoleLeastPrivilege";
import { iamGithubOidcTrustScoped } from "./policies/iam/iamGithubOidcTrustScoped";
import { iamGithubOidcTrustWholeRepository } from "./policies/iam/iamGithubOidcTrustWholeRepository";
import { iamOneGithubOidcProvider } from "./policies/iam/iamOneGithubOidcProvider";

export const policyPackName = "trusted-delivery-guardrails";

/** Every policy of the pack, as data: the pack's index serves them; tests drive them directly. */
export const policies: Policies = [
  ecrGovernanceMetadata,
  ecrScanOnPush,
  ecrRiskTierControls,
  ecrNoPublicAccess,
  ecrGoldenPath,
  ecrLifecyclePolicyPresent,
  ecrLifecycleProtectsReleases,
  ecrLifecycleProtectsReleasesAdvisory,
  ecrRepositoryCreationGoverned,
  ecrHighRiskContinuousScan,
  ecrHighRiskSigned,
  iamGithubOidcTrustScoped,
  iamGithubOidcTrustWholeRepository,
  iamGithubOidcRoleLeastPrivilege,
  iamOneGithubOidcProvider,
  cloudformationTemplateReadable,
];
