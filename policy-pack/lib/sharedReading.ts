/**
 * One reading of each resource per Analyzer call, whatever number of policies run.
 *
 * `@pulumi/policy` (1.21) deserializes every resource's properties again for each stack policy
 * of an `AnalyzeStack` call, and again for each resource policy of an `Analyze` call, and wraps
 * each reading in a new unknown-checking proxy. On a stack of 10,000 resources with six stack
 * policies that was most of the call. Here both steps are memoized by what they read: the
 * deserialized properties by the request's protobuf `Struct` (the same object for every policy
 * of one call, and released with the request), the proxy by the deserialized object. Every
 * policy then sees the same `props` object for a resource, which is what lets `StackIndex.of`
 * recognise the stack it has already read.
 *
 * Policies only read `props`; none writes to it, so sharing one reading is safe. If the SDK's
 * internals are not where this expects them, nothing is patched and the SDK behaves as shipped
 * (slower, never different).
 */

type Deserialize = (struct: object, keepUnknowns?: boolean) => any;
type Proxy = (target: any) => any;

/** Marks the memoized functions; holds the SDK's own, to restore. */
const marker = Symbol.for("trusted-delivery.sharedReading");

/** Whether the pack's SDK reads each resource once per call. */
export function stackReadingShared(): boolean {
  const { deserialize, proxy } = sdkModules();
  return Boolean(
    deserialize?.deserializeProperties?.[marker] && proxy?.unknownCheckingProxy?.[marker],
  );
}

/** Memoizes the SDK's deserialization and proxy by what they read; true when both are. */
export function shareStackReading(): boolean {
  const { deserialize, proxy } = sdkModules();
  if (typeof deserialize?.deserializeProperties !== "function") {
    return false;
  }
  if (typeof proxy?.unknownCheckingProxy !== "function") {
    return false;
  }
  if (!deserialize.deserializeProperties[marker]) {
    deserialize.deserializeProperties = memoizeDeserialize(deserialize.deserializeProperties);
  }
  if (!proxy.unknownCheckingProxy[marker]) {
    proxy.unknownCheckingProxy = memoizeProxy(proxy.unknownCheckingProxy);
  }
  return true;
}

/** Puts the SDK's own functions back (for tests that compare both). */
export function stopSharingStackReading(): void {
  const { deserialize, proxy } = sdkModules();
  if (deserialize?.deserializeProperties?.[marker]) {
    deserialize.deserializeProperties = deserialize.deserializeProperties[marker];
  }
  if (proxy?.unknownCheckingProxy?.[marker]) {
    proxy.unknownCheckingProxy = proxy.unknownCheckingProxy[marker];
  }
}

function sdkModules(): { deserialize?: any; proxy?: any } {
  try {
    // The SDK's server reads these functions off its module objects at each call, so
    // replacing them there (not in an import binding) is what reaches it.
    return {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- the module object itself
      deserialize: require("@pulumi/policy/deserialize"),
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- the module object itself
      proxy: require("@pulumi/policy/proxy"),
    };
  } catch {
    return {};
  }
}

function memoizeDeserialize(original: Deserialize): Deserialize {
  const read = [new WeakMap<object, unknown>(), new WeakMap<object, unknown>()];
  const memoized = (struct: object, keepUnknowns?: boolean) => {
    if (typeof struct !== "object" || struct === null) {
      return original(struct, keepUnknowns);
    }
    const cache = read[keepUnknowns ? 1 : 0];
    if (cache.has(struct)) {
      return cache.get(struct);
    }
    const value = original(struct, keepUnknowns);
    cache.set(struct, value);
    return value;
  };
  return Object.assign(memoized, { [marker]: original });
}

function memoizeProxy(original: Proxy): Proxy {
  const proxies = new WeakMap<object, unknown>();
  const memoized = (target: any) => {
    if (typeof target !== "object" || target === null) {
      return original(target);
    }
    let proxied = proxies.get(target);
    if (proxied === undefined) {
      proxied = original(target);
      proxies.set(target, proxied);
    }
    return proxied;
  };
  return Object.assign(memoized, { [marker]: original });
}
