import { Problem, problem } from "../../../components/problems";
import { AwsSettings } from "../../workspace/awsConfig";
import { sameData } from "../../workspace/stackFile";
import { TerraformRegistry } from "./state";

/** The default tags adoption works with: Terraform's, the stack's, and what the provider will add. */
export interface AdoptedDefaultTags {
  /** What Terraform applied through the AWS provider's default_tags (tags_all minus tags). */
  readonly terraform: Readonly<Record<string, string>>;
  /** The stack's own `aws:defaultTags`, when it has readable ones. */
  readonly stack?: Readonly<Record<string, string>>;
  /** What the provider will add to every registry: the stack's, or else Terraform's (to be written). */
  readonly provider: Readonly<Record<string, string>>;
}

function terraformDefaults(registry: TerraformRegistry): Record<string, string> {
  return Object.fromEntries(
    Object.entries(registry.tagsAll).filter(([key]) => !(key in registry.tags)),
  );
}

/**
 * Terraform's default_tags become the stack's AWS provider default tags: one set for all
 * registries, equal to the stack's own if it has them. `stackHasDefaultTags` says whether the
 * stack sets `aws:defaultTags` readably (bad ones are the AWS settings' problems, reported there).
 */
export function adoptedDefaultTags(
  registries: readonly TerraformRegistry[],
  aws: AwsSettings,
  stackHasDefaultTags: boolean,
  stackFile: string,
): { tags: AdoptedDefaultTags; problems: Problem[] } {
  const problems: Problem[] = [];
  const terraform = terraformDefaults(registries[0]);
  for (const registry of registries.slice(1)) {
    if (!sameData(terraformDefaults(registry), terraform)) {
      problems.push(
        problem(
          `${registry.address}.tags_all`,
          registry.tagsAll,
          `must carry the same provider default tags as ${registries[0].address} (${JSON.stringify(terraform)}): registries with different default_tags go to different stacks`,
        ),
      );
    }
  }
  const stack = stackHasDefaultTags ? aws.defaultTags : undefined;
  if (stack !== undefined && Object.keys(terraform).length > 0 && !sameData(stack, terraform)) {
    problems.push(
      problem(
        "aws:defaultTags",
        stack,
        `must equal the default_tags Terraform applied, ${JSON.stringify(terraform)}, or adopted registries would change: reconcile them in ${stackFile} first`,
      ),
    );
  }
  return { tags: { terraform, stack, provider: stack ?? terraform }, problems };
}
