import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import YAML from "yaml";
import { TrustedDeliveryPipelineArgs } from "../../components";
import { resolvePipelineSettings } from "../../components/pipelineSettings";
import { buildPushWorkflow, pinnedActions } from "../../components/workflow";
import { contextNames, lintWorkflow, unpinnedUses } from "../helpers/actionlint";
import { runCli } from "../helpers/cli";
import { minimalPipelineArgs } from "../helpers/pipelineArgs";

function workflowFor(overrides: Partial<TrustedDeliveryPipelineArgs>): {
  text: string;
  document: any;
} {
  const settings = resolvePipelineSettings("payments-api", {
    ...minimalPipelineArgs,
    ...overrides,
  });
  const text = buildPushWorkflow("payments-api", settings);
  return { text, document: YAML.parse(text) };
}

const tiers = ["low", "medium", "high"] as const;

describe("the build-and-push workflow", () => {
  it("is caught by actionlint when broken, so a clean lint means something", async () => {
    const broken = workflowFor({}).text.replace(
      "runs-on: ubuntu-latest",
      "runs-on: ubuntu-latest\n    needs: missing-job",
    );
    assert.deepEqual(await lintWorkflow(broken), [
      '21:3 job "build-push" needs job "missing-job" which does not exist in this workflow [job-needs]',
    ]);
  });

  for (const risk of tiers) {
    it(`passes actionlint for a ${risk}-risk registry`, async () => {
      const { text } = workflowFor({ metadata: { ...minimalPipelineArgs.metadata, risk } });
      assert.deepEqual(await lintWorkflow(text), []);
    });
  }

  it("passes actionlint with deployment environments", async () => {
    const { text } = workflowFor({
      environment: "prod",
      github: { repository: "acme/payments-api", environments: ["prod", "prod-eu"] },
    });
    assert.deepEqual(await lintWorkflow(text), []);
  });

  it("asks GitHub for an OIDC token and nothing but reading the code", () => {
    assert.deepEqual(workflowFor({}).document.permissions, {
      "id-token": "write",
      contents: "read",
    });
  });

  it("assumes the role from the provisioned secret, in the provisioned region, and pushes to the provisioned URL", () => {
    const { text, document } = workflowFor({ environment: "staging" });
    assert.deepEqual(contextNames(text, "secrets"), ["TF_AWS_IAM_ROLE_STAGING"]);
    assert.deepEqual(contextNames(text, "vars"), [
      "AWS_REGION_STAGING",
      "ECR_REPOSITORY_URL_STAGING",
    ]);
    const steps = document.jobs["build-push"].steps;
    assert.deepEqual(steps[1].with, {
      "role-to-assume": "${{ secrets.TF_AWS_IAM_ROLE_STAGING }}",
      "aws-region": "${{ vars.AWS_REGION_STAGING }}",
    });
    assert.match(steps[2].uses, /^aws-actions\/amazon-ecr-login@/);
  });

  it("reads the names the pipeline writes, when they are not the defaults", () => {
    const { text } = workflowFor({
      github: {
        repository: "acme/payments-api",
        secretName: "PAYMENTS_ROLE_DEV",
        variableNames: { repositoryUrl: "PAYMENTS_URL_DEV", region: "PAYMENTS_REGION_DEV" },
      },
    });
    assert.deepEqual(contextNames(text, "secrets"), ["PAYMENTS_ROLE_DEV"]);
    assert.deepEqual(contextNames(text, "vars"), ["PAYMENTS_REGION_DEV", "PAYMENTS_URL_DEV"]);
  });

  it("tags images with the commit SHA, and adds latest only for mutable registries", () => {
    const tags = (risk: (typeof tiers)[number]) =>
      workflowFor({ metadata: { ...minimalPipelineArgs.metadata, risk } })
        .document.jobs["build-push"].steps[4].with.tags.trim()
        .split("\n");
    assert.deepEqual(tags("medium"), [
      "${{ vars.ECR_REPOSITORY_URL_DEV }}:${{ github.sha }}",
      "${{ vars.ECR_REPOSITORY_URL_DEV }}:latest",
    ]);
    assert.deepEqual(tags("high"), ["${{ vars.ECR_REPOSITORY_URL_DEV }}:${{ github.sha }}"]);
  });

  it("pins every action to a full commit SHA, with its version in a comment", () => {
    const { text } = workflowFor({});
    assert.deepEqual(unpinnedUses(text), []);
    assert.deepEqual(unpinnedUses("      - uses: actions/checkout@v4\n"), [
      "      - uses: actions/checkout@v4",
    ]);
    for (const action of Object.values(pinnedActions)) {
      assert.ok(
        text.includes(`uses: ${action.repository}@${action.sha} # ${action.version}`),
        action.repository,
      );
    }
  });

  it("runs on the branches and tags the role trusts", () => {
    const { document } = workflowFor({
      github: { repository: "acme/payments-api", branches: ["main", "release/*"], tags: ["v*"] },
    });
    assert.deepEqual(document.on.push, { branches: ["main", "release/*"], tags: ["v*"] });
  });

  it("runs its job in the deployment environment, from the refs that may deploy there, when the role trusts environments", () => {
    const { document } = workflowFor({
      environment: "prod",
      github: {
        repository: "acme/payments-api",
        environments: ["prod"],
        environmentProtection: { deploymentBranches: [], deploymentTags: ["v*"] },
      },
    });
    assert.deepEqual(document.on.push, { tags: ["v*"] });
    assert.equal(document.jobs["build-push"].environment, "prod");
  });
});

describe("trusted-delivery workflow", () => {
  it("prints the workflow of an app of a stack", () => {
    const { code, stdout } = runCli(["workflow", "ledger-service", "--stack", "prod"]);
    assert.equal(code, 0);
    assert.match(stdout, /^name: Build and push ledger-service \(prod\)$/m);
    assert.match(stdout, /^ {4}environment: prod$/m);
    assert.doesNotMatch(stdout, /:latest/);
  });

  it("writes it to a file when asked", () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "td-wf-")), "ci-build-push.yml");
    const { code, stdout } = runCli([
      "workflow",
      "payments-api",
      "--stack",
      "dev",
      "--output",
      file,
    ]);
    assert.equal(code, 0);
    assert.equal(stdout, `Wrote ${file}.\n`);
    assert.match(fs.readFileSync(file, "utf8"), /^name: Build and push payments-api \(dev\)$/m);
  });

  it("refuses an app the stack does not have, listing those it has", () => {
    const { code, stderr } = runCli(["workflow", "billing-api", "--stack", "dev"]);
    assert.equal(code, 2);
    assert.equal(
      stderr,
      'error: app "billing-api" is not in programs/platform/Pulumi.dev.yaml; apps there: payments-api, web-frontend, ledger-service\n',
    );
  });

  it("refuses an --output it cannot write before reading anything, and writes nothing", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "td-wf-"));
    const missing = path.join(dir, "missing/ci-build-push.yml");
    const intoMissing = runCli(["workflow", "payments-api", "--stack", "dev", "--output", missing]);
    assert.equal(
      intoMissing.stderr,
      `error: --output is ${JSON.stringify(missing)}; must be a file path in an existing directory you can write to: its directory ${path.dirname(missing)} does not exist\n`,
    );
    assert.equal(intoMissing.code, 2);
    const ontoDirectory = runCli(["workflow", "payments-api", "--stack", "dev", "--output", dir]);
    assert.equal(
      ontoDirectory.stderr,
      `error: --output is ${JSON.stringify(dir)}; must be a file path in an existing directory you can write to: it is a directory\n`,
    );
    assert.equal(ontoDirectory.code, 2);
    assert.deepEqual(fs.readdirSync(dir), []);
  });
});
