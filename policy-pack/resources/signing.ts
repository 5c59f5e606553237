/**
 * What a registry's signing configuration signs (ECR managed signing): its rules read from an
 * `aws-native:ecr:SigningConfiguration` (a stack's, or the one the audit reads), and ECR's
 * filter semantics as the IAM model's languages, matched against a repository's name.
 *
 * ECR's API reference (`SigningRule`, `SigningRepositoryFilter`): a rule without filters signs
 * every repository; a `WILDCARD_MATCH` filter matches the whole repository name, each `*`
 * standing for any sequence of characters (`myapp/*` matches the names that start with
 * `myapp/`, `*prod*` those that contain `prod`), so a filter without `*` matches that one name
 * (`ledger` does not match `ledger-service`, unlike a scanning filter); an image matched by
 * several rules is signed with each rule's profile. What cannot be read this way (another
 * filter type, a filter outside ECR's pattern) is never taken to match: it is named instead.
 */
import { Language, matches } from "../iam/automaton";
import { compilePattern } from "../iam/patterns";
import { awsNativeTypes } from "../governance/typeTokens";
import { normalize, ResourceLike } from "./normalize";

/** The one filter type ECR's signing rules take. */
export const signingFilterType = "WILDCARD_MATCH";

/** ECR's pattern for a signing filter (`SigningRepositoryFilter.filter`). */
const signingFilterPattern =
  /^(?:[a-z0-9*]+(?:[._-][a-z0-9*]+)*\/)*[a-z0-9*]+(?:[._-][a-z0-9*]+)*$/;

/** A filter of a signing rule, as given: its value and type, whatever they are. */
export interface SigningFilter {
  readonly filter: unknown;
  readonly filterType: unknown;
}

/** A signing rule: the repositories it signs. */
export interface SigningRule {
  /** Its filters; none: every repository of the registry. */
  readonly filters: readonly SigningFilter[];
}

/**
 * A registry signing configuration's rules, read in full (so a value unknown during a preview
 * throws here, not later); undefined for other resources.
 */
export function registrySigningRules(resource: ResourceLike): SigningRule[] | undefined {
  const normalized = normalize(resource);
  const { type } = normalized;
  if (type !== awsNativeTypes.ecrSigningConfiguration) {
    return undefined;
  }
  const rules: any[] = normalized.props.rules ?? [];
  return rules.map((rule) => ({
    filters: ((rule?.repositoryFilters ?? []) as any[]).map((f) => ({
      filter: f?.filter,
      filterType: f?.filterType,
    })),
  }));
}

/** A filter as ECR would read it: `{ language }`, or why it cannot be read. */
export function signingFilterLanguage(
  filter: SigningFilter,
): { readonly language: Language } | { readonly unreadable: string } {
  const shown = `${JSON.stringify(filter.filter) ?? String(filter.filter)} (filterType ${JSON.stringify(filter.filterType) ?? String(filter.filterType)})`;
  if (filter.filterType !== signingFilterType) {
    return { unreadable: `${shown}: only ${signingFilterType} filters can be read` };
  }
  if (typeof filter.filter !== "string" || !signingFilterPattern.test(filter.filter)) {
    return {
      unreadable: `${shown}: not a repository name pattern of lowercase letters, digits, ".", "_", "-", "/" and "*"`,
    };
  }
  const compiled = compilePattern(filter.filter, { wildcards: true });
  return "language" in compiled
    ? { language: compiled.language }
    : { unreadable: `${shown}: ${compiled.unknown}` };
}

/**
 * Rules read once: the names their literal filters sign, their filters with `*`, whether one
 * rule signs all, and why the filters that cannot be read cannot (in the rules' order).
 */
interface ReadRules {
  readonly signsEvery: boolean;
  readonly exact: ReadonlySet<string>;
  readonly wildcards: readonly Language[];
  readonly unreadable: readonly string[];
}

const readRules = new WeakMap<readonly SigningRule[], ReadRules>();

function read(rules: readonly SigningRule[]): ReadRules {
  let known = readRules.get(rules);
  if (known === undefined) {
    const exact = new Set<string>();
    const wildcards: Language[] = [];
    const unreadable: string[] = [];
    for (const filter of rules.flatMap((rule) => rule.filters)) {
      const language = signingFilterLanguage(filter);
      if (!("language" in language)) {
        unreadable.push(language.unreadable);
      } else if ((filter.filter as string).includes("*")) {
        wildcards.push(language.language);
      } else {
        exact.add(filter.filter as string);
      }
    }
    known = {
      signsEvery: rules.some((rule) => rule.filters.length === 0),
      exact,
      wildcards,
      unreadable,
    };
    readRules.set(rules, known);
  }
  return known;
}

/**
 * Whether the rules sign the repository `name`: a rule without filters, or a readable filter
 * that matches the whole name (unreadable filters: no). A filter without `*` is its one name,
 * so those are a set; the others are matched as languages. The rules are read once (by array),
 * so judging every repository of a stack against one configuration is linear in both.
 */
export function signsName(rules: readonly SigningRule[], name: string): boolean {
  const { signsEvery, exact, wildcards } = read(rules);
  return signsEvery || exact.has(name) || wildcards.some((language) => matches(language, name));
}

/** Why a name may be left unsigned: the filters that could not be read, in the rules' order. */
export function unreadableSigningFilters(rules: readonly SigningRule[]): readonly string[] {
  return read(rules).unreadable;
}
