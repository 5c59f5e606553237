import { TrustedDeliveryPipelineArgs } from "../../components";

/** The smallest valid pipeline: every other argument takes its default. */
export const minimalPipelineArgs: TrustedDeliveryPipelineArgs = {
  environment: "dev",
  metadata: { id: "REGISTRY_PAYMENTS_API", owner: "team-payments", risk: "medium" },
  github: { repository: "acme/payments-api" },
};

/**
 * A signing profile ARN of the form AWS Signer gives, for pipelines whose images are signed
 * (every high-risk one needs its platform's profile).
 */
export const testSigningProfileArn =
  "arn:aws:signer:eu-west-2:123456789012:/signing-profiles/trusted_delivery_dev";

/** `signingProfileArn` for a high-risk pipeline (which signs its images), nothing otherwise. */
export function signingFor(risk: string): { signingProfileArn?: string } {
  return risk === "high" ? { signingProfileArn: testSigningProfileArn } : {};
}
