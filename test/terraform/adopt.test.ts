import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";
import { planStack } from "../../cli/plan";
import { readStackConfig } from "../../cli/project";
import { planAdoption } from "../../cli/terraform/adopt";
import { runCli } from "../helpers/cli";
import { readFixture, stateInstances, terraformFixtureDir } from "../helpers/fixtures";
import { keepsEveryLine, snapshot, tempPlatformProject } from "../helpers/tempProject";

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
          type: "trusted-delivery:index:TrustedDeliveryPipeline",
          name: "staging-api",
          component: true,
        },
        {
          type: "aws:ecr/repository:Repository",
          name: "staging-api-repository",
          id: "staging-api",
          parent: "staging-api",
        },
        {
          type: "aws:ecr/lifecyclePolicy:LifecyclePolicy",
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
        state: "AES256",
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
});
