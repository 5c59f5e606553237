import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { repositoryRoot } from "../helpers/cli";

const example = path.join(repositoryRoot, "examples/testing");
const mocha = require.resolve("mocha/bin/mocha.js");

/**
 * Runs mocha as `npm test` runs it in the example (its own `.mocharc.json`), in a process of its
 * own: Pulumi's mocks are process-wide. `specs` replace the example's test files.
 */
function runExample(specs: readonly string[] = []) {
  const config = JSON.parse(fs.readFileSync(path.join(example, ".mocharc.json"), "utf8"));
  const args =
    specs.length === 0
      ? [mocha]
      : [
          mocha,
          "--no-config",
          ...config.require.flatMap((module: string) => ["--require", module]),
          ...config.extension.flatMap((extension: string) => ["--extension", extension]),
          "--timeout",
          String(config.timeout),
          ...specs,
        ];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_PATH: path.join(repositoryRoot, "node_modules"),
  };
  // The example sets github:owner itself; an owner from the environment must not decide.
  delete env.GITHUB_OWNER;
  const result = spawnSync(process.execPath, args, { cwd: example, env, encoding: "utf8" });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe("examples/testing: a platform program tested under Pulumi's mocks", function () {
  this.timeout(180000);

  it("passes as committed, every test of it", () => {
    const { status, output } = runExample();
    assert.equal(status, 0, output);
    assert.match(output, /3 passing/);
    assert.doesNotMatch(output, /failing|pending/);
  });

  it("fails when an expectation is wrong, so its passing means something", () => {
    // The committed test with one expectation changed, beside it in a scratch directory; it
    // loads the committed program.
    const committed = fs.readFileSync(path.join(example, "index.test.ts"), "utf8");
    const wrong = committed
      .replace(
        '"repo:acme/payments-api:environment:production"',
        '"repo:acme/payments-api:environment:staging"',
      )
      .replaceAll('import("./index")', `import(${JSON.stringify(path.join(example, "index"))})`);
    assert.notEqual(wrong, committed);
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "td-testing-example-"));
    try {
      const spec = path.join(scratch, "index.test.ts");
      fs.writeFileSync(spec, wrong);
      const { status, output } = runExample([spec]);
      assert.notEqual(status, 0, output);
      assert.match(output, /2 passing/);
      assert.match(output, /1 failing/);
      assert.match(output, /lets only jobs in acme\/payments-api's production environment/);
      assert.match(output, /repo:acme\/payments-api:environment:staging/);
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  });
});
