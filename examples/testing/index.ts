/**
 * A platform program with one pipeline: what `index.test.ts` beside it tests. The stack is the
 * environment; its GitHub environment may have any name, here `production` for stack `prod`.
 */
import * as pulumi from "@pulumi/pulumi";
// In your own project: import { TrustedDeliveryPipeline } from "@goldenpath/trusted-delivery";
import { TrustedDeliveryPipeline } from "../../components";

export const payments = new TrustedDeliveryPipeline("payments-api", {
  environment: pulumi.getStack(),
  metadata: { id: "REGISTRY_PAYMENTS_API", owner: "team-payments", risk: "high" },
  github: { repository: "acme/payments-api", environments: ["production"] },
});

export const repositoryUrl = payments.repositoryUrl;
