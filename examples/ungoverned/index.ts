import * as aws from "@pulumi/aws";

// A registry with no owner, no risk, no scanning and no lifecycle policy.
const registry = new aws.ecr.Repository("legacy-images", {
  name: "legacy-images",
  imageTagMutability: "MUTABLE",
});

// The hand-made GitHub trust: every repository of the owner, on every ref, pull requests included.
const role = new aws.iam.Role("gha-ecr-push", {
  name: "gha-ecr-push",
  assumeRolePolicy: JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "GitHubOIDCTrust",
        Effect: "Allow",
        Principal: {
          Federated: "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com",
        },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" },
          StringLike: { "token.actions.githubusercontent.com:sub": "repo:acme/*:*" },
        },
      },
    ],
  }),
});

// The hand-made push policy: every repository in the account.
new aws.iam.RolePolicy("gha-ecr-push", {
  role: role.name,
  policy: JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "ECRGetAuthToken",
        Effect: "Allow",
        Action: ["ecr:GetAuthorizationToken"],
        Resource: "*",
      },
      {
        Sid: "ECRPushPull",
        Effect: "Allow",
        Action: [
          "ecr:BatchCheckLayerAvailability",
          "ecr:CompleteLayerUpload",
          "ecr:InitiateLayerUpload",
          "ecr:PutImage",
          "ecr:UploadLayerPart",
        ],
        Resource: "arn:aws:ecr:*:123456789012:repository/*",
      },
    ],
  }),
});

export const repositoryUrl = registry.repositoryUrl;
