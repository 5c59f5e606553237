import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import {
  GitHubOidcProvider,
  TrustedDeliveryPipeline,
  TrustedDeliveryPipelineArgs,
} from "../../components";
import { RegisteredResource, runOfflineSettled } from "../../cli/preview/capture";
import { canAssume } from "../helpers/iam";
import { minimalPipelineArgs } from "../helpers/pipelineArgs";
import { awsTypes } from "../../policy-pack/governance/typeTokens";

// A platform engineer's own mocks, as Pulumi's testing guide writes them: every resource gets
// its inputs back, and an `arn` the test makes up (or none). The offline run records what was
// registered and fails on any unhandled rejection, so a run that passes had none.

const githubArn = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";
const mainBranch = "repo:acme/payments-api:ref:refs/heads/main";

/** Mocks that give every resource the ARN `arnOf` makes up for it (none when undefined). */
function userMocks(arnOf: (name: string) => string | undefined): pulumi.runtime.Mocks {
  return {
    newResource: (args) => {
      const arn = arnOf(args.name);
      return {
        id: `${args.name}-id`,
        state: { ...args.inputs, ...(arn === undefined ? {} : { arn }) },
      };
    },
    call: (args) => args.inputs,
  };
}

function run(mocks: pulumi.runtime.Mocks, program: () => unknown) {
  return runOfflineSettled({
    project: "user-tests",
    stack: "dev",
    config: {},
    mocks,
    preview: false,
    program,
  });
}

function pipeline(args: Partial<TrustedDeliveryPipelineArgs> = {}) {
  return () => {
    new TrustedDeliveryPipeline("payments-api", { ...minimalPipelineArgs, ...args });
  };
}

function role(resources: readonly RegisteredResource[]): RegisteredResource {
  const roles = resources.filter((r) => r.type === awsTypes.iamRole);
  assert.equal(roles.length, 1);
  return roles[0];
}

/** The trust policy with the principal as the mocks gave it, and its meaning with a real one. */
function trustOf(resources: readonly RegisteredResource[]) {
  const document = JSON.parse(role(resources).inputs.assumeRolePolicy);
  const principals = document.Statement.map((s: any) => s.Principal);
  const real = {
    ...document,
    Statement: document.Statement.map((s: any) => ({ ...s, Principal: { Federated: githubArn } })),
  };
  return {
    principals,
    admitsMain: canAssume(real, { sub: mainBranch }),
    admitsFeature: canAssume(real, { sub: "repo:acme/payments-api:ref:refs/heads/feature" }),
  };
}

describe("TrustedDeliveryPipeline under a test's own mocks", function () {
  this.timeout(60000);

  const madeUp: [string, (name: string) => string | undefined, unknown][] = [
    [
      "a generic provider ARN",
      () => "arn:aws:iam::123456789012:oidc-provider/example",
      { Federated: "arn:aws:iam::123456789012:oidc-provider/example" },
    ],
    ['just "arn"', () => "arn", { Federated: "arn" }],
    ["the resource's name", (name) => name, { Federated: "payments-api-oidc" }],
    ["no ARN at all", () => undefined, {}],
  ];
  for (const [what, arnOf, principal] of madeUp) {
    it(`trusts GitHub's issuer for the provider it creates, whose ARN the mocks make ${what}`, async () => {
      const result = await run(userMocks(arnOf), pipeline());
      assert.ok(!("error" in result), String((result as { error?: unknown }).error));
      const trust = trustOf(result.resources);
      assert.deepEqual(trust.principals, [principal]);
      assert.equal(trust.admitsMain, true);
      assert.equal(trust.admitsFeature, false);
    });
  }

  it("trusts GitHub's issuer for a GitHubOidcProvider's arn, whatever ARN the mocks make up", async () => {
    const result = await run(
      userMocks(() => "arn"),
      () => {
        const oidc = new GitHubOidcProvider("github-oidc");
        pipeline({ oidcProviderArn: oidc.arn })();
      },
    );
    assert.ok(!("error" in result), String((result as { error?: unknown }).error));
    const trust = trustOf(result.resources);
    assert.deepEqual(trust.principals, [{ Federated: "arn" }]);
    assert.equal(trust.admitsMain, true);
  });

  it("refuses an ARN output of unknown origin that names no GitHub issuer, by field and value, without a stack trace", async () => {
    const result = await run(
      userMocks(() => "arn"),
      pipeline({
        oidcProviderArn: pulumi.output("arn:aws:iam::123456789012:oidc-provider/example"),
      }),
    );
    assert.ok("error" in result, "the run passed");
    const error = result.error as Error;
    const message =
      'TrustedDeliveryPipeline "payments-api" has an invalid argument:\n' +
      '  - oidcProviderArn is "arn:aws:iam::123456789012:oidc-provider/example"; must be the ARN of a GitHub Actions OIDC provider (github.com, an enterprise\'s issuer, GHE.com or GitHub Enterprise Server), e.g. "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"; it was given as an output, so it is checked once known (in a test under pulumi.runtime.setMocks, return such an ARN for it, or pass a GitHubOidcProvider\'s arn, whose issuer is known)';
    assert.equal(error.message, message);
    assert.equal(error.stack, `InvalidArgumentsError: ${message}`);
    // Without an engine, the error is also written where a test runner shows it.
    assert.deepEqual(
      result.logs.filter((log) => log.severity === "error").map((log) => log.message),
      [message],
    );
    // The role, whose trust policy it is, is not created.
    assert.deepEqual(
      result.resources.filter((r) => r.type === awsTypes.iamRole),
      [],
    );
  });

  it("refuses an ARN output that resolves to nothing, saying it is missing", async () => {
    const result = await run(
      userMocks(() => "arn"),
      pipeline({ oidcProviderArn: pulumi.output(undefined as unknown as string) }),
    );
    assert.ok("error" in result, "the run passed");
    assert.equal(
      (result.error as Error).message,
      'TrustedDeliveryPipeline "payments-api" has an invalid argument:\n' +
        "  - oidcProviderArn is missing; must be the ARN of a GitHub Actions OIDC provider (github.com, an enterprise's issuer, GHE.com or GitHub Enterprise Server), e.g. \"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com\"; it was given as an output, so it is checked once known (in a test under pulumi.runtime.setMocks, return such an ARN for it, or pass a GitHubOidcProvider's arn, whose issuer is known)",
    );
  });

  it("keeps a real provider ARN as it is, with conditions on its own issuer", async () => {
    const enterprise =
      "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com/acme";
    const result = await run(
      userMocks(() => "arn"),
      pipeline({ oidcProviderArn: pulumi.output(enterprise) }),
    );
    assert.ok(!("error" in result), String((result as { error?: unknown }).error));
    const document = JSON.parse(role(result.resources).inputs.assumeRolePolicy);
    assert.deepEqual(document.Statement[0].Principal, { Federated: enterprise });
    assert.deepEqual(Object.keys(document.Statement[0].Condition.StringEquals), [
      "token.actions.githubusercontent.com/acme:aud",
      "token.actions.githubusercontent.com/acme:sub",
    ]);
  });
});
