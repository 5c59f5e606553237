import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { lifecycleRuleDescription } from "../../components/lifecyclePolicy";
import { riskLevels, riskTiers } from "../../components/riskTiers";
import { platformConfigKeys } from "../../programs/platform/config";
import { runCli } from "../helpers/cli";

const root = path.join(__dirname, "../..");
const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
const manifest = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));

/** The rows of the first markdown table after `heading`. */
function tableAfter(heading: string): string[][] {
  const section = readme.slice(readme.indexOf(heading));
  const lines = section.split("\n");
  const start = lines.findIndex((line) => line.startsWith("|"));
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith("|")) {
      break;
    }
    rows.push(
      line
        .split("|")
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
  }
  return rows;
}

describe("the README", () => {
  it("starts with the two set-up commands: the offline plan, then the tests", () => {
    const quickStart = readme.slice(readme.indexOf("## Quick start"));
    const block = quickStart.slice(
      quickStart.indexOf("```sh\n") + 6,
      quickStart.indexOf("\n```", quickStart.indexOf("```sh")),
    );
    assert.deepEqual(
      block.split("\n").map((line) => line.split("#")[0].trim()),
      ["npm ci && npm run plan -- dev", "npm test"],
    );
    assert.ok(manifest.scripts.plan && manifest.scripts.test);
  });

  it("gives the test command that CI runs", () => {
    const ci = fs.readFileSync(path.join(root, ".ci/run"), "utf8");
    assert.match(ci, /^npm ci\b/m);
    assert.match(ci, /^npm test(?:\s+#.*)?$/m);
  });

  it("names the runtime CI installs and the oldest Node.js the packages accept", () => {
    const ci = fs.readFileSync(path.join(root, ".ci/run"), "utf8");
    const lts = /^node_lts=(\d+)$/m.exec(ci)?.[1];
    assert.ok(lts, ".ci/run sets node_lts");
    assert.match(ci, /npm install [^\n]*"node@\$node_lts"/);
    const pack = JSON.parse(fs.readFileSync(path.join(root, "policy-pack/package.json"), "utf8"));
    for (const [name, engines] of [
      ["package.json", manifest.engines],
      ["policy-pack/package.json", pack.engines],
    ]) {
      const oldest = /^>=(\d+)$/.exec(engines?.node ?? "")?.[1];
      assert.ok(oldest !== undefined, `${name} has engines.node >=N`);
      assert.ok(Number(oldest) >= 22, `${name} accepts Node.js ${oldest}, past its end of life`);
      assert.ok(
        readme.includes(`Node.js ${oldest} or later`),
        `the README names Node.js ${oldest} or later`,
      );
      assert.ok(Number(lts) >= Number(oldest));
    }
    assert.ok(
      readme.includes(`current LTS, Node.js ${lts},`),
      `the README names the LTS CI runs, Node.js ${lts}`,
    );
  });

  it("lists exactly the platform config keys the program reads", () => {
    assert.deepEqual(
      tableAfter("### Stack config").map(([key]) => key.replace(/`/g, "")),
      [...platformConfigKeys],
    );
  });

  it("states the risk tiers the code applies", () => {
    const rows = tableAfter("### Risk tiers");
    assert.deepEqual(
      rows.map(([risk, mutability, encryption, kept, description]) => [
        risk,
        mutability,
        encryption.split(" ")[0],
        Number(kept),
        description.replace(/`/g, ""),
      ]),
      riskLevels.map((risk) => [
        risk,
        riskTiers[risk].imageTagMutability,
        riskTiers[risk].encryption,
        riskTiers[risk].keepImages,
        lifecycleRuleDescription(riskTiers[risk].keepImages, risk),
      ]),
    );
  });

  it("shows explain's output as the command prints it for the committed stacks", () => {
    const examples = [
      ...readme.matchAll(/```\n\$ npm run trusted-delivery -- (explain [^\n]+)\n([\s\S]*?)```/g),
    ];
    assert.ok(examples.length > 0);
    for (const [, command, output] of examples) {
      const { stdout } = runCli(command.split(" "));
      assert.equal(stdout, output, command);
    }
  });
});
