import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { registriesInState, terraformQuoted } from "../../cli/adoption/terraform/state";
import { declaredRegistries } from "../../cli/adoption/terraform/tfvars";
import { readFixture, stateInstances, terraformFixtureDir } from "../helpers/fixtures";

const stateFile = path.join(terraformFixtureDir, "terraform.tfstate");
const tfvarsFile = path.join(terraformFixtureDir, "terraform.tfvars");
const scratch = (name: string, content: string) => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "td-tf-")), name);
  fs.writeFileSync(file, content);
  return file;
};
const withState = (edit: (state: any) => void) => {
  const state = JSON.parse(readFixture("terraform.tfstate"));
  edit(state);
  return JSON.stringify(state);
};

describe("reading Terraform state", () => {
  it("finds every registry the module manages, wherever the module sits, with its lifecycle policy", () => {
    const registries = registriesInState(stateFile);
    assert.deepEqual(
      registries.map((r) => [r.name, r.address, r.lifecyclePolicy?.address]),
      [
        [
          "staging-api",
          'module.ecr_repositories["staging-api"].aws_ecr_repository.this',
          'module.ecr_repositories["staging-api"].aws_ecr_lifecycle_policy.this',
        ],
        [
          "test-app-dev",
          'module.ecr_repositories["test-app-dev"].aws_ecr_repository.this',
          'module.ecr_repositories["test-app-dev"].aws_ecr_lifecycle_policy.this',
        ],
        [
          "wordpress-platform",
          'module.ecr_repositories["wordpress-platform"].aws_ecr_repository.this',
          'module.ecr_repositories["wordpress-platform"].aws_ecr_lifecycle_policy.this',
        ],
      ],
    );
  });

  it("reads each registry's attributes as state holds them", () => {
    const wordpress = registriesInState(stateFile).find((r) => r.name === "wordpress-platform")!;
    const attributes = stateInstances("aws_ecr_repository")["wordpress-platform"];
    assert.deepEqual(
      { ...wordpress, lifecyclePolicy: undefined },
      {
        name: "wordpress-platform",
        address: 'module.ecr_repositories["wordpress-platform"].aws_ecr_repository.this',
        id: "wordpress-platform",
        arn: attributes.arn,
        region: "eu-west-2",
        account: "123456789012",
        imageTagMutability: "IMMUTABLE",
        encryptionType: "KMS",
        kmsKey: "arn:aws:kms:eu-west-2:123456789012:key/3f1c9a2e-7b4d-4e8a-9c61-2d5f0b8e4a17",
        scanOnPush: true,
        forceDelete: false,
        tags: attributes.tags,
        tagsAll: attributes.tags_all,
        lifecyclePolicy: undefined,
      },
    );
  });

  it("finds registries under another module name, or at the root with for_each", () => {
    const renamed = withState((state) => {
      for (const r of state.resources) {
        r.module = r.module.replace("module.ecr_repositories", "module.registries");
      }
      const root = state.resources.find(
        (r: any) => r.type === "aws_ecr_repository" && r.module.includes("staging-api"),
      );
      delete root.module;
      root.instances[0].index_key = "staging-api";
    });
    assert.deepEqual(
      registriesInState("renamed.tfstate", renamed).map((r) => r.address),
      [
        'aws_ecr_repository.this["staging-api"]',
        'module.registries["test-app-dev"].aws_ecr_repository.this',
        'module.registries["wordpress-platform"].aws_ecr_repository.this',
      ],
    );
  });

  it("writes every address as Terraform does: nested modules, count, for_each, the root module", () => {
    const shaped = withState((state) => {
      const of = (app: string) =>
        state.resources.filter((r: any) => r.module?.includes(`"${app}"`));
      for (const r of of("staging-api")) {
        r.module = 'module.platform.module.ecr["staging-api"]';
      }
      for (const r of of("test-app-dev")) {
        delete r.module;
        r.name = "apps";
        r.instances[0].index_key = 0;
      }
      for (const r of of("wordpress-platform")) {
        delete r.module;
        r.name = "by_name";
        r.instances[0].index_key = 'it\'s "wordpress" ${env}';
      }
      // Neither a data source nor an object Terraform is about to destroy is adopted.
      state.resources.push(
        {
          mode: "data",
          type: "aws_ecr_repository",
          name: "shared",
          instances: [{ attributes: {} }],
        },
        {
          mode: "managed",
          type: "aws_ecr_repository",
          name: "old",
          instances: [{ deposed: "00000001", attributes: {} }],
        },
      );
    });
    assert.deepEqual(
      registriesInState("shaped.tfstate", shaped).map((r) => [
        r.address,
        r.lifecyclePolicy?.address,
      ]),
      [
        [
          'module.platform.module.ecr["staging-api"].aws_ecr_repository.this',
          'module.platform.module.ecr["staging-api"].aws_ecr_lifecycle_policy.this',
        ],
        ["aws_ecr_repository.apps[0]", "aws_ecr_lifecycle_policy.apps[0]"],
        [
          'aws_ecr_repository.by_name["it\'s \\"wordpress\\" $${env}"]',
          'aws_ecr_lifecycle_policy.by_name["it\'s \\"wordpress\\" $${env}"]',
        ],
      ],
    );
  });

  it("quotes for_each keys as Terraform's addresses do", () => {
    assert.equal(terraformQuoted("staging-api"), '"staging-api"');
    assert.equal(
      terraformQuoted('a"b\\c\n\t${x}%{y}$z \u0007\u00a0é😀'),
      '"a\\"b\\\\c\\n\\t$${x}%%{y}$z \\u0007\\u00a0é😀"',
    );
  });

  it("reads each registry's region and account from its ARN, and refuses an ARN that is not a repository's", () => {
    const moved = withState((state) => {
      for (const r of state.resources.filter((x: any) => x.type === "aws_ecr_repository")) {
        r.instances[0].attributes.arn = r.instances[0].attributes.arn.replace(
          "eu-west-2:123456789012",
          "us-gov-west-1:210987654321",
        );
      }
    });
    assert.deepEqual(
      registriesInState("moved.tfstate", moved).map((r) => [r.region, r.account]),
      [
        ["us-gov-west-1", "210987654321"],
        ["us-gov-west-1", "210987654321"],
        ["us-gov-west-1", "210987654321"],
      ],
    );
    const broken = withState((state) => {
      state.resources.find(
        (x: any) => x.type === "aws_ecr_repository",
      ).instances[0].attributes.arn = "staging-api";
    });
    assert.throws(() => registriesInState("broken.tfstate", broken), {
      message:
        'Terraform state broken.tfstate has an invalid argument:\n  - module.ecr_repositories["staging-api"].aws_ecr_repository.this.arn is "staging-api"; is not what hashicorp/aws 4 or later writes there; refresh the state (terraform apply -refresh-only) and pull it again',
    });
  });

  it("refuses a state file that is missing, or a directory", () => {
    const missing = path.join(os.tmpdir(), "td-no-such.tfstate");
    assert.throws(() => registriesInState(missing), {
      message: `--state is ${JSON.stringify(missing)}; must be Terraform state, as \`terraform state pull > terraform.tfstate.json\` writes it: it does not exist`,
    });
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), "td-state-"));
    assert.throws(() => registriesInState(directory), {
      message: `--state is ${JSON.stringify(directory)}; must be Terraform state, as \`terraform state pull > terraform.tfstate.json\` writes it: it is a directory`,
    });
  });

  it("refuses state that is not JSON", () => {
    assert.throws(() => registriesInState("pulled.txt", "terraform state pull: error"), {
      message:
        'Terraform state pulled.txt has an invalid argument:\n  - file is "pulled.txt"; must be Terraform state as JSON, as `terraform state pull` prints it',
    });
  });

  it("refuses state of another version than 4", () => {
    assert.throws(
      () =>
        registriesInState(
          "old.tfstate",
          withState((s) => (s.version = 3)),
        ),
      {
        message:
          "Terraform state old.tfstate has an invalid argument:\n  - version is 3; must be 4, the state format of Terraform 0.12 and later: pull the state with a current Terraform",
      },
    );
  });

  it("refuses registries that lack an attribute adoption reads, naming each", () => {
    const broken = withState((state) => {
      const r = state.resources.find(
        (x: any) => x.type === "aws_ecr_repository" && x.module.includes("staging-api"),
      );
      delete r.instances[0].attributes.image_scanning_configuration;
      r.instances[0].attributes.tags_all = "x";
    });
    assert.throws(() => registriesInState("broken.tfstate", broken), {
      message: [
        "Terraform state broken.tfstate has 2 invalid arguments:",
        '  - module.ecr_repositories["staging-api"].aws_ecr_repository.this.image_scanning_configuration is missing; is not what hashicorp/aws 4 or later writes there; refresh the state (terraform apply -refresh-only) and pull it again',
        '  - module.ecr_repositories["staging-api"].aws_ecr_repository.this.tags_all is "x"; is not what hashicorp/aws 4 or later writes there; refresh the state (terraform apply -refresh-only) and pull it again',
      ].join("\n"),
    });
  });

  it("refuses state with no registry at all, saying what it manages instead (exit code 1)", () => {
    assert.throws(
      () => registriesInState("empty.tfstate", JSON.stringify({ version: 4, resources: [] })),
      {
        name: "NothingToAdoptError",
        exitCode: 1,
        message:
          "Terraform state empty.tfstate manages no aws_ecr_repository (it manages no resources): there is nothing to adopt. Pull the state of the configuration that holds the registry module; nothing was written.",
      },
    );
    const other = withState((state) => {
      state.resources = state.resources.filter((r: any) => r.type !== "aws_ecr_repository");
      state.resources.push({
        mode: "data",
        type: "aws_ecr_repository",
        name: "x",
        instances: [{}],
      });
    });
    assert.throws(() => registriesInState("other.tfstate", other), {
      message:
        "Terraform state other.tfstate manages no aws_ecr_repository (it manages 3 aws_ecr_lifecycle_policy): there is nothing to adopt. Pull the state of the configuration that holds the registry module; nothing was written.",
    });
  });
});

describe("reading tfvars with HashiCorp's HCL parser", () => {
  it("reads the registry map of the fixture", async () => {
    assert.deepEqual(await declaredRegistries(tfvarsFile), {
      "staging-api": {
        id: "REGISTRY_STAGING_API",
        owner: "app-team-api",
        risk: "medium",
        riskDefaulted: false,
      },
      "test-app-dev": {
        id: "REGISTRY_TEST_APP_DEV",
        owner: "app-team-test",
        risk: "low",
        riskDefaulted: false,
      },
      "wordpress-platform": {
        id: "REGISTRY_WORDPRESS_PLATFORM",
        owner: "app-team-wordpress",
        risk: "high",
        riskDefaulted: false,
      },
    });
  });

  it("refuses a file that does not parse, with the parser's own message", async () => {
    const file = scratch("broken.tfvars", 'ecr_repositories = {\n  "x" = {\n');
    await assert.rejects(declaredRegistries(file), {
      message: `Terraform variables ${file} has an invalid argument:\n  - file is ${JSON.stringify(file)}; must be HCL that Terraform reads: parse config: [${file}:3,1-1: Missing expression; Expected the start of an expression, but found the end of the file.]`,
    });
  });

  it("refuses a file without the registry map, or entries without id or owner, as the module's variable type does", async () => {
    const file = scratch("vars.tfvars", 'environment = "dev"\n');
    await assert.rejects(declaredRegistries(file), {
      message: `Terraform variables ${file} has an invalid argument:\n  - ecr_repositories is missing; must be a map of registry names to { metadata = { id, owner, risk } } (map(object({ metadata = object({ id = string, owner = string, risk = optional(string, "medium") }) })))`,
    });
    const partial = scratch(
      "partial.tfvars",
      'ecr_repositories = {\n  "x" = { metadata = { id = "X" } }\n  "y" = { meta = {} }\n  "z" = { metadata = { id = "Z", owner = ["a"], risk = {} } }\n}\n',
    );
    await assert.rejects(declaredRegistries(partial), {
      message: [
        `Terraform variables ${partial} has 4 invalid arguments:`,
        '  - ecr_repositories["x"].metadata.owner is missing; must be a string: the module\'s variable requires id and owner (risk is optional, default "medium")',
        '  - ecr_repositories["y"].metadata is missing; must be { id, owner, risk }: the module\'s variable is map(object({ metadata = object({ id = string, owner = string, risk = optional(string, "medium") }) }))',
        '  - ecr_repositories["z"].metadata.owner is ["a"]; must be a string: the module\'s variable requires id and owner (risk is optional, default "medium")',
        '  - ecr_repositories["z"].metadata.risk is {}; must be a string, or left out for the module\'s default "medium"',
      ].join("\n"),
    });
  });

  it("gives an entry without risk the module variable's default, medium, and says it did", async () => {
    const file = scratch(
      "defaults.tfvars",
      'ecr_repositories = {\n  "a" = { metadata = { id = "A", owner = "team-a" } }\n  "b" = { metadata = { id = "B", owner = "team-b", risk = null } }\n  "c" = { metadata = { id = 7, owner = true, risk = "high" } }\n}\n',
    );
    assert.deepEqual(await declaredRegistries(file), {
      a: { id: "A", owner: "team-a", risk: "medium", riskDefaulted: true },
      b: { id: "B", owner: "team-b", risk: "medium", riskDefaulted: true },
      // Terraform converts numbers and bools to the string the type asks for.
      c: { id: "7", owner: "true", risk: "high", riskDefaulted: false },
    });
  });

  it("refuses a tfvars file that is missing, a directory, or cannot be read", async () => {
    const missing = path.join(os.tmpdir(), "td-no-such.tfvars");
    await assert.rejects(declaredRegistries(missing), {
      message: `--tfvars is ${JSON.stringify(missing)}; must be the environment's Terraform variables file (terraform.tfvars): it does not exist`,
    });
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), "td-tfvars-"));
    await assert.rejects(declaredRegistries(directory), {
      message: `--tfvars is ${JSON.stringify(directory)}; must be the environment's Terraform variables file (terraform.tfvars): it is a directory`,
    });
  });
});
