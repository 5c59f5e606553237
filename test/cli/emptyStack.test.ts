import { strict as assert } from "assert";
import * as fs from "fs";
import { runCli } from "../helpers/cli";
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

/** The apps map add-app writes for billing-api, indented under `config:` at `column`. */
const billingLines = (column: number) =>
  [
    "trusted-delivery-platform:apps:",
    "  billing-api:",
    "    metadata:",
    "      id: REGISTRY_BILLING_API",
    "      owner: team-billing",
    "      risk: medium",
    "    github:",
    "      repository: acme/billing-api",
    "      trust: id",
  ].map((line) => `${" ".repeat(column)}${line}`);

/** Each: what the empty stack file holds, and what add-app makes of it. */
const emptyStacks: [string, string, string][] = [
  ["an empty file", "", ["config:", ...billingLines(2), ""].join("\n")],
  [
    "a file of comments only",
    "# The development account (eu-west-2).\n# Apps come later.\n",
    [
      "# The development account (eu-west-2).",
      "# Apps come later.",
      "config:",
      ...billingLines(2),
      "",
    ].join("\n"),
  ],
  [
    "config: with nothing under it",
    "# Development.\nconfig:\n",
    ["# Development.", "config:", ...billingLines(2), ""].join("\n"),
  ],
  [
    "config: ~ with a comment",
    "config: ~ # none yet\n",
    ["config: # none yet", ...billingLines(2), ""].join("\n"),
  ],
  [
    "config: {}",
    "# Development.\nconfig: {}\n",
    ["# Development.", "config:", ...billingLines(2), ""].join("\n"),
  ],
];

const noAppsWarning =
  'warning: Stack "dev" config (programs/platform/Pulumi.dev.yaml): trusted-delivery-platform:apps is missing; the stack has no apps, so it deploys no pipeline: add one with trusted-delivery add-app <app> --stack dev';
const noRegionWarning =
  "warning: Stack \"dev\" config (programs/platform/Pulumi.dev.yaml): aws:region is missing; set the stack's region (pulumi config set aws:region <region> -s dev): without it the AWS provider takes the region of whoever runs pulumi up (AWS_REGION, AWS_DEFAULT_REGION or their AWS profile), and creates the stack's registries there";

describe("an empty stack file is an empty stack", function () {
  this.timeout(120000);

  for (const [what, text, expected] of emptyStacks) {
    it(`add-app extends ${what}, creating config and the apps map and keeping every comment`, () => {
      const { root, stackFile } = tempPlatformProject();
      fs.writeFileSync(stackFile("dev"), text);
      const { code, stdout, stderr } = runCli([...addBilling, "--cwd", root]);
      assert.equal(stderr, "");
      assert.equal(code, 0);
      assert.match(stdout, /^Added billing-api to programs\/platform\/Pulumi\.dev\.yaml:$/m);
      assert.equal(fs.readFileSync(stackFile("dev"), "utf8"), expected);
    });
  }

  it("the plan of a stack file with comments only has no apps, and warns of that and of the missing region", () => {
    const { root, stackFile } = tempPlatformProject();
    fs.writeFileSync(stackFile("dev"), "# The development account.\n");
    const { code, stdout, stderr } = runCli(["plan", "dev", "--cwd", root, "--skip-policy"]);
    assert.equal(stderr, "");
    assert.equal(code, 0);
    assert.match(stdout, /^2 to create \(0 apps\)\.$/m);
    assert.ok(stdout.endsWith(`\n${noAppsWarning}\n${noRegionWarning}\n`), stdout);
  });

  it("the plan of a stack with a region and no apps warns of no apps only", () => {
    const { root, stackFile } = tempPlatformProject();
    fs.writeFileSync(stackFile("dev"), "config:\n  aws:region: eu-west-2\n");
    const { code, stdout } = runCli(["plan", "dev", "--cwd", root, "--skip-policy"]);
    assert.equal(code, 0);
    assert.ok(stdout.endsWith(`(0 apps).\n${noAppsWarning}\n`), stdout);
  });

  it("a stack that add-app started from an empty file plans its app", () => {
    const { root, stackFile } = tempPlatformProject();
    fs.writeFileSync(stackFile("dev"), "");
    assert.equal(runCli([...addBilling, "--cwd", root]).code, 0);
    const { code, stdout } = runCli(["plan", "dev", "--cwd", root, "--skip-policy"]);
    assert.equal(code, 0);
    assert.match(
      stdout,
      /^App billing-api {2}\(id REGISTRY_BILLING_API, owner team-billing, risk medium\)$/m,
    );
    // add-app trusts new apps by id: the plan shows the id conditions beside the subjects, and
    // says the ids are stand-ins.
    assert.match(stdout, /^ {13}and repository_id 763200518 {2}\(StringEquals\)$/m);
    assert.match(stdout, /^ {13}and repository_owner_id 794058306 {2}\(StringEquals\)$/m);
    assert.ok(
      stdout.endsWith(
        `(1 app).\n${noRegionWarning}\nwarning: GitHub ids of acme/billing-api are mocked (owner 794058306, repository 763200518): the offline run reads nothing from GitHub, so the trust policy above pins stand-ins; pulumi up reads the real ids with the GitHub provider\n`,
      ),
      stdout,
    );
  });
});

describe("a config namespace that looks like the project's is refused", function () {
  this.timeout(120000);

  const slip = [
    'error: Stack "dev" config (programs/platform/Pulumi.dev.yaml) has an invalid argument:',
    "  - trusted-delivery-platfrom:apps has unknown namespace trusted-delivery-platfrom; did you mean trusted-delivery-platform:apps?",
    "",
  ].join("\n");

  /** A scratch project whose dev stack spells the apps key's namespace wrong. */
  function withSlip() {
    const scratch = tempPlatformProject();
    const file = scratch.stackFile("dev");
    fs.writeFileSync(
      file,
      fs
        .readFileSync(file, "utf8")
        .replace("trusted-delivery-platform:apps:", "trusted-delivery-platfrom:apps:"),
    );
    return scratch;
  }

  it("by the plan, which exits 2 and plans nothing", () => {
    const { root } = withSlip();
    const { code, stdout, stderr } = runCli(["plan", "dev", "--cwd", root, "--skip-policy"]);
    assert.equal(stdout, "");
    assert.equal(stderr, slip);
    assert.equal(code, 2);
  });

  it("by add-app, which writes nothing rather than start a second apps map", () => {
    const { root } = withSlip();
    const before = snapshotTree(root);
    const { code, stdout, stderr } = runCli([...addBilling, "--cwd", root]);
    assert.equal(stdout, "");
    assert.equal(stderr, slip);
    assert.equal(code, 2);
    assert.deepEqual(snapshotTree(root), before);
  });
});
