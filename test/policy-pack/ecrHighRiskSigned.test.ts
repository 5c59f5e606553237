import { strict as assert } from "assert";
import fc from "fast-check";
import * as path from "path";
import { AnalyzerResource, PolicyPackProcess } from "../../cli/policyPack/analyzerClient";
import { resolvePolicyConfig } from "../../cli/policyPack/policyConfig";
import { awsNativeTypes, awsTypes } from "../../policy-pack/governance/typeTokens";
import { ecrHighRiskSigned } from "../../policy-pack/policies/ecr/ecrHighRiskSigned";
import { SigningRule, signsName } from "../../policy-pack/resources/signing";
import { platform } from "../../programs/platform/platform";
import { ofType, runProgram } from "../helpers/offline";
import { runStackPolicy, TestStackResource, unknown, urnOf } from "../helpers/policyHarness";

const profileArn = "arn:aws:signer:eu-west-2:123456789012:/signing-profiles/trusted_delivery_dev";

const repository = (
  name: string | undefined,
  risk: string | undefined,
  type: string = awsTypes.ecrRepository,
  tagPrefix = "goldenpath.idp/",
): TestStackResource =>
  type === awsTypes.ecrRepository
    ? {
        type,
        name: name ?? "unnamed",
        props: {
          ...(name !== undefined && { name }),
          tags: risk === undefined ? {} : { [`${tagPrefix}risk`]: risk },
        },
      }
    : {
        type,
        name: name ?? "unnamed",
        props: {
          ...(name !== undefined && { repositoryName: name }),
          tags: risk === undefined ? [] : [{ key: `${tagPrefix}risk`, value: risk }],
        },
      };

/** A rule: its filters' values (WILDCARD_MATCH), or none at all (`undefined`: every repository). */
const signing = (
  rules: (string[] | undefined)[],
  name = "registry-signing",
): TestStackResource => ({
  type: awsNativeTypes.ecrSigningConfiguration,
  name,
  props: {
    rules: rules.map((filters) => ({
      signingProfileArn: profileArn,
      ...(filters !== undefined && {
        repositoryFilters: filters.map((filter) => ({ filter, filterType: "WILDCARD_MATCH" })),
      }),
    })),
  },
});

/** What the platform program declares for its two signed repositories. */
const managed = signing([["ledger-service", "team/risk-engine"]]);

const run = (resources: TestStackResource[], config: Record<string, unknown> = {}) =>
  runStackPolicy(ecrHighRiskSigned, resources, config);

const prefix = (name: string, risk = "high") =>
  `ECR repository "${name}" is tagged "${risk}" risk and its images must be signed on push: `;

const noConfiguration =
  "no registry signing configuration in this stack signs it: set the platform stack's registrySigning to managed, or declare an aws-native ecr.SigningConfiguration with a rule whose filter names it (or set registrySigningManagedElsewhere when another stack manages signing)";

const notMatched = (name: string, configuration = "registry-signing") =>
  `${prefix(name)}no rule of registry signing configuration "${configuration}" matches it: add the filter "${name}" (filterType WILDCARD_MATCH) to one of its rules`;

describe("ecr-high-risk-signed", () => {
  it("Compliance 1: a signing rule naming the high-risk repository, as the platform program's does", () => {
    assert.deepEqual(
      run([repository("ledger-service", "high"), repository("payments-api", "medium"), managed]),
      [],
    );
  });

  it("Compliance 2: a filter with * matching the name, a rule without filters, or any one of several rules", () => {
    const ledger = repository("team/ledger-service", "high");
    assert.deepEqual(run([ledger, signing([["team/*"]])]), []);
    assert.deepEqual(run([ledger, signing([["*ledger*"]])]), []);
    assert.deepEqual(run([ledger, signing([["*"]])]), []);
    assert.deepEqual(run([ledger, signing([undefined])]), []);
    assert.deepEqual(run([ledger, signing([["payments-api"], ["team/ledger-service"]])]), []);
  });

  it("Compliance 3: no high-risk repository, an aws-native repository covered, or signing managed elsewhere", () => {
    assert.deepEqual(
      run([repository("payments-api", "medium"), repository("bare", undefined)]),
      [],
    );
    assert.deepEqual(
      run([repository("ledger-service", "high", awsNativeTypes.ecrRepository), managed]),
      [],
    );
    assert.deepEqual(
      run([repository("ledger-service", "high")], { registrySigningManagedElsewhere: true }),
      [],
    );
  });

  it("Compliance 4: a signing configuration unknown during the preview is judged at the update", () => {
    const unknownRules: TestStackResource = {
      type: awsNativeTypes.ecrSigningConfiguration,
      name: "registry-signing",
      props: { rules: unknown },
    };
    const unknownFilter: TestStackResource = {
      type: awsNativeTypes.ecrSigningConfiguration,
      name: "registry-signing",
      props: {
        rules: [
          {
            signingProfileArn: profileArn,
            repositoryFilters: [{ filter: unknown, filterType: "WILDCARD_MATCH" }],
          },
        ],
      },
    };
    assert.deepEqual(run([repository("ledger-service", "high"), unknownRules]), []);
    assert.deepEqual(run([repository("ledger-service", "high"), unknownFilter]), []);
  });

  it("Compliance 5: what the platform program registers with registrySigning: managed and a high-risk app", async () => {
    const ns = "trusted-delivery-platform";
    const high = { id: "REGISTRY_LEDGER_SERVICE", owner: "team-ledger", risk: "high" };
    const registered = await runProgram(platform, {
      project: ns,
      stack: "dev",
      config: {
        [`${ns}:registrySigning`]: "managed",
        [`${ns}:apps`]: JSON.stringify({
          "ledger-service": { metadata: high, github: { repository: "acme/ledger-service" } },
          "payments-api": {
            metadata: { id: "REGISTRY_PAYMENTS_API", owner: "team-payments", risk: "medium" },
            github: { repository: "acme/payments-api" },
          },
        }),
      },
    });
    // The rule has something to judge: the high-risk repository and the configuration.
    assert.deepEqual(
      ofType(registered, awsTypes.ecrRepository).map((r) => [
        r.inputs.name,
        r.inputs.tags["goldenpath.idp/risk"],
      ]),
      [
        ["ledger-service", "high"],
        ["payments-api", "medium"],
      ],
    );
    assert.deepEqual(
      ofType(registered, awsNativeTypes.ecrSigningConfiguration).map(
        (r) => r.inputs.rules[0].repositoryFilters,
      ),
      [[{ filter: "ledger-service", filterType: "WILDCARD_MATCH" }]],
    );
    const resources: TestStackResource[] = registered.resources.map((r) => ({
      type: r.type,
      // URNs are unique; names repeat across types (a component and its children).
      name: r.urn,
      props: r.inputs,
    }));
    assert.deepEqual(run(resources), []);
    // Without its signing configuration, the same stack is reported: the pass above is the rule's.
    const unsigned = resources.filter((r) => r.type !== awsNativeTypes.ecrSigningConfiguration);
    assert.deepEqual(
      run(unsigned).map((v) => v.message),
      [`${prefix("ledger-service")}${noConfiguration}`],
    );
  });

  it("Noncompliance 1: no signing configuration in the stack", () => {
    const ledger = repository("ledger-service", "high");
    assert.deepEqual(run([ledger]), [
      { message: `${prefix("ledger-service")}${noConfiguration}`, urn: urnOf(ledger) },
    ]);
  });

  it("Noncompliance 2: a rule naming another repository, or a filter without * naming a prefix of it (ECR matches whole names)", () => {
    const ledger = repository("ledger-service", "high");
    const message = notMatched("ledger-service");
    assert.deepEqual(run([ledger, signing([["payments-api"]])]), [{ message, urn: urnOf(ledger) }]);
    assert.deepEqual(run([ledger, signing([["ledger"]])]), [{ message, urn: urnOf(ledger) }]);
    assert.deepEqual(run([ledger, signing([["ledger-service-*"]])]), [
      { message, urn: urnOf(ledger) },
    ]);
  });

  it("Noncompliance 3: a filter the rule cannot read is never taken to match", () => {
    const ledger = repository("ledger-service", "high");
    const unreadable: TestStackResource = {
      type: awsNativeTypes.ecrSigningConfiguration,
      name: "registry-signing",
      props: {
        rules: [
          {
            signingProfileArn: profileArn,
            repositoryFilters: [
              { filter: "ledger-service", filterType: "PREFIX_MATCH" },
              { filter: "Ledger-Service", filterType: "WILDCARD_MATCH" },
            ],
          },
        ],
      },
    };
    assert.deepEqual(run([ledger, unreadable]), [
      {
        message: `${prefix("ledger-service")}no rule of registry signing configuration "registry-signing" can be shown to match it (it has filters that cannot be read: "ledger-service" (filterType "PREFIX_MATCH"): only WILDCARD_MATCH filters can be read; "Ledger-Service" (filterType "WILDCARD_MATCH"): not a repository name pattern of lowercase letters, digits, ".", "_", "-", "/" and "*"): add the filter "ledger-service" (filterType WILDCARD_MATCH) to one of its rules`,
        urn: urnOf(ledger),
      },
    ]);
    // Beside a filter that matches, an unreadable one changes nothing.
    const both: TestStackResource = {
      ...unreadable,
      props: {
        rules: [
          ...(unreadable.props.rules as unknown[]),
          {
            signingProfileArn: profileArn,
            repositoryFilters: [{ filter: "ledger-*", filterType: "WILDCARD_MATCH" }],
          },
        ],
      },
    };
    assert.deepEqual(run([ledger, both]), []);
  });

  it("Noncompliance 4: two configurations, one of which leaves it out (either may be the one in effect)", () => {
    const ledger = repository("ledger-service", "high");
    assert.deepEqual(run([ledger, managed, signing([["payments-api"]], "second")]), [
      { message: notMatched("ledger-service", "second"), urn: urnOf(ledger) },
    ]);
  });

  it("Noncompliance 5: the risk levels and the tag prefix are configurable", () => {
    const payments = repository("payments-api", "medium");
    assert.deepEqual(
      run([payments, managed], { riskLevels: ["medium", "high"] }).map((v) => v.message),
      [
        'ECR repository "payments-api" is tagged "medium" risk and its images must be signed on push: no rule of registry signing configuration "registry-signing" matches it: add the filter "payments-api" (filterType WILDCARD_MATCH) to one of its rules',
      ],
    );
    const acme = repository("ledger-service", "high", awsTypes.ecrRepository, "acme.io/");
    assert.deepEqual(run([acme]), []);
    assert.deepEqual(
      run([acme], { tagPrefix: "acme.io/" }).map((v) => v.message),
      [`${prefix("ledger-service")}${noConfiguration}`],
    );
  });

  it("Noncompliance 6: a high-risk repository whose name the stack does not know", () => {
    const unnamed = repository(undefined, "high", awsNativeTypes.ecrRepository);
    assert.deepEqual(run([unnamed, signing([["ledger-service"]])]), [
      {
        message: `${prefix("unnamed")}it has no name the stack knows, so no filter can be shown to match it: give it a name`,
        urn: urnOf(unnamed),
      },
    ]);
  });

  describe("signsName against an independent reading of ECR's filters", () => {
    /** ECR's WILDCARD_MATCH as a regular expression: the whole name, `*` any run of characters. */
    const independentlySigns = (rules: readonly SigningRule[], name: string) =>
      rules.some(
        (rule) =>
          rule.filters.length === 0 ||
          rule.filters.some(
            (f) =>
              f.filterType === "WILDCARD_MATCH" &&
              typeof f.filter === "string" &&
              /^[a-z0-9*]+(?:[._/-][a-z0-9*]+)*$/.test(f.filter) &&
              !/[._-]\/|\/[._-]/.test(f.filter) &&
              new RegExp(
                `^${f.filter
                  .split("*")
                  .map((part) => part.replace(/[.]/g, "\\."))
                  .join(".*")}$`,
              ).test(name),
          ),
      );
    const part = fc.constantFrom("a", "b", "ab", "*", "a*", "-", "/", ".", "_", "x");
    const filterValue = fc.array(part, { minLength: 1, maxLength: 5 }).map((p) => p.join(""));
    const filter = fc.record({
      filter: filterValue,
      filterType: fc.constantFrom("WILDCARD_MATCH", "WILDCARD_MATCH", "PREFIX_MATCH"),
    });
    const rules = fc.array(
      fc.record({
        filters: fc.oneof(fc.constant([]), fc.array(filter, { minLength: 1, maxLength: 4 })),
      }),
      { minLength: 1, maxLength: 3 },
    );
    const name = fc
      .array(fc.constantFrom("a", "b", "ab", "-", "/", ".", "x"), { minLength: 1, maxLength: 6 })
      .map((p) => p.join(""));

    it("agrees on generated rules and names, reading each rule set once for many names", () => {
      fc.assert(
        fc.property(rules, fc.array(name, { minLength: 1, maxLength: 8 }), (r, names) => {
          for (const n of names) {
            assert.equal(signsName(r, n), independentlySigns(r, n), `${JSON.stringify(r)} ${n}`);
          }
        }),
        { numRuns: 3000 },
      );
    });
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

    it("is advisory by default and reports a high-risk repository no signing rule covers", async () => {
      const ledger = repository("ledger-service", "high");
      const diagnostics = await pack.analyzeStack([ledger].map(analyzerResource));
      const ours = diagnostics.filter((d) => d.policyName === "ecr-high-risk-signed");
      assert.deepEqual(
        ours.map((d) => [d.enforcementLevel, d.urn, d.message.split("\n")[1]]),
        [["advisory", urnOf(ledger), `${prefix("ledger-service")}${noConfiguration}`]],
      );
    });

    it("passes the platform program's rules", async () => {
      const diagnostics = await pack.analyzeStack(
        [repository("ledger-service", "high"), managed].map(analyzerResource),
      );
      assert.deepEqual(
        diagnostics.filter((d) => d.policyName === "ecr-high-risk-signed"),
        [],
      );
    });
  });
});
