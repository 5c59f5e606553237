import type { PolicyConfigSchema } from "@pulumi/policy";

/** Each schema's defaults, read once: a schema is a policy's own constant. */
const defaultsBySchema = new WeakMap<PolicyConfigSchema, Record<string, unknown>>();

/**
 * A policy's config: the values set for it, over the defaults its schema declares. The Pulumi
 * CLI fills defaults in when a config file is given; with none, `getConfig()` is empty and the
 * schema's defaults must still apply.
 */
export function configWithDefaults<T>(
  schema: PolicyConfigSchema,
  configured: Record<string, unknown>,
): T {
  let defaults = defaultsBySchema.get(schema);
  if (defaults === undefined) {
    defaults = Object.fromEntries(
      Object.entries(schema.properties ?? {})
        .filter(
          ([, property]) =>
            typeof property === "object" && property !== null && "default" in property,
        )
        .map(([key, property]) => [key, (property as { default: unknown }).default]),
    );
    defaultsBySchema.set(schema, defaults);
  }
  return { ...defaults, ...configured } as T;
}
