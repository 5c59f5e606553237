/** What the dependency graph needs of a registered resource (a `RegisteredResource` has it). */
export interface GraphResource {
  readonly urn: string;
  /** False for components, which the engine does not create. */
  readonly custom: boolean;
  readonly parent?: string;
  /** The explicit provider reference, `<provider urn>::<id>`. */
  readonly provider?: string;
  readonly dependencies: readonly string[];
  readonly propertyDependencies: Readonly<Record<string, readonly string[]>>;
}

/** A longest chain of custom resources, each waiting for the one before it. */
export interface DependencyChain {
  /** URNs, first created first. */
  readonly urns: readonly string[];
}

/**
 * For every custom resource, the custom resources the engine must create before it: its
 * `dependencies`, its `propertyDependencies` and its explicit provider. A dependency on a
 * component stands for the component's children, through nested components, as the Pulumi SDK
 * expands it (children of custom resources are not included). A parent is not a dependency.
 * URNs of resources not in the list are skipped.
 */
export function customDependencies(
  resources: readonly GraphResource[],
): Map<string, ReadonlySet<string>> {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const children = childrenByParent(resources);
  const expanded = new Map<string, readonly string[]>();
  const customResourcesOf = (urn: string, visiting: Set<string>): readonly string[] => {
    const resource = byUrn.get(urn);
    if (resource === undefined) {
      return [];
    }
    if (resource.custom) {
      return [urn];
    }
    const known = expanded.get(urn);
    if (known !== undefined || visiting.has(urn)) {
      return known ?? [];
    }
    visiting.add(urn);
    const found = (children.get(urn) ?? []).flatMap((child) => customResourcesOf(child, visiting));
    expanded.set(urn, found);
    return found;
  };

  const graph = new Map<string, ReadonlySet<string>>();
  for (const resource of resources) {
    if (!resource.custom) {
      continue;
    }
    const direct = [
      ...resource.dependencies,
      ...Object.values(resource.propertyDependencies).flat(),
      ...(resource.provider === undefined ? [] : [providerUrn(resource.provider)]),
    ];
    const waitsFor = new Set(direct.flatMap((urn) => customResourcesOf(urn, new Set())));
    waitsFor.delete(resource.urn);
    graph.set(resource.urn, waitsFor);
  }
  return graph;
}

/** The provider's URN in a provider reference (`<urn>::<id>`). */
function providerUrn(reference: string): string {
  const separator = reference.lastIndexOf("::");
  return separator < 0 ? reference : reference.slice(0, separator);
}

/**
 * For every custom resource, a longest chain of custom resources that ends with it. Resources
 * for which `include` is false are left out, as are the edges to them (they are taken as
 * already created). Ties go to the dependency listed first. Throws, naming the resources,
 * when dependencies form a cycle (which the engine would refuse too).
 */
export function longestChainsTo(
  resources: readonly GraphResource[],
  include: (resource: GraphResource) => boolean = () => true,
): Map<string, DependencyChain> {
  const included = new Set(resources.filter((r) => r.custom && include(r)).map((r) => r.urn));
  const graph = customDependencies(resources);
  const chains = new Map<string, DependencyChain>();
  const visiting: string[] = [];
  const chainTo = (urn: string): DependencyChain => {
    const known = chains.get(urn);
    if (known !== undefined) {
      return known;
    }
    if (visiting.includes(urn)) {
      const cycle = [...visiting.slice(visiting.indexOf(urn)), urn];
      throw new Error(`dependencies form a cycle (each waits for the next): ${cycle.join(" -> ")}`);
    }
    visiting.push(urn);
    let longest: DependencyChain = { urns: [] };
    for (const dependency of graph.get(urn) ?? []) {
      if (included.has(dependency)) {
        const chain = chainTo(dependency);
        if (chain.urns.length > longest.urns.length) {
          longest = chain;
        }
      }
    }
    visiting.pop();
    const chain = { urns: [...longest.urns, urn] };
    chains.set(urn, chain);
    return chain;
  };
  for (const urn of included) {
    chainTo(urn);
  }
  return chains;
}

/** A longest chain among the resources `include` selects: the engine's critical path. */
export function criticalPath(
  resources: readonly GraphResource[],
  include?: (resource: GraphResource) => boolean,
): DependencyChain {
  return longestOf([...longestChainsTo(resources, include).values()]);
}

/** The first of the longest chains, or the empty chain when there are none. */
export function longestOf(chains: readonly DependencyChain[]): DependencyChain {
  return chains.reduce<DependencyChain>(
    (longest, chain) => (chain.urns.length > longest.urns.length ? chain : longest),
    { urns: [] },
  );
}

/** The URNs of the resources under `ancestor` (children, their children, ...). */
export function descendantsOf(resources: readonly GraphResource[], ancestor: string): Set<string> {
  const children = childrenByParent(resources);
  const found = new Set<string>();
  const pending = [...(children.get(ancestor) ?? [])];
  for (let urn = pending.pop(); urn !== undefined; urn = pending.pop()) {
    if (!found.has(urn)) {
      found.add(urn);
      pending.push(...(children.get(urn) ?? []));
    }
  }
  return found;
}

/** The URNs of each resource's children, by the parent's URN, in the order given. */
function childrenByParent(resources: readonly GraphResource[]): Map<string, string[]> {
  const children = new Map<string, string[]>();
  for (const resource of resources) {
    if (resource.parent !== undefined) {
      children.set(resource.parent, [...(children.get(resource.parent) ?? []), resource.urn]);
    }
  }
  return children;
}
