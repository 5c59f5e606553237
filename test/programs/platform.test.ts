import { strict as assert } from "assert";
import * as path from "path";
import { GitHubOidcProvider, TrustedDeliveryPipeline } from "../../components";
import { planStack } from "../../cli/preview";
import { findProject, listStacks, readStackConfig } from "../../cli/workspace/project";
import { InvalidArgumentsError } from "../../components/invalidArguments";
import { platform } from "../../programs/platform/platform";
import { canAssume } from "../helpers/iam";
import { ofType, runExpectingError, runProgram, single } from "../helpers/offline";
import {
  awsNativeTypes,
  awsTypes,
  githubTypes,
  pulumiTypes,
} from "../../policy-pack/governance/typeTokens";

const project = findProject(path.join(__dirname, "../.."));
const ns = "trusted-delivery-platform";

const app = {
  metadata: { id: "REGISTRY_PAYMENTS_API", owner: "team-payments", risk: "medium" },
  github: { repository: "acme/payments-api" },
};

function configOf(values: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(values).map(([k, v]) => [
      `${ns}:${k}`,
      typeof v === "string" ? v : JSON.stringify(v),
    ]),
  );
}

const runPlatform = (values: Record<string, unknown>, stack = "dev") =>
  runProgram(platform, { project: ns, stack, config: configOf(values) });

describe("the committed stacks", () => {
  it("are dev, prod and staging", () => {
    assert.deepEqual(listStacks(project), ["dev", "prod", "staging"]);
  });

  for (const stack of ["dev", "staging", "prod"]) {
    describe(`stack ${stack}`, () => {
      it("runs the platform program under mocks: one OIDC provider and one pipeline per app, for its environment", async () => {
        const config = readStackConfig(project, stack);
        const apps = JSON.parse(config.values[`${ns}:apps`]);
        const plan = await planStack(project, stack);
        const resources = plan.run.resources;
        assert.equal(resources.filter((r) => r.type === GitHubOidcProvider.typeToken).length, 1);
        assert.deepEqual(
          resources.filter((r) => r.type === TrustedDeliveryPipeline.typeToken).map((r) => r.name),
          Object.keys(apps),
        );
        for (const name of Object.keys(apps)) {
          const role = resources.find(
            (r) => r.type === awsTypes.iamRole && r.name === `${name}-push-role`,
          )!;
          assert.equal(role.inputs.name, `ecr-push-${stack}-${name}`);
          assert.equal(role.inputs.tags.Environment, stack);
          const secret = resources.find((r) => r.name.startsWith(`${name}-role-secret`))!;
          assert.equal(secret.inputs.secretName, `TF_AWS_IAM_ROLE_${stack.toUpperCase()}`);
        }
        assert.equal(plan.run.outputs.environment, stack);
      });

      it("exports each app's repository URL and role ARN", async () => {
        const config = readStackConfig(project, stack);
        const apps = Object.keys(JSON.parse(config.values[`${ns}:apps`]));
        const plan = await planStack(project, stack);
        assert.deepEqual(Object.keys(plan.run.outputs.apps), apps);
        for (const name of apps) {
          assert.deepEqual(plan.run.outputs.apps[name], {
            repositoryUrl: `123456789012.dkr.ecr.eu-west-2.amazonaws.com/${name}`,
            roleArn: `arn:aws:iam::123456789012:role/ecr-push-${stack}-${name}`,
          });
        }
      });
    });
  }
});

describe("the platform program", () => {
  it("shares one OIDC provider among all pipelines of the stack", async () => {
    const run = await runPlatform({
      apps: {
        "payments-api": app,
        "web-frontend": { ...app, github: { repository: "acme/web-frontend" } },
      },
    });
    const provider = single(run, awsTypes.iamOidcProvider);
    assert.equal(provider.name, "github-oidc");
    for (const role of ofType(run, awsTypes.iamRole)) {
      assert.equal(
        JSON.parse(role.inputs.assumeRolePolicy).Statement[0].Principal.Federated,
        provider.outputs.arn,
      );
    }
  });

  it("trusts the account's existing OIDC provider when githubOidcProviderArn is set, creating none", async () => {
    const existing = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";
    const run = await runPlatform({
      githubOidcProviderArn: existing,
      apps: { "payments-api": app },
    });
    assert.deepEqual(ofType(run, awsTypes.iamOidcProvider), []);
    const trust = single(run, awsTypes.iamRole).inputs.assumeRolePolicy;
    assert.equal(canAssume(trust, { sub: "repo:acme/payments-api:ref:refs/heads/main" }), true);
    assert.equal(run.outputs.githubOidcProviderArn, existing);
  });

  it("writes to each app repository through a GitHub provider pinned to its owner", async () => {
    const run = await runPlatform({
      apps: {
        "payments-api": app,
        "web-frontend": { ...app, github: { repository: "acme/web-frontend" } },
        "billing-api": { ...app, github: { repository: "Globex/billing-api" } },
      },
    });
    const providers = ofType(run, githubTypes.provider);
    assert.deepEqual(
      providers.map((p) => [p.name, p.inputs.owner]),
      [
        ["github-acme", "acme"],
        ["github-globex", "Globex"],
      ],
    );
    const providerOf = (name: string) => run.resources.find((r) => r.name === name)!.provider!;
    assert.ok(providerOf("billing-api-role-secret").startsWith(providers[1].urn));
    assert.ok(providerOf("payments-api-role-secret").startsWith(providers[0].urn));
  }).timeout(10000);

  it("defaults the environment to the stack name", async () => {
    const run = await runPlatform({ apps: { "payments-api": app } }, "qa");
    assert.equal(single(run, githubTypes.actionsSecret).inputs.secretName, "TF_AWS_IAM_ROLE_QA");
  });

  it("with registryScanning: managed, scans its high-risk registries continuously and every other repository on push", async () => {
    const high = { ...app, metadata: { ...app.metadata, risk: "high" } };
    const run = await runPlatform({
      registryScanning: "managed",
      registrySigning: "managed",
      apps: {
        "payments-api": app,
        "ledger-service": { ...high, github: { repository: "acme/ledger-service" } },
        "team/risk-engine": { ...high, github: { repository: "acme/risk-engine" } },
      },
    });
    const scanning = single(run, awsTypes.ecrRegistryScanningConfiguration);
    assert.equal(scanning.name, "registry-scanning");
    assert.equal(scanning.parent, run.resources.find((r) => r.type === pulumiTypes.stack)!.urn);
    assert.deepEqual(scanning.inputs, {
      scanType: "ENHANCED",
      rules: [
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
    });
  });

  it("leaves the account's registry scanning alone unless told to manage it", async () => {
    for (const values of [{ apps: { "payments-api": app } }, { registryScanning: "unmanaged" }]) {
      const run = await runPlatform(values);
      assert.deepEqual(ofType(run, awsTypes.ecrRegistryScanningConfiguration), []);
    }
  });

  it("creates only the OIDC provider for a stack with no apps yet", async () => {
    const run = await runPlatform({});
    assert.deepEqual(
      run.resources.filter((r) => r.custom).map((r) => r.type),
      [awsTypes.iamOidcProvider],
    );
  });
});

describe("the platform program with bad config", () => {
  it("refuses two apps that would manage the same GitHub environment of one repository", async () => {
    const production = { environments: ["prod"] };
    const { error } = await runExpectingError(platform, {
      project: ns,
      stack: "prod",
      config: configOf({
        apps: {
          "payments-api": { ...app, github: { repository: "acme/payments-api", ...production } },
          "payments-worker": {
            ...app,
            metadata: { ...app.metadata, id: "REGISTRY_PAYMENTS_WORKER" },
            github: {
              repository: "acme/payments-api",
              secretName: "WORKER_ROLE_PROD",
              variableNames: { repositoryUrl: "WORKER_URL_PROD", region: "WORKER_REGION_PROD" },
              ...production,
            },
          },
        },
      }),
    });
    assert.equal(
      error.message,
      [
        'Stack "prod" config (programs/platform/Pulumi.prod.yaml) has an invalid argument:',
        '  - trusted-delivery-platform:apps.payments-worker.github.environments is "prod"; app "payments-api" already writes prod into acme/payments-api; give this app its own github.environments',
      ].join("\n"),
    );
  });

  it("names the stack file and every bad key, and registers nothing", async () => {
    const { error, registered } = await runExpectingError(platform, {
      project: ns,
      stack: "dev",
      config: configOf({
        environment: "Dev",
        appz: {},
        apps: {
          Payments_API: app,
          "web-frontend": { ...app, metadata: { ...app.metadata, risk: "urgent" }, githb: {} },
          "ledger-service": "yes",
        },
      }),
    });
    assert.ok(error instanceof InvalidArgumentsError);
    assert.equal(
      error.message,
      [
        'Stack "dev" config (programs/platform/Pulumi.dev.yaml) has 6 invalid arguments:',
        "  - trusted-delivery-platform:appz is not a setting; allowed: environment, githubOidcProviderArn, githubOidcIssuer, terraformState, registryScanning, registrySigning, signingProfileArn, pull, apps",
        '  - trusted-delivery-platform:environment is "Dev"; must be 1 to 32 lower-case letters, digits and hyphens, starting and ending with a letter or digit, e.g. "dev" or "prod-eu"',
        '  - trusted-delivery-platform:apps.Payments_API is "Payments_API"; must be an ECR repository name (an app\'s key is its repository name): 2 to 256 lower-case letters, digits and . _ - in path components separated by /, e.g. "payments-api" or "team/payments-api"',
        "  - trusted-delivery-platform:apps.web-frontend.githb is not a setting; allowed: metadata, github, ecr, tags, importIds, role",
        '  - trusted-delivery-platform:apps.web-frontend.metadata.risk is "urgent"; must be one of "low", "medium", "high"',
        '  - trusted-delivery-platform:apps.ledger-service is "yes"; must be a map with metadata and github (and optionally ecr, tags and importIds)',
      ].join("\n"),
    );
    assert.deepEqual(registered, []);
  });

  it("refuses a registryScanning that is neither managed nor unmanaged, and more high-risk apps than one rule can name", async () => {
    const bad = await runExpectingError(platform, {
      project: ns,
      stack: "dev",
      config: configOf({ registryScanning: "enhanced" }),
    });
    assert.equal(
      bad.error.message,
      [
        'Stack "dev" config (programs/platform/Pulumi.dev.yaml) has an invalid argument:',
        '  - trusted-delivery-platform:registryScanning is "enhanced"; must be "managed" or "unmanaged"',
      ].join("\n"),
    );
    const apps = Object.fromEntries(
      Array.from({ length: 101 }, (_, i) => [
        `app-${i}`,
        {
          metadata: { id: `REGISTRY_APP_${i}`, owner: "team", risk: "high" },
          github: { repository: `acme/app-${i}` },
        },
      ]),
    );
    const many = await runExpectingError(platform, {
      project: ns,
      stack: "dev",
      config: configOf({ registryScanning: "managed", registrySigning: "managed", apps }),
    });
    assert.equal(
      many.error.message,
      [
        'Stack "dev" config (programs/platform/Pulumi.dev.yaml) has an invalid argument:',
        "  - trusted-delivery-platform:registryScanning is \"managed\"; can name at most 100 high-risk repositories in its continuous scanning rule (ECR's limit of filters per rule); this stack has 101: split the apps across accounts, or manage the registry's scanning yourself with wildcard filters",
      ].join("\n"),
    );
    assert.deepEqual(many.registered, []);
  });

  it("refuses two apps that would write the same secret into one repository", async () => {
    const { error, registered } = await runExpectingError(platform, {
      project: ns,
      stack: "dev",
      config: configOf({
        apps: {
          "payments-api": app,
          "payments-worker": {
            ...app,
            metadata: { ...app.metadata, id: "REGISTRY_PAYMENTS_WORKER" },
            github: { repository: "acme/payments-api", secretName: "WORKER_ROLE_DEV" },
          },
        },
      }),
    });
    assert.equal(
      error.message,
      [
        'Stack "dev" config (programs/platform/Pulumi.dev.yaml) has 2 invalid arguments:',
        '  - trusted-delivery-platform:apps.payments-worker.github.variableNames.repositoryUrl is "ECR_REPOSITORY_URL_DEV"; app "payments-api" already writes ECR_REPOSITORY_URL_DEV into acme/payments-api; give this app its own github.variableNames.repositoryUrl',
        '  - trusted-delivery-platform:apps.payments-worker.github.variableNames.region is "AWS_REGION_DEV"; app "payments-api" already writes AWS_REGION_DEV into acme/payments-api; give this app its own github.variableNames.region',
      ].join("\n"),
    );
    assert.deepEqual(registered, []);
  });
});

describe("the platform program's image signing", () => {
  const high = { ...app, metadata: { ...app.metadata, risk: "high" } };
  const apps = {
    "payments-api": app,
    "ledger-service": { ...high, github: { repository: "acme/ledger-service" } },
    "team/risk-engine": { ...high, github: { repository: "acme/risk-engine" } },
  };

  it("with registrySigning: managed, creates the environment's profile and a signing rule naming exactly the signed registries", async () => {
    const run = await runPlatform({ registrySigning: "managed", apps });
    const profile = single(run, awsTypes.signerSigningProfile);
    assert.equal(profile.inputs.platformId, "Notation-OCI-SHA384-ECDSA");
    assert.equal(profile.inputs.name, "trusted_delivery_dev");
    const profileArn = profile.outputs.arn;
    assert.match(
      profileArn,
      /^arn:aws:signer:eu-west-2:123456789012:\/signing-profiles\/trusted_delivery_dev$/,
    );
    const configuration = single(run, awsNativeTypes.ecrSigningConfiguration);
    assert.deepEqual(configuration.inputs.rules, [
      {
        signingProfileArn: profileArn,
        repositoryFilters: [
          { filter: "ledger-service", filterType: "WILDCARD_MATCH" },
          { filter: "team/risk-engine", filterType: "WILDCARD_MATCH" },
        ],
      },
    ]);
    // Each signed app's role signs with that profile alone; the medium-risk one cannot sign.
    for (const [name, signs] of [
      ["ledger-service", true],
      ["team/risk-engine", true],
      ["payments-api", false],
    ] as const) {
      const policy = JSON.parse(
        run.resources.find((r) => r.name === `${name}-push-policy`)!.inputs.policy,
      );
      const signing = policy.Statement.filter((s: { Action: unknown }) =>
        JSON.stringify(s.Action).includes("signer:"),
      );
      assert.deepEqual(
        signing,
        signs
          ? [
              {
                Sid: "SignWithThePlatformProfile",
                Effect: "Allow",
                Action: "signer:SignPayload",
                Resource: profileArn,
              },
            ]
          : [],
        name,
      );
    }
    assert.equal(run.outputs.signingProfileArn, profileArn);
  });

  it("unmanaged, signs with the signingProfileArn given and creates no signing resources", async () => {
    const given = "arn:aws:signer:eu-west-2:123456789012:/signing-profiles/shared_release";
    const run = await runPlatform({ signingProfileArn: given, apps });
    assert.deepEqual(ofType(run, awsTypes.signerSigningProfile), []);
    assert.deepEqual(ofType(run, awsNativeTypes.ecrSigningConfiguration), []);
    const variable = run.resources.find((r) => r.name === "ledger-service-signing-profile")!;
    assert.equal(variable.inputs.variableName, "ECR_SIGNING_PROFILE_ARN_DEV");
    assert.equal(variable.inputs.value, given);
    assert.equal(
      run.resources.find((r) => r.name === "payments-api-signing-profile"),
      undefined,
    );
  });

  it("refuses high-risk apps without a profile, a profile beside managed signing, and a malformed ARN, registering nothing", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [
        { apps },
        '  - trusted-delivery-platform:registrySigning is "unmanaged"; leaves "ledger-service", "team/risk-engine" without a signing profile, whose images are signed (ecr.signing, always for high risk): set registrySigning: managed (the stack creates the environment\'s AWS Signer profile and the registry\'s signing configuration), or signingProfileArn: the profile of a signing configuration managed elsewhere',
      ],
      [
        {
          apps,
          registrySigning: "managed",
          signingProfileArn: "arn:aws:signer:eu-west-2:123456789012:/signing-profiles/x_y",
        },
        '  - trusted-delivery-platform:signingProfileArn is "arn:aws:signer:eu-west-2:123456789012:/signing-profiles/x_y"; cannot be given with registrySigning: managed, which creates the environment\'s own profile: leave out one or the other',
      ],
      [
        { apps, signingProfileArn: "arn:aws:signer:eu-west-2:123456789012:signing-profiles/x" },
        '  - trusted-delivery-platform:signingProfileArn is "arn:aws:signer:eu-west-2:123456789012:signing-profiles/x"; must be the ARN of an AWS Signer signing profile, arn:<partition>:signer:<region>:<account>:/signing-profiles/<name> (2 to 64 letters, digits and _), e.g. "arn:aws:signer:eu-west-2:123456789012:/signing-profiles/trusted_delivery_prod"',
      ],
      [
        { apps, registrySigning: "always" },
        '  - trusted-delivery-platform:registrySigning is "always"; must be "managed" or "unmanaged"',
      ],
    ];
    for (const [values, line] of cases) {
      const bad = await runExpectingError(platform, {
        project: ns,
        stack: "dev",
        config: configOf(values),
      });
      assert.equal(
        bad.error.message,
        [
          'Stack "dev" config (programs/platform/Pulumi.dev.yaml) has an invalid argument:',
          line,
        ].join("\n"),
      );
      assert.deepEqual(bad.registered, []);
    }
  });

  it("with only low- and medium-risk apps, needs no profile and creates none", async () => {
    const run = await runPlatform({ registrySigning: "managed", apps: { "payments-api": app } });
    assert.deepEqual(ofType(run, awsTypes.signerSigningProfile), []);
    assert.deepEqual(ofType(run, awsNativeTypes.ecrSigningConfiguration), []);
  });
});
