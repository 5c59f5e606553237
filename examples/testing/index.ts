/**
 * A platform program with one pipeline: what `index.test.ts` beside it tests. The stack is the
 * environment; its GitHub environment may have any name, here `production` for stack `prod`.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
// In your own project: import { TrustedDeliveryPipeline } from "@goldenpath/trusted-delivery";
import { TrustedDeliveryPipeline } from "../../components";

// High-risk images are signed on push (ECR managed signing) with the environment's profile; the
// registry's signing configuration naming the repository is the platform's (see the README).
export const signingProfile = new aws.signer.SigningProfile("image-signing", {
  name: `trusted_delivery_${pulumi.getStack()}`,
  platformId: "Notation-OCI-SHA384-ECDSA",
});

export const payments = new TrustedDeliveryPipeline("payments-api", {
  environment: pulumi.getStack(),
  metadata: { id: "REGISTRY_PAYMENTS_API", owner: "team-payments", risk: "high" },
  github: { repository: "acme/payments-api", environments: ["production"] },
  signingProfileArn: signingProfile.arn,
});

export const repositoryUrl = payments.repositoryUrl;
