import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";

// The mocks stand in for the providers: each resource gets its inputs back, with an id and an
// ARN made up from its name. TrustedDeliveryPipeline calls no provider function (no invoke), so
// `call` is never asked; it echoes its inputs for programs that do.
pulumi.runtime.setMocks(
  {
    newResource: (args) => ({
      id: `${args.name}-id`,
      state: { ...args.inputs, arn: `arn:aws:mock::123456789012:${args.name}` },
    }),
    call: (args) => args.inputs,
  },
  "platform", // the project
  "prod", // the stack, which the program takes as its environment
  false, // not a preview: every output is known
);
// The default GitHub provider's owner, as `pulumi config set github:owner acme` sets it: the
// pipeline refuses a repository of another owner.
pulumi.runtime.setAllConfig({ "github:owner": "acme" });

/** An output's value, once the mocks have made it known. */
function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply(resolve));
}

describe("the platform program", () => {
  // Loaded after setMocks, so that what it creates is registered with the mocks.
  let program: typeof import("./index");
  before(async () => {
    program = await import("./index");
  });

  it("lets only jobs in acme/payments-api's production environment assume the push role", async () => {
    const trust = JSON.parse(await valueOf(program.payments.role.assumeRolePolicy));
    assert.deepEqual(trust.Statement, [
      {
        Sid: "GitHubActionsExactSubjects",
        Effect: "Allow",
        Principal: { Federated: await valueOf(program.payments.oidcProviderArn) },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: {
            "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
            "token.actions.githubusercontent.com:sub": [
              "repo:acme/payments-api:environment:production",
            ],
          },
        },
      },
    ]);
  });

  it("tags the ECR repository with its governance metadata and the environment", async () => {
    assert.deepEqual(await valueOf(program.payments.repository.tags), {
      "goldenpath.idp/id": "REGISTRY_PAYMENTS_API",
      "goldenpath.idp/owner": "team-payments",
      "goldenpath.idp/risk": "high",
      Environment: "prod",
    });
  });

  it("lets the push role sign with the environment's signing profile and no other", async () => {
    const policy = JSON.parse(await valueOf(program.payments.pushPolicy.policy));
    const signing = policy.Statement.filter((statement: { Action: unknown }) =>
      JSON.stringify(statement.Action).includes("signer:"),
    );
    assert.deepEqual(signing, [
      {
        Sid: "SignWithThePlatformProfile",
        Effect: "Allow",
        Action: "signer:SignPayload",
        Resource: await valueOf(program.signingProfile.arn),
      },
    ]);
  });
});
