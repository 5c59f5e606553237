import type { PolicyConfigSchema } from "@pulumi/policy";

/**
 * A policy's config: the values set for it, over the defaults its schema declares. The Pulumi
 * CLI fills defaults in when a config file is given; with none, `getConfig()` is empty and the
 * schema's defaults must still apply.
 */
export function configWithDefaults<T>(
  schema: PolicyConfigSchema,
  configured: Record<string, unknown>,
): T {
  const defaults = Object.fromEntries(
    Object.entries(schema.properties ?? {})
      .filter(
        ([, property]) =>
          typeof property === "object" && property !== null && "default" in property,
      )
      .map(([key, property]) => [key, (property as { default: unknown }).default]),
  );
  return { ...defaults, ...configured } as T;
}
