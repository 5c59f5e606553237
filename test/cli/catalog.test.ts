import { strict as assert } from "assert";
import * as path from "path";
import YAML from "yaml";
import { runCli } from "../helpers/cli";
import { readFixture, stateInstances, terraformFixtureDir } from "../helpers/fixtures";
import { tempPlatformProject } from "../helpers/tempProject";

const fixtureCatalog = YAML.parse(readFixture("ecr-catalog.yaml"));

describe("trusted-delivery catalog", function () {
  this.timeout(60000);

  it("prints a stack's registries in the catalog format the platform's catalog uses", () => {
    const { code, stdout } = runCli(["catalog", "--stack", "dev", "--date", "2026-11-24"]);
    assert.equal(code, 0);
    const catalog = YAML.parse(stdout);
    assert.deepEqual(Object.keys(catalog), Object.keys(fixtureCatalog));
    assert.deepEqual(catalog["payments-api"], undefined);
    assert.deepEqual(catalog.repositories["payments-api"], {
      metadata: {
        id: "REGISTRY_PAYMENTS_API",
        owner: "team-payments",
        risk: "medium",
        environment: "dev",
        status: "active",
        description: "Card payment API",
      },
    });
    assert.deepEqual(Object.keys(catalog.repositories), [
      "payments-api",
      "web-frontend",
      "ledger-service",
    ]);
    assert.match(stdout, /^version: "1\.0"$/m);
    assert.match(stdout, /^last_updated: "2026-11-24"$/m);
  });

  it("lists adopted Terraform registries with the metadata the old catalog had", () => {
    const { root } = tempPlatformProject();
    const adopted = runCli([
      "adopt-terraform",
      "--cwd",
      root,
      "--state",
      path.join(terraformFixtureDir, "terraform.tfstate"),
      "--stack",
      "dev",
      "--github-owner",
      "acme",
    ]);
    assert.equal(adopted.code, 0, adopted.stderr);
    const catalog = YAML.parse(runCli(["catalog", "--stack", "dev", "--cwd", root]).stdout);
    for (const app of Object.keys(stateInstances("aws_ecr_repository"))) {
      const { id, owner, risk } = fixtureCatalog.repositories[app].metadata;
      const entry = catalog.repositories[app].metadata;
      assert.deepEqual(
        { id: entry.id, owner: entry.owner, risk: entry.risk },
        { id, owner, risk },
        app,
      );
      // Every field is one the old catalog has.
      assert.deepEqual(
        Object.keys(entry).filter((key) => !(key in fixtureCatalog.repositories[app].metadata)),
        [],
        app,
      );
    }
  });

  it("prints JSON on request, with the header given", () => {
    const { stdout } = runCli([
      "catalog",
      "--stack",
      "prod",
      "--format",
      "json",
      "--owner",
      "platform-guild",
      "--physical-registry",
      "acme-prod",
      "--date",
      "2026-11-24",
    ]);
    const catalog = JSON.parse(stdout);
    assert.deepEqual(
      { ...catalog, repositories: undefined },
      {
        version: "1.0",
        domain: "delivery",
        owner: "platform-guild",
        last_updated: "2026-11-24",
        managed_by: "platform-guild",
        physical_registry: "acme-prod",
        repositories: undefined,
      },
    );
    assert.equal(catalog.repositories["ledger-service"].metadata.environment, "prod");
  });

  it("refuses an unknown format, a date that is not one, or an empty owner, naming each", () => {
    const refused = runCli([
      "catalog",
      "--stack",
      "dev",
      "--format",
      "xml",
      "--date",
      "2026-02-30",
      "--owner",
      "",
    ]);
    assert.equal(
      refused.stderr,
      [
        'error: -f/--format is "xml"; must be one of yaml, json',
        'error: --date is "2026-02-30"; must be a calendar date as YYYY-MM-DD, e.g. "2026-11-24"',
        'error: --owner is ""; must not be empty',
        "",
      ].join("\n"),
    );
    assert.equal(refused.code, 2);
    assert.equal(refused.stdout, "");
    assert.equal(
      runCli(["catalog", "--stack", "dev", "--date", "24/11/2026"]).stderr,
      'error: --date is "24/11/2026"; must be a calendar date as YYYY-MM-DD, e.g. "2026-11-24"\n',
    );
  });
});
