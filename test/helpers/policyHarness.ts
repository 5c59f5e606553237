import {
  PolicyResource,
  ReportViolation,
  ResourceValidationPolicy,
  StackValidationPolicy,
} from "@pulumi/policy";

// The SDK's own proxy, which throws UnknownValueError when a policy reads a value unknown during
// preview: unit tests see exactly what policies see under the engine.
const { unknownCheckingProxy, UnknownValueError } = require("@pulumi/policy/proxy");

export { UnknownValueError };

/** The engine's marker for a value unknown during preview. */
export const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export interface Violation {
  readonly message: string;
  readonly urn?: string;
}

function collector(): { violations: Violation[]; report: ReportViolation } {
  const violations: Violation[] = [];
  return {
    violations,
    report: (message, urn) => violations.push({ message, ...(urn ? { urn } : {}) }),
  };
}

export interface TestResourceInput {
  readonly type: string;
  readonly props: Record<string, unknown>;
  readonly name?: string;
}

/** Runs a resource policy on one resource; returns the violation messages. */
export function runResourcePolicy(
  policy: ResourceValidationPolicy,
  resource: TestResourceInput,
  config: Record<string, unknown> = {},
): string[] {
  const { violations, report } = collector();
  const name = resource.name ?? "resource";
  const validate = [policy.validateResource].flat()[0]!;
  const result = validate(
    {
      type: resource.type,
      props: unknownCheckingProxy(resource.props),
      urn: `urn:pulumi:dev::test::${resource.type}::${name}`,
      name,
      opts: {
        protect: false,
        ignoreChanges: [],
        aliases: [],
        additionalSecretOutputs: [],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
      },
      getConfig: <T>() => config as T,
      isType: () => false,
      asType: () => undefined,
      stackTags: new Map(),
      notApplicable: () => {
        throw new Error("not applicable");
      },
    } as any,
    report,
  );
  if (result instanceof Promise) {
    throw new Error("resource policies here are synchronous");
  }
  return violations.map((v) => v.message);
}

export interface TestStackResource extends TestResourceInput {
  readonly name: string;
  /** The parent's name. */
  readonly parent?: string;
  /** Property name to the names of the resources it was computed from. */
  readonly propertyDependencies?: Record<string, string[]>;
}

export function urnOf(resource: { type: string; name: string }): string {
  return `urn:pulumi:dev::test::${resource.type}::${resource.name}`;
}

/** Runs a stack policy on resources linked by name, as the SDK links them by URN. */
export function runStackPolicy(
  policy: StackValidationPolicy,
  resources: readonly TestStackResource[],
  config: Record<string, unknown> = {},
): Violation[] {
  const built = new Map<string, PolicyResource>();
  for (const r of resources) {
    built.set(r.name, {
      type: r.type,
      props: unknownCheckingProxy(r.props),
      urn: urnOf(r),
      name: r.name,
      opts: {} as any,
      dependencies: [],
      propertyDependencies: {},
      isType: () => false,
      asType: () => undefined,
    } as unknown as PolicyResource);
  }
  for (const r of resources) {
    const resource = built.get(r.name)!;
    if (r.parent) {
      resource.parent = built.get(r.parent);
    }
    for (const [property, names] of Object.entries(r.propertyDependencies ?? {})) {
      resource.propertyDependencies[property] = names.map((n) => built.get(n)!);
    }
  }
  const { violations, report } = collector();
  policy.validateStack(
    { resources: [...built.values()], getConfig: <T>() => config as T } as any,
    report,
  );
  return violations;
}
