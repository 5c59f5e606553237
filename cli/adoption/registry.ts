/**
 * An ECR repository to adopt, as its source holds it: a Terraform state
 * (`cli/adoption/terraform/state.ts`) or the account itself (`cli/adoption/account/liveRegistry.ts`). The
 * adoption phases that do not care where a registry was found (its app entry, its drift, its
 * imports) work on this shape; its attributes are those of the attribute table
 * (`cli/registry/attributes.ts`).
 */
import { RegistryAttributeValues } from "../registry/attributes";

export interface ExistingRegistry extends RegistryAttributeValues {
  /** The import ID of the repository: its name. */
  readonly id: string;
  readonly arn: string;
  /** The AWS region, from the ARN. */
  readonly region: string;
  /** The AWS account id, from the ARN. */
  readonly account: string;
  readonly lifecyclePolicy?: ExistingLifecyclePolicy;
  /** Its repository policy, when it has one and it was read. */
  readonly repositoryPolicy?: ExistingRepositoryPolicy;
}

export interface ExistingRepositoryPolicy {
  /** The import ID of the repository policy: its repository's name. */
  readonly id: string;
  /** The policy's JSON text. */
  readonly policy: string;
}

export interface ExistingLifecyclePolicy {
  /** The import ID of the lifecycle policy: its repository's name. */
  readonly id: string;
  /** The policy's JSON text. */
  readonly policy: string;
}
