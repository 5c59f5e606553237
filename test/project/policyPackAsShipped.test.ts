import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { PolicyPackProcess } from "../../cli/policyPack/analyzerClient";
import { resolvePolicyConfig } from "../../cli/policyPack/policyConfig";
import { awsTypes } from "../../policy-pack/governance/typeTokens";
import { repositoryRoot } from "../helpers/cli";
import { npm } from "../helpers/npm";

const readJson = (file: string) => JSON.parse(fs.readFileSync(file, "utf8"));

/**
 * A copy of the committed tree in a scratch directory, with this checkout's node_modules beside
 * it (what `npm ci` installs): no dist/, no policy-pack/bin/, so only the build makes them.
 */
function scratchClone(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "td-pack-shipped-"));
  const left = new Set(["node_modules", ".git", "dist", "policy-pack/bin"]);
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(path.join(repositoryRoot, dir), { withFileTypes: true })) {
      const relative = path.join(dir, entry.name);
      if (entry.isDirectory() && !left.has(entry.name) && !left.has(relative)) {
        walk(relative);
      } else if (entry.isFile() && !entry.name.endsWith(".tmp.ts")) {
        fs.mkdirSync(path.join(root, dir), { recursive: true });
        fs.copyFileSync(path.join(repositoryRoot, relative), path.join(root, relative));
      }
    }
  };
  walk("");
  fs.symlinkSync(path.join(repositoryRoot, "node_modules"), path.join(root, "node_modules"), "dir");
  return root;
}

/**
 * `npm run build` in the pack's folder, as the README says (the root build runs it): its exit
 * status and what it printed.
 */
function buildPack(clone: string): { status: number; output: string } {
  try {
    return { status: 0, output: npm(["run", "build"], path.join(clone, "policy-pack")) };
  } catch (e) {
    const failed = e as { status?: number; stdout?: string; stderr?: string };
    return { status: failed.status ?? -1, output: `${failed.stdout}${failed.stderr}` };
  }
}

/**
 * A module for node's `--require` that writes the file of every module the process loads to
 * `log`, one a line, as it loads it.
 */
function moduleLogger(directory: string, log: string): string {
  const file = path.join(directory, "module-log.js");
  fs.writeFileSync(
    file,
    [
      'const Module = require("module");',
      'const fs = require("fs");',
      "const load = Module._load;",
      "Module._load = function (request, parent, isMain) {",
      "  try {",
      `    fs.appendFileSync(${JSON.stringify(log)}, Module._resolveFilename(request, parent, isMain) + "\\n");`,
      "  } catch {}",
      "  return load.apply(this, arguments);",
      "};",
      "",
    ].join("\n"),
  );
  return file;
}

describe("the policy pack as shipped: compiled JavaScript, started as the Pulumi CLI starts it", function () {
  this.timeout(300_000);
  let clone: string;
  before(() => {
    clone = scratchClone();
  });
  after(() => fs.rmSync(clone, { recursive: true, force: true }));

  it("declares its compiled entry, built by the root build and run without ts-node by runtimes that honour it", () => {
    const pack = path.join(repositoryRoot, "policy-pack");
    const manifest = readJson(path.join(pack, "package.json"));
    const tsconfig = readJson(path.join(pack, "tsconfig.json"));
    assert.equal(manifest.main, "bin/index.js");
    assert.equal(manifest.scripts.build, "tsc -p tsconfig.json");
    assert.equal(tsconfig.compilerOptions.outDir, "bin");
    assert.equal(tsconfig.compilerOptions.noEmit, undefined);
    assert.deepEqual(parse(fs.readFileSync(path.join(pack, "PulumiPolicy.yaml"), "utf8")).runtime, {
      name: "nodejs",
      options: { typescript: false },
    });
    const root = readJson(path.join(repositoryRoot, "package.json"));
    assert.equal(root.scripts.prepare, "npm run build");
    assert.match(root.scripts.build, / && npm run build --prefix policy-pack$/);
    assert.match(
      fs.readFileSync(path.join(repositoryRoot, ".gitignore"), "utf8"),
      /^policy-pack\/bin\/$/m,
    );
  });

  it("builds, starts from bin/index.js without compiling a line of TypeScript, and reports a known violation", async () => {
    assert.equal(fs.existsSync(path.join(clone, "policy-pack/bin")), false);
    const build = buildPack(clone);
    assert.equal(build.status, 0, build.output);
    const packDir = path.join(clone, "policy-pack");
    assert.ok(fs.existsSync(path.join(packDir, "bin/index.js")));

    const log = path.join(clone, "modules.log");
    const pack = await PolicyPackProcess.start(packDir, {
      nodeArguments: ["--require", moduleLogger(clone, log)],
    });
    try {
      const info = await pack.getAnalyzerInfo();
      assert.equal(info.name, "trusted-delivery-guardrails");
      await pack.configure(resolvePolicyConfig(info, undefined));
      const diagnostics = await pack.analyze({
        urn: `urn:pulumi:dev::platform::${awsTypes.ecrRepository}::legacy`,
        type: awsTypes.ecrRepository,
        name: "legacy",
        properties: { name: "legacy-images" },
      });
      const scan = diagnostics.find((d) => d.policyName === "ecr-scan-on-push");
      assert.equal(scan?.enforcementLevel, "mandatory");
      assert.equal(
        scan?.message.split("\n")[1],
        "ECR repository must enable scan on push: set imageScanningConfiguration.scanOnPush = true",
      );
    } finally {
      await pack.stop();
    }

    const loaded = [...new Set(fs.readFileSync(log, "utf8").split("\n").filter(Boolean))];
    assert.ok(loaded.includes(path.join(packDir, "bin/index.js")), "bin/index.js was not loaded");
    assert.ok(
      loaded.some((f) => f.startsWith(path.join(packDir, "bin/policies") + path.sep)),
      "no policy was loaded from bin/policies",
    );
    // No TypeScript module was loaded: not the pack's sources, not anything else. (The SDK's
    // run-policy-pack registers ts-node whatever the pack is; with a JavaScript entry it compiles
    // nothing.)
    assert.deepEqual(
      loaded.filter((f) => /\.[cm]?tsx?$/.test(f) && !f.endsWith(".d.ts")),
      [],
    );
  });

  it("can fail: a type error in the pack's sources fails its build, naming the file", () => {
    const broken = path.join(clone, "policy-pack/policies.ts");
    fs.appendFileSync(broken, '\nexport const notANumber: number = "1";\n');
    const build = buildPack(clone);
    assert.notEqual(build.status, 0);
    assert.match(
      build.output,
      /policies\.ts\(\d+,\d+\): error TS2322: Type 'string' is not assignable to type 'number'/,
    );
  });
});
