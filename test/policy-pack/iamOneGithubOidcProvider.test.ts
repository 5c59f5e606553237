import { strict as assert } from "assert";
import { iamOneGithubOidcProvider } from "../../policy-pack/policies/iam/iamOneGithubOidcProvider";
import { runStackPolicy, TestStackResource, urnOf } from "../helpers/policyHarness";
import { awsNativeTypes, awsTypes } from "../../policy-pack/governance/typeTokens";

const provider = (
  name: string,
  url: string,
  type: string = awsTypes.iamOidcProvider,
): TestStackResource => ({
  type,
  name,
  props: { url, clientIdLists: ["sts.amazonaws.com"] },
});

describe("iam-one-github-oidc-provider", () => {
  it("Compliance 1: one GitHub provider, and providers of other issuers", () => {
    assert.deepEqual(
      runStackPolicy(iamOneGithubOidcProvider, [
        provider("github-oidc", "https://token.actions.githubusercontent.com"),
        provider("gitlab", "https://gitlab.com"),
      ]),
      [],
    );
  });

  it("Compliance 2: github.com's issuer and an enterprise issuer path are different providers", () => {
    assert.deepEqual(
      runStackPolicy(iamOneGithubOidcProvider, [
        provider("github-oidc", "https://token.actions.githubusercontent.com"),
        provider("github-enterprise", "https://token.actions.githubusercontent.com/acme-corp"),
      ]),
      [],
    );
  });

  it("Noncompliance 1: two providers for the same issuer, across both AWS providers, reported on each", () => {
    const first = provider("github-oidc", "https://token.actions.githubusercontent.com");
    const second = provider(
      "payments-api-oidc",
      "https://token.actions.githubusercontent.com/",
      awsNativeTypes.iamOidcProvider,
    );
    const message =
      'GitHub OIDC provider for token.actions.githubusercontent.com is declared 2 times in this stack ("github-oidc", "payments-api-oidc"); IAM allows one per account: create it once and share its ARN';
    assert.deepEqual(runStackPolicy(iamOneGithubOidcProvider, [first, second]), [
      { message, urn: urnOf(first) },
      { message, urn: urnOf(second) },
    ]);
  });
});
