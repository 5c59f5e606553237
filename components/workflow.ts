import YAML from "yaml";
import { PipelineSettings } from "./pipelineSettings";
import { failingSeverities, VulnerabilitySeverity } from "./vulnerabilityGate";

/** A third-party action pinned to a full commit SHA, with the release it is. */
export interface PinnedAction {
  readonly repository: string;
  readonly sha: string;
  readonly version: string;
}

/**
 * The actions the generated workflow uses, pinned: a tag can be moved to other code, a commit
 * cannot. Each SHA is the commit its release tag names in the action's own repository, on its
 * default branch. Update the SHA and version together (Dependabot and Renovate both keep this
 * form). All run on Node 24: GitHub's runners are retiring Node 20 actions.
 */
export const pinnedActions = {
  checkout: {
    repository: "actions/checkout",
    sha: "3d3c42e5aac5ba805825da76410c181273ba90b1",
    version: "v7.0.1",
  },
  configureAwsCredentials: {
    repository: "aws-actions/configure-aws-credentials",
    sha: "e6de054238d6b7531b4efff3b6587d9aade6a06c",
    version: "v6.2.3",
  },
  amazonEcrLogin: {
    repository: "aws-actions/amazon-ecr-login",
    sha: "03f1aad4c6c7ffd436567f42f9384779290529bd",
    version: "v2.1.7",
  },
  setupBuildx: {
    repository: "docker/setup-buildx-action",
    sha: "37fe631027851001ddb9b187196cc803df7f5f0e",
    version: "v4.3.0",
  },
  buildPush: {
    repository: "docker/build-push-action",
    sha: "53b7df96c91f9c12dcc8a07bcb9ccacbed38856a",
    version: "v7.3.0",
  },
  /**
   * The vulnerability scan. Its repository's tags were rewritten to malicious code in 2026-03;
   * this release came after, and a commit cannot be rewritten. It installs whichever Trivy it is
   * told: {@link trivyVersion}.
   */
  trivy: {
    repository: "aquasecurity/trivy-action",
    sha: "ed142fd0673e97e23eac54620cfb913e5ce36c25",
    version: "v0.36.0",
  },
  /** The SBOM, with Syft (the version this release pins). */
  sbom: {
    repository: "anchore/sbom-action",
    sha: "e22c389904149dbc22b58101806040fa8d37a610",
    version: "v0.24.0",
  },
  /**
   * Provenance and SBOM attestations, signed with Sigstore: one action for both (the
   * `attest-build-provenance` and `attest-sbom` wrappers are deprecated in its favour).
   */
  attest: {
    repository: "actions/attest",
    sha: "1e69f48acb82d1966a394da916b4c1698aa569d6",
    version: "v4.2.2",
  },
} as const satisfies Record<string, PinnedAction>;

/**
 * The Trivy release the scan runs, given to the action rather than left to it: Trivy's own
 * releases were replaced with malicious ones in 2026-03, and this is the release the pinned
 * action was published with.
 */
export const trivyVersion = "v0.70.0";

/** `uses: owner/action@<sha> # <version>`. */
export function uses(action: PinnedAction): string {
  return `uses: ${action.repository}@${action.sha} # ${action.version}`;
}

/** A YAML scalar, quoted only where YAML needs it (`*-hotfix` would read as an alias). */
function scalar(value: string): string {
  return YAML.stringify(value).trimEnd();
}

function list(indent: string, values: readonly string[]): string[] {
  return values.map((value) => `${indent}- ${scalar(value)}`);
}

/** Where the SBOM is written on the runner, for the attestation that carries it. */
const sbomPath = "${{ runner.temp }}/sbom.spdx.json";

/**
 * The app repository's build-and-push workflow for one pipeline: it runs on the refs (or in the
 * deployment environments) the push role trusts, asks GitHub for an OIDC token (`id-token:
 * write`; besides it only `contents: read`, and `attestations: write` when it attests), assumes
 * the role from the provisioned secret, logs in to ECR in the provisioned region, and pushes the
 * image tagged with the commit SHA; a registry with mutable tags also gets `latest`, an immutable
 * one never a tag that moves. With a vulnerability gate (always for high risk) the image is
 * scanned before it is pushed. It prints the pushed digest, and with attestations attests the
 * image's build provenance and SBOM, pushed to the registry beside it.
 */
export function buildPushWorkflow(app: string, settings: PipelineSettings): string {
  const lines = [
    ...headerLines(app, settings),
    "",
    ...triggerLines(settings),
    "",
    ...jobLines(settings),
    ...stepLines(settings),
    "",
  ];
  return lines.join("\n");
}

/** The expressions the steps read: the provisioned secret and variables, the pushed digest. */
function workflowExpressions(settings: PipelineSettings) {
  const { github } = settings;
  const repositoryUrl = `\${{ vars.${github.repositoryUrlVariableName} }}`;
  return {
    secret: `\${{ secrets.${github.secretName} }}`,
    region: `\${{ vars.${github.regionVariableName} }}`,
    repositoryUrl,
    shaTag: `${repositoryUrl}:\${{ github.sha }}`,
    digest: "${{ steps.push.outputs.digest }}",
  };
}

/** The header comment saying what the workflow does and whom the role trusts, and its name. */
function headerLines(app: string, settings: PipelineSettings): string[] {
  const { github, environment } = settings;
  const environments = github.environments;
  const gate = github.vulnerabilityGate;
  return [
    `# Builds ${app} and pushes it to its ECR repository for ${environment}, generated by trusted-delivery`,
    `# (trusted-delivery workflow ${app} --stack <stack>). No AWS keys are stored: the job exchanges`,
    "# GitHub's OIDC token for the push role, which trusts only " +
      (environments.length > 0
        ? `jobs in the ${environments.join(", ")} environment(s).`
        : "the refs below."),
    ...(gate === undefined
      ? []
      : [
          `# The image is scanned before it is pushed: a ${gate} or higher vulnerability stops it.`,
        ]),
    github.attestations
      ? "# Each pushed image gets signed provenance and SBOM attestations, pushed beside it."
      : "# No attestations (github.attestations is false): the job prints the pushed digest only.",
    `name: Build and push ${app} (${environment})`,
  ];
}

/**
 * When it runs (on pushes to the refs the role trusts, or that may deploy to its environments),
 * with which token permissions, and one run at a time per ref.
 */
function triggerLines(settings: PipelineSettings): string[] {
  const { github, environment } = settings;
  const withEnvironments = github.environments.length > 0;
  const branches = withEnvironments
    ? github.environmentProtection.deploymentBranches
    : github.branches;
  const tags = withEnvironments ? github.environmentProtection.deploymentTags : github.tags;
  return [
    "on:",
    "  push:",
    ...(branches.length > 0 ? ["    branches:", ...list("      ", branches)] : []),
    ...(tags.length > 0 ? ["    tags:", ...list("      ", tags)] : []),
    "  workflow_dispatch:",
    "",
    "permissions:",
    "  id-token: write",
    "  contents: read",
    ...(github.attestations ? ["  attestations: write"] : []),
    "",
    "concurrency:",
    `  group: ci-build-push-${environment}-\${{ github.ref }}`,
    "  cancel-in-progress: false",
  ];
}

/** The one job, run in the deployment environment, or once per environment with several. */
function jobLines(settings: PipelineSettings): string[] {
  const environments = settings.github.environments;
  return [
    "jobs:",
    "  build-push:",
    "    runs-on: ubuntu-latest",
    ...(environments.length === 1 ? [`    environment: ${scalar(environments[0])}`] : []),
    ...(environments.length > 1
      ? [
          "    strategy:",
          "      matrix:",
          "        environment:",
          ...list("          ", environments),
          "    environment: ${{ matrix.environment }}",
        ]
      : []),
  ];
}

/**
 * The job's steps: check out, assume the role, log in, (scan,) build and push, record the
 * digest, (attest).
 */
function stepLines(settings: PipelineSettings): string[] {
  const { secret, region, repositoryUrl, shaTag, digest } = workflowExpressions(settings);
  const mutable = settings.ecr.imageTagMutability === "MUTABLE";
  const gate = settings.github.vulnerabilityGate;
  return [
    "    steps:",
    "      - name: Check out",
    `        ${uses(pinnedActions.checkout)}`,
    "        with:",
    "          persist-credentials: false",
    "      - name: Assume the push role",
    `        ${uses(pinnedActions.configureAwsCredentials)}`,
    "        with:",
    `          role-to-assume: ${secret}`,
    `          aws-region: ${region}`,
    "      - name: Log in to ECR",
    `        ${uses(pinnedActions.amazonEcrLogin)}`,
    "      - name: Set up Buildx",
    `        ${uses(pinnedActions.setupBuildx)}`,
    ...(gate === undefined ? [] : scanSteps(gate, shaTag)),
    "      - name: Build and push",
    "        id: push",
    `        ${uses(pinnedActions.buildPush)}`,
    "        with:",
    "          context: .",
    "          push: true",
    "          tags: |",
    `            ${shaTag}`,
    ...(mutable ? [`            ${repositoryUrl}:latest`] : []),
    "          cache-from: type=gha",
    "          cache-to: type=gha,mode=max",
    "      - name: Record the pushed digest",
    "        env:",
    `          IMAGE: ${repositoryUrl}`,
    `          DIGEST: ${digest}`,
    "        run: |",
    '          echo "Pushed ${IMAGE}@${DIGEST}"',
    // printf with a single-quoted format: backticks in double quotes would run a command.
    '          printf \'Pushed `%s@%s`\\n\' "$IMAGE" "$DIGEST" >> "$GITHUB_STEP_SUMMARY"',
    ...(settings.github.attestations ? attestationSteps(repositoryUrl, digest) : []),
  ];
}

/** Builds the image into the runner's Docker and scans it: the gate's severity and above fail. */
function scanSteps(gate: VulnerabilitySeverity, shaTag: string): string[] {
  return [
    // The image is built once. This build loads it into the runner's Docker, where it is
    // scanned; nothing has been pushed yet. The push step below exports the same build
    // from the builder's cache (every layer a cache hit, nothing rebuilt), so what is
    // pushed is what was scanned, and only if the scan passed. Scanning after the push
    // would be too late: the tag is live (and, in an immutable registry, there for good).
    "      - name: Build for the vulnerability scan",
    `        ${uses(pinnedActions.buildPush)}`,
    "        with:",
    "          context: .",
    "          load: true",
    `          tags: ${shaTag}`,
    "          cache-from: type=gha",
    `      - name: Scan for vulnerabilities (fails on ${gate} or higher)`,
    `        ${uses(pinnedActions.trivy)}`,
    "        with:",
    `          image-ref: ${shaTag}`,
    "          scanners: vuln",
    `          severity: ${failingSeverities(gate).join(",")}`,
    '          exit-code: "1"',
    `          version: ${trivyVersion}`,
  ];
}

/** Attest the pushed image's build provenance, then generate its SBOM and attest that. */
function attestationSteps(repositoryUrl: string, digest: string): string[] {
  // Each attestation is signed (Sigstore), stored by GitHub, and pushed to the repository as an
  // OCI referrer of the image. No storage record: that needs `artifact-metadata: write`, which
  // this workflow does not ask for.
  const attestation = (name: string, extra: readonly string[]) => [
    `      - name: ${name}`,
    `        ${uses(pinnedActions.attest)}`,
    "        with:",
    `          subject-name: ${repositoryUrl}`,
    `          subject-digest: ${digest}`,
    ...extra,
    "          push-to-registry: true",
    "          create-storage-record: false",
  ];
  return [
    ...attestation("Attest the build provenance", []),
    // The SBOM of the pushed image itself, read back from the registry by its digest.
    "      - name: Generate the SBOM",
    `        ${uses(pinnedActions.sbom)}`,
    "        with:",
    `          image: ${repositoryUrl}@${digest}`,
    "          format: spdx-json",
    `          output-file: ${sbomPath}`,
    "          upload-artifact: false",
    "          upload-release-assets: false",
    ...attestation("Attest the SBOM", [`          sbom-path: ${sbomPath}`]),
  ];
}
