import { strict as assert } from "assert";
import { auditStacks, LiveAccount, unreadParts } from "../../cli/audit/resources";
import { runPolicies } from "../../cli/audit/runPolicies";
import { LiveRegistry } from "../../cli/aws/readRegistries";
import { Unread } from "../../cli/aws/unread";
import { resolvePolicyConfig } from "../../cli/policyPack/policyConfig";
import { policies } from "../../policy-pack/policies";
import { packInfo } from "../helpers/packInfo";

// What moto cannot serve (creation templates, pull-through cache rules), as the readers give
// it: judged by the pack as the resources a program would declare.
const account = "123456789012";
const region = "eu-west-2";

function registry(parts: Partial<LiveRegistry>): LiveRegistry {
  return {
    region,
    repositories: [],
    scanning: { scanType: "BASIC", rules: [] },
    registryPolicy: undefined,
    replication: [],
    creationTemplates: [],
    pullThroughCacheRules: [],
    signing: undefined,
    ...parts,
  };
}

function live(...registries: LiveRegistry[]): LiveAccount {
  return {
    account,
    partition: "aws",
    regions: registries.map((r) => r.region),
    registries,
    oidcProviders: [],
    roles: [],
    managedPolicies: [],
  };
}

async function judge(liveAccount: LiveAccount) {
  const stacks = auditStacks(liveAccount);
  const run = await runPolicies(policies, stacks, {
    config: resolvePolicyConfig(packInfo(), undefined),
    notApplicable: { "ecr-golden-path": "not here" },
  });
  const byUrn = new Map(stacks.flat().map((r) => [r.urn, r]));
  return {
    resources: stacks.flat().map((r) => `${r.type} ${r.location.id}`),
    findings: run.findings.map(
      (f) => `${f.policyName} ${f.urn ? byUrn.get(f.urn)!.location.name : "-"}: ${f.message}`,
    ),
    notJudged: run.notJudged.map((n) => `${n.policyName}: ${n.reason}`),
  };
}

describe("the live registry, as resources the pack judges", () => {
  it("leaves out the registry's default scanning (BASIC, no rules), replication and policy when there are none", async () => {
    const { resources, findings } = await judge(live(registry({})));
    assert.deepEqual(resources, []);
    assert.deepEqual(findings, []);
  });

  it("judges a pull-through cache rule with no creation template, and a template's tags and scanning", async () => {
    const { resources, findings } = await judge(
      live(
        registry({
          creationTemplates: [{ prefix: "ROOT", appliedFor: ["CREATE_ON_PUSH"], resourceTags: {} }],
          pullThroughCacheRules: [
            { ecrRepositoryPrefix: "ecr-public", upstreamRegistryUrl: "public.ecr.aws" },
          ],
        }),
      ),
    );
    assert.deepEqual(resources, [
      `aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate aws/ecr/${region}/${account}/repository-creation-template/ROOT`,
      `aws:ecr/pullThroughCacheRule:PullThroughCacheRule aws/ecr/${region}/${account}/pull-through-cache-rule/ecr-public`,
    ]);
    assert.deepEqual(findings, [
      'ecr-governance-metadata ROOT: ECR repository creation template "ROOT" must carry its catalog id: set tag "goldenpath.idp/id" in resourceTags (matching ^[A-Z0-9_]+$), or create the repository with TrustedDeliveryPipeline',
      'ecr-governance-metadata ROOT: ECR repository creation template "ROOT" must carry its owner: set tag "goldenpath.idp/owner" in resourceTags to the owning team',
      'ecr-governance-metadata ROOT: ECR repository creation template "ROOT" must carry its risk: set tag "goldenpath.idp/risk" in resourceTags to one of low, medium, high',
      'ecr-repository-creation-governed ecr-public: ECR pull-through cache rule for prefix "ecr-public" makes repositories with no governance tags, risk tier or policy: declare a repository creation template for "ecr-public" (or ROOT) applied to PULL_THROUGH_CACHE',
      'ecr-repository-creation-governed ROOT: ECR repository creation template "ROOT" makes repositories whose scanning this stack does not configure (repository templates have no scan setting; the registry\'s scanning configuration decides): declare an aws.ecr.RegistryScanningConfiguration with a SCAN_ON_PUSH rule for "*", or set registryScanningManagedElsewhere',
    ]);
  });

  it("judges the registry's scanning rules, and replication to another account", async () => {
    const { findings } = await judge(
      live(
        registry({
          scanning: {
            scanType: "ENHANCED",
            rules: [
              {
                scanFrequency: "CONTINUOUS_SCAN",
                repositoryFilters: [{ filter: "prod-*", filterType: "WILDCARD" }],
              },
            ],
          },
          replication: [
            {
              destinations: [
                { region: "eu-west-1", registryId: account },
                { region: "eu-west-1", registryId: "210987654321" },
              ],
              repositoryFilters: [],
            },
          ],
        }),
      ),
    );
    assert.deepEqual(findings, [
      'ecr-scan-on-push registry: ECR registry scanning configuration must scan every repository on push or continuously: its rules leave out repositories such as "a", whose images would then never be scanned; add a SCAN_ON_PUSH rule with the filter "*"',
      "ecr-no-public-access registry: ECR replication copies images to account 210987654321 (eu-west-1), outside this stack's account (123456789012): replicate within the account, or list 210987654321 in allowedReplicationAccounts",
    ]);
  });

  it("makes what could not be read unknown to the checks that need it, and lists it", async () => {
    const denied = new Unread(
      "ecr:GetRegistryScanningConfiguration",
      "AccessDeniedException (HTTP 400): denied",
      region,
    );
    const templates = new Unread("ecr:DescribeRepositoryCreationTemplates", "HTTP 500", region);
    const liveAccount = live(registry({ scanning: denied, creationTemplates: templates }));
    const { resources, findings, notJudged } = await judge(liveAccount);
    assert.deepEqual(resources, [
      `aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration aws/ecr/${region}/${account}/registry-scanning-configuration`,
    ]);
    assert.deepEqual(findings, []);
    assert.deepEqual(notJudged, [
      "ecr-scan-on-push: the ECR registry scanning configuration could not be read (ecr:GetRegistryScanningConfiguration: AccessDeniedException (HTTP 400): denied)",
    ]);
    assert.deepEqual(unreadParts(liveAccount), [denied, templates]);
  });
});
