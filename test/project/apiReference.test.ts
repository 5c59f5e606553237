import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { repositoryRoot } from "../helpers/cli";

const committed = path.join(repositoryRoot, "docs/api");

/** Every file under `dir`, relative to it, with its content. */
function tree(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) {
      const file = path.join(entry.parentPath, entry.name);
      files[path.relative(dir, file)] = fs.readFileSync(file, "utf8");
    }
  }
  return files;
}

describe("the API reference", function () {
  this.timeout(120000);

  it("is what TypeDoc generates from the TSDoc today (npm run docs), with no warning", () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "td-api-"));
    try {
      const result = spawnSync(
        process.execPath,
        [path.join(repositoryRoot, "node_modules/typedoc/bin/typedoc"), "--out", out],
        { cwd: repositoryRoot, encoding: "utf8" },
      );
      // typedoc.json treats warnings as errors: an undocumented export reference fails here.
      assert.equal(result.status, 0, result.stdout + result.stderr);
      const generated = tree(out);
      const stale = tree(committed);
      assert.deepEqual(Object.keys(stale).sort(), Object.keys(generated).sort());
      for (const [file, text] of Object.entries(generated)) {
        assert.equal(stale[file], text, `docs/api/${file} is stale: run npm run docs`);
      }
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  it("documents both components and every argument type, and the README links to it", () => {
    const files = Object.keys(tree(committed));
    for (const page of [
      "classes/TrustedDeliveryPipeline.md",
      "classes/GitHubOidcProvider.md",
      "interfaces/TrustedDeliveryPipelineArgs.md",
      "interfaces/RegistryMetadata.md",
      "interfaces/GitHubRepositoryAccess.md",
      "interfaces/EnvironmentProtection.md",
      "interfaces/EcrSettings.md",
      "interfaces/PipelineImportIds.md",
    ]) {
      assert.ok(files.includes(page), `docs/api/${page} is missing`);
    }
    const readme = fs.readFileSync(path.join(repositoryRoot, "README.md"), "utf8");
    assert.match(readme, /\]\(docs\/api\/README\.md\)/);
  });
});
