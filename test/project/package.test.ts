import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { builtPackage } from "../helpers/cli";
import { componentTypes } from "../../policy-pack/governance/typeTokens";

const root = path.join(__dirname, "../..");
const manifest = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));

describe("the published package", function () {
  this.timeout(120000);
  let out: string;

  before(() => {
    out = builtPackage();
  });

  const built = (target: string) => path.join(out, target);

  it("emits every file package.json's main, types, exports and bin point at, with declarations", () => {
    const targets = [
      manifest.main,
      manifest.types,
      ...Object.values<any>(manifest.exports).flatMap((e) =>
        typeof e === "string" ? [] : [e.types, e.default],
      ),
      ...Object.values<string>(manifest.bin),
    ];
    for (const target of targets) {
      assert.ok(fs.existsSync(built(target)), `${target} is not built`);
    }
  });

  it("publishes only what the built files need", () => {
    assert.deepEqual(manifest.files, [
      "dist/components",
      "dist/cli",
      "dist/programs",
      "dist/policy-pack",
      "README.md",
      "CHANGELOG.md",
      "LICENSE",
      "NOTICE",
    ]);
  });

  it("exports the components and their validation from the package root", () => {
    const pkg = require(built(manifest.main));
    for (const name of [
      "TrustedDeliveryPipeline",
      "GitHubOidcProvider",
      "validateTrustedDeliveryPipelineArgs",
      "riskTiers",
    ]) {
      assert.ok(pkg[name], `${name} is not exported`);
    }
    assert.equal(pkg.TrustedDeliveryPipeline.typeToken, componentTypes.trustedDeliveryPipeline);
    assert.equal(pkg.GitHubOidcProvider.typeToken, componentTypes.githubOidcProvider);
  });

  it("exports the platform program for teams that keep their own Pulumi project", () => {
    assert.equal(
      typeof require(built(manifest.exports["./platform"].default)).platform,
      "function",
    );
  });

  it("ships a CLI that runs with node alone", () => {
    const bin = built(manifest.bin["trusted-delivery"]);
    assert.match(fs.readFileSync(bin, "utf8"), /^#!\/usr\/bin\/env node\n/);
    const result = spawnSync(process.execPath, [bin, "--help"], { encoding: "utf8" });
    assert.equal(result.status, 0);
    assert.match(result.stdout, /^Usage: trusted-delivery <command> \[options\]$/m);
  });

  it("pins typescript to ~5.9, which @pulumi/pulumi supports", () => {
    assert.equal(manifest.devDependencies.typescript, "~5.9");
  });
});
