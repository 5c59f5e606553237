import { attributesFromLive } from "../../registry/attributes";
import { ExistingRegistry } from "../registry";
import { LiveRepository } from "../../aws/readRegistries";
import { Unread } from "../../aws/unread";

/**
 * A live repository in the shape adoption works on, as the AWS provider imports it: `tagsAll`
 * every tag it carries, `tags` those that are not the provider's default tags (a tag whose key
 * and value the stack's `aws:defaultTags` give is the provider's), `forceDelete` false (AWS does
 * not hold it: an import starts from the provider's default). Or, when its tags or lifecycle
 * policy could not be read, what could not: adoption compares both, so it cannot go without.
 */
export function existingRegistry(
  live: LiveRepository,
  region: string,
  providerDefaultTags: Readonly<Record<string, string>>,
): { registry: ExistingRegistry } | { unread: Unread[] } {
  const { tags, lifecyclePolicy } = live;
  if (tags instanceof Unread || lifecyclePolicy instanceof Unread) {
    return {
      unread: [tags, lifecyclePolicy].filter((part): part is Unread => part instanceof Unread),
    };
  }
  return {
    registry: {
      ...attributesFromLive(live, tags, providerDefaultTags),
      id: live.name,
      arn: live.arn,
      region,
      account: live.registryId,
      ...(lifecyclePolicy !== undefined && {
        lifecyclePolicy: { id: live.name, policy: lifecyclePolicy },
      }),
      ...(typeof live.repositoryPolicy === "string" && {
        repositoryPolicy: { id: live.name, policy: live.repositoryPolicy },
      }),
    },
  };
}
