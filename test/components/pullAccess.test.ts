/**
 * Readers of a registry (`ecr.pull`) and tag-mutability exclusions: the repository policy the
 * pipeline writes for each kind of reader, judged by an independent evaluator of IAM
 * (@cloud-copilot/iam-simulate, test/helpers/iam.ts) and by the pack; the exclusion filters each
 * tier allows, in the component and in the pack, with the filters judged as the patterns they are.
 */
import { strict as assert } from "assert";
import fc from "fast-check";
import {
  PullService,
  TrustedDeliveryPipeline,
  TrustedDeliveryPipelineArgs,
} from "../../components";
import { validateTrustedDeliveryPipelineArgs } from "../../components/validation";
import { awsTypes } from "../../policy-pack/governance/typeTokens";
import {
  matchesEveryTag,
  patternCovers,
  patternsIntersect,
} from "../../policy-pack/governance/tagFilters";
import { ecrNoPublicAccess } from "../../policy-pack/policies/ecr/ecrNoPublicAccess";
import { ecrRiskTierControls } from "../../policy-pack/policies/ecr/ecrRiskTierControls";
import { pullFromPolicy, pullPolicyDocument } from "../../components/pullPolicy";
import * as fs from "fs";
import * as path from "path";
import { adoptedPull, newAppEntry } from "../../cli/adoption/appEntries";
import { importFile } from "../../cli/adoption/importFile";
import { stateRmCommands } from "../../cli/adoption/terraform/handover";
import { registriesInState } from "../../cli/adoption/terraform/state";
import { parsePlatformConfig } from "../../programs/platform/config";
import type { ExistingRegistry } from "../../cli/adoption/registry";
import { canAccess } from "../helpers/iam";
import { ofType, runProgram, single } from "../helpers/offline";
import { minimalPipelineArgs, signingFor } from "../helpers/pipelineArgs";
import { runResourcePolicy } from "../helpers/policyHarness";

const own = "123456789012";
const reader = "210987654321";
const stranger = "111122223333";
const organisation = "o-abc123defg";
const unit = "o-abc123defg/r-ab12/ou-ab12-11111111/";
const repositoryArn = `arn:aws:ecr:eu-west-2:${own}:repository/payments-api`;

const withEcr = (ecr: Record<string, unknown>, risk = "medium"): TrustedDeliveryPipelineArgs => ({
  ...minimalPipelineArgs,
  metadata: { ...minimalPipelineArgs.metadata, risk: risk as "medium" },
  ecr: ecr as TrustedDeliveryPipelineArgs["ecr"],
  ...signingFor(risk),
});
const messages = (args: TrustedDeliveryPipelineArgs) =>
  validateTrustedDeliveryPipelineArgs("payments-api", args).map((p) => p.message);

async function writtenPolicy(pull: Record<string, unknown>): Promise<string> {
  const run = await runProgram(() => {
    const pipeline = new TrustedDeliveryPipeline("payments-api", withEcr({ pull }));
    return { readers: pipeline.readers };
  });
  return String(single(run, awsTypes.ecrRepositoryPolicy).inputs.policy);
}

const role = (account: string) => `arn:aws:iam::${account}:role/deployer`;
const pulls = (
  policy: string,
  principal: string,
  context: Record<string, string | string[]> = {},
) =>
  canAccess(policy, { principal, action: "ecr:BatchGetImage", resource: repositoryArn, context });

describe("readers of a registry (ecr.pull)", function () {
  this.timeout(60000);

  it("writes no repository policy, and no readers, when nobody but the account pulls", async () => {
    const run = await runProgram(() => {
      const pipeline = new TrustedDeliveryPipeline("payments-api", minimalPipelineArgs);
      return { readers: pipeline.readers };
    });
    assert.deepEqual(ofType(run, awsTypes.ecrRepositoryPolicy), []);
    assert.deepEqual(run.outputs.readers, []);
  });

  it("lets a listed account pull, and no other account; nobody may push or change the policy", async () => {
    const policy = await writtenPolicy({ accounts: [reader] });
    assert.ok(pulls(policy, role(reader)));
    assert.ok(!pulls(policy, role(stranger)));
    for (const action of [
      "ecr:PutImage",
      "ecr:InitiateLayerUpload",
      "ecr:SetRepositoryPolicy",
      "ecr:DeleteRepository",
    ]) {
      assert.ok(
        !canAccess(policy, { principal: role(reader), action, resource: repositoryArn }),
        `${action} is allowed to the reader`,
      );
    }
  });

  it("lets an organisation's accounts, or an organisational unit's, pull, and no others", async () => {
    const policy = await writtenPolicy({ organizations: [organisation, unit] });
    assert.ok(pulls(policy, role(stranger), { "aws:PrincipalOrgID": organisation }));
    assert.ok(!pulls(policy, role(stranger), { "aws:PrincipalOrgID": "o-zzzzzzzzzz" }));
    assert.ok(!pulls(policy, role(stranger)));
    const byUnit = await writtenPolicy({ organizations: [unit] });
    assert.ok(
      pulls(byUnit, role(stranger), {
        "aws:PrincipalOrgID": organisation,
        "aws:PrincipalOrgPaths": [`${unit}ou-ab12-22222222/`],
      }),
    );
    assert.ok(
      !pulls(byUnit, role(stranger), {
        "aws:PrincipalOrgID": organisation,
        "aws:PrincipalOrgPaths": ["o-abc123defg/r-ab12/ou-ab12-33333333/"],
      }),
    );
    assert.ok(
      !canAccess(policy, {
        principal: role(stranger),
        action: "ecr:PutImage",
        resource: repositoryArn,
        context: { "aws:PrincipalOrgID": organisation },
      }),
    );
  });

  it("lets Lambda pull for functions of this account and the listed ones only", async () => {
    const policy = await writtenPolicy({ accounts: [reader], services: ["lambda"] });
    const lambda = (account: string) =>
      canAccess(policy, {
        principal: "lambda.amazonaws.com",
        action: "ecr:BatchGetImage",
        resource: repositoryArn,
        context: {
          "aws:SourceAccount": account,
          "aws:SourceArn": `arn:aws:lambda:eu-west-2:${account}:function:payments`,
        },
      });
    assert.ok(lambda(own));
    assert.ok(lambda(reader));
    assert.ok(!lambda(stranger));
    assert.ok(
      !canAccess(policy, {
        principal: "lambda.amazonaws.com",
        action: "ecr:PutImage",
        resource: repositoryArn,
        context: { "aws:SourceAccount": own },
      }),
    );
  });

  it("is what the pack allows with exactly these readers, and reported without them", async () => {
    const policy = await writtenPolicy({
      accounts: [reader],
      organizations: [organisation, unit],
      services: ["lambda"],
    });
    const judge = (config: Record<string, unknown>) =>
      runResourcePolicy(
        ecrNoPublicAccess,
        {
          type: awsTypes.ecrRepositoryPolicy,
          props: { repository: "payments-api", policy, registryId: own },
        },
        config,
      );
    assert.deepEqual(
      judge({ allowedPullAccounts: [reader], allowedPullOrganizations: [organisation] }),
      [],
    );
    const without = judge({ allowedPullOrganizations: [organisation] });
    assert.ok(without.length > 0);
    assert.ok(
      without.every((m) => m.includes(reader)),
      without.join("\n"),
    );
    // The unit alone does not allow the whole organisation.
    assert.ok(
      judge({ allowedPullAccounts: [reader], allowedPullOrganizations: [unit] }).length > 0,
    );
  });

  it("exports who can pull", async () => {
    const run = await runProgram(() => {
      const pipeline = new TrustedDeliveryPipeline(
        "payments-api",
        withEcr({ pull: { accounts: [reader], organizations: [unit], services: ["lambda"] } }),
      );
      return { readers: pipeline.readers };
    });
    assert.deepEqual(run.outputs.readers, [
      `account ${reader}`,
      `organisational unit ${unit}`,
      "lambda functions of this account and the accounts above",
    ]);
  });

  it("refuses readers it cannot write, naming the field, the value and what is allowed", () => {
    assert.deepEqual(
      messages(
        withEcr({
          pull: {
            accounts: ["12345"],
            organizations: ["acme", "o-abc123defg/r-ab12"],
            services: ["ecs"],
            teams: [],
          },
        }),
      ),
      [
        "ecr.pull.teams is not a setting; allowed: accounts, organizations, services",
        'ecr.pull.accounts[0] is "12345"; must be an AWS account id of 12 digits, e.g. "210987654321"',
        'ecr.pull.organizations[0] is "acme"; must be an organisation id ("o-abc123defg") or an organisation path ("o-abc123defg/r-ab12/ou-ab12-11111111/", ending in /)',
        'ecr.pull.organizations[1] is "o-abc123defg/r-ab12"; must be an organisation id ("o-abc123defg") or an organisation path ("o-abc123defg/r-ab12/ou-ab12-11111111/", ending in /)',
        'ecr.pull.services[0] is "ecs"; must be one of "lambda"',
      ],
    );
  });
});

describe("tag-mutability exclusions", () => {
  it("registers the filters on the repository, as ECR's wildcard filters", async () => {
    const run = await runProgram(
      () =>
        new TrustedDeliveryPipeline(
          "payments-api",
          withEcr({
            imageTagMutability: "IMMUTABLE_WITH_EXCLUSION",
            imageTagMutabilityExclusionFilters: ["latest", "dev-*"],
          }),
        ),
    );
    const repository = single(run, awsTypes.ecrRepository).inputs;
    assert.equal(repository.imageTagMutability, "IMMUTABLE_WITH_EXCLUSION");
    assert.deepEqual(repository.imageTagMutabilityExclusionFilters, [
      { filter: "latest", filterType: "WILDCARD" },
      { filter: "dev-*", filterType: "WILDCARD" },
    ]);
  });

  it("allows on low and medium any filter but one matching every tag", () => {
    for (const risk of ["low", "medium"]) {
      for (const mode of ["IMMUTABLE_WITH_EXCLUSION", "MUTABLE_WITH_EXCLUSION"]) {
        assert.deepEqual(
          messages(
            withEcr(
              { imageTagMutability: mode, imageTagMutabilityExclusionFilters: ["release-*"] },
              risk,
            ),
          ),
          [],
        );
      }
    }
    assert.deepEqual(
      messages(
        withEcr({
          imageTagMutability: "MUTABLE_WITH_EXCLUSION",
          imageTagMutabilityExclusionFilters: ["**"],
        }),
      ),
      [
        'ecr.imageTagMutabilityExclusionFilters[0] is "**"; matches every tag: use ecr.imageTagMutability "IMMUTABLE" instead',
      ],
    );
  });

  it("allows on high only IMMUTABLE_WITH_EXCLUSION, and only filters no release tag matches", () => {
    const high = (ecr: Record<string, unknown>) => messages(withEcr(ecr, "high"));
    assert.deepEqual(
      high({
        imageTagMutability: "IMMUTABLE_WITH_EXCLUSION",
        imageTagMutabilityExclusionFilters: ["latest", "dev-*"],
      }),
      [],
    );
    assert.deepEqual(
      high({
        imageTagMutability: "IMMUTABLE_WITH_EXCLUSION",
        imageTagMutabilityExclusionFilters: ["*-rc", "latest"],
      }),
      [
        'ecr.imageTagMutabilityExclusionFilters[0] is "*-rc"; can match release tags ("v*"), which must stay immutable on a high-risk registry: exclude only tags like "latest" or "dev-*"',
      ],
    );
    assert.deepEqual(
      high({
        imageTagMutability: "MUTABLE_WITH_EXCLUSION",
        imageTagMutabilityExclusionFilters: ["v*"],
      }),
      [
        'ecr.imageTagMutability is "MUTABLE_WITH_EXCLUSION"; must be "IMMUTABLE" (or "IMMUTABLE_WITH_EXCLUSION" with filters that match no release tag) for a high-risk registry',
        'ecr.imageTagMutabilityExclusionFilters[0] is "v*"; can match release tags ("v*"), which must stay immutable on a high-risk registry: exclude only tags like "latest" or "dev-*"',
      ],
    );
  });

  it("refuses filters without an exclusion mode, a mode without filters, and malformed filters", () => {
    assert.deepEqual(messages(withEcr({ imageTagMutabilityExclusionFilters: ["latest"] })), [
      'ecr.imageTagMutabilityExclusionFilters is ["latest"]; is only used with ecr.imageTagMutability "IMMUTABLE_WITH_EXCLUSION" or "MUTABLE_WITH_EXCLUSION"',
    ]);
    assert.deepEqual(messages(withEcr({ imageTagMutability: "IMMUTABLE_WITH_EXCLUSION" })), [
      'ecr.imageTagMutabilityExclusionFilters is missing; must list 1 to 5 tag filters with ecr.imageTagMutability "IMMUTABLE_WITH_EXCLUSION", e.g. ["latest"]',
    ]);
    assert.deepEqual(
      messages(
        withEcr({
          imageTagMutability: "IMMUTABLE_WITH_EXCLUSION",
          imageTagMutabilityExclusionFilters: ["dev tag"],
        }),
      ),
      [
        'ecr.imageTagMutabilityExclusionFilters[0] is "dev tag"; must be an ECR tag filter: 1 to 128 of letters, digits, ._- and * (any run of characters), e.g. "dev-*"',
      ],
    );
  });

  it("the pack holds high-risk exclusions to immutableTagExceptions, as patterns", () => {
    const judge = (filters: string[], config: Record<string, unknown> = {}) =>
      runResourcePolicy(
        ecrRiskTierControls,
        {
          type: awsTypes.ecrRepository,
          props: {
            name: "payments-api",
            imageTagMutability: "IMMUTABLE_WITH_EXCLUSION",
            imageTagMutabilityExclusionFilters: filters.map((filter) => ({
              filter,
              filterType: "WILDCARD",
            })),
            encryptionConfigurations: [{ encryptionType: "KMS" }],
            tags: { "goldenpath.idp/risk": "high" },
          },
        },
        config,
      );
    assert.equal(judge(["latest"]).length, 1);
    assert.match(
      judge(["latest"])[0],
      /exclusion filter "latest" lets tags move that immutableTagExceptions \(none\)/,
    );
    assert.deepEqual(judge(["latest"], { immutableTagExceptions: ["latest"] }), []);
    // dev-feature-* is within dev-*; dev* is not within dev-*.
    assert.deepEqual(judge(["dev-feature-*"], { immutableTagExceptions: ["dev-*"] }), []);
    assert.equal(judge(["dev*"], { immutableTagExceptions: ["dev-*"] }).length, 1);
    assert.match(judge(["*"], { immutableTagExceptions: ["*"] })[0], /matches every tag/);
  });
});

/** Every string over `alphabet` up to `length` characters. */
function strings(alphabet: string, length: number): string[] {
  const all = [""];
  for (let n = 1; n <= length; n++) {
    for (const s of all.filter((x) => x.length === n - 1)) {
      for (const c of alphabet) {
        all.push(s + c);
      }
    }
  }
  return all;
}
const globMatches = (pattern: string, text: string) =>
  new RegExp(
    `^${pattern
      .split("*")
      .map((p) => p.replace(/[.]/g, "\\."))
      .join(".*")}$`,
  ).test(text);

describe("tag filters as patterns, against enumeration", () => {
  const pattern = fc.string({ unit: fc.constantFrom("a", "b", "*"), maxLength: 4 });
  // Strings long enough to show any intersection of two 4-character patterns over {a, b}.
  const texts = strings("ab", 8);

  it("patternsIntersect is exact", () => {
    fc.assert(
      fc.property(pattern, pattern, (a, b) => {
        const witness = texts.some((t) => globMatches(a, t) && globMatches(b, t));
        assert.equal(patternsIntersect(a, b), witness, `${a} ∩ ${b}`);
      }),
      { numRuns: 2000 },
    );
  });

  it("patternCovers is sound: what it covers, the outer pattern matches", () => {
    fc.assert(
      fc.property(pattern, pattern, (outer, inner) => {
        if (patternCovers(outer, inner)) {
          for (const t of texts.filter((x) => globMatches(inner, x))) {
            assert.ok(globMatches(outer, t), `${outer} ⊇ ${inner} but not ${t}`);
          }
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("knows the patterns matching every tag", () => {
    assert.ok(matchesEveryTag("*") && matchesEveryTag("***"));
    assert.ok(!matchesEveryTag("*a*") && !matchesEveryTag(""));
  });
});

describe("adopting a repository policy as ecr.pull", () => {
  const accountIds = fc.constantFrom("210987654321", "111122223333", "444455556666");
  const organizations = fc.constantFrom(organisation, unit, "o-zzzzzzzzzz");
  const pullSettings = fc.record({
    accounts: fc.uniqueArray(accountIds, { maxLength: 3 }),
    organizations: fc.uniqueArray(organizations, { maxLength: 3 }),
    services: fc.constantFrom<PullService[][]>([], ["lambda"]),
  });

  it("reads back every policy ecr.pull writes, unchanged", () => {
    fc.assert(
      fc.property(pullSettings, (pull) => {
        const text = pullPolicyDocument(pull, own, "aws");
        const read = pullFromPolicy(text, own, "aws");
        assert.ok("pull" in read, JSON.stringify(read));
        assert.equal(pullPolicyDocument(read.pull, own, "aws"), text);
      }),
      { numRuns: 300 },
    );
  });

  it("names the statement it cannot express", () => {
    const handMade = JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "PullByAccounts",
          Effect: "Allow",
          Principal: { AWS: `arn:aws:iam::${reader}:root` },
          Action: [
            "ecr:BatchGetImage",
            "ecr:GetDownloadUrlForLayer",
            "ecr:BatchCheckLayerAvailability",
          ],
        },
        {
          Sid: "CiPush",
          Effect: "Allow",
          Principal: { AWS: `arn:aws:iam::${reader}:role/ci` },
          Action: "ecr:PutImage",
        },
      ],
    });
    assert.deepEqual(pullFromPolicy(handMade, own, "aws"), {
      statement: 'statement "PullByAccounts"',
      reason:
        "it is not one ecr.pull writes (pull actions only, to accounts' roots, organisations, units or Lambda, in that order)",
    });
    assert.equal((pullFromPolicy("{", own, "aws") as { reason: string }).reason, "it is not JSON");
  });

  it("an adopted registry's app entry writes the same policy, imported: zero diff", async () => {
    const text = pullPolicyDocument(
      { accounts: [reader], organizations: [], services: ["lambda"] },
      own,
      "aws",
    );
    const registry = {
      id: "payments-api",
      arn: repositoryArn,
      region: "eu-west-2",
      account: own,
      repositoryPolicy: { id: "payments-api", policy: text },
    } as unknown as ExistingRegistry;
    assert.deepEqual(adoptedPull(registry), {
      accounts: [reader],
      organizations: [],
      services: ["lambda"],
    });
    const run = await runProgram(
      () =>
        new TrustedDeliveryPipeline(
          "payments-api",
          withEcr({ pull: { accounts: [reader], services: ["lambda"] } }),
          {},
        ),
    );
    assert.equal(single(run, awsTypes.ecrRepositoryPolicy).inputs.policy, text);
    assert.deepEqual(
      messages({ ...withEcr({}), importIds: { repositoryPolicy: "payments-api" } }),
      [
        'importIds.repositoryPolicy is "payments-api"; adopts the repository policy ecr.pull writes: give ecr.pull its readers, or leave the policy unmanaged (no importIds.repositoryPolicy)',
      ],
    );
  });
});

describe("adopting a Terraform repository policy", () => {
  const stateFile = path.join(__dirname, "../fixtures/terraform/goldenpath-dev/terraform.tfstate");
  /** The fixture state with an aws_ecr_repository_policy on staging-api. */
  function stateWithPolicy(policy: string): string {
    const state = JSON.parse(fs.readFileSync(stateFile, "utf8"));
    const repository = state.resources.find(
      (r: any) => r.type === "aws_ecr_repository" && r.module.includes('"staging-api"'),
    );
    state.resources.push({
      module: repository.module,
      mode: "managed",
      type: "aws_ecr_repository_policy",
      name: "this",
      provider: repository.provider,
      instances: [
        {
          schema_version: 0,
          attributes: {
            id: "staging-api",
            policy,
            registry_id: repository.instances[0].attributes.registry_id,
            repository: "staging-api",
          },
        },
      ],
    });
    return JSON.stringify(state);
  }

  it("adopts one ecr.pull writes: app entry, import and state rm", () => {
    const registries = registriesInState("terraform.tfstate", stateWithPolicy("{}"));
    const staging = registries.find((r) => r.name === "staging-api")!;
    const written = pullPolicyDocument(
      { accounts: [reader], organizations: [], services: [] },
      staging.account,
      "aws",
    );
    const adopted = registriesInState("terraform.tfstate", stateWithPolicy(written)).find(
      (r) => r.name === "staging-api",
    )!;
    assert.deepEqual(adoptedPull(adopted), { accounts: [reader], organizations: [], services: [] });
    const entry = newAppEntry(
      adopted,
      { id: "STAGING_API", owner: "team", risk: "medium" },
      "acme/staging-api",
      "goldenpath.idp",
    );
    assert.deepEqual(entry.ecr?.pull, { accounts: [reader] });
    assert.equal(entry.importIds?.repositoryPolicy, "staging-api");
    assert.ok(stateRmCommands([adopted])[0].includes(adopted.repositoryPolicy!.address));
    assert.ok(
      importFile([adopted]).resources.some(
        (r) => r.type === awsTypes.ecrRepositoryPolicy && r.id === "staging-api",
      ),
    );
    // One it cannot express stays Terraform's, and is not imported.
    const other = registriesInState("terraform.tfstate", stateWithPolicy("{}")).find(
      (r) => r.name === "staging-api",
    )!;
    assert.equal(adoptedPull(other), undefined);
    assert.ok(!stateRmCommands([other])[0].includes(other.repositoryPolicy!.address));
    assert.equal(
      newAppEntry(
        other,
        { id: "STAGING_API", owner: "team", risk: "medium" },
        "acme/staging-api",
        "goldenpath.idp",
      ).importIds?.repositoryPolicy,
      undefined,
    );
  });
});

describe("the stack's default readers (platform config pull)", () => {
  const source = { project: "trusted-delivery-platform", stack: "dev", file: "Pulumi.dev.yaml" };
  const app = {
    metadata: { id: "REGISTRY_PAYMENTS_API", owner: "team-payments", risk: "medium" },
    github: { repository: "acme/payments-api" },
  };

  it("merges the defaults into every app's ecr.pull, without repeats", () => {
    const config = parsePlatformConfig(source, {
      pull: { accounts: [reader], services: ["lambda"] },
      apps: {
        "payments-api": { ...app, ecr: { pull: { accounts: [stranger, reader] } } },
        "ledger-api": { ...app, github: { repository: "acme/ledger-api" } },
      },
    });
    assert.deepEqual(config.pull, { accounts: [reader], services: ["lambda"] });
    assert.deepEqual(config.apps["payments-api"].settings.ecr.pull, {
      accounts: [reader, stranger],
      organizations: [],
      services: ["lambda"],
    });
    assert.deepEqual(config.apps["ledger-api"].settings.ecr.pull, {
      accounts: [reader],
      organizations: [],
      services: ["lambda"],
    });
  });

  it("refuses bad defaults under their own key, naming the stack file", () => {
    assert.throws(
      () =>
        parsePlatformConfig(source, {
          pull: { accounts: ["prod"] },
          apps: { "payments-api": app },
        }),
      {
        message:
          'Stack "dev" config (Pulumi.dev.yaml) has an invalid argument:\n  - trusted-delivery-platform:pull.accounts[0] is "prod"; must be an AWS account id of 12 digits, e.g. "210987654321"',
      },
    );
  });
});
