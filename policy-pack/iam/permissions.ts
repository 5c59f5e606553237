/**
 * What a principal's identity policies let it do, worked out as IAM evaluates them: every
 * statement of every policy together, Allow and Deny, `Action`/`NotAction` (wildcards, any
 * letter case), `Resource`/`NotResource` (wildcards, where a `*` also spans `:`). Conditions are
 * not known from the policy alone (they test the request), so an Allow is assumed to apply
 * whatever its conditions and a Deny only when it has none: what the model finds allowed is a
 * superset of what IAM allows (MODEL.md, "Doubt grants").
 *
 * The questions the least-privilege rule asks:
 * - can it give itself more rights: an IAM or STS write action, or every action of a known
 *   escalation path (`governance/escalationPaths.ts`), on some resource it can reach?
 * - can it write to an ECR repository whose ARN it does not name literally (a wildcard that
 *   reaches other teams' repositories)?
 * - can it undo its own repository's governance (its policy, scanning, tags, retention)?
 * - can it change the registry as a whole?
 *
 * The principal's partition and account are what the stack knows of them, or any: an IAM write
 * is looked for on identities of those accounts, everything else on any resource.
 *
 * A permissions boundary, when its document is known, is judged as IAM judges it: an action is
 * allowed only where the identity policies allow it and the boundary allows it too (and denies
 * it nowhere). Each side is over-approximated as above, so their intersection still holds all
 * that IAM allows: a boundary only removes what it surely refuses. An unknown boundary is not
 * passed, and restricts nothing (fail closed).
 */
import { anyString, charsOf, concat, Language, literal, plus, times, union } from "./automaton";
import { Budget, BudgetExhausted } from "./budget";
import { conditionsFormula } from "./conditions";
import { PolicyDocument, Statement, usesPolicyVariables } from "./document";
import { and, atom, evaluate, FALSE, Formula, not, or, solve, TRUE, unknown } from "./formula";
import { compilePattern, isLiteralValue } from "./patterns";
import { partitionLanguage, Placement, unplaced } from "./placement";
import {
  allPrintableAscii,
  Bounded,
  byEffect,
  coversAction,
  mayBeAllowed,
  onlyNamedActions,
  surelyAllowed,
} from "./statements";
import { EscalationPath } from "../governance/escalationPaths";

/** A policy of the principal, with how to name it in a message (`inline policy "push"`). */
export interface PolicySource {
  readonly label: string;
  readonly document: PolicyDocument;
}

export type GrantKind =
  | "escalation"
  | "escalation-path"
  | "registry-write"
  | "other-repository"
  | "governance"
  | "undecided";

export interface GrantFinding {
  readonly kind: GrantKind;
  /** The actions of this kind the principal is allowed (each on some resource). */
  readonly actions: readonly string[];
  /** A resource it may act on that shows the problem. */
  readonly resource: string;
  /** `<policy> <statement>` of each Allow that grants it. */
  readonly statements: readonly string[];
  /** For escalation paths: their ids in the catalogue. */
  readonly paths?: readonly string[];
  /** For "undecided": why the model could not decide. */
  readonly reason?: string;
}

export interface PermissionQuestions {
  /** Actions with which a principal gives itself more rights, each on its own. */
  readonly escalationActions: readonly string[];
  /** Sets of actions that do so together. */
  readonly escalationPaths?: readonly EscalationPath[];
  readonly repositoryWriteActions: readonly string[];
  readonly registryWriteActions: readonly string[];
  /** Writes that undo a repository's governance, even on the principal's own. */
  readonly governanceActions?: readonly string[];
}

interface Grant {
  readonly source: string;
  /** A statement of the permissions boundary, rather than of an identity policy. */
  readonly boundary: boolean;
  readonly statement: Statement;
  /** The resources it covers, and its conditions, before bounding. */
  readonly raw: Formula;
}

const regionCharacters = charsOf("abcdefghijklmnopqrstuvwxyz0123456789-");
const digits = charsOf("0123456789");
const repositoryNameCharacters = charsOf("abcdefghijklmnopqrstuvwxyz0123456789._-/");

function placed(values: readonly string[] | undefined, otherwise: Language): Language {
  return values === undefined ? otherwise : union(...values.map((v) => literal(v)));
}

const anyAccount: Language = [times(digits, 12)];

/**
 * Languages of ARNs by what they are built from. They are immutable and the placements of one
 * stack are few, so each is built once; the map is emptied when it holds `placedLimit`.
 */
const placedLanguages = new Map<string, Language>();
const placedLimit = 1000;

function placedOnce(kind: string, placement: Placement, build: () => Language): Language {
  const key = JSON.stringify([kind, placement.partitions ?? null, placement.accounts ?? null]);
  let language = placedLanguages.get(key);
  if (language === undefined) {
    if (placedLanguages.size >= placedLimit) {
      placedLanguages.clear();
    }
    language = build();
    placedLanguages.set(key, language);
  }
  return language;
}

/** `arn:<partition>:ecr:<region>:<account>:repository/<name>`, in the placement's partitions and accounts. */
export function ecrRepositoryArn(placement: Placement = unplaced): Language {
  return placedOnce("ecr", placement, () => buildEcrRepositoryArn(placement));
}

function buildEcrRepositoryArn(placement: Placement): Language {
  return concat(
    literal("arn:"),
    partitionLanguage(placement),
    literal(":ecr:"),
    [plus(regionCharacters)],
    literal(":"),
    placed(placement.accounts, anyAccount),
    literal(":repository/"),
    [plus(repositoryNameCharacters)],
  );
}

/** IAM's and STS's identities (roles, users, policies, sessions) of these accounts' partitions. */
function identityArns(service: "iam" | "sts", placement: Placement): Language {
  return placedOnce(service, placement, () => buildIdentityArns(service, placement));
}

function buildIdentityArns(service: "iam" | "sts", placement: Placement): Language {
  return concat(
    literal("arn:"),
    partitionLanguage(placement),
    literal(service === "iam" ? ":iam::" : ":"),
    service === "iam"
      ? placed(placement.accounts, anyAccount)
      : union(literal("iam::"), literal("sts::")),
    service === "iam" ? literal(":") : concat(anyAccount, literal(":")),
    anyString,
  );
}

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
  let unknownReason: string | undefined = resources.unresolved;
  for (const pattern of resources.patterns) {
    const compiled = compilePattern(pattern, { wildcards: true, variables });
    if ("unknown" in compiled) {
      unknownReason ??= compiled.unknown;
    } else {
      languages.push(compiled.language);
    }
  }
  let listed: Formula = languages.length > 0 ? atom("resource", union(...languages)) : FALSE;
  if (unknownReason !== undefined) {
    listed = or(listed, unknown(unknownReason));
  }
  return resources.not ? not(listed) : listed;
}

/** Statement conditions test the request, which the policy alone does not tell. */
const unknownKeys = () => ({ kind: "unknown", reason: "a request condition" }) as const;

/**
 * Each source's grants, as an identity policy's and as a boundary's, read once per source: a
 * role's policies are asked the least-privilege questions and the signing ones (three analyses),
 * from the same source objects. A grant is never changed once read.
 */
const sourceGrants = [new WeakMap<PolicySource, Grant[]>(), new WeakMap<PolicySource, Grant[]>()];

function grantsOf(sources: readonly PolicySource[], boundary = false): Grant[] {
  const read = sourceGrants[boundary ? 1 : 0];
  return sources.flatMap((source) => {
    let grants = read.get(source);
    if (grants === undefined) {
      grants = readGrants(source, boundary);
      read.set(source, grants);
    }
    return grants;
  });
}

function readGrants(source: PolicySource, boundary: boolean): Grant[] {
  const variables = usesPolicyVariables(source.document);
  return source.document.statements.map((statement) => ({
    source: `${source.label} ${statement.label}`,
    boundary,
    statement,
    raw: and(
      resourceFormula(statement, variables),
      conditionsFormula(statement.conditions, unknownKeys, variables),
    ),
  }));
}

interface ActionGroup {
  readonly actions: string[];
  /** The identity policies' Allows that may cover the actions. */
  readonly allows: readonly Bounded[];
  /** What the principal may do these actions on. */
  readonly allowed: Formula;
  /** What it surely may. */
  readonly surely: Formula;
  /** The identity policies' statements that may cover the actions. */
  readonly grants: readonly Grant[];
  /** The boundary's statements that may cover them (none without a boundary). */
  readonly boundaryGrants: readonly Grant[];
}

/** What the statements allow the action on, may (`upper`) and surely (`lower`). */
function allowedBy(covering: readonly { g: Grant; covers: Formula }[]) {
  const { allows, denies } = byEffect(
    covering.map((c) => ({
      statement: c.g.statement,
      label: c.g.source,
      covers: c.covers,
      raw: c.g.raw,
    })),
    (c) => and(c.covers, c.raw),
  );
  return { allows, may: mayBeAllowed(allows, denies), surely: surelyAllowed(allows, denies) };
}

/**
 * Actions grouped by the statements that may cover them, each group with what it is allowed on:
 * by the identity policies and, when `bounded`, the boundary (whose grants are among `grants`).
 */
function groups(
  actions: readonly string[],
  grants: readonly Grant[],
  bounded: boolean,
): ActionGroup[] {
  if (actions.length === 0) {
    return []; // no action, no group (as the loop below would find)
  }
  const covering = coveringGrants(actions, grants);
  const bySignature = new Map<string, ActionGroup>();
  actions.forEach((action, index) => {
    const covers = covering[index];
    if (covers.length === 0) {
      // No statement covers it: its group would allow nothing, and is left out below.
      return;
    }
    const signature = covers.map((c) => `${c.i}${c.covers.kind[0]}`).join(",");
    const group = bySignature.get(signature);
    if (group) {
      group.actions.push(action);
      return;
    }
    const identity = allowedBy(covers.filter((c) => !c.g.boundary));
    // Without a boundary, the boundary's side allows everything; with one, what it allows.
    const boundary = bounded
      ? allowedBy(covers.filter((c) => c.g.boundary))
      : { may: TRUE, surely: TRUE };
    bySignature.set(signature, {
      actions: [action],
      allows: identity.allows,
      allowed: and(identity.may, boundary.may),
      surely: and(identity.surely, boundary.surely),
      grants: covers.filter((c) => !c.g.boundary).map((c) => c.g),
      boundaryGrants: covers.filter((c) => c.g.boundary).map((c) => c.g),
    });
  });
  return [...bySignature.values()].filter((g) => g.allows.length > 0);
}

interface Covering {
  readonly g: Grant;
  /** The grant's index in `grants`. */
  readonly i: number;
  readonly covers: Formula;
}

/**
 * For each action, the grants that may cover it (`coversAction` not FALSE), in the grants'
 * order. A grant that only names actions (`onlyNamedActions`) covers exactly the actions that
 * lower-case to one of its names, so, when every action is printable ASCII, it is looked up by
 * its names instead of compared with every action; every other grant is compared with each.
 */
function coveringGrants(actions: readonly string[], grants: readonly Grant[]): Covering[][] {
  const covering: Covering[][] = actions.map(() => []);
  const byName = indexByLowerCase(actions);
  grants.forEach((g, i) => {
    const names = byName === undefined ? undefined : onlyNamedActions(g.statement);
    if (names === undefined) {
      actions.forEach((action, index) => {
        const covers = coversAction(g.statement, action);
        if (covers.kind !== "false") {
          covering[index].push({ g, i, covers });
        }
      });
      return;
    }
    for (const name of names) {
      for (const index of byName!.get(name) ?? []) {
        covering[index].push({ g, i, covers: TRUE });
      }
    }
  });
  return covering;
}

const actionIndexes = new WeakMap<readonly string[], Map<string, number[]> | null>();

/**
 * Each lower-cased action's positions in `actions`, built once per list (the questions' lists
 * are the same arrays for every role of a call); undefined when some action is not printable
 * ASCII, where names are not looked up.
 */
function indexByLowerCase(actions: readonly string[]): Map<string, number[]> | undefined {
  let index = actionIndexes.get(actions);
  if (index === undefined) {
    index = allPrintableAscii(actions) ? buildIndex(actions) : null;
    actionIndexes.set(actions, index);
  }
  return index ?? undefined;
}

function buildIndex(actions: readonly string[]): Map<string, number[]> {
  const index = new Map<string, number[]>();
  actions.forEach((action, i) => {
    const name = action.toLowerCase();
    const list = index.get(name);
    if (list) {
      list.push(i);
    } else {
      index.set(name, [i]);
    }
  });
  return index;
}

function statementsAllowing(group: ActionGroup, resource: string): string[] {
  return group.allows.filter((a) => evaluate(a.upper, { resource })).map((a) => a.label);
}

/** A resource the formula allows, preferring the natural `probes`; "none" when there is none. */
function findResource(
  formula: Formula,
  probes: readonly string[],
  budget: Budget,
): { resource: string } | "none" {
  for (const probe of probes) {
    if (evaluate(formula, { resource: probe })) {
      return { resource: probe };
    }
  }
  const result = solve(formula, budget);
  return result.kind === "found" ? { resource: result.values.resource ?? "*" } : "none";
}

/**
 * Repository ARNs the Allows name literally: the principal's own repositories. A write on any
 * other is a write on another team's.
 */
export function namedRepositories(sources: readonly PolicySource[]): string[] {
  const literalArns = (statement: Statement, negated: boolean) =>
    statement.resources && statement.resources.not === negated
      ? statement.resources.patterns.filter(
          (p) => isLiteralValue(p) && ecrRepositoryArnPattern.test(p),
        )
      : [];
  // An Allow names them in Resource; a Deny that takes everything else back, in NotResource.
  const statements = sources.flatMap((s) => s.document.statements);
  return [
    ...new Set([
      ...statements.filter((s) => s.effect === "Allow").flatMap((s) => literalArns(s, false)),
      ...statements.filter((s) => s.effect === "Deny").flatMap((s) => literalArns(s, true)),
    ]),
  ];
}

/** Whether every Allow of the group lists only literal resources: then it names all it reaches. */
function onlyLiteralResources(group: ActionGroup): boolean {
  return group.grants
    .filter((g) => g.statement.effect === "Allow" || g.statement.effectUnknown)
    .every(
      (g) =>
        g.statement.resources !== undefined &&
        !g.statement.resources.not &&
        g.statement.resources.unresolved === undefined &&
        g.statement.resources.patterns.every(isLiteralValue),
    );
}

/**
 * Natural repositories to try first: another team's beside the one named, and the patterns the
 * Allows give with their wildcards filled in.
 */
function otherRepositoryProbes(named: readonly string[], group: ActionGroup): string[] {
  const sample = named[0] ?? "arn:aws:ecr:eu-west-2:123456789012:repository/app";
  const filled = group.grants.flatMap((g) =>
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

/** The state of one analysis: what it asks, what it found, and its budget. */
class Inquiry {
  readonly findings: GrantFinding[] = [];

  constructor(
    /** The identity policies' statements, then the boundary's. */
    readonly grants: readonly Grant[],
    readonly placement: Placement,
    readonly budget: Budget,
    /** Whether a boundary's document is known (its statements are among `grants`). */
    readonly bounded: boolean,
  ) {}

  groups(actions: readonly string[]): ActionGroup[] {
    return groups(actions, this.grants, this.bounded);
  }

  /** Reports a group's actions allowed on some resource of `where` (any resource when absent). */
  reach(
    kind: GrantKind,
    actions: readonly string[],
    where: Language | undefined,
    probes: readonly string[],
  ): void {
    for (const group of this.groups(actions)) {
      const formula =
        where === undefined ? group.allowed : and(group.allowed, atom("resource", where));
      const found = findResource(formula, probes, this.budget);
      if (found !== "none") {
        this.findings.push({
          kind,
          actions: group.actions,
          resource: found.resource,
          statements: statementsAllowing(group, found.resource),
        });
      }
    }
  }

  /** Actions allowed on some resource at all, worked out once per group of actions. */
  private readonly allowedAnywhere = new Map<
    string,
    { resource: string; statements: string[] } | null
  >();

  /** Works out, for every action of `actions` at once, whether it is allowed on some resource. */
  anywhereAll(actions: readonly string[]): void {
    // The list itself when none is known yet, so that its index is the one built for it.
    const pending = actions.some((a) => this.allowedAnywhere.has(a))
      ? actions.filter((a) => !this.allowedAnywhere.has(a))
      : actions;
    for (const action of pending) {
      this.allowedAnywhere.set(action, null);
    }
    for (const group of this.groups(pending)) {
      // Grouped actions share a service only when their statements say so: look where each
      // service's actions act (IAM's on the role's own account, as `judgeEscalation` does).
      const service = group.actions[0].slice(0, group.actions[0].indexOf(":")).toLowerCase();
      if (group.actions.some((a) => !a.toLowerCase().startsWith(`${service}:`))) {
        for (const action of group.actions) {
          this.allowedAnywhere.delete(action);
          this.anywhereAll([action]);
        }
        continue;
      }
      const where =
        service === "iam" || service === "sts" ? identityArns(service, this.placement) : undefined;
      const found = findResource(
        where === undefined ? group.allowed : and(group.allowed, atom("resource", where)),
        ["*", ...homeProbes(this.placement)],
        this.budget,
      );
      const result =
        found === "none"
          ? null
          : { resource: found.resource, statements: statementsAllowing(group, found.resource) };
      group.actions.forEach((a) => this.allowedAnywhere.set(a, result));
    }
  }

  anywhere(action: string): { resource: string; statements: string[] } | null {
    if (!this.allowedAnywhere.has(action)) {
      this.anywhereAll([action]);
    }
    return this.allowedAnywhere.get(action)!;
  }
}

function homeProbes(placement: Placement): string[] {
  const partition = placement.partitions?.[0] ?? "aws";
  const account = placement.accounts?.[0] ?? "123456789012";
  return ["role/admin", "user/admin", "policy/admin"].map(
    (r) => `arn:${partition}:iam::${account}:${r}`,
  );
}

/** The escalation actions by where they act, and every escalation path's actions. */
interface EscalationLists {
  readonly iam: readonly string[];
  readonly sts: readonly string[];
  readonly other: readonly string[];
  readonly pathActions: readonly string[];
}

const escalationLists = new WeakMap<PermissionQuestions, EscalationLists>();

/** Split once per questions object, so every role asked the same questions shares the lists. */
function escalationListsOf(questions: PermissionQuestions): EscalationLists {
  let lists = escalationLists.get(questions);
  if (lists === undefined) {
    const service = (a: string) => a.slice(0, a.indexOf(":")).toLowerCase();
    lists = {
      iam: questions.escalationActions.filter((a) => service(a) === "iam"),
      sts: questions.escalationActions.filter((a) => service(a) === "sts"),
      other: questions.escalationActions.filter((a) => !["iam", "sts"].includes(service(a))),
      pathActions: (questions.escalationPaths ?? []).flatMap((p) => p.actions),
    };
    escalationLists.set(questions, lists);
  }
  return lists;
}

function judgeEscalation(inquiry: Inquiry, questions: PermissionQuestions): void {
  const probes = homeProbes(inquiry.placement);
  const lists = escalationListsOf(questions);
  // IAM acts on the principal's own account's identities; STS on roles and sessions of any
  // account (a role of another account may trust this one); every other service's actions may
  // reach any resource.
  for (const name of ["iam", "sts"] as const) {
    if (lists[name].length > 0) {
      inquiry.reach("escalation", lists[name], identityArns(name, inquiry.placement), probes);
    }
  }
  inquiry.reach("escalation", lists.other, undefined, ["*", ...probes]);
  const reported = new Set(inquiry.findings.flatMap((f) => f.actions));
  inquiry.anywhereAll(lists.pathActions);
  const present = (questions.escalationPaths ?? []).filter(
    (path) =>
      !path.actions.some((a) => reported.has(a)) &&
      path.actions.every((a) => inquiry.anywhere(a) !== null),
  );
  if (present.length > 0) {
    const actions = [...new Set(present.flatMap((p) => p.actions))];
    const first = inquiry.anywhere(actions[0])!;
    inquiry.findings.push({
      kind: "escalation-path",
      actions,
      resource: first.resource,
      statements: [...new Set(actions.flatMap((a) => inquiry.anywhere(a)!.statements))],
      paths: present.map((p) => p.id),
    });
  }
}

/**
 * Whether statements grant registry-wide actions. IAM authorises them on the resource "*". An
 * Allow with Resource grants them whatever its patterns (read so, failing closed: a pattern that
 * names something else grants nothing in IAM); one with NotResource grants them unless a
 * pattern covers "*". A Deny refuses them only through a Resource of "*" (and no condition):
 * whether IAM matches "*" against NotResource patterns is not documented, so those are not
 * counted.
 */
function registryWide(
  grants: readonly Grant[],
  actions: readonly string[],
): { granting: Grant[]; denied: boolean } {
  const granting = grants.filter(
    (g) =>
      (g.statement.effect === "Allow" || g.statement.effectUnknown) &&
      (!g.statement.resources?.not ||
        g.statement.resources.unresolved !== undefined ||
        !g.statement.resources.patterns.some((p) => p === "*" || p === "?")),
  );
  const denied = grants.some(
    (d) =>
      d.statement.effect === "Deny" &&
      !d.statement.effectUnknown &&
      d.statement.effectDoubt === undefined &&
      actions.every((a) => coversAction(d.statement, a).kind === "true") &&
      d.statement.resources !== undefined &&
      !d.statement.resources.not &&
      d.statement.conditions.length === 0 &&
      evaluate(and(d.raw), { resource: "*" }),
  );
  return { granting, denied };
}

function judgeRegistry(inquiry: Inquiry, questions: PermissionQuestions): void {
  for (const group of inquiry.groups(questions.registryWriteActions)) {
    const identity = registryWide(group.grants, group.actions);
    // A boundary must grant them too, read the same way (so it refuses only surely).
    const boundary = inquiry.bounded
      ? registryWide(group.boundaryGrants, group.actions)
      : undefined;
    const boundaryAllows =
      boundary === undefined || (boundary.granting.length > 0 && !boundary.denied);
    if (identity.granting.length > 0 && !identity.denied && boundaryAllows) {
      inquiry.findings.push({
        kind: "registry-write",
        actions: group.actions,
        resource: "*",
        statements: identity.granting.map((g) => g.source),
      });
    }
  }
}

function judgeRepositories(
  inquiry: Inquiry,
  questions: PermissionQuestions,
  named: readonly string[],
): void {
  for (const group of inquiry.groups(questions.repositoryWriteActions)) {
    if (onlyLiteralResources(group)) {
      continue;
    }
    const elsewhere = (arns: Language) =>
      and(
        group.allowed,
        atom("resource", arns),
        ...named.map((arn) => not(atom("resource", literal(arn)))),
      );
    // Repositories of the principal's own account first: another team's, most likely.
    let found = findResource(
      elsewhere(ecrRepositoryArn(inquiry.placement)),
      otherRepositoryProbes(named, group),
      inquiry.budget,
    );
    if (found === "none") {
      found = findResource(
        elsewhere(ecrRepositoryArn({ partitions: inquiry.placement.partitions })),
        [],
        inquiry.budget,
      );
    }
    if (found !== "none") {
      inquiry.findings.push({
        kind: "other-repository",
        actions: group.actions,
        resource: found.resource,
        statements: statementsAllowing(group, found.resource),
      });
    }
  }
  const governance = questions.governanceActions ?? [];
  const partition = inquiry.placement.partitions?.[0] ?? "aws";
  const account = inquiry.placement.accounts?.[0] ?? "123456789012";
  inquiry.reach(
    "governance",
    governance,
    ecrRepositoryArn({ partitions: inquiry.placement.partitions }),
    [
      ...named,
      `arn:${partition}:ecr:${inquiry.placement.regions?.[0] ?? "eu-west-2"}:${account}:repository/app`,
    ],
  );
}

/**
 * What the policies let the principal do that the questions ask about. `boundary`: the
 * documents of its permissions boundary, when known; undefined when it has none, or one whose
 * document is not known (which then restricts nothing).
 */
export function analyzePermissions(
  sources: readonly PolicySource[],
  questions: PermissionQuestions,
  placement: Placement = unplaced,
  budget: Budget = new Budget(),
  boundary?: readonly PolicySource[],
): GrantFinding[] {
  const grants = grantsOf(sources);
  if (!grants.some((g) => g.statement.effect === "Allow" || g.statement.effectUnknown)) {
    return [];
  }
  const inquiry = new Inquiry(
    [...grants, ...grantsOf(boundary ?? [], true)],
    placement,
    budget,
    boundary !== undefined,
  );
  try {
    budget.about("the escalation actions it is allowed", () => judgeEscalation(inquiry, questions));
    judgeRegistry(inquiry, questions);
    // Questions without repository writes or governance (the signing ones) have nothing to
    // judge there: every group of no action is empty.
    if (
      questions.repositoryWriteActions.length > 0 ||
      (questions.governanceActions ?? []).length > 0
    ) {
      budget.about("the repositories it may write", () =>
        judgeRepositories(inquiry, questions, namedRepositories(sources)),
      );
    }
  } catch (e) {
    if (!(e instanceof BudgetExhausted)) {
      throw e;
    }
    inquiry.findings.push({
      kind: "undecided",
      actions: [],
      resource: "*",
      statements: grants.filter((g) => g.statement.effect === "Allow").map((g) => g.source),
      reason: e.message,
    });
  }
  return mergeByKind(inquiry.findings);
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
            ...(finding.paths && {
              paths: [...new Set([...(existing.paths ?? []), ...finding.paths])],
            }),
          }
        : finding,
    );
  }
  return [...merged.values()];
}
