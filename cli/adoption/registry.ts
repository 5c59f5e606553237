/**
 * An ECR repository to adopt, as its source holds it: a Terraform state
 * (`cli/adoption/terraform/state.ts`) or the account itself (`cli/adoption/account/liveRegistry.ts`). The
 * adoption phases that do not care where a registry was found (its app entry, its drift, its
 * imports) work on this shape.
 */
export interface ExistingRegistry {
  /** The repository's name, which is also its ID and the app's key. */
  readonly name: string;
  /** The import ID of the repository: its name. */
  readonly id: string;
  readonly arn: string;
  /** The AWS region, from the ARN. */
  readonly region: string;
  /** The AWS account id, from the ARN. */
  readonly account: string;
  readonly imageTagMutability: string;
  readonly encryptionType: string;
  /** The KMS key ARN AWS reports ("" for AES256). */
  readonly kmsKey: string;
  readonly scanOnPush: boolean;
  readonly forceDelete: boolean;
  /** The tags besides the AWS provider's default tags. */
  readonly tags: Readonly<Record<string, string>>;
  /** Every tag the repository carries, the provider's default tags included. */
  readonly tagsAll: Readonly<Record<string, string>>;
  readonly lifecyclePolicy?: ExistingLifecyclePolicy;
}

export interface ExistingLifecyclePolicy {
  /** The import ID of the lifecycle policy: its repository's name. */
  readonly id: string;
  /** The policy's JSON text. */
  readonly policy: string;
}
