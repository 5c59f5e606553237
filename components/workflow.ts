import YAML from "yaml";
import { PipelineSettings } from "./pipelineSettings";
import { pushRefNames } from "./verification";
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

/**
 * A YAML scalar on one line, quoted only where YAML needs it (`*-hotfix` would read as an alias).
 * Never folded: a folded line would land outside the block it is written into.
 */
export function scalar(value: string): string {
  return YAML.stringify(value, { lineWidth: 0 }).trimEnd();
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
 * image's build provenance and SBOM, pushed to the registry beside it. With a registry findings
 * gate (always for high risk) it then waits for the registry's own scan of the pushed digest and
 * fails on a finding at the gate or above; with attestations too, a passed scan is attested
 * (predicate type `registryScanPredicateType`), which the Kyverno admission policy requires.
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

/**
 * The expressions of what the pipeline provisions in the app repository: the secret holding the
 * push role's ARN, and the variables holding the region, the repository URL and the signing
 * profile's ARN. The build-and-push workflow and the deploy gate read them alike.
 */
export function provisionedExpressions(settings: PipelineSettings) {
  const { github } = settings;
  return {
    secret: `\${{ secrets.${github.secretName} }}`,
    region: `\${{ vars.${github.regionVariableName} }}`,
    repositoryUrl: `\${{ vars.${github.repositoryUrlVariableName} }}`,
    signingProfileArn: `\${{ vars.${github.signingProfileVariableName} }}`,
  };
}

/** The step assuming the push role from the provisioned secret, in the provisioned region. */
export function assumeRoleStep(settings: PipelineSettings): string[] {
  const { secret, region } = provisionedExpressions(settings);
  return [
    "      - name: Assume the push role",
    `        ${uses(pinnedActions.configureAwsCredentials)}`,
    "        with:",
    `          role-to-assume: ${secret}`,
    `          aws-region: ${region}`,
  ];
}

/** The expressions the steps read: the provisioned secret and variables, the pushed digest. */
function workflowExpressions(settings: PipelineSettings) {
  const { repositoryUrl } = provisionedExpressions(settings);
  return {
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
    ...(github.registryFindingsGate === undefined
      ? []
      : [
          `# Then the registry's own scan of the pushed digest must finish with no ${github.registryFindingsGate} or higher finding.`,
          ...(github.attestations
            ? [
                "# A passed registry scan is attested too: admission policies require that attestation.",
              ]
            : []),
        ]),
    `name: Build and push ${app} (${environment})`,
  ];
}

/**
 * When it runs (on pushes to the refs the role trusts, or that may deploy to its environments),
 * with which token permissions, and one run at a time per ref.
 */
function triggerLines(settings: PipelineSettings): string[] {
  const { github, environment } = settings;
  const { branches, tags } = pushRefNames(settings);
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
 * digest, (attest,) (wait for the registry's scan and check its findings, (and attest that it
 * passed)).
 */
function stepLines(settings: PipelineSettings): string[] {
  const { repositoryUrl, shaTag, digest } = workflowExpressions(settings);
  const mutable = settings.ecr.imageTagMutability === "MUTABLE";
  const gate = settings.github.vulnerabilityGate;
  const findingsGate = settings.github.registryFindingsGate;
  return [
    "    steps:",
    "      - name: Check out",
    `        ${uses(pinnedActions.checkout)}`,
    "        with:",
    "          persist-credentials: false",
    ...assumeRoleStep(settings),
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
    ...(findingsGate === undefined
      ? []
      : registryGateSteps(findingsGate, settings.github.attestations, repositoryUrl, digest)),
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

/**
 * One `actions/attest` step for the pushed image, `extra` naming what it attests. Each
 * attestation is signed (Sigstore), stored by GitHub, and pushed to the repository as an OCI
 * referrer of the image. No storage record: that needs `artifact-metadata: write`, which this
 * workflow does not ask for.
 */
function attestStep(
  name: string,
  repositoryUrl: string,
  digest: string,
  extra: readonly string[],
): string[] {
  return [
    `      - name: ${name}`,
    `        ${uses(pinnedActions.attest)}`,
    "        with:",
    `          subject-name: ${repositoryUrl}`,
    `          subject-digest: ${digest}`,
    ...extra,
    "          push-to-registry: true",
    "          create-storage-record: false",
  ];
}

/** Attest the pushed image's build provenance, then generate its SBOM and attest that. */
function attestationSteps(repositoryUrl: string, digest: string): string[] {
  const attestation = (name: string, extra: readonly string[]) =>
    attestStep(name, repositoryUrl, digest, extra);
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

/**
 * After the push: wait for the registry's own scan of the digest and judge its findings; with
 * attestations, then attest that the scan passed. The provenance is attested before this check,
 * so it cannot tell an image that passed from one that failed; the registry-scan attestation is
 * made only after the check passed (a failing check ends the job first), so its existence is the
 * proof, and an admission policy that requires it ({@link registryScanPredicateType}) refuses an
 * image whose scan failed.
 */
function registryGateSteps(
  gate: VulnerabilitySeverity,
  attestations: boolean,
  repositoryUrl: string,
  digest: string,
): string[] {
  const name = "Wait for the registry's scan of the pushed digest";
  if (!attestations) {
    return registryFindingsStep(name, gate, repositoryUrl, digest);
  }
  return [
    ...registryFindingsStep(name, gate, repositoryUrl, digest, registryScanPredicatePath),
    ...attestStep("Attest the registry scan", repositoryUrl, digest, [
      `          predicate-type: ${registryScanPredicateType}`,
      `          predicate-path: ${registryScanPredicatePath}`,
    ]),
  ];
}

/**
 * The predicate type of the registry-scan attestation: the build-and-push workflow's statement,
 * signed for the same builder identity as its provenance, that the registry's own scan of the
 * pushed digest finished and found nothing at the registry findings gate or above. The workflow
 * makes it only after its findings check passed, so an image without one was not shown to pass;
 * admission policies require it (see `admissionPolicy.ts`). It speaks for the scan when it was
 * made (Rekor's timestamp on the signature): findings published later, which continuous scanning
 * reports, are the deploy gate's to check.
 *
 * The attestation's subject is the pushed image (`subject-name` the repository URL,
 * `subject-digest` its digest); its predicate is one JSON object:
 * - `gate`: the registry findings gate the scan passed, a Trivy severity (`UNKNOWN` to
 *   `CRITICAL`, {@link VulnerabilitySeverity}); a lower one is a stricter gate.
 * - `failingSeverities`: the registry severities that gate fails on, as the check read them
 *   (`registryFailingSeverities`), e.g. `["CRITICAL"]`.
 * - `scanStatus`: the scan's final status, `COMPLETE` (basic scanning) or `ACTIVE` (enhanced).
 * - `findingCount`: how many findings the scan reported, all below the gate.
 * - `findingSeverityCounts`: those findings counted by their registry severity, e.g.
 *   `{"HIGH": 2, "LOW": 5}`; `{}` with none.
 * - `repository`: the repository URL the image was pushed to (`IMAGE`).
 * - `digest`: the image's digest, `sha256:<64 hex>`, the one the scan was read for.
 */
export const registryScanPredicateType = "https://goldenpath.idp/trusted-delivery/registry-scan/v1";

/** Where the findings check writes the registry-scan predicate, for the attestation that carries it. */
const registryScanPredicatePath = "${{ runner.temp }}/registry-scan.json";

/**
 * The severities the registry grades its own scan's findings by, as its API spells them: ECR
 * basic scanning's (`FindingSeverity`: `INFORMATIONAL` to `CRITICAL`, and `UNDEFINED`) and, for
 * enhanced scanning, Amazon Inspector's, which adds `UNTRIAGED`. A finding graded otherwise, or
 * not at all, fails every gate: the check fails closed on what it cannot judge.
 */
export const registrySeverities = [
  "INFORMATIONAL",
  "LOW",
  "MEDIUM",
  "HIGH",
  "CRITICAL",
  "UNDEFINED",
  "UNTRIAGED",
] as const;

export type RegistrySeverity = (typeof registrySeverities)[number];

/** The registry severities no grade has been given to (Trivy's `UNKNOWN`). */
const ungradedRegistrySeverities: readonly RegistrySeverity[] = [
  "INFORMATIONAL",
  "UNDEFINED",
  "UNTRIAGED",
];

/**
 * The registry severities a gate fails on: the gate's severity and every higher one
 * ({@link failingSeverities}, in Trivy's names, which the registry shares from `LOW` up), and for
 * a gate of `UNKNOWN` (any finding) the ungraded ones as well.
 */
export function registryFailingSeverities(gate: VulnerabilitySeverity): RegistrySeverity[] {
  const graded = failingSeverities(gate).filter(
    (severity): severity is Exclude<VulnerabilitySeverity, "UNKNOWN"> => severity !== "UNKNOWN",
  );
  return gate === "UNKNOWN" ? [...graded, ...ungradedRegistrySeverities] : graded;
}

/**
 * How many times the gates poll the registry for a scan or a signature still in progress: with
 * {@link registryPollIntervalSeconds}, 5 minutes in all, after which they fail closed.
 */
export const registryPollAttempts = 30;
/** How long apart the gates poll by default (a script's `*_POLL_INTERVAL` overrides it). */
export const registryPollIntervalSeconds = 10;

/**
 * A `run:` script's lines as a block scalar's, indented under `run: |`; empty lines stay empty.
 */
export function runLines(script: readonly string[]): string[] {
  return ["        run: |", ...script.map((line) => (line === "" ? "" : `          ${line}`))];
}

/**
 * The step that waits for the registry's own scan (ECR basic or enhanced scanning) of one image
 * and fails on a finding at `gate` or above: shared by the build-and-push workflow (after the
 * push) and the deploy gate (findings appear after the push too). `image` and `digest` are the
 * expressions for the repository URL and the digest, passed through `env:` (an expression in the
 * script itself would be pasted into it: script injection). With `predicatePath` (an expression
 * for a file on the runner), a passing check then writes the registry-scan predicate there
 * ({@link registryScanPredicateType}) for an attestation step to sign; a failing one writes
 * nothing. The deploy gate passes none: it attests nothing.
 */
export function registryFindingsStep(
  name: string,
  gate: VulnerabilitySeverity,
  image: string,
  digest: string,
  predicatePath?: string,
): string[] {
  return [
    `      - name: ${scalar(name)}`,
    "        env:",
    `          IMAGE: ${image}`,
    `          DIGEST: ${digest}`,
    `          GATE: ${gate}`,
    `          FAILING_SEVERITIES: ${registryFailingSeverities(gate).join(",")}`,
    `          REGISTRY_SEVERITIES: ${registrySeverities.join(",")}`,
    ...(predicatePath === undefined ? [] : [`          PREDICATE_PATH: ${predicatePath}`]),
    ...runLines([
      ...registryFindingsScript(),
      ...(predicatePath === undefined ? [] : registryScanPredicateLines()),
    ]),
  ];
}

/**
 * The findings check, in bash (GitHub runs it with `-eo pipefail`), reading `IMAGE`, `DIGEST`,
 * `GATE`, `FAILING_SEVERITIES`, `REGISTRY_SEVERITIES` and, to poll faster in tests,
 * `SCAN_POLL_INTERVAL`. It polls `DescribeImageScanFindings` until the scan of the digest has
 * finished (`COMPLETE` for basic scanning, `ACTIVE` for enhanced), bounded; fails closed on every
 * other final status, on an error, and at the bound; reads every page (`nextToken`); and fails on
 * any finding graded in `FAILING_SEVERITIES` or in none of `REGISTRY_SEVERITIES`, naming each
 * (basic: its `name`; enhanced: its vulnerability id, else its title) with its severity, in the
 * log and the job summary.
 */
function registryFindingsScript(): string[] {
  return [...scanWaitLines(), ...scanPageLines(), ...scanJudgementLines()];
}

/**
 * Polls the scan until it has finished (`status` and the first `page` are left set); fails
 * closed on an error, on a final status other than `COMPLETE` and `ACTIVE`, and at the bound.
 */
function scanWaitLines(): string[] {
  return [
    "# The registry's own scan of the image, by digest: polled until it has finished, bounded",
    `# (${registryPollAttempts} polls, SCAN_POLL_INTERVAL seconds apart: ${registryPollIntervalSeconds} s unless set), then every page of findings read.`,
    'repository="${IMAGE#*/}"',
    `interval="\${SCAN_POLL_INTERVAL:-${registryPollIntervalSeconds}}"`,
    `attempts=${registryPollAttempts}`,
    'errors="$(mktemp)"',
    'findings="$(mktemp)"',
    "describe() {",
    '  aws ecr describe-image-scan-findings --repository-name "$repository" \\',
    '    --image-id "imageDigest=${DIGEST}" --no-paginate --output json "$@"',
    "}",
    'status=""',
    "for ((attempt = 1; attempt <= attempts; attempt++)); do",
    '  if page="$(describe 2>"$errors")"; then',
    '    status="$(jq -r \'.imageScanStatus.status // "NO_STATUS"\' <<<"$page")"',
    '  elif grep -q ScanNotFoundException "$errors"; then',
    "    # Scan on push has not started yet: the push has only just finished.",
    '    status="NOT_STARTED"',
    "  else",
    '    cat "$errors" >&2',
    '    echo "::error::Could not read the registry\'s scan of ${IMAGE}@${DIGEST}: the image must not be deployed" >&2',
    "    exit 1",
    "  fi",
    '  case "$status" in',
    "    COMPLETE | ACTIVE) break ;;",
    "    IN_PROGRESS | PENDING | NOT_STARTED)",
    '      echo "The registry\'s scan of ${IMAGE}@${DIGEST} is ${status} (poll ${attempt} of ${attempts})"',
    '      if ((attempt < attempts)); then sleep "$interval"; fi',
    "      ;;",
    "    *)",
    '      description="$(jq -r \'.imageScanStatus.description // "no description"\' <<<"$page")"',
    '      echo "::error::The registry\'s scan of ${IMAGE}@${DIGEST} is ${status} (${description}): without a finished scan the image must not be deployed" >&2',
    "      exit 1",
    "      ;;",
    "  esac",
    "done",
    'if [[ "$status" != COMPLETE && "$status" != ACTIVE ]]; then',
    '  echo "::error::The registry\'s scan of ${IMAGE}@${DIGEST} did not finish within ${attempts} polls ${interval} s apart (last status: ${status}): the image must not be deployed" >&2',
    "  exit 1",
    "fi",
  ];
}

/** Reads the findings of every page, following `nextToken` (bounded, failing closed). */
function scanPageLines(): string[] {
  return [
    "# Each finding as {id, severity}: basic findings by name, enhanced ones by vulnerability id.",
    "read_findings() {",
    "  jq -c '((.imageScanFindings.findings // [])[] | {id: .name, severity}),",
    "    ((.imageScanFindings.enhancedFindings // [])[]",
    '      | {id: (.packageVulnerabilityDetails.vulnerabilityId // .title), severity})\' <<<"$page" >>"$findings"',
    "}",
    "read_findings",
    "pages=1",
    'token="$(jq -r \'.nextToken // empty\' <<<"$page")"',
    'while [[ -n "$token" ]]; do',
    "  if ((pages >= 100)); then",
    '    echo "::error::The registry\'s scan of ${IMAGE}@${DIGEST} has more than 100 pages of findings: the image must not be deployed" >&2',
    "    exit 1",
    "  fi",
    '  if ! page="$(describe --next-token "$token")"; then',
    '    echo "::error::Could not read page $((pages + 1)) of the registry\'s scan of ${IMAGE}@${DIGEST}: the image must not be deployed" >&2',
    "    exit 1",
    "  fi",
    "  read_findings",
    "  pages=$((pages + 1))",
    '  token="$(jq -r \'.nextToken // empty\' <<<"$page")"',
    "done",
  ];
}

/** Fails on the findings at the gate or above, naming them in the log and the job summary. */
function scanJudgementLines(): string[] {
  return [
    "# A finding fails when graded at the gate or above, or graded in none of the registry's names.",
    'failed_text="$(jq -rs --arg failing "$FAILING_SEVERITIES" --arg known "$REGISTRY_SEVERITIES" \'',
    '  ($failing | split(",")) as $failing | ($known | split(",")) as $known',
    "  | map(select(.severity as $s | ($failing | any(. == $s)) or ($known | any(. == $s) | not)))",
    '  | map("\\(.id // "unnamed finding" | gsub("[\\r\\n]"; " ")) (\\(.severity // "no severity"))")',
    '  | unique | .[]\' "$findings")"',
    'total="$(jq -s length "$findings")"',
    'if [[ -n "$failed_text" ]]; then',
    '  mapfile -t failed <<<"$failed_text"',
    '  list="$(printf \'%s; \' "${failed[@]}")"',
    '  echo "::error::The registry\'s scan of ${IMAGE}@${DIGEST} found ${#failed[@]} finding(s) at ${GATE} or above: ${list%; }: the image must not be deployed" >&2',
    "  {",
    '    printf \'### The registry scan found %s finding(s) at %s or above in `%s@%s`\\n\\n\' "${#failed[@]}" "$GATE" "$IMAGE" "$DIGEST"',
    "    printf -- '- `%s`\\n' \"${failed[@]}\"",
    '  } >>"$GITHUB_STEP_SUMMARY"',
    "  exit 1",
    "fi",
    'echo "The registry\'s scan (${status}) of ${IMAGE}@${DIGEST}: ${total} finding(s), none at ${GATE} or above"',
    'printf \'Registry scan (%s): %s finding(s), none at %s or above\\n\' "$status" "$total" "$GATE" >>"$GITHUB_STEP_SUMMARY"',
  ];
}

/**
 * Run after the findings check passed (a failing one has exited): writes the registry-scan
 * predicate ({@link registryScanPredicateType}, the fields documented there) to `PREDICATE_PATH`,
 * from what the check read: the gate, its failing severities, the final status and the findings.
 */
function registryScanPredicateLines(): string[] {
  return [
    "# The check passed: its verdict, as the predicate of the registry-scan attestation signed next.",
    'jq -n --arg gate "$GATE" --arg failing "$FAILING_SEVERITIES" --arg status "$status" \\',
    '  --arg repository "$IMAGE" --arg digest "$DIGEST" --slurpfile findings "$findings" \'',
    '  {gate: $gate, failingSeverities: ($failing | split(",")), scanStatus: $status,',
    "    findingCount: ($findings | length),",
    "    findingSeverityCounts: ($findings | group_by(.severity)",
    "      | map({key: (.[0].severity | tostring), value: length}) | from_entries),",
    '    repository: $repository, digest: $digest}\' >"$PREDICATE_PATH"',
    'echo "Wrote the registry scan\'s predicate for ${IMAGE}@${DIGEST} to ${PREDICATE_PATH}"',
  ];
}
