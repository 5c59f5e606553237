import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { registriesInState } from "../../cli/terraform/state";
import { declaredRegistries } from "../../cli/terraform/tfvars";
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

  it("refuses state with no registry at all", () => {
    assert.throws(
      () => registriesInState("empty.tfstate", JSON.stringify({ version: 4, resources: [] })),
      {
        message:
          'Terraform state empty.tfstate has an invalid argument:\n  - resources is "0 resources"; must include at least one aws_ecr_repository to adopt',
      },
    );
  });
});

describe("reading tfvars with HashiCorp's HCL parser", () => {
  it("reads the registry map of the fixture", async () => {
    assert.deepEqual(await declaredRegistries(tfvarsFile), {
      "staging-api": { id: "REGISTRY_STAGING_API", owner: "app-team-api", risk: "medium" },
      "test-app-dev": { id: "REGISTRY_TEST_APP_DEV", owner: "app-team-test", risk: "low" },
      "wordpress-platform": {
        id: "REGISTRY_WORDPRESS_PLATFORM",
        owner: "app-team-wordpress",
        risk: "high",
      },
    });
  });

  it("refuses a file that does not parse, with the parser's own message", async () => {
    const file = scratch("broken.tfvars", 'ecr_repositories = {\n  "x" = {\n');
    await assert.rejects(declaredRegistries(file), {
      message: `Terraform variables ${file} has an invalid argument:\n  - file is ${JSON.stringify(file)}; must be HCL that Terraform reads: parse config: [${file}:3,1-1: Missing expression; Expected the start of an expression, but found the end of the file.]`,
    });
  });

  it("refuses a file without the registry map, or entries without metadata", async () => {
    const file = scratch("vars.tfvars", 'environment = "dev"\n');
    await assert.rejects(declaredRegistries(file), {
      message: `Terraform variables ${file} has an invalid argument:\n  - ecr_repositories is missing; must be a map of registry names to { metadata = { id, owner, risk } }`,
    });
    const partial = scratch(
      "partial.tfvars",
      'ecr_repositories = {\n  "x" = { metadata = { id = "X" } }\n}\n',
    );
    await assert.rejects(declaredRegistries(partial), {
      message: `Terraform variables ${partial} has an invalid argument:\n  - ecr_repositories["x"].metadata is {"id":"X"}; must be { id, owner, risk } as strings`,
    });
  });
});
