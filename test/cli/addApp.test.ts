import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { PassThrough } from "stream";
import YAML from "yaml";
import { AddAppRequest, completeRequest, planAddApp } from "../../cli/selfService/addApp";
import { defaultRegistryId } from "../../components/defaults";
import { planStack } from "../../cli/preview";
import { readPlatformStack } from "../../cli/workspace/platformStack";
import { validateTrustedDeliveryPipelineArgs } from "../../components/validation";
import { repositoryRoot, runCli } from "../helpers/cli";
import {
  keepsEveryLine,
  snapshot,
  snapshotTree,
  tempPlatformProject,
} from "../helpers/tempProject";
import { requireBindingPermissions } from "../helpers/unprivileged";

const billing = ["--owner", "team-billing", "--github-repository", "acme/billing-api"];

/** Two apps, as a stack file may hold them. */
const twoApps = {
  "payments-api": {
    metadata: { id: "REGISTRY_PAYMENTS_API", owner: "team-payments", risk: "medium" },
    github: { repository: "acme/payments-api" },
  },
  "web-frontend": {
    metadata: { id: "REGISTRY_WEB_FRONTEND", owner: "team-web", risk: "low" },
    github: { repository: "acme/web-frontend" },
  },
};
/** What add-app writes for billing-api: a new app is trusted by GitHub's ids. */
const billingEntry = {
  metadata: { id: "REGISTRY_BILLING_API", owner: "team-billing", risk: "medium" },
  github: { repository: "acme/billing-api", trust: "id" },
};

/** A YAML billion laughs: nine aliases of nine aliases ..., 9^7 strings once expanded. */
function aliasBomb(): string {
  const lines = [
    "config:",
    "  aws:region: eu-west-2",
    "  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]",
  ];
  for (let i = 1; i <= 7; i++) {
    lines.push(
      `  a${i}: &a${i} [${Array(9)
        .fill(`*a${i - 1}`)
        .join(", ")}]`,
    );
  }
  return `${lines.join("\n")}\n`;
}

describe("trusted-delivery add-app", function () {
  this.timeout(60000);

  it("adds the app to every stack named, keeping each file's comments and formatting", async () => {
    const { root, project, stackFile } = tempPlatformProject();
    const before = {
      dev: fs.readFileSync(stackFile("dev"), "utf8"),
      staging: fs.readFileSync(stackFile("staging"), "utf8"),
    };
    const { code, stdout, stderr } = runCli([
      "add-app",
      "billing-api",
      ...billing,
      "--branches",
      "main,release/*",
      "--stack",
      "dev",
      "--stack",
      "staging",
      "--cwd",
      root,
    ]);
    assert.equal(stderr, "");
    assert.equal(code, 0);
    assert.match(stdout, /^Added billing-api to programs\/platform\/Pulumi\.dev\.yaml:$/m);
    assert.match(stdout, /^Added billing-api to programs\/platform\/Pulumi\.staging\.yaml:$/m);
    for (const stack of ["dev", "staging"] as const) {
      const after = fs.readFileSync(stackFile(stack), "utf8");
      assert.ok(keepsEveryLine(before[stack], after), stack);
      assert.deepEqual(YAML.parse(after).config["trusted-delivery-platform:apps"]["billing-api"], {
        metadata: { id: "REGISTRY_BILLING_API", owner: "team-billing", risk: "medium" },
        github: { repository: "acme/billing-api", branches: ["main", "release/*"], trust: "id" },
      });
    }
    // The platform program now runs one more pipeline, for the new app.
    const plan = await planStack(project, "dev");
    assert.ok(plan.apps.some((app) => app.name === "billing-api"));
  });

  it("changes nothing when run again with the same settings, and says so", () => {
    const { root, stackFile } = tempPlatformProject();
    runCli(["add-app", "billing-api", ...billing, "--stack", "dev", "--cwd", root]);
    const written = snapshot(stackFile("dev"));
    const again = runCli(["add-app", "billing-api", ...billing, "--stack", "dev", "--cwd", root]);
    assert.equal(again.code, 0);
    assert.equal(
      again.stdout,
      "billing-api is already in programs/platform/Pulumi.dev.yaml with these settings: nothing to change.\n",
    );
    assert.deepEqual(snapshot(stackFile("dev")), written);
  });

  it("refuses an app of the same name with other settings, showing the difference; --force replaces it", () => {
    const { root, stackFile } = tempPlatformProject();
    const untouched = snapshot(stackFile("dev"));
    const refused = runCli([
      "add-app",
      "payments-api",
      "--owner",
      "team-cards",
      "--github-repository",
      "acme/payments-api",
      "--stack",
      "dev",
      "--cwd",
      root,
    ]);
    assert.equal(refused.code, 2);
    assert.equal(
      refused.stderr,
      [
        "error: payments-api is already in programs/platform/Pulumi.dev.yaml with other settings (- there now, + asked for):",
        "  metadata:",
        "    id: REGISTRY_PAYMENTS_API",
        "-   owner: team-payments",
        "+   owner: team-cards",
        "    risk: medium",
        "-   description: Card payment API",
        "  github:",
        "    repository: acme/payments-api",
        "-   branches:",
        "-     - main",
        "-     - feature/*",
        "+   trust: id",
        "Pass --force to replace it.",
        "",
      ].join("\n"),
    );
    assert.deepEqual(snapshot(stackFile("dev")), untouched);
    const forced = runCli([
      "add-app",
      "payments-api",
      "--owner",
      "team-cards",
      "--github-repository",
      "acme/payments-api",
      "--stack",
      "dev",
      "--force",
      "--cwd",
      root,
    ]);
    assert.equal(forced.code, 0);
    assert.match(
      forced.stdout,
      /^Replaced payments-api in programs\/platform\/Pulumi\.dev\.yaml:$/m,
    );
    assert.equal(
      YAML.parse(fs.readFileSync(stackFile("dev"), "utf8")).config[
        "trusted-delivery-platform:apps"
      ]["payments-api"].metadata.owner,
      "team-cards",
    );
  });

  it("shows the change with --dry-run, and writes nothing", () => {
    const { root, stackFile } = tempPlatformProject();
    const untouched = snapshot(stackFile("dev"));
    const { code, stdout } = runCli([
      "add-app",
      "billing-api",
      ...billing,
      "--stack",
      "dev",
      "--dry-run",
      "--cwd",
      root,
    ]);
    assert.equal(code, 0);
    assert.match(
      stdout,
      /^Would add billing-api to programs\/platform\/Pulumi\.dev\.yaml:\n {4}billing-api:\n/m,
    );
    assert.deepEqual(snapshot(stackFile("dev")), untouched);
  });

  it("checks the app exactly as the pipeline does, before writing anything", () => {
    const { project, stackFile } = tempPlatformProject();
    const untouched = snapshot(stackFile("dev"));
    const request: AddAppRequest = {
      app: "billing-api",
      owner: "team-billing",
      repository: "acme",
      risk: "critical",
      stacks: ["dev"],
    };
    // The component's own messages, from the one validation they share, each blamed on the
    // option that gave the value.
    const options: Record<string, string> = {
      "metadata.risk": "--risk",
      "github.repository": "--github-repository",
    };
    const componentMessages = validateTrustedDeliveryPipelineArgs("billing-api", {
      environment: "dev",
      metadata: { id: "REGISTRY_BILLING_API", owner: "team-billing", risk: "critical" },
      github: { repository: "acme" },
    }).map((p) => `  - ${p.message.replace(p.field, options[p.field])}`);
    assert.throws(() => planAddApp(project, request), {
      message: ["add-app has 2 invalid arguments:", ...componentMessages].join("\n"),
    });
    assert.equal(componentMessages.length, 2);
    assert.deepEqual(snapshot(stackFile("dev")), untouched);
  });

  it("refuses an app that would write the secret another app of the stack writes into the same repository", () => {
    const { project, stackFile } = tempPlatformProject();
    const untouched = snapshot(stackFile("dev"));
    assert.throws(
      () =>
        planAddApp(project, {
          app: "payments-worker",
          owner: "team-payments",
          repository: "acme/payments-api",
          stacks: ["dev"],
        }),
      {
        message: [
          'Stack "dev" config (programs/platform/Pulumi.dev.yaml) has 3 invalid arguments:',
          '  - trusted-delivery-platform:apps.payments-worker.github.secretName is "TF_AWS_IAM_ROLE_DEV"; app "payments-api" already writes TF_AWS_IAM_ROLE_DEV into acme/payments-api; give this app its own github.secretName',
          '  - trusted-delivery-platform:apps.payments-worker.github.variableNames.repositoryUrl is "ECR_REPOSITORY_URL_DEV"; app "payments-api" already writes ECR_REPOSITORY_URL_DEV into acme/payments-api; give this app its own github.variableNames.repositoryUrl',
          '  - trusted-delivery-platform:apps.payments-worker.github.variableNames.region is "AWS_REGION_DEV"; app "payments-api" already writes AWS_REGION_DEV into acme/payments-api; give this app its own github.variableNames.region',
        ].join("\n"),
      },
    );
    assert.deepEqual(snapshot(stackFile("dev")), untouched);
  });

  it("checks every stack before writing any, and across the project's stacks", () => {
    const { project, stackFile } = tempPlatformProject();
    const untouched = snapshot(stackFile("dev"));
    // Each stack alone is fine; the two declare one environment of one repository, which would
    // let each stack's role trust the other's deployments.
    assert.throws(
      () =>
        planAddApp(project, {
          app: "billing-api",
          owner: "team-billing",
          repository: "acme/billing-api",
          environments: ["staging"],
          stacks: ["staging", "prod"],
        }),
      /github\.environments\[0\] is "staging"; must be declared by one stack only, but programs\/platform\/Pulumi\.(staging|prod)\.yaml declares it for app billing-api/,
    );
    assert.deepEqual(snapshot(stackFile("dev")), untouched);
    assert.equal(fs.readFileSync(stackFile("staging"), "utf8").includes("billing-api"), false);
  });

  it("refuses an environment another stack declares for the repository, naming both files", () => {
    const { root, stackFile } = tempPlatformProject();
    const first = runCli([
      "add-app",
      "billing-api",
      ...billing,
      "--environments",
      "production",
      "-s",
      "prod",
      "--cwd",
      root,
    ]);
    assert.equal(first.code, 0, first.stderr);
    const before = snapshotTree(root);
    const second = runCli([
      "add-app",
      "billing-worker",
      "--owner",
      "team-billing",
      "--github-repository",
      "acme/billing-api",
      "--environments",
      "Production",
      "-s",
      "staging",
      "--cwd",
      root,
    ]);
    assert.equal(second.code, 2);
    assert.match(second.stderr, /programs\/platform\/Pulumi\.staging\.yaml/);
    assert.match(second.stderr, /programs\/platform\/Pulumi\.prod\.yaml/);
    assert.match(second.stderr, /must be declared by one stack only/);
    assert.deepEqual(snapshotTree(root), before);
    assert.equal(fs.readFileSync(stackFile("staging"), "utf8").includes("billing-worker"), false);
  });

  it("blames a wrong value on the option that gave it, not on the stack file", () => {
    const { root } = tempPlatformProject();
    const before = snapshotTree(root);
    const { code, stderr } = runCli([
      "add-app",
      "billing-api",
      ...billing,
      "--risk",
      "HIGH",
      "--branches",
      "ma in",
      "-s",
      "dev",
      "--cwd",
      root,
    ]);
    assert.equal(code, 2);
    assert.equal(
      stderr,
      [
        "error: add-app has 2 invalid arguments:",
        '  - --risk is "HIGH"; must be one of "low", "medium", "high"',
        '  - --branches is "ma in"; must be a git branch name: no spaces, control characters or ~ ^ : ? [ \\',
        "",
      ].join("\n"),
    );
    assert.deepEqual(snapshotTree(root), before);
  });

  it("-f json prints what it did as one object", () => {
    const { root } = tempPlatformProject();
    const { code, stdout, stderr } = runCli([
      "add-app",
      "billing-api",
      ...billing,
      "-s",
      "dev",
      "-f",
      "json",
      "--cwd",
      root,
    ]);
    assert.equal(code, 0, stderr);
    assert.deepEqual(JSON.parse(stdout), {
      schemaVersion: 1,
      app: "billing-api",
      dryRun: false,
      stacks: [
        {
          stack: "dev",
          file: "programs/platform/Pulumi.dev.yaml",
          status: "added",
          entry: billingEntry,
        },
      ],
    });
    assert.match(stderr, /^\nNext: npm run plan -- dev/);
  });

  it("refuses missing settings off a terminal, naming the flags", () => {
    const { root } = tempPlatformProject();
    const { code, stderr } = runCli(["add-app", "billing-api", "--stack", "dev", "--cwd", root]);
    assert.equal(code, 2);
    assert.equal(
      stderr,
      "error: add-app needs --owner and --github-repository (or run it in a terminal to be asked)\n",
    );
    const noStack = runCli(["add-app", "billing-api", ...billing, "--cwd", root]);
    assert.equal(
      noStack.stderr,
      "error: add-app needs --stack: name the stack(s) to add the app to, e.g. --stack dev\n",
    );
  });

  it("asks for missing settings on a terminal, offering the default risk", async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    let asked = "";
    output.on("data", (chunk) => (asked += chunk.toString()));
    const answers = ["team-billing", "acme/billing-api", ""];
    input.pause();
    const request = completeRequest(
      { app: "billing-api", stacks: ["dev"] },
      { input, output, interactive: true },
    );
    for (const answer of answers) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      input.write(`${answer}\n`);
    }
    assert.deepEqual(await request, {
      app: "billing-api",
      stacks: ["dev"],
      owner: "team-billing",
      repository: "acme/billing-api",
      risk: "medium",
    });
    assert.equal(
      asked,
      "Owning team: GitHub repository (owner/name): Risk (low, medium, high) [medium]: ",
    );
  });

  it("derives the registry id from the app name", () => {
    assert.equal(defaultRegistryId("billing-api"), "REGISTRY_BILLING_API");
    assert.equal(defaultRegistryId("team/payments.api"), "REGISTRY_TEAM_PAYMENTS_API");
  });

  it("is what make create-ecr runs", () => {
    const result = spawnSync(
      "make",
      [
        "--no-print-directory",
        "create-ecr",
        "APP=billing-api",
        "OWNER=team-billing",
        "REPO=acme/billing-api",
        "RISK=high",
        "DRY_RUN=1",
      ],
      { cwd: repositoryRoot, encoding: "utf8" },
    );
    assert.equal(result.status, 0, result.stderr);
    assert.match(
      result.stdout,
      /^Would add billing-api to programs\/platform\/Pulumi\.dev\.yaml:$/m,
    );
    assert.match(result.stdout, /^ {8}risk: high$/m);
    const noApp = spawnSync("make", ["--no-print-directory", "create-ecr"], {
      cwd: repositoryRoot,
      encoding: "utf8",
    });
    assert.equal(noApp.status, 2);
    assert.equal(noApp.stderr.split("\n")[0], "make create-ecr needs APP=<ECR repository name>");
    assert.ok(
      fs
        .readFileSync(path.join(repositoryRoot, "programs/platform/Pulumi.dev.yaml"), "utf8")
        .indexOf("billing-api") < 0,
    );
  });

  describe("keeps every app the program reads, in whatever form the stack file holds them", () => {
    // Each: how the stack file holds the two apps, and how to read them back from the written file.
    const forms: [string, string, (config: Record<string, any>) => unknown][] = [
      [
        "a block map",
        `  trusted-delivery-platform:apps:\n${YAML.stringify(twoApps)
          .replace(/\n$/, "")
          .replace(/^/gm, "    ")}\n`,
        (config) => config["trusted-delivery-platform:apps"],
      ],
      [
        "a flow map",
        `  trusted-delivery-platform:apps: ${JSON.stringify(twoApps)}\n`,
        (config) => config["trusted-delivery-platform:apps"],
      ],
      [
        "JSON text on one line",
        `  trusted-delivery-platform:apps: '${JSON.stringify(twoApps)}'\n`,
        (config) => JSON.parse(config["trusted-delivery-platform:apps"]),
      ],
      [
        "JSON text over several lines",
        `  trusted-delivery-platform:apps: |\n${JSON.stringify(twoApps, null, 2).replace(/^/gm, "    ")}\n`,
        (config) => JSON.parse(config["trusted-delivery-platform:apps"]),
      ],
      [
        "the bare apps key",
        `  apps:\n${YAML.stringify(twoApps).replace(/\n$/, "").replace(/^/gm, "    ")}\n`,
        (config) => config.apps,
      ],
    ];
    for (const [form, apps, read] of forms) {
      it(`as ${form}`, () => {
        const { root, project, stackFile } = tempPlatformProject();
        fs.writeFileSync(
          stackFile("dev"),
          `# dev\nconfig:\n  aws:region: eu-west-2\n${apps}  trusted-delivery-platform:environment: dev\n`,
        );
        const result = runCli([
          "add-app",
          "billing-api",
          ...billing,
          "--stack",
          "dev",
          "--cwd",
          root,
        ]);
        assert.equal(result.stderr, "");
        assert.equal(result.code, 0);
        assert.match(
          result.stdout,
          /^Added billing-api to programs\/platform\/Pulumi\.dev\.yaml:$/m,
        );
        const written = fs.readFileSync(stackFile("dev"), "utf8");
        assert.ok(written.startsWith("# dev\nconfig:\n  aws:region: eu-west-2\n"), written);
        assert.deepEqual(read(YAML.parse(written).config), {
          ...twoApps,
          "billing-api": billingEntry,
        });
        // Written back in the form it was in: JSON text stays text.
        assert.equal(
          typeof YAML.parse(written).config[
            form === "the bare apps key" ? "apps" : "trusted-delivery-platform:apps"
          ],
          form.startsWith("JSON") ? "string" : "object",
        );
        // The platform program's own parse of the result lists every app.
        assert.deepEqual(Object.keys(readPlatformStack(project, "dev").config.apps), [
          "payments-api",
          "web-frontend",
          "billing-api",
        ]);
      });
    }

    const refused: [string, string, string][] = [
      [
        "a list",
        "  trusted-delivery-platform:apps: [payments-api]\n",
        'error: Stack "dev" config (programs/platform/Pulumi.dev.yaml) has an invalid argument:\n  - trusted-delivery-platform:apps is ["payments-api"]; must be a map from ECR repository name to { metadata, github, ecr?, tags? }, or JSON text of one\n',
      ],
      [
        "text that is not a JSON map",
        `  trusted-delivery-platform:apps: '${JSON.stringify(twoApps).slice(0, 30)}'\n`,
        `error: Stack "dev" config (programs/platform/Pulumi.dev.yaml) has an invalid argument:\n  - trusted-delivery-platform:apps is ${JSON.stringify(JSON.stringify(twoApps).slice(0, 30))}; must be a map from ECR repository name to { metadata, github, ecr?, tags? }, or JSON text of one\n`,
      ],
      [
        "an encrypted value",
        "  trusted-delivery-platform:apps:\n    secure: v1:AAAA\n",
        'error: Stack "dev" config (programs/platform/Pulumi.dev.yaml) has an invalid argument:\n  - trusted-delivery-platform:apps is "an encrypted value"; must be readable to add to: keep apps unencrypted (their settings are not secrets)\n',
      ],
      [
        "both the bare and the namespaced key",
        `  apps: {}\n  trusted-delivery-platform:apps: ${JSON.stringify(twoApps)}\n`,
        "error: programs/platform/Pulumi.dev.yaml: config sets both apps and trusted-delivery-platform:apps, which are the same key; keep one\n",
      ],
    ];
    for (const [what, apps, message] of refused) {
      it(`and refuses apps held as ${what}, writing nothing`, () => {
        const { root, stackFile } = tempPlatformProject();
        fs.writeFileSync(stackFile("dev"), `config:\n  aws:region: eu-west-2\n${apps}`);
        const before = snapshotTree(root);
        const result = runCli([
          "add-app",
          "billing-api",
          ...billing,
          "--stack",
          "dev",
          "--cwd",
          root,
        ]);
        assert.equal(result.stderr, message);
        assert.equal(result.code, 2);
        assert.equal(result.stdout, "");
        assert.deepEqual(snapshotTree(root), before);
      });
    }
  });

  it("refuses a stack file with a YAML alias bomb as plan and workflow do, writing nothing", () => {
    const { root, stackFile } = tempPlatformProject();
    fs.writeFileSync(stackFile("dev"), aliasBomb());
    const before = snapshotTree(root);
    const message =
      "error: programs/platform/Pulumi.dev.yaml is not valid YAML: Excessive alias count indicates a resource exhaustion attack\n";
    const added = runCli(["add-app", "billing-api", ...billing, "--stack", "dev", "--cwd", root]);
    assert.equal(added.stderr, message);
    assert.equal(added.code, 2);
    for (const args of [
      ["plan", "dev"],
      ["workflow", "payments-api", "--stack", "dev"],
    ]) {
      const other = runCli([...args, "--cwd", root]);
      assert.equal(other.stderr, message, args[0]);
      assert.equal(other.code, 2, args[0]);
    }
    assert.deepEqual(snapshotTree(root), before);
  });

  it("writes every stack named or none: one stack file it cannot write leaves the others as they were", function () {
    requireBindingPermissions(this);
    const { root, stackFile } = tempPlatformProject();
    // staging's stack file lives in a read-only directory, linked from the stack directory.
    const readOnly = path.join(root, "read-only");
    fs.mkdirSync(readOnly);
    fs.renameSync(stackFile("staging"), path.join(readOnly, "Pulumi.staging.yaml"));
    fs.symlinkSync(path.join(readOnly, "Pulumi.staging.yaml"), stackFile("staging"));
    fs.chmodSync(readOnly, 0o555);
    const before = snapshotTree(root);
    const result = runCli(
      ["add-app", "billing-api", ...billing, "--stack", "dev,staging", "--cwd", root],
      { unprivileged: true },
    );
    fs.chmodSync(readOnly, 0o755);
    assert.equal(
      result.stderr,
      "error: cannot write programs/platform/Pulumi.staging.yaml: permission denied; nothing was written\n",
    );
    assert.equal(result.code, 2);
    assert.equal(result.stdout, "");
    assert.deepEqual(snapshotTree(root), before);
  });

  it("edits a stack named twice (dev and acme/dev) once", () => {
    const { root, stackFile } = tempPlatformProject();
    const result = runCli([
      "add-app",
      "billing-api",
      ...billing,
      "--stack",
      "dev,acme/dev",
      "--cwd",
      root,
    ]);
    assert.equal(result.code, 0);
    assert.equal(result.stdout.match(/^Added billing-api/gm)?.length, 1);
    assert.equal(
      fs.readFileSync(stackFile("dev"), "utf8").match(/^ {4}billing-api:$/gm)?.length,
      1,
    );
  });
});
