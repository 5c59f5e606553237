import { ECRClient } from "@aws-sdk/client-ecr";
import { IAMClient } from "@aws-sdk/client-iam";
import { STSClient } from "@aws-sdk/client-sts";
import { guardReadOnly, ReadAction } from "./readOnlyCalls";

/**
 * The AWS clients the readers use, read-only (see `readOnlyCalls.ts`): credentials from the
 * SDK's standard chain (environment, profile, SSO, web identity, instance role), endpoints and
 * retries as the SDK configures them (`AWS_ENDPOINT_URL`, `AWS_MAX_ATTEMPTS`, `AWS_RETRY_MODE`).
 */
export interface AwsClients {
  ecr(region: string): ECRClient;
  /** IAM and STS are global; their clients sign for `region` (the partition's endpoint). */
  iam(region: string): IAMClient;
  sts(region: string): STSClient;
}

export function awsClients(observe?: (action: ReadAction) => void): AwsClients {
  const ecr = new Map<string, ECRClient>();
  return {
    ecr(region) {
      let client = ecr.get(region);
      if (client === undefined) {
        client = guardReadOnly(new ECRClient({ region }), "ecr", observe);
        ecr.set(region, client);
      }
      return client;
    },
    iam: (region) => guardReadOnly(new IAMClient({ region }), "iam", observe),
    sts: (region) => guardReadOnly(new STSClient({ region }), "sts", observe),
  };
}

/** The region the SDK would use with no region given (`AWS_REGION`, the profile's), if any. */
export async function configuredRegion(): Promise<string | undefined> {
  try {
    const region = await new STSClient({}).config.region();
    return region || undefined;
  } catch {
    return undefined;
  }
}
