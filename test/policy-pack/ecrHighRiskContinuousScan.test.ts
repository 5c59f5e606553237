import { strict as assert } from "assert";
import * as path from "path";
import { AnalyzerResource, PolicyPackProcess } from "../../cli/policyPack/analyzerClient";
import { resolvePolicyConfig } from "../../cli/policyPack/policyConfig";
import { awsNativeTypes, awsTypes } from "../../policy-pack/governance/typeTokens";
import { ecrHighRiskContinuousScan } from "../../policy-pack/policies/ecr/ecrHighRiskContinuousScan";
import { runStackPolicy, TestStackResource, unknown, urnOf } from "../helpers/policyHarness";

const repository = (
  name: string,
  risk: string | undefined,
  type: string = awsTypes.ecrRepository,
): TestStackResource =>
  type === awsTypes.ecrRepository
    ? {
        type,
        name,
        props: { name, tags: risk === undefined ? {} : { "goldenpath.idp/risk": risk } },
      }
    : {
        type,
        name,
        props: {
          repositoryName: name,
          tags: risk === undefined ? [] : [{ key: "goldenpath.idp/risk", value: risk }],
        },
      };

const scanning = (
  rules: { scanFrequency: string; filters: string[] }[],
  scanType = "ENHANCED",
  name = "registry-scanning",
): TestStackResource => ({
  type: awsTypes.ecrRegistryScanningConfiguration,
  name,
  props: {
    scanType,
    rules: rules.map((r) => ({
      scanFrequency: r.scanFrequency,
      repositoryFilters: r.filters.map((filter) => ({ filter, filterType: "WILDCARD" })),
    })),
  },
});

const managed = scanning([
  { scanFrequency: "CONTINUOUS_SCAN", filters: ["ledger-service"] },
  { scanFrequency: "SCAN_ON_PUSH", filters: ["*"] },
]);

const run = (resources: TestStackResource[], config: Record<string, unknown> = {}) =>
  runStackPolicy(ecrHighRiskContinuousScan, resources, config);

const prefix = (name: string) =>
  `ECR repository "${name}" is tagged "high" risk and must be scanned continuously: `;

describe("ecr-high-risk-continuous-scan", () => {
  it("Compliance 1: the platform program's rules, a continuous filter naming the high-risk repository", () => {
    assert.deepEqual(
      run([repository("ledger-service", "high"), repository("payments-api", "medium"), managed]),
      [],
    );
  });

  it("Compliance 2: ECR's filter rules: a filter without * matches names containing it; with *, a glob", () => {
    const rules = (filter: string) =>
      scanning([{ scanFrequency: "CONTINUOUS_SCAN", filters: [filter] }]);
    assert.deepEqual(run([repository("team/ledger-service", "high"), rules("ledger")]), []);
    assert.deepEqual(run([repository("team/ledger-service", "high"), rules("team/*")]), []);
    assert.deepEqual(run([repository("ledger-service", "high"), rules("*")]), []);
  });

  it("Compliance 3: no high-risk repository, an aws-native repository covered, or scanning managed elsewhere", () => {
    assert.deepEqual(
      run([repository("payments-api", "medium"), repository("bare", undefined)]),
      [],
    );
    assert.deepEqual(
      run([repository("ledger-service", "high", awsNativeTypes.ecrRepository), managed]),
      [],
    );
    assert.deepEqual(
      run([repository("ledger-service", "high")], { registryScanningManagedElsewhere: true }),
      [],
    );
  });

  it("Compliance 4: a scanning configuration unknown during the preview is judged at the update", () => {
    const unknownRules: TestStackResource = {
      type: awsTypes.ecrRegistryScanningConfiguration,
      name: "registry-scanning",
      props: { scanType: "ENHANCED", rules: unknown },
    };
    assert.deepEqual(run([repository("ledger-service", "high"), unknownRules]), []);
  });

  it("Noncompliance 1: no scanning configuration in the stack", () => {
    const ledger = repository("ledger-service", "high");
    assert.deepEqual(run([ledger]), [
      {
        message: `${prefix("ledger-service")}no registry scanning configuration in this stack scans it continuously: set the platform stack's registryScanning to managed, or declare an aws.ecr.RegistryScanningConfiguration with scanType ENHANCED and a CONTINUOUS_SCAN rule whose filter names it (or set registryScanningManagedElsewhere when another stack manages scanning)`,
        urn: urnOf(ledger),
      },
    ]);
  });

  it("Noncompliance 2: basic scanning, which never scans continuously", () => {
    const ledger = repository("ledger-service", "high");
    assert.deepEqual(
      run([ledger, scanning([{ scanFrequency: "SCAN_ON_PUSH", filters: ["*"] }], "BASIC")]),
      [
        {
          message: `${prefix("ledger-service")}registry scanning configuration "registry-scanning" uses scanType BASIC, which never scans continuously: use ENHANCED (Amazon Inspector) with a CONTINUOUS_SCAN rule whose filter names "ledger-service"`,
          urn: urnOf(ledger),
        },
      ],
    );
  });

  it("Noncompliance 3: only scanned on push, or a continuous filter that names another repository", () => {
    const ledger = repository("ledger-service", "high");
    const onPush = scanning([{ scanFrequency: "SCAN_ON_PUSH", filters: ["ledger-service"] }]);
    const other = scanning([
      { scanFrequency: "CONTINUOUS_SCAN", filters: ["ledger-service-*-v2"] },
    ]);
    const message = `${prefix("ledger-service")}no CONTINUOUS_SCAN filter of registry scanning configuration "registry-scanning" matches it: add the filter "ledger-service" to its CONTINUOUS_SCAN rule`;
    assert.deepEqual(run([ledger, onPush]), [{ message, urn: urnOf(ledger) }]);
    assert.deepEqual(run([ledger, other]), [{ message, urn: urnOf(ledger) }]);
  });

  it("Noncompliance 4: two configurations, one of which leaves it out (either may be the one in effect)", () => {
    const ledger = repository("ledger-service", "high");
    const second = scanning(
      [{ scanFrequency: "SCAN_ON_PUSH", filters: ["*"] }],
      "ENHANCED",
      "second",
    );
    assert.deepEqual(run([ledger, managed, second]), [
      {
        message: `${prefix("ledger-service")}no CONTINUOUS_SCAN filter of registry scanning configuration "second" matches it: add the filter "ledger-service" to its CONTINUOUS_SCAN rule`,
        urn: urnOf(ledger),
      },
    ]);
  });

  it("Noncompliance 5: the risk levels are configurable", () => {
    const payments = repository("payments-api", "medium");
    assert.deepEqual(
      run([payments, managed], { riskLevels: ["medium", "high"] }).map((v) => v.message),
      [
        'ECR repository "payments-api" is tagged "medium" risk and must be scanned continuously: no CONTINUOUS_SCAN filter of registry scanning configuration "registry-scanning" matches it: add the filter "payments-api" to its CONTINUOUS_SCAN rule',
      ],
    );
  });

  describe("over the Analyzer protocol, as pulumi preview runs it", function () {
    this.timeout(120_000);
    let pack: PolicyPackProcess;
    const analyzerResource = (r: TestStackResource): AnalyzerResource => ({
      urn: urnOf(r),
      type: r.type,
      name: r.name,
      properties: r.props as Record<string, unknown>,
    });

    before(async () => {
      pack = await PolicyPackProcess.start(path.join(__dirname, "../../policy-pack"));
      await pack.configure(resolvePolicyConfig(await pack.getAnalyzerInfo(), undefined));
    });
    after(async () => {
      await pack.stop();
    });

    it("is advisory by default and reports a high-risk repository no continuous rule covers", async () => {
      const ledger = repository("ledger-service", "high");
      const diagnostics = await pack.analyzeStack([ledger].map(analyzerResource));
      const ours = diagnostics.filter((d) => d.policyName === "ecr-high-risk-continuous-scan");
      assert.deepEqual(
        ours.map((d) => [d.enforcementLevel, d.urn, d.message.split("\n")[1]]),
        [
          [
            "advisory",
            urnOf(ledger),
            `${prefix("ledger-service")}no registry scanning configuration in this stack scans it continuously: set the platform stack's registryScanning to managed, or declare an aws.ecr.RegistryScanningConfiguration with scanType ENHANCED and a CONTINUOUS_SCAN rule whose filter names it (or set registryScanningManagedElsewhere when another stack manages scanning)`,
          ],
        ],
      );
    });

    it("passes the platform program's rules", async () => {
      const diagnostics = await pack.analyzeStack(
        [repository("ledger-service", "high"), managed].map(analyzerResource),
      );
      assert.deepEqual(
        diagnostics.filter((d) => d.policyName === "ecr-high-risk-continuous-scan"),
        [],
      );
    });
  });
});
