import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { readOncePerStack } from "../../components/stackConfig";
import { TrustedDeliveryPipeline } from "../../components/trustedDeliveryPipeline";
import { awsTypes } from "../../policy-pack/governance/typeTokens";
import { ofType, runProgram } from "../helpers/offline";

describe("readOncePerStack", () => {
  it("reads a key once in a stack and gives every later caller the first value", async () => {
    let reads = 0;
    const values: number[] = [];
    await runProgram(() => {
      for (let i = 0; i < 3; i++) {
        values.push(readOncePerStack("test:key", () => ++reads));
      }
    });
    assert.equal(reads, 1);
    assert.deepEqual(values, [1, 1, 1]);
  });

  it("reads again in the next stack, and keeps keys apart", async () => {
    let reads = 0;
    const values: number[] = [];
    for (let run = 0; run < 2; run++) {
      await runProgram(() => {
        values.push(readOncePerStack("test:a", () => ++reads));
        values.push(readOncePerStack("test:b", () => ++reads));
      });
    }
    assert.deepEqual(values, [1, 2, 3, 4]);
  });

  it("does not remember a read that throws: every caller gets the error", async () => {
    let reads = 0;
    const failing = () => {
      reads++;
      throw new Error("bad config");
    };
    await runProgram(() => {
      assert.throws(() => readOncePerStack("test:bad", failing), /^Error: bad config$/);
      assert.throws(() => readOncePerStack("test:bad", failing), /^Error: bad config$/);
    });
    assert.equal(reads, 2);
  });

  it("reads every time outside a stack", async () => {
    await pulumi.runtime.setMocks(
      { newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }), call: () => ({}) },
      "project",
      "stack",
      true,
    );
    assert.equal(pulumi.runtime.getStackResource(), undefined);
    let reads = 0;
    readOncePerStack("test:key", () => ++reads);
    readOncePerStack("test:key", () => ++reads);
    assert.equal(reads, 2);
  });
});

describe("TrustedDeliveryPipeline's reads of the stack config", () => {
  const app = (name: string) =>
    new TrustedDeliveryPipeline(name, {
      environment: "dev",
      metadata: {
        id: `REGISTRY_${name.toUpperCase().replace("-", "_")}`,
        owner: "team-payments",
        risk: "low",
      },
      github: { repository: `acme/${name}` },
    });

  it("leaves the provider's default tags to every pipeline of a stack, each stack its own", async () => {
    const environments = async (defaultTags?: Record<string, string>) => {
      const run = await runProgram(
        () => {
          app("payments-api");
          app("ledger-api");
        },
        defaultTags && { config: { "aws:defaultTags": JSON.stringify({ tags: defaultTags }) } },
      );
      return ofType(run, awsTypes.ecrRepository).map((r) => r.inputs.tags.Environment);
    };
    assert.deepEqual(await environments({ Environment: "dev" }), [undefined, undefined]);
    assert.deepEqual(await environments(), ["dev", "dev"]);
    assert.deepEqual(await environments({ Environment: "shared" }), ["dev", "dev"]);
    assert.deepEqual(await environments({ Environment: "dev" }), [undefined, undefined]);
  });
});
