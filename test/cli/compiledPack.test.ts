import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { planStack } from "../../cli/preview";
import { PolicyPackProcess } from "../../cli/policyPack/analyzerClient";
import {
  compiledPackCache,
  runnablePackDir,
  transpiledModule,
} from "../../cli/policyPack/compiledPack";
import { analyzeWithPolicyPack, checkWithPolicyPack } from "../../cli/preview/policySession";
import { findProject } from "../../cli/workspace/project";
import { policies } from "../../policy-pack/policies";
import { repositoryRoot } from "../helpers/cli";

/**
 * A copy of the repository's policy pack in a scratch directory, its modules resolving to the
 * repository's (each linked one by one, so the copy's node_modules/.cache is its own).
 */
function copyOfPack(scratch: string): string {
  const packDir = path.join(scratch, "pack");
  fs.cpSync(path.join(repositoryRoot, "policy-pack"), packDir, {
    recursive: true,
    filter: (source) => !source.split(path.sep).includes("node_modules"),
  });
  const modules = path.join(packDir, "node_modules");
  fs.mkdirSync(modules);
  const linkAll = (from: string, to: string) => {
    for (const entry of fs.readdirSync(from)) {
      if (entry === ".cache" || entry === ".bin" || entry.startsWith(".package-lock")) {
        continue;
      }
      if (entry.startsWith("@")) {
        fs.mkdirSync(path.join(to, entry));
        linkAll(path.join(from, entry), path.join(to, entry));
      } else {
        fs.symlinkSync(path.join(from, entry), path.join(to, entry), "dir");
      }
    }
  };
  linkAll(path.join(repositoryRoot, "node_modules"), modules);
  return packDir;
}

describe("the offline plan's compiled policy pack", function () {
  this.timeout(180000);
  let scratch: string;
  let packDir: string;
  before(() => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), "td-compiled-pack-"));
    packDir = copyOfPack(scratch);
  });
  after(() => fs.rmSync(scratch, { recursive: true, force: true }));

  it("compiles a TypeScript pack once per content into its node_modules/.cache, and reuses it", () => {
    const compiled = runnablePackDir(packDir);
    assert.equal(path.dirname(compiled), compiledPackCache(packDir));
    assert.match(path.basename(compiled), /^policy-pack-[0-9a-f]{16}$/);
    const manifest = JSON.parse(fs.readFileSync(path.join(compiled, "package.json"), "utf8"));
    assert.equal(manifest.main, "index.js");
    assert.equal(manifest.name, "trusted-delivery-guardrails");
    for (const file of ["index.js", "policies.js", "lib/sharedReading.js", "PulumiPolicy.yaml"]) {
      assert.ok(fs.existsSync(path.join(compiled, file)), file);
    }
    assert.ok(!fs.existsSync(path.join(compiled, "index.ts")));
    const built = fs.statSync(path.join(compiled, "index.js")).mtimeMs;
    assert.equal(runnablePackDir(packDir), compiled);
    assert.equal(fs.statSync(path.join(compiled, "index.js")).mtimeMs, built);
    assert.deepEqual(
      fs.readdirSync(compiledPackCache(packDir)).filter((e) => e.startsWith(".building")),
      [],
    );
  });

  it("compiles anew when a file of the pack changes, and never runs a stale copy", () => {
    const before = runnablePackDir(packDir);
    const file = path.join(packDir, "policies.ts");
    const source = fs.readFileSync(file, "utf8");
    fs.writeFileSync(file, `${source}\n// edited\n`);
    try {
      const after = runnablePackDir(packDir);
      assert.notEqual(after, before);
      assert.match(fs.readFileSync(path.join(after, "policies.js"), "utf8"), /edited/);
    } finally {
      fs.writeFileSync(file, source);
    }
    assert.equal(runnablePackDir(packDir), before);
  });

  it("runs a pack that does not type-check from its own directory, as the CLI would, to show its errors", () => {
    const file = path.join(packDir, "policies.ts");
    const source = fs.readFileSync(file, "utf8");
    fs.writeFileSync(file, `${source}\nconst wrong: number = "a string";\n`);
    try {
      assert.equal(runnablePackDir(packDir), packDir);
    } finally {
      fs.writeFileSync(file, source);
    }
  });

  it("runs a JavaScript pack as it is", () => {
    const jsPack = path.join(scratch, "js-pack");
    fs.mkdirSync(jsPack);
    fs.writeFileSync(path.join(jsPack, "package.json"), '{ "name": "js", "main": "index.js" }\n');
    fs.writeFileSync(path.join(jsPack, "tsconfig.json"), "{}\n");
    fs.writeFileSync(path.join(jsPack, "index.js"), "\n");
    assert.equal(runnablePackDir(jsPack), jsPack);
    assert.ok(!fs.existsSync(path.join(jsPack, "node_modules")));
  });

  it("serves the source's policies, and says of a program what the source says", async () => {
    const plan = await planStack(
      findProject(path.join(repositoryRoot, "examples/ungoverned")),
      "dev",
    );
    const compiled = await checkWithPolicyPack(plan.run.resources, packDir);
    assert.deepEqual(
      compiled.pack.policies.map((p) => p.name),
      policies.map((p) => p.name),
    );
    const source = await PolicyPackProcess.start(packDir);
    try {
      const report = await analyzeWithPolicyPack(source, plan.run.resources);
      assert.ok(report.diagnostics.some((d) => d.enforcementLevel === "mandatory"));
      assert.deepEqual(compiled.diagnostics, report.diagnostics);
    } finally {
      await source.stop();
    }
  });

  it("transpiles the policy session's worker with every module it reaches, once per content, for a worker without a compiler", () => {
    const entry = path.join(repositoryRoot, "cli/preview/sessionWorker.ts");
    const js = transpiledModule(repositoryRoot, entry);
    assert.ok(js, "transpiled");
    const copy = path.dirname(path.dirname(path.dirname(js)));
    assert.match(path.basename(copy), /^modules-[0-9a-f]{16}$/);
    assert.equal(js, path.join(copy, "cli/preview/sessionWorker.js"));
    for (const reached of [
      "cli/policyPack/analyzerClient.js",
      "cli/policyPack/policyConfig.js",
      "cli/core/errors.js",
      "components/problems.js",
    ]) {
      assert.ok(fs.existsSync(path.join(copy, reached)), reached);
    }
    assert.equal(transpiledModule(repositoryRoot, entry), js);
    // Loaded without ts-node, it is the worker's module.
    const loaded = require(js);
    assert.equal(typeof loaded.serve, "function");
  });

  it("gives no copy of a module that imports what is not there", () => {
    const broken = path.join(scratch, "broken.ts");
    fs.writeFileSync(broken, 'import { nothing } from "./missing";\nexport const x = nothing;\n');
    assert.equal(transpiledModule(scratch, broken), undefined);
  });
});
