import { PolicyDocument } from "./trustPolicy";

/**
 * What the build-and-push workflow needs on its repository, and nothing more:
 *
 * - Pushing an image: its layers (`BatchCheckLayerAvailability`, `InitiateLayerUpload`,
 *   `UploadLayerPart`, `CompleteLayerUpload`), then its manifest (`PutImage`).
 * - Pushing its attestations, which are pushed the same way: a blob, then a manifest whose
 *   `subject` is the image (an OCI referrer). The attest action first reads the image's manifest
 *   and asks for the repository's referrers; ECR authorizes both, the referrers API included,
 *   with `BatchGetImage`.
 * - Reading the pushed image back (`BatchGetImage`, `GetDownloadUrlForLayer`): the SBOM is made
 *   from the image in the registry, and a build may start from an image of its own repository.
 *
 * Nothing here deletes images, changes tags' mutability or repository policy, or reaches beyond
 * the repository.
 */
export const ecrPushActions: readonly string[] = Object.freeze([
  "ecr:BatchCheckLayerAvailability",
  "ecr:BatchGetImage",
  "ecr:CompleteLayerUpload",
  "ecr:GetDownloadUrlForLayer",
  "ecr:InitiateLayerUpload",
  "ecr:PutImage",
  "ecr:UploadLayerPart",
]);

/**
 * The push role's permissions: an ECR login token (which IAM only grants on `*`), and push and
 * pull on this one repository.
 */
export function ecrPushPolicy(repositoryArn: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "EcrLogin",
        Effect: "Allow",
        Action: "ecr:GetAuthorizationToken",
        Resource: "*",
      },
      {
        Sid: "PushAndPullThisRepository",
        Effect: "Allow",
        Action: ecrPushActions,
        Resource: repositoryArn,
      },
    ],
  };
}
