import { createHash } from "crypto";
import { componentTypes } from "../policy-pack/governance/typeTokens";

/** IAM's limit on role names. */
export const iamRoleNameMaxLength = 64;

/**
 * The environment as it appears in GitHub secret and variable names: upper-cased, with every
 * character GitHub does not allow there turned into `_` (`prod-eu` becomes `PROD_EU`).
 */
export function environmentNameSuffix(environment: string): string {
  return environment.toUpperCase().replace(/[^A-Z0-9_]/g, "_");
}

/** The Actions secret that holds the push role's ARN, unless `github.secretName` is given. */
export function defaultRoleSecretName(environment: string): string {
  return `TF_AWS_IAM_ROLE_${environmentNameSuffix(environment)}`;
}

/** The Actions variable that holds the ECR repository URL, unless overridden. */
export function defaultRepositoryUrlVariableName(environment: string): string {
  return `ECR_REPOSITORY_URL_${environmentNameSuffix(environment)}`;
}

/** The Actions variable that holds the AWS region, unless overridden. */
export function defaultRegionVariableName(environment: string): string {
  return `AWS_REGION_${environmentNameSuffix(environment)}`;
}

/** The Actions variable that holds the signing profile's ARN, when images are signed. */
export function defaultSigningProfileVariableName(environment: string): string {
  return `ECR_SIGNING_PROFILE_ARN_${environmentNameSuffix(environment)}`;
}

/**
 * The push role's name: `ecr-push-<environment>-<repository>`, with `/` (allowed in ECR
 * names, not in IAM names) turned into `-`. Names over IAM's 64 characters are cut and end in
 * a hash of the full name, so the result is stable across runs and distinct per repository.
 */
export function pushRoleName(repositoryName: string, environment: string): string {
  const full = `ecr-push-${environment}-${repositoryName.replace(/\//g, "-")}`;
  if (full.length <= iamRoleNameMaxLength) {
    return full;
  }
  const hash = createHash("sha256").update(full).digest("hex").slice(0, 8);
  const kept = full.slice(0, iamRoleNameMaxLength - hash.length - 1).replace(/-+$/, "");
  return `${kept}-${hash}`;
}

/**
 * Where the pipeline commits the build-and-push workflow in the app repository. The name carries
 * the environment: every stack serving the repository commits its own.
 */
export function buildPushWorkflowPath(environment: string): string {
  return `.github/workflows/ci-build-push-${environment}.yml`;
}

/** The pipeline component's type token. */
export const trustedDeliveryPipelineType = componentTypes.trustedDeliveryPipeline;

/** An environment name as a part of a resource name: lower case, spaces as hyphens. */
function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9._-]+/g, "-");
}

/** The names of a pipeline's children, derived from its own: stable, as URNs depend on them. */
export function pipelineChildNames(name: string) {
  return {
    oidcProvider: `${name}-oidc`,
    repository: `${name}-repository`,
    lifecyclePolicy: `${name}-lifecycle`,
    repositoryPolicy: `${name}-pull-policy`,
    role: `${name}-push-role`,
    pushPolicy: `${name}-push-policy`,
    roleSecret: `${name}-role-secret`,
    repositoryUrlVariable: `${name}-repository-url`,
    regionVariable: `${name}-region`,
    signingProfileVariable: `${name}-signing-profile`,
    workflowFile: `${name}-workflow`,
    /** Per GitHub deployment environment. */
    environment: (environment: string) => `${name}-environment-${slug(environment)}`,
    environmentSecret: (environment: string) => `${name}-role-secret-${slug(environment)}`,
    deploymentPolicy: (environment: string, kind: "branch" | "tag", index: number) =>
      `${name}-environment-${slug(environment)}-${kind}-${index}`,
  } as const;
}
