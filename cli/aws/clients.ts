import { EC2Client } from "@aws-sdk/client-ec2";
import { ECRClient } from "@aws-sdk/client-ecr";
import { IAMClient } from "@aws-sdk/client-iam";
import { OrganizationsClient } from "@aws-sdk/client-organizations";
import { STSClient, STSClientConfig } from "@aws-sdk/client-sts";
import { RequestPool } from "./pool";
import { guardReadOnly, GuardableClient, ReadAction } from "./readOnlyCalls";

/**
 * The AWS clients the readers use, read-only (see `readOnlyCalls.ts`): credentials from the
 * SDK's standard chain (environment, profile, SSO, web identity, instance role) unless given (a
 * member account's assumed role), endpoints as the SDK configures them (`AWS_ENDPOINT_URL`), and
 * adaptive retries (see {@link defaultMaxAttempts}).
 */
export interface AwsClients {
  ecr(region: string): ECRClient;
  /** IAM and STS are global; their clients sign for `region` (the partition's endpoint). */
  iam(region: string): IAMClient;
  sts(region: string): STSClient;
  /** AWS Organizations is global too: the management or delegated administrator account's. */
  organizations(region: string): OrganizationsClient;
  /** EC2, for the account's enabled regions only. */
  ec2(region: string): EC2Client;
}

/**
 * Attempts per call, the first included, unless `AWS_MAX_ATTEMPTS` says otherwise. An audit of an
 * organisation sends thousands of calls, and AWS throttles per account and region: the SDK's
 * adaptive mode slows the client down when it is throttled, and 8 attempts (with the SDK's
 * exponential backoff, up to 20 s apart) ride out a throttled minute rather than report a part
 * as unread.
 */
export const defaultMaxAttempts = 8;

/** Credentials, or a function the SDK calls for them (and again when they expire). */
export type AwsCredentials = NonNullable<STSClientConfig["credentials"]>;

export interface AwsClientOptions {
  /** Hears every call that goes out (the tests count them). */
  readonly observe?: (action: ReadAction) => void;
  /** The credentials to sign with; the SDK's chain when undefined. */
  readonly credentials?: AwsCredentials;
  /** The one bound on requests in flight, shared with other accounts' clients. */
  readonly pool?: RequestPool;
}

/** Holds each request (each attempt, after the retry middleware's backoff) to the pool. */
function pooled<C extends GuardableClient>(client: C, pool: RequestPool | undefined): C {
  if (pool !== undefined) {
    client.middlewareStack.add(
      (next: (args: unknown) => Promise<unknown>) => (args: unknown) => pool.run(() => next(args)),
      { step: "finalizeRequest", name: "trustedDeliveryRequestPool", priority: "low" },
    );
  }
  return client;
}

export function awsClients(
  observeOrOptions?: ((action: ReadAction) => void) | AwsClientOptions,
): AwsClients {
  const options: AwsClientOptions =
    typeof observeOrOptions === "function"
      ? { observe: observeOrOptions }
      : (observeOrOptions ?? {});
  const { observe, credentials, pool } = options;
  const config = (region: string) => ({
    region,
    retryMode: "adaptive",
    // The environment's setting wins when given (the SDK reads it when this is undefined).
    maxAttempts: process.env.AWS_MAX_ATTEMPTS ? undefined : defaultMaxAttempts,
    ...(credentials !== undefined && { credentials }),
  });
  const ecr = new Map<string, ECRClient>();
  return {
    ecr(region) {
      let client = ecr.get(region);
      if (client === undefined) {
        client = pooled(guardReadOnly(new ECRClient(config(region)), "ecr", observe), pool);
        ecr.set(region, client);
      }
      return client;
    },
    iam: (region) => pooled(guardReadOnly(new IAMClient(config(region)), "iam", observe), pool),
    sts: (region) => pooled(guardReadOnly(new STSClient(config(region)), "sts", observe), pool),
    organizations: (region) =>
      pooled(
        guardReadOnly(new OrganizationsClient(config(region)), "organizations", observe),
        pool,
      ),
    ec2: (region) => pooled(guardReadOnly(new EC2Client(config(region)), "ec2", observe), pool),
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
