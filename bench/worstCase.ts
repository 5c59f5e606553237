/**
 * Pathological IAM documents for the worst-case table: families of short, valid policies, each a
 * function of a size n, that stress a search over string languages (patterns whose wildcards
 * overlap, conditions that must all hold at once, Denies that carve holes in an Allow), grown
 * until the document reaches AWS's size limit for its kind.
 *
 * Sizes are counted as IAM counts them: the JSON text without whitespace (`JSON.stringify` of
 * the document, whose strings hold no whitespace here).
 */
import type { AnalyzerResource } from "../cli/policyPack/analyzerClient";
import { githubDotComIssuer, stsAudience } from "../policy-pack/governance/github";
import { awsTypes } from "../policy-pack/governance/typeTokens";

/** The kind of document a family grows, which sets its size limit and how the pack judges it. */
export type DocumentKind = "trust" | "managed" | "inline" | "repository";

export interface DocumentKindInfo {
  /** How the table names it. */
  readonly label: string;
  /** How the table names its limit: "trust policies 4,096". */
  readonly plural: string;
  /** AWS's limit on its size, in characters without whitespace. */
  readonly limitCharacters: number;
  /** The protocol call that judges it: a resource policy's `Analyze`, a stack policy's `AnalyzeStack`. */
  readonly call: "Analyze" | "AnalyzeStack";
}

/**
 * IAM's and ECR's quotas. A role's trust policy is 2,048 characters by default, raised on
 * request: the table grows trust policies to 4,096, a length accounts run with. The inline
 * limit is for all of a role's inline policies together; here the role has one.
 */
export const documentKinds: Readonly<Record<DocumentKind, DocumentKindInfo>> = {
  trust: {
    label: "trust policy",
    plural: "trust policies",
    limitCharacters: 4096,
    call: "Analyze",
  },
  managed: {
    label: "managed policy, attached",
    plural: "managed policies",
    limitCharacters: 6144,
    call: "AnalyzeStack",
  },
  inline: {
    label: "role's inline policy",
    plural: "a role's inline policies together",
    limitCharacters: 10240,
    call: "AnalyzeStack",
  },
  repository: {
    label: "ECR repository policy",
    plural: "ECR repository policies",
    limitCharacters: 10240,
    call: "Analyze",
  },
};

/** A policy document as JSON data. */
export interface PolicyJson {
  readonly Version: "2012-10-17";
  readonly Statement: readonly Record<string, unknown>[];
}

export interface WorstCaseFamily {
  /** A stable id (kebab-case), for results files and `--only`-style selection. */
  readonly id: string;
  /** What grows, as the table names it: "conditions per claim". */
  readonly title: string;
  /** What one unit of n is: "`sub` condition entry". */
  readonly unit: string;
  readonly kind: DocumentKind;
  /**
   * The document at size n (n ≥ 1); it grows with n. Each variant spells its words in other
   * letters, at the same size and of the same difficulty, so that no cache of an earlier
   * call's document, pattern or language answers for it (variant 0 is the canonical one).
   */
  readonly document: (n: number, variant?: number) => PolicyJson;
}

/** A document's size as IAM counts it: the JSON text without whitespace. */
export function iamCharacters(document: PolicyJson): number {
  return JSON.stringify(document).length;
}

export const account = "123456789012";
export const githubProviderArn = `arn:aws:iam::${account}:oidc-provider/${githubDotComIssuer}`;
const webIdentityAction = "sts:AssumeRoleWithWebIdentity";
const subKey = `${githubDotComIssuer}:sub`;
const audKey = `${githubDotComIssuer}:aud`;
const repository = "repo:acme/payments-api";
const branches = `${repository}:ref:refs/heads/`;
const organisation = "o-a1b2c3d4e5";

/**
 * Lower-case letters in the order {@link respell} assigns them: those the words below use first
 * (the fragments' `aelrs`, then the repository name's other letters).
 */
const letterOrder = "aeslrpymntibcdfghjkoquvwxz";

/**
 * A text with its lower-case letters replaced by the variant's letter permutation (variant 0
 * keeps them): the permutations of `a`, `e` and `s` alone differ for the first 15,600
 * variants, so each of those spells the fragments and `payments-api` apart from every other.
 */
export function respell(text: string, variant: number): string {
  if (variant === 0) {
    return text;
  }
  const pool = [...letterOrder];
  const image = new Map<string, string>();
  let rest = variant;
  for (const letter of letterOrder) {
    const [chosen] = pool.splice(rest % pool.length, 1);
    rest = Math.floor(rest / (pool.length + 1));
    image.set(letter, chosen);
  }
  return [...text].map((c) => image.get(c) ?? c).join("");
}

/**
 * The i-th short word over the letters of "release" (`aa`, `ae`, ..., `ss`, `aaa`, ...), in the
 * variant's letters: words that overlap one another, so that an automaton looking for several
 * of them at once must track every prefix of each.
 */
export function fragment(i: number, variant = 0): string {
  const letters = "aelrs";
  let length = 2;
  let index = i;
  while (index >= letters.length ** length) {
    index -= letters.length ** length;
    length += 1;
  }
  let word = "";
  for (let position = 0; position < length; position += 1) {
    word = letters[index % letters.length] + word;
    index = Math.floor(index / letters.length);
  }
  return respell(word, variant);
}

/**
 * The i-th spelling of a condition key in other letter cases (0 is the key itself): IAM
 * compares keys without letter case, so each is the same key, while JSON sees different keys
 * and lets one operator hold many. The first variants capitalise the words
 * (`Token.Actions.Githubusercontent.Com:Sub`); later ones flip further letters.
 */
export function keyVariant(key: string, i: number): string {
  const letters = [...key].flatMap((c, index) => (/[a-z]/i.test(c) ? [index] : []));
  const wordStarts = letters.filter((index) => index === 0 || /[^a-z]/i.test(key[index - 1]));
  const order = [...wordStarts, ...letters.filter((index) => !wordStarts.includes(index))];
  if (i >= 2 ** order.length) {
    throw new Error(`${key} has only ${2 ** order.length} spellings; asked for spelling ${i}`);
  }
  const chars = [...key];
  order.forEach((index, bit) => {
    if (Math.floor(i / 2 ** bit) % 2 === 1) {
      const c = chars[index];
      chars[index] = c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase();
    }
  });
  return chars.join("");
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const policy = (...statements: Record<string, unknown>[]): PolicyJson => ({
  Version: "2012-10-17",
  Statement: statements,
});

/** A trust statement for GitHub's tokens with these conditions. */
const webIdentity = (
  effect: "Allow" | "Deny",
  condition: Record<string, unknown>,
  sid?: string,
): Record<string, unknown> => ({
  ...(sid !== undefined && { Sid: sid }),
  Effect: effect,
  Principal: { Federated: githubProviderArn },
  Action: webIdentityAction,
  Condition: condition,
});
const audience = { [audKey]: stsAudience };
/**
 * A subject pattern of the owner's repositories with the i-th fragment somewhere after the
 * owner: the wildcards span the repository's name and the run's context, so deciding whether
 * the subjects admitted name one repository, or a pull request, is a search through them.
 */
const ownerPattern = (i: number, variant: number) => `repo:acme/*${fragment(i, variant)}*`;

const trustFamilies: readonly WorstCaseFamily[] = [
  {
    id: "trust-conditions-per-claim",
    title: "conditions per claim",
    unit: "`sub` condition entry, in one statement (the key in other letter cases)",
    kind: "trust",
    document: (n, variant = 0) =>
      policy(
        webIdentity("Allow", {
          StringEquals: audience,
          StringLike: Object.fromEntries(
            range(n).map((i) => [keyVariant(subKey, i), ownerPattern(i, variant)]),
          ),
        }),
      ),
  },
  {
    id: "trust-deny-wildcard-subjects",
    title: "Deny statements with wildcard subjects",
    unit: "Deny statement with a `StringLike` sub pattern, carving the repository's runs",
    kind: "trust",
    document: (n, variant = 0) =>
      policy(
        webIdentity("Allow", {
          StringEquals: audience,
          StringLike: { [subKey]: `${repository}:*` },
        }),
        ...range(n).map((i) =>
          webIdentity(
            "Deny",
            { StringLike: { [subKey]: `${repository}:*${fragment(i, variant)}*` } },
            `Deny${i}`,
          ),
        ),
      ),
  },
  {
    id: "trust-wildcards-per-pattern",
    title: "wildcards per pattern",
    unit: "`*` in the one sub pattern",
    kind: "trust",
    document: (n, variant = 0) =>
      policy(
        webIdentity("Allow", {
          StringEquals: audience,
          StringLike: {
            [subKey]: `repo:acme/${range(n)
              .map((i) => `*${respell("payments-api", variant)[i % 12]}`)
              .join("")}`,
          },
        }),
      ),
  },
  {
    id: "trust-allow-statements",
    title: "Allow statements",
    unit: "Allow statement with a `StringLike` sub pattern over the owner's repositories",
    kind: "trust",
    document: (n, variant = 0) =>
      policy(
        ...range(n).map((i) =>
          webIdentity(
            "Allow",
            { StringEquals: audience, StringLike: { [subKey]: ownerPattern(i, variant) } },
            `Allow${i}`,
          ),
        ),
      ),
  },
  {
    id: "trust-values-per-condition",
    title: "values per condition",
    unit: "value in the one sub condition's list",
    kind: "trust",
    document: (n, variant = 0) =>
      policy(
        webIdentity("Allow", {
          StringEquals: audience,
          StringLike: { [subKey]: range(n).map((i) => ownerPattern(i, variant)) },
        }),
      ),
  },
  {
    id: "trust-set-operators",
    title: "set operators",
    unit: "`ForAnyValue:StringLike` or `ForAllValues:StringNotLike` entry on sub",
    kind: "trust",
    document: (n, variant = 0) => {
      const any = range(n).filter((i) => i % 2 === 0);
      const all = range(n).filter((i) => i % 2 === 1);
      return policy(
        webIdentity("Allow", {
          StringEquals: audience,
          "ForAnyValue:StringLike": Object.fromEntries(
            any.map((i) => [
              keyVariant(subKey, i),
              [ownerPattern(i, variant), `${repository}:environment:*${fragment(i, variant)}`],
            ]),
          ),
          ...(all.length > 0 && {
            "ForAllValues:StringNotLike": Object.fromEntries(
              all.map((i) => [
                keyVariant(subKey, i),
                `${repository}:*${fragment(i, variant)}*tmp*`,
              ]),
            ),
          }),
        }),
      );
    },
  },
];

const ecrArn = (name: string) => `arn:aws:ecr:*:${account}:repository/${name}`;
const pushActions = [
  "ecr:BatchCheckLayerAvailability",
  "ecr:InitiateLayerUpload",
  "ecr:UploadLayerPart",
  "ecr:CompleteLayerUpload",
  "ecr:PutImage",
];
const authorizationToken = {
  Sid: "Login",
  Effect: "Allow",
  Action: "ecr:GetAuthorizationToken",
  Resource: "*",
};

/** Identity-policy families, as a managed policy (6,144) or, larger, a role's inline policy (10,240). */
function identityFamilies(kind: "managed" | "inline"): WorstCaseFamily[] {
  const prefix = kind === "managed" ? "managed" : "inline";
  return [
    {
      id: `${prefix}-notaction-notresource`,
      title: "NotAction/NotResource statements",
      unit: "statement: Allow all but IAM and STS outside a pattern, or Deny all but push outside one",
      kind,
      document: (n, variant = 0) =>
        policy(
          authorizationToken,
          ...range(n).map((i) =>
            i % 2 === 0
              ? {
                  Sid: `AllBut${i}`,
                  Effect: "Allow",
                  NotAction: ["iam:*", "sts:*", `ecr:*${fragment(i, variant)}*`],
                  NotResource: ecrArn(`acme/*${fragment(i, variant)}*`),
                }
              : {
                  Sid: `OnlyPush${i}`,
                  Effect: "Deny",
                  NotAction: [...pushActions.slice(0, 2), "ecr:*Upload*", "ecr:Put*"],
                  NotResource: ecrArn(`acme/payments*${fragment(i, variant)}*`),
                },
          ),
        ),
    },
    {
      id: `${prefix}-wildcard-resources`,
      title: "wildcard resources",
      unit: "wildcard repository ARN in the push statement's Resource",
      kind,
      document: (n, variant = 0) =>
        policy(authorizationToken, {
          Sid: "Push",
          Effect: "Allow",
          Action: pushActions,
          Resource: range(n).map((i) => ecrArn(`acme/payments*${fragment(i, variant)}*`)),
        }),
    },
    {
      id: `${prefix}-deny-wildcard-resources`,
      title: "Deny statements with wildcard resources",
      unit: "Deny statement on a wildcard repository ARN",
      kind,
      document: (n, variant = 0) =>
        policy(
          authorizationToken,
          { Sid: "Push", Effect: "Allow", Action: "ecr:*", Resource: ecrArn("acme/*") },
          ...range(n).map((i) => ({
            Sid: `Keep${i}`,
            Effect: "Deny",
            Action: ["ecr:Put*", "ecr:*Upload*", "ecr:Delete*"],
            Resource: ecrArn(`acme/*${fragment(i, variant)}*`),
          })),
        ),
    },
  ];
}

const pullActions = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"];
const principalArnKey = "aws:PrincipalArn";

const repositoryFamilies: readonly WorstCaseFamily[] = [
  {
    id: "repository-principal-conditions",
    title: 'Principal "*" statements with wildcard conditions',
    unit: 'Principal "*" statement with `aws:PrincipalOrgID` and `aws:PrincipalArn` wildcards',
    kind: "repository",
    document: (n, variant = 0) =>
      policy(
        ...range(n).map((i) => ({
          Sid: `Pull${i}`,
          Effect: "Allow",
          Principal: "*",
          Action: pullActions,
          Condition: {
            StringLike: { "aws:PrincipalOrgID": `o-*${fragment(i, variant)}*` },
            ArnLike: { [principalArnKey]: `arn:aws:iam::*:role/*${fragment(i, variant)}*-ci` },
          },
        })),
      ),
  },
  {
    id: "repository-principal-arn-per-statement",
    title: "`aws:PrincipalArn` conditions per statement",
    unit: '`ArnLike` entry on `aws:PrincipalArn` in one Principal "*" statement (the key in other letter cases)',
    kind: "repository",
    document: (n, variant = 0) =>
      policy({
        Sid: "Pull",
        Effect: "Allow",
        Principal: "*",
        Action: pullActions,
        Condition: {
          ArnLike: Object.fromEntries(
            range(n).map((i) => [
              keyVariant(principalArnKey, i),
              `arn:aws:iam::*${i % 10}*:role/*${fragment(i, variant)}*`,
            ]),
          ),
        },
      }),
  },
  {
    id: "repository-deny-principal-wildcards",
    title: "Deny statements with wildcard principals",
    unit: "Deny statement with an `ArnLike` `aws:PrincipalArn` pattern",
    kind: "repository",
    document: (n, variant = 0) =>
      policy(
        {
          Sid: "Organisation",
          Effect: "Allow",
          Principal: "*",
          Action: pullActions,
          Condition: { StringLike: { "aws:PrincipalOrgID": `${organisation}*` } },
        },
        ...range(n).map((i) => ({
          Sid: `Refuse${i}`,
          Effect: "Deny",
          Principal: "*",
          Action: "ecr:*",
          Condition: {
            ArnLike: { [principalArnKey]: `arn:aws:iam::*:role/*${fragment(i, variant)}*` },
          },
        })),
      ),
  },
];

/** Every family, in the order the table lists them. */
export const worstCaseFamilies: readonly WorstCaseFamily[] = [
  ...trustFamilies,
  ...identityFamilies("managed"),
  ...identityFamilies("inline").filter((f) => f.id === "inline-deny-wildcard-resources"),
  ...repositoryFamilies,
];

/** The largest n whose document is within its kind's size limit (documents grow with n). */
export function largestSize(family: WorstCaseFamily): number {
  const limit = documentKinds[family.kind].limitCharacters;
  const fits = (n: number) => iamCharacters(family.document(n)) <= limit;
  if (!fits(1)) {
    throw new Error(`the ${family.id} document is over ${limit} characters already at n = 1`);
  }
  let low = 1;
  let high = 2;
  while (fits(high)) {
    low = high;
    high *= 2;
  }
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (fits(middle)) {
      low = middle;
    } else {
      high = middle;
    }
  }
  return low;
}

/**
 * The sizes to measure: 1, then each `factor` times the last (rounded, without repeats), below
 * `largest`, then `largest` itself, the document at its size limit.
 */
export function ladder(largest: number, factor: number): number[] {
  if (factor <= 1) {
    throw new Error(`a ladder's factor must be above 1, not ${factor}`);
  }
  const sizes: number[] = [];
  for (let step = 0; ; step += 1) {
    const n = Math.round(factor ** step);
    if (n >= largest) {
      break;
    }
    if (sizes.at(-1) !== n) {
      sizes.push(n);
    }
  }
  return [...sizes, largest];
}

/** What one call of the protocol is asked: `Analyze` one resource, or `AnalyzeStack` these. */
export type AnalyzerRequest =
  | { readonly call: "Analyze"; readonly resource: AnalyzerResource }
  | { readonly call: "AnalyzeStack"; readonly resources: readonly AnalyzerResource[] };

const urn = (type: string, name: string) => `urn:pulumi:bench::worst-case::${type}::${name}`;

/** A trust policy admitting one branch of one repository: what a pipeline's push role has. */
const scopedTrust = policy(
  webIdentity("Allow", { StringEquals: { ...audience, [subKey]: `${branches}main` } }),
);

/**
 * The protocol request that judges a family's document, as the engine would send it: a role
 * with the trust policy (inputs, to `Analyze`); a repository policy (inputs, to `Analyze`); or a
 * stack of a GitHub-trusted role and the identity policy, managed and attached to it, or inline
 * (outputs, to `AnalyzeStack`).
 */
export function analyzerRequest(kind: DocumentKind, document: PolicyJson): AnalyzerRequest {
  const text = JSON.stringify(document);
  const roleName = "payments-api-push";
  const roleUrn = urn(awsTypes.iamRole, roleName);
  const role = (extra: Record<string, unknown>): AnalyzerResource => ({
    urn: roleUrn,
    type: awsTypes.iamRole,
    name: roleName,
    properties: {
      name: roleName,
      arn: `arn:aws:iam::${account}:role/${roleName}`,
      assumeRolePolicy: JSON.stringify(scopedTrust),
      ...extra,
    },
  });
  switch (kind) {
    case "trust":
      return { call: "Analyze", resource: role({ assumeRolePolicy: text }) };
    case "repository":
      return {
        call: "Analyze",
        resource: {
          urn: urn(awsTypes.ecrRepositoryPolicy, "payments-api"),
          type: awsTypes.ecrRepositoryPolicy,
          name: "payments-api",
          properties: { repository: "acme/payments-api", policy: text },
        },
      };
    case "inline":
      return {
        call: "AnalyzeStack",
        resources: [role({ inlinePolicies: [{ name: "push", policy: text }] })],
      };
    case "managed": {
      const policyName = "payments-api-push";
      const policyUrn = urn(awsTypes.iamPolicy, policyName);
      const policyArn = `arn:aws:iam::${account}:policy/${policyName}`;
      const attachmentUrn = urn(awsTypes.iamRolePolicyAttachment, policyName);
      return {
        call: "AnalyzeStack",
        resources: [
          role({}),
          {
            urn: policyUrn,
            type: awsTypes.iamPolicy,
            name: policyName,
            properties: { name: policyName, arn: policyArn, policy: text },
          },
          {
            urn: attachmentUrn,
            type: awsTypes.iamRolePolicyAttachment,
            name: policyName,
            properties: { role: roleName, policyArn },
            dependencies: [roleUrn, policyUrn],
            propertyDependencies: { role: [roleUrn], policyArn: [policyUrn] },
          },
        ],
      };
    }
  }
}
