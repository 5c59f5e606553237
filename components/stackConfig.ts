import * as pulumi from "@pulumi/pulumi";

/**
 * What the stack being deployed has read from its config, by key. A stack's config does not
 * change while its program runs (the engine configures the providers from it once), but the
 * SDK keeps it as one JSON text and parses the whole text on every read: with a pipeline per
 * app reading the same keys, and the platform's `apps` map in that text, a stack of n apps
 * spent time growing with n² on reads alone (a quarter of the construction time at 1,000 apps).
 */
const readsByStack = new WeakMap<pulumi.ComponentResource, Map<string, unknown>>();

/**
 * `read()`, once per stack: later calls with the same key in the same stack return the first
 * call's value, shared (so callers must not change it). Each run of a program
 * (`runInPulumiStack`) has a stack of its own; outside one (`setMocks` alone, as unit tests
 * construct resources), every call reads. A read that throws is not remembered, so every caller
 * throws the same error.
 */
export function readOncePerStack<T>(key: string, read: () => T): T {
  const stack = pulumi.runtime.getStackResource();
  if (stack === undefined) {
    return read();
  }
  let reads = readsByStack.get(stack);
  if (reads === undefined) {
    reads = new Map();
    readsByStack.set(stack, reads);
  }
  if (!reads.has(key)) {
    reads.set(key, read());
  }
  return reads.get(key) as T;
}
