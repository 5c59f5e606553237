import { RegisteredResource, runOffline } from "../cli/preview/capture";
import { trustedDeliveryPipelineType } from "../components/names";
import { platform } from "../programs/platform/platform";
import {
  criticalPath,
  DependencyChain,
  descendantsOf,
  longestChainsTo,
  longestOf,
} from "./criticalPath";
import { ratio } from "./stats";
import { PipelineVariant, platformRunOptions, variantEnvironment } from "./workload";

/** One step of a chain: a resource and its type. */
export interface ChainStep {
  readonly name: string;
  readonly type: string;
}

/** The critical path of one pipeline as the platform program registers it. */
export interface PipelineCriticalPath {
  readonly variant: PipelineVariant;
  /** The stack environment the pipeline was run in. */
  readonly environment: string;
  /** The pipeline's custom resources: the steps of a fully serial deployment (the reference). */
  readonly customResources: number;
  /** The longest chain among the pipeline's own resources. */
  readonly criticalPath: number;
  /** Critical path over custom resources: 1 would be a fully serial deployment. */
  readonly ratio?: number;
  readonly chain: readonly ChainStep[];
  /** The longest chain ending in the pipeline from an empty stack (shared resources first). */
  readonly fromEmptyStack: number;
  readonly fromEmptyStackChain: readonly ChainStep[];
}

/** The critical path of a whole platform stack. */
export interface StackCriticalPath {
  readonly apps: number;
  readonly customResources: number;
  readonly criticalPath: number;
  /** Critical path over custom resources. */
  readonly ratio?: number;
  readonly chain: readonly ChainStep[];
}

export interface DeploymentGraphResults {
  readonly pipelines: readonly PipelineCriticalPath[];
  readonly stack: StackCriticalPath;
}

/** The variants measured, in the order they are reported. */
export const measuredVariants: readonly PipelineVariant[] = [
  "default",
  "environments",
  "commitWorkflow",
];

function steps(chain: DependencyChain, resources: readonly RegisteredResource[]): ChainStep[] {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  return chain.urns.map((urn) => {
    const { name, type } = byUrn.get(urn)!;
    return { name, type };
  });
}

/** The critical path of the one pipeline in `resources`, within it and from an empty stack. */
export function pipelineCriticalPath(
  variant: PipelineVariant,
  resources: readonly RegisteredResource[],
): PipelineCriticalPath {
  const pipelines = resources.filter((r) => r.type === trustedDeliveryPipelineType);
  if (pipelines.length !== 1) {
    throw new Error(`expected one pipeline, the program registered ${pipelines.length}`);
  }
  const members = descendantsOf(resources, pipelines[0].urn);
  const own = criticalPath(resources, (r) => members.has(r.urn));
  const chains = longestChainsTo(resources);
  const fromEmptyStack = longestOf(
    [...members].map((urn) => chains.get(urn)).filter((c): c is DependencyChain => c !== undefined),
  );
  const customResources = resources.filter((r) => r.custom && members.has(r.urn)).length;
  return {
    variant,
    environment: variantEnvironment[variant],
    customResources,
    criticalPath: own.urns.length,
    ratio: ratio(own.urns.length, customResources),
    chain: steps(own, resources),
    fromEmptyStack: fromEmptyStack.urns.length,
    fromEmptyStackChain: steps(fromEmptyStack, resources),
  };
}

/**
 * Runs the platform program under mocks with one app of each variant, and with `stackApps`
 * default apps, and measures the longest chains of dependent resources.
 */
export async function measureDeploymentGraph(stackApps: number): Promise<DeploymentGraphResults> {
  const pipelines: PipelineCriticalPath[] = [];
  for (const variant of measuredVariants) {
    const run = await runOffline(platformRunOptions(1, variant, platform));
    pipelines.push(pipelineCriticalPath(variant, run.resources));
  }
  const stack = await runOffline(platformRunOptions(stackApps, "default", platform));
  const path = criticalPath(stack.resources);
  const customResources = stack.resources.filter((r) => r.custom).length;
  return {
    pipelines,
    stack: {
      apps: stackApps,
      customResources,
      criticalPath: path.urns.length,
      ratio: ratio(path.urns.length, customResources),
      chain: steps(path, stack.resources),
    },
  };
}
