/**
 * The audit's reading of each region's ECR signing configuration (ECR managed signing), judged
 * by `ecr-high-risk-signed`. moto (5.2.1) does not implement GetSigningConfiguration, so the
 * account is moto's and that one call, on the audit's own clients, is answered by a fake with
 * recorded responses in the API reference's shapes (as are moto's two unimplemented listings,
 * with empty pages, so that what could not be read is only what each test makes so).
 */
import { strict as assert } from "assert";
import * as ecr from "@aws-sdk/client-ecr";
import {
  auditExitCode,
  AuditReport,
  judgeAccount,
  readAccount,
  signedRepositories,
} from "../../cli/audit/audit";
import { auditTable } from "../../cli/audit/report";
import { awsClients, AwsClients } from "../../cli/aws/clients";
import { GuardableClient } from "../../cli/aws/readOnlyCalls";
import { resolvePolicyConfig } from "../../cli/policyPack/policyConfig";
import { lifecyclePolicyDocument } from "../../components/lifecyclePolicy";
import { riskTiers } from "../../components/riskTiers";
import { RiskLevel } from "../../policy-pack/governance/registry";
import { testClients } from "../helpers/liveAccount";
import { motoAccount, MotoServer, startMoto } from "../helpers/moto";
import { packInfo } from "../helpers/packInfo";

const home = "eu-west-2";
const second = "eu-west-1";
const mediumOnly = "us-east-1";
const regions = [home, second, mediumOnly];
const profileArn = `arn:aws:signer:${home}:${motoAccount}:/signing-profiles/trusted_delivery_dev`;

/** Each region's repositories and their risk: high ones in two regions, medium alone in one. */
const seeded: Readonly<Record<string, readonly [string, RiskLevel][]>> = {
  [home]: [
    ["ledger-service", "high"],
    ["payments-api", "medium"],
  ],
  [second]: [["risk-engine", "high"]],
  [mediumOnly]: [["tools", "medium"]],
};

/** A repository the pack's mandatory policies pass: its tier's settings, tags and lifecycle. */
async function seed(endpoint: string): Promise<void> {
  for (const [region, repositories] of Object.entries(seeded)) {
    const client = testClients(endpoint, region).ecr;
    for (const [repositoryName, risk] of repositories) {
      const tier = riskTiers[risk];
      await client.send(
        new ecr.CreateRepositoryCommand({
          repositoryName,
          imageTagMutability: tier.imageTagMutability,
          imageScanningConfiguration: { scanOnPush: true },
          encryptionConfiguration: { encryptionType: tier.encryption },
          tags: [
            { Key: "goldenpath.idp/id", Value: repositoryName.toUpperCase().replace(/-/g, "_") },
            { Key: "goldenpath.idp/owner", Value: "team-ledger" },
            { Key: "goldenpath.idp/risk", Value: risk },
          ],
        }),
      );
      await client.send(
        new ecr.PutLifecyclePolicyCommand({
          repositoryName,
          lifecyclePolicyText: lifecyclePolicyDocument(tier.keepImages, risk),
        }),
      );
    }
  }
}

/** A recorded GetSigningConfiguration answer: the response, or the error ECR answers. */
type RecordedSigning =
  { readonly response: ecr.GetSigningConfigurationResponse } | { readonly error: Error };

/** A recorded response naming these filters in one rule (none: a rule signing everything). */
const recordedRule = (filters?: string[]): RecordedSigning => ({
  response: {
    registryId: motoAccount,
    signingConfiguration: {
      rules: [
        {
          signingProfileArn: profileArn,
          ...(filters && {
            repositoryFilters: filters.map((filter) => ({
              filter,
              filterType: "WILDCARD_MATCH" as const,
            })),
          }),
        },
      ],
    },
  },
});

/** ECR's answer for a registry that has never had a signing configuration. */
const recordedNotFound: RecordedSigning = {
  error: new ecr.SigningConfigurationNotFoundException({
    message: `No signing configuration found for registry ${motoAccount}`,
    $metadata: { httpStatusCode: 400 },
  }),
};

const deniedReason = `User: arn:aws:sts::${motoAccount}:assumed-role/audit/ci is not authorized to perform: ecr:GetSigningConfiguration because no identity-based policy allows the ecr:GetSigningConfiguration action`;

/** ECR's answer to credentials without ecr:GetSigningConfiguration. */
const recordedDenied: RecordedSigning = {
  error: new ecr.ECRServiceException({
    name: "AccessDeniedException",
    $fault: "client",
    $metadata: { httpStatusCode: 400 },
    message: deniedReason,
  }),
};

/** Recorded empty pages for the listings moto does not implement. */
const recordedListings: Readonly<Record<string, object>> = {
  DescribeRepositoryCreationTemplatesCommand: {
    registryId: motoAccount,
    repositoryCreationTemplates: [],
  },
  DescribePullThroughCacheRulesCommand: { pullThroughCacheRules: [] },
};

/**
 * The audit's own clients (read-only guard, observer and all), whose ECR clients answer
 * GetSigningConfiguration with `signing`'s recorded answer for their region (and record that the
 * region was asked): the guard sees each call first, so the call is one of the read-only table.
 */
function withFakeSigning(
  clients: AwsClients,
  signing: Readonly<Record<string, RecordedSigning>>,
  asked: string[],
): AwsClients {
  const faked = new WeakSet<ecr.ECRClient>();
  return {
    ...clients,
    ecr(region) {
      const client = clients.ecr(region);
      if (!faked.has(client)) {
        faked.add(client);
        (client as GuardableClient).middlewareStack.add(
          (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) =>
            async (args: unknown) => {
              const listing = recordedListings[String(context.commandName)];
              if (listing !== undefined) {
                return { output: { $metadata: {}, ...listing }, response: {} };
              }
              if (context.commandName !== "GetSigningConfigurationCommand") {
                return next(args);
              }
              asked.push(region);
              const answer = signing[region];
              if (answer === undefined) {
                throw new Error(
                  `the test recorded no GetSigningConfiguration answer for ${region}`,
                );
              }
              if ("error" in answer) {
                throw answer.error;
              }
              return {
                output: { $metadata: { httpStatusCode: 200 }, ...answer.response },
                response: {},
              };
            },
          { step: "initialize", name: "fakeSigningConfiguration", priority: "low" },
        );
      }
      return client;
    },
  };
}

describe("the audit's reading of ECR signing configurations (recorded answers; moto has none)", function () {
  this.timeout(120000);
  let moto: MotoServer;
  const config = resolvePolicyConfig(packInfo(), undefined);

  before(async () => {
    moto = await startMoto();
    await seed(moto.endpoint);
  });

  after(async () => {
    await moto?.stop();
  });

  /** Audits moto's account in the three regions, GetSigningConfiguration answered by `signing`. */
  async function audit(
    signing: Readonly<Record<string, RecordedSigning>>,
    policyConfig = config,
  ): Promise<{ report: AuditReport; asked: string[]; sent: string[] }> {
    const asked: string[] = [];
    const sent: string[] = [];
    const saved = { ...process.env };
    Object.assign(process.env, moto.env);
    try {
      const live = await readAccount(
        withFakeSigning(
          awsClients((action) => sent.push(action)),
          signing,
          asked,
        ),
        { home, given: regions },
        () => {},
        signedRepositories(policyConfig),
      );
      return { report: await judgeAccount(live, policyConfig), asked: asked.sort(), sent };
    } finally {
      process.env = saved;
    }
  }

  const signingFindings = (report: AuditReport) =>
    report.findings
      .filter((f) => f.policyName === "ecr-high-risk-signed")
      .map((f) => ({
        message: f.message,
        level: f.enforcementLevel,
        region: f.resource?.location.region,
        arn: f.resource?.location.arn,
      }));

  it("finds nothing when each region's configuration signs its high-risk repositories, by name or with a rule without filters", async () => {
    const { report, asked, sent } = await audit({
      [home]: recordedRule(["ledger-service"]),
      [second]: recordedRule(),
    });
    assert.deepEqual(signingFindings(report), []);
    assert.deepEqual(report.couldNotRead, []);
    assert.equal(auditExitCode(report), 0);
    // The region with only medium-risk repositories is never asked.
    assert.deepEqual(asked, [second, home]);
    assert.equal(sent.filter((a) => a === "ecr:GetSigningConfiguration").length, 2);
    // Presented to the pack as the platform program declares it, one per region read.
    const configurations = report.resources.filter(
      (r) => r.type === "aws-native:ecr:SigningConfiguration",
    );
    assert.deepEqual(
      configurations.map((r) => [r.location.kind, r.location.region, r.location.id]),
      [
        [
          "ECR registry signing configuration",
          home,
          `aws/ecr/${home}/${motoAccount}/signing-configuration`,
        ],
        [
          "ECR registry signing configuration",
          second,
          `aws/ecr/${second}/${motoAccount}/signing-configuration`,
        ],
      ],
    );
    assert.deepEqual(configurations[0].props.rules, [
      {
        signingProfileArn: profileArn,
        repositoryFilters: [{ filter: "ledger-service", filterType: "WILDCARD_MATCH" }],
      },
    ]);
  });

  it("reports a high-risk repository no rule signs, and one in a registry with no signing configuration, naming the repository, account and region", async () => {
    const { report, asked } = await audit({
      // A filter without * matches the one name: "ledger" is not "ledger-service".
      [home]: recordedRule(["ledger"]),
      [second]: recordedNotFound,
    });
    assert.deepEqual(asked, [second, home]);
    assert.deepEqual(report.couldNotRead, []);
    assert.deepEqual(signingFindings(report), [
      {
        message:
          'ECR repository "ledger-service" is tagged "high" risk and its images must be signed on push: no rule of registry signing configuration "registry" matches it: add the filter "ledger-service" (filterType WILDCARD_MATCH) to one of its rules',
        level: "advisory",
        region: home,
        arn: `arn:aws:ecr:${home}:${motoAccount}:repository/ledger-service`,
      },
      {
        message:
          'ECR repository "risk-engine" is tagged "high" risk and its images must be signed on push: no registry signing configuration in this stack signs it: set the platform stack\'s registrySigning to managed, or declare an aws-native ecr.SigningConfiguration with a rule whose filter names it (or set registrySigningManagedElsewhere when another stack manages signing)',
        level: "advisory",
        region: second,
        arn: `arn:aws:ecr:${second}:${motoAccount}:repository/risk-engine`,
      },
    ]);
    // A registry without one is no resource: nothing to present but its repositories.
    assert.deepEqual(
      report.resources
        .filter((r) => r.type === "aws-native:ecr:SigningConfiguration")
        .map((r) => r.location.region),
      [home],
    );
    // The table names them as it names every finding: the repository, its region and its ARN
    // (the account's).
    const table = auditTable(report);
    const block = (name: string, region: string) =>
      table.split("\n\n").find((b) => b.startsWith(`ECR repository ${name} (${region},`)) ?? "";
    assert.match(
      block("ledger-service", home),
      new RegExp(
        `^ECR repository ledger-service \\(${home}, arn:aws:ecr:${home}:${motoAccount}:repository/ledger-service\\)\n(.*\n)*  \\[advisory\\] ecr-high-risk-signed \\(medium\\)\n      ECR repository "ledger-service" is tagged "high" risk and its images must be signed on push: no rule`,
      ),
    );
    assert.match(
      block("risk-engine", second),
      /ecr-high-risk-signed \(medium\)\n {6}ECR repository "risk-engine"/,
    );
    assert.ok(table.startsWith(`Audit of AWS account ${motoAccount} (${regions.join(", ")})`));
    // Advisory findings alone pass the audit.
    assert.equal(auditExitCode(report), 0);
  });

  it("reports a denied read as could not read for that region only, judges the others, and exits 1", async () => {
    const { report, asked } = await audit({
      [home]: recordedDenied,
      [second]: recordedRule(["payments-api"]),
    });
    assert.deepEqual(asked, [second, home]);
    assert.deepEqual(
      report.couldNotRead.map((u) => ({
        what: u.what,
        action: u.action,
        region: u.region,
        reason: u.reason,
      })),
      [
        {
          what: "the ECR registry signing configuration",
          action: "ecr:GetSigningConfiguration",
          region: home,
          reason: `AccessDeniedException (HTTP 400): ${deniedReason}`,
        },
      ],
    );
    // The denied region's repository is not judged (not taken for signed, nor for unsigned); the
    // other region's is.
    assert.deepEqual(
      signingFindings(report).map((f) => [f.region, f.arn]),
      [[second, `arn:aws:ecr:${second}:${motoAccount}:repository/risk-engine`]],
    );
    assert.equal(auditExitCode(report), 1);
    assert.match(
      auditTable(report),
      new RegExp(
        `Could not read \\(never taken as compliant\\):\\n  the ECR registry signing configuration in ${home} \\(ecr:GetSigningConfiguration: AccessDeniedException \\(HTTP 400\\): User: `,
      ),
    );
  });

  it("reads where the policy config's risk levels are, and nowhere when signing is managed elsewhere or the policy is disabled", async () => {
    const withMedium = resolvePolicyConfig(packInfo(), {
      "ecr-high-risk-signed": { riskLevels: ["medium", "high"] },
    });
    const everywhere = await audit(
      {
        [home]: recordedRule(["ledger-service", "payments-api"]),
        [second]: recordedRule(),
        [mediumOnly]: recordedRule(["ledger-service"]),
      },
      withMedium,
    );
    assert.deepEqual(everywhere.asked, [second, home, mediumOnly]);
    assert.deepEqual(
      signingFindings(everywhere.report).map((f) => f.message),
      [
        'ECR repository "tools" is tagged "medium" risk and its images must be signed on push: no rule of registry signing configuration "registry" matches it: add the filter "tools" (filterType WILDCARD_MATCH) to one of its rules',
      ],
    );
    for (const settings of [
      { "ecr-high-risk-signed": { registrySigningManagedElsewhere: true } },
      { "ecr-high-risk-signed": "disabled" },
    ]) {
      const { report, asked, sent } = await audit({}, resolvePolicyConfig(packInfo(), settings));
      assert.deepEqual(asked, [], JSON.stringify(settings));
      assert.ok(!sent.includes("ecr:GetSigningConfiguration"));
      assert.deepEqual(signingFindings(report), []);
    }
  });

  it("asks about the repositories the policy judges: tagged with a signed risk level under its tag prefix", () => {
    const defaults = signedRepositories();
    assert.equal(defaults({ "goldenpath.idp/risk": "high" }), true);
    assert.equal(defaults({ "goldenpath.idp/risk": "medium" }), false);
    assert.equal(defaults({ risk: "high" }), false);
    assert.equal(defaults({}), false);
    const acme = signedRepositories(
      resolvePolicyConfig(packInfo(), { "ecr-high-risk-signed": { tagPrefix: "acme.io/" } }),
    );
    assert.equal(acme({ "acme.io/risk": "high" }), true);
    assert.equal(acme({ "goldenpath.idp/risk": "high" }), false);
  });
});
