import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { DuplicateUrnError, runOffline } from "../../cli/preview/capture";
import { OfflineMocks } from "../../cli/preview/mocks";
import { appsPerTurn, platform } from "../../programs/platform/platform";
import { platformRunOptions } from "../../bench/workload";
import { runExpectingError, runProgram, testAccount } from "../helpers/offline";

const thisFile = path.relative(process.cwd(), __filename);

/** The line of this file on which `marker` stands: where a test's program constructs a resource. */
function lineOf(marker: string): number {
  return (
    fs
      .readFileSync(__filename, "utf8")
      .split("\n")
      .findIndex((l) => l.includes(marker)) + 1
  );
}

class Thing extends pulumi.CustomResource {
  constructor(name: string, args: Record<string, unknown>, opts?: pulumi.CustomResourceOptions) {
    super("test:index:Thing", name, args, opts);
  }
}

class Group extends pulumi.ComponentResource {
  constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
    super("test:index:Group", name, {}, opts);
    this.registerOutputs({});
  }
}

describe("the offline run, like the engine", () => {
  it("maps a program's stack traces to its TypeScript as before, leaves the SDK's promise stamps unmapped, and puts the formatter back", async () => {
    const formatter = Error.prepareStackTrace;
    assert.ok(formatter, "ts-node maps stack traces in the tests");
    let programStack = "";
    let stampFormatter: unknown;
    const { error } = await runExpectingError(() => {
      programStack = new Error("here").stack!; // the program's own trace
      stampFormatter = Error.prepareStackTrace;
      throw new Error("the program fails");
    });
    assert.equal(error.message, "the program fails");
    assert.ok(
      programStack.includes(
        `${path.basename(__filename)}:${lineOf("// the program's own trace")}:`,
      ),
    );
    assert.notEqual(stampFormatter, formatter);
    assert.equal(Error.prepareStackTrace, formatter);
    await runProgram(() => new Thing("after", {}));
    assert.equal(Error.prepareStackTrace, formatter);
  });

  it("stamps the SDK's promises with no stack trace and one constant description while a program runs, and puts the SDK's stamping back", async () => {
    const debuggable = require("@pulumi/pulumi/runtime/debuggable");
    const stamp = debuggable.debuggablePromise;
    const stamped = Promise.resolve(1) as Promise<number> & Record<string, unknown>;
    let stampedOutput: unknown;
    await runProgram(async () => {
      stampedOutput = await debuggable.debuggablePromise(stamped, `a label built per promise`);
      new Thing("stamped", {});
    });
    assert.equal(stampedOutput, 1);
    assert.equal(stamped._debugStackTrace, "Error");
    assert.equal(
      stamped._debugCtx,
      "(set PULUMI_DEBUG_PROMISE_LEAKS to keep promise descriptions and stack traces)",
    );
    assert.equal(debuggable.debuggablePromise, stamp);
  });

  it("records where each input was a secret, and tells of each resource as the program constructs it", async () => {
    let constructed = 0;
    const run = await runOffline({
      project: "trusted-delivery-test",
      stack: "dev",
      config: {},
      mocks: new OfflineMocks(testAccount),
      program: () => {
        new Thing("plain", { size: 1 });
        new Thing("sealed", { token: pulumi.secret("t0k3n"), size: 2 });
      },
      onConstructed: () => (constructed += 1),
    });
    const byName = new Map(run.resources.map((r) => [r.name, r]));
    assert.deepEqual(byName.get("plain")!.secretPaths, []);
    assert.deepEqual(byName.get("sealed")!.secretPaths, [["token"]]);
    assert.deepEqual(byName.get("sealed")!.secretInputs, ["token"]);
    assert.equal(byName.get("sealed")!.inputs.token, "t0k3n");
    // Every resource but the stack, which is there before the program starts.
    assert.equal(constructed, run.resources.length - 1);
  });

  it("fails a program that registers one URN twice, saying where each was constructed and how they differ", async () => {
    const { error, registered } = await runExpectingError(() => {
      new Thing("thing", { size: 1, colour: "red" }); // first thing
      new Thing("thing", { size: 2, colour: "red" }); // second thing
    });
    assert.ok(error instanceof DuplicateUrnError);
    assert.equal(
      error.message,
      [
        "Duplicate resource URN 'urn:pulumi:dev::trusted-delivery-test::pulumi:pulumi:Stack$test:index:Thing::thing'; try giving it a unique name",
        `  first registered at ${thisFile}:${lineOf("// first thing")}, with size 1`,
        `  then registered at ${thisFile}:${lineOf("// second thing")}, with size 2`,
      ].join("\n"),
    );
    // The first registration stands; the second was refused.
    assert.deepEqual(
      registered.map((r) => [r.type, r.name, r.inputs.size]),
      [["test:index:Thing", "thing", 1]],
    );
  });

  it("fails on a duplicate of any kind of resource: components, and children of one parent", async () => {
    const { error } = await runExpectingError(() => {
      const group = new Group("group");
      new Group("group"); // second group
      new Thing("child", {}, { parent: group });
      new Thing("child", {}, { parent: group });
    });
    assert.ok(error instanceof DuplicateUrnError);
    assert.equal(
      error.message,
      [
        "Duplicate resource URN 'urn:pulumi:dev::trusted-delivery-test::pulumi:pulumi:Stack$test:index:Group::group'; try giving it a unique name",
        `  first registered at ${thisFile}:${lineOf("const group = new Group")}, with the same inputs`,
        `  then registered at ${thisFile}:${lineOf("// second group")}, with the same inputs`,
      ].join("\n"),
    );
  });

  it("runs a program whose names are all distinct", async () => {
    const run = await runProgram(() => {
      new Thing("one", {});
      new Thing("two", {});
    });
    assert.deepEqual(
      run.resources.filter((r) => r.type === "test:index:Thing").map((r) => r.name),
      ["one", "two"],
    );
  });

  it("registers the platform program's first apps while it declares the later ones", async () => {
    // What the program constructed and what completed its registration, in the order they happened.
    const events: { kind: "constructed" | "registered"; resource: string }[] = [];
    const apps = 3 * appsPerTurn;
    const options = platformRunOptions(apps, "default", () => {
      pulumi.runtime.registerStackTransformation((args) => {
        events.push({ kind: "constructed", resource: `${args.type}::${args.name}` });
        return undefined;
      });
      return platform();
    });
    const run = await runOffline({
      ...options,
      onRegistered: (r) => events.push({ kind: "registered", resource: `${r.type}::${r.name}` }),
    });
    const pipelines = events.flatMap((e, at) =>
      e.kind === "constructed" &&
      e.resource.startsWith("trusted-delivery:index:TrustedDeliveryPipeline::")
        ? [at]
        : [],
    );
    assert.equal(pipelines.length, apps);
    // The first app: what its pipeline's constructor declared, up to the second app's pipeline.
    const firstApp = events
      .slice(pipelines[0], pipelines[1])
      .filter((e) => e.kind === "constructed")
      .map((e) => e.resource);
    assert.ok(firstApp.length > 5, `the first app declared ${firstApp.join(", ")}`);
    const registeredAt = new Map(
      events.flatMap((e, at) => (e.kind === "registered" ? [[e.resource, at] as const] : [])),
    );
    for (const resource of firstApp) {
      const at = registeredAt.get(resource);
      assert.ok(at !== undefined, `${resource} was never registered`);
      assert.ok(
        at < pipelines[appsPerTurn],
        `${resource} was registered after app ${appsPerTurn + 1} was declared (event ${at}, app at ${pipelines[appsPerTurn]})`,
      );
    }
    // And every resource declared is registered once.
    const declared = events.filter((e) => e.kind === "constructed").map((e) => e.resource);
    assert.deepEqual(
      run.resources
        .map((r) => `${r.type}::${r.name}`)
        .filter((r) => !r.startsWith("pulumi:pulumi:Stack"))
        .sort(),
      [...declared].sort(),
    );
  });

  it("never reaches a duplicate with the platform program: it refuses two environments of one resource name first", async () => {
    const { error } = await runExpectingError(platform, {
      project: "trusted-delivery-platform",
      stack: "prod",
      config: {
        "trusted-delivery-platform:apps": JSON.stringify({
          "ledger-service": {
            metadata: { id: "REGISTRY_LEDGER_SERVICE", owner: "team-ledger", risk: "high" },
            github: { repository: "acme/ledger-service", environments: ["prod env", "prod-env"] },
          },
        }),
      },
    });
    assert.ok(!(error instanceof DuplicateUrnError));
    assert.match(
      error.message,
      /github\.environments is \["prod env","prod-env"\]; must name distinct environments: "prod env" and "prod-env" are the same resource name/,
    );
  });
});

describe("the offline run's Terraform state mock", () => {
  const localState = (content: string | undefined) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "td-state-"));
    const file = path.join(dir, "terraform.tfstate");
    if (content !== undefined) {
      fs.writeFileSync(file, content);
    }
    return file;
  };
  const cases: [string, string | undefined, string][] = [
    ["a missing file", undefined, "it does not exist"],
    ["a file that is not JSON", "terraform state pull: error", "it is not JSON"],
    ["JSON that is not an object", "[1, 2]", "it holds JSON, but not an object"],
    ["state without outputs", '{"version": 4, "resources": []}', 'it has no "outputs" map'],
  ];
  for (const [what, content, reason] of cases) {
    it(`refuses ${what}, naming the config key and the path`, async () => {
      const file = localState(content);
      const { error } = await runExpectingError(platform, {
        project: "trusted-delivery-platform",
        config: {
          "trusted-delivery-platform:terraformState": JSON.stringify({
            backend: "local",
            path: file,
            outputs: { githubOidcProviderArn: "github_oidc_provider_arn" },
          }),
        },
      });
      // Under the bare mocks the key is generic; the plan names the stack file's (test/cli/plan.test.ts).
      assert.equal(
        error.message,
        `The offline run's config has an invalid argument:\n  - terraformState.path is ${JSON.stringify(file)}; must be a Terraform state file (JSON with an "outputs" map, as terraform state pull writes it): ${reason}`,
      );
    });
  }
});
