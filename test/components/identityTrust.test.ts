import { strict as assert } from "assert";
import fc from "fast-check";
import * as pulumi from "@pulumi/pulumi";
import { TrustedDeliveryPipeline, TrustedDeliveryPipelineArgs } from "../../components";
import { checkPipelineArgs } from "../../components/checks/pipeline";
import { githubIdentityFunctions } from "../../components/githubIdentity";
import { longestGitHubIds } from "../../components/githubTrust";
import {
  githubTrustPolicy,
  pipelineTrust,
  PipelineTrustSpec,
  trustPolicyLength,
} from "../../components/trustPolicy";
import { validateTrustedDeliveryPipelineArgs } from "../../components/validation";
import { mockedGitHubIdsNote, OfflineMocks, offlineGitHubIds } from "../../cli/preview/mocks";
import { parsePolicyDocument, PolicyDocument } from "../../policy-pack/iam/document";
import { analyzeTrust } from "../../policy-pack/iam/trust";
import { awsTypes } from "../../policy-pack/governance/typeTokens";
import { canAssume, githubProviderArn } from "../helpers/iam";
import { minimalPipelineArgs } from "../helpers/pipelineArgs";
import { runExpectingError, runProgram, single, testAccount } from "../helpers/offline";

const ROLE = awsTypes.iamRole;
const TEMPLATE =
  "github:index/actionsRepositoryOidcSubjectClaimCustomizationTemplate:ActionsRepositoryOidcSubjectClaimCustomizationTemplate";
const issuer = "token.actions.githubusercontent.com";

/** The pipeline's push role trust policy, as it registers it, for these GitHub settings. */
async function trustPolicyFor(
  github: Partial<TrustedDeliveryPipelineArgs["github"]>,
  options: { mocks?: OfflineMocks } = {},
) {
  const run = await runProgram(() => {
    const pipeline = new TrustedDeliveryPipeline("payments-api", {
      ...minimalPipelineArgs,
      oidcProviderArn: githubProviderArn,
      github: { ...minimalPipelineArgs.github, ...github },
    });
    return { subjects: pipeline.subjects };
  }, options);
  return {
    text: single(run, ROLE).inputs.assumeRolePolicy as string,
    policy: JSON.parse(single(run, ROLE).inputs.assumeRolePolicy),
    run,
  };
}

/** Mocks that count the GitHub lookups and answer getRepository as `answer` says. */
class GitHubLookupMocks extends OfflineMocks {
  readonly lookups: string[] = [];
  constructor(private readonly answer: "found" | "not found" | "no id" = "found") {
    super(testAccount);
  }
  call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
    if (Object.values<string>(githubIdentityFunctions).includes(args.token)) {
      this.lookups.push(args.token);
    }
    if (args.token === githubIdentityFunctions.getRepository && this.answer === "not found") {
      // As the engine passes a provider's failure on: its text in the gRPC status details.
      const message = `GET https://api.github.com/repos/${args.inputs.fullName}: 404 Not Found []`;
      throw Object.assign(new Error(message), { details: message });
    }
    if (args.token === githubIdentityFunctions.getRepository && this.answer === "no id") {
      return { fullName: args.inputs.fullName };
    }
    return super.call(args);
  }
}

// The offline run's stand-ins for acme/payments-api: stable, from the names alone.
const ownerId = 794058306;
const repositoryId = 677169572;

describe("trust by identity (github.trust)", () => {
  it('with "name", the default, makes the trust policy the pipeline always made, byte for byte', async () => {
    const expected = `{"Version":"2012-10-17","Statement":[{"Sid":"GitHubActionsExactSubjects","Effect":"Allow","Principal":{"Federated":"${githubProviderArn}"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"${issuer}:aud":"sts.amazonaws.com","${issuer}:sub":["repo:acme/payments-api:ref:refs/heads/main"]}}}]}`;
    assert.equal((await trustPolicyFor({})).text, expected);
    assert.equal((await trustPolicyFor({ trust: "name" })).text, expected);
  });

  it('with "name", reads nothing from GitHub and manages no subject claim template', async () => {
    const mocks = new GitHubLookupMocks();
    const { run } = await trustPolicyFor({ branches: ["main", "release/*"] }, { mocks });
    assert.deepEqual(mocks.lookups, []);
    assert.deepEqual(
      run.resources.filter((r) => r.type === TEMPLATE),
      [],
    );
  });

  it('with "name" and ids given, keeps the immutable subject form alone, without id conditions', async () => {
    const { policy } = await trustPolicyFor({ ownerId: 1234, repositoryId: 98765 });
    assert.deepEqual(policy.Statement[0].Condition, {
      StringEquals: {
        [`${issuer}:aud`]: "sts.amazonaws.com",
        [`${issuer}:sub`]: ["repo:acme@1234/payments-api@98765:ref:refs/heads/main"],
      },
    });
  });

  it('with "id", pins repository_id and repository_owner_id and admits sub in both forms, for every branch, tag and environment', async () => {
    const { policy, run } = await trustPolicyFor({
      trust: "id",
      branches: ["main", "release/*"],
      tags: ["v1"],
    });
    const statement = (sid: string, condition: unknown) => ({
      Sid: sid,
      Effect: "Allow",
      Principal: { Federated: githubProviderArn },
      Action: "sts:AssumeRoleWithWebIdentity",
      Condition: condition,
    });
    const ids = {
      [`${issuer}:repository_id`]: String(repositoryId),
      [`${issuer}:repository_owner_id`]: String(ownerId),
    };
    assert.deepEqual(policy, {
      Version: "2012-10-17",
      Statement: [
        statement("GitHubActionsExactSubjects", {
          StringEquals: {
            [`${issuer}:aud`]: "sts.amazonaws.com",
            [`${issuer}:sub`]: [
              "repo:acme/payments-api:ref:refs/heads/main",
              "repo:acme/payments-api:ref:refs/tags/v1",
              `repo:acme@${ownerId}/payments-api@${repositoryId}:ref:refs/heads/main`,
              `repo:acme@${ownerId}/payments-api@${repositoryId}:ref:refs/tags/v1`,
            ],
            ...ids,
          },
        }),
        statement("GitHubActionsSubjectPatterns", {
          StringEquals: { [`${issuer}:aud`]: "sts.amazonaws.com", ...ids },
          StringLike: {
            [`${issuer}:sub`]: [
              "repo:acme/payments-api:ref:refs/heads/release/*",
              `repo:acme@${ownerId}/payments-api@${repositoryId}:ref:refs/heads/release/*`,
            ],
          },
        }),
      ],
    });
    assert.deepEqual(run.outputs.subjects, [
      "repo:acme/payments-api:ref:refs/heads/main",
      "repo:acme/payments-api:ref:refs/heads/release/*",
      "repo:acme/payments-api:ref:refs/tags/v1",
      `repo:acme@${ownerId}/payments-api@${repositoryId}:ref:refs/heads/main`,
      `repo:acme@${ownerId}/payments-api@${repositoryId}:ref:refs/heads/release/*`,
      `repo:acme@${ownerId}/payments-api@${repositoryId}:ref:refs/tags/v1`,
    ]);
  });

  it('with "id", admits the repository with either subject form, and refuses a recreated or renamed-away repository of the same name', async () => {
    const { policy } = await trustPolicyFor({ trust: "id" });
    const claims = { repository_id: String(repositoryId), repository_owner_id: String(ownerId) };
    const byName = "repo:acme/payments-api:ref:refs/heads/main";
    const immutable = `repo:acme@${ownerId}/payments-api@${repositoryId}:ref:refs/heads/main`;
    assert.equal(canAssume(policy, { sub: byName, claims }), true);
    assert.equal(canAssume(policy, { sub: immutable, claims }), true);
    // Deleted and created again: the same name, a new repository id.
    const recreated = { ...claims, repository_id: String(repositoryId + 1) };
    assert.equal(canAssume(policy, { sub: byName, claims: recreated }), false);
    // Another owner's repository renamed to acme/payments-api after acme's was renamed away.
    const impostor = { ...claims, repository_owner_id: String(ownerId + 1) };
    assert.equal(canAssume(policy, { sub: byName, claims: impostor }), false);
    // A token without the id claims is refused too.
    assert.equal(canAssume(policy, { sub: byName }), false);
  });

  it("looks the ids up on GitHub once per pipeline, through getRepository and getUser", async () => {
    const mocks = new GitHubLookupMocks();
    await trustPolicyFor({ trust: "id" }, { mocks });
    assert.deepEqual(mocks.lookups.sort(), [
      githubIdentityFunctions.getRepository,
      githubIdentityFunctions.getUser,
    ]);
  });

  it("uses ownerId and repositoryId given by hand instead of the looked-up ids, and looks nothing up", async () => {
    const mocks = new GitHubLookupMocks();
    const { policy } = await trustPolicyFor(
      { trust: "id", ownerId: 1234, repositoryId: 98765 },
      { mocks },
    );
    assert.deepEqual(mocks.lookups, []);
    assert.deepEqual(policy.Statement[0].Condition.StringEquals, {
      [`${issuer}:aud`]: "sts.amazonaws.com",
      [`${issuer}:sub`]: [
        "repo:acme/payments-api:ref:refs/heads/main",
        "repo:acme@1234/payments-api@98765:ref:refs/heads/main",
      ],
      [`${issuer}:repository_id`]: "98765",
      [`${issuer}:repository_owner_id`]: "1234",
    });
  });

  it("with \"id\", manages the repository's OIDC subject claim template at GitHub's default", async () => {
    const { run } = await trustPolicyFor({ trust: "id" });
    const template = single(run, TEMPLATE);
    assert.equal(template.name, "payments-api-oidc-subject-template");
    assert.deepEqual(template.inputs, { repository: "payments-api", useDefault: true });
    assert.equal(
      template.parent,
      single(run, "trusted-delivery:index:TrustedDeliveryPipeline").urn,
    );
  });

  it("refuses a repository GitHub cannot find, naming the app, github.repository and the value", async () => {
    const mocks = new GitHubLookupMocks("not found");
    const { error, registered } = await runExpectingError(
      () =>
        new TrustedDeliveryPipeline("payments-api", {
          ...minimalPipelineArgs,
          github: { repository: "acme/payments-api", trust: "id" },
        }),
      { mocks },
    );
    assert.equal(
      error.message,
      'TrustedDeliveryPipeline "payments-api" has an invalid argument:\n  - github.repository is "acme/payments-api"; must be a repository the GitHub provider can read, for trust: "id" to pin its ids: looking it up failed (GET https://api.github.com/repos/acme/payments-api: 404 Not Found []); check the name, that the repository exists, and that the provider\'s token may read it, or give github.ownerId and github.repositoryId',
    );
    assert.deepEqual(
      registered.filter((r) => r.type === ROLE && r.inputs.assumeRolePolicy !== undefined),
      [],
    );
  });

  it("refuses a lookup that answers without the repository's id, rather than trusting no id", async () => {
    const mocks = new GitHubLookupMocks("no id");
    const { error } = await runExpectingError(
      () =>
        new TrustedDeliveryPipeline("payments-api", {
          ...minimalPipelineArgs,
          github: { repository: "acme/payments-api", trust: "id" },
        }),
      { mocks },
    );
    assert.match(
      error.message,
      /^TrustedDeliveryPipeline "payments-api" has an invalid argument:\n {2}- github\.repository is "acme\/payments-api"; must be a repository the GitHub provider can read, for trust: "id" to pin its ids: looking it up failed \(GitHub's answer holds no repository id\);/,
    );
  });

  it("the offline run's ids are stable, derived from the names, and noted as mocked in the plan's log", async () => {
    assert.deepEqual(offlineGitHubIds("acme/payments-api"), { ownerId, repositoryId });
    assert.deepEqual(offlineGitHubIds("ACME/Payments-API"), { ownerId, repositoryId });
    assert.notEqual(offlineGitHubIds("acme/ledger").repositoryId, repositoryId);
    assert.equal(offlineGitHubIds("acme/ledger").ownerId, ownerId);
    const { run } = await trustPolicyFor({ trust: "id" });
    assert.deepEqual(run.logs, [
      { severity: "warning", message: mockedGitHubIdsNote("acme/payments-api") },
    ]);
    assert.equal(
      mockedGitHubIdsNote("acme/payments-api"),
      `GitHub ids of acme/payments-api are mocked (owner ${ownerId}, repository ${repositoryId}): the offline run reads nothing from GitHub, so the trust policy above pins stand-ins; pulumi up reads the real ids with the GitHub provider`,
    );
  });

  it("refuses a trust that is neither name nor id", () => {
    assert.deepEqual(
      validateTrustedDeliveryPipelineArgs("payments-api", {
        ...minimalPipelineArgs,
        github: { repository: "acme/payments-api", trust: "ids" },
      }).map((p) => p.message),
      [
        'github.trust is "ids"; must be one of "name", "id": "name" trusts the repository by its name (the default), "id" by GitHub\'s ids of it and its owner',
      ],
    );
  });

  it("measures a trust by ids not yet looked up as long as any ids could make it, against IAM's quota", () => {
    const branches = Array.from({ length: 9 }, (_, i) => `release/v${i}-long-branch-name`);
    const args = (trust: "name" | "id") => ({
      ...minimalPipelineArgs,
      oidcProviderArn: githubProviderArn,
      github: { repository: "acme/payments-api", branches, trust },
    });
    assert.deepEqual(validateTrustedDeliveryPipelineArgs("payments-api", args("name")), []);
    const spec: PipelineTrustSpec = {
      ...args("id").github,
      tags: [],
      environments: [],
      workflows: [],
    };
    const longest = pipelineTrust(spec, longestGitHubIds);
    const length = trustPolicyLength(githubProviderArn, longest.subjects, longest.conditions);
    assert.ok(length > 2048);
    assert.deepEqual(
      validateTrustedDeliveryPipelineArgs("payments-api", args("id")).map((p) => p.message),
      [
        `github is "18 subjects: 9 branches, 0 tags, 0 environments"; makes a trust policy of ${length} characters, over IAM's limit of 2048 (the "Role trust policy length" quota, 2048 by default): trust fewer branches, tags or environments, or use patterns (release/*); or raise the quota in Service Quotas (IAM, up to 8192) and set trustPolicyMaxLength to it`,
      ],
    );
  });
});

/** Names GitHub accepts, kept short so that many fit IAM's quota. */
const refName = fc.stringMatching(/^[a-z][a-z0-9-]{0,7}(\/[a-z0-9*]{1,4})?$/);
const environment = fc.stringMatching(/^dev(-[a-z0-9]{1,6})?$/);
const workflow = fc.record({
  repository: fc.constantFrom("acme/payments-api", "acme/platform-workflows", "other/shared"),
  path: fc.stringMatching(/^\.github\/workflows\/[a-z][a-z0-9_-]{0,8}\.ya?ml$/),
  ref: fc.oneof(
    refName.map((name) => `refs/heads/${name}`),
    refName.map((name) => `refs/tags/${name}`),
    fc.stringMatching(/^[0-9a-f]{40}$/),
  ),
});
const githubArgs = fc.oneof(
  fc.record(
    {
      repository: fc.constant("acme/payments-api"),
      branches: fc.array(refName, { minLength: 1, maxLength: 4 }),
      tags: fc.array(refName, { maxLength: 3 }),
      trust: fc.constantFrom("name" as const, "id" as const),
      workflows: fc.array(workflow, { minLength: 1, maxLength: 3 }),
    },
    { requiredKeys: ["repository", "branches", "trust"] },
  ),
  fc.record(
    {
      repository: fc.constant("acme/payments-api"),
      environments: fc.uniqueArray(environment, { minLength: 1, maxLength: 3 }),
      trust: fc.constantFrom("name" as const, "id" as const),
      workflows: fc.array(workflow, { minLength: 1, maxLength: 3 }),
    },
    { requiredKeys: ["repository", "environments", "trust"] },
  ),
);
const ids = fc.option(
  fc.record({
    ownerId: fc.integer({ min: 1, max: 2 ** 31 }),
    repositoryId: fc.integer({ min: 1, max: 2 ** 40 }),
  }),
  { nil: undefined },
);

/** The provider of github.com, of an enterprise's own issuer, and of GHE.com's. */
const providers = fc.constantFrom(
  githubProviderArn,
  "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com/acme",
  "arn:aws:iam::123456789012:oidc-provider/token.actions.acme.ghe.com",
);

describe("trust by identity, generated", () => {
  it("the component's trust policy, for any branches, tags, environments, trust, workflows and issuer, passes the pack's trust analysis", () => {
    fc.assert(
      fc.property(githubArgs, ids, providers, (github, lookedUp, providerArn) => {
        const checked = checkPipelineArgs("payments-api", {
          ...minimalPipelineArgs,
          oidcProviderArn: providerArn,
          trustPolicyMaxLength: 8192,
          github,
        });
        assert.deepEqual(checked.problems, []);
        const settings = checked.value!.github;
        const trusted = pipelineTrust(
          settings,
          settings.trust === "id" ? (lookedUp ?? longestGitHubIds) : undefined,
        );
        const document = parsePolicyDocument(
          githubTrustPolicy(providerArn, trusted.subjects, trusted.conditions),
        );
        assert.ok(!("error" in document), JSON.stringify(document));
        const analysis = analyzeTrust(document as PolicyDocument);
        assert.deepEqual(
          analysis.findings.map((f) => `${f.kind}: ${f.problem}`),
          [],
        );
        assert.equal(analysis.repository?.toLowerCase().endsWith("payments-api"), true);
      }),
      { numRuns: Number(process.env.TRUST_RUNS ?? 60) },
    );
  });
});
