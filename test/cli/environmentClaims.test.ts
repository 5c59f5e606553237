import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";
import {
  environmentCollisions,
  environmentCollisionsOf,
  readEnvironmentClaims,
} from "../../cli/workspace/environmentClaims";
import { UsageError } from "../../cli/core/errors";
import { snapshotTree, tempPlatformProject } from "../helpers/tempProject";

const project = "trusted-delivery-platform";

/** A stack file whose apps are given, under the namespaced key unless `key` says otherwise. */
function stackText(apps: unknown, key = `${project}:apps`): string {
  return YAML.stringify({ config: { "aws:region": "eu-west-2", [key]: apps } });
}

/** One app of acme/payments-api (or `repository`) deploying in `environments`. */
function app(environments: string[], repository = "acme/payments-api") {
  return {
    metadata: { id: "REGISTRY_PAYMENTS_API", owner: "team-payments", risk: "high" },
    github: { repository, environments },
  };
}

const advice =
  'GitHub compares environment names without case, so these are one environment of acme/payments-api, and each stack\'s push role would trust the jobs the other stack deploys there; give each stack its own environments, e.g. "staging" in the staging stack and "production" in the prod stack';

const unknown =
  "its GitHub environments cannot be compared with the other stacks' until it is fixed";

describe("GitHub environments claimed across a project's stacks", () => {
  it("finds none declared twice in the committed stacks", () => {
    const { project: committed } = tempPlatformProject();
    assert.deepEqual(environmentCollisions(committed), []);
    assert.deepEqual(
      readEnvironmentClaims(committed).claims.map((c) => `${c.stack} ${c.app} ${c.environment}`),
      ["prod payments-api prod", "prod web-frontend prod", "prod ledger-service prod"],
    );
  });

  it("refuses one environment of one repository in two stacks, compared without case, naming both files, the apps and the names", () => {
    const { project: temp, stackFile } = tempPlatformProject();
    fs.writeFileSync(stackFile("staging"), stackText({ "payments-api": app(["Prod"]) }));
    assert.deepEqual(
      environmentCollisions(temp).map((p) => p.message),
      [
        `programs/platform/Pulumi.prod.yaml: ${project}:apps.payments-api.github.environments[0] is "prod"; must be declared by one stack only, but programs/platform/Pulumi.staging.yaml declares it for app payments-api (${project}:apps.payments-api.github.environments[0] is "Prod"): ${advice}`,
      ],
    );
    const [collision] = environmentCollisionsOf(readEnvironmentClaims(temp).claims);
    assert.equal(
      collision.field,
      `programs/platform/Pulumi.prod.yaml: ${project}:apps.payments-api.github.environments[0]`,
    );
    assert.deepEqual(
      collision.claims.map((c) => [c.file, c.app, c.environment]),
      [
        ["programs/platform/Pulumi.prod.yaml", "payments-api", "prod"],
        ["programs/platform/Pulumi.staging.yaml", "payments-api", "Prod"],
      ],
    );
  });

  it("compares repositories without case, as GitHub does, and names every other stack's claim", () => {
    const { project: temp, stackFile } = tempPlatformProject();
    fs.writeFileSync(
      stackFile("dev"),
      stackText({ "payments-dev": app(["prod"], "Acme/Payments-API") }, "apps"),
    );
    fs.writeFileSync(stackFile("staging"), stackText({ "payments-api": app(["PROD", "staging"]) }));
    const [collision, ...more] = environmentCollisions(temp);
    assert.deepEqual(more, []);
    assert.equal(
      collision.message,
      `programs/platform/Pulumi.dev.yaml: ${project}:apps.payments-dev.github.environments[0] is "prod"; must be declared by one stack only, but programs/platform/Pulumi.prod.yaml declares it for app payments-api (${project}:apps.payments-api.github.environments[0] is "prod"), and programs/platform/Pulumi.staging.yaml declares it for app payments-api (${project}:apps.payments-api.github.environments[0] is "PROD"): ${advice.replace("acme/payments-api", "Acme/Payments-API")}`,
    );
  });

  it("lets stacks use one environment name in different repositories, and different names in one", () => {
    const { project: temp, stackFile } = tempPlatformProject();
    fs.writeFileSync(
      stackFile("staging"),
      stackText({
        "payments-api": app(["staging", "production"]),
        "billing-api": app(["prod"], "acme/billing-api"),
      }),
    );
    assert.deepEqual(environmentCollisions(temp), []);
  });

  it("leaves two apps of one stack writing one environment to the stack's own check", () => {
    const { project: temp, stackFile } = tempPlatformProject();
    fs.writeFileSync(
      stackFile("staging"),
      stackText({ "payments-api": app(["staging"]), "payments-worker": app(["staging"]) }),
    );
    assert.deepEqual(environmentCollisions(temp), []);
  });

  it("reads apps given as JSON text, as the program does", () => {
    const { project: temp, stackFile } = tempPlatformProject();
    fs.writeFileSync(
      stackFile("staging"),
      stackText(JSON.stringify({ "payments-api": app(["prod"]) })),
    );
    assert.equal(environmentCollisions(temp).length, 1);
  });

  it("checks the content add-app is about to write instead of the file, and writes nothing", () => {
    const { root, project: temp, stackFile } = tempPlatformProject();
    const before = snapshotTree(root);
    const content = stackText({ "payments-api": app(["prod"]) });
    assert.deepEqual(
      environmentCollisions(temp, [{ stack: "dev", content }]).map((p) => p.field),
      [`programs/platform/Pulumi.dev.yaml: ${project}:apps.payments-api.github.environments[0]`],
    );
    assert.deepEqual(snapshotTree(root), before);
    // The file on disk is not read for that stack: an override without the claim has none.
    fs.writeFileSync(stackFile("dev"), content);
    assert.equal(environmentCollisions(temp).length, 1);
    assert.deepEqual(
      environmentCollisions(temp, [{ stack: "acme/dev", content: stackText({}) }]),
      [],
    );
  });

  it("checks the content of a stack that has no file yet", () => {
    const { project: temp } = tempPlatformProject();
    const content = stackText({ "payments-api": app(["prod"]) });
    assert.deepEqual(
      environmentCollisions(temp, [{ stack: "qa", content }]).map((p) => p.message.split(";")[0]),
      [
        `programs/platform/Pulumi.prod.yaml: ${project}:apps.payments-api.github.environments[0] is "prod"`,
      ],
    );
    assert.match(
      environmentCollisions(temp, [{ stack: "qa", content }])[0].message,
      /but programs\/platform\/Pulumi\.qa\.yaml declares it for app payments-api/,
    );
  });

  it("refuses an override naming no stack of the project", () => {
    const { project: temp } = tempPlatformProject();
    assert.throws(
      () => environmentCollisions(temp, [{ stack: "other/project/dev", content: "" }]),
      (error: unknown) =>
        error instanceof UsageError &&
        error.message ===
          `override.stack is "other/project/dev"; must be a stack of project ${project}: <stack>, <org>/<stack> or <org>/${project}/<stack>, each part letters, digits, hyphens, underscores and periods, e.g. "dev"; "project" is another project`,
    );
  });

  it("reports a stack file that is not YAML as a problem of its own, still comparing the others", () => {
    const { project: temp, stackFile } = tempPlatformProject();
    fs.writeFileSync(stackFile("dev"), "config: [unclosed\n");
    fs.writeFileSync(stackFile("staging"), stackText({ "payments-api": app(["prod"]) }));
    const problems = environmentCollisions(temp);
    assert.equal(problems.length, 2);
    assert.equal(problems[0].field, "programs/platform/Pulumi.dev.yaml");
    assert.match(
      problems[0].message,
      new RegExp(`^programs/platform/Pulumi\\.dev\\.yaml is not valid YAML: .*; ${unknown}$`, "s"),
    );
    assert.match(problems[1].message, /^programs\/platform\/Pulumi\.prod\.yaml: /);
  });

  it("reports stack files whose config or apps cannot be read, each naming the file", () => {
    const { project: temp, stackFile } = tempPlatformProject();
    fs.writeFileSync(stackFile("dev"), "- a list\n");
    fs.writeFileSync(stackFile("staging"), stackText(["payments-api"]));
    fs.writeFileSync(stackFile("prod"), stackText({ secure: "AAABAJk=" }));
    fs.writeFileSync(
      path.join(path.dirname(stackFile("dev")), "Pulumi.qa.yaml"),
      YAML.stringify({ config: { apps: {}, [`${project}:apps`]: {} } }),
    );
    assert.deepEqual(
      environmentCollisions(temp).map((p) => p.message),
      [
        `programs/platform/Pulumi.dev.yaml must be a map with a config key, e.g. config: { aws:region: eu-west-2 }; ${unknown}`,
        `programs/platform/Pulumi.prod.yaml: ${project}:apps is an encrypted value; must be readable: keep apps unencrypted (their settings are not secrets); ${unknown}`,
        `programs/platform/Pulumi.qa.yaml: config sets both apps and ${project}:apps, which are the same key; keep one; ${unknown}`,
        `programs/platform/Pulumi.staging.yaml: ${project}:apps is ["payments-api"]; must be a map from ECR repository name to { metadata, github, ecr?, tags? }, or JSON text of one; ${unknown}`,
      ],
    );
  });

  it("skips entries the stack's own checks refuse, declaring nothing for them", () => {
    const { project: temp, stackFile } = tempPlatformProject();
    fs.writeFileSync(
      stackFile("staging"),
      stackText({
        "no-github": { metadata: {} },
        "no-repository": { github: { environments: ["prod"] } },
        "not-a-list": { github: { repository: "acme/payments-api", environments: "prod" } },
        "not-strings": { github: { repository: "acme/payments-api", environments: [1, null] } },
      }),
    );
    assert.deepEqual(environmentCollisions(temp), []);
  });
});
