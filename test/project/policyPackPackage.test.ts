import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PolicyPackProcess } from "../../cli/policyPack/analyzerClient";
import { policies } from "../../policy-pack/policies";
import { policyPackManifest, syncPolicyPackVersion } from "../../scripts/syncVersion";
import { repositoryRoot } from "../helpers/cli";
import { npm } from "../helpers/npm";

const readJson = (file: string) => JSON.parse(fs.readFileSync(file, "utf8"));

describe("the policy pack as a package of its own", function () {
  this.timeout(120000);
  const scratch: string[] = [];
  const tempDir = (prefix: string) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    scratch.push(dir);
    return dir;
  };

  after(() => scratch.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

  it("carries the package's version, which package.json alone sets", () => {
    assert.equal(
      readJson(path.join(repositoryRoot, policyPackManifest)).version,
      readJson(path.join(repositoryRoot, "package.json")).version,
    );
    assert.match(
      readJson(path.join(repositoryRoot, "package.json")).scripts.version,
      /syncVersion/,
    );
  });

  it("takes a new version from package.json, changing only the version line", () => {
    const root = tempDir("td-version-");
    fs.mkdirSync(path.join(root, "policy-pack"));
    const packText = fs.readFileSync(path.join(repositoryRoot, policyPackManifest), "utf8");
    fs.writeFileSync(path.join(root, policyPackManifest), packText);
    fs.writeFileSync(path.join(root, "package.json"), JSON.stringify({ version: "1.4.0" }));

    assert.deepEqual(syncPolicyPackVersion(root, { check: true }), {
      version: "1.4.0",
      previous: "0.1.0",
    });
    assert.equal(fs.readFileSync(path.join(root, policyPackManifest), "utf8"), packText);
    assert.deepEqual(syncPolicyPackVersion(root), { version: "1.4.0", previous: "0.1.0" });
    const updated = fs.readFileSync(path.join(root, policyPackManifest), "utf8");
    assert.equal(updated, packText.replace('"version": "0.1.0"', '"version": "1.4.0"'));
    assert.deepEqual(syncPolicyPackVersion(root), { version: "1.4.0", previous: "1.4.0" });
  });

  it("packs only the pack's own files, and runs from its tarball alone", async () => {
    const out = tempDir("td-pack-policy-");
    const [packed] = JSON.parse(
      npm(
        ["pack", "--ignore-scripts", "--json", "--pack-destination", out],
        path.join(repositoryRoot, "policy-pack"),
      ),
    );
    const files: string[] = packed.files.map((f: { path: string }) => f.path).sort();
    assert.ok(files.includes("PulumiPolicy.yaml"));
    assert.ok(files.includes("index.ts"));
    // The compiled pack it runs from (`main`): `npm test` builds it before the tests run.
    assert.ok(files.includes("bin/index.js"), files.join(", "));
    // The pack is published on its own, so it carries the license and notice the root does.
    for (const legal of ["LICENSE", "NOTICE"]) {
      assert.ok(files.includes(legal), `the pack's tarball lacks ${legal}`);
      assert.equal(
        fs.readFileSync(path.join(repositoryRoot, "policy-pack", legal), "utf8"),
        fs.readFileSync(path.join(repositoryRoot, legal), "utf8"),
        `policy-pack/${legal} differs from the repository's ${legal}`,
      );
    }
    assert.deepEqual(
      files.filter(
        (f) =>
          !/^(PulumiPolicy\.yaml|package\.json|LICENSE|NOTICE|tsconfig\.json|config\.example\.json|[\w/]+\.ts|bin\/[\w/]+\.js|iam\/MODEL\.md)$/.test(
            f,
          ),
      ),
      [],
    );

    // Unpacked away from this repository, with only its declared dependencies beside it: it
    // imports nothing outside its own directory.
    const unpacked = tempDir("td-policy-");
    execFileSync("tar", ["-xzf", path.join(out, packed.filename), "-C", unpacked]);
    const packDir = path.join(unpacked, "package");
    const modules = path.join(packDir, "node_modules");
    const packManifest = readJson(path.join(packDir, "package.json"));
    for (const dependency of Object.keys({
      ...packManifest.dependencies,
      ...packManifest.devDependencies,
    })) {
      fs.mkdirSync(path.dirname(path.join(modules, dependency)), { recursive: true });
      fs.symlinkSync(
        path.join(repositoryRoot, "node_modules", dependency),
        path.join(modules, dependency),
        "dir",
      );
    }
    const pack = await PolicyPackProcess.start(packDir);
    try {
      const info = await pack.getAnalyzerInfo();
      assert.equal(info.name, "trusted-delivery-guardrails");
      assert.equal(info.version, readJson(path.join(repositoryRoot, "package.json")).version);
      // Every policy of the source, by name: the tarball runs the pack the repository has.
      assert.deepEqual(
        info.policies.map((p) => p.name),
        policies.map((p) => p.name),
      );
    } finally {
      await pack.stop();
    }
  });
});
