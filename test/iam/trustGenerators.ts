/**
 * Generated trust policies around one named repository, and the probes that tell, with an
 * independent IAM evaluator, which tokens a policy really admits.
 */
import fc from "fast-check";
import { accountId, canAssume } from "../helpers/iam";

export const githubIssuer = "token.actions.githubusercontent.com";
export const enterpriseIssuer = "token.actions.githubusercontent.com/acme";
export const gheComIssuer = "token.actions.acme.ghe.com";
export const providerOf = (issuer: string) => `arn:aws:iam::${accountId}:oidc-provider/${issuer}`;
export const githubProvider = providerOf(githubIssuer);

export const named = "acme/app";

/** Subject values a policy may list: the named repository's, foreign ones, wildcards. */
const subjectValues = [
  "repo:acme/app:ref:refs/heads/main",
  "repo:acme/app:ref:refs/heads/release/*",
  "repo:acme/app:ref:refs/heads/*",
  "repo:acme/app:ref:refs/tags/v*",
  "repo:acme/app:ref:*",
  "repo:acme/app:environment:production",
  "repo:acme/app:environment:*",
  "repo:acme/app:pull_request",
  "repo:acme/app:*",
  "repo:acme/app*",
  "repo:acme/ap?:ref:refs/heads/main",
  "repo:acme/*",
  "repo:acme/*:ref:refs/heads/main",
  "repo:*",
  "repo:*/app:ref:refs/heads/main",
  "*",
  "repo:mallory/app:ref:refs/heads/main",
  "repo:acme/other:ref:refs/heads/main",
  "repo:ACME/APP:REF:REFS/HEADS/MAIN",
  "repo:acme@1/app@2:ref:refs/heads/main",
  "repo:acme/app:ref:refs/heads/m?in",
  "repo:acme/app:p*",
  "repo:acme/app:ref:refs/heads/main*",
  // Beyond ASCII: branch names may hold any character; IgnoreCase folds some of them.
  "repo:acme/app:ref:refs/heads/\u00e9*",
  "repo:acme/app:ref:refs/heads/\u017f",
  "repo:acme/app:ref:refs/heads/\u212a*",
  "repo:acme/app:ref:refs/heads/??",
];
/** Patterns pieced together from fragments of subjects, wildcards among them. */
const fragments = [
  "repo:",
  "repo:acme/app:",
  "acme",
  "/",
  "app",
  ":",
  "*",
  "?",
  "ref:refs/heads/",
  "main",
  "pull_request",
  "environment:",
  "mallory",
  "@1",
  "-",
  "\u00e9",
  "\u00df",
  "\u4e00",
];
const pieced = fc
  .array(fc.constantFrom(...fragments), { minLength: 1, maxLength: 5 })
  .map((parts) => parts.join(""));
const subjectValue = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...subjectValues) },
  { weight: 1, arbitrary: pieced },
);

const audienceValues = ["sts.amazonaws.com", "STS.amazonaws.com", "sigstore", "*", "sts.*"];

const subKeys = [
  `${githubIssuer}:sub`,
  `${enterpriseIssuer}:sub`,
  `${gheComIssuer}:sub`,
  "Token.Actions.GitHubUserContent.com:Sub",
];
const audKeys = [
  `${githubIssuer}:aud`,
  `${enterpriseIssuer}:aud`,
  `${githubIssuer.toUpperCase()}:AUD`,
];

/**
 * Conditions on the claims STS checks besides sub and aud, with values of the named repository
 * (id 2, owner id 1), of others, and wildcards; and one GitHub issues that STS does not check.
 */
const claimValues: Readonly<Record<string, readonly string[]>> = {
  repository: ["acme/app", "acme/*", "ACME/APP", "mallory/app", "*"],
  repository_id: ["2", "9", "*"],
  repository_owner_id: ["1", "8"],
  ref: ["refs/heads/main", "refs/heads/*", "refs/pull/*", "refs/tags/v1"],
  environment: ["production", "*", "staging"],
  job_workflow_ref: [
    "acme/platform/.github/workflows/build.yml@refs/heads/main",
    "acme/app/.github/workflows/*",
    "*@refs/tags/v1",
  ],
  workflow: ["build", "*"],
  actor: ["octocat"],
  repository_owner: ["acme"],
};
const claimKeyNames = Object.keys(claimValues);

const stringOperators = [
  "StringEquals",
  "StringNotEquals",
  "StringLike",
  "StringNotLike",
  "StringEqualsIgnoreCase",
  "StringNotEqualsIgnoreCase",
];

const operator = fc
  .tuple(
    fc.constantFrom(...stringOperators),
    fc.constantFrom("", "", "ForAnyValue:", "ForAllValues:"),
    fc.constantFrom("", "", "IfExists"),
  )
  .map(([base, qualifier, suffix]) => `${qualifier}${base}${suffix}`);

type Entry = [string, string, string[]];

/** Conditions on sub and aud only (what the Z3 check encodes). */
const subjectAudienceEntries: { weight: number; arbitrary: fc.Arbitrary<Entry> }[] = [
  {
    weight: 6,
    arbitrary: fc.tuple(
      operator,
      fc.constantFrom(...subKeys),
      fc.array(subjectValue, { minLength: 1, maxLength: 3 }),
    ),
  },
  {
    weight: 3,
    arbitrary: fc.tuple(
      operator,
      fc.constantFrom(...audKeys),
      fc.subarray(audienceValues, { minLength: 1, maxLength: 2 }),
    ),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(
      fc.constant("Null"),
      fc.constantFrom(...subKeys, ...audKeys),
      fc.constantFrom<string[]>(["true"], ["false"]),
    ),
  },
];

const entry: fc.Arbitrary<Entry> = fc.oneof(
  ...subjectAudienceEntries,
  {
    weight: 4,
    arbitrary: fc
      .tuple(
        operator,
        fc.constantFrom(githubIssuer, enterpriseIssuer),
        fc.constantFrom(...claimKeyNames),
      )
      .chain(([op, issuer, claim]) =>
        fc.tuple(
          fc.constant(op),
          fc.constant(`${issuer}:${claim}`),
          fc.subarray([...claimValues[claim]], {
            minLength: 1,
            maxLength: Math.min(2, claimValues[claim].length),
          }),
        ),
      ),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(
      fc.constant("Null"),
      fc.constantFrom(`${githubIssuer}:environment`, `${githubIssuer}:repository_id`),
      fc.constantFrom<string[]>(["true"], ["false"]),
    ),
  },
);

const principal = fc.constantFrom<Record<string, unknown>>(
  // Providers of other accounts and partitions: a role trusts its own account's providers only.
  {
    Principal: {
      Federated: "arn:aws:iam::999999999999:oidc-provider/token.actions.githubusercontent.com",
    },
  },
  {
    Principal: {
      Federated: "arn:aws-cn:iam::123456789012:oidc-provider/token.actions.githubusercontent.com",
    },
  },
  { Principal: { Federated: githubProvider } },
  { Principal: { Federated: githubProvider } },
  { Principal: { Federated: githubProvider } },
  { Principal: { Federated: providerOf(enterpriseIssuer) } },
  { Principal: { Federated: [githubProvider, providerOf(gheComIssuer)] } },
  { Principal: "*" },
  { Principal: { AWS: "*" } },
  { NotPrincipal: { AWS: `arn:aws:iam::${accountId}:root` } },
  { Principal: { AWS: `arn:aws:iam::${accountId}:root` } },
);

const action = fc.constantFrom<Record<string, unknown>>(
  { Action: "sts:AssumeRoleWithWebIdentity" },
  { Action: "sts:AssumeRoleWithWebIdentity" },
  { Action: "sts:*" },
  { Action: ["sts:AssumeRole", "sts:AssumeRoleWithWebIdentity"] },
  { Action: "*" },
  { NotAction: "sts:AssumeRole" },
  { Action: "sts:AssumeRole" },
);

/**
 * Principals of Deny statements. Not an account principal: whether `{"AWS": "<account>"}` in a
 * Deny matches a web identity caller is not documented; the evaluator says it does, the model
 * assumes it does not (so it may report a token the evaluator refuses: failing closed). The
 * named test "an account principal in a Deny does not refuse web identity tokens" keeps that
 * choice visible.
 */
const denyPrincipal = fc.constantFrom<Record<string, unknown>>(
  {
    Principal: {
      Federated: "arn:aws:iam::999999999999:oidc-provider/token.actions.githubusercontent.com",
    },
  },
  { Principal: { Federated: githubProvider } },
  { Principal: { Federated: providerOf(enterpriseIssuer) } },
  { Principal: "*" },
  { Principal: { AWS: "*" } },
);

const statementOf = (entries: fc.Arbitrary<Entry>) =>
  fc
    .constantFrom("Allow", "Allow", "Allow", "Deny")
    .chain((effect) =>
      fc.tuple(
        fc.constant(effect),
        effect === "Deny" ? denyPrincipal : principal,
        action,
        fc.array(entries, { maxLength: 3 }),
      ),
    )
    .map(([effect, who, what, entries]) => {
      const condition: Record<string, Record<string, string[]>> = {};
      for (const [op, key, values] of entries) {
        (condition[op] ??= {})[key] = values;
      }
      return {
        Effect: effect,
        ...who,
        ...what,
        ...(Object.keys(condition).length > 0 && { Condition: condition }),
      };
    });

const trustPolicyOf = (entries: fc.Arbitrary<Entry>) =>
  fc
    .array(statementOf(entries), { minLength: 1, maxLength: 3 })
    .map((statements) => ({ Version: "2012-10-17", Statement: statements }));

/** A trust policy of one to three statements, with conditions on every claim STS checks. */
export const trustPolicy = trustPolicyOf(entry);

/**
 * The same, with conditions on sub and aud only: for the Z3 check, whose encoding reads every
 * other key as absent (a GitHub token always has `repository_id`, say; Z3's tokens do not).
 */
export const subjectAudienceTrustPolicy = trustPolicyOf(fc.oneof(...subjectAudienceEntries));

export interface Probe {
  readonly issuer: string;
  readonly sub: string;
  readonly aud: string;
  /** The token's other claims STS checks, consistent with its subject; absent ones left out. */
  readonly claims: Readonly<Record<string, string>>;
}

/** Ids of the repositories the probes name: acme/app is 2 (owner acme 1), each other its own. */
const knownIds: Readonly<Record<string, [string, string]>> = {
  "acme/app": ["2", "1"],
  "acme/other": ["3", "1"],
  "acme/apx": ["4", "1"],
  "acme/app-fork": ["5", "1"],
  "mallory/app": ["6", "7"],
};

/**
 * A token's claims as GitHub issues them for a subject (written out here, apart from the
 * model): the repository and ids it spells, its ref, its environment exactly when it is an
 * environment's. `renamed` gives the repository another name than the subject's under the same
 * ids (a subject that spells no repository: a customised template's), or, for a subject that
 * spells one, another id (the repository made again under that name).
 */
export function claimsOf(sub: string, variant: "as-named" | "other-id"): Record<string, string> {
  const immutable = /^repo:([^:@/]+)@(\d+)\/([^:@/]+)@(\d+):/.exec(sub);
  const named = /^repo:([^:@/]+\/[^:@/]+):/.exec(sub);
  const repository = immutable ? `${immutable[1]}/${immutable[3]}` : (named?.[1] ?? "acme/app");
  const [repositoryId, ownerId] = immutable
    ? [immutable[4], immutable[2]]
    : (knownIds[repository.toLowerCase()] ?? ["10", "11"]);
  const ref =
    /^repo:[^:]+:ref:([^:]+)(?::|$)/.exec(sub)?.[1] ??
    (/^repo:[^:]+:pull_request/.test(sub) ? "refs/pull/1/merge" : "refs/heads/main");
  const environment = /^repo:[^:]+:environment:(.+)$/s.exec(sub)?.[1];
  return {
    repository,
    repository_id: variant === "other-id" && !immutable ? "9" : repositoryId,
    repository_owner_id: variant === "other-id" && !immutable ? "8" : ownerId,
    ref,
    job_workflow_ref:
      variant === "other-id"
        ? "acme/platform/.github/workflows/build.yml@refs/heads/main"
        : `${repository}/.github/workflows/build.yml@${ref}`,
    workflow: "build",
    actor: "octocat",
    ...(environment !== undefined && { environment }),
  };
}

const probeSubjects = [
  "repo:acme/app:ref:refs/heads/main",
  "repo:acme/app:ref:refs/tags/v1",
  "repo:acme/app:environment:production",
  "repo:acme/app:ref:refs/heads/feature",
  "repo:acme/app:pull_request",
  "repo:mallory/app:ref:refs/heads/main",
  "repo:acme/other:ref:refs/heads/main",
  "repo:acme/apx:ref:refs/heads/main",
  "repo:acme/app-fork:ref:refs/heads/main",
  "repo:acme@1/app@2:ref:refs/heads/main",
  "repo:ACME/APP:REF:REFS/HEADS/MAIN",
  "repository_owner:acme",
  "repo:acme/app:ref:refs/heads/\u00e9t\u00e9",
  "repo:acme/app:ref:refs/heads/\u212a",
  "repo:mallory/app:ref:refs/heads/\u4e00",
  "\u00aa",
];

/**
 * The probes: every issuer, subject and audience above, each with its claims as named and with
 * other ids (an audience other than STS's only as named: its claims do not change the finding).
 */
export const probes: readonly Probe[] = [githubIssuer, enterpriseIssuer, gheComIssuer].flatMap(
  (issuer) =>
    probeSubjects.flatMap((sub) => [
      { issuer, sub, aud: "sts.amazonaws.com", claims: claimsOf(sub, "as-named") },
      { issuer, sub, aud: "sts.amazonaws.com", claims: claimsOf(sub, "other-id") },
      { issuer, sub, aud: "sigstore", claims: claimsOf(sub, "as-named") },
    ]),
);

export function admits(
  policy: unknown,
  token: {
    issuer: string;
    sub: string;
    aud: string;
    claims?: Readonly<Record<string, string | undefined>>;
  },
): boolean {
  const claims = Object.fromEntries(
    Object.entries(token.claims ?? {}).filter(
      (entry): entry is [string, string] => entry[1] !== undefined,
    ),
  );
  return canAssume(policy, {
    provider: providerOf(token.issuer),
    sub: token.sub,
    aud: token.aud,
    claims,
  });
}

/** The repository a subject names, compared as GitHub compares names; undefined for none. */
export function repositoryOf(sub: string): string | undefined {
  return /^repo:([A-Za-z0-9-]+(?:@\d+)?\/[A-Za-z0-9._-]+(?:@\d+)?):/.exec(sub)?.[1].toLowerCase();
}

/** A token's repository by name and by id, as its claims say. */
export function identityOf(token: {
  sub: string;
  claims?: Readonly<Record<string, string | undefined>>;
}): {
  name?: string;
  id?: string;
} {
  return { name: token.claims?.repository?.toLowerCase(), id: token.claims?.repository_id };
}

export function isPullRequest(sub: string): boolean {
  return repositoryOf(sub) !== undefined && /^repo:[^:]+:pull_request(?::|$)/i.test(sub);
}

/**
 * What the evaluator says is wrong with a policy, from the probes it admits: tokens of another
 * audience, pull requests, subjects of no repository, or tokens of more than one (issuer,
 * repository). Empty when every admitted probe is one repository's, through one issuer.
 */
export function evaluatorProblems(policy: unknown): string[] {
  const admitted = probes.filter((probe) => admits(policy, probe));
  const problems: string[] = [];
  const byName = new Set<string>();
  const byId = new Set<string>();
  for (const token of admitted) {
    if (token.aud !== "sts.amazonaws.com") {
      problems.push(`admits aud ${token.aud} (${token.issuer} ${token.sub})`);
    } else if (isPullRequest(token.sub)) {
      problems.push(`admits a pull request (${token.issuer} ${token.sub})`);
    } else if (repositoryOf(token.sub) === undefined) {
      problems.push(`admits ${token.sub}, which names no repository`);
    } else {
      byName.add(`${token.issuer} ${token.claims.repository.toLowerCase()}`);
      byId.add(`${token.issuer} ${token.claims.repository_id}`);
    }
  }
  // One repository: every admitted token has one name, or one id (an id stays with its
  // repository when it is renamed, and is never reused).
  if (byName.size > 1 && byId.size > 1) {
    problems.push(`admits more than one issuer and repository: ${[...byName].join(", ")}`);
  }
  return problems;
}

/** Every letter-case spelling of a key, up to `count`: JSON keys differ, IAM's do not. */
function spellings(key: string, count: number): string[] {
  const found = new Set<string>();
  for (let mask = 0; found.size < count; mask += 1) {
    found.add([...key].map((c, i) => ((mask >> (i % 24)) & 1 ? c.toUpperCase() : c)).join(""));
  }
  return [...found];
}

/**
 * Trust policies with more than 31 conditions on one claim (past where an enumeration of their
 * answers as a 32-bit mask overflowed): one statement, its sub and aud keys spelt in many cases.
 */
export const crowdedTrustPolicy = fc
  .tuple(
    fc.integer({ min: 32, max: 40 }),
    fc.array(subjectValue, { minLength: 1, maxLength: 3 }),
    fc.constantFrom("StringLike", "StringEquals", "StringNotLike"),
    fc.subarray(audienceValues, { minLength: 1, maxLength: 2 }),
  )
  .map(([count, subjects, operator, audiences]) => ({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Federated: githubProvider },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringLike: Object.fromEntries(
            spellings(`${githubIssuer}:aud`, count).map((k) => [k, audiences]),
          ),
          [operator === "StringLike" ? "ForAllValues:StringLike" : operator]: Object.fromEntries(
            spellings(`${githubIssuer}:sub`, count).map((k, i) => [
              k,
              [subjects[i % subjects.length]],
            ]),
          ),
        },
      },
    ],
  }));
