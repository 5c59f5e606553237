import { strict as assert } from "assert";
import fc from "fast-check";
import {
  registryScanningProblems,
  registryScanningRules,
  ScannedRegistry,
} from "../../components/registryScanning";
import { riskLevels } from "../../components/riskTiers";
import { awsTypes } from "../../policy-pack/governance/typeTokens";
import { ecrHighRiskContinuousScan } from "../../policy-pack/policies/ecr/ecrHighRiskContinuousScan";
import { ecrScanOnPush } from "../../policy-pack/policies/ecr/ecrScanOnPush";
import { runResourcePolicy, runStackPolicy } from "../helpers/policyHarness";

/**
 * ECR's filter rule, written here from its documentation and independently of the pack: with
 * `*`, a pattern over the whole name; without, every name containing the filter.
 */
function ecrFilterMatches(filter: string, name: string): boolean {
  if (!filter.includes("*")) {
    return name.includes(filter);
  }
  const pattern = filter
    .split("*")
    .map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${pattern}$`).test(name);
}

/** The frequency ECR applies to a repository: continuous wins where both rules match. */
function frequencyOf(name: string, rules: ReturnType<typeof registryScanningRules>): string {
  const matching = rules.filter((rule) =>
    rule.repositoryFilters.some((f) => ecrFilterMatches(f.filter, name)),
  );
  return matching.some((r) => r.scanFrequency === "CONTINUOUS_SCAN")
    ? "CONTINUOUS_SCAN"
    : matching.length > 0
      ? matching[0].scanFrequency
      : "none";
}

const repositoryName = fc.stringMatching(
  /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)?$/,
);
const registries: fc.Arbitrary<ScannedRegistry[]> = fc.array(
  fc.record({ name: repositoryName, risk: fc.constantFrom(...riskLevels) }),
  { maxLength: 12 },
);

describe("registry scanning rules (registryScanning: managed)", () => {
  it("scans the high-risk registries continuously, by name, and every other repository on push", () => {
    assert.deepEqual(
      registryScanningRules([
        { name: "payments-api", risk: "medium" },
        { name: "ledger-service", risk: "high" },
        { name: "web-frontend", risk: "low" },
        { name: "team/risk-engine", risk: "high" },
      ]),
      [
        {
          scanFrequency: "CONTINUOUS_SCAN",
          repositoryFilters: [
            { filter: "ledger-service", filterType: "WILDCARD" },
            { filter: "team/risk-engine", filterType: "WILDCARD" },
          ],
        },
        {
          scanFrequency: "SCAN_ON_PUSH",
          repositoryFilters: [{ filter: "*", filterType: "WILDCARD" }],
        },
      ],
    );
  });

  it("has only the on-push rule when no registry is high risk", () => {
    assert.deepEqual(registryScanningRules([{ name: "payments-api", risk: "medium" }]), [
      {
        scanFrequency: "SCAN_ON_PUSH",
        repositoryFilters: [{ filter: "*", filterType: "WILDCARD" }],
      },
    ]);
  });

  it("gives each registry its tier's frequency under ECR's own filter rules, and scans every other repository", () => {
    fc.assert(
      fc.property(registries, repositoryName, (given, outsider) => {
        const rules = registryScanningRules(given);
        assert.ok(rules.length <= 2, "ECR allows two rules");
        assert.ok(
          rules.every((r) => r.repositoryFilters.length <= 100),
          "and 100 filters a rule",
        );
        for (const { name, risk } of given) {
          if (risk === "high") {
            assert.equal(frequencyOf(name, rules), "CONTINUOUS_SCAN", name);
          } else {
            assert.notEqual(frequencyOf(name, rules), "none", name);
          }
        }
        // A repository outside the stack is still scanned: enhanced scanning skips unmatched ones.
        assert.notEqual(frequencyOf(outsider, rules), "none");
      }),
    );
  });

  it("passes the pack's scanning policies for any registries", () => {
    fc.assert(
      fc.property(registries, (given) => {
        const configuration = {
          type: awsTypes.ecrRegistryScanningConfiguration,
          name: "registry-scanning",
          props: { scanType: "ENHANCED", rules: registryScanningRules(given) },
        };
        assert.deepEqual(runResourcePolicy(ecrScanOnPush, configuration), []);
        const repositories = given.map(({ name, risk }, i) => ({
          type: awsTypes.ecrRepository,
          name: `repository-${i}`,
          props: { name, tags: { "goldenpath.idp/risk": risk } },
        }));
        assert.deepEqual(
          runStackPolicy(ecrHighRiskContinuousScan, [...repositories, configuration]),
          [],
        );
      }),
      { numRuns: 50 },
    );
  });

  it("refuses more high-risk registries than one rule can name", () => {
    const many = Array.from({ length: 101 }, (_, i) => ({
      name: `app-${i}`,
      risk: "high" as const,
    }));
    assert.deepEqual(registryScanningProblems("platform:registryScanning", many.slice(0, 100)), []);
    assert.deepEqual(registryScanningProblems("platform:registryScanning", many), [
      {
        field: "platform:registryScanning",
        message:
          "platform:registryScanning is \"managed\"; can name at most 100 high-risk repositories in its continuous scanning rule (ECR's limit of filters per rule); this stack has 101: split the apps across accounts, or manage the registry's scanning yourself with wildcard filters",
      },
    ]);
  });
});
