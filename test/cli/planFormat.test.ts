import { strict as assert } from "assert";
import fc from "fast-check";
import * as path from "path";
import {
  formatPlan,
  Plan,
  PlanAction,
  PlanApp,
  PlanEnvironment,
  PlanResource,
  TrustSubject,
} from "../../cli/preview";
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
