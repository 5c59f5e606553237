import { governanceTagKeys } from "../../../components/defaults";
import { RegistryMetadata } from "../../../components/pipelineArgs";
import { isPlainObject, Problem, problem } from "../../../components/problems";
import { isRiskLevel, riskLevels } from "../../../components/riskTiers";
import { Governance } from "../appEntries";
import { ExistingRegistry } from "../registry";
import { listed } from "../../core/text";

/** The metadata governance tags carry: `id`, `owner`, `risk`. */
type MetadataKey = keyof ReturnType<typeof governanceTagKeys>;
const metadataKeys: readonly MetadataKey[] = ["id", "owner", "risk"];

/** `--id`, `--owner`, `--risk`: metadata per registry, where its tags do not carry it. */
export type GovernanceFlags = Readonly<Record<MetadataKey, Readonly<Record<string, string>>>>;

/** The flag that gives each metadata key. */
export const governanceFlags: Readonly<Record<MetadataKey, string>> = {
  id: "--id",
  owner: "--owner",
  risk: "--risk",
};

/** What a flag must say, per key, when the registry's tags lack it. */
const asked: Readonly<Record<MetadataKey, { what: string; value: string }>> = {
  id: { what: "its catalog id", value: "<ID> (upper-case letters, digits and _)" },
  owner: { what: "the team that owns it", value: "<team>" },
  risk: { what: "its risk", value: `<${riskLevels.join("|")}>` },
};

/** The registries' governance, and for each the notes its drift table should carry. */
export interface AccountGovernance {
  readonly governance: Map<string, Governance>;
  readonly notes: Map<string, string[]>;
  readonly problems: Problem[];
}

/**
 * Each registry's governance, read from its tags (`<prefix>id`, `owner`, `risk`): the tags
 * decide. Where a registry new to the stack lacks one, the flag must give it (it is asked for,
 * never invented); a flag that contradicts a tag is refused. A registry the stack already has
 * keeps the stack's entry (which must agree with the tags, as `adoptedApps` checks), and a flag
 * for it must match that entry or be left out. Flags must name registries being adopted.
 */
export function accountGovernance(
  registries: readonly ExistingRegistry[],
  flags: GovernanceFlags,
  stack: {
    readonly apps: Readonly<Record<string, unknown>>;
    readonly key: string;
    readonly file: string;
  },
  tagPrefix: string,
): AccountGovernance {
  const keys = governanceTagKeys(tagPrefix);
  const governance = new Map<string, Governance>();
  const notes = new Map<string, string[]>();
  const names = registries.map((r) => r.name);
  const problems: Problem[] = flagProblems(flags, names);

  for (const registry of registries) {
    const { name } = registry;
    const tags = taggedMetadata(registry, keys);
    problems.push(...tags.problems);
    const tagged = tags.tagged as Partial<RegistryMetadata>;
    const existing = stack.apps[name];
    if (isPlainObject(existing)) {
      problems.push(...keptEntryProblems(name, existing, flags, stack.file));
      if (tags.problems.length === 0) {
        governance.set(name, { tagged });
      }
      continue;
    }
    const given = flaggedMetadata(registry, tags.tagged, flags, keys);
    problems.push(...given.problems);
    if (tags.problems.length + given.problems.length === 0 && isRiskLevel(given.metadata.risk)) {
      governance.set(name, { tagged, metadata: given.metadata as RegistryMetadata });
      if (given.fromFlags.length > 0) {
        notes.set(name, [
          `${listed(given.fromFlags)} given, not tagged: the pipeline tags the registry with ${given.fromFlags.length === 1 ? "it" : "them"}`,
        ]);
      }
    }
  }
  return { governance, notes, problems };
}

/** Flags must name registries being adopted, and a risk flag a risk level. */
function flagProblems(flags: GovernanceFlags, names: readonly string[]): Problem[] {
  const problems: Problem[] = [];
  for (const key of metadataKeys) {
    for (const [name, value] of Object.entries(flags[key])) {
      if (!names.includes(name)) {
        problems.push(
          problem(
            `${governanceFlags[key]} ${name}`,
            value,
            `must name a registry in the --registry list; it has ${listed(names)}`,
          ),
        );
      } else if (key === "risk" && !isRiskLevel(value)) {
        problems.push(problem(`--risk ${name}`, value, `must be one of ${riskLevels.join(", ")}`));
      }
    }
  }
  return problems;
}

/** The metadata a registry's governance tags carry; a risk tag that is no risk level is refused. */
function taggedMetadata(
  registry: ExistingRegistry,
  keys: ReturnType<typeof governanceTagKeys>,
): { tagged: Partial<Record<MetadataKey, string>>; problems: Problem[] } {
  const tagged: Partial<Record<MetadataKey, string>> = {};
  const problems: Problem[] = [];
  for (const key of metadataKeys) {
    const tag = registry.tagsAll[keys[key]];
    if (key === "risk" && tag !== undefined && !isRiskLevel(tag)) {
      problems.push(
        problem(
          `${registry.name} tag ${keys.risk}`,
          tag,
          `must be one of ${riskLevels.join(", ")}: fix the tag in AWS (adoption writes nothing there), or remove it and pass --risk ${registry.name}=<level>`,
        ),
      );
    } else if (tag !== undefined) {
      tagged[key] = tag;
    }
  }
  return { tagged, problems };
}

/** A registry the stack already has keeps its entry: a flag for it must match the entry. */
function keptEntryProblems(
  name: string,
  existing: Record<string, unknown>,
  flags: GovernanceFlags,
  file: string,
): Problem[] {
  const declared = isPlainObject(existing.metadata) ? existing.metadata : {};
  const problems: Problem[] = [];
  for (const key of metadataKeys) {
    const given = flags[key][name];
    if (given !== undefined && given !== declared[key]) {
      problems.push(
        problem(
          `${governanceFlags[key]} ${name}`,
          given,
          `must match the app's metadata.${key} in ${file}, ${JSON.stringify(declared[key])}, or be left out: adoption keeps the stack's entry`,
        ),
      );
    }
  }
  return problems;
}

/**
 * A registry new to the stack: each key from its tag, else from its flag (which is noted), else
 * asked for; a flag that contradicts a tag is refused.
 */
function flaggedMetadata(
  registry: ExistingRegistry,
  tagged: Partial<Record<MetadataKey, string>>,
  flags: GovernanceFlags,
  keys: ReturnType<typeof governanceTagKeys>,
): { metadata: Partial<Record<MetadataKey, string>>; fromFlags: string[]; problems: Problem[] } {
  const { name } = registry;
  const metadata: Partial<Record<MetadataKey, string>> = {};
  const fromFlags: string[] = [];
  const problems: Problem[] = [];
  for (const key of metadataKeys) {
    const tag = tagged[key];
    const given = flags[key][name];
    const flag = `${governanceFlags[key]} ${name}`;
    if (given !== undefined && tag !== undefined && given !== tag) {
      problems.push(
        problem(
          flag,
          given,
          `must match the registry's tag ${keys[key]}, ${JSON.stringify(tag)}, or be left out: adoption reads governance from the tags`,
        ),
      );
    } else if (tag !== undefined) {
      metadata[key] = tag;
    } else if (given !== undefined) {
      metadata[key] = given;
      fromFlags.push(`${key} ${JSON.stringify(given)} (${governanceFlags[key]})`);
    } else if (!(key === "risk" && registry.tagsAll[keys.risk] !== undefined)) {
      problems.push(
        problem(
          flag,
          undefined,
          `must give ${asked[key].what}, since the registry carries no tag ${keys[key]}: pass ${governanceFlags[key]} ${name}=${asked[key].value}`,
        ),
      );
    }
  }
  return { metadata, fromFlags, problems };
}
