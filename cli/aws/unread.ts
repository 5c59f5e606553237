import { STATUS_CODES } from "http";
import { ReadAction, UnlistedCallError, whatItReads } from "./readOnlyCalls";

/**
 * Something a reader could not read (access denied, not implemented, a server error), with the
 * call and why: never taken for absent or compliant.
 */
export class Unread {
  constructor(
    /** The call that failed. */
    readonly action: ReadAction,
    /** Why, as the API said it. */
    readonly reason: string,
    /** The region, for regional calls. */
    readonly region?: string,
    /** The resource it was read for (a repository's or role's name), when one. */
    readonly resource?: string,
  ) {}

  /** What could not be read: `ECR lifecycle policies`. */
  get what(): string {
    return whatItReads(this.action);
  }
}

/** A value read, absent (the API said there is none), or {@link Unread}. */
export type Reading<T> = T | undefined | Unread;

interface AwsErrorShape {
  readonly name?: string;
  readonly message?: string;
  readonly code?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
  readonly $fault?: string;
}

/** Why a call failed, in one line, as the API (or the network) said it. */
export function reasonOf(error: unknown): string {
  const e = (error ?? {}) as AwsErrorShape;
  const status = e.$metadata?.httpStatusCode;
  const message = String(e.message ?? error)
    .split("\n")[0]
    .trim();
  if (status !== undefined && e.$fault === undefined) {
    // The SDK could not parse the answer: a proxy's or emulator's error page, not an AWS error.
    return `HTTP ${status} ${STATUS_CODES[status] ?? ""}`.trim() + ": not an AWS API response";
  }
  if (e.$fault !== undefined) {
    return `${e.name ?? "Error"}${status === undefined ? "" : ` (HTTP ${status})`}: ${message}`;
  }
  const name = e.code ?? e.name ?? "Error";
  return message.startsWith(name) ? message : `${name}: ${message}`;
}

/**
 * Runs one read: its value, undefined when the API answers with one of the `absent` error names
 * (the resource has no such policy), or an {@link Unread} for any other failure. A call outside
 * the read-only table is a bug and is thrown.
 */
export async function attempt<T>(
  action: ReadAction,
  where: { readonly region?: string; readonly resource?: string },
  read: () => Promise<T>,
  absent: readonly string[] = [],
): Promise<Reading<T>> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof UnlistedCallError) {
      throw error;
    }
    if (absent.includes((error as AwsErrorShape)?.name ?? "")) {
      return undefined;
    }
    return new Unread(action, reasonOf(error), where.region, where.resource);
  }
}

/** Runs `task` on every item, at most `limit` at a time, keeping the order of the items. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
