import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import YAML from "yaml";
import {
  findProject,
  listStacks,
  readStackConfig,
  stackFilePath,
} from "../../cli/workspace/project";
import { projectSchemaErrors } from "../helpers/pulumiSchema";

const root = path.join(__dirname, "../..");
// The keys the Pulumi CLI reads from a stack file (sdk/go/common/workspace/project.go, ProjectStack).
const stackFileKeys = [
  "secretsprovider",
  "encryptedkey",
  "encryptionsalt",
  "config",
  "environment",
];

describe("Pulumi files", () => {
  it("Pulumi.yaml is valid under the Pulumi CLI's project schema", () => {
    assert.deepEqual(projectSchemaErrors(path.join(root, "Pulumi.yaml")), []);
  });

  it("the schema check refuses what the CLI refuses", () => {
    const bad = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "td-")), "Pulumi.yaml");
    fs.writeFileSync(bad, "name: x\nruntime: {name: nodejs, version: 3}\nmain: [a]\n");
    assert.deepEqual(projectSchemaErrors(bad).sort(), [
      "/main must be string,null",
      "/runtime must NOT have additional properties",
      "/runtime must be string",
      "/runtime must match exactly one schema in oneOf",
    ]);
  });

  it("Pulumi.yaml runs the platform program with TypeScript and keeps stack files beside it", () => {
    const project = findProject(root);
    assert.equal(project.name, "trusted-delivery-platform");
    assert.equal(path.relative(root, project.main), path.join("programs", "platform"));
    assert.equal(path.relative(root, project.stackConfigDir), path.join("programs", "platform"));
    assert.ok(fs.existsSync(path.join(project.main, "index.ts")));
  });

  for (const stack of ["dev", "staging", "prod"]) {
    it(`the ${stack} stack file has only keys the CLI reads, and namespaced config`, () => {
      const project = findProject(root);
      const file = stackFilePath(project, stack);
      const document = YAML.parse(fs.readFileSync(file, "utf8"));
      assert.deepEqual(
        Object.keys(document).filter((key) => !stackFileKeys.includes(key)),
        [],
      );
      for (const key of Object.keys(document.config)) {
        assert.match(key, /^[A-Za-z0-9_.-]+:[A-Za-z0-9_.-]+$/, key);
      }
      assert.equal(document.config["aws:region"], "eu-west-2");
      assert.ok(listStacks(project).includes(stack));
    });
  }
});

describe("reading stack config as the Pulumi CLI passes it to programs", () => {
  it("qualifies project keys, passes maps as JSON, and stands in for secure values it cannot decrypt", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "td-stack-"));
    fs.writeFileSync(
      path.join(dir, "Pulumi.yaml"),
      "name: demo\nruntime: nodejs\nconfig:\n  greeting:\n    default: hello\n",
    );
    fs.writeFileSync(
      path.join(dir, "Pulumi.dev.yaml"),
      "config:\n  github:token:\n    secure: v1:abc\n  demo:apps:\n    a:\n      key:\n        secure: v1:def\n  count: 3\n",
    );
    const config = readStackConfig(findProject(dir), "dev");
    assert.deepEqual(config.values, {
      "demo:greeting": "hello",
      "github:token": "[secret]",
      "demo:apps": '{"a":{"key":"[secret]"}}',
      "demo:count": "3",
    });
    assert.deepEqual(config.secretKeys, ["github:token", "demo:apps"]);
  });
});
