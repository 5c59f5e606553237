import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { runCli } from "../helpers/cli";
import { projectSchemaErrors } from "../helpers/pulumiSchema";
import { snapshotTree, tempPlatformProject } from "../helpers/tempProject";

const addBilling = [
  "add-app",
  "billing-api",
  "--owner",
  "team-billing",
  "--github-repository",
  "acme/billing-api",
  "--stack",
  "dev",
];

describe("trusted-delivery reads Pulumi.yaml as the Pulumi CLI does", function () {
  this.timeout(60000);

  const mainLine = (root: string) =>
    `main: ${fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8").match(/^main: (.*)$/m)![1]}`;
  // Each: the file (given the project root), the problems, and whether Pulumi's own schema refuses it too.
  const cases: [string, (root: string) => string, string[], boolean][] = [
    [
      "a name that is not YAML",
      (root) => `name: [unclosed\nruntime: nodejs\n${mainLine(root)}\n`,
      [],
      false,
    ],
    [
      "main: 5",
      () => "name: trusted-delivery-platform\nruntime: nodejs\nmain: 5\n",
      [
        '  - main is 5; must be the path of the program (a file or directory) relative to Pulumi.yaml, e.g. "programs/platform"',
      ],
      true,
    ],
    [
      "stackConfigDir: [1]",
      (root) =>
        `name: trusted-delivery-platform\nruntime: nodejs\n${mainLine(root)}\nstackConfigDir: [1]\n`,
      [
        '  - stackConfigDir is [1]; must be the directory of the stack files relative to Pulumi.yaml, e.g. "programs/platform"',
      ],
      true,
    ],
    [
      "no name",
      (root) => `runtime: nodejs\n${mainLine(root)}\nstackConfigDir: programs/platform\n`,
      [
        '  - name is missing; must be the project\'s name: 1 to 100 letters, digits, hyphens, underscores and periods, e.g. "trusted-delivery-platform"',
      ],
      true,
    ],
    [
      "a name that is not a string",
      (root) =>
        `name: {a: b}\nruntime: nodejs\n${mainLine(root)}\nstackConfigDir: programs/platform\n`,
      [
        '  - name is {"a":"b"}; must be the project\'s name: 1 to 100 letters, digits, hyphens, underscores and periods, e.g. "trusted-delivery-platform"',
      ],
      true,
    ],
    [
      "config that is not a map",
      (root) =>
        `name: trusted-delivery-platform\nruntime: nodejs\n${mainLine(root)}\nstackConfigDir: programs/platform\nconfig: [aws:region]\n`,
      [
        '  - config is ["aws:region"]; must be a map of config keys to declarations or values, e.g. { "aws:region": eu-west-2 } (stack files\' directory goes in stackConfigDir)',
      ],
      true,
    ],
    [
      "a runtime with a setting Pulumi does not know, and a config declaration of an unknown type",
      (root) =>
        `name: trusted-delivery-platform\nruntime: {name: nodejs, version: 3}\n${mainLine(root)}\nstackConfigDir: programs/platform\nconfig:\n  aws:region: {type: region}\n`,
      [
        "  - runtime.version is not a setting; allowed: name, options",
        '  - config.aws:region.type is "region"; must be one of string, integer, boolean, array, object',
      ],
      true,
    ],
  ];
  for (const [what, content, problems, schemaRefuses] of cases) {
    it(`refuses ${what}, naming the file, key, value and what is allowed, and writes nothing`, () => {
      const { root } = tempPlatformProject();
      const file = path.join(root, "Pulumi.yaml");
      fs.writeFileSync(file, content(root));
      const before = snapshotTree(root);
      const result = runCli([...addBilling, "--cwd", root]);
      const expected =
        problems.length === 0
          ? [
              `error: ${file} is not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ] at line 2, column 1:`,
              "",
              "name: [unclosed",
              "runtime: nodejs",
              "^",
              "",
              "",
            ].join("\n")
          : `error: Pulumi project file ${file} has ${problems.length === 1 ? "an invalid argument" : `${problems.length} invalid arguments`}:\n${problems.join("\n")}\n`;
      assert.equal(result.stderr, expected);
      assert.equal(result.code, 2);
      assert.equal(result.stdout, "");
      assert.deepEqual(snapshotTree(root), before);
      if (schemaRefuses) {
        assert.notDeepEqual(projectSchemaErrors(file), [], "Pulumi's schema refuses it too");
      }
    });
  }

  it("refuses a --cwd that does not exist, rather than finding a project above it", () => {
    const { root } = tempPlatformProject();
    const missing = path.join(root, "programs/nowhere");
    const result = runCli(["catalog", "--stack", "dev", "--cwd", missing]);
    assert.equal(
      result.stderr,
      `error: --cwd is ${JSON.stringify(missing)}; must be a directory in a Pulumi project: it does not exist\n`,
    );
    assert.equal(result.code, 2);
  });

  const stackNames: [string, string][] = [
    [
      "a/b/c/d",
      'error: --stack is "a/b/c/d"; must be a stack of project trusted-delivery-platform: <stack>, <org>/<stack> or <org>/trusted-delivery-platform/<stack>, each part letters, digits, hyphens, underscores and periods, e.g. "dev"\n',
    ],
    [
      "../dev",
      'error: --stack is "../dev"; must be a stack of project trusted-delivery-platform: <stack>, <org>/<stack> or <org>/trusted-delivery-platform/<stack>, each part letters, digits, hyphens, underscores and periods, e.g. "dev"\n',
    ],
    [
      "acme/other-project/dev",
      'error: --stack is "acme/other-project/dev"; must be a stack of project trusted-delivery-platform: <stack>, <org>/<stack> or <org>/trusted-delivery-platform/<stack>, each part letters, digits, hyphens, underscores and periods, e.g. "dev"; "other-project" is another project\n',
    ],
  ];
  for (const [stack, message] of stackNames) {
    it(`refuses the stack name ${stack}, and writes nothing`, () => {
      const { root } = tempPlatformProject();
      const before = snapshotTree(root);
      const result = runCli([...addBilling.slice(0, -1), stack, "--cwd", root]);
      assert.equal(result.stderr, message);
      assert.equal(result.code, 2);
      assert.deepEqual(snapshotTree(root), before);
    });
  }

  it("takes a fully qualified stack name of this project as the stack file's", () => {
    const { root, stackFile } = tempPlatformProject();
    const result = runCli([
      ...addBilling.slice(0, -1),
      "acme/trusted-delivery-platform/dev",
      "--cwd",
      root,
    ]);
    assert.equal(result.stderr, "");
    assert.equal(result.code, 0);
    assert.match(fs.readFileSync(stackFile("dev"), "utf8"), /^ {4}billing-api:$/m);
  });
});
