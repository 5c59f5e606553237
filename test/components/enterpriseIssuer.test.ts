/**
 * Enterprise issuers: GitHubOidcProvider creates the provider for GitHub Enterprise Cloud's
 * enterprise-specific issuer or GHE.com's; the push role's trust conditions take their keys from
 * it; the platform config takes it as a stack setting; and the pack counts providers per issuer.
 */
import { strict as assert } from "assert";
import { GitHubOidcProvider, TrustedDeliveryPipeline } from "../../components";
import { parsePlatformConfig } from "../../programs/platform/config";
import { iamOneGithubOidcProvider } from "../../policy-pack/policies/iam/iamOneGithubOidcProvider";
import { awsTypes, componentTypes } from "../../policy-pack/governance/typeTokens";
import { canAssume } from "../helpers/iam";
import { minimalPipelineArgs } from "../helpers/pipelineArgs";
import { ofType, runProgram, single } from "../helpers/offline";
import { runStackPolicy } from "../helpers/policyHarness";
import { OfflineRun } from "../../cli/preview/capture";

const OIDC = awsTypes.iamOidcProvider;
const account = "arn:aws:iam::123456789012:oidc-provider";
const issuerAllowed =
  'must be a GitHub Actions issuer: "token.actions.githubusercontent.com" (github.com), "token.actions.githubusercontent.com/<enterprise slug>" (GitHub Enterprise Cloud\'s enterprise issuer) or "token.actions.<subdomain>.ghe.com" (GHE.com), with or without https://';

/** The providers a run registered, as the pack reads them. */
const providersOf = (run: OfflineRun) =>
  ofType(run, OIDC).map((r) => ({ type: OIDC, name: r.name, props: r.inputs }));

describe("GitHubOidcProvider for enterprise issuers", () => {
  for (const [given, issuer] of [
    [
      "token.actions.githubusercontent.com/acme-corp",
      "token.actions.githubusercontent.com/acme-corp",
    ],
    [
      "https://token.actions.githubusercontent.com/acme-corp",
      "token.actions.githubusercontent.com/acme-corp",
    ],
    ["https://token.actions.Octocorp.ghe.com", "token.actions.octocorp.ghe.com"],
  ]) {
    it(`creates the provider for ${given}, its ARN naming the issuer`, async () => {
      const run = await runProgram(() => {
        const provider = new GitHubOidcProvider("github-oidc", { issuer: given });
        return { arn: provider.arn, issuer: provider.issuer };
      });
      assert.deepEqual(single(run, OIDC).inputs, {
        url: `https://${issuer}`,
        clientIdLists: ["sts.amazonaws.com"],
      });
      assert.equal(run.outputs.arn, `${account}/${issuer}`);
      assert.equal(run.outputs.issuer, issuer);
    });
  }

  it("refuses an issuer that is not github.com's, an enterprise's or GHE.com's, registering nothing", async () => {
    for (const issuer of [
      "https://github.example.com/_services/token",
      "https://token.actions.githubusercontent.com/-acme",
      "https://gitlab.com",
      "token.actions.acme.ghe.co",
    ]) {
      const registered: string[] = [];
      await assert.rejects(
        runProgram(() => {
          new GitHubOidcProvider("github-oidc", { issuer });
          registered.push("provider");
        }),
        {
          message: `GitHubOidcProvider "github-oidc" has an invalid argument:\n  - issuer is ${JSON.stringify(issuer)}; ${issuerAllowed}`,
        },
      );
      assert.deepEqual(registered, []);
    }
  });

  it("gives the push role trust conditions keyed by the enterprise issuer, admitting only its tokens", async () => {
    const run = await runProgram(() => {
      const provider = new GitHubOidcProvider("github-oidc", {
        issuer: "token.actions.githubusercontent.com/acme-corp",
      });
      const pipeline = new TrustedDeliveryPipeline("payments-api", {
        ...minimalPipelineArgs,
        oidcProviderArn: provider.arn,
      });
      return { roleArn: pipeline.roleArn };
    });
    const trust = JSON.parse(single(run, awsTypes.iamRole).inputs.assumeRolePolicy);
    const issuer = "token.actions.githubusercontent.com/acme-corp";
    assert.deepEqual(trust.Statement[0].Condition, {
      StringEquals: {
        [`${issuer}:aud`]: "sts.amazonaws.com",
        [`${issuer}:sub`]: ["repo:acme/payments-api:ref:refs/heads/main"],
      },
    });
    const sub = "repo:acme/payments-api:ref:refs/heads/main";
    assert.ok(canAssume(trust, { provider: `${account}/${issuer}`, sub }));
    assert.ok(
      !canAssume(trust, { provider: `${account}/token.actions.githubusercontent.com`, sub }),
    );
    assert.ok(
      !canAssume(trust, { provider: `${account}/token.actions.githubusercontent.com/other`, sub }),
    );
  });

  it("gives a GHE.com provider's push role keys of GHE.com's issuer", async () => {
    const run = await runProgram(() => {
      const provider = new GitHubOidcProvider("github-oidc", {
        issuer: "token.actions.octocorp.ghe.com",
      });
      new TrustedDeliveryPipeline("payments-api", {
        ...minimalPipelineArgs,
        oidcProviderArn: provider.arn,
      });
    });
    const trust = JSON.parse(single(run, awsTypes.iamRole).inputs.assumeRolePolicy);
    assert.deepEqual(Object.keys(trust.Statement[0].Condition.StringEquals), [
      "token.actions.octocorp.ghe.com:aud",
      "token.actions.octocorp.ghe.com:sub",
    ]);
    assert.equal(
      trust.Statement[0].Principal.Federated,
      `${account}/token.actions.octocorp.ghe.com`,
    );
  });

  it("iam-one-github-oidc-provider: github.com's provider and an enterprise's in one stack are two issuers", async () => {
    const run = await runProgram(() => {
      new GitHubOidcProvider("github-oidc");
      new GitHubOidcProvider("enterprise-oidc", {
        issuer: "token.actions.githubusercontent.com/acme-corp",
      });
      new GitHubOidcProvider("ghe-oidc", { issuer: "token.actions.octocorp.ghe.com" });
    });
    assert.equal(ofType(run, componentTypes.githubOidcProvider).length, 3);
    assert.deepEqual(runStackPolicy(iamOneGithubOidcProvider, providersOf(run)), []);
  });

  it("iam-one-github-oidc-provider: two providers of one enterprise issuer, however spelt, are one issuer twice", async () => {
    const run = await runProgram(() => {
      new GitHubOidcProvider("enterprise-oidc", {
        issuer: "token.actions.githubusercontent.com/acme-corp",
      });
      new GitHubOidcProvider("enterprise-again", {
        issuer: "https://token.actions.githubusercontent.com/ACME-corp/",
      });
    });
    assert.deepEqual(
      runStackPolicy(iamOneGithubOidcProvider, providersOf(run)).map((v) => v.message),
      ["enterprise-oidc", "enterprise-again"].map(
        () =>
          'GitHub OIDC provider for token.actions.githubusercontent.com/acme-corp is declared 2 times in this stack ("enterprise-oidc", "enterprise-again"); IAM allows one per account: create it once and share its ARN',
      ),
    );
  });
});

describe("the platform config's githubOidcIssuer", () => {
  const source = { project: "trusted-delivery-platform", stack: "dev", file: "Pulumi.dev.yaml" };
  const subject = 'Stack "dev" config (Pulumi.dev.yaml) has an invalid argument:';

  it("takes an enterprise or GHE.com issuer, as IAM names it", () => {
    assert.equal(
      parsePlatformConfig(source, {
        githubOidcIssuer: "https://token.actions.githubusercontent.com/acme-corp",
      }).githubOidcIssuer,
      "token.actions.githubusercontent.com/acme-corp",
    );
    assert.equal(
      parsePlatformConfig(source, { githubOidcIssuer: "token.actions.octocorp.ghe.com" })
        .githubOidcIssuer,
      "token.actions.octocorp.ghe.com",
    );
    assert.equal(parsePlatformConfig(source, {}).githubOidcIssuer, undefined);
  });

  it("refuses an issuer a provider cannot be created for, naming the key", () => {
    assert.throws(() => parsePlatformConfig(source, { githubOidcIssuer: "https://gitlab.com" }), {
      message: `${subject}\n  - trusted-delivery-platform:githubOidcIssuer is "https://gitlab.com"; ${issuerAllowed}`,
    });
  });

  it("must be the issuer of githubOidcProviderArn when both are given", () => {
    const githubOidcProviderArn = `${account}/token.actions.githubusercontent.com`;
    assert.throws(
      () =>
        parsePlatformConfig(source, {
          githubOidcProviderArn,
          githubOidcIssuer: "token.actions.githubusercontent.com/acme-corp",
        }),
      {
        message: `${subject}\n  - trusted-delivery-platform:githubOidcIssuer is "token.actions.githubusercontent.com/acme-corp"; must be the issuer of githubOidcProviderArn, "token.actions.githubusercontent.com", or be left out: the stack creates no provider when given its ARN`,
      },
    );
    assert.equal(
      parsePlatformConfig(source, {
        githubOidcProviderArn,
        githubOidcIssuer: "https://token.actions.githubusercontent.com",
      }).githubOidcProviderArn,
      githubOidcProviderArn,
    );
  });
});
