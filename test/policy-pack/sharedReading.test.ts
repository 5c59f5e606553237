import { strict as assert } from "assert";
import * as path from "path";
import type { PolicyPackArgs, StackValidationArgs } from "@pulumi/policy";
import * as proto from "@pulumi/pulumi/proto/analyzer_pb";
import { planStack } from "../../cli/preview";
import { analyzeRequest, analyzeStackRequest } from "../../cli/policyPack/analyzerClient";
import { analyzerResources } from "../../cli/preview/policySession";
import { findProject } from "../../cli/workspace/project";
import {
  shareStackReading,
  stackReadingShared,
  stopSharingStackReading,
} from "../../policy-pack/lib/sharedReading";
import {
  sharedAnalysisServed,
  stopServingSharedAnalysis,
} from "../../policy-pack/lib/analyzerService";
import { policies, policyPackName } from "../../policy-pack/policies";
import { StackIndex, StackResource } from "../../policy-pack/resources/stackIndex";

const root = path.join(__dirname, "../..");
// The SDK's own request handlers, which the pack's gRPC server runs.
const server = require("@pulumi/policy/server");

interface Seen {
  props: object[][];
  indexes: StackIndex[];
}

/** Two stack policies that record what the SDK hands them. */
function probes(seen: Seen): any[] {
  return ["probe-a", "probe-b"].map((name) => ({
    name,
    description: name,
    enforcementLevel: "advisory",
    validateStack: (args: StackValidationArgs) => {
      seen.props.push(args.resources.map((r) => r.props));
      seen.indexes.push(StackIndex.of(args.resources as unknown as StackResource[]));
    },
  }));
}

/** One `AnalyzeStack` call through the SDK's handler, as the pack's server makes it. */
async function analyzeStack(
  packPolicies: readonly unknown[],
  request: proto.AnalyzeStackRequest,
): Promise<object[]> {
  const handler = server.makeAnalyzeStackRpcFun(policyPackName, "0.0.0", "mandatory", packPolicies);
  const response: proto.AnalyzeResponse = await new Promise((resolve, reject) =>
    handler({ request }, (error: unknown, r: proto.AnalyzeResponse) =>
      error ? reject(error) : resolve(r),
    ),
  );
  return response.getDiagnosticsList().map((d) => d.toObject());
}

/** A fresh request, as the server decodes one from the wire. */
function fromWire<T extends { serializeBinary(): Uint8Array }>(
  message: T,
  type: { deserializeBinary(bytes: Uint8Array): T },
): T {
  return type.deserializeBinary(message.serializeBinary());
}

describe("one reading of each resource per Analyzer call", function () {
  this.timeout(120000);
  let stack: proto.AnalyzeStackRequest;
  before(async () => {
    stopSharingStackReading();
    // A stack with violations, so the comparison covers what the policies report.
    const plan = await planStack(findProject(path.join(root, "examples/ungoverned")), "dev");
    stack = analyzeStackRequest(analyzerResources(plan.run.resources, "outputs"));
  });
  after(() => stopSharingStackReading());

  it("without it, the SDK reads the stack again for each stack policy", async () => {
    assert.equal(stackReadingShared(), false);
    const seen: Seen = { props: [], indexes: [] };
    await analyzeStack(probes(seen), fromWire(stack, proto.AnalyzeStackRequest));
    assert.equal(seen.props.length, 2);
    assert.ok(seen.props[0].every((props, i) => props !== seen.props[1][i]));
    assert.notEqual(seen.indexes[0], seen.indexes[1]);
  });

  it("with it, every stack policy gets the same props and finds the index the first built, and the pack reports the same", async () => {
    const without = await analyzeStack(policies, fromWire(stack, proto.AnalyzeStackRequest));
    assert.ok(without.length > 0, "the ungoverned example has stack violations");
    assert.equal(shareStackReading(), true);
    assert.equal(stackReadingShared(), true);

    const seen: Seen = { props: [], indexes: [] };
    const request = fromWire(stack, proto.AnalyzeStackRequest);
    const withSharing = await analyzeStack([...policies, ...probes(seen)], request);
    assert.deepEqual(withSharing, without);
    assert.ok(seen.props[0].every((props, i) => props === seen.props[1][i]));
    assert.equal(seen.indexes[0], seen.indexes[1]);

    // Another call (another request) is read afresh.
    const again: Seen = { props: [], indexes: [] };
    await analyzeStack(probes(again), fromWire(stack, proto.AnalyzeStackRequest));
    assert.notEqual(again.props[0][0], seen.props[0][0]);
    assert.notEqual(again.indexes[0], seen.indexes[0]);
  });

  it("with it, the resource policies of one Analyze call share one reading", async () => {
    shareStackReading();
    const plan = await planStack(findProject(root), "dev");
    const [resource] = analyzerResources(
      plan.run.resources.filter((r) => r.custom),
      "inputs",
    );
    const seen: object[] = [];
    const probe = (name: string) => ({
      name,
      description: name,
      enforcementLevel: "advisory",
      validateResource: (args: { props: object }) => {
        seen.push(args.props);
      },
    });
    const handler = server.makeAnalyzeRpcFun(policyPackName, "0.0.0", "mandatory", [
      probe("a"),
      probe("b"),
    ]);
    const analyze = (request: proto.AnalyzeRequest) =>
      new Promise((resolve, reject) =>
        handler({ request }, (error: unknown, r: unknown) => (error ? reject(error) : resolve(r))),
      );
    await analyze(fromWire(analyzeRequest(resource), proto.AnalyzeRequest));
    await analyze(fromWire(analyzeRequest(resource), proto.AnalyzeRequest));
    assert.equal(seen.length, 4);
    assert.equal(seen[0], seen[1]);
    assert.notEqual(seen[1], seen[2]);
    // Same content (as plain data: Node 26's deepStrictEqual tells two proxies apart).
    const plain = (props: object) => JSON.parse(JSON.stringify(props));
    assert.deepEqual(plain(seen[2]), plain(seen[0]));
  });

  it("is left as shipped by the pack's entry, which serves its own handlers that read each request once", () => {
    stopSharingStackReading();
    stopServingSharedAnalysis();
    const sdkPolicy = require("@pulumi/policy/policy");
    const PolicyPack = sdkPolicy.PolicyPack;
    const served: { name: string; args: PolicyPackArgs }[] = [];
    sdkPolicy.PolicyPack = class {
      constructor(name: string, args: PolicyPackArgs) {
        served.push({ name, args });
      }
    };
    try {
      const entry = require.resolve("../../policy-pack/index");
      delete require.cache[entry];
      require(entry);
    } finally {
      sdkPolicy.PolicyPack = PolicyPack;
    }
    // The SDK here is as our handlers expect it: they are served, and the SDK's own readings
    // are left as shipped (nothing would read a resource twice).
    assert.equal(sharedAnalysisServed(), true);
    assert.equal(stackReadingShared(), false);
    assert.deepEqual(
      served.map((s) => [s.name, s.args.policies.length]),
      [[policyPackName, policies.length]],
    );
    stopServingSharedAnalysis();
    assert.equal(sharedAnalysisServed(), false);
  });
});

describe("the stack index", () => {
  const resource = (urn: string, props: object): StackResource => ({
    urn,
    name: urn,
    type: "aws:ecr/repository:Repository",
    props: props as Record<string, any>,
    propertyDependencies: {},
  });
  const a = { name: "a" };
  const b = { name: "b" };

  it("is found again for another array of the same resources with the same props objects", () => {
    const first = StackIndex.of([resource("urn:a", a), resource("urn:b", b)]);
    assert.equal(StackIndex.of([resource("urn:a", a), resource("urn:b", b)]), first);
  });

  it("is built anew when a resource, its props object, or the number of resources differs", () => {
    const first = StackIndex.of([resource("urn:a", a), resource("urn:b", b)]);
    assert.notEqual(StackIndex.of([resource("urn:a", a), resource("urn:b", { ...b })]), first);
    assert.notEqual(StackIndex.of([resource("urn:a", a), resource("urn:c", b)]), first);
    assert.notEqual(StackIndex.of([resource("urn:a", a)]), first);
    assert.notEqual(
      StackIndex.of([resource("urn:a", a), resource("urn:b", b), resource("urn:c", {})]),
      first,
    );
  });
});
