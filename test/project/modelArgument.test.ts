/**
 * policy-pack/iam/MODEL.md is the argument that the model's every answer is a proof or a refusal;
 * each claim names the test that checks it. This keeps the names true: every test file it names
 * exists, and every test it quotes by name is in that file.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { repositoryRoot } from "../helpers/cli";

const model = fs.readFileSync(path.join(repositoryRoot, "policy-pack/iam/MODEL.md"), "utf8");

function testFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? testFiles(full) : [full];
  });
}
const files = testFiles(path.join(repositoryRoot, "test"));

/** A file MODEL.md names, by its path under the repository or by its name alone. */
function resolve(named: string): string | undefined {
  const direct = path.join(repositoryRoot, named);
  if (fs.existsSync(direct)) {
    return direct;
  }
  return files.find((f) => f.endsWith(`/${named}`));
}

describe("the model's argument (policy-pack/iam/MODEL.md)", () => {
  it("names test files that exist", () => {
    const named = [...model.matchAll(/`((?:test\/)?[\w/.-]+\.(?:test\.)?ts)`/g)].map((m) => m[1]);
    assert.ok(named.length >= 10, `MODEL.md names ${named.length} test files`);
    assert.deepEqual(
      named.filter((n) => /test|Generators|oracles/.test(n) && resolve(n) === undefined),
      [],
    );
  });

  it("quotes tests by names that are in the files it names", () => {
    const quoted = [...model.matchAll(/`([\w/.-]+\.test\.ts)`\s+"([^"]+)"/g)].map((m) => ({
      file: m[1],
      name: m[2].replace(/…$/, "").replace(/\s+/g, " "),
    }));
    assert.ok(quoted.length >= 5, `MODEL.md quotes ${quoted.length} tests`);
    const missing = quoted.filter(({ file, name }) => {
      const text = fs.readFileSync(resolve(file)!, "utf8");
      return !text.includes(name);
    });
    assert.deepEqual(missing, []);
  });
});
