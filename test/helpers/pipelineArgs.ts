import { TrustedDeliveryPipelineArgs } from "../../components";

/** The smallest valid pipeline: every other argument takes its default. */
export const minimalPipelineArgs: TrustedDeliveryPipelineArgs = {
  environment: "dev",
  metadata: { id: "REGISTRY_PAYMENTS_API", owner: "team-payments", risk: "medium" },
  github: { repository: "acme/payments-api" },
};
