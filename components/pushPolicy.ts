import { PolicyDocument } from "./trustPolicy";

/**
 * What pushing an image needs on the repository, plus the reads a build cache (`docker buildx
 * --cache-from`) and a re-tag need. Nothing here deletes images or changes repository policy.
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
