/**
 * Who can assume a role through GitHub Actions' OIDC tokens, worked out from what IAM evaluates
 * rather than from how the trust policy is spelt.
 *
 * A token is judged as `sts:AssumeRoleWithWebIdentity` through one OIDC provider (the issuer),
 * with its `sub` and `aud` claims as the condition keys `<issuer>:sub` and `<issuer>:aud`; the
 * keys of every other issuer are absent from its request. Statements apply when their principal
 * matches the provider (`Federated`, `*`, `{"AWS": "*"}`, or `NotPrincipal` that does not list
 * it) and their actions cover `sts:AssumeRoleWithWebIdentity`. The role admits a token when some
 * Allow admits it and no Deny refuses it. Conditions the model cannot evaluate are assumed to
 * hold in Allows and not to hold in Denies, so what it finds admitted is a superset of what IAM
 * admits: it fails closed.
 *
 * Wildcard principals admit tokens of every provider the account has, so for them every GitHub
 * issuer named in the policy is tried, and fresh ones of each kind.
 *
 * The verdict: a role is scoped when every GitHub token it admits carries `aud`
 * `sts.amazonaws.com`, comes from one issuer, and has a subject of one repository
 * (`repo:<owner>/<name>:<context>`, or the immutable form, owner and name compared without
 * letter case as GitHub does), other than a pull request's. Anything else is a finding with a
 * token that shows it. Whole-repository trust (every branch, tag or environment) is reported
 * apart, as advice.
 */
import {
  anyChar,
  anyString,
  charsOf,
  concat,
  Language,
  literal,
  plus,
  Step,
  union,
} from "./automaton";
import { conditionsFormula, KeyResolver } from "./conditions";
import { PolicyDocument, Statement, usesPolicyVariables } from "./document";
import {
  and,
  atom,
  bound,
  evaluate,
  Formula,
  mentions,
  not,
  or,
  solve,
  unknownReasons,
} from "./formula";
import { actionMatches } from "./patterns";
import {
  contextClaim,
  githubDotComIssuer,
  githubIssuerOfProvider,
  githubOwnerCharacters,
  githubRepositoryNameCharacters,
  issuerOfProvider,
  parseGitHubIssuer,
  parseSubject,
  pullRequestContext,
  stsAudience,
} from "../governance/github";

export const webIdentityAction = "sts:AssumeRoleWithWebIdentity";

/** A GitHub token as IAM sees it. */
export interface TrustToken {
  /** The issuer, as in condition keys. */
  readonly issuer: string;
  /** The OIDC provider it comes through. */
  readonly provider: string;
  readonly sub: string;
  readonly aud: string;
}

export type TrustFindingKind =
  | "other-issuer"
  | "audience"
  | "no-subject"
  | "other-owner"
  | "other-repository"
  | "not-a-repository"
  | "pull-request"
  /** A statement IAM refuses in trust policies (NotPrincipal). */
  | "invalid"
  | "undecided";

export interface TrustFinding {
  readonly kind: TrustFindingKind;
  /** Labels of the Allow statements that admit the token. */
  readonly statements: readonly string[];
  /** Tokens the role admits that show the problem (two for "more than one"). */
  readonly tokens: readonly TrustToken[];
  /** What is wrong, as a clause after "the trust policy". */
  readonly problem: string;
}

export type RunContextKind = "branch" | "tag" | "environment";

export interface WholeRepositoryFinding {
  readonly context: RunContextKind;
  readonly statements: readonly string[];
  /** The subject of a run the policy names nowhere, which it admits. */
  readonly example: string;
  readonly problem: string;
}

export interface TrustAnalysis {
  /** Whether some GitHub Actions token may assume the role. */
  readonly trustsGitHub: boolean;
  /** The one repository part its subjects name, when there is one. */
  readonly repository?: string;
  /** The issuer of the tokens it admits, when there is one. */
  readonly issuer?: string;
  /** Tokens of other repositories, issuers or audiences, and pull requests: must not pass. */
  readonly findings: readonly TrustFinding[];
  /** Every branch, tag or environment of the repository: advice. */
  readonly wholeRepository: readonly WholeRepositoryFinding[];
  /** Conditions the model could not evaluate, assumed to hold (Allow) or not (Deny). */
  readonly assumptions: readonly string[];
}

const letters = charsOf(githubOwnerCharacters);
const nameLetters = charsOf(githubRepositoryNameCharacters);
const digits = charsOf("0123456789");

/** `<owner>/<name>` or `<owner>@<id>/<name>@<id>`, as subjects write the repository. */
const repositoryPart: Language = union(
  [[...plus(letters), ...literal("/")[0], ...plus(nameLetters)]],
  [
    [
      ...plus(letters),
      ...literal("@")[0],
      ...plus(digits),
      ...literal("/")[0],
      ...plus(nameLetters),
      ...literal("@")[0],
      ...plus(digits),
    ],
  ],
);

/** The contexts of GitHub's default subject template. */
const contextPart: Language = union(
  concat(literal("ref:refs/heads/"), [plus(anyChar)]),
  concat(literal("ref:refs/tags/"), [plus(anyChar)]),
  concat(literal("environment:"), [plus(anyChar)]),
  literal(pullRequestContext),
);

/** Subjects of GitHub's default template. */
const validSubject: Language = concat(literal("repo:"), repositoryPart, literal(":"), contextPart);

/** Subjects of any repository's pull requests. */
const anyPullRequest: Language = concat(
  literal("repo:"),
  repositoryPart,
  literal(`:${pullRequestContext}`),
  union(literal(""), concat(literal(":"), anyString)),
);

/** Subjects that name one repository, whatever follows (a customised template may add claims). */
const repositorySubject: Language = concat(
  literal("repo:"),
  repositoryPart,
  literal(":"),
  anyString,
);

function ownerPrefix(owner: string): Language {
  return concat(literal(`repo:${owner}`, true), union(literal("/"), literal("@")), anyString);
}

function repositoryPrefix(repository: string): Language {
  return concat(literal(`repo:${repository}:`, true), anyString);
}

function pullRequestOf(repository: string): Language {
  return concat(
    literal(`repo:${repository}:${pullRequestContext}`, true),
    union(literal(""), concat(literal(":"), anyString)),
  );
}

interface Scenario {
  readonly issuer: string;
  readonly provider: string;
  /** The Allow statements whose principal matches this provider, with their bounded condition. */
  readonly allows: readonly { readonly label: string; readonly formula: Formula }[];
  /** The tokens of this provider the policy admits (an over-approximation). */
  readonly admitted: Formula;
  /** Conditions the model could not evaluate in those Allows. */
  readonly assumptions: readonly string[];
  /** The policy's own subject values, wildcards filled in: natural tokens to try first. */
  readonly subjectExamples: readonly string[];
}

function coversWebIdentity(statement: Statement): boolean {
  const listed = statement.actions.patterns.some((p) => actionMatches(p, webIdentityAction));
  return statement.actions.not ? !listed : listed;
}

/** Whether the statement's principal matches tokens coming through `provider`. */
function principalMatches(statement: Statement, provider: string): boolean {
  const principal = statement.principal;
  if (principal === undefined) {
    return false;
  }
  let listed: boolean;
  if (principal.value === "*") {
    listed = true;
  } else {
    listed = Object.entries(principal.value).some(([type, values]) => {
      if (type === "AWS") {
        return values.includes("*");
      }
      if (type === "Federated") {
        return values.some(
          (value) =>
            value === "*" ||
            (value.includes(":oidc-provider/") &&
              value.slice(0, value.indexOf(":oidc-provider/")) ===
                provider.slice(0, provider.indexOf(":oidc-provider/")) &&
              issuerOfProvider(value).toLowerCase() === issuerOfProvider(provider).toLowerCase()),
        );
      }
      return false;
    });
  }
  return principal.not ? !listed : listed;
}

/** Condition keys of `issuer`'s tokens become the variables `sub` and `aud`. */
function keysOf(issuer: string): KeyResolver {
  return (key) => {
    const colon = key.lastIndexOf(":");
    if (colon < 0) {
      return { kind: "unknown", reason: `the condition key ${key}` };
    }
    const prefix = key.slice(0, colon);
    const claim = key.slice(colon + 1);
    if (prefix === issuer) {
      return claim === "sub" || claim === "aud"
        ? { kind: "variable", variable: claim }
        : { kind: "unknown", reason: `the claim key ${key}` };
    }
    // Another provider's keys (an issuer host and path): absent from this issuer's tokens.
    if (prefix.includes(".") || prefix.includes("/")) {
      return { kind: "absent" };
    }
    return { kind: "unknown", reason: `the condition key ${key}` };
  };
}

function accountOf(document: PolicyDocument): string {
  for (const statement of document.statements) {
    const value = statement.principal?.value;
    if (value && value !== "*") {
      for (const federated of value.Federated ?? []) {
        const match = /^arn:aws[a-z-]*:iam::(\d{12}):oidc-provider\//.exec(federated);
        if (match) {
          return federated.slice(0, federated.indexOf(":oidc-provider/"));
        }
      }
    }
  }
  return "arn:aws:iam::123456789012";
}

/** The providers whose tokens the policy might admit, named ones first. */
function providers(document: PolicyDocument, relevant: readonly Statement[]): string[] {
  const found: string[] = [];
  const add = (provider: string) => {
    if (!found.some((p) => p.toLowerCase() === provider.toLowerCase())) {
      found.push(provider);
    }
  };
  let wildcard = false;
  const account = accountOf(document);
  for (const statement of relevant) {
    const principal = statement.principal;
    if (principal === undefined) {
      continue;
    }
    if (principal.not || principal.value === "*") {
      wildcard = true;
      continue;
    }
    for (const [type, values] of Object.entries(principal.value)) {
      for (const value of values) {
        if (type === "AWS" && value === "*") {
          wildcard = true;
        } else if (type === "Federated" && value === "*") {
          wildcard = true;
        } else if (type === "Federated" && githubIssuerOfProvider(value) !== undefined) {
          add(value);
        }
      }
    }
  }
  if (wildcard) {
    const issuers = [githubDotComIssuer];
    for (const statement of relevant) {
      for (const entry of statement.conditions) {
        const key = entry.key.toLowerCase();
        const issuer = parseGitHubIssuer(key.slice(0, key.lastIndexOf(":")));
        if (issuer) {
          issuers.push(issuer.issuer);
        }
      }
    }
    issuers.push(
      `${githubDotComIssuer}/unlisted-enterprise`,
      "token.actions.unlisted.ghe.com",
      "github.unlisted.example/_services/token",
    );
    issuers.forEach((issuer) => add(`${account}:oidc-provider/${issuer}`));
  }
  return found;
}

function scenario(
  document: PolicyDocument,
  relevant: readonly Statement[],
  provider: string,
): Scenario {
  const issuer = issuerOfProvider(provider).toLowerCase();
  const resolve = keysOf(issuer);
  const variables = usesPolicyVariables(document);
  const allows: { label: string; formula: Formula; raw: Formula }[] = [];
  const denies: Formula[] = [];
  for (const statement of relevant) {
    if (!principalMatches(statement, provider)) {
      continue;
    }
    const raw = conditionsFormula(statement.conditions, resolve, variables);
    if (statement.effect === "Allow") {
      allows.push({ label: statement.label, formula: bound(raw, "upper"), raw });
    } else {
      denies.push(bound(raw, "lower"));
    }
  }
  const admitted = and(or(...allows.map((a) => a.formula)), not(or(...denies)));
  const subjectExamples = relevant
    .flatMap((statement) => statement.conditions)
    .filter((entry) => entry.key.toLowerCase().endsWith(":sub"))
    .flatMap((entry) => entry.values)
    .flatMap((value) => [
      value.replace(/\*$/, "ref:refs/heads/main").replace(/\*/g, "app").replace(/\?/g, "x"),
      value.replace(/\*/g, "main").replace(/\?/g, "x"),
    ]);
  return {
    issuer,
    provider,
    allows,
    admitted,
    assumptions: allows.flatMap((a) => unknownReasons(a.raw)),
    subjectExamples,
  };
}

/** Statements that admit a token on their own (their bounded condition holds). */
function admittingStatements(scenario: Scenario, token: { sub: string; aud: string }): string[] {
  const values = { sub: token.sub, aud: token.aud };
  return scenario.allows.filter((a) => evaluate(a.formula, values)).map((a) => a.label);
}

// ---------------------------------------------------------------------------------------------
// The fast proof: every Allow pins sub to subjects of one repository and aud to STS.

/** The single character a step reads, ignoring letter case, or undefined for a wildcard. */
function stepChar(step: Step): string | undefined {
  if (step.repeat || !("chars" in step.set) || step.set.except) {
    return undefined;
  }
  const lowered = new Set([...step.set.chars].map((c) => c.toLowerCase()));
  return lowered.size === 1 ? [...lowered][0] : undefined;
}

/** The repository part a sequence of a sub language fixes, and the steps after it. */
function fixedRepository(
  sequence: readonly Step[],
): { repository: string; key: string; rest: Step[] } | undefined {
  let text = "";
  let written = "";
  for (let i = 0; i < sequence.length; i += 1) {
    const c = stepChar(sequence[i]);
    if (c === undefined) {
      return undefined;
    }
    if (c === ":" && text.length > "repo:".length) {
      const parsed = parseSubject(`${written}:`);
      return parsed
        ? {
            repository: parsed.repository,
            key: parsed.repository.toLowerCase(),
            rest: sequence.slice(i + 1),
          }
        : undefined;
    }
    text += c;
    // As written: a step that ignores case lists the written character first.
    written += [...(sequence[i].set as { chars: ReadonlySet<string> }).chars][0];
    if (!"repo:".startsWith(text) && !text.startsWith("repo:")) {
      return undefined;
    }
  }
  return undefined;
}

/** Whether a context sequence can never read `pull_request` (alone or followed by `:`). */
function neverPullRequest(rest: readonly Step[]): boolean {
  const word = pullRequestContext;
  for (let i = 0; i < rest.length && i <= word.length; i += 1) {
    const step = rest[i];
    if (step.repeat) {
      return false;
    }
    const wanted = i < word.length ? word[i] : ":";
    const set = step.set;
    if ("any" in set || set.except || set.chars.has(wanted)) {
      continue;
    }
    return true;
  }
  // It reads a prefix of "pull_request" and ends, or reads all of it.
  return rest.length < word.length;
}

function conjuncts(formula: Formula): readonly Formula[] {
  return formula.kind === "and" ? formula.operands : [formula];
}

/** One repository, proven from the formulas' structure alone; undefined when not provable so. */
function provenRepository(scenario: Scenario): string | undefined {
  let repository: string | undefined;
  for (const allow of scenario.allows) {
    if (allow.formula.kind === "false") {
      continue;
    }
    let pinnedSub = false;
    let pinnedAud = false;
    for (const part of conjuncts(allow.formula)) {
      if (part.kind !== "atom") {
        continue;
      }
      const { variable, language } = part.atom;
      if (variable === "aud" && language.length > 0) {
        pinnedAud ||= language.every(
          (sequence) =>
            sequence.length === stsAudience.length &&
            sequence.every((step, i) => {
              const set = step.set;
              return (
                !step.repeat &&
                "chars" in set &&
                !set.except &&
                set.chars.size === 1 &&
                set.chars.has(stsAudience[i])
              );
            }),
        );
      }
      if (variable === "sub" && language.length > 0 && !pinnedSub) {
        const fixed = language.map(fixedRepository);
        if (
          fixed.every((f) => f !== undefined && f.key === fixed[0]!.key && neverPullRequest(f.rest))
        ) {
          if (repository !== undefined && repository.toLowerCase() !== fixed[0]!.key) {
            return undefined;
          }
          repository = fixed[0]!.repository;
          pinnedSub = true;
        }
      }
    }
    if (!pinnedSub || !pinnedAud) {
      return undefined;
    }
  }
  return repository;
}

// ---------------------------------------------------------------------------------------------

/**
 * Whole-repository trust: every branch (or tag, or environment) of the one repository is
 * admitted, i.e. no such subject is refused. A name nobody would list is tried first; only when
 * it is admitted does a search look for one that is refused.
 */
function wholeRepository(primary: Scenario, repository: string): WholeRepositoryFinding[] {
  const found: WholeRepositoryFinding[] = [];
  const contexts: [RunContextKind, string][] = [
    ["branch", "every branch"],
    ["tag", "every tag"],
    [
      "environment",
      "every deployment environment (a workflow that names a missing one creates it, unprotected)",
    ],
  ];
  for (const [kind, what] of contexts) {
    const prefix = `repo:${repository}:${contextClaim({ kind, name: "" })}`;
    const sub = `${prefix}any-other-${kind}`;
    const token = { sub, aud: stsAudience };
    if (!evaluate(primary.admitted, token)) {
      continue;
    }
    const refused = solve(
      and(
        atom("sub", concat(literal(prefix), [plus(anyChar)])),
        atom("aud", literal(stsAudience)),
        not(primary.admitted),
      ),
    );
    if (refused.kind === "none") {
      found.push({
        context: kind,
        statements: admittingStatements(primary, token),
        example: sub,
        problem: `admits ${what} of ${repository}, e.g. sub "${sub}"`,
      });
    }
  }
  return found;
}

function notARepository(sub: string): string {
  return `admits sub ${JSON.stringify(sub)}, which names no one repository as "repo:<owner>/<name>:..." does`;
}

const noTokens: TrustAnalysis = Object.freeze({
  trustsGitHub: false,
  findings: [],
  wholeRepository: [],
  assumptions: [],
});

type Found = TrustToken | "none" | "unknown";

/** The subject a token gets when nothing else is asked of it: GitHub's documentation's example. */
const exampleSubject = "repo:octo-org/octo-repo:ref:refs/heads/main";

/** Searches for tokens of one scenario, and records findings about them. */
class Inquiry {
  readonly findings: TrustFinding[] = [];

  constructor(readonly scenario: Scenario) {}

  /**
   * A token the formula admits: one of the natural `probes` when one is admitted (they read
   * better), else the shortest the search finds; "none" when there is none.
   */
  find(formula: Formula, probes: readonly { sub?: string; aud?: string }[] = []): Found {
    for (const probe of probes) {
      const values = { sub: probe.sub ?? exampleSubject, aud: probe.aud ?? stsAudience };
      if (evaluate(formula, values)) {
        return this.token(values);
      }
    }
    const result = solve(formula);
    return result.kind === "found" ? this.token(result.values) : result.kind;
  }

  /** The token of these claims; a claim the formula does not test gets a natural value. */
  token(values: Readonly<Record<string, string | undefined>>): TrustToken {
    return {
      issuer: this.scenario.issuer,
      provider: this.scenario.provider,
      sub: values.sub ?? exampleSubject,
      aud: values.aud ?? stsAudience,
    };
  }

  report(kind: TrustFindingKind, tokens: readonly TrustToken[], problem: string): void {
    const statements = new Set(tokens.flatMap((t) => admittingStatements(this.scenario, t)));
    this.findings.push({ kind, statements: [...statements], tokens, problem });
  }

  undecided(question: string): void {
    this.findings.push({
      kind: "undecided",
      statements: this.scenario.allows.map((a) => a.label),
      tokens: [],
      problem: `cannot be proven to ${question}: its conditions are too complex for the model to decide; use exact subjects`,
    });
  }
}

/** Tokens of an audience other than STS's; `admitted` is one the policy admits. */
function judgeAudience(inquiry: Inquiry, admittedToken: TrustToken): void {
  const { admitted } = inquiry.scenario;
  const token = inquiry.find(
    and(admitted, not(atom("aud", literal(stsAudience)))),
    ["sigstore", "https://github.com"].map((aud) => ({ sub: admittedToken.sub, aud })),
  );
  if (token === "unknown") {
    inquiry.undecided(`pin aud to "${stsAudience}"`);
  } else if (token !== "none") {
    inquiry.report(
      "audience",
      [token],
      `admits tokens with aud ${JSON.stringify(token.aud)}; pin aud to "${stsAudience}" with StringEquals`,
    );
  }
}

/**
 * Subjects of more than one repository, of no repository, or of pull requests, reporting the
 * most serious kind there is; returns the one repository when there is no other.
 */
function judgeSubjects(inquiry: Inquiry): string | undefined {
  // Subjects are judged on tokens for STS: a wrong audience is its own finding.
  const admitted = and(inquiry.scenario.admitted, atom("aud", literal(stsAudience)));
  const valid = atom("sub", repositorySubject);
  const probes = [exampleSubject, ...inquiry.scenario.subjectExamples].map((sub) => ({ sub }));
  let first = inquiry.find(
    and(admitted, atom("sub", validSubject), not(atom("sub", anyPullRequest))),
    probes,
  );
  if (first === "none") {
    first = inquiry.find(and(admitted, valid), probes);
  }
  if (first === "unknown") {
    inquiry.undecided("admit one repository only");
    return undefined;
  }
  if (first === "none") {
    const any = inquiry.find(admitted);
    if (any === "unknown") {
      inquiry.undecided("admit one repository only");
    } else if (any !== "none") {
      inquiry.report("not-a-repository", [any], notARepository(any.sub));
    }
    return undefined;
  }
  const { repository, owner, context } = parseSubject(first.sub)!;
  const name = repository.slice(repository.indexOf("/") + 1).replace(/@\d+$/, "");
  if (!mentions(inquiry.scenario.admitted, "sub")) {
    const other = inquiry.token({
      sub: `repo:${owner === "mallory" ? "eve" : "mallory"}/${name}:${context}`,
      aud: stsAudience,
    });
    inquiry.report(
      "no-subject",
      [first, other],
      "has no sub condition, so every repository on GitHub can assume the role",
    );
    return undefined;
  }
  const ownRepository = atom("sub", repositoryPrefix(repository));
  const pullRequest = atom("sub", pullRequestOf(repository));
  const foreign = inquiry.find(and(admitted, not(and(ownRepository, not(pullRequest)))), [
    { sub: `repo:${owner === "mallory" ? "eve" : "mallory"}/${name}:${context}` },
    { sub: `repo:${owner}/${name}-fork:${context}` },
    { sub: `repo:${repository}:${pullRequestContext}` },
  ]);
  if (foreign === "unknown") {
    inquiry.undecided("admit one repository only");
    return undefined;
  }
  if (foreign === "none") {
    return repository;
  }
  // The most serious kind there is, shown by the token found if it is of that kind.
  const kinds: [TrustFindingKind, Formula, (t: TrustToken) => [TrustToken[], string]][] = [
    [
      "other-owner",
      and(admitted, valid, not(atom("sub", ownerPrefix(owner)))),
      (t) => [
        [first, t],
        `admits repositories of more than one owner, e.g. sub "${first.sub}" and sub "${t.sub}"`,
      ],
    ],
    [
      "other-repository",
      and(admitted, valid, atom("sub", ownerPrefix(owner)), not(ownRepository)),
      (t) => [
        [first, t],
        `admits more than one repository of ${owner}, e.g. sub "${first.sub}" and sub "${t.sub}"`,
      ],
    ],
    [
      "not-a-repository",
      and(admitted, not(valid), not(ownRepository)),
      (t) => [[t], notARepository(t.sub)],
    ],
    [
      "pull-request",
      and(admitted, pullRequest),
      (t) => [[t], `admits pull requests (sub "${t.sub}"), whose code nobody has reviewed`],
    ],
  ];
  for (const [kind, formula, describe] of kinds) {
    const token = evaluate(formula, { sub: foreign.sub, aud: foreign.aud })
      ? foreign
      : inquiry.find(formula);
    if (token === "unknown") {
      inquiry.undecided("admit one repository only");
      return undefined;
    }
    if (token !== "none") {
      const [tokens, problem] = describe(token);
      inquiry.report(kind, tokens, problem);
      // Pull requests are still the one repository's: its whole-repository trust is judged too.
      return kind === "pull-request" ? repository : undefined;
    }
  }
  // The formulas above cover every foreign token: reaching here would be a bug in the model.
  inquiry.report("not-a-repository", [foreign], notARepository(foreign.sub));
  return undefined;
}

/** How a trust policy decides one token. */
export interface TokenDecision {
  /** Whether IAM lets the token assume the role. */
  readonly admitted: boolean;
  /** Labels of the Allow statements whose principal and conditions the token meets. */
  readonly allowedBy: readonly string[];
  /** Labels of the Deny statements that refuse it. */
  readonly deniedBy: readonly string[];
  /** Conditions the model could not evaluate: the decision is not certain. */
  readonly assumptions: readonly string[];
}

/**
 * How IAM decides `sts:AssumeRoleWithWebIdentity` for one GitHub token, by the same model the
 * policy pack judges trust with. A condition the model cannot evaluate makes the decision
 * uncertain; the token is then called admitted only if it is admitted whatever that condition
 * says (and `assumptions` names it).
 */
export function decideToken(document: PolicyDocument, token: TrustToken): TokenDecision {
  const issuer = issuerOfProvider(token.provider).toLowerCase();
  const resolve = keysOf(issuer);
  const variables = usesPolicyVariables(document);
  const values = { sub: token.sub, aud: token.aud };
  const allowedBy: string[] = [];
  const deniedBy: string[] = [];
  const assumptions: string[] = [];
  let surelyAllowed = false;
  let maybeDenied = false;
  for (const statement of document.statements.filter(coversWebIdentity)) {
    if (statement.principal?.not || !principalMatches(statement, token.provider)) {
      continue;
    }
    const raw = conditionsFormula(statement.conditions, resolve, variables);
    assumptions.push(...unknownReasons(raw));
    const upper = evaluate(bound(raw, "upper"), values);
    const lower = evaluate(bound(raw, "lower"), values);
    if (statement.effect === "Allow") {
      if (upper) {
        allowedBy.push(statement.label);
      }
      surelyAllowed ||= lower;
    } else {
      if (lower) {
        deniedBy.push(statement.label);
      }
      maybeDenied ||= upper;
    }
  }
  return {
    admitted: surelyAllowed && !maybeDenied,
    allowedBy,
    deniedBy,
    assumptions: [...new Set(assumptions)],
  };
}

/** Who can assume a role with this trust policy through GitHub Actions' OIDC tokens. */
export function analyzeTrust(document: PolicyDocument): TrustAnalysis {
  // IAM refuses NotPrincipal in trust policies; such a statement is a finding of its own, and
  // the rest of the policy is judged without it.
  const invalid: TrustFinding[] = document.statements
    .filter((s) => s.principal?.not)
    .map((s) => ({
      kind: "invalid",
      statements: [s.label],
      tokens: [],
      problem: `uses NotPrincipal, which IAM does not allow in a role trust policy (and an Allow with NotPrincipal would admit every principal it does not list); name the OIDC provider in Principal.Federated`,
    }));
  if (invalid.length > 0) {
    const rest = analyzeTrust({
      ...document,
      statements: document.statements.filter((s) => !s.principal?.not),
    });
    return { ...rest, trustsGitHub: true, findings: [...invalid, ...rest.findings] };
  }
  const relevant = document.statements.filter(coversWebIdentity);
  if (!relevant.some((s) => s.effect === "Allow")) {
    return noTokens;
  }
  const scenarios = providers(document, relevant)
    .map((provider) => scenario(document, relevant, provider))
    .filter((s) => s.admitted.kind !== "false");
  if (scenarios.length === 0) {
    return noTokens;
  }
  const assumptions = [...new Set(scenarios.flatMap((s) => s.assumptions))];

  // The common case, proven without a search: one issuer, one repository, aud pinned.
  if (scenarios.length === 1) {
    const repository = provenRepository(scenarios[0]);
    if (repository !== undefined) {
      return {
        trustsGitHub: true,
        repository,
        issuer: scenarios[0].issuer,
        findings: [],
        wholeRepository: wholeRepository(scenarios[0], repository),
        assumptions,
      };
    }
  }

  // The primary issuer is the first whose tokens the policy admits; any other is a finding.
  const findings: TrustFinding[] = [];
  const admittedBy: { inquiry: Inquiry; token: TrustToken }[] = [];
  for (const s of scenarios) {
    const inquiry = new Inquiry(s);
    const token = inquiry.find(s.admitted);
    if (token === "unknown") {
      inquiry.undecided(`admit only one issuer's tokens (${s.issuer})`);
      findings.push(...inquiry.findings);
    } else if (token !== "none") {
      admittedBy.push({ inquiry, token });
    }
  }
  if (admittedBy.length === 0) {
    return { trustsGitHub: findings.length > 0, findings, wholeRepository: [], assumptions };
  }
  const [{ inquiry: primary, token: primaryToken }, ...others] = admittedBy;
  if (others.length > 0) {
    primary.report(
      "other-issuer",
      [primaryToken, ...others.map((o) => o.token)],
      `admits tokens of other issuers than ${primary.scenario.issuer} too: ${others.map((o) => o.inquiry.scenario.issuer).join(", ")}`,
    );
  }
  judgeAudience(primary, primaryToken);
  const repository = judgeSubjects(primary);
  findings.push(...primary.findings);
  const single = repository !== undefined && others.length === 0;
  return {
    trustsGitHub: true,
    ...(single && { repository }),
    issuer: primary.scenario.issuer,
    findings,
    wholeRepository: single ? wholeRepository(primary.scenario, repository) : [],
    assumptions,
  };
}
