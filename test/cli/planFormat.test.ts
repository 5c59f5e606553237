import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import fc from "fast-check";
import * as path from "path";
import {
  formatPlan,
  Plan,
  PlanAction,
  PlanApp,
  PlanEnvironment,
  maskedInputs,
  planJson,
  planJsonSchemaVersion,
  planModel,
  PlanResource,
  StackPlan,
  TrustSubject,
} from "../../cli/preview";
import type { PolicyReport } from "../../cli/preview/policySession";
import { runProgram } from "../helpers/offline";
import { awsTypes, githubTypes } from "../../policy-pack/governance/typeTokens";

/**
 * Reads the plan's text back into its model, by the layout `formatPlan` documents: a header of
 * two lines, the resources outside the apps, a block per app and a count. Written apart from
 * `formatPlan` so that a fact the text drops, or prints ambiguously, fails the round trip.
 */
function readPlanText(text: string): Plan {
  const lines = text.split("\n");
  let at = 0;
  const next = () => lines[at++];
  const expect = (pattern: RegExp, what: string): RegExpMatchArray => {
    const line = next();
    const match = line?.match(pattern);
    assert.ok(match, `line ${at}: expected ${what}, got ${JSON.stringify(line)}`);
    return match;
  };
  const [, stack, project, file] = expect(
    /^Offline plan for stack "([^"]*)" of (\S+) \((.*)\)$/,
    "the title",
  );
  const [, environment, region, accountId] = expect(
    /^Environment (\S+), region (\S+)\. Run under Pulumi's mocks: no credentials, no Pulumi CLI; account (\S+) and the ARNs below are placeholders\.$/,
    "the environment line",
  );
  expect(/^$/, "a blank line");

  const marks: Record<string, PlanAction> = { "+": "create", "=": "import" };
  const resource = (line: string): PlanResource | undefined => {
    const match = line.match(/^ {2}([+=]) (\S+) +(\S+)(?: {2}\[(.*)\])?$/);
    if (!match) {
      return undefined;
    }
    const flags = match[4]?.split(", ") ?? [];
    const importFlag = flags.find((f) => f.startsWith("import "));
    return {
      action: marks[match[1]],
      type: match[3],
      name: match[2],
      protect: flags.includes("protected"),
      ...(importFlag && { importId: importFlag.slice("import ".length) }),
    };
  };

  const shared: PlanResource[] = [];
  if (lines[at] === "Outside the apps" || lines[at] === "Resources") {
    next();
    while (lines[at] !== "") {
      const r = resource(next());
      assert.ok(r, `line ${at}: expected a resource`);
      const detail = lines[at]?.match(/^ {6}(.*)$/)?.[1];
      let extra: Partial<PlanResource> = {};
      if (detail !== undefined) {
        next();
        const oidc = detail.match(/^url (\S+), audiences (.*)$/);
        const owner = detail.match(/^owner (\S+)$/);
        const scanning = detail.match(/^(\S+) scanning: (.*)$/);
        if (oidc) {
          extra = {
            openIdConnect: { url: oidc[1], audiences: oidc[2] === "" ? [] : oidc[2].split(", ") },
          };
        } else if (owner) {
          extra = { githubOwner: owner[1] };
        } else if (scanning) {
          const rules =
            scanning[2] === "no rules"
              ? []
              : scanning[2].split("; ").map((rule) => {
                  const [frequency, ...rest] = rule.split(" ");
                  const filters = rest.join(" ");
                  return { frequency, filters: filters === "" ? [] : filters.split(", ") };
                });
          extra = { registryScanning: { scanType: scanning[1], rules } };
        } else {
          assert.fail(`line ${at}: unknown detail ${JSON.stringify(detail)}`);
        }
      }
      shared.push({ ...r, ...extra });
    }
    next();
  }
  if (lines[at]?.startsWith("No apps yet: ")) {
    next();
    expect(/^$/, "a blank line");
  }

  const apps: PlanApp[] = [];
  while (lines[at]?.startsWith("App ")) {
    const [, name, , id, owner, risk] = expect(
      /^App (\S+)( {2}\(id (\S+), owner (\S+), risk (\S+)\))?$/,
      "an app",
    );
    const app: {
      -readonly [K in keyof PlanApp]: PlanApp[K];
    } = {
      name,
      resources: [],
      environments: [],
      ...(id !== undefined && { metadata: { id, owner, risk } }),
    };
    const resources: PlanResource[] = [];
    const environments: PlanEnvironment[] = [];
    while (lines[at] !== "") {
      const line = next();
      const r = resource(line);
      if (r) {
        resources.push(r);
        continue;
      }
      const registry = line.match(
        /^ {2}Registry {3}(\S+): (\S+) tags, (\S+) encryption(?: \(key (.*)\))?, scan on push (on|OFF), force delete (ON|off)(, protected from deletion)?$/,
      );
      if (registry) {
        const [, registryName, mutability, encryption, key, scan, force, protect] = registry;
        const lifecycle = expect(/^ {2}Lifecycle {2}(.*)$/, "the lifecycle line")[1];
        const tags = expect(/^ {2}Tags {7}(.*)$/, "the tags line")[1];
        app.registry = {
          name: registryName,
          imageTagMutability: mutability,
          encryptionType: encryption,
          kmsKey: key !== undefined && key !== "aws/ecr, AWS managed" ? key : "",
          scanOnPush: scan === "on",
          forceDelete: force === "ON",
          protect: protect !== undefined,
          tagsAll: Object.fromEntries(
            tags === ""
              ? []
              : tags.split(", ").map((t) => [t.split("=")[0], t.slice(t.indexOf("=") + 1)]),
          ),
          ...(lifecycle !== "none" && { lifecycleRule: lifecycle }),
        };
        continue;
      }
      const signing = line.match(
        /^ {2}Signing {4}every pushed image, by ECR managed signing with (\S+)$/,
      );
      if (signing) {
        app.signingProfileArn = signing[1];
        continue;
      }
      const role = line.match(
        /^ {2}Push role {2}(\S+), assumable only by GitHub Actions runs with sub:$/,
      );
      if (role) {
        const subjects: TrustSubject[] = [];
        for (let s; (s = lines[at]?.match(/^ {15}(\S+) +\((StringEquals|StringLike)\)$/)); next()) {
          subjects.push({ subject: s[1], operator: s[2] as TrustSubject["operator"] });
        }
        app.role = { name: role[1], subjects };
        continue;
      }
      const environmentLine = line.match(
        /^ {2}Environment (\S+): (no reviewers|approved by (.*?))( \(not by whoever triggered it\))?, deploys from (.*?)(?:, after (\d+) min)?$/,
      );
      if (environmentLine) {
        const [, envName, , reviewers, selfReview, from, wait] = environmentLine;
        environments.push({
          name: envName,
          reviewers: reviewers === undefined ? [] : reviewers.split(", "),
          preventSelfReview: selfReview !== undefined,
          deploysFrom: from === "nothing" ? [] : from.split(", "),
          waitTimer: wait === undefined ? 0 : Number(wait),
        });
        continue;
      }
      const githubLine = line.match(
        /^ {2}GitHub {5}(\S+): secret (.*) holds the role ARN; variables (.*)$/,
      );
      if (githubLine) {
        const list = (text: string) => (text === "" ? [] : text.split(", "));
        app.github = {
          repository: githubLine[1],
          secrets: list(githubLine[2]).map((s) => {
            const scoped = s.match(/^(\S+) \(environment (\S+)\)$/);
            return scoped ? { name: scoped[1], environment: scoped[2] } : { name: s };
          }),
          variables: list(githubLine[3]),
        };
        continue;
      }
      assert.fail(`line ${at}: not part of an app: ${JSON.stringify(line)}`);
    }
    next();
    apps.push({ ...app, resources, environments });
  }

  const [, created, imported, appCount] = expect(
    /^(\d+) to create(?:, (\d+) to import)? \((\d+) apps?\)\.$/,
    "the count",
  );
  const all = [...shared, ...apps.flatMap((a) => a.resources)];
  assert.equal(Number(created), all.filter((r) => r.action === "create").length, "create count");
  assert.equal(Number(imported ?? 0), all.filter((r) => r.action === "import").length);
  assert.equal(Number(appCount), apps.length, "app count");
  const logs = lines.slice(at).map((line) => {
    const [, severity, message] = line.match(/^(warning|error|info): (.*)$/)!;
    return { severity: severity as "warning" | "error" | "info", message };
  });
  return { project, stack, file, environment, region, accountId, shared, apps, logs };
}

// Words as they appear in plans: no spaces, commas, brackets or `=`.
const word = fc.stringMatching(/^[a-z][a-z0-9._/-]{0,14}$/);
const words = (max: number) => fc.array(word, { maxLength: max });
const type = fc.constantFrom(...Object.values(awsTypes), ...Object.values(githubTypes));

const planResource: fc.Arbitrary<PlanResource> = fc.record(
  {
    action: fc.constantFrom<PlanAction>("create", "import"),
    type,
    name: word,
    protect: fc.boolean(),
    importId: word,
  },
  { requiredKeys: ["action", "type", "name", "protect"] },
);

const sharedResource: fc.Arbitrary<PlanResource> = fc.oneof(
  planResource,
  fc
    .tuple(planResource, fc.record({ url: word, audiences: words(3) }))
    .map(([r, openIdConnect]) => ({ ...r, type: awsTypes.iamOidcProvider, openIdConnect })),
  fc
    .tuple(planResource, word)
    .map(([r, githubOwner]) => ({ ...r, type: githubTypes.provider, githubOwner })),
  fc
    .tuple(
      planResource,
      fc.record({
        scanType: fc.constantFrom("BASIC", "ENHANCED"),
        rules: fc.array(
          fc.record({
            frequency: fc.constantFrom("SCAN_ON_PUSH", "CONTINUOUS_SCAN", "MANUAL"),
            filters: fc.array(fc.oneof(word, fc.constant("*")), { maxLength: 3 }),
          }),
          { maxLength: 2 },
        ),
      }),
    )
    .map(([r, registryScanning]) => ({
      ...r,
      type: awsTypes.ecrRegistryScanningConfiguration,
      registryScanning,
    })),
);

const registry = fc
  .record({
    name: word,
    imageTagMutability: fc.constantFrom("MUTABLE", "IMMUTABLE"),
    encryptionType: fc.constantFrom("AES256", "KMS"),
    kmsKey: fc.option(word, { nil: undefined }),
    scanOnPush: fc.boolean(),
    forceDelete: fc.boolean(),
    protect: fc.boolean(),
    tagsAll: fc.dictionary(word, word, { maxKeys: 4 }),
    lifecycleRule: fc.option(
      fc.stringMatching(/^Keep last [1-9][0-9]? images \((low|medium|high) risk policy\)$/),
      { nil: undefined },
    ),
  })
  // A key is shown only with KMS encryption.
  .map(({ kmsKey, lifecycleRule, ...r }) => ({
    ...r,
    kmsKey: kmsKey !== undefined && r.encryptionType === "KMS" ? kmsKey : "",
    ...(lifecycleRule !== undefined && { lifecycleRule }),
  }));

const environment: fc.Arbitrary<PlanEnvironment> = fc.record({
  name: word,
  reviewers: fc.array(fc.stringMatching(/^(team|user) [1-9][0-9]{0,6}$/), { maxLength: 3 }),
  preventSelfReview: fc.boolean(),
  deploysFrom: fc.array(fc.stringMatching(/^(branch|tag) [a-z*][a-z0-9*/-]{0,8}$/), {
    maxLength: 3,
  }),
  waitTimer: fc.nat(120),
});

const app: fc.Arbitrary<PlanApp> = fc.record(
  {
    name: word,
    resources: fc.array(planResource, { maxLength: 5 }),
    metadata: fc.record({ id: word, owner: word, risk: word }),
    registry,
    role: fc.record({
      name: word,
      subjects: fc.array(
        fc.record({
          subject: word,
          operator: fc.constantFrom<TrustSubject["operator"]>("StringEquals", "StringLike"),
        }),
        { maxLength: 3 },
      ),
    }),
    environments: fc.array(environment, { maxLength: 2 }),
    signingProfileArn: word,
    github: fc.record({
      repository: word,
      secrets: fc.array(fc.record({ name: word, environment: word }, { requiredKeys: ["name"] }), {
        minLength: 1,
        maxLength: 3,
      }),
      variables: words(3),
    }),
  },
  { requiredKeys: ["name", "resources", "environments"] },
);

const plan: fc.Arbitrary<Plan> = fc.record({
  project: word,
  stack: word,
  file: word,
  environment: word,
  region: word,
  accountId: fc.stringMatching(/^[0-9]{12}$/),
  shared: fc.array(sharedResource, { maxLength: 4 }),
  apps: fc.array(app, { maxLength: 3 }),
  logs: fc.array(
    fc.record({
      severity: fc.constantFrom<"warning" | "error" | "info">("warning", "error", "info"),
      message: fc.stringMatching(/^[A-Za-z][ A-Za-z0-9,.:]{0,30}$/),
    }),
    { maxLength: 2 },
  ),
});

describe("the plan's text", () => {
  it("holds every fact of the plan model: the text reads back into the same model", () => {
    fc.assert(
      fc.property(plan, (model) => {
        // As plain data: fast-check makes some records without a prototype.
        assert.deepEqual(readPlanText(formatPlan(model)), JSON.parse(JSON.stringify(model)));
      }),
      { numRuns: 300 },
    );
  });

  it("reads back a plan the platform program made (the dev stack)", async () => {
    const { planStack } = await import("../../cli/preview");
    const { findProject } = await import("../../cli/workspace/project");
    const { repositoryRoot } = await import("../helpers/cli");
    const { run, ...model } = await planStack(findProject(repositoryRoot), "dev");
    assert.ok(run.resources.length > 0);
    assert.equal(model.apps.length, 3);
    assert.deepEqual(readPlanText(formatPlan(model)), model);
  });

  it("names each app's metadata from the pipeline's outputs, whatever the tag prefix", async () => {
    const { planStack } = await import("../../cli/preview");
    const { findProject } = await import("../../cli/workspace/project");
    const root = path.join(__dirname, "../fixtures/programs/tag-prefix");
    const model = await planStack(findProject(root), "dev");
    const [app] = model.apps;
    assert.deepEqual(app.metadata, {
      id: "REGISTRY_ORDERS_API",
      owner: "team-orders",
      risk: "high",
    });
    assert.equal(app.registry?.tagsAll["acme:risk"], "high");
    assert.match(
      formatPlan(model),
      /^App orders-api {2}\(id REGISTRY_ORDERS_API, owner team-orders, risk high\)$/m,
    );
  });
});

/** A secret written where a plan must never show it. */
const secrets = ["s3cr3t-top-value", "s3cr3t-nested-value", "s3cr3t-item-value"];

class Thing extends pulumi.CustomResource {
  constructor(name: string, args: Record<string, unknown>, opts?: pulumi.CustomResourceOptions) {
    super("test:index:Thing", name, args, opts);
  }
}

class Group extends pulumi.ComponentResource {
  constructor(name: string) {
    super("test:index:Group", name, {});
    new Thing(
      `${name}-keeper`,
      {
        token: pulumi.secret(secrets[0]),
        settings: { password: pulumi.secret(secrets[1]), user: "ops" },
        list: ["plain", pulumi.secret(secrets[2])],
      },
      { parent: this },
    );
    this.registerOutputs({});
  }
}

/** The plan of a small program: a component holding secrets at three depths, and an import. */
async function secretPlan(): Promise<StackPlan> {
  const run = await runProgram(() => {
    new Group("vault");
    new Thing("adopted", { size: 3 }, { import: "thing-0042", protect: true });
  });
  const context = {
    project: "trusted-delivery-test",
    stack: "dev",
    file: "Pulumi.dev.yaml",
    region: "eu-west-2",
    accountId: "123456789012",
  };
  return { ...planModel(context, run), run };
}

const report: PolicyReport = {
  pack: { name: "guardrails", version: "1.2.3", supportsConfig: true, policies: [] },
  diagnostics: [
    {
      policyName: "thing-sized",
      policyPackName: "guardrails",
      policyPackVersion: "1.2.3",
      description: "Things are sized",
      message: "Things are sized\nThing adopted must be at most 2: set size to 2",
      enforcementLevel: "mandatory",
      urn: "urn:pulumi:dev::trusted-delivery-test::test:index:Thing::adopted",
      severity: "high",
    },
    {
      policyName: "stack-tagged",
      policyPackName: "guardrails",
      policyPackVersion: "1.2.3",
      description: "The stack is tagged",
      message: "The stack is tagged\nNo resource carries a team tag",
      enforcementLevel: "advisory",
      urn: "",
      severity: "",
    },
  ],
};

describe("the plan as JSON", () => {
  it("is plain data of the documented schema, version 1: the stack, each resource, the policy report and a summary", async () => {
    const json = planJson(await secretPlan(), report);
    assert.deepEqual(JSON.parse(JSON.stringify(json)), json);
    assert.deepEqual(Object.keys(json), [
      "schemaVersion",
      "project",
      "stack",
      "stackFile",
      "environment",
      "region",
      "accountId",
      "placeholderAccountId",
      "resources",
      "policy",
      "summary",
      "logs",
    ]);
    assert.equal(json.schemaVersion, planJsonSchemaVersion);
    assert.equal(planJsonSchemaVersion, 1);
    assert.deepEqual(
      [json.project, json.stack, json.stackFile, json.region, json.accountId],
      ["trusted-delivery-test", "dev", "Pulumi.dev.yaml", "eu-west-2", null],
    );
    assert.equal(json.placeholderAccountId, "123456789012");
  });

  it("lists every resource but the stack, in the order the program registers them, with its type, name, parent, inputs and import id", async () => {
    const json = planJson(await secretPlan());
    const group =
      "urn:pulumi:dev::trusted-delivery-test::pulumi:pulumi:Stack$test:index:Group::vault";
    assert.deepEqual(
      json.resources.map((r) => [r.type, r.name, r.parent, r.action, r.custom, r.importId]),
      [
        ["test:index:Group", "vault", undefined, "create", false, undefined],
        ["test:index:Thing", "adopted", undefined, "import", true, "thing-0042"],
        ["test:index:Thing", "vault-keeper", group, "create", true, undefined],
      ],
    );
    const adopted = json.resources[1];
    assert.deepEqual(adopted.inputs, { size: 3 });
    assert.equal(adopted.protect, true);
    assert.equal(
      adopted.urn,
      "urn:pulumi:dev::trusted-delivery-test::pulumi:pulumi:Stack$test:index:Thing::adopted",
    );
    assert.deepEqual(json.summary, {
      apps: 0,
      resources: 3,
      create: 2,
      import: 1,
      violations: null,
      mandatoryViolation: false,
    });
    assert.equal(json.policy, null);
  });

  it("masks every secret input as [secret], names where, and never holds a secret's value", async () => {
    const plan = await secretPlan();
    const json = planJson(plan, report);
    const keeper = json.resources.find((r) => r.name === "vault-keeper")!;
    // The SDK makes an input secret whole when anything in it is.
    assert.deepEqual(keeper.inputs, {
      token: "[secret]",
      settings: "[secret]",
      list: "[secret]",
    });
    assert.deepEqual(keeper.secretInputs, ["list", "settings", "token"]);
    const text = JSON.stringify(json);
    for (const secret of secrets) {
      assert.ok(!text.includes(secret), `the JSON holds ${secret}`);
    }
    // The plan itself still holds them, unmasked, for the pack.
    const registered = plan.run.resources.find((r) => r.name === "vault-keeper")!;
    assert.equal(registered.inputs.token, secrets[0]);
  });

  it("masks a secret deep inside an input, copying only what holds it", () => {
    const inputs = { tags: { team: "ops", token: "t0k3n" }, rules: [{ key: "k3y" }, { key: "b" }] };
    const masked = maskedInputs(inputs, [
      ["tags", "token"],
      ["rules", 0, "key"],
    ]);
    assert.deepEqual(masked, {
      tags: { team: "ops", token: "[secret]" },
      rules: [{ key: "[secret]" }, { key: "b" }],
    });
    assert.equal(inputs.tags.token, "t0k3n");
    assert.equal((masked as typeof inputs).rules[1], inputs.rules[1]);
  });

  it("gives each violation its policy, enforcement level, resource and message, and counts them in the summary", async () => {
    const json = planJson(await secretPlan(), report);
    assert.deepEqual(json.policy, {
      pack: { name: "guardrails", version: "1.2.3", policies: 0 },
      diagnostics: [
        {
          policy: "thing-sized",
          enforcementLevel: "mandatory",
          severity: "high",
          urn: "urn:pulumi:dev::trusted-delivery-test::test:index:Thing::adopted",
          resourceName: "adopted",
          description: "Things are sized",
          message: "Things are sized\nThing adopted must be at most 2: set size to 2",
        },
        {
          policy: "stack-tagged",
          enforcementLevel: "advisory",
          severity: "",
          description: "The stack is tagged",
          message: "The stack is tagged\nNo resource carries a team tag",
        },
      ],
    });
    assert.deepEqual(json.summary.violations, {
      advisory: 1,
      mandatory: 1,
      remediate: 0,
      disabled: 0,
    });
    assert.equal(json.summary.mandatoryViolation, true);
  });

  it("groups the platform's resources by app as the text does, and counts what the text counts (the dev stack)", async () => {
    const { planStack } = await import("../../cli/preview");
    const { findProject } = await import("../../cli/workspace/project");
    const { repositoryRoot } = await import("../helpers/cli");
    const plan = await planStack(findProject(repositoryRoot), "dev");
    const json = planJson(plan);
    const text = formatPlan(plan);
    const [, created, apps] = /^(\d+) to create \((\d+) apps?\)\.$/m.exec(text)!;
    assert.deepEqual([json.summary.create, json.summary.apps], [Number(created), Number(apps)]);
    for (const app of plan.apps) {
      assert.deepEqual(
        json.resources
          .filter((r) => r.app === app.name)
          .map((r) => `${r.type} ${r.name}`)
          .sort(),
        app.resources.map((r) => `${r.type} ${r.name}`).sort(),
      );
    }
    assert.deepEqual(
      json.resources.filter((r) => r.app === undefined).map((r) => `${r.type} ${r.name}`),
      plan.shared.map((r) => `${r.type} ${r.name}`),
    );
    assert.equal(json.region, plan.region);
    // Each pipeline's GitHub secret holds its role's ARN: in the plan, never in its JSON.
    const secretValues = plan.run.resources.flatMap((r) =>
      r.secretPaths.map((p) => p.reduce((value: any, key) => value[key], r.inputs)),
    );
    assert.equal(secretValues.length, 3);
    const written = JSON.stringify(json);
    for (const value of secretValues) {
      assert.ok(!written.includes(String(value)), `the JSON holds ${value}`);
    }
  });
});
