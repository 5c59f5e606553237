import { strict as assert } from "assert";
import YAML from "yaml";
import { TrustedDeliveryPipelineArgs } from "../../components";
import { deployGateWorkflow, deployGateWorkflowPath } from "../../components/deployGate";
import { PipelineSettings, resolvePipelineSettings } from "../../components/pipelineSettings";
import { builderIdentity, provenancePredicateType } from "../../components/verification";
import { pinnedActions } from "../../components/workflow";
import { contextNames, lintWorkflow, unpinnedUses } from "../helpers/actionlint";
import {
  fakeBasicFinding,
  fakeDigest,
  fakeEnhancedFinding,
  fakeImage,
  fakeScanAnswer,
  fakeScanNotFound,
  fakeSigningAnswer,
  runWithFakeAws,
} from "../helpers/fakeAws";
import { minimalPipelineArgs } from "../helpers/pipelineArgs";

type Risk = "low" | "medium" | "high";

const signingProfileArn =
  "arn:aws:signer:eu-west-2:123456789012:/signing-profiles/payments_api_dev";
const otherProfileArn = "arn:aws:signer:eu-west-2:123456789012:/signing-profiles/someone_else";

/** A pipeline's settings; high risk signs, so it is given the signing profile it requires. */
function settingsFor(
  overrides: Partial<TrustedDeliveryPipelineArgs> = {},
  github: Partial<TrustedDeliveryPipelineArgs["github"]> = {},
): PipelineSettings {
  const metadata = { ...minimalPipelineArgs.metadata, ...overrides.metadata };
  return resolvePipelineSettings("payments-api", {
    ...minimalPipelineArgs,
    ...(metadata.risk === "high" && { signingProfileArn }),
    ...overrides,
    metadata,
    github: { ...minimalPipelineArgs.github, ...overrides.github, ...github },
  });
}

function gateOf(settings: PipelineSettings) {
  const text = deployGateWorkflow("payments-api", settings);
  const document = YAML.parse(text);
  return { text, document, steps: document.jobs.verify.steps as any[] };
}

function gateFor(
  overrides: Partial<TrustedDeliveryPipelineArgs> = {},
  github: Partial<TrustedDeliveryPipelineArgs["github"]> = {},
) {
  return gateOf(settingsFor(overrides, github));
}

const atRisk = (risk: Risk) => ({ metadata: { ...minimalPipelineArgs.metadata, risk } });

/** The variants every structural rule is checked on. */
const variants: readonly [string, PipelineSettings][] = [
  ...(["low", "medium", "high"] as const).flatMap((risk) =>
    [true, false].map(
      (attestations) =>
        [
          `a ${risk}-risk registry, attestations ${attestations ? "on" : "off"}`,
          settingsFor(atRisk(risk), { attestations }),
        ] as [string, PipelineSettings],
    ),
  ),
  [
    "one deployment environment",
    settingsFor({ ...atRisk("high"), environment: "prod" }, { environments: ["prod"] }),
  ],
  [
    "several deployment environments",
    settingsFor({ ...atRisk("high"), environment: "prod" }, { environments: ["prod", "prod-eu"] }),
  ],
  [
    "an opted-in signature and findings gate at medium risk",
    settingsFor({ ...atRisk("medium"), signingProfileArn }, { registryFindingsGate: "HIGH" }),
  ],
];

function step(steps: any[], name: string): any {
  const found = steps.filter((s) => s.name === name);
  assert.equal(found.length, 1, `one step "${name}"`);
  return found[0];
}

describe("the deploy gate workflow", () => {
  it("lives beside the build-and-push workflow, one per environment", () => {
    assert.equal(deployGateWorkflowPath("dev"), ".github/workflows/verify-dev.yml");
    assert.equal(deployGateWorkflowPath("prod-eu"), ".github/workflows/verify-prod-eu.yml");
  });

  it("is caught by actionlint when broken, so a clean lint means something", async () => {
    const { text } = gateFor(atRisk("high"));
    const misspelt = text.replace("DIGEST: ${{ inputs.digest }}", "DIGEST: ${{ inputs.digst }}");
    assert.match((await lintWorkflow(misspelt)).join("\n"), /property "digst" is not defined/);
    const noStep = text.replace("steps.verified.outputs.image", "steps.verify.outputs.image");
    assert.match((await lintWorkflow(noStep)).join("\n"), /property "verify" is not defined/);
  });

  for (const [variant, settings] of variants) {
    it(`passes actionlint for ${variant}`, async () => {
      assert.deepEqual(await lintWorkflow(gateOf(settings).text), []);
    });

    it(`pins every action to one of the pinned commits for ${variant}`, () => {
      const { text, steps } = gateOf(settings);
      assert.deepEqual(unpinnedUses(text), []);
      const pinned = Object.values(pinnedActions).map((a) => `${a.repository}@${a.sha}`);
      const used = steps.filter((s) => s.uses !== undefined).map((s) => s.uses);
      assert.ok(used.length >= 1);
      for (const action of used) {
        assert.match(action, /@[0-9a-f]{40}$/);
        assert.ok(pinned.includes(action), action);
      }
    });

    it(`passes every expression through env:, never into a script, for ${variant}`, () => {
      const { steps } = gateOf(settings);
      const scripts = steps.filter((s) => s.run !== undefined);
      assert.ok(scripts.length >= 2);
      for (const s of scripts) {
        assert.ok(!s.run.includes("${{"), s.name);
      }
    });
  }

  it("asks for exactly id-token: write, contents: read and attestations: read when it verifies provenance", () => {
    assert.deepEqual(gateFor(atRisk("high")).document.permissions, {
      "id-token": "write",
      contents: "read",
      attestations: "read",
    });
    // Nothing to read from GitHub without attestations: the OIDC token for the push role only.
    assert.deepEqual(gateFor(atRisk("high"), { attestations: false }).document.permissions, {
      "id-token": "write",
    });
  });

  it("is a reusable workflow taking a digest and returning the verified image", () => {
    const { document } = gateFor(atRisk("high"));
    assert.deepEqual(Object.keys(document.on), ["workflow_call"]);
    assert.deepEqual(document.on.workflow_call.inputs, {
      digest: {
        description:
          "The image's digest, sha256:<64 hex digits>, as the build-and-push workflow printed it",
        type: "string",
        required: true,
      },
    });
    assert.deepEqual(document.on.workflow_call.outputs, {
      image: {
        description: "The verified image, <repository URL>@<digest>, to deploy",
        value: "${{ jobs.verify.outputs.image }}",
      },
    });
    assert.deepEqual(Object.keys(document.jobs), ["verify"]);
    assert.equal(document.jobs.verify["runs-on"], "ubuntu-latest");
    assert.deepEqual(document.jobs.verify.outputs, {
      image: "${{ steps.verified.outputs.image }}",
    });
  });

  it("runs in the environment the push role trusts, or the caller's of several, checked", () => {
    assert.equal(gateFor(atRisk("high")).document.jobs.verify.environment, undefined);
    const one = gateFor({ environment: "prod" }, { environments: ["prod"] });
    assert.equal(one.document.jobs.verify.environment, "prod");
    const several = gateFor({ environment: "prod" }, { environments: ["prod", "prod-eu"] });
    assert.equal(several.document.jobs.verify.environment, "${{ inputs.environment }}");
    assert.deepEqual(several.document.on.workflow_call.inputs.environment, {
      description: "The deployment environment to verify in, one of prod, prod-eu",
      type: "string",
      required: true,
    });
    assert.deepEqual(step(several.steps, "Check the inputs").env, {
      DIGEST: "${{ inputs.digest }}",
      ENVIRONMENT: "${{ inputs.environment }}",
      ALLOWED_ENVIRONMENTS: '["prod","prod-eu"]',
    });
  });

  it("assumes the push role from the provisioned secret and region, and reads the provisioned variables", () => {
    const settings = settingsFor({ ...atRisk("high"), environment: "staging" });
    const { text, steps } = gateOf(settings);
    assert.deepEqual(step(steps, "Assume the push role"), {
      name: "Assume the push role",
      uses: `${pinnedActions.configureAwsCredentials.repository}@${pinnedActions.configureAwsCredentials.sha}`,
      with: {
        "role-to-assume": "${{ secrets.TF_AWS_IAM_ROLE_STAGING }}",
        "aws-region": "${{ vars.AWS_REGION_STAGING }}",
      },
    });
    assert.deepEqual(
      step(steps, "Log in to ECR").uses.split("@")[0],
      "aws-actions/amazon-ecr-login",
    );
    assert.deepEqual(contextNames(text, "secrets"), ["TF_AWS_IAM_ROLE_STAGING"]);
    assert.deepEqual(contextNames(text, "vars"), [
      "AWS_REGION_STAGING",
      "ECR_REPOSITORY_URL_STAGING",
      "ECR_SIGNING_PROFILE_ARN_STAGING",
    ]);
    // The steps in order: inputs first, the role before anything reads AWS, the record last.
    assert.deepEqual(
      steps.map((s) => s.name),
      [
        "Check the inputs",
        "Assume the push role",
        "Log in to ECR",
        "Verify the build provenance",
        "Verify the ECR managed signature",
        "Check the registry's scan findings",
        "Record what was verified",
      ],
    );
  });

  it("verifies the provenance against the builder identity, with every flag gh needs", () => {
    const settings = settingsFor(atRisk("high"));
    const identity = builderIdentity(settings);
    const verify = step(gateOf(settings).steps, "Verify the build provenance");
    assert.deepEqual(verify.env, {
      GH_TOKEN: "${{ github.token }}",
      IMAGE: "${{ vars.ECR_REPOSITORY_URL_DEV }}",
      DIGEST: "${{ inputs.digest }}",
      SOURCE_REPOSITORY: "acme/payments-api",
      SUBJECT_PATTERN: identity.subjectPattern,
      ISSUER: "https://token.actions.githubusercontent.com",
      PREDICATE_TYPE: provenancePredicateType,
    });
    assert.equal(
      verify.run.replace(/\\\n\s*/g, ""),
      'gh attestation verify "oci://${IMAGE}@${DIGEST}" --repo "$SOURCE_REPOSITORY" ' +
        '--cert-identity-regex "$SUBJECT_PATTERN" --cert-oidc-issuer "$ISSUER" ' +
        '--predicate-type "$PREDICATE_TYPE" --deny-self-hosted-runners\n',
    );
    // The pattern admits the build workflow at the trusted branch, and nothing else.
    const pattern = new RegExp(verify.env.SUBJECT_PATTERN);
    const san = "https://github.com/acme/payments-api/.github/workflows/ci-build-push-dev.yml";
    assert.ok(pattern.test(`${san}@refs/heads/main`));
    assert.ok(!pattern.test(`${san}@refs/heads/feature`));
    assert.ok(!pattern.test(`${san.replace("acme", "evil")}@refs/heads/main`));
  });

  it("follows a change of the trusted branch in the identity it requires", () => {
    const settings = settingsFor(atRisk("high"), { branches: ["release/*"] });
    const { env } = step(gateOf(settings).steps, "Verify the build provenance");
    assert.equal(env.SUBJECT_PATTERN, builderIdentity(settings).subjectPattern);
    const pattern = new RegExp(env.SUBJECT_PATTERN);
    const san = "https://github.com/acme/payments-api/.github/workflows/ci-build-push-dev.yml";
    assert.ok(pattern.test(`${san}@refs/heads/release/2026-03`));
    assert.ok(!pattern.test(`${san}@refs/heads/main`));
  });

  it("requires the reusable workflows the role trusts, when it trusts only those", async () => {
    const workflows = [
      {
        repository: "acme/platform-workflows",
        path: ".github/workflows/build-push.yml",
        ref: "refs/tags/v1",
      },
    ];
    const settings = settingsFor(atRisk("high"), { workflows });
    const { text, steps } = gateOf(settings);
    const { env } = step(steps, "Verify the build provenance");
    assert.equal(
      env.SUBJECT_PATTERN,
      "^https://github\\.com/(?:acme/platform-workflows/\\.github/workflows/build-push\\.yml@refs/tags/v1)$",
    );
    assert.equal(env.SOURCE_REPOSITORY, "acme/payments-api");
    assert.deepEqual(await lintWorkflow(text), []);
    assert.ok(
      text.includes(
        "# The push role trusts only the reusable workflows in github.workflows: this gate assumes it",
      ),
    );
  });

  it("does not verify provenance without attestations, and says why in its header", () => {
    const { text, steps } = gateFor(atRisk("high"), { attestations: false });
    assert.deepEqual(
      steps.map((s) => s.name),
      [
        "Check the inputs",
        "Assume the push role",
        "Verify the ECR managed signature",
        "Check the registry's scan findings",
        "Record what was verified",
      ],
    );
    assert.ok(
      text.includes(
        "# - not the build provenance: github.attestations is false, so the build attests nothing\n" +
          "#   and nothing here could prove which workflow built the image;",
      ),
    );
  });

  it("checks the signature and the findings only where the settings ask for them", () => {
    const names = (settings: PipelineSettings) => gateOf(settings).steps.map((s) => s.name);
    assert.deepEqual(names(settingsFor(atRisk("medium"))), [
      "Check the inputs",
      "Assume the push role",
      "Log in to ECR",
      "Verify the build provenance",
      "Record what was verified",
    ]);
    const gate = gateFor(atRisk("low"), { registryFindingsGate: "MEDIUM" });
    assert.deepEqual(step(gate.steps, "Check the registry's scan findings").env, {
      IMAGE: "${{ vars.ECR_REPOSITORY_URL_DEV }}",
      DIGEST: "${{ inputs.digest }}",
      GATE: "MEDIUM",
      FAILING_SEVERITIES: "MEDIUM,HIGH,CRITICAL",
      REGISTRY_SEVERITIES: "INFORMATIONAL,LOW,MEDIUM,HIGH,CRITICAL,UNDEFINED,UNTRIAGED",
    });
    const signed = gateFor({ ...atRisk("low"), signingProfileArn });
    assert.deepEqual(step(signed.steps, "Verify the ECR managed signature").env, {
      IMAGE: "${{ vars.ECR_REPOSITORY_URL_DEV }}",
      DIGEST: "${{ inputs.digest }}",
      SIGNING_PROFILE_ARN: "${{ vars.ECR_SIGNING_PROFILE_ARN_DEV }}",
      SIGNING_PROFILE_VARIABLE: "ECR_SIGNING_PROFILE_ARN_DEV",
    });
  });

  it("says in its header what it verifies, the identity it requires, and how to call it", async () => {
    const { text } = gateFor(atRisk("high"));
    assert.deepEqual(text.split("\nname:")[0].split("\n"), [
      "# Verifies an image of payments-api before it is deployed (dev), generated by trusted-delivery.",
      "# A deploy workflow calls it with the image's digest and deploys only the image it outputs, in a",
      "# job that needs it. It refuses a digest that is not sha256:<64 hex digits>, assumes the push role",
      "# (which trusts only the build's refs, so the gate runs only there), and checks:",
      "# - the build provenance: a https://slsa.dev/provenance/v1 attestation for",
      "#   acme/payments-api, signed by GitHub Actions (https://token.actions.githubusercontent.com)",
      "#   on a GitHub-hosted runner, for one of these workflows at one of its refs:",
      "#     acme/payments-api/.github/workflows/ci-build-push-dev.yml at refs/heads/main",
      "#   (certificate subject ^https://github\\.com/(?:acme/payments-api/\\.github/workflows/ci-build-push-dev\\.yml@refs/heads/main)$);",
      "# - the ECR managed signature: signing COMPLETE for the signing profile in",
      "#   vars.ECR_SIGNING_PROFILE_ARN_DEV;",
      "# - the registry's own scan of the digest: finished, with no CRITICAL or higher finding.",
      "#",
      "# jobs:",
      "#   verify:",
      "#     uses: ./.github/workflows/verify-dev.yml",
      "#     with:",
      "#       digest: sha256:<the digest the build printed>",
      "#     secrets: inherit",
      "#     permissions:",
      "#       id-token: write",
      "#       contents: read",
      "#       attestations: read",
      "#   deploy:",
      "#     needs: verify",
      "#     runs-on: ubuntu-latest",
      "#     steps:",
      '#       - run: ./deploy "$IMAGE"',
      "#         env:",
      "#           IMAGE: ${{ needs.verify.outputs.image }}",
    ]);
    // The call example is a working caller: it lints, as a workflow of its own.
    const lines = text.split("\nname:")[0].split("\n");
    const example = lines
      .slice(lines.indexOf("# jobs:"))
      .map((line) => line.replace(/^# ?/, ""))
      .join("\n")
      .replace("sha256:<the digest the build printed>", fakeDigest);
    assert.deepEqual(
      await lintWorkflow(`on: push\n${example}\n`, ".github/workflows/deploy.yml"),
      [],
    );
  });
});

describe("the deploy gate's scripts, run against a fake aws", () => {
  const high = gateFor(atRisk("high"));
  const several = gateFor(
    { ...atRisk("high"), environment: "prod" },
    { environments: ["prod", "prod-eu"] },
  );
  const findingsStep = step(high.steps, "Check the registry's scan findings");
  const signingStep = step(high.steps, "Verify the ECR managed signature");

  /** A step's script with its env:, the expressions replaced by what GitHub would pass. */
  function runStep(
    s: any,
    values: Record<string, string>,
    answers: Parameters<typeof runWithFakeAws>[2] = {},
  ) {
    const env: Record<string, string> = {
      ...s.env,
      IMAGE: fakeImage,
      DIGEST: fakeDigest,
      ...values,
    };
    for (const [name, value] of Object.entries(env)) {
      assert.ok(!value.includes("${{"), `${name} is left an expression`);
    }
    return runWithFakeAws(s.run, env, answers);
  }

  const scan = (...answers: ReturnType<typeof fakeScanAnswer>[]) => ({
    "describe-image-scan-findings": answers,
  });
  const fast = { SCAN_POLL_INTERVAL: "0", SIGNING_POLL_INTERVAL: "0" };
  const describeCall = `ecr describe-image-scan-findings --repository-name payments-api --image-id imageDigest=${fakeDigest} --no-paginate --output json`;

  describe("the inputs check", () => {
    const inputs = step(several.steps, "Check the inputs");

    it("refuses a digest that is not sha256 and 64 hex digits, naming it", () => {
      for (const digest of [
        "sha256:abc",
        `sha256:${"A".repeat(64)}`,
        `sha512:${"a".repeat(64)}`,
        `${fakeDigest}\n::add-mask::x`,
      ]) {
        const run = runStep(inputs, { DIGEST: digest, ENVIRONMENT: "prod" });
        assert.equal(run.status, 1, digest);
        assert.equal(run.awsCalls.length, 0);
      }
      const run = runStep(inputs, { DIGEST: "sha256:abc", ENVIRONMENT: "prod" });
      assert.equal(
        run.stderr,
        "::error::The digest input is sha256:abc; it must be an image digest, sha256: and 64 lower-case hex digits, e.g. sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n",
      );
      // A value with a line break is printed quoted, on one line: no workflow command slips in.
      const injected = runStep(inputs, { DIGEST: "x\n::add-mask::y", ENVIRONMENT: "prod" });
      assert.equal(injected.stderr.split("\n").filter((l) => l !== "").length, 1);
    });

    it("accepts a digest, and an environment of those the role trusts", () => {
      for (const environment of ["prod", "prod-eu"]) {
        const run = runStep(inputs, { ENVIRONMENT: environment });
        assert.equal(run.status, 0, run.stderr);
      }
    });

    it("refuses an environment the role does not trust, naming those it does", () => {
      const run = runStep(inputs, { ENVIRONMENT: "staging" });
      assert.equal(run.status, 1);
      assert.equal(
        run.stderr,
        "::error::The environment input is staging; it must be one of the environments the push role trusts: prod, prod-eu\n",
      );
      assert.equal(runStep(inputs, { ENVIRONMENT: "" }).status, 1);
    });
  });

  describe("the registry findings check", () => {
    it("fails on a CRITICAL finding of a complete basic scan, naming it in the log and the summary", () => {
      const run = runStep(
        findingsStep,
        fast,
        scan(
          fakeScanAnswer("COMPLETE", {
            findings: [
              fakeBasicFinding("CVE-2026-0001", "CRITICAL"),
              fakeBasicFinding("CVE-2026-0002", "LOW"),
            ],
          }),
        ),
      );
      assert.equal(run.status, 1);
      assert.equal(
        run.stderr,
        `::error::The registry's scan of ${fakeImage}@${fakeDigest} found 1 finding(s) at CRITICAL or above: CVE-2026-0001 (CRITICAL): the image must not be deployed\n`,
      );
      assert.equal(
        run.summary,
        `### The registry scan found 1 finding(s) at CRITICAL or above in \`${fakeImage}@${fakeDigest}\`\n\n- \`CVE-2026-0001 (CRITICAL)\`\n`,
      );
      assert.deepEqual(run.awsCalls, [describeCall]);
    });

    it("passes with only findings below the gate, saying so", () => {
      const run = runStep(
        findingsStep,
        fast,
        scan(
          fakeScanAnswer("COMPLETE", {
            findings: [
              fakeBasicFinding("CVE-2026-0002", "LOW"),
              fakeBasicFinding("CVE-2026-0003", "HIGH"),
              fakeBasicFinding("CVE-2026-0004", "UNDEFINED"),
            ],
          }),
        ),
      );
      assert.equal(run.status, 0, run.stderr);
      assert.equal(
        run.stdout,
        `The registry's scan (COMPLETE) of ${fakeImage}@${fakeDigest}: 3 finding(s), none at CRITICAL or above\n`,
      );
      assert.equal(
        run.summary,
        "Registry scan (COMPLETE): 3 finding(s), none at CRITICAL or above\n",
      );
    });

    it("waits for a scan in progress, then judges the finished one", () => {
      const run = runStep(
        findingsStep,
        fast,
        scan(
          fakeScanAnswer("IN_PROGRESS"),
          fakeScanAnswer("IN_PROGRESS"),
          fakeScanAnswer("COMPLETE", { findings: [] }),
        ),
      );
      assert.equal(run.status, 0, run.stderr);
      assert.deepEqual(run.awsCalls, [describeCall, describeCall, describeCall]);
      assert.match(run.stdout, /is IN_PROGRESS \(poll 2 of 30\)\n/);
    });

    it("waits for a scan on push that has not started yet", () => {
      const run = runStep(
        findingsStep,
        fast,
        scan(fakeScanNotFound, fakeScanAnswer("PENDING"), fakeScanAnswer("ACTIVE", {})),
      );
      assert.equal(run.status, 0, run.stderr);
      assert.equal(run.awsCalls.length, 3);
      assert.match(run.stdout, /is NOT_STARTED \(poll 1 of 30\)/);
    });

    it("fails at its bound when the scan never finishes, naming the bound", () => {
      const run = runStep(findingsStep, fast, scan(fakeScanAnswer("IN_PROGRESS")));
      assert.equal(run.status, 1);
      assert.equal(run.awsCalls.length, 30);
      assert.equal(
        run.stderr,
        `::error::The registry's scan of ${fakeImage}@${fakeDigest} did not finish within 30 polls 0 s apart (last status: IN_PROGRESS): the image must not be deployed\n`,
      );
    });

    it("polls 10 s apart unless told otherwise", () => {
      assert.match(findingsStep.run, /^interval="\$\{SCAN_POLL_INTERVAL:-10\}"$/m);
      assert.match(signingStep.run, /^interval="\$\{SIGNING_POLL_INTERVAL:-10\}"$/m);
    });

    it("fails closed on a scan that failed or cannot finish, naming its status", () => {
      for (const status of [
        "FAILED",
        "UNSUPPORTED_IMAGE",
        "SCAN_ELIGIBILITY_EXPIRED",
        "FINDINGS_UNAVAILABLE",
        "LIMIT_EXCEEDED",
      ]) {
        const run = runStep(findingsStep, fast, scan(fakeScanAnswer(status)));
        assert.equal(run.status, 1, status);
        assert.equal(
          run.stderr,
          `::error::The registry's scan of ${fakeImage}@${fakeDigest} is ${status} (A fake description of ${status}.): without a finished scan the image must not be deployed\n`,
        );
      }
    });

    it("fails closed when the registry cannot be read", () => {
      const denied = {
        stderr:
          "\nAn error occurred (AccessDeniedException) when calling the DescribeImageScanFindings operation: denied\n",
        exitCode: 254,
      };
      const run = runStep(findingsStep, fast, scan(denied));
      assert.equal(run.status, 1);
      assert.match(run.stderr, /AccessDeniedException/);
      assert.match(run.stderr, /::error::Could not read the registry's scan of /);
    });

    it("reads every page of findings, following nextToken", () => {
      const run = runStep(
        findingsStep,
        fast,
        scan(
          fakeScanAnswer("COMPLETE", {
            findings: [fakeBasicFinding("CVE-2026-0002", "LOW")],
            nextToken: "fake-token-2",
          }),
          fakeScanAnswer("COMPLETE", {
            findings: [fakeBasicFinding("CVE-2026-0001", "CRITICAL")],
          }),
        ),
      );
      assert.equal(run.status, 1);
      assert.match(
        run.stderr,
        /found 1 finding\(s\) at CRITICAL or above: CVE-2026-0001 \(CRITICAL\)/,
      );
      assert.deepEqual(run.awsCalls, [describeCall, `${describeCall} --next-token fake-token-2`]);
    });

    it("names enhanced findings by vulnerability id, else by title", () => {
      const gate = step(
        gateFor(atRisk("low"), { registryFindingsGate: "HIGH" }).steps,
        "Check the registry's scan findings",
      );
      const run = runStep(
        gate,
        fast,
        scan(
          fakeScanAnswer("ACTIVE", {
            enhancedFindings: [
              fakeEnhancedFinding("CVE-2026-0005", "CVE-2026-0005 - openssl", "HIGH"),
              fakeEnhancedFinding(undefined, "A weak cipher in openssl", "CRITICAL"),
              fakeEnhancedFinding("CVE-2026-0006", "CVE-2026-0006 - zlib", "MEDIUM"),
              fakeEnhancedFinding("CVE-2026-0007", "CVE-2026-0007 - curl", "UNTRIAGED"),
            ],
          }),
        ),
      );
      assert.equal(run.status, 1);
      assert.equal(
        run.stderr,
        `::error::The registry's scan of ${fakeImage}@${fakeDigest} found 2 finding(s) at HIGH or above: A weak cipher in openssl (CRITICAL); CVE-2026-0005 (HIGH): the image must not be deployed\n`,
      );
    });

    it("fails at a gate of UNKNOWN on any finding, graded or not", () => {
      const gate = step(
        gateFor(atRisk("low"), { registryFindingsGate: "UNKNOWN" }).steps,
        "Check the registry's scan findings",
      );
      assert.equal(
        gate.env.FAILING_SEVERITIES,
        "LOW,MEDIUM,HIGH,CRITICAL,INFORMATIONAL,UNDEFINED,UNTRIAGED",
      );
      for (const severity of ["INFORMATIONAL", "UNDEFINED", "UNTRIAGED", "LOW"]) {
        const run = runStep(
          gate,
          fast,
          scan(
            fakeScanAnswer("COMPLETE", { findings: [fakeBasicFinding("CVE-2026-0008", severity)] }),
          ),
        );
        assert.equal(run.status, 1, severity);
        assert.match(run.stderr, new RegExp(`CVE-2026-0008 \\(${severity}\\)`));
      }
      const clean = runStep(gate, fast, scan(fakeScanAnswer("COMPLETE", { findings: [] })));
      assert.equal(clean.status, 0, clean.stderr);
    });

    it("fails closed on a severity the registry does not name, or none", () => {
      const run = runStep(
        findingsStep,
        fast,
        scan(
          fakeScanAnswer("COMPLETE", {
            findings: [
              fakeBasicFinding("CVE-2026-0009", "SEVERE"),
              { name: "CVE-2026-0010", description: "Not graded." },
            ],
          }),
        ),
      );
      assert.equal(run.status, 1);
      assert.match(
        run.stderr,
        /found 2 finding\(s\) at CRITICAL or above: CVE-2026-0009 \(SEVERE\); CVE-2026-0010 \(no severity\)/,
      );
    });
  });

  describe("the signing check", () => {
    const signing = (...answers: ReturnType<typeof fakeSigningAnswer>[]) => ({
      "describe-image-signing-status": answers,
    });
    const withProfile = { ...fast, SIGNING_PROFILE_ARN: signingProfileArn };
    const signingCall = `ecr describe-image-signing-status --repository-name payments-api --image-id imageDigest=${fakeDigest} --output json`;

    it("passes when signing by the pipeline's profile is COMPLETE", () => {
      const run = runStep(
        signingStep,
        withProfile,
        signing(
          fakeSigningAnswer([
            {
              signingProfileArn: otherProfileArn,
              status: "FAILED",
              failureCode: "X",
              failureReason: "Y",
            },
            { signingProfileArn, status: "COMPLETE" },
          ]),
        ),
      );
      assert.equal(run.status, 0, run.stderr);
      assert.equal(run.stdout, `${fakeImage}@${fakeDigest} is signed by ${signingProfileArn}\n`);
      assert.equal(run.summary, `ECR managed signature: signed by \`${signingProfileArn}\`\n`);
      assert.deepEqual(run.awsCalls, [signingCall]);
    });

    it("fails when only another profile signed, naming it", () => {
      const run = runStep(
        signingStep,
        withProfile,
        signing(fakeSigningAnswer([{ signingProfileArn: otherProfileArn, status: "COMPLETE" }])),
      );
      assert.equal(run.status, 1);
      assert.equal(
        run.stderr,
        `::error::${fakeImage}@${fakeDigest} has no signing status for ${signingProfileArn} (signing statuses: ${otherProfileArn} (COMPLETE)): the image must not be deployed\n`,
      );
    });

    it("fails on an unsigned image", () => {
      const run = runStep(signingStep, withProfile, signing(fakeSigningAnswer([])));
      assert.equal(run.status, 1);
      assert.match(run.stderr, /\(signing statuses: none\)/);
    });

    it("fails when signing FAILED, naming the failure code and reason", () => {
      const run = runStep(
        signingStep,
        withProfile,
        signing(
          fakeSigningAnswer([
            {
              signingProfileArn,
              status: "FAILED",
              failureCode: "SIGNING_PROFILE_REVOKED",
              failureReason: "The signing profile was revoked.",
            },
          ]),
        ),
      );
      assert.equal(run.status, 1);
      assert.equal(
        run.stderr,
        `::error::Signing ${fakeImage}@${fakeDigest} with ${signingProfileArn} FAILED (SIGNING_PROFILE_REVOKED: The signing profile was revoked.): the image must not be deployed\n`,
      );
    });

    it("waits while signing is in progress, and fails at its bound", () => {
      const inProgress = fakeSigningAnswer([{ signingProfileArn, status: "IN_PROGRESS" }]);
      const done = runStep(
        signingStep,
        withProfile,
        signing(
          inProgress,
          inProgress,
          fakeSigningAnswer([{ signingProfileArn, status: "COMPLETE" }]),
        ),
      );
      assert.equal(done.status, 0, done.stderr);
      assert.equal(done.awsCalls.length, 3);
      const never = runStep(signingStep, withProfile, signing(inProgress));
      assert.equal(never.status, 1);
      assert.equal(never.awsCalls.length, 30);
      assert.equal(
        never.stderr,
        `::error::Signing ${fakeImage}@${fakeDigest} with ${signingProfileArn} did not complete within 30 polls 0 s apart: the image must not be deployed\n`,
      );
    });

    it("refuses a variable that holds no signing profile ARN, naming the variable", () => {
      for (const value of ["", "arn:aws:iam::123456789012:role/x", `${signingProfileArn}\nx`]) {
        const run = runStep(signingStep, { ...fast, SIGNING_PROFILE_ARN: value });
        assert.equal(run.status, 1, value);
        assert.equal(run.awsCalls.length, 0);
        assert.match(run.stderr, /^::error::The Actions variable ECR_SIGNING_PROFILE_ARN_DEV is /);
      }
      assert.equal(
        runStep(signingStep, { ...fast, SIGNING_PROFILE_ARN: "" }).stderr,
        "::error::The Actions variable ECR_SIGNING_PROFILE_ARN_DEV is ''; it must hold the pipeline's signing profile ARN, arn:aws:signer:<region>:<account>:/signing-profiles/<name>\n",
      );
    });
  });

  it("outputs the verified image and writes what was verified to the summary", () => {
    const record = step(high.steps, "Record what was verified");
    assert.equal(record.id, "verified");
    const run = runStep(record, {});
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.output, `image=${fakeImage}@${fakeDigest}\n`);
    const verified =
      "build provenance by acme/payments-api/.github/workflows/ci-build-push-dev.yml; the ECR managed signature; no registry scan finding at CRITICAL or above";
    assert.equal(run.stdout, `Verified ${fakeImage}@${fakeDigest}: ${verified}\n`);
    assert.equal(run.summary, `Verified \`${fakeImage}@${fakeDigest}\`: ${verified}\n`);
  });
});
