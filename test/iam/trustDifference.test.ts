import { strict as assert } from "assert";
import { parsePolicyDocument, PolicyDocument } from "../../policy-pack/iam/document";
import { Budget } from "../../policy-pack/iam/budget";
import {
  DifferenceExample,
  trustDifference,
  TrustDifference,
} from "../../policy-pack/iam/trust/difference";
import { decideToken } from "../../policy-pack/iam/trust";

const issuer = "token.actions.githubusercontent.com";
const provider = `arn:aws:iam::123456789012:oidc-provider/${issuer}`;
const enterpriseIssuer = "token.actions.githubusercontent.com/acme-enterprise";
const enterpriseProvider = `arn:aws:iam::123456789012:oidc-provider/${enterpriseIssuer}`;

type Conditions = Record<string, Record<string, string | string[]>>;

function allow(conditions: Conditions, federated = provider): Record<string, unknown> {
  return {
    Effect: "Allow",
    Principal: { Federated: federated },
    Action: "sts:AssumeRoleWithWebIdentity",
    Condition: conditions,
  };
}

function trust(...statements: Record<string, unknown>[]): PolicyDocument {
  const parsed = parsePolicyDocument({ Version: "2012-10-17", Statement: statements });
  if ("error" in parsed) {
    throw new Error(parsed.error);
  }
  return parsed;
}

const aud = { [`${issuer}:aud`]: "sts.amazonaws.com" };
const main = "repo:acme/payments-api:ref:refs/heads/main";
const tags = "repo:acme/payments-api:ref:refs/tags/v*";

/** The trust the pipeline writes for branches [main] and tags [v*]. */
const mainAndTags = trust(
  allow({ StringEquals: { ...aud, [`${issuer}:sub`]: [main] } }),
  allow({ StringEquals: aud, StringLike: { [`${issuer}:sub`]: [tags] } }),
);

function kinds(examples: readonly DifferenceExample[]): string[] {
  return examples.map((e) => e.kind);
}

/** Every wider example is admitted by the new trust and refused by the old (when certain). */
function assertWitnessed(before: PolicyDocument, after: PolicyDocument, d: TrustDifference): void {
  for (const example of d.wider.filter((e) => e.certain)) {
    assert.equal(decideToken(after, example.token).admitted, true, example.description);
    assert.equal(decideToken(before, example.token).admitted, false, example.description);
  }
  for (const example of d.narrower.filter((e) => e.certain)) {
    assert.equal(decideToken(before, example.token).admitted, true, example.description);
    assert.equal(decideToken(after, example.token).admitted, false, example.description);
  }
}

describe("trustDifference: what a new trust policy admits that the old one did not", () => {
  it("a trust compared with itself is neither wider nor narrower", () => {
    assert.deepEqual(trustDifference(mainAndTags, mainAndTags), { wider: [], narrower: [] });
  });

  it("adding release/* is wider by a branch, shown as a release/ branch", () => {
    const after = trust(
      allow({ StringEquals: { ...aud, [`${issuer}:sub`]: [main] } }),
      allow({
        StringEquals: aud,
        StringLike: {
          [`${issuer}:sub`]: [tags, "repo:acme/payments-api:ref:refs/heads/release/*"],
        },
      }),
    );
    const d = trustDifference(mainAndTags, after);
    assert.deepEqual(kinds(d.wider), ["branch"]);
    assert.match(d.wider[0].token.sub, /^repo:acme\/payments-api:ref:refs\/heads\/release\/.+/);
    assert.match(d.wider[0].description, /^branch release\/.+ of acme\/payments-api: sub "/);
    assert.equal(d.wider[0].certain, true);
    assert.deepEqual(d.narrower, []);
    assertWitnessed(mainAndTags, after, d);
    // And removing it again is narrower by the same branch, wider by nothing.
    const back = trustDifference(after, mainAndTags);
    assert.deepEqual(back.wider, []);
    assert.deepEqual(kinds(back.narrower), ["branch"]);
  });

  it("equal trusts spelled differently are neither wider nor narrower", () => {
    const respelled = trust(
      // StringLike without wildcards is StringEquals; the values reordered; split statements.
      allow({
        StringLike: { [`${issuer}:sub`]: main, [`${issuer}:aud`]: ["sts.amazonaws.com"] },
      }),
      allow({ StringLike: { [`${issuer}:sub`]: [tags] }, StringEquals: aud }),
    );
    const reordered = trust(
      allow({ StringEquals: aud, StringLike: { [`${issuer}:sub`]: [tags, main] } }),
    );
    assert.deepEqual(trustDifference(mainAndTags, respelled), { wider: [], narrower: [] });
    assert.deepEqual(trustDifference(respelled, reordered), { wider: [], narrower: [] });
    assert.deepEqual(trustDifference(reordered, mainAndTags), { wider: [], narrower: [] });
  });

  it("names to ids (the same subjects, pinned by repository_id and repository_owner_id) is nothing wider", () => {
    const byIds = trust(
      allow({
        StringEquals: {
          ...aud,
          [`${issuer}:sub`]: [main],
          [`${issuer}:repository_id`]: "98765",
          [`${issuer}:repository_owner_id`]: "1234",
        },
      }),
      allow({
        StringEquals: {
          ...aud,
          [`${issuer}:repository_id`]: "98765",
          [`${issuer}:repository_owner_id`]: "1234",
        },
        StringLike: { [`${issuer}:sub`]: [tags] },
      }),
    );
    const d = trustDifference(mainAndTags, byIds);
    assert.deepEqual(d.wider, []);
    assert.equal(d.undecided, undefined);
    // What it no longer admits: the same subject from a repository of another id (one deleted
    // and made again under the name), shown by its claims.
    assert.deepEqual(kinds(d.narrower), ["claims"]);
    assert.equal(d.narrower[0].certain, true);
    assert.notEqual(d.narrower[0].token.claims?.repository_id, "98765");
  });

  it("names to ids with both subject forms is nothing wider: the immutable form is the same run spelt the other way", () => {
    const ids = {
      [`${issuer}:repository_id`]: "98765",
      [`${issuer}:repository_owner_id`]: "1234",
    };
    const byIds = trust(
      allow({
        StringEquals: {
          ...aud,
          ...ids,
          [`${issuer}:sub`]: [main, "repo:acme@1234/payments-api@98765:ref:refs/heads/main"],
        },
      }),
      allow({
        StringEquals: { ...aud, ...ids },
        StringLike: {
          [`${issuer}:sub`]: [tags, "repo:acme@1234/payments-api@98765:ref:refs/tags/v*"],
        },
      }),
    );
    const d = trustDifference(mainAndTags, byIds);
    assert.deepEqual(kinds(d.wider), []);
    // An immutable subject of another repository id is still wider: only the same run's twin is
    // set aside.
    const otherId = trust(
      allow({
        StringEquals: {
          ...aud,
          [`${issuer}:sub`]: [main, "repo:acme@1234/payments-api@11111:ref:refs/heads/main"],
        },
      }),
    );
    assert.ok(trustDifference(byIds, otherId).wider.length > 0);
    assertWitnessed(mainAndTags, byIds, d);
  });

  it("pinning another reusable workflow is wider by a workflow, with its job_workflow_ref", () => {
    const pinned = (ref: string) =>
      trust(
        allow({
          StringEquals: {
            ...aud,
            [`${issuer}:sub`]: [main],
            [`${issuer}:job_workflow_ref`]: `acme/workflows/.github/workflows/build.yml@${ref}`,
          },
        }),
      );
    const d = trustDifference(pinned("refs/tags/v1"), pinned("refs/tags/v2"));
    assert.deepEqual(kinds(d.wider), ["workflow"]);
    assert.equal(
      d.wider[0].token.claims?.job_workflow_ref,
      "acme/workflows/.github/workflows/build.yml@refs/tags/v2",
    );
    assert.equal(d.wider[0].token.sub, main);
    assert.equal(d.wider[0].certain, true);
    assert.deepEqual(kinds(d.narrower), ["workflow"]);
  });

  it("admitting pull requests is wider by a pull request", () => {
    const after = trust(
      allow({
        StringEquals: {
          ...aud,
          [`${issuer}:sub`]: [main, "repo:acme/payments-api:pull_request"],
        },
      }),
      allow({ StringEquals: aud, StringLike: { [`${issuer}:sub`]: [tags] } }),
    );
    const d = trustDifference(mainAndTags, after);
    assert.deepEqual(kinds(d.wider), ["pull-request"]);
    assert.equal(d.wider[0].token.sub, "repo:acme/payments-api:pull_request");
    assertWitnessed(mainAndTags, after, d);
  });

  it("trusting another repository is wider by a repository", () => {
    const after = trust(
      allow({
        StringEquals: { ...aud, [`${issuer}:sub`]: [main, "repo:acme/ledger:ref:refs/heads/main"] },
      }),
      allow({ StringEquals: aud, StringLike: { [`${issuer}:sub`]: [tags] } }),
    );
    const d = trustDifference(mainAndTags, after);
    assert.deepEqual(kinds(d.wider), ["repository"]);
    assert.equal(
      d.wider[0].description,
      'another repository, acme/ledger: sub "repo:acme/ledger:ref:refs/heads/main"',
    );
    assertWitnessed(mainAndTags, after, d);
  });

  it("a wildcard that spans the colon after the name is wider by every kind of the repository's runs", () => {
    const after = trust(
      allow({
        StringEquals: aud,
        StringLike: { [`${issuer}:sub`]: [main, tags, "repo:acme/*:ref:refs/heads/main"] },
      }),
    );
    const d = trustDifference(mainAndTags, after);
    // "repo:acme/payments-api:pull_request:ref:refs/heads/main" is a subject a customised
    // template may give a pull request's run: the * matches "payments-api:pull_request".
    assert.deepEqual(kinds(d.wider), [
      "repository",
      "pull-request",
      "branch",
      "tag",
      "environment",
      "claims",
    ]);
    assertWitnessed(mainAndTags, after, d);
  });

  it("trusting another issuer is wider by an issuer, with a token of that issuer", () => {
    const enterpriseAud = { [`${enterpriseIssuer}:aud`]: "sts.amazonaws.com" };
    const after = trust(
      allow({ StringEquals: { ...aud, [`${issuer}:sub`]: [main] } }),
      allow({ StringEquals: aud, StringLike: { [`${issuer}:sub`]: [tags] } }),
      allow(
        { StringEquals: { ...enterpriseAud, [`${enterpriseIssuer}:sub`]: [main] } },
        enterpriseProvider,
      ),
    );
    const d = trustDifference(mainAndTags, after);
    assert.deepEqual(kinds(d.wider), ["issuer"]);
    assert.equal(d.wider[0].token.issuer, enterpriseIssuer);
    assert.equal(d.wider[0].token.provider, enterpriseProvider);
    assert.equal(d.wider[0].token.sub, main);
    assertWitnessed(mainAndTags, after, d);
  });

  it("dropping the audience condition is wider by an audience", () => {
    const after = trust(
      allow({ StringEquals: { [`${issuer}:sub`]: [main] } }),
      allow({ StringEquals: aud, StringLike: { [`${issuer}:sub`]: [tags] } }),
    );
    const d = trustDifference(mainAndTags, after);
    assert.deepEqual(kinds(d.wider), ["audience"]);
    assert.notEqual(d.wider[0].token.aud, "sts.amazonaws.com");
    assert.equal(d.wider[0].token.sub, main);
  });

  it("an environment instead of branches is wider by an environment and narrower by a branch and a tag", () => {
    const after = trust(
      allow({
        StringEquals: { ...aud, [`${issuer}:sub`]: "repo:acme/payments-api:environment:prod" },
      }),
    );
    const d = trustDifference(mainAndTags, after);
    assert.deepEqual(kinds(d.wider), ["environment"]);
    assert.equal(d.wider[0].token.sub, "repo:acme/payments-api:environment:prod");
    assert.deepEqual(kinds(d.narrower), ["branch", "tag"]);
    assertWitnessed(mainAndTags, after, d);
  });

  it("a condition the model cannot evaluate, removed, shows as wider (fail closed), not certain", () => {
    const before = trust(
      allow({
        StringEquals: { ...aud, [`${issuer}:sub`]: [main], [`${issuer}:no_such_claim`]: "x" },
      }),
    );
    const after = trust(allow({ StringEquals: { ...aud, [`${issuer}:sub`]: [main] } }));
    const d = trustDifference(before, after);
    assert.equal(d.wider.length, 1);
    assert.equal(d.wider[0].certain, false);
    assert.equal(d.wider[0].token.sub, main);
    assert.match(d.wider[0].description, /\(may: it rests on .*no_such_claim/);
  });

  it("running out of budget ends in undecided", () => {
    const after = trust(
      allow({ StringEquals: aud, StringLike: { [`${issuer}:sub`]: ["repo:*/*:*"] } }),
    );
    const d = trustDifference(mainAndTags, after, undefined, new Budget(10));
    assert.match(
      d.undecided ?? "",
      /^the comparison could not be finished: the analysis needed more than 10 steps/,
    );
  });
});
