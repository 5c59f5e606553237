/**
 * The account's resources as the pack judges them, and what could not be read: both derived from
 * the registry of audited parts (`auditedTypes.ts`), region by region, then IAM's.
 */
import { accountTypes, AuditedPart, regionalTypes, resourceKinds } from "./auditedTypes";
import { AuditResource, Builder, LiveAccount } from "./liveResources";
import { Unread } from "../aws/unread";

export { resourceKinds } from "./auditedTypes";
export type { AuditResource, LiveAccount, ResourceLocation } from "./liveResources";
export { arnPath, UnknownValueError } from "./liveResources";

/** The parts of a registry and of an account, each with its value, in the registry's order. */
function regionalParts(registry: LiveAccount["registries"][number]) {
  return Object.entries(regionalTypes).map(([key, part]) => ({
    part: part as AuditedPart<unknown>,
    live: registry[key as keyof typeof regionalTypes] as unknown,
  }));
}

function accountParts(account: LiveAccount) {
  return Object.entries(accountTypes).map(([key, part]) => ({
    part: part as AuditedPart<unknown>,
    live: account[key as keyof typeof accountTypes] as unknown,
  }));
}

/** The account's resources as stacks: one per region read, then IAM's. */
export function auditStacks(account: LiveAccount): AuditResource[][] {
  const { partition } = account;
  const stacks = account.registries.map((registry) => {
    const builder = new Builder(registry.region, resourceKinds);
    const where = { account: account.account, partition, region: registry.region };
    regionalParts(registry).forEach(({ part, live }) => part.build(builder, live, where));
    return builder.resources;
  });
  const iam = new Builder("global", resourceKinds);
  const where = { account: account.account, partition };
  accountParts(account).forEach(({ part, live }) => part.build(iam, live, where));
  return [...stacks, iam.resources];
}

/** Everything that could not be read, in the order it was read. */
export function unreadParts(account: LiveAccount): Unread[] {
  return [
    ...(account.enabledRegions === undefined ? [] : [account.enabledRegions]),
    ...account.registries.flatMap((registry) =>
      regionalParts(registry).flatMap(({ part, live }) => part.unread(live)),
    ),
    ...accountParts(account).flatMap(({ part, live }) => part.unread(live)),
  ];
}

/**
 * Whether none of the account could be read: every part the audit reads on its own, in every
 * region and in IAM, could not be read (a part read only for another's findings has nothing to
 * read then). The audit then judges nothing, and says so (exit 3), rather than report an
 * account with no resources.
 */
export function nothingRead(account: LiveAccount): boolean {
  return [...account.registries.flatMap(regionalParts), ...accountParts(account)]
    .filter(({ part }) => part.readFor === undefined)
    .every(({ live }) => live instanceof Unread);
}
