import { githubOidcIssuerUrl } from "../policy-pack/governance/github";
import { PipelineSettings } from "./pipelineSettings";

/**
 * The predicate type of the build provenance the build-and-push workflow attests (`actions/attest`
 * writes SLSA provenance v1): what a verifier asks the attestation to be.
 */
export const provenancePredicateType = "https://slsa.dev/provenance/v1";

/** One workflow, at refs, that may have built an image: the workflow half of a builder identity. */
export interface BuilderWorkflow {
  /** The workflow file, `owner/name/.github/workflows/<file>`. */
  readonly workflow: string;
  /**
   * The refs it may have run at, `refs/heads/<branch>` or `refs/tags/<tag>` (with `*` matching
   * any characters, `/` included, as the push role's trust policy matches them), or a commit SHA.
   */
  readonly refs: readonly string[];
}

/**
 * Who a verifier requires to have built an image of the pipeline: the identity in the Sigstore
 * certificate of the image's provenance attestation. GitHub signs each attestation with a
 * short-lived certificate whose issuer is GitHub Actions' OIDC issuer and whose subject is the
 * workflow that ran, at the ref it ran at (`https://github.com/<owner>/<name>/<path>@<ref>`:
 * for a reusable workflow, the reusable workflow's file and ref). The identity is derived from
 * the same settings that scope the push role's trust, so a verifier requires exactly the builds
 * the role lets push, and a change to the trusted refs changes it too.
 */
export interface BuilderIdentity {
  /** The certificate's OIDC issuer. */
  readonly issuer: string;
  /** The repository the build ran in, `owner/name`: the attestation's source repository. */
  readonly sourceRepository: string;
  /** The workflows, at their refs, that may have built the image. */
  readonly workflows: readonly BuilderWorkflow[];
  /**
   * The certificate subject as an RE2 regular expression (what `gh attestation verify
   * --cert-identity-regex` and Kyverno's `subjectRegExp` take), anchored, matching exactly these
   * workflows at these refs.
   */
  readonly subjectPattern: string;
}

/** `text` with every RE2 metacharacter escaped. */
function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** A ref pattern as a regular expression: `*` matches any characters, as IAM's `StringLike` does. */
function refPattern(ref: string): string {
  return ref.split("*").map(escapeRegExp).join(".*");
}

/**
 * The branches and tags the generated build-and-push workflow runs on and can push from: the
 * trusted ones, or, with deployment environments, those the environments let deploy (GitHub
 * refuses a job in the environment at any other ref). The workflow's triggers and a verifier's
 * identity both come from here, so they cannot disagree.
 */
export function pushRefNames(settings: PipelineSettings): {
  readonly branches: readonly string[];
  readonly tags: readonly string[];
} {
  const { github } = settings;
  return github.environments.length > 0
    ? {
        branches: github.environmentProtection.deploymentBranches,
        tags: github.environmentProtection.deploymentTags,
      }
    : { branches: github.branches, tags: github.tags };
}

/** The refs the workflow can push from, as GitHub writes them (`refs/heads/...`, `refs/tags/...`). */
function pushRefs(settings: PipelineSettings): string[] {
  const { branches, tags } = pushRefNames(settings);
  return [
    ...branches.map((branch) => `refs/heads/${branch}`),
    ...tags.map((tag) => `refs/tags/${tag}`),
  ];
}

/**
 * The builder identity a verifier requires for the pipeline's images: the generated
 * build-and-push workflow (`github.workflowPath`) at the refs it may push from, or, when the
 * role trusts only reusable workflows (`github.workflows`), those workflows at their refs.
 */
export function builderIdentity(settings: PipelineSettings): BuilderIdentity {
  const { github } = settings;
  const workflows: BuilderWorkflow[] =
    github.workflows.length > 0
      ? github.workflows.map((reusable) => ({
          workflow: `${reusable.repository}/${reusable.path}`,
          refs: [reusable.ref],
        }))
      : [{ workflow: `${github.repository}/${github.workflowPath}`, refs: pushRefs(settings) }];
  const alternatives = workflows.flatMap(({ workflow, refs }) =>
    refs.map((ref) => `${escapeRegExp(workflow)}@${refPattern(ref)}`),
  );
  return {
    issuer: githubOidcIssuerUrl,
    sourceRepository: github.repository,
    workflows,
    subjectPattern: `^https://github\\.com/(?:${alternatives.join("|")})$`,
  };
}
