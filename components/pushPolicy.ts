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

/** What the push role does beyond pushing, which widens its policy by exactly what it needs. */
export interface PushRoleDuties {
  /**
   * The AWS Signer profile ECR managed signing signs the pushed images with: the pushing
   * principal signs them (`signer:SignPayload` on this profile alone), and the gates read the
   * image's signing status (`ecr:DescribeImageSigningStatus` on the repository).
   */
  readonly signingProfileArn?: string;
  /**
   * Whether the workflow and the deploy gate read the registry's scan findings of the pushed
   * image: `ecr:DescribeImageScanFindings` on the repository, and Amazon Inspector's
   * `inspector2:ListFindings`, which enhanced scanning's findings need and IAM grants only on
   * `*` (it reads findings, never changes them).
   */
  readonly readsScanFindings?: boolean;
}

/** The reads of the repository the gates need: its scan findings, its images' signing status. */
function gateReadActions(duties: PushRoleDuties): string[] {
  return [
    ...(duties.readsScanFindings ? ["ecr:DescribeImageScanFindings"] : []),
    ...(duties.signingProfileArn !== undefined ? ["ecr:DescribeImageSigningStatus"] : []),
  ];
}

/**
 * The push role's permissions: an ECR login token (which IAM only grants on `*`), and push and
 * pull on this one repository; with signing, signing with the one profile and reading the
 * signing status; with the registry-findings gate, reading the scan findings. Without either,
 * the policy is the one the pipeline has always written, byte for byte.
 */
export function ecrPushPolicy(repositoryArn: string, duties: PushRoleDuties = {}): PolicyDocument {
  const gateReads = gateReadActions(duties);
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
      ...(gateReads.length > 0
        ? [
            {
              Sid: "ReadThisRepositorysFindingsAndSignatures",
              Effect: "Allow" as const,
              Action: gateReads,
              Resource: repositoryArn,
            },
          ]
        : []),
      ...(duties.signingProfileArn !== undefined
        ? [
            {
              Sid: "SignWithThePlatformProfile",
              Effect: "Allow" as const,
              Action: "signer:SignPayload",
              Resource: duties.signingProfileArn,
            },
          ]
        : []),
      ...(duties.readsScanFindings
        ? [
            {
              Sid: "ReadEnhancedScanFindings",
              Effect: "Allow" as const,
              Action: "inspector2:ListFindings",
              Resource: "*",
            },
          ]
        : []),
    ],
  };
}
