/**
 * The actions the least-privilege rule cares about, derived from AWS's own classification
 * (access levels in the service authorization reference, `awsActions.ts`).
 */
import { awsActions } from "./awsActions";

type Service = keyof typeof awsActions;

function actions(
  service: Service,
  keep: (accessLevel: string, resources: readonly string[]) => boolean,
): string[] {
  return awsActions[service]
    .filter(([, accessLevel, resources]) => keep(accessLevel, resources))
    .map(([name]) => `${service}:${name}`);
}

/** AWS's access levels that change something (all but Read and List). */
export function changes(accessLevel: string): boolean {
  return accessLevel !== "Read" && accessLevel !== "List";
}

/** Every ECR action. */
export const ecrActions: readonly string[] = actions("ecr", () => true);

/** ECR actions that change a repository or its images, scoped to repository ARNs. */
export const ecrRepositoryWriteActions: readonly string[] = actions(
  "ecr",
  (level, resources) => changes(level) && resources.includes("repository"),
);

/**
 * ECR actions that change the registry as a whole (its policy, replication, scanning, creation
 * templates, pull-through cache): IAM only grants them on "*", and they reach every repository.
 */
export const ecrRegistryWriteActions: readonly string[] = actions(
  "ecr",
  (level, resources) => changes(level) && resources.length === 0,
);

/**
 * IAM and STS actions that change identities, their policies or credentials, or take on
 * another principal's: with any of them a role can give itself more rights than it was given.
 */
export const privilegeEscalationActions: readonly string[] = [
  ...actions("iam", changes),
  ...actions("sts", changes),
];

/** Every IAM and STS action, to expand patterns given in config. */
export const iamAndStsActions: readonly string[] = [
  ...actions("iam", () => true),
  ...actions("sts", () => true),
];

/** The ECR writes pushing an image needs: uploading layers and putting the manifest. */
export const ecrPushWriteActions: readonly string[] = [
  "ecr:CompleteLayerUpload",
  "ecr:InitiateLayerUpload",
  "ecr:PutImage",
  "ecr:UploadLayerPart",
];

/**
 * ECR writes that undo what governance set on a repository, even on the principal's own: its
 * policy (who may pull and push), scanning, tag mutability, retention (the lifecycle policy, and
 * deleting images outside it), its governance tags, and the repository itself. A push role never
 * needs them.
 */
export const ecrGovernanceActions: readonly string[] = [
  "ecr:SetRepositoryPolicy",
  "ecr:DeleteRepositoryPolicy",
  "ecr:DeleteRepository",
  "ecr:CreateRepository",
  "ecr:PutImageScanningConfiguration",
  "ecr:PutImageTagMutability",
  "ecr:PutLifecyclePolicy",
  "ecr:DeleteLifecyclePolicy",
  "ecr:TagResource",
  "ecr:UntagResource",
  "ecr:BatchDeleteImage",
];

/**
 * The AWS Signer action a pushing principal needs: ECR managed signing signs each image pushed
 * with the platform's signing profile on the pusher's behalf, which IAM authorises as this action
 * on that profile's ARN. Granted on one profile named exactly, a signature says which pipeline
 * pushed the image; granted wider, the role can sign as any profile it reaches.
 */
export const signerSignActions: readonly string[] = ["signer:SignPayload"];

/**
 * AWS Signer actions that sign (SignPayload, and StartSigningJob for code signing): writes AWS
 * classes with the rest, but they add signatures rather than change who may make them.
 */
const signerSigningActions: readonly string[] = [...signerSignActions, "signer:StartSigningJob"];

/**
 * AWS Signer writes that change signing governance: creating or cancelling profiles, revoking
 * profiles or signatures, granting others a profile's use, and its tags. Verification trusts a
 * profile and the signatures it has not revoked; a push role that can change either undoes what
 * verification relies on. Every Signer action AWS classes as Write, Permissions management or
 * Tagging, but the signing ones.
 */
export const signerGovernanceActions: readonly string[] = actions("signer", changes).filter(
  (action) => !signerSigningActions.includes(action),
);

/**
 * The signing-governance writes AWS scopes to no resource type (creating a profile), which IAM
 * authorises on "*" only. They are judged as registry-wide writes are: whether IAM matches "*"
 * against a Deny's NotResource is not documented, so such a Deny does not take them back.
 */
export const signerUnscopedGovernanceActions: readonly string[] = actions(
  "signer",
  (level, resources) => changes(level) && resources.length === 0,
).filter((action) => signerGovernanceActions.includes(action));
