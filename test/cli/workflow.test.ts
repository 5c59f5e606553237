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

  it("writes it to a file when asked, creating its directory, and says so on stderr", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "td-wf-"));
    const file = path.join(root, ".github/workflows/ci-build-push-dev.yml");
    const { code, stdout, stderr } = runCli(["workflow", "payments-api", "-s", "dev", "-o", file]);
    assert.equal(code, 0, stderr);
    assert.equal(stdout, "");
    assert.equal(stderr, `Wrote ${file}.\n`);
    assert.match(fs.readFileSync(file, "utf8"), /^name: Build and push payments-api \(dev\)$/m);
    const again = runCli(["workflow", "payments-api", "-s", "dev", "-o", file]);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stderr, `${file} is unchanged.\n`);
  });

  it("keeps a file that holds something else, showing the difference, unless --force", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "td-wf-"));
    const file = path.join(root, "ci-build-push-dev.yml");
    runCli(["workflow", "payments-api", "-s", "dev", "-o", file]);
    const generated = fs.readFileSync(file, "utf8");
    const edited = generated.replace(/^name: .*$/m, "name: Hand-edited");
    fs.writeFileSync(file, edited);
    const refused = runCli(["workflow", "payments-api", "-s", "dev", "-o", file]);
    assert.equal(refused.code, 1);
    assert.match(
      refused.stderr,
      /exists and holds something else \(- there now, \+ new\); nothing was written/,
    );
    assert.match(refused.stderr, /^- name: Hand-edited$/m);
    assert.match(refused.stderr, /^\+ name: Build and push payments-api \(dev\)$/m);
    assert.match(refused.stderr, /Pass --force to replace it/);
    assert.equal(fs.readFileSync(file, "utf8"), edited);
    const forced = runCli(["workflow", "payments-api", "-s", "dev", "-o", file, "--force"]);
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal(fs.readFileSync(file, "utf8"), generated);
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
    const aFile = path.join(dir, "a-file");
    fs.writeFileSync(aFile, "");
    const underFile = path.join(aFile, "ci-build-push.yml");
    const intoFile = runCli(["workflow", "payments-api", "--stack", "dev", "--output", underFile]);
    assert.equal(
      intoFile.stderr,
      `error: -o/--output is ${JSON.stringify(underFile)}; must be a file path where you can write: ${aFile} is not a directory\n`,
    );
    assert.equal(intoFile.code, 2);
    const ontoDirectory = runCli(["workflow", "payments-api", "--stack", "dev", "--output", dir]);
    assert.equal(
      ontoDirectory.stderr,
      `error: -o/--output is ${JSON.stringify(dir)}; must be a file path where you can write: it is a directory\n`,
    );
    assert.equal(ontoDirectory.code, 2);
    assert.deepEqual(fs.readdirSync(dir), ["a-file"]);
  });
});
