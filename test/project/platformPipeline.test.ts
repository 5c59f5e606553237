import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";
import { listStacks, findProject } from "../../cli/workspace/project";
import { contextNames, lintWorkflow, unpinnedUses } from "../helpers/actionlint";

const root = path.join(__dirname, "../..");
const dir = path.join(root, "examples/platform-pipeline/.github/workflows");
const read = (name: string) => fs.readFileSync(path.join(dir, name), "utf8");
const files = [
  "platform-preview.yml",
  "platform-deploy.yml",
  "pulumi-up.yml",
  "platform-audit.yml",
];
const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");

describe("the platform repository's pipeline template", () => {
  for (const file of files) {
    it(`${file} passes actionlint, with every action pinned to a commit`, async () => {
      assert.deepEqual(await lintWorkflow(read(file), `.github/workflows/${file}`), []);
      assert.deepEqual(unpinnedUses(read(file)), []);
    });
  }

  it("previews every committed stack on pull requests, with the policy pack, posting to the pull request", () => {
    const preview = YAML.parse(read("platform-preview.yml"));
    assert.deepEqual(Object.keys(preview.on), ["pull_request"]);
    const job = preview.jobs.preview;
    assert.deepEqual(
      job.strategy.matrix.stack,
      listStacks(findProject(root)).sort(
        (a, b) => ["dev", "staging", "prod"].indexOf(a) - ["dev", "staging", "prod"].indexOf(b),
      ),
    );
    assert.equal(job.strategy["fail-fast"], false);
    const pulumi = job.steps.find((s: any) => String(s.uses).startsWith("pulumi/actions@"));
    assert.equal(pulumi.with.command, "preview");
    assert.equal(pulumi.with.policyPacks, "policy-pack");
    assert.equal(pulumi.with["comment-on-pr"], true);
    assert.ok(job.steps.some((s: any) => s.run === 'npm run plan -- "${{ matrix.stack }}"'));
    assert.deepEqual(job.permissions, {
      contents: "read",
      "id-token": "write",
      "pull-requests": "write",
    });
  });

  it("updates on merge stack by stack, dev then staging then prod, prod in a protected environment", () => {
    const deploy = YAML.parse(read("platform-deploy.yml"));
    assert.deepEqual(deploy.on, { push: { branches: ["main"] } });
    assert.deepEqual(
      Object.entries(deploy.jobs).map(([name, job]: [string, any]) => [
        name,
        job.needs,
        job.with.stack,
        job.with.environment,
      ]),
      [
        ["dev", undefined, "dev", "platform-dev"],
        ["staging", "dev", "staging", "platform-staging"],
        ["prod", "staging", "prod", "platform-prod"],
      ],
    );
    const up = YAML.parse(read("pulumi-up.yml")).jobs.up;
    assert.deepEqual(up.concurrency, {
      group: "pulumi-${{ inputs.stack }}",
      "cancel-in-progress": false,
    });
    assert.equal(up.environment, "${{ inputs.environment }}");
    const pulumi = up.steps.find((s: any) => String(s.uses).startsWith("pulumi/actions@"));
    assert.equal(pulumi.with.command, "up");
    assert.equal(pulumi.with.policyPacks, "policy-pack");
  });

  it("audits every stack's account nightly, read-only, and uploads the findings to code scanning", () => {
    const audit = YAML.parse(read("platform-audit.yml"));
    assert.deepEqual(audit.on, { schedule: [{ cron: "17 4 * * *" }], workflow_dispatch: null });
    const job = audit.jobs.audit;
    assert.deepEqual(job.strategy.matrix.stack, ["dev", "staging", "prod"]);
    assert.deepEqual(job.permissions, {
      contents: "read",
      "id-token": "write",
      "security-events": "write",
    });
    const step = (prefix: string) => job.steps.find((s: any) => String(s.uses).startsWith(prefix));
    assert.equal(
      step("aws-actions/configure-aws-credentials@").with["role-to-assume"],
      "${{ vars[format('PLATFORM_AUDIT_ROLE_{0}', matrix.stack)] }}",
    );
    const run = job.steps.find((s: any) => s.id === "audit");
    assert.equal(
      run.run,
      "npm run trusted-delivery -- audit --format sarif --output audit.sarif --policy-pack-config policy-pack/config.example.json",
    );
    assert.equal(run["continue-on-error"], true);
    // The upload action's commit is v4.36.2's, as github/codeql-action tags it.
    const upload = step("github/codeql-action/upload-sarif@");
    assert.equal(
      upload.uses,
      "github/codeql-action/upload-sarif@8aad20d150bbac5944a9f9d289da16a4b0d87c1e",
    );
    assert.equal(upload.with.sarif_file, "audit.sarif");
    assert.match(upload.if, /^always\(\)/);
    assert.equal(job.steps[job.steps.length - 1].if, "steps.audit.outcome == 'failure'");
    assert.ok(readme.includes("`PLATFORM_AUDIT_ROLE_<STACK>`"));
  });

  it("uses only secrets and variables the README tells the platform team to create", () => {
    const used = files.flatMap((file) => [
      ...contextNames(read(file), "secrets"),
      ...contextNames(read(file), "vars"),
    ]);
    for (const name of new Set([...used, "PLATFORM_PREVIEW_ROLE_DEV"])) {
      if (name === "GITHUB_TOKEN") {
        continue;
      }
      assert.ok(
        readme.includes(`\`${name.replace(/_DEV$/, "_<STACK>")}\``) ||
          readme.includes(`\`${name}\``),
        `README does not document ${name}`,
      );
    }
  });
});
