import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import YAML from "yaml";
import { lintWorkflow } from "../helpers/actionlint";
import { runCli } from "../helpers/cli";

describe("trusted-delivery workflow", () => {
  it("prints the workflow of an app of a stack", async () => {
    const { code, stdout } = runCli(["workflow", "ledger-service", "--stack", "prod"]);
    assert.equal(code, 0);
    assert.match(stdout, /^name: Build and push ledger-service \(prod\)$/m);
    assert.match(stdout, /^ {4}environment: prod$/m);
    assert.doesNotMatch(stdout, /:latest/);
    assert.deepEqual(await lintWorkflow(stdout), []);
  });

  it("scans a high-risk app's image before pushing it, and attests every app's image", () => {
    const steps = (app: string) =>
      YAML.parse(runCli(["workflow", app, "--stack", "dev"]).stdout).jobs["build-push"].steps.map(
        (step: any) => step.name,
      );
    const scanned = "Scan for vulnerabilities (fails on CRITICAL or higher)";
    assert.ok(steps("ledger-service").includes(scanned));
    for (const app of ["payments-api", "web-frontend"]) {
      assert.ok(!steps(app).includes(scanned), app);
    }
    for (const app of ["ledger-service", "payments-api", "web-frontend"]) {
      assert.ok(steps(app).includes("Attest the build provenance"), app);
    }
  });

  it("writes it to a file when asked", () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "td-wf-")), "ci-build-push.yml");
    const { code, stdout } = runCli([
      "workflow",
      "payments-api",
      "--stack",
      "dev",
      "--output",
      file,
    ]);
    assert.equal(code, 0);
    assert.equal(stdout, `Wrote ${file}.\n`);
    assert.match(fs.readFileSync(file, "utf8"), /^name: Build and push payments-api \(dev\)$/m);
  });

  it("refuses an app the stack does not have, listing those it has", () => {
    const { code, stderr } = runCli(["workflow", "billing-api", "--stack", "dev"]);
    assert.equal(code, 2);
    assert.equal(
      stderr,
      'error: app "billing-api" is not in programs/platform/Pulumi.dev.yaml; apps there: payments-api, web-frontend, ledger-service\n',
    );
  });

  it("refuses an --output it cannot write before reading anything, and writes nothing", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "td-wf-"));
    const missing = path.join(dir, "missing/ci-build-push.yml");
    const intoMissing = runCli(["workflow", "payments-api", "--stack", "dev", "--output", missing]);
    assert.equal(
      intoMissing.stderr,
      `error: --output is ${JSON.stringify(missing)}; must be a file path in an existing directory you can write to: its directory ${path.dirname(missing)} does not exist\n`,
    );
    assert.equal(intoMissing.code, 2);
    const ontoDirectory = runCli(["workflow", "payments-api", "--stack", "dev", "--output", dir]);
    assert.equal(
      ontoDirectory.stderr,
      `error: --output is ${JSON.stringify(dir)}; must be a file path in an existing directory you can write to: it is a directory\n`,
    );
    assert.equal(ontoDirectory.code, 2);
    assert.deepEqual(fs.readdirSync(dir), []);
  });
});
