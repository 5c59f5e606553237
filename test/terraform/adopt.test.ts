import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";
import { planStack } from "../../cli/preview";
import { readPlatformStack } from "../../cli/workspace/platformStack";
import { readStackConfig } from "../../cli/workspace/project";
import { planAdoption } from "../../cli/adoption/terraform/adopt";
import { runCli } from "../helpers/cli";
import { readFixture, stateInstances, terraformFixtureDir } from "../helpers/fixtures";
import {
  keepsEveryLine,
  snapshot,
  snapshotTree,
  tempPlatformProject,
} from "../helpers/tempProject";
import { requireBindingPermissions } from "../helpers/unprivileged";
import { awsTypes, componentTypes } from "../../policy-pack/governance/typeTokens";

const stateFile = path.join(terraformFixtureDir, "terraform.tfstate");
const tfvarsFile = path.join(terraformFixtureDir, "terraform.tfvars");
const apps = ["staging-api", "test-app-dev", "wordpress-platform"];

/** A copy of the fixture state, edited. */
function editedState(dir: string, edit: (state: any) => void): string {
  const state = JSON.parse(readFixture("terraform.tfstate"));
  edit(state);
  const file = path.join(dir, "edited.tfstate");
  fs.writeFileSync(file, JSON.stringify(state));
  return file;
}

function repositoryOf(state: any, app: string) {
  return state.resources.find(
    (r: any) => r.type === "aws_ecr_repository" && r.module.includes(`"${app}"`),
  ).instances[0].attributes;
}

/** Every registry's ARN moved to another region or account, as another provider would hold it. */
function moveRegistries(state: any, apps: readonly string[], region: string, account: string) {
  for (const r of state.resources) {
    if (r.type === "aws_ecr_repository" && apps.some((app) => r.module?.includes(`"${app}"`))) {
      const attributes = r.instances[0].attributes;
      attributes.arn = attributes.arn.replace("eu-west-2:123456789012", `${region}:${account}`);
    }
  }
}

/**
 * The fixture state in the shapes `terraform state pull` gives: staging-api in a nested module
 * (module.platform.module.ecr["staging-api"]), test-app-dev in the root module with count and
 * no lifecycle policy, wordpress-platform in the root module with a for_each key a shell must
 * quote, billing-api in a second call of the fixture's module, and a data source beside them.
 */
function reshapedState(dir: string): string {
  return editedState(dir, (state) => {
    const of = (app: string) => state.resources.filter((r: any) => r.module?.includes(`"${app}"`));
    const [stagingPolicy, stagingRepository] = of("staging-api");
    const billing = JSON.parse(JSON.stringify([stagingPolicy, stagingRepository]));
    for (const r of billing) {
      r.module = 'module.ecr_repositories["billing-api"]';
      const a = r.instances[0].attributes;
      for (const key of ["id", "name", "repository", "arn", "repository_url"]) {
        if (typeof a[key] === "string") {
          a[key] = a[key].replace("staging-api", "billing-api");
        }
      }
      if (a.tags) {
        a.tags = {
          ...a.tags,
          "goldenpath.idp/id": "REGISTRY_BILLING_API",
          "goldenpath.idp/owner": "team-billing",
        };
        a.tags_all = { ...a.tags_all, ...a.tags };
      }
    }
    for (const r of of("staging-api")) {
      r.module = 'module.platform.module.ecr["staging-api"]';
    }
    for (const r of of("test-app-dev")) {
      delete r.module;
      r.name = "apps";
      r.instances[0].index_key = 0;
    }
    state.resources = state.resources.filter(
      (r: any) => !(r.type === "aws_ecr_lifecycle_policy" && r.name === "apps"),
    );
    for (const r of of("wordpress-platform")) {
      delete r.module;
      r.name = "by_name";
      r.instances[0].index_key = "it's wordpress";
    }
    state.resources.push(...billing, {
      mode: "data",
      type: "aws_ecr_repository",
      name: "shared",
      provider: 'provider["registry.terraform.io/hashicorp/aws"]',
      instances: [{ schema_version: 0, attributes: { name: "shared-base-images" } }],
    });
  });
}

describe("trusted-delivery adopt-terraform", function () {
  this.timeout(60000);

  describe("on the fixture's dev state", () => {
    const { root, project, stackFile } = tempPlatformProject();
    let original: string;
    let result: ReturnType<typeof runCli>;

    before(() => {
      // Comments and blank lines anywhere must survive the edit.
      fs.writeFileSync(
        stackFile("dev"),
        fs
          .readFileSync(stackFile("dev"), "utf8")
          .replace(
            "  aws:region: eu-west-2\n",
            "  aws:region: eu-west-2 # London\n\n  # The apps of dev:\n",
          ),
      );
      original = fs.readFileSync(stackFile("dev"), "utf8");
      result = runCli([
        "adopt-terraform",
        "--cwd",
        root,
        "--state",
        stateFile,
        "--tfvars",
        tfvarsFile,
        "--stack",
        "dev",
        "--github-owner",
        "acme",
        "--import-file",
        path.join(root, "import.json"),
      ]);
    });

    it("adopts every registry with no change, and says so", () => {
      assert.equal(result.stderr, "");
      assert.equal(result.code, 0);
      for (const app of apps) {
        assert.match(result.stdout, new RegExp(`^Registry ${app}: adopts with no change$`, "m"));
      }
      assert.doesNotMatch(result.stdout, /UPDATE|REPLACE|CREATE/);
      assert.match(result.stdout, /^Wrote programs\/platform\/Pulumi\.dev\.yaml\.$/m);
    });

    it("prints the terraform state rm commands that hand each address over", () => {
      const commands = result.stdout
        .split("\n")
        .filter((line) => line.startsWith("  terraform state rm "));
      assert.deepEqual(
        commands,
        apps.map(
          (app) =>
            `  terraform state rm 'module.ecr_repositories["${app}"].aws_ecr_repository.this' 'module.ecr_repositories["${app}"].aws_ecr_lifecycle_policy.this'`,
        ),
      );
    });

    it("writes the apps with the import IDs state holds, and Terraform's default tags as the provider's", () => {
      const config = YAML.parse(fs.readFileSync(stackFile("dev"), "utf8")).config;
      assert.deepEqual(config["trusted-delivery-platform:apps"]["wordpress-platform"], {
        metadata: { id: "REGISTRY_WORDPRESS_PLATFORM", owner: "app-team-wordpress", risk: "high" },
        github: { repository: "acme/wordpress-platform" },
        importIds: { repository: "wordpress-platform", lifecyclePolicy: "wordpress-platform" },
      });
      assert.deepEqual(config["aws:defaultTags"], {
        tags: {
          BuildId: "persistent",
          Environment: "dev",
          Lifecycle: "persistent",
          ManagedBy: "terraform",
          Owner: "platform-team",
          Project: "goldenpath-idp",
        },
      });
      // The apps that were there stay as they were.
      assert.deepEqual(Object.keys(config["trusted-delivery-platform:apps"]), [
        "payments-api",
        "web-frontend",
        "ledger-service",
        ...apps,
      ]);
    });

    it("keeps every line of the stack file, comments included", () => {
      assert.ok(keepsEveryLine(original, fs.readFileSync(stackFile("dev"), "utf8")));
      assert.match(
        fs.readFileSync(stackFile("dev"), "utf8"),
        /aws:region: eu-west-2 # London\n\n {2}# The apps of dev:\n/,
      );
    });

    it("makes the platform program import each registry and lifecycle policy with inputs equal to the state, attribute by attribute", async () => {
      const plan = await planStack(project, "dev");
      const defaultTags = JSON.parse(
        readStackConfig(project, "dev").values["aws:defaultTags"],
      ).tags;
      const repositories = stateInstances("aws_ecr_repository");
      const policies = stateInstances("aws_ecr_lifecycle_policy");
      for (const app of apps) {
        const state = repositories[app];
        const repository = plan.run.resources.find((r) => r.name === `${app}-repository`)!;
        assert.equal(repository.importId, state.id, app);
        assert.equal(repository.inputs.name, state.name, app);
        assert.equal(repository.inputs.imageTagMutability, state.image_tag_mutability, app);
        assert.equal(repository.inputs.encryptionConfigurations.length, 1, app);
        assert.equal(
          repository.inputs.encryptionConfigurations[0].encryptionType,
          state.encryption_configuration[0].encryption_type,
          app,
        );
        // No key given: AWS keeps the one it chose (kms_key is computed), so there is no diff.
        assert.equal(repository.inputs.encryptionConfigurations[0].kmsKey, undefined, app);
        assert.equal(
          repository.inputs.imageScanningConfiguration.scanOnPush,
          state.image_scanning_configuration[0].scan_on_push,
          app,
        );
        assert.equal(repository.inputs.forceDelete, state.force_delete, app);
        assert.deepEqual(repository.inputs.tags, state.tags, app);
        assert.deepEqual({ ...defaultTags, ...repository.inputs.tags }, state.tags_all, app);
        const lifecycle = plan.run.resources.find((r) => r.name === `${app}-lifecycle`)!;
        assert.equal(lifecycle.importId, policies[app].id, app);
        assert.equal(lifecycle.inputs.repository, policies[app].repository, app);
        assert.deepEqual(
          JSON.parse(lifecycle.inputs.policy),
          JSON.parse(policies[app].policy),
          app,
        );
      }
    });

    it("writes a pulumi import file that recreates the pipeline's URNs", () => {
      const importFile = JSON.parse(fs.readFileSync(path.join(root, "import.json"), "utf8"));
      assert.deepEqual(importFile.resources.slice(0, 3), [
        {
          type: componentTypes.trustedDeliveryPipeline,
          name: "staging-api",
          component: true,
        },
        {
          type: awsTypes.ecrRepository,
          name: "staging-api-repository",
          id: "staging-api",
          parent: "staging-api",
        },
        {
          type: awsTypes.ecrLifecyclePolicy,
          name: "staging-api-lifecycle",
          id: "staging-api",
          parent: "staging-api",
        },
      ]);
      assert.equal(importFile.resources.length, 9);
    });

    it("changes nothing when run again", () => {
      const written = snapshot(stackFile("dev"));
      const again = runCli([
        "adopt-terraform",
        "--cwd",
        root,
        "--state",
        stateFile,
        "--stack",
        "dev",
        "--github-owner",
        "acme",
      ]);
      assert.equal(again.code, 0);
      assert.match(
        again.stdout,
        /^programs\/platform\/Pulumi\.dev\.yaml is already up to date: nothing to write\.$/m,
      );
      assert.deepEqual(snapshot(stackFile("dev")), written);
    });
  });

  describe("refuses", () => {
    it("adoption that would change a registry in place, unless --accept-changes; and writes nothing", () => {
      const { root, stackFile } = tempPlatformProject();
      const drifted = editedState(root, (state) => {
        repositoryOf(state, "wordpress-platform").image_tag_mutability = "MUTABLE";
      });
      const untouched = snapshot(stackFile("dev"));
      const refused = runCli([
        "adopt-terraform",
        "--cwd",
        root,
        "--state",
        drifted,
        "--stack",
        "dev",
        "--github-owner",
        "acme",
      ]);
      assert.equal(refused.code, 1);
      assert.match(
        refused.stdout,
        /^ {2}image_tag_mutability {2}UPDATE {3}terraform state: {2}MUTABLE\n {33}trusted-delivery: IMMUTABLE$/m,
      );
      assert.equal(
        refused.stderr,
        "error: adopting wordpress-platform would change it in place (see the table); pass --accept-changes to adopt with these changes. Nothing was written.\n",
      );
      assert.deepEqual(snapshot(stackFile("dev")), untouched);
      const accepted = runCli([
        "adopt-terraform",
        "--cwd",
        root,
        "--state",
        drifted,
        "--stack",
        "dev",
        "--github-owner",
        "acme",
        "--accept-changes",
      ]);
      assert.equal(accepted.code, 0);
      assert.notEqual(fs.readFileSync(stackFile("dev"), "utf8"), untouched.content);
    });

    it("adoption that would replace a registry, even with --accept-changes", async () => {
      const { root, project, stackFile } = tempPlatformProject();
      const drifted = editedState(root, (state) => {
        repositoryOf(state, "wordpress-platform").encryption_configuration = [
          { encryption_type: "AES256", kms_key: "" },
        ];
      });
      const untouched = snapshot(stackFile("dev"));
      const plan = await planAdoption({
        project,
        stack: "dev",
        stateFile: drifted,
        githubOwner: "acme",
      });
      const row = plan.registries
        .find((r) => r.registry.name === "wordpress-platform")!
        .drift.find((r) => r.attribute === "encryption_type")!;
      assert.deepEqual(row, {
        attribute: "encryption_type",
        existing: "AES256",
        pipeline: "KMS",
        effect: "replace",
      });
      const refused = runCli([
        "adopt-terraform",
        "--cwd",
        root,
        "--state",
        drifted,
        "--stack",
        "dev",
        "--github-owner",
        "acme",
        "--accept-changes",
      ]);
      assert.equal(refused.code, 1);
      assert.equal(
        refused.stderr,
        "error: adopting wordpress-platform would REPLACE the registry, deleting its images; make the app's settings match the state (see the table) and run again. Nothing was written.\n",
      );
      assert.deepEqual(snapshot(stackFile("dev")), untouched);
    });

    const refusals: [
      string,
      (dir: string) => { state?: string; tfvars?: string; owner?: boolean; stack?: string },
      string,
    ][] = [
      [
        "state of another version than 4",
        (dir) => ({ state: editedState(dir, (s) => (s.version = 3)) }),
        "version is 3; must be 4, the state format of Terraform 0.12 and later: pull the state with a current Terraform",
      ],
      [
        "a registry missing an attribute",
        (dir) => ({
          state: editedState(dir, (s) => delete repositoryOf(s, "staging-api").force_delete),
        }),
        'module.ecr_repositories["staging-api"].aws_ecr_repository.this.force_delete is missing; is not what hashicorp/aws 4 or later writes there; refresh the state (terraform apply -refresh-only) and pull it again',
      ],
      [
        "a tfvars file that does not parse",
        (dir) => {
          const tfvars = path.join(dir, "broken.tfvars");
          fs.writeFileSync(tfvars, "ecr_repositories = {");
          return { tfvars };
        },
        "must be HCL that Terraform reads: parse config: [",
      ],
      [
        "an app in tfvars absent from the state",
        (dir) => {
          const tfvars = path.join(dir, "more.tfvars");
          fs.writeFileSync(
            tfvars,
            readFixture("terraform.tfvars").replace(
              "ecr_repositories = {",
              'ecr_repositories = {\n  "billing-api" = { metadata = { id = "REGISTRY_BILLING_API", owner = "team-billing", risk = "low" } }',
            ),
          );
          return { tfvars };
        },
        'ecr_repositories["billing-api"] is {"id":"REGISTRY_BILLING_API","owner":"team-billing","risk":"low"}; is declared in ',
      ],
      [
        "tfvars metadata that disagrees with the tags in state",
        (dir) => {
          const tfvars = path.join(dir, "owner.tfvars");
          fs.writeFileSync(
            tfvars,
            readFixture("terraform.tfvars").replace(
              'owner = "app-team-api"',
              'owner = "app-team-payments"',
            ),
          );
          return { tfvars };
        },
        'ecr_repositories["staging-api"].metadata.owner is "app-team-payments"; must match the registry\'s tag goldenpath.idp/owner in state, "app-team-api": apply Terraform so state and variables agree',
      ],
      [
        "registries new to the stack with no GitHub repository to serve",
        () => ({ owner: false }),
        '--github-repository staging-api is missing; must name the app repository that pushes to "staging-api": pass --github-owner <owner> (for <owner>/staging-api) or --github-repository staging-api=<owner>/<name>',
      ],
      [
        "a stack without a config file",
        () => ({ stack: "qa" }),
        "programs/platform/Pulumi.qa.yaml does not exist: create the stack first (pulumi stack init), or give an existing stack",
      ],
    ];
    for (const [what, setUp, message] of refusals) {
      it(`${what}, with a clear error and no file changed`, () => {
        const { root, stackFile } = tempPlatformProject();
        const given = setUp(root);
        const untouched = snapshot(stackFile("dev"));
        const result = runCli([
          "adopt-terraform",
          "--cwd",
          root,
          "--state",
          given.state ?? stateFile,
          ...(given.tfvars ? ["--tfvars", given.tfvars] : []),
          "--stack",
          given.stack ?? "dev",
          ...(given.owner === false ? [] : ["--github-owner", "acme"]),
          "--import-file",
          path.join(root, "import.json"),
        ]);
        assert.equal(result.code, 2, result.stderr);
        assert.equal(result.stdout, "");
        assert.ok(result.stderr.startsWith("error: "), result.stderr);
        assert.ok(
          result.stderr.includes(message),
          `${result.stderr}\ndoes not include\n${message}`,
        );
        assert.deepEqual(snapshot(stackFile("dev")), untouched);
        assert.equal(fs.existsSync(path.join(root, "import.json")), false);
      });
    }
  });

  describe("on the shapes terraform state pull gives (nested and several modules, count, for_each, the root module, no lifecycle policy)", () => {
    const { root, project, stackFile } = tempPlatformProject();
    let state: string;
    let refused: ReturnType<typeof runCli>;
    let result: ReturnType<typeof runCli>;
    const args = () => [
      "adopt-terraform",
      "--cwd",
      root,
      "--state",
      state,
      "--stack",
      "dev",
      "--github-owner",
      "acme",
      "--import-file",
      path.join(root, "import.json"),
    ];

    before(() => {
      state = reshapedState(root);
      refused = runCli(args());
      result = runCli([...args(), "--accept-changes"]);
    });

    it("shows the lifecycle policy a registry lacks as one the pipeline creates, and asks to accept that", () => {
      assert.equal(refused.code, 1);
      assert.equal(
        refused.stderr,
        "error: adopting test-app-dev would change it in place (see the table); pass --accept-changes to adopt with these changes. Nothing was written.\n",
      );
      const table = refused.stdout.slice(refused.stdout.indexOf("Registry test-app-dev"));
      assert.equal(table.split("\n")[0], "Registry test-app-dev: 1 change on adoption");
      assert.ok(
        table.includes(
          [
            "  lifecycle_policy      CREATE   terraform state:  (none)",
            '                                 trusted-delivery: {"rules":[{"action":{"type":"expire"},"description":"Keep last 20 images (low risk policy)","rulePriority":1,"selection":{"countNumber":20,"countType":"imageCountMoreThan","tagStatus":"any"}}]}',
            "",
          ].join("\n"),
        ),
        table,
      );
      for (const app of ["billing-api", "staging-api", "wordpress-platform"]) {
        assert.match(refused.stdout, new RegExp(`^Registry ${app}: adopts with no change$`, "m"));
      }
    });

    it("-f json reports the refusal and the drift rows as one object, and a dry run what it would write", () => {
      const refusedJson = runCli([...args(), "-f", "json"]);
      assert.equal(refusedJson.code, 1);
      const report = JSON.parse(refusedJson.stdout);
      assert.equal(report.schemaVersion, 1);
      assert.equal(report.outcome, "refused-changes");
      assert.equal(report.stack, "dev");
      const lifecycle = report.registries
        .find((r: { name: string }) => r.name === "test-app-dev")
        .drift.find((row: { attribute: string }) => row.attribute === "lifecycle_policy");
      assert.equal(lifecycle.effect, "create");
      assert.match(refusedJson.stderr, /would change it in place/);
      const dry = runCli([...args(), "-f", "json", "--accept-changes", "--dry-run"]);
      assert.equal(dry.code, 0, dry.stderr);
      const dryReport = JSON.parse(dry.stdout);
      assert.equal(dryReport.outcome, "dry-run");
      // The run before these tests adopted them already: nothing left to write.
      assert.equal(dryReport.stackFileContent, undefined);
      assert.ok(dryReport.registries.length >= 4);
      assert.ok(Array.isArray(dryReport.imports.resources));
    });

    it("prints terraform state rm with each address exactly as Terraform writes it, quoted for the shell", () => {
      assert.equal(result.stderr, "");
      assert.equal(result.code, 0);
      const commands = result.stdout
        .split("\n")
        .filter((line) => line.startsWith("  terraform state rm "))
        .map((line) => line.slice(2));
      assert.deepEqual(commands, [
        `terraform state rm 'module.ecr_repositories["billing-api"].aws_ecr_repository.this' 'module.ecr_repositories["billing-api"].aws_ecr_lifecycle_policy.this'`,
        `terraform state rm 'module.platform.module.ecr["staging-api"].aws_ecr_repository.this' 'module.platform.module.ecr["staging-api"].aws_ecr_lifecycle_policy.this'`,
        "terraform state rm 'aws_ecr_repository.apps[0]'",
        `terraform state rm 'aws_ecr_repository.by_name["it'"'"'s wordpress"]' 'aws_ecr_lifecycle_policy.by_name["it'"'"'s wordpress"]'`,
      ]);
      // A shell hands Terraform the addresses exactly.
      const echoed = spawnSync(
        "sh",
        ["-c", commands.map((c) => c.replace("terraform state rm", "printf '%s\\n'")).join("; ")],
        { encoding: "utf8" },
      ).stdout;
      assert.deepEqual(echoed.trim().split("\n"), [
        'module.ecr_repositories["billing-api"].aws_ecr_repository.this',
        'module.ecr_repositories["billing-api"].aws_ecr_lifecycle_policy.this',
        'module.platform.module.ecr["staging-api"].aws_ecr_repository.this',
        'module.platform.module.ecr["staging-api"].aws_ecr_lifecycle_policy.this',
        "aws_ecr_repository.apps[0]",
        'aws_ecr_repository.by_name["it\'s wordpress"]',
        'aws_ecr_lifecycle_policy.by_name["it\'s wordpress"]',
      ]);
    });

    it("adopts the repository without a lifecycle policy, importing only what exists", async () => {
      const config = YAML.parse(fs.readFileSync(stackFile("dev"), "utf8")).config;
      const apps = config["trusted-delivery-platform:apps"];
      assert.deepEqual(apps["test-app-dev"].importIds, { repository: "test-app-dev" });
      assert.deepEqual(apps["billing-api"].importIds, {
        repository: "billing-api",
        lifecyclePolicy: "billing-api",
      });
      const importFile = JSON.parse(fs.readFileSync(path.join(root, "import.json"), "utf8"));
      assert.deepEqual(
        importFile.resources
          .filter((r: any) => r.parent === "test-app-dev")
          .map((r: any) => r.name),
        ["test-app-dev-repository"],
      );
      const plan = await planStack(project, "dev");
      const lifecycle = plan.run.resources.find((r) => r.name === "test-app-dev-lifecycle")!;
      assert.equal(lifecycle.importId, undefined);
      assert.equal(
        plan.run.resources.find((r) => r.name === "test-app-dev-repository")!.importId,
        "test-app-dev",
      );
    });

    it("binds the stack to the state's account, and keeps its region", () => {
      const config = YAML.parse(fs.readFileSync(stackFile("dev"), "utf8")).config;
      assert.deepEqual(config["aws:allowedAccountIds"], ["123456789012"]);
      assert.equal(config["aws:region"], "eu-west-2");
      assert.match(
        result.stdout,
        /^Stack dev deploys to region eu-west-2 of account 123456789012 only \(aws:region, aws:allowedAccountIds\): with another account's credentials, pulumi up stops before importing anything\.$/m,
      );
    });
  });

  describe("binds the stack to the state's region and account", () => {
    it("writes aws:region from the state's ARNs when the stack has none", () => {
      const { root, stackFile } = tempPlatformProject();
      fs.writeFileSync(
        stackFile("dev"),
        fs.readFileSync(stackFile("dev"), "utf8").replace("  aws:region: eu-west-2\n", ""),
      );
      const result = runCli([
        "adopt-terraform",
        "--cwd",
        root,
        "--state",
        stateFile,
        "--stack",
        "dev",
        "--github-owner",
        "acme",
      ]);
      assert.equal(result.code, 0, result.stderr);
      const config = YAML.parse(fs.readFileSync(stackFile("dev"), "utf8")).config;
      assert.equal(config["aws:region"], "eu-west-2");
      assert.deepEqual(config["aws:allowedAccountIds"], ["123456789012"]);
    });

    it("keeps aws:allowedAccountIds that already include the state's account", () => {
      const { root, stackFile } = tempPlatformProject();
      fs.writeFileSync(
        stackFile("dev"),
        fs
          .readFileSync(stackFile("dev"), "utf8")
          .replace(
            "  aws:region: eu-west-2\n",
            '  aws:region: eu-west-2\n  aws:allowedAccountIds: ["210987654321", "123456789012"]\n',
          ),
      );
      const result = runCli([
        "adopt-terraform",
        "--cwd",
        root,
        "--state",
        stateFile,
        "--stack",
        "dev",
        "--github-owner",
        "acme",
      ]);
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(
        YAML.parse(fs.readFileSync(stackFile("dev"), "utf8")).config["aws:allowedAccountIds"],
        ["210987654321", "123456789012"],
      );
    });

    const refusals: [string, (stackText: string) => string, (state: any) => void, string][] = [
      [
        "a stack in another region than the state's registries",
        (text) => text,
        (state) =>
          moveRegistries(
            state,
            ["staging-api", "test-app-dev", "wordpress-platform"],
            "us-east-1",
            "123456789012",
          ),
        '  - aws:region is "eu-west-2"; must be the region of the registries in STATE, "us-east-1" (from their ARNs): a stack is one region; adopt them into a stack for us-east-1',
      ],
      [
        "a stack whose allowed accounts leave out the state's",
        (text) =>
          text.replace(
            "  aws:region: eu-west-2\n",
            '  aws:region: eu-west-2\n  aws:allowedAccountIds:\n    - "210987654321"\n',
          ),
        () => undefined,
        '  - aws:allowedAccountIds is ["210987654321"]; must include the account of the registries in STATE, "123456789012" (from their ARNs): this stack deploys to another account; adopt them into that account\'s stack',
      ],
      [
        "a stack whose aws:defaultTags are not JSON",
        (text) =>
          text.replace(
            "  aws:region: eu-west-2\n",
            "  aws:region: eu-west-2\n  aws:defaultTags: '{tags:'\n",
          ),
        () => undefined,
        '  - aws:defaultTags is "{tags:"; must be { tags: { <key>: <value> } } (or JSON text of it), e.g. { tags: { ManagedBy: pulumi } }; this text is not JSON',
      ],
      [
        "registries in several regions",
        (text) => text,
        (state) => moveRegistries(state, ["wordpress-platform"], "us-east-1", "123456789012"),
        "  - the registries in STATE are in 2 regions, eu-west-2 (staging-api, test-app-dev) and us-east-1 (wordpress-platform); one stack is one region and one account: adopt each region's registries into a stack of its own, from a state that holds only those",
      ],
      [
        "registries in several accounts",
        (text) => text,
        (state) => moveRegistries(state, ["staging-api"], "eu-west-2", "210987654321"),
        "  - the registries in STATE are in 2 accounts, 210987654321 (staging-api) and 123456789012 (test-app-dev, wordpress-platform); one stack is one region and one account: adopt each account's registries into a stack of its own, from a state that holds only those",
      ],
    ];
    for (const [what, stackEdit, stateEdit, problem] of refusals) {
      it(`refuses ${what}, naming both and the files, and writes nothing`, () => {
        const { root, stackFile } = tempPlatformProject();
        fs.writeFileSync(stackFile("dev"), stackEdit(fs.readFileSync(stackFile("dev"), "utf8")));
        const state = editedState(root, stateEdit);
        const before = snapshotTree(root);
        const result = runCli([
          "adopt-terraform",
          "--cwd",
          root,
          "--state",
          state,
          "--stack",
          "dev",
          "--github-owner",
          "acme",
          "--import-file",
          path.join(root, "import.json"),
        ]);
        assert.equal(
          result.stderr,
          `error: Adopting ${state} into stack "dev" (programs/platform/Pulumi.dev.yaml) has an invalid argument:\n${problem.replace("STATE", state)}\n`,
        );
        assert.equal(result.code, 2);
        assert.equal(result.stdout, "");
        assert.deepEqual(snapshotTree(root), before);
      });
    }
  });

  describe("reads tfvars as Terraform does", () => {
    it("gives an entry without risk the module's default, medium, and says so under the registry's table", () => {
      const { root } = tempPlatformProject();
      const tfvars = path.join(root, "terraform.tfvars");
      fs.writeFileSync(
        tfvars,
        readFixture("terraform.tfvars").replace(
          /( {6}owner = "app-team-api"\n) {6}risk {2}= "medium"\n/,
          "$1",
        ),
      );
      assert.ok(!fs.readFileSync(tfvars, "utf8").includes('risk  = "medium"'));
      const result = runCli([
        "adopt-terraform",
        "--cwd",
        root,
        "--state",
        stateFile,
        "--tfvars",
        tfvars,
        "--stack",
        "dev",
        "--github-owner",
        "acme",
      ]);
      assert.equal(result.stderr, "");
      assert.equal(result.code, 0);
      const table = result.stdout.slice(
        result.stdout.indexOf("Registry staging-api"),
        result.stdout.indexOf("Registry test-app-dev"),
      );
      assert.equal(
        table.trimEnd().split("\n").pop(),
        `  note: risk "medium" is the module variable's default: ${tfvars} does not set it`,
      );
      assert.doesNotMatch(
        result.stdout.slice(result.stdout.indexOf("Registry test-app-dev")),
        /note:/,
      );
    });

    it("refuses an entry without risk whose registry is tagged with another, saying the default applied", () => {
      const { root, stackFile } = tempPlatformProject();
      const tfvars = path.join(root, "terraform.tfvars");
      fs.writeFileSync(
        tfvars,
        readFixture("terraform.tfvars").replace('      risk  = "high"\n', ""),
      );
      const before = snapshot(stackFile("dev"));
      const result = runCli([
        "adopt-terraform",
        "--cwd",
        root,
        "--state",
        stateFile,
        "--tfvars",
        tfvars,
        "--stack",
        "dev",
        "--github-owner",
        "acme",
      ]);
      assert.equal(
        result.stderr,
        `error: Adopting ${stateFile} into stack "dev" (programs/platform/Pulumi.dev.yaml) has an invalid argument:\n  - ecr_repositories["wordpress-platform"].metadata.risk is "medium"; must match the registry's tag goldenpath.idp/risk in state, "high" (the entry does not set risk, so the module's default "medium" applies): apply Terraform so state and variables agree\n`,
      );
      assert.equal(result.code, 2);
      assert.deepEqual(snapshot(stackFile("dev")), before);
    });
  });

  it("keeps every app of a stack that holds its apps as JSON text, writing JSON text back", () => {
    const { root, project, stackFile } = tempPlatformProject();
    const existing = YAML.parse(fs.readFileSync(stackFile("dev"), "utf8")).config[
      "trusted-delivery-platform:apps"
    ];
    fs.writeFileSync(
      stackFile("dev"),
      `config:\n  aws:region: eu-west-2\n  trusted-delivery-platform:apps: '${JSON.stringify(existing)}'\n`,
    );
    const result = runCli([
      "adopt-terraform",
      "--cwd",
      root,
      "--state",
      stateFile,
      "--stack",
      "dev",
      "--github-owner",
      "acme",
    ]);
    assert.equal(result.stderr, "");
    assert.equal(result.code, 0);
    const written = YAML.parse(fs.readFileSync(stackFile("dev"), "utf8")).config[
      "trusted-delivery-platform:apps"
    ];
    assert.equal(typeof written, "string");
    assert.deepEqual(Object.keys(JSON.parse(written)), [...Object.keys(existing), ...apps]);
    assert.deepEqual(Object.keys(readPlatformStack(project, "dev").config.apps), [
      ...Object.keys(existing),
      ...apps,
    ]);
  });

  describe("refuses bad input before anything is written", () => {
    it("a state with no registries: says so, exit 1", () => {
      const { root } = tempPlatformProject();
      const state = editedState(root, (s) => {
        s.resources = s.resources.filter(
          (r: any) => r.type !== "aws_ecr_repository" && r.type !== "aws_ecr_lifecycle_policy",
        );
      });
      const before = snapshotTree(root);
      const result = runCli([
        "adopt-terraform",
        "--cwd",
        root,
        "--state",
        state,
        "--stack",
        "dev",
        "--github-owner",
        "acme",
        "--import-file",
        path.join(root, "import.json"),
      ]);
      assert.equal(
        result.stderr,
        `error: Terraform state ${state} manages no aws_ecr_repository (it manages no resources): there is nothing to adopt. Pull the state of the configuration that holds the registry module; nothing was written.\n`,
      );
      assert.equal(result.code, 1);
      assert.equal(result.stdout, "");
      assert.deepEqual(snapshotTree(root), before);
    });

    const badFiles: [string, (root: string) => string[], (root: string) => string][] = [
      [
        "a --state file that does not exist",
        (root) => ["--state", path.join(root, "missing.tfstate")],
        (root) =>
          `--state is ${JSON.stringify(path.join(root, "missing.tfstate"))}; must be Terraform state, as \`terraform state pull > terraform.tfstate.json\` writes it: it does not exist`,
      ],
      [
        "a --state that is a directory",
        (root) => ["--state", path.join(root, "programs")],
        (root) =>
          `--state is ${JSON.stringify(path.join(root, "programs"))}; must be Terraform state, as \`terraform state pull > terraform.tfstate.json\` writes it: it is a directory`,
      ],
      [
        "a --tfvars file that does not exist",
        (root) => ["--state", stateFile, "--tfvars", path.join(root, "terraform.tfvars")],
        (root) =>
          `--tfvars is ${JSON.stringify(path.join(root, "terraform.tfvars"))}; must be the environment's Terraform variables file (terraform.tfvars): it does not exist`,
      ],
      [
        "an --import-file in a directory that does not exist",
        (root) => ["--state", stateFile, "--import-file", path.join(root, "out/import.json")],
        (root) =>
          `--import-file is ${JSON.stringify(path.join(root, "out/import.json"))}; must be a file path in an existing directory you can write to: its directory ${path.join(root, "out")} does not exist`,
      ],
      [
        "an --import-file that is a directory",
        (root) => ["--state", stateFile, "--import-file", path.join(root, "programs")],
        (root) =>
          `--import-file is ${JSON.stringify(path.join(root, "programs"))}; must be a file path in an existing directory you can write to: it is a directory`,
      ],
      [
        "a --github-repository for a registry the state does not have",
        () => ["--state", stateFile, "--github-repository", "billing-api=acme/billing"],
        () =>
          `Adopting ${stateFile} into stack "dev" (programs/platform/Pulumi.dev.yaml) has an invalid argument:\n  - --github-repository billing-api is "acme/billing"; must name a registry in ${stateFile}; it has staging-api, test-app-dev and wordpress-platform`,
      ],
      [
        "a --github-repository that is not <registry>=<owner>/<name>",
        () => ["--state", stateFile, "--github-repository", "acme/staging-api"],
        () =>
          '--github-repository is "acme/staging-api"; must be <registry>=<owner>/<name>, e.g. staging-api=acme/staging-api',
      ],
      [
        "a stack name with a slash too many",
        () => ["--state", stateFile, "--stack", "acme/trusted-delivery-platform/dev/x"],
        () =>
          '--stack is "acme/trusted-delivery-platform/dev/x"; must be a stack of project trusted-delivery-platform: <stack>, <org>/<stack> or <org>/trusted-delivery-platform/<stack>, each part letters, digits, hyphens, underscores and periods, e.g. "dev"',
      ],
    ];
    for (const [what, given, message] of badFiles) {
      it(`${what}: a clear error, exit 2, no file changed`, () => {
        const { root } = tempPlatformProject();
        const extra = given(root);
        const before = snapshotTree(root);
        const result = runCli([
          "adopt-terraform",
          "--cwd",
          root,
          "--stack",
          "dev",
          "--github-owner",
          "acme",
          ...extra,
        ]);
        assert.equal(result.stderr, `error: ${message(root)}\n`);
        assert.equal(result.code, 2);
        assert.equal(result.stdout, "");
        assert.deepEqual(snapshotTree(root), before);
      });
    }

    it("an unreadable --state, and an --import-file in a read-only directory", function () {
      requireBindingPermissions(this);
      const { root } = tempPlatformProject();
      const unreadable = path.join(root, "unreadable.tfstate");
      fs.copyFileSync(stateFile, unreadable);
      fs.chmodSync(unreadable, 0o000);
      const readOnly = path.join(root, "read-only");
      fs.mkdirSync(readOnly);
      fs.chmodSync(readOnly, 0o555);
      const before = snapshotTree(root);
      const common = ["adopt-terraform", "--cwd", root, "--stack", "dev", "--github-owner", "acme"];
      const unread = runCli([...common, "--state", unreadable], { unprivileged: true });
      const unwritten = runCli(
        [...common, "--state", stateFile, "--import-file", path.join(readOnly, "import.json")],
        { unprivileged: true },
      );
      fs.chmodSync(readOnly, 0o755);
      fs.chmodSync(unreadable, 0o644);
      assert.equal(
        unread.stderr,
        `error: --state is ${JSON.stringify(unreadable)}; must be Terraform state, as \`terraform state pull > terraform.tfstate.json\` writes it: it cannot be read (permission denied)\n`,
      );
      assert.equal(unread.code, 2);
      assert.equal(
        unwritten.stderr,
        `error: --import-file is ${JSON.stringify(path.join(readOnly, "import.json"))}; must be a file path in an existing directory you can write to: permission denied in ${readOnly}\n`,
      );
      assert.equal(unwritten.code, 2);
      assert.equal(unwritten.stdout, "");
      assert.deepEqual(snapshotTree(root), before);
    });
  });
});
