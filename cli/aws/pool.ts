/**
 * One bound on the AWS requests in flight, shared by every client of an audit (every account and
 * region): `audit --concurrency`. The bound is on requests, not on accounts or regions, so a
 * slow account never holds a slot while it waits for nothing, and nested reads (a region's
 * repositories, each with three calls) cannot deadlock waiting for slots their callers hold.
 */

/** Runs tasks with at most `limit` running at once; the rest wait in order. */
export interface RequestPool {
  readonly limit: number;
  run<T>(task: () => Promise<T>): Promise<T>;
}

export function requestPool(limit: number): RequestPool {
  let running = 0;
  const waiting: (() => void)[] = [];
  // A finished task hands its slot straight to the next waiting one, so no task started in
  // between can take it and exceed the limit.
  const release = () => {
    const next = waiting.shift();
    if (next === undefined) {
      running--;
    } else {
      next();
    }
  };
  return {
    limit,
    async run(task) {
      if (running >= limit) {
        await new Promise<void>((resolve) => waiting.push(resolve));
      } else {
        running++;
      }
      try {
        return await task();
      } finally {
        release();
      }
    },
  };
}
