import { strict as assert } from "assert";
import {
  CreateRepositoryCommand,
  DescribeRepositoriesCommand,
  GetLifecyclePolicyCommand,
  ListTagsForResourceCommand,
  PutLifecyclePolicyCommand,
} from "@aws-sdk/client-ecr";
import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";
import { planStack } from "../../cli/preview";
import { lifecyclePolicyDocument } from "../../components/lifecyclePolicy";
import { awsTypes, componentTypes } from "../../policy-pack/governance/typeTokens";
import { AwsProxy, startAwsProxy } from "../helpers/awsProxy";
import { builtPackage, CliResult, runCliAsync } from "../helpers/cli";
import { stateInstances } from "../helpers/fixtures";
import { createLegacySystem, createPlatformApp, legacy, testClients } from "../helpers/liveAccount";
import { awsEnv, motoAccount, motoRegion, MotoServer, resetMoto, startMoto } from "../helpers/moto";
import { snapshot, snapshotTree, tempPlatformProject } from "../helpers/tempProject";

const appsKey = "trusted-delivery-platform:apps";
const dev = 'Adopting from AWS into stack "dev" (programs/platform/Pulumi.dev.yaml)';

/**
 * A repository made in the console, then tagged by its team with the governance tags and given
 * scan on push and a lifecycle policy that keeps 40 images, as the platform documents them.
 */
const catalog = {
  name: "catalog-api",
  tags: {
    "goldenpath.idp/id": "REGISTRY_CATALOG_API",
    "goldenpath.idp/owner": "team-catalog",
    "goldenpath.idp/risk": "low",
    Environment: "dev",
    Team: "catalog",
  },
  policy: lifecyclePolicyDocument(40, "low"),
};

async function createCatalogRepository(endpoint: string): Promise<void> {
  const { ecr } = testClients(endpoint);
  await ecr.send(
    new CreateRepositoryCommand({
      repositoryName: catalog.name,
      imageScanningConfiguration: { scanOnPush: true },
      tags: Object.entries(catalog.tags).map(([Key, Value]) => ({ Key, Value })),
    }),
  );
  await ecr.send(
    new PutLifecyclePolicyCommand({
      repositoryName: catalog.name,
      lifecyclePolicyText: catalog.policy,
    }),
  );
}

/** A repository as AWS holds it, read with the SDK directly: what the import must equal. */
async function liveAttributes(endpoint: string, name: string) {
  const { ecr } = testClients(endpoint);
  const [repository] = (
    await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [name] }))
  ).repositories!;
  const tags = (
    await ecr.send(new ListTagsForResourceCommand({ resourceArn: repository.repositoryArn }))
  ).tags!;
  const policy = await ecr.send(new GetLifecyclePolicyCommand({ repositoryName: name })).then(
    (p) => p.lifecyclePolicyText,
    () => undefined,
  );
  return {
    repository,
    tags: Object.fromEntries(tags.map((t) => [t.Key!, t.Value!])),
    policy,
  };
}

const stackConfig = (file: string) => YAML.parse(fs.readFileSync(file, "utf8")).config;

describe("trusted-delivery adopt-aws, against an AWS API (moto)", function () {
  this.timeout(180000);
  let moto: MotoServer;
  let proxy: AwsProxy;

  const adopt = (root: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> =>
    runCliAsync(["adopt-aws", "--cwd", root, "--stack", "dev", ...args], {
      env: { ...awsEnv(proxy.endpoint), ...env },
    });

  before(async () => {
    builtPackage();
    moto = await startMoto();
    proxy = await startAwsProxy(moto.endpoint);
  });

  after(async () => {
    await proxy?.stop();
    await moto?.stop();
  });

  beforeEach(async () => {
    // The account as the platform team finds it: the Terraform module's registries, a bare
    // console repository, the platform's own app, and the catalog team's console repository.
    await resetMoto(moto.endpoint);
    await createLegacySystem(moto.endpoint);
    await createPlatformApp(moto.endpoint);
    await createCatalogRepository(moto.endpoint);
    proxy.actions.length = 0;
    proxy.deny.clear();
  });

  describe("a console registry its team tagged", () => {
    it("adopts with no change, and the platform program then imports it with inputs equal to the live attributes", async () => {
      const { root, project, stackFile } = tempPlatformProject();
      const importFile = path.join(root, "import.json");
      const result = await adopt(root, [
        "--registry",
        catalog.name,
        "--github-owner",
        "acme",
        "--import-file",
        importFile,
      ]);
      assert.equal(result.stderr, "");
      assert.equal(result.code, 0);
      assert.ok(
        result.stdout.startsWith(
          [
            "Registry catalog-api: adopts with no change",
            "  name                  same     catalog-api",
            "  image_tag_mutability  same     MUTABLE",
            "  encryption_type       same     AES256",
            "  kms_key               same     (none)",
            "  scan_on_push          same     true",
            "  force_delete          same     false",
            "  tags                  same     Environment=dev, goldenpath.idp/id=REGISTRY_CATALOG_API, goldenpath.idp/owner=team-catalog, goldenpath.idp/risk=low, Team=catalog",
            "  tags_all              same     Environment=dev, goldenpath.idp/id=REGISTRY_CATALOG_API, goldenpath.idp/owner=team-catalog, goldenpath.idp/risk=low, Team=catalog",
            `  lifecycle_policy      same     ${catalog.policy}`,
            "",
            "Wrote programs/platform/Pulumi.dev.yaml.",
            "Stack dev deploys to region eu-west-2 of account 123456789012 only (aws:region, aws:allowedAccountIds): with another account's credentials, pulumi up stops before importing anything.",
            `Wrote ${importFile} (for pulumi import --file ${importFile} --generate-code=false).`,
            "",
            'Next: pulumi preview -s dev must show the registries as "import" with no changes, then pulumi up -s dev.',
            "Nothing else may manage them from then on: a registry a Terraform state manages is adopted with adopt-terraform, which hands it over.",
            "",
          ].join("\n"),
        ),
        result.stdout,
      );
      const config = stackConfig(stackFile("dev"));
      assert.deepEqual(config[appsKey][catalog.name], {
        metadata: { id: "REGISTRY_CATALOG_API", owner: "team-catalog", risk: "low" },
        github: { repository: "acme/catalog-api" },
        ecr: { keepImages: 40 },
        tags: { Team: "catalog" },
        importIds: { repository: catalog.name, lifecyclePolicy: catalog.name },
      });
      assert.deepEqual(config["aws:allowedAccountIds"], [motoAccount]);
      assert.deepEqual(Object.keys(config[appsKey]), [
        "payments-api",
        "web-frontend",
        "ledger-service",
        catalog.name,
      ]);

      const live = await liveAttributes(moto.endpoint, catalog.name);
      const plan = await planStack(project, "dev");
      const repository = plan.run.resources.find((r) => r.name === `${catalog.name}-repository`)!;
      assert.equal(repository.importId, catalog.name);
      assert.equal(repository.inputs.name, live.repository.repositoryName);
      assert.equal(repository.inputs.imageTagMutability, live.repository.imageTagMutability);
      assert.deepEqual(repository.inputs.encryptionConfigurations, [
        { encryptionType: live.repository.encryptionConfiguration!.encryptionType },
      ]);
      assert.equal(
        repository.inputs.imageScanningConfiguration.scanOnPush,
        live.repository.imageScanningConfiguration!.scanOnPush,
      );
      assert.equal(repository.inputs.forceDelete, false);
      // The stack has no default tags: the repository's own tags are every tag it carries.
      assert.deepEqual(repository.inputs.tags, live.tags);
      const lifecycle = plan.run.resources.find((r) => r.name === `${catalog.name}-lifecycle`)!;
      assert.equal(lifecycle.importId, catalog.name);
      assert.equal(lifecycle.inputs.repository, catalog.name);
      assert.deepEqual(JSON.parse(lifecycle.inputs.policy), JSON.parse(live.policy!));

      assert.deepEqual(JSON.parse(fs.readFileSync(importFile, "utf8")).resources, [
        { type: componentTypes.trustedDeliveryPipeline, name: catalog.name, component: true },
        {
          type: awsTypes.ecrRepository,
          name: `${catalog.name}-repository`,
          id: catalog.name,
          parent: catalog.name,
        },
        {
          type: awsTypes.ecrLifecyclePolicy,
          name: `${catalog.name}-lifecycle`,
          id: catalog.name,
          parent: catalog.name,
        },
      ]);

      // Already adopted: a second run changes nothing.
      const written = snapshot(stackFile("dev"));
      const again = await adopt(root, ["--registry", catalog.name, "--github-owner", "acme"]);
      assert.equal(again.code, 0, again.stderr);
      assert.match(
        again.stdout,
        /^programs\/platform\/Pulumi\.dev\.yaml is already up to date: nothing to write\.$/m,
      );
      assert.deepEqual(snapshot(stackFile("dev")), written);
    });

    it("reads only, through the read-only calls", async () => {
      const { root } = tempPlatformProject();
      const result = await adopt(root, [
        "--registry",
        catalog.name,
        "--github-owner",
        "acme",
        "--dry-run",
      ]);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(proxy.actions[0], "sts:GetCallerIdentity");
      assert.deepEqual([...new Set(proxy.actions)].sort(), [
        "ecr:DescribeRepositories",
        "ecr:GetLifecyclePolicy",
        "ecr:GetRepositoryPolicy",
        "ecr:ListTagsForResource",
        "sts:GetCallerIdentity",
      ]);
    });

    it("splits the stack's default tags from the registry's own, as the provider imports them", async () => {
      // A registry the Terraform module made, whose state was lost: its default tags are the
      // stack's now.
      const { root, project, stackFile } = tempPlatformProject();
      const state = stateInstances("aws_ecr_repository")["staging-api"];
      const defaults = Object.fromEntries(
        Object.entries(state.tags_all as Record<string, string>).filter(
          ([key]) => !(key in state.tags),
        ),
      );
      fs.writeFileSync(
        stackFile("dev"),
        fs
          .readFileSync(stackFile("dev"), "utf8")
          .replace(
            "  aws:region: eu-west-2\n",
            `  aws:region: eu-west-2\n  aws:defaultTags:\n    tags: ${JSON.stringify(defaults)}\n`,
          ),
      );
      const result = await adopt(root, ["--registry", "staging-api", "--github-owner", "acme"]);
      assert.equal(result.stderr, "");
      assert.equal(result.code, 0);
      assert.match(result.stdout, /^Registry staging-api: adopts with no change$/m);
      assert.deepEqual(stackConfig(stackFile("dev"))[appsKey]["staging-api"], {
        metadata: { id: "REGISTRY_STAGING_API", owner: "app-team-api", risk: "medium" },
        github: { repository: "acme/staging-api" },
        importIds: { repository: "staging-api", lifecyclePolicy: "staging-api" },
      });
      const live = await liveAttributes(moto.endpoint, "staging-api");
      const plan = await planStack(project, "dev");
      const repository = plan.run.resources.find((r) => r.name === "staging-api-repository")!;
      assert.deepEqual({ ...defaults, ...repository.inputs.tags }, live.tags);
      assert.deepEqual(repository.inputs.tags, state.tags);
    });
  });

  describe("a bare console registry (no tags, no scan on push, no lifecycle policy)", () => {
    const governance = [
      "--id",
      "console-scratch=REGISTRY_CONSOLE_SCRATCH",
      "--owner",
      "console-scratch=team-web",
      "--risk",
      "console-scratch=low",
    ];

    it("asks for the governance its tags lack, naming each flag, and never invents it", async () => {
      const { root } = tempPlatformProject();
      const before = snapshotTree(root);
      const result = await adopt(root, [
        "--registry",
        legacy.consoleRepository,
        "--github-owner",
        "acme",
        "--owner",
        "console-scratch=team-web",
      ]);
      assert.equal(
        result.stderr,
        [
          `error: ${dev} has 2 invalid arguments:`,
          "  - --id console-scratch is missing; must give its catalog id, since the registry carries no tag goldenpath.idp/id: pass --id console-scratch=<ID> (upper-case letters, digits and _)",
          "  - --risk console-scratch is missing; must give its risk, since the registry carries no tag goldenpath.idp/risk: pass --risk console-scratch=<low|medium|high>",
          "",
        ].join("\n"),
      );
      assert.equal(result.code, 2);
      assert.equal(result.stdout, "");
      assert.deepEqual(snapshotTree(root), before);
    });

    it("shows what adoption changes, and writes only with --accept-changes", async () => {
      const { root, project, stackFile } = tempPlatformProject();
      const untouched = snapshot(stackFile("dev"));
      const args = [
        "--registry",
        legacy.consoleRepository,
        "--github-owner",
        "acme",
        ...governance,
      ];
      const refused = await adopt(root, args);
      assert.equal(
        refused.stderr,
        "error: adopting console-scratch would change it in place (see the table); pass --accept-changes to adopt with these changes. Nothing was written.\n",
      );
      assert.equal(refused.code, 1);
      assert.equal(
        refused.stdout,
        [
          "Registry console-scratch: 4 changes on adoption",
          "  name                  same     console-scratch",
          "  image_tag_mutability  same     MUTABLE",
          "  encryption_type       same     AES256",
          "  kms_key               same     (none)",
          "  scan_on_push          UPDATE   live registry:    false",
          "                                 trusted-delivery: true",
          "  force_delete          same     false",
          "  tags                  UPDATE   live registry:    (none)",
          "                                 trusted-delivery: Environment=dev, goldenpath.idp/id=REGISTRY_CONSOLE_SCRATCH, goldenpath.idp/owner=team-web, goldenpath.idp/risk=low",
          "  tags_all              UPDATE   live registry:    (none)",
          "                                 trusted-delivery: Environment=dev, goldenpath.idp/id=REGISTRY_CONSOLE_SCRATCH, goldenpath.idp/owner=team-web, goldenpath.idp/risk=low",
          "  lifecycle_policy      CREATE   live registry:    (none)",
          `                                 trusted-delivery: ${lifecyclePolicyDocument(20, "low")}`,
          '  note: id "REGISTRY_CONSOLE_SCRATCH" (--id), owner "team-web" (--owner) and risk "low" (--risk) given, not tagged: the pipeline tags the registry with them',
          `  note: it keeps its repository policy, which ecr.pull cannot express (statement "AnyonePulls": it is not one ecr.pull writes (pull actions only, to accounts' roots, organisations, units or Lambda, in that order)): the pipeline leaves it unmanaged, and trusted-delivery audit judges it`,
          "",
          "",
        ].join("\n"),
      );
      assert.deepEqual(snapshot(stackFile("dev")), untouched);

      const accepted = await adopt(root, [...args, "--accept-changes"]);
      assert.equal(accepted.stderr, "");
      assert.equal(accepted.code, 0);
      assert.match(
        accepted.stdout,
        /^Next: pulumi preview -s dev must show the registries as "import" with only the changes accepted above, then pulumi up -s dev\.$/m,
      );
      assert.deepEqual(stackConfig(stackFile("dev"))[appsKey][legacy.consoleRepository], {
        metadata: { id: "REGISTRY_CONSOLE_SCRATCH", owner: "team-web", risk: "low" },
        github: { repository: "acme/console-scratch" },
        importIds: { repository: legacy.consoleRepository },
      });
      // The repository is imported as it is, then updated; the lifecycle policy is created.
      const live = await liveAttributes(moto.endpoint, legacy.consoleRepository);
      const plan = await planStack(project, "dev");
      const repository = plan.run.resources.find(
        (r) => r.name === `${legacy.consoleRepository}-repository`,
      )!;
      assert.equal(repository.importId, legacy.consoleRepository);
      assert.equal(repository.inputs.imageTagMutability, live.repository.imageTagMutability);
      assert.equal(
        repository.inputs.encryptionConfigurations[0].encryptionType,
        live.repository.encryptionConfiguration!.encryptionType,
      );
      const lifecycle = plan.run.resources.find(
        (r) => r.name === `${legacy.consoleRepository}-lifecycle`,
      )!;
      assert.equal(lifecycle.importId, undefined);
    });

    it("refuses governance flags that contradict the tags, or name no registry being adopted", async () => {
      const { root } = tempPlatformProject();
      const result = await adopt(root, [
        "--registry",
        catalog.name,
        "--github-owner",
        "acme",
        "--risk",
        "catalog-api=high",
        "--id",
        "billing-api=REGISTRY_BILLING_API",
        "--risk",
        "console-scratch=extreme",
      ]);
      assert.equal(
        result.stderr,
        [
          `error: ${dev} has 3 invalid arguments:`,
          '  - --id billing-api is "REGISTRY_BILLING_API"; must name a registry in the --registry list; it has catalog-api',
          '  - --risk console-scratch is "extreme"; must name a registry in the --registry list; it has catalog-api',
          '  - --risk catalog-api is "high"; must match the registry\'s tag goldenpath.idp/risk, "low", or be left out: adoption reads governance from the tags',
          "",
        ].join("\n"),
      );
      assert.equal(result.code, 2);
    });
  });

  describe("a registry the stack already has as an app", () => {
    it("keeps the stack's entry, adding the import IDs, when it agrees with the tags", async () => {
      const { root, project, stackFile } = tempPlatformProject();
      // The dev stack says payments-api is medium risk; the platform made it high.
      fs.writeFileSync(
        stackFile("dev"),
        fs.readFileSync(stackFile("dev"), "utf8").replace("risk: medium", "risk: high"),
      );
      const result = await adopt(root, ["--registry", "payments-api"]);
      assert.equal(result.stderr, "");
      assert.equal(result.code, 0);
      assert.match(result.stdout, /^Registry payments-api: adopts with no change$/m);
      // Its branches and description stay; only the import IDs are added.
      assert.deepEqual(stackConfig(stackFile("dev"))[appsKey]["payments-api"], {
        metadata: {
          id: "REGISTRY_PAYMENTS_API",
          owner: "team-payments",
          risk: "high",
          description: "Card payment API",
        },
        github: { repository: "acme/payments-api", branches: ["main", "feature/*"] },
        importIds: { repository: "payments-api", lifecyclePolicy: "payments-api" },
      });
      const plan = await planStack(project, "dev");
      assert.equal(
        plan.run.resources.find((r) => r.name === "payments-api-repository")!.importId,
        "payments-api",
      );
    });

    it("refuses an entry whose metadata the tags contradict, and flags that contradict the entry", async () => {
      const { root } = tempPlatformProject();
      const before = snapshotTree(root);
      const result = await adopt(root, [
        "--registry",
        "payments-api",
        "--owner",
        "payments-api=team-cards",
      ]);
      assert.equal(
        result.stderr,
        [
          `error: ${dev} has 2 invalid arguments:`,
          '  - --owner payments-api is "team-cards"; must match the app\'s metadata.owner in programs/platform/Pulumi.dev.yaml, "team-payments", or be left out: adoption keeps the stack\'s entry',
          '  - trusted-delivery-platform:apps.payments-api.metadata.risk is "medium"; must match the registry\'s tag goldenpath.idp/risk in AWS, "high"',
          "",
        ].join("\n"),
      );
      assert.equal(result.code, 2);
      assert.deepEqual(snapshotTree(root), before);
    });
  });

  describe("refuses", () => {
    it("to guess which registries to adopt: without --registry it lists the candidates", async () => {
      const { root } = tempPlatformProject();
      const before = snapshotTree(root);
      const result = await adopt(root, ["--github-owner", "acme"]);
      assert.equal(
        result.stderr,
        'error: adopt-aws needs --registry <name> for each registry to adopt (repeatable); the repositories of account 123456789012 in eu-west-2 that no app of stack "dev" names: catalog-api, console-scratch, staging-api, test-app-dev and wordpress-platform\n',
      );
      assert.equal(result.code, 2);
      assert.deepEqual(snapshotTree(root), before);
    });

    it("a registry the account does not have", async () => {
      const { root } = tempPlatformProject();
      const result = await adopt(root, ["--registry", "billing-api", "--github-owner", "acme"]);
      assert.equal(
        result.stderr,
        `error: ${dev} has an invalid argument:\n  - --registry is "billing-api"; must name an ECR repository of account 123456789012 in eu-west-2; there is none\n`,
      );
      assert.equal(result.code, 2);
    });

    it("credentials of an account the stack does not allow, before reading any registry", async () => {
      const { root, stackFile } = tempPlatformProject();
      fs.writeFileSync(
        stackFile("dev"),
        fs
          .readFileSync(stackFile("dev"), "utf8")
          .replace(
            "  aws:region: eu-west-2\n",
            '  aws:region: eu-west-2\n  aws:allowedAccountIds: ["210987654321"]\n',
          ),
      );
      const before = snapshotTree(root);
      const result = await adopt(root, ["--registry", catalog.name, "--github-owner", "acme"]);
      assert.equal(
        result.stderr,
        `error: ${dev} has an invalid argument:\n  - aws:allowedAccountIds is ["210987654321"]; must include the account the credentials are for, "123456789012" (arn:aws:sts::123456789012:user/moto): this stack deploys to another account; adopt its registries with that account's credentials\n`,
      );
      assert.equal(result.code, 2);
      assert.deepEqual(proxy.actions, ["sts:GetCallerIdentity"]);
      assert.deepEqual(snapshotTree(root), before);
    });

    it("a registry whose tags or lifecycle policy it could not read: never adopted unread", async () => {
      proxy.deny.add("ecr:ListTagsForResource");
      const { root } = tempPlatformProject();
      const before = snapshotTree(root);
      const result = await adopt(root, ["--registry", catalog.name, "--github-owner", "acme"]);
      assert.equal(
        result.stderr,
        [
          "error: could not read what adoption compares from account 123456789012 in eu-west-2; nothing was written:",
          "  - catalog-api: ECR repository tags could not be read (ecr:ListTagsForResource: AccessDeniedException (HTTP 400): User: arn:aws:sts::123456789012:assumed-role/audit/ci is not authorized to perform: ecr:ListTagsForResource because no identity-based policy allows the ecr:ListTagsForResource action)",
          "Let the credentials read them (trusted-delivery audit --print-permissions prints the calls).",
          "",
        ].join("\n"),
      );
      assert.equal(result.code, 1);
      assert.deepEqual(snapshotTree(root), before);
    });

    it("a stack without a region unless --region gives it, which must agree with the stack's", async () => {
      const { root, stackFile } = tempPlatformProject();
      fs.writeFileSync(
        stackFile("dev"),
        fs.readFileSync(stackFile("dev"), "utf8").replace("  aws:region: eu-west-2\n", ""),
      );
      const none = await adopt(root, ["--registry", catalog.name, "--github-owner", "acme"]);
      assert.equal(
        none.stderr,
        `error: ${dev} has an invalid argument:\n  - aws:region is missing; must be the region of the registries to adopt: set it in programs/platform/Pulumi.dev.yaml, or pass --region <region>\n`,
      );
      assert.equal(none.code, 2);
      assert.deepEqual(proxy.actions, []);
      const given = await adopt(root, [
        "--registry",
        catalog.name,
        "--github-owner",
        "acme",
        "--region",
        motoRegion,
      ]);
      assert.equal(given.code, 0, given.stderr);
      assert.equal(stackConfig(stackFile("dev"))["aws:region"], motoRegion);
      const other = await adopt(root, [
        "--registry",
        catalog.name,
        "--github-owner",
        "acme",
        "--region",
        "us-east-1",
      ]);
      assert.equal(
        other.stderr,
        `error: ${dev} has an invalid argument:\n  - --region is "us-east-1"; must be the stack's aws:region, "eu-west-2", or be left out: a stack is one region; adopt the registries of us-east-1 into a stack for us-east-1\n`,
      );
      assert.equal(other.code, 2);
    });

    it("bad flags before reading anything", async () => {
      const { root } = tempPlatformProject();
      const result = await adopt(root, ["--registry", "Catalog", "--id", "catalog-api"]);
      assert.equal(
        result.stderr,
        'error: --id is "catalog-api"; must be <registry>=<ID>, e.g. console-scratch=REGISTRY_SCRATCH\n',
      );
      assert.equal(result.code, 2);
      const name = await adopt(root, ["--registry", "Catalog"]);
      assert.equal(
        name.stderr,
        `error: ${dev} has an invalid argument:\n  - --registry is "Catalog"; must be an ECR repository name: 2 to 256 lower-case letters, digits and . _ - in path components separated by /, e.g. "payments-api" or "team/payments-api"\n`,
      );
      assert.equal(name.code, 2);
      assert.deepEqual(proxy.actions, []);
    });
  });
});
