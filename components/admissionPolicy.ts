import { createHash } from "crypto";
import YAML from "yaml";
import { InvalidArgumentsError } from "./invalidArguments";
import { PipelineSettings } from "./pipelineSettings";
import { problem, Problem } from "./problems";
import { BuilderIdentity, builderIdentity, provenancePredicateType } from "./verification";
import { vulnerabilitySeverities, VulnerabilitySeverity } from "./vulnerabilityGate";
import { registryScanPredicateType } from "./workflow";

/**
 * A Kyverno admission policy for one pipeline's images: the cluster-side half of the governed
 * path. The push role decides who may write to the ECR repository; this policy decides what a
 * cluster may run from it, and requires the same thing from the other end: an image is admitted
 * only with a provenance attestation proving the pipeline's own workflow built it, at a ref the
 * role trusts. An image pushed any other way (by hand, by another workflow, from a branch the
 * role does not trust) carries no such attestation and is refused. With a registry findings gate
 * (`github.registryFindingsGate`, always for high risk) it also requires the registry-scan
 * attestation ({@link registryScanPredicateType}), signed for the same identity: the workflow
 * attests its provenance before the registry's scan is judged, so provenance alone would admit
 * an image whose scan found a critical vulnerability; the registry-scan attestation is made only
 * after the scan passed, so an image whose scan failed has none and is refused.
 *
 * Written against Kyverno's `kyverno.io/v1` `ClusterPolicy` as of Kyverno v1.19.0 (the schema in
 * `test/fixtures/kyverno/`, which the tests validate every generated policy against). The
 * fields chosen are the ones that release does not mark deprecated: the failure action per
 * `verifyImages` entry (not `spec.validationFailureAction`), the webhook's failure policy and
 * timeout under `spec.webhookConfiguration` (not `spec.failurePolicy` and
 * `spec.webhookTimeoutSeconds`).
 *
 * How Kyverno checks an image, with `type: SigstoreBundle` (read from Kyverno v1.19.0's
 * `pkg/image/verifiers/cpol/cosign/sigstore.go`): it resolves the image to its digest, lists the
 * digest's OCI referrers in the repository (where `actions/attest` pushes its Sigstore bundles),
 * keeps the bundles whose in-toto statement has the provenance predicate type, and verifies each
 * against the Sigstore trust root Kyverno was installed with (by default the public-good
 * instance's, fetched over TUF): the certificate chain to Fulcio, the certificate's issuer and
 * subject (`subjectRegExp`, matched with Go's RE2 as written: hence anchored), the signature over
 * the image digest, an inclusion proof in Rekor (`rekor`), and, since `ctlog.ignoreSCT` is false,
 * a timestamp observed by the log, within the certificate's ten minutes. Then the `conditions`
 * are evaluated on the verified provenance. Kyverno v1.19.0's bundle verifier does not check the
 * certificate's SCT (the public-good CT log's promise to log it) whatever `ctlog` says: the
 * Rekor inclusion proof is what makes each signing public.
 *
 * Limits, on purpose or by Kyverno:
 * - Public repositories only. GitHub signs attestations of public repositories with the Sigstore
 *   public-good instance and writes them to its Rekor log; attestations of private and internal
 *   repositories are signed by GitHub's own Sigstore instance, which has no transparency log and
 *   a trust root of its own. Kyverno reads one trust root per installation (its `--tufRoot` and
 *   `--tufMirror` flags), so verifying those takes a Kyverno installed with GitHub's trust root
 *   (which then no longer verifies public-good signatures) and `rekor.ignoreTlog: true`: a choice
 *   for the cluster, not a switch in this policy, so none is offered.
 * - Kyverno reads the referrers with its own credentials: the policy names the `amazon`
 *   credential provider, so Kyverno's service account needs an AWS identity (IRSA or EKS Pod
 *   Identity) that may pull from the repository (`ecr.pull`, when the cluster runs in another
 *   account).
 * - With reusable workflows (`github.workflows`) the certificate names the reusable workflow at
 *   its ref, and the provenance the calling repository (checked here); the caller's own ref,
 *   which the push role's `sub` condition also restricts, is not part of the builder identity
 *   `verification.ts` derives, so this policy does not check it.
 * - With reusable workflows and a registry findings gate, those workflows must make the
 *   registry-scan attestation as the generated workflow does (the same predicate type and
 *   fields), or every image is refused.
 * - The registry-scan attestation speaks for the scan when the image was pushed. Findings
 *   published later (continuous scanning) cannot reach Kyverno, which cannot call ECR: the deploy
 *   gate (`deployGate.ts`) checks the registry's findings at deploy time.
 * - Only images from this repository are this policy's concern; images from other registries
 *   or repositories are neither admitted nor refused by it.
 */

/** The longest name a Kubernetes object named by a DNS label may have. */
export const kubernetesNameMaxLength = 63;

/** The public-good Sigstore instance's transparency log, where GitHub logs public attestations. */
const publicGoodRekorUrl = "https://rekor.sigstore.dev";

/**
 * The build type GitHub's provenance declares (`actions/attest`, following
 * https://github.com/actions/buildtypes): what the conditions below read the predicate as.
 */
const githubWorkflowBuildType = "https://actions.github.io/buildtypes/workflow/v1";

/** The one rule's name (Kyverno allows 63 characters): it verifies every attestation required. */
const ruleName = "verify-build-provenance";

/** An ECR repository URL: a registry host, then the repository name, no tag, digest or wildcard. */
const repositoryUrlPattern =
  /^(?<registry>[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+)\/(?<name>[a-z0-9][a-z0-9._/-]*)$/;

/**
 * The policy's name: `trusted-delivery-<app>-<environment>`, lower case, every run of other
 * characters turned into `-`. Names over Kubernetes' 63 characters are cut and end in a hash of
 * the full name, so the result is stable across runs and distinct per app and environment (the
 * style of `pushRoleName`).
 */
export function admissionPolicyName(app: string, environment: string): string {
  const full = `trusted-delivery-${app}-${environment}`
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  if (full.length <= kubernetesNameMaxLength) {
    return full;
  }
  const hash = createHash("sha256").update(full).digest("hex").slice(0, 8);
  const kept = full.slice(0, kubernetesNameMaxLength - hash.length - 1).replace(/-+$/, "");
  return `${kept}-${hash}`;
}

/**
 * The image references the policy matches: every tag and every digest of this repository, and
 * nothing else. Kyverno matches `*` against any characters, `/` included, so `<url>*` would also
 * match `<url>-evil` and `<url>/nested`; a repository name cannot hold `:` or `@`, so what
 * follows them is a tag or a digest of this repository. (Kyverno writes an image given with both
 * a tag and a digest as `<url>@<digest>`.)
 */
function imageReferences(repositoryUrl: string): string[] {
  const references = [repositoryUrl];
  // Some Kyverno releases name a one-component repository `<registry>/library/<name>` when they
  // match (Docker Hub's convention, applied to every registry; pkg/utils/image/infos.go): a
  // policy naming only `<registry>/<name>` would then match nothing and admit everything. Both
  // forms are matched, so either way the image is verified; an ECR repository actually named
  // `library/<name>` would be held to this pipeline's provenance too (refused, never admitted).
  const [registry, ...path] = repositoryUrl.split("/");
  if (path.length === 1) {
    references.push(`${registry}/library/${path[0]}`);
  }
  return references.flatMap((reference) => [`${reference}:*`, `${reference}@*`]);
}

/** What is wrong with the inputs, all at once: the URL's form, and the pipeline's attestations. */
function admissionPolicyProblems(settings: PipelineSettings, repositoryUrl: string): Problem[] {
  const problems: Problem[] = [];
  const parts = repositoryUrlPattern.exec(repositoryUrl)?.groups;
  if (parts === undefined) {
    problems.push(
      problem(
        "repositoryUrl",
        repositoryUrl,
        "a registry host and repository name without tag, digest or wildcard is allowed, " +
          `e.g. "123456789012.dkr.ecr.eu-west-2.amazonaws.com/${settings.repositoryName}"`,
      ),
    );
  } else if (parts.name !== settings.repositoryName) {
    problems.push(
      problem(
        "repositoryUrl",
        repositoryUrl,
        `the URL of the pipeline's repository is allowed, ending "/${settings.repositoryName}"`,
      ),
    );
  }
  if (!settings.github.attestations) {
    problems.push(
      problem(
        "github.attestations",
        settings.github.attestations,
        "true is allowed (the default): the policy admits only attested images, and the " +
          "workflow attests none without it",
      ),
    );
  }
  return problems;
}

/** The header: that it is generated, what it admits, and where the identity came from. */
function headerComment(
  app: string,
  settings: PipelineSettings,
  repositoryUrl: string,
  identity: BuilderIdentity,
): string {
  const { github } = settings;
  const gate = github.registryFindingsGate;
  const source =
    github.workflows.length > 0
      ? [
          " The identity comes from the app entry's reusable workflows (github.workflows): the",
          " workflows, at their refs, the push role trusts.",
        ]
      : github.environments.length > 0
        ? [
            " The identity comes from the refs that may deploy to the app entry's environments",
            ` (${github.environments.join(", ")}; github.environmentProtection): the push role trusts`,
            " only jobs in those environments.",
          ]
        : [
            " The identity comes from the app entry's trusted branches and tags (github.branches,",
            " github.tags): the refs the push role trusts.",
          ];
  return [
    ` Generated by trusted-delivery for ${app} (${settings.environment}): regenerate it, do not edit it.`,
    " Admits Pods (and, through Kyverno's generated rules, their controllers) running images of",
    `   ${repositoryUrl}`,
    " only when each image's digest has a SLSA build provenance attestation",
    ` (${provenancePredicateType}) of a build in ${identity.sourceRepository}, signed by`,
    " GitHub Actions for:",
    ...identity.workflows.flatMap(({ workflow, refs }) =>
      refs.map((ref) => `   ${workflow} at ${ref}`),
    ),
    ...source,
    ...(gate === undefined
      ? []
      : [
          ` It also requires a registry-scan attestation (${registryScanPredicateType}),`,
          " signed for the same identity, which the workflow makes only when the registry's own scan",
          ` of the digest found nothing at ${gate} or above (github.registryFindingsGate; a stricter`,
          " gate passes too).",
        ]),
    " Images of other repositories are not this policy's concern.",
  ].join("\n");
}

/**
 * Who must have signed each attestation an image needs: GitHub Actions, for the builder identity,
 * logged in Rekor. One home, so the provenance and the registry scan cannot be held to different
 * signers.
 */
function builderAttestors(identity: BuilderIdentity) {
  return [
    {
      entries: [
        {
          keyless: {
            issuer: identity.issuer,
            subjectRegExp: identity.subjectPattern,
            rekor: { url: publicGoodRekorUrl },
            // Not skipped: Kyverno then requires the log's timestamp (see above).
            ctlog: { ignoreSCT: false },
          },
        },
      ],
    },
  ];
}

/**
 * The attestation an image needs: SLSA provenance signed by GitHub Actions for the builder
 * identity, logged in Rekor, whose build ran in the app repository as a GitHub workflow.
 */
function provenanceAttestation(identity: BuilderIdentity) {
  return {
    type: provenancePredicateType,
    attestors: builderAttestors(identity),
    conditions: [
      {
        all: [
          {
            key: "{{ buildDefinition.buildType }}",
            operator: "Equals",
            value: githubWorkflowBuildType,
          },
          {
            key: "{{ buildDefinition.externalParameters.workflow.repository }}",
            operator: "Equals",
            value: `https://github.com/${identity.sourceRepository}`,
          },
        ],
      },
    ],
  };
}

/**
 * The gates whose passing proves at least what `gate` asks: `gate` and every lower severity, lowest
 * first. A lower gate is stricter (it fails on more), so an image that passed `HIGH` passed
 * `CRITICAL` too, and `UNKNOWN` (any finding) passes every gate.
 */
function admittedScanGates(gate: VulnerabilitySeverity): VulnerabilitySeverity[] {
  return vulnerabilitySeverities.slice(0, vulnerabilitySeverities.indexOf(gate) + 1);
}

/**
 * The second attestation a gated app's image needs: the registry-scan attestation
 * ({@link registryScanPredicateType}), signed by the same identity as the provenance, for a gate
 * at least as strict as the app's. Its existence is the proof that the scan passed (the workflow
 * makes it only then); the condition keeps an attestation of a laxer gate from counting.
 */
function registryScanAttestation(identity: BuilderIdentity, gate: VulnerabilitySeverity) {
  return {
    type: registryScanPredicateType,
    attestors: builderAttestors(identity),
    // AnyIn with the gate's name as the key. Kyverno v1.19.0's AnyIn also matches wildcards in
    // the key, but the key is the signed workflow's own GATE, never a pattern.
    //
    // No condition on the predicate's digest: Kyverno v1.19.0 puts the image's digest in the
    // context (`{{ image.digest }}`, `AddImageInfo` in `pkg/engine/internal/imageverifier.go`)
    // before it resolves a tag, so for a Pod that names its image by tag it is empty and the
    // condition would refuse the Pod. It would prove nothing more: the bundle verifier
    // (`verify.WithArtifactDigest` in `pkg/image/verifiers/cpol/cosign/sigstore.go`) already
    // requires the attestation's subject to be the digest being verified.
    conditions: [
      {
        all: [{ key: "{{ gate }}", operator: "AnyIn", value: admittedScanGates(gate) }],
      },
    ],
  };
}

/**
 * The Kyverno `ClusterPolicy`, as YAML text, that admits images of the pipeline's ECR repository
 * (`repositoryUrl`, e.g. the pipeline's `repositoryUrl` output) only when the pipeline's
 * build-and-push workflow built them: in `Enforce` mode, failing closed (`failurePolicy: Fail`,
 * so a Kyverno that cannot answer blocks rather than admits), for Pods and, through Kyverno's
 * auto-generated rules, the controllers that make them. Each image needs a provenance
 * attestation whose Sigstore certificate was issued by GitHub Actions' OIDC issuer to the
 * workflow at a trusted ref ({@link builderIdentity}), logged in the public-good Rekor, and whose
 * provenance names the app repository as the one the build ran in (for reusable workflows, the
 * certificate names the reusable workflow, so only the provenance names the caller). With a
 * registry findings gate, each image also needs a registry-scan attestation signed for the same
 * identity, for that gate or a stricter one: the workflow makes it only after the registry's scan
 * of the digest passed. Kyverno then rewrites the Pod's image to the digest it verified, so a tag
 * moved afterwards changes nothing.
 *
 * Throws an {@link InvalidArgumentsError} listing every problem: a `repositoryUrl` that is not
 * the URL of the pipeline's repository (with a tag, digest or wildcard it would match other
 * images), or a pipeline with `github.attestations` off, whose images the policy would refuse.
 */
export function kyvernoAdmissionPolicy(
  app: string,
  settings: PipelineSettings,
  repositoryUrl: string,
): string {
  const problems = admissionPolicyProblems(settings, repositoryUrl);
  if (problems.length > 0) {
    throw new InvalidArgumentsError(`The Kyverno admission policy for "${app}"`, problems);
  }
  const identity = builderIdentity(settings);
  const gate = settings.github.registryFindingsGate;
  const policy = {
    apiVersion: "kyverno.io/v1",
    kind: "ClusterPolicy",
    metadata: {
      name: admissionPolicyName(app, settings.environment),
      labels: { "app.kubernetes.io/managed-by": "trusted-delivery" },
      annotations: {
        "policies.kyverno.io/title": `Images of ${app} (${settings.environment}) built by its pipeline`,
        "policies.kyverno.io/subject": "Pod",
        "policies.kyverno.io/description":
          `Admits images of ${repositoryUrl} only with a SLSA provenance attestation signed ` +
          `for ${identity.sourceRepository}'s trusted build-and-push workflow` +
          (gate === undefined
            ? "."
            : `, and its attestation that the registry's scan found nothing at ${gate} or above.`),
      },
    },
    spec: {
      // Verification judges admission requests: a background scan of running Pods could only
      // report, at the price of registry and Sigstore calls for every Pod.
      background: false,
      webhookConfiguration: {
        failurePolicy: "Fail",
        // Verification fetches referrers and Sigstore's trust root: Kubernetes' upper limit.
        timeoutSeconds: 30,
      },
      rules: [
        {
          name: ruleName,
          match: { any: [{ resources: { kinds: ["Pod"] } }] },
          verifyImages: [
            {
              imageReferences: imageReferences(repositoryUrl),
              type: "SigstoreBundle",
              failureAction: "Enforce",
              required: true,
              verifyDigest: true,
              mutateDigest: true,
              imageRegistryCredentials: { providers: ["amazon"] },
              attestations: [
                provenanceAttestation(identity),
                ...(gate === undefined ? [] : [registryScanAttestation(identity, gate)]),
              ],
            },
          ],
        },
      ],
    },
  };
  const document = new YAML.Document(policy);
  document.commentBefore = headerComment(app, settings, repositoryUrl, identity);
  // No folding: a long subjectRegExp stays on one line, as a reviewer compares it.
  return document.toString({ lineWidth: 0 });
}
