/**
 * What a principal's identity policies let it do, worked out as IAM evaluates them: every
 * statement of every policy together, Allow and Deny, `Action`/`NotAction` (wildcards, any
 * letter case), `Resource`/`NotResource` (wildcards, where a `*` also spans `:`). Conditions are
 * not known from the policy alone (they test the request), so an Allow is assumed to apply
 * whatever its conditions and a Deny only when it has none: what the model finds allowed is a
 * superset of what IAM allows (fail closed).
 *
 * The questions the least-privilege rule asks:
 * - can it perform an action of a given list (privilege escalation: IAM and STS writes)?
 * - can it write to an ECR repository whose ARN it does not name literally (a wildcard that
 *   reaches other teams' repositories)?
 * - can it change the registry as a whole?
 */
import { anyString, charsOf, concat, Language, literal, plus, times, union } from "./automaton";
import { conditionsFormula } from "./conditions";
import { PolicyDocument, Statement, usesPolicyVariables } from "./document";
import { and, atom, bound, evaluate, Formula, not, or, solve, TRUE, unknown } from "./formula";
import { actionMatches, compilePattern, isLiteralValue } from "./patterns";

/** A policy of the principal, with how to name it in a message (`inline policy "push"`). */
export interface PolicySource {
  readonly label: string;
  readonly document: PolicyDocument;
}

export type GrantKind = "escalation" | "registry-write" | "other-repository" | "undecided";

export interface GrantFinding {
  readonly kind: GrantKind;
  /** The actions of this kind the principal is allowed (each on some resource). */
  readonly actions: readonly string[];
  /** A resource it may act on that shows the problem. */
  readonly resource: string;
  /** `<policy> <statement>` of each Allow that grants it. */
  readonly statements: readonly string[];
}

export interface PermissionQuestions {
  readonly escalationActions: readonly string[];
  readonly repositoryWriteActions: readonly string[];
  readonly registryWriteActions: readonly string[];
}

interface Grant {
  readonly source: string;
  readonly statement: Statement;
  /** The resources it covers, bounded as its effect requires. */
  readonly formula: Formula;
}

const regionCharacters = charsOf("abcdefghijklmnopqrstuvwxyz0123456789-");
const digits = charsOf("0123456789");
const repositoryNameCharacters = charsOf("abcdefghijklmnopqrstuvwxyz0123456789._-/");

/** `arn:<partition>:ecr:<region>:<account>:repository/<name>`. */
export function ecrRepositoryArn(account?: string, partition?: string): Language {
  return concat(
    union(
      ...(partition === undefined ? partitions : [partition]).map((p) => literal(`arn:${p}:ecr:`)),
    ),
    [plus(regionCharacters)],
    literal(":"),
    account === undefined ? [times(digits, 12)] : literal(account),
    literal(":repository/"),
    [plus(repositoryNameCharacters)],
  );
}

/** AWS's partitions. */
const partitions = [
  "aws",
  "aws-cn",
  "aws-us-gov",
  "aws-iso",
  "aws-iso-b",
  "aws-iso-e",
  "aws-iso-f",
  "aws-eusc",
];

const ecrRepositoryArnPattern =
  /^arn:aws(?:-[a-z]+)*:ecr:[a-z0-9-]+:\d{12}:repository\/[a-z0-9._/-]+$/;

/** The resources a statement names, as a formula on the variable `resource`. */
function resourceFormula(statement: Statement, variables: boolean): Formula {
  const resources = statement.resources;
  if (resources === undefined) {
    // IAM refuses identity policies without Resource; read it as every resource.
    return TRUE;
  }
  const languages: Language[] = [];
  let unknownReason: string | undefined;
  for (const pattern of resources.patterns) {
    const compiled = compilePattern(pattern, { wildcards: true, variables });
    if ("unknown" in compiled) {
      unknownReason ??= compiled.unknown;
    } else {
      languages.push(compiled.language);
    }
  }
  let listed: Formula = languages.length > 0 ? atom("resource", union(...languages)) : or();
  if (unknownReason !== undefined) {
    listed = or(listed, unknown(unknownReason));
  }
  return resources.not ? not(listed) : listed;
}

function coversAction(statement: Statement, action: string): boolean {
  const listed = statement.actions.patterns.some((pattern) => actionMatches(pattern, action));
  return statement.actions.not ? !listed : listed;
}

/** Statement conditions test the request, which the policy alone does not tell. */
const unknownKeys = () => ({ kind: "unknown", reason: "a request condition" }) as const;

function grants(sources: readonly PolicySource[]): { allows: Grant[]; denies: Grant[] } {
  const allows: Grant[] = [];
  const denies: Grant[] = [];
  for (const source of sources) {
    const variables = usesPolicyVariables(source.document);
    for (const statement of source.document.statements) {
      const raw = and(
        resourceFormula(statement, variables),
        conditionsFormula(statement.conditions, unknownKeys, variables),
      );
      const grant = {
        source: `${source.label} ${statement.label}`,
        statement,
        formula: bound(raw, statement.effect === "Allow" ? "upper" : "lower"),
      };
      (statement.effect === "Allow" ? allows : denies).push(grant);
    }
  }
  return { allows, denies };
}

interface ActionGroup {
  readonly actions: string[];
  readonly allows: readonly Grant[];
  readonly allowed: Formula;
}

/** Actions grouped by the statements that cover them, each group with what it is allowed on. */
function groups(
  actions: readonly string[],
  allows: readonly Grant[],
  denies: readonly Grant[],
): ActionGroup[] {
  const bySignature = new Map<string, ActionGroup>();
  for (const action of actions) {
    const allowing = allows.filter((g) => coversAction(g.statement, action));
    if (allowing.length === 0) {
      continue;
    }
    const denying = denies.filter((g) => coversAction(g.statement, action));
    const signature = [...allowing, ...denying]
      .map((g) => `${allows.indexOf(g)}:${denies.indexOf(g)}`)
      .join(",");
    const group = bySignature.get(signature);
    if (group) {
      group.actions.push(action);
    } else {
      bySignature.set(signature, {
        actions: [action],
        allows: allowing,
        allowed: and(
          or(...allowing.map((g) => g.formula)),
          not(or(...denying.map((g) => g.formula))),
        ),
      });
    }
  }
  return [...bySignature.values()];
}

function statementsAllowing(group: ActionGroup, resource: string): string[] {
  return group.allows.filter((g) => evaluate(g.formula, { resource })).map((g) => g.source);
}

/** A resource the formula allows, preferring the natural `probes`; undefined when none. */
function findResource(
  formula: Formula,
  probes: readonly string[],
): { resource: string } | "none" | "unknown" {
  for (const probe of probes) {
    if (evaluate(formula, { resource: probe })) {
      return { resource: probe };
    }
  }
  const result = solve(formula);
  if (result.kind !== "found") {
    return result.kind;
  }
  return { resource: result.values.resource ?? "*" };
}

/**
 * Repository ARNs the Allows name literally: the principal's own repositories. A write on any
 * other is a write on another team's.
 */
function namedRepositories(allows: readonly Grant[], denies: readonly Grant[]): string[] {
  // An Allow names them in Resource; a Deny that takes everything else back, in NotResource.
  const literal = (g: Grant, not: boolean) =>
    g.statement.resources && g.statement.resources.not === not
      ? g.statement.resources.patterns.filter(
          (p) => isLiteralValue(p) && ecrRepositoryArnPattern.test(p),
        )
      : [];
  return [...allows.flatMap((g) => literal(g, false)), ...denies.flatMap((g) => literal(g, true))];
}

/** Whether every Allow of the group lists only literal resources: then it names all it reaches. */
function onlyLiteralResources(group: ActionGroup): boolean {
  return group.allows.every(
    (g) =>
      g.statement.resources !== undefined &&
      !g.statement.resources.not &&
      g.statement.resources.patterns.every(isLiteralValue),
  );
}

/**
 * Natural repositories to try first: another team's beside the one named, and the patterns the
 * Allows give with their wildcards filled in.
 */
function otherRepositoryProbes(named: readonly string[], group: ActionGroup): string[] {
  const sample = named[0] ?? "arn:aws:ecr:eu-west-2:123456789012:repository/app";
  const filled = group.allows.flatMap((g) =>
    (g.statement.resources?.patterns ?? [])
      .filter((p) => /:repository\/.*[*?]/.test(p))
      .map((p) => p.replace(/\*/g, "other").replace(/\?/g, "x")),
  );
  return [
    ...["another-team-app", "b", "other"].map((name) =>
      sample.replace(/repository\/.*$/, `repository/${name}`),
    ),
    ...filled,
  ];
}

/**
 * The partition and account the policies' own ARNs name (the principal's, presumably), or AWS's
 * partition and example account: IAM never lets a principal act in another partition.
 */
function homeOf(sources: readonly PolicySource[]): { partition: string; account: string } {
  for (const source of sources) {
    for (const statement of source.document.statements) {
      for (const pattern of statement.resources?.patterns ?? []) {
        const match = /^arn:(aws[a-z-]*):[a-z0-9-]+:[a-z0-9-]*:(\d{12}):/.exec(pattern);
        if (match) {
          return { partition: match[1], account: match[2] };
        }
      }
    }
  }
  return { partition: "aws", account: "123456789012" };
}

/** What the policies let the principal do that the questions ask about. */
export function analyzePermissions(
  sources: readonly PolicySource[],
  questions: PermissionQuestions,
): GrantFinding[] {
  const { allows, denies } = grants(sources);
  if (allows.length === 0) {
    return [];
  }
  const findings: GrantFinding[] = [];
  const { partition, account } = homeOf(sources);
  // IAM and STS actions act on the principal's own account's identities: look there first.
  const identity = concat(literal(`arn:${partition}:iam::${account}:`), anyString);
  const anyResource = (kind: GrantKind, actions: readonly string[], where?: Language) => {
    for (const group of groups(actions, allows, denies)) {
      const found = findResource(
        where === undefined ? group.allowed : and(group.allowed, atom("resource", where)),
        where === undefined
          ? ["*"]
          : ["role/admin", "user/admin", "policy/admin"].map(
              (r) => `arn:${partition}:iam::${account}:${r}`,
            ),
      );
      if (found === "unknown") {
        findings.push({
          kind: "undecided",
          actions: group.actions,
          resource: "*",
          statements: group.allows.map((g) => g.source),
        });
      } else if (found !== "none") {
        findings.push({
          kind,
          actions: group.actions,
          resource: found.resource,
          statements: statementsAllowing(group, found.resource),
        });
      }
    }
  };
  anyResource("escalation", questions.escalationActions, identity);
  // IAM authorises registry-wide actions on the resource "*". An Allow with Resource grants
  // them whatever its patterns (read so, failing closed: a pattern that names something else
  // grants nothing in IAM); one with NotResource grants them unless a pattern covers "*".
  const grantsRegistry = (g: Grant) =>
    !g.statement.resources?.not ||
    !g.statement.resources.patterns.some((p) => p === "*" || p === "?");
  for (const group of groups(questions.registryWriteActions, allows, denies)) {
    const granting = group.allows.filter(grantsRegistry);
    // A Deny refuses them only through a Resource of "*" (and no condition): whether IAM
    // matches "*" against NotResource patterns is not documented, so those are not counted.
    const denied = denies.some(
      (d) =>
        group.actions.every((a) => coversAction(d.statement, a)) &&
        d.statement.resources !== undefined &&
        !d.statement.resources.not &&
        evaluate(d.formula, { resource: "*" }),
    );
    if (granting.length > 0 && !denied) {
      findings.push({
        kind: "registry-write",
        actions: group.actions,
        resource: "*",
        statements: granting.map((g) => g.source),
      });
    }
  }
  for (const group of groups(questions.repositoryWriteActions, allows, denies)) {
    if (onlyLiteralResources(group)) {
      continue;
    }
    const named = namedRepositories(allows, denies);
    const elsewhere = (arns: Language) =>
      and(
        group.allowed,
        atom("resource", arns),
        ...named.map((arn) => not(atom("resource", literal(arn)))),
      );
    // Repositories of the principal's own account first: another team's, most likely.
    let found = findResource(
      elsewhere(ecrRepositoryArn(account, partition)),
      otherRepositoryProbes(named, group),
    );
    if (found === "none") {
      found = findResource(elsewhere(ecrRepositoryArn(undefined, partition)), []);
    }
    if (found === "unknown") {
      findings.push({
        kind: "undecided",
        actions: group.actions,
        resource: "*",
        statements: group.allows.map((g) => g.source),
      });
    } else if (found !== "none") {
      findings.push({
        kind: "other-repository",
        actions: group.actions,
        resource: found.resource,
        statements: statementsAllowing(group, found.resource),
      });
    }
  }
  return mergeByKind(findings);
}

/** One finding per kind, with the actions and statements of every group that shows it. */
function mergeByKind(findings: readonly GrantFinding[]): GrantFinding[] {
  const merged = new Map<string, GrantFinding>();
  for (const finding of findings) {
    const existing = merged.get(finding.kind);
    merged.set(
      finding.kind,
      existing
        ? {
            ...existing,
            actions: [...new Set([...existing.actions, ...finding.actions])],
            statements: [...new Set([...existing.statements, ...finding.statements])],
          }
        : finding,
    );
  }
  return [...merged.values()];
}
