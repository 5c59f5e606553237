import { strict as assert } from "assert";
import { runOffline } from "../../cli/preview/capture";
import { trustedDeliveryPipelineType } from "../../components/names";
import { platform } from "../../programs/platform/platform";
import {
  criticalPath,
  customDependencies,
  descendantsOf,
  GraphResource,
  longestChainsTo,
} from "../../bench/criticalPath";
import { pipelineCriticalPath } from "../../bench/deploymentGraph";
import { platformRunOptions } from "../../bench/workload";

const urn = (name: string) => `urn:pulumi:dev::bench::test:index:Thing::${name}`;

/** A custom resource waiting for the named resources. */
function custom(name: string, waitsFor: string[] = [], extra: Partial<GraphResource> = {}) {
  return {
    urn: urn(name),
    custom: true,
    dependencies: waitsFor.map(urn),
    propertyDependencies: {},
    ...extra,
  };
}

function component(name: string, extra: Partial<GraphResource> = {}): GraphResource {
  return { ...custom(name, [], extra), custom: false };
}

const names = (urns: readonly string[]) => urns.map((u) => u.slice(u.lastIndexOf("::") + 2));

describe("the deployment critical path", () => {
  it("of resources that each wait for the one before is all of them, first created first", () => {
    const resources = [custom("c", ["b"]), custom("a"), custom("b", ["a"])];
    assert.deepEqual(names(criticalPath(resources).urns), ["a", "b", "c"]);
  });

  it("of independent resources is one resource, however many there are", () => {
    const resources = ["a", "b", "c", "d"].map((n) => custom(n));
    assert.equal(criticalPath(resources).urns.length, 1);
  });

  it("follows property dependencies as well as explicit ones", () => {
    const resources = [
      custom("role"),
      custom("policy", [], { propertyDependencies: { role: [urn("role")], name: [] } }),
    ];
    assert.deepEqual(names(criticalPath(resources).urns), ["role", "policy"]);
  });

  it("waits for the explicit provider a resource is created with", () => {
    const resources = [
      custom("github-acme"),
      custom("secret", [], { provider: `${urn("github-acme")}::provider-id` }),
    ];
    assert.deepEqual(names(criticalPath(resources).urns), ["github-acme", "secret"]);
  });

  it("takes a dependency on a component as one on its custom children, through nested components", () => {
    const resources = [
      custom("first"),
      component("outer"),
      custom("direct", [], { parent: urn("outer") }),
      component("inner", { parent: urn("outer") }),
      custom("nested", ["first"], { parent: urn("inner") }),
      custom("last", ["outer"]),
    ];
    assert.deepEqual([...customDependencies(resources).get(urn("last"))!].sort(), [
      urn("direct"),
      urn("nested"),
    ]);
    assert.deepEqual(names(criticalPath(resources).urns), ["first", "nested", "last"]);
  });

  it("does not reach the children of a custom resource through a component, as the Pulumi SDK does not", () => {
    const resources = [
      component("outer"),
      custom("bucket", [], { parent: urn("outer") }),
      custom("object", [], { parent: urn("bucket") }),
      custom("reader", ["outer"]),
    ];
    assert.deepEqual([...customDependencies(resources).get(urn("reader"))!], [urn("bucket")]);
  });

  it("does not take a parent as a dependency", () => {
    const resources = [
      component("pipeline"),
      custom("repository", [], { parent: urn("pipeline") }),
      custom("role", [], { parent: urn("repository") }),
    ];
    assert.equal(customDependencies(resources).get(urn("role"))!.size, 0);
    assert.equal(criticalPath(resources).urns.length, 1);
  });

  it("never counts a component as a step", () => {
    const resources = [component("pipeline", { dependencies: [urn("a")] }), custom("a")];
    assert.deepEqual(names(criticalPath(resources).urns), ["a"]);
    assert.equal(customDependencies(resources).has(urn("pipeline")), false);
  });

  it("skips dependencies on resources it was not given", () => {
    const resources = [custom("a", ["elsewhere"])];
    assert.deepEqual(names(criticalPath(resources).urns), ["a"]);
  });

  it("within a subset, takes the resources outside it as already created", () => {
    const resources = [custom("shared"), custom("role", ["shared"]), custom("secret", ["role"])];
    const inside = new Set([urn("role"), urn("secret")]);
    assert.deepEqual(names(criticalPath(resources, (r) => inside.has(r.urn)).urns), [
      "role",
      "secret",
    ]);
  });

  it("gives, for each resource, the longest chain that ends with it", () => {
    const resources = [custom("a"), custom("b", ["a"]), custom("c"), custom("d", ["b", "c"])];
    const chains = longestChainsTo(resources);
    assert.deepEqual(names(chains.get(urn("c"))!.urns), ["c"]);
    assert.deepEqual(names(chains.get(urn("d"))!.urns), ["a", "b", "d"]);
  });

  it("refuses dependencies that form a cycle, naming its resources", () => {
    const resources = [custom("a", ["c"]), custom("b", ["a"]), custom("c", ["b"])];
    assert.throws(() => criticalPath(resources), {
      message: `dependencies form a cycle (each waits for the next): ${[urn("a"), urn("c"), urn("b"), urn("a")].join(" -> ")}`,
    });
  });

  it("finds a component's children and their children, not its siblings", () => {
    const resources = [
      component("pipeline"),
      custom("repository", [], { parent: urn("pipeline") }),
      custom("lifecycle", [], { parent: urn("repository") }),
      custom("other"),
    ];
    assert.deepEqual([...descendantsOf(resources, urn("pipeline"))].sort(), [
      urn("lifecycle"),
      urn("repository"),
    ]);
  });
});

describe("the critical path of a pipeline the platform program registers", () => {
  it("has its role policy wait for both its repository and its role, and starts from an empty stack at a shared resource", async () => {
    const run = await runOffline(platformRunOptions(1, "default", platform));
    const byName = (name: string) => run.resources.find((r) => r.name === name)!;
    const waits = customDependencies(run.resources).get(byName("svc-0001-push-policy").urn)!;
    assert.ok(waits.has(byName("svc-0001-repository").urn));
    assert.ok(waits.has(byName("svc-0001-push-role").urn));

    const path = pipelineCriticalPath("default", run.resources);
    assert.ok(path.criticalPath >= 2);
    assert.ok(path.criticalPath <= path.customResources);
    const pipeline = run.resources.find((r) => r.type === trustedDeliveryPipelineType)!;
    const members = descendantsOf(run.resources, pipeline.urn);
    const first = run.resources.find((r) => r.name === path.fromEmptyStackChain[0].name)!;
    assert.equal(members.has(first.urn), false);
    assert.equal(path.fromEmptyStack, path.fromEmptyStackChain.length);
  });
});
