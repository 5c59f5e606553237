/**
 * Harder generated policies than the differential tests' (`trustGenerators.ts`,
 * `accessGenerators.ts`), for the Z3 check: many Deny statements with wildcards, more than 31
 * values or conditions on one key, non-ASCII characters and policy-variable escapes in values.
 * The Z3 test runs them only with `Z3_HARD=1`: the model fails open on some of them today (the
 * counter-examples the test prints are kept as named tests once the model is fixed).
 */
import fc from "fast-check";
import { enterpriseIssuer, githubIssuer, githubProvider, providerOf } from "../trustGenerators";

const subKey = `${githubIssuer}:sub`;
const audKey = `${githubIssuer}:aud`;

/** Pieces of subjects: the named repository's, foreign ones, wildcards, escapes, non-ASCII. */
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
  "${*}",
  "${?}",
  "${$}",
];
const nonAscii = ["é", "É", "ß", "ẞ", "İ", "ı", "K", "ﬀ", "ä", "Ä", "ǅ", "σ", "Σ", "ς", "я", "😀"];
const piece = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...fragments) },
  { weight: 1, arbitrary: fc.constantFrom(...nonAscii) },
);
const pattern = fc.array(piece, { minLength: 1, maxLength: 6 }).map((parts) => parts.join(""));

/** Subjects of the named repository, with a non-ASCII character or an escape somewhere. */
const unusualSubject = fc
  .tuple(
    fc.constantFrom(
      "repo:acme/app:ref:refs/heads/main",
      "repo:acme/app:ref:refs/heads/*",
      "repo:acme/app:environment:production",
      "repo:acme/app:*",
      "repo:acme/*",
    ),
    fc.nat(40),
    fc.constantFrom(...nonAscii, "${*}", "${?}", "${$}"),
  )
  .map(([subject, at, inserted]) => {
    const i = Math.min(at, subject.length);
    return `${subject.slice(0, i)}${inserted}${subject.slice(i)}`;
  });

const stringOperator = fc
  .tuple(
    fc.constantFrom(
      "StringEquals",
      "StringNotEquals",
      "StringLike",
      "StringNotLike",
      "StringEqualsIgnoreCase",
      "StringNotEqualsIgnoreCase",
    ),
    fc.constantFrom("", "", "ForAnyValue:", "ForAllValues:"),
    fc.constantFrom("", "", "IfExists"),
  )
  .map(([base, qualifier, suffix]) => `${qualifier}${base}${suffix}`);

const pinnedAudience = { StringEquals: { [audKey]: "sts.amazonaws.com" } };

/** An Allow of the GitHub provider, on one subject pattern, with the audience pinned or not. */
const broadAllow = fc
  .tuple(
    fc.constantFrom("repo:acme/*", "repo:acme/app:*", "repo:*", "*", "repo:acme/app*"),
    fc.boolean(),
  )
  .map(([subject, pinned]) => ({
    Effect: "Allow",
    Principal: { Federated: githubProvider },
    Action: "sts:AssumeRoleWithWebIdentity",
    Condition: {
      StringLike: { [subKey]: subject },
      ...(pinned && { StringEquals: { [audKey]: "sts.amazonaws.com" } }),
    },
  }));

/** Many Deny statements, each refusing subjects by a pattern with wildcards. */
const manyDenies = fc
  .tuple(
    broadAllow,
    fc.array(fc.tuple(fc.constantFrom("StringLike", "StringNotLike", "StringEquals"), pattern), {
      minLength: 5,
      maxLength: 40,
    }),
  )
  .map(([allow, denies]) => ({
    Version: "2012-10-17",
    Statement: [
      allow,
      ...denies.map(([operator, value]) => ({
        Effect: "Deny",
        Principal: { Federated: githubProvider },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: { [operator]: { [subKey]: value } },
      })),
    ],
  }));

/** More than 31 values on one key: in one Allow's list, or spread over a Deny's operators. */
const manyValues = fc.oneof(
  fc
    .tuple(fc.array(pattern, { minLength: 32, maxLength: 40 }), fc.boolean())
    .map(([values, pinned]) => ({
      Version: "2012-10-17",
      Statement: {
        Effect: "Allow",
        Principal: { Federated: githubProvider },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringLike: { [subKey]: values },
          ...(pinned && pinnedAudience),
        },
      },
    })),
  fc
    .tuple(broadAllow, fc.array(pattern, { minLength: 32, maxLength: 40 }))
    .map(([allow, values]) => ({
      Version: "2012-10-17",
      Statement: [
        allow,
        {
          Effect: "Deny",
          Principal: { Federated: githubProvider },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: { StringLike: { [subKey]: values } },
        },
      ],
    })),
  fc
    .tuple(
      fc.array(fc.tuple(fc.constantFrom(...fragments), fc.constantFrom(...fragments)), {
        minLength: 32,
        maxLength: 40,
      }),
    )
    .map(([pairs]) => ({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Federated: githubProvider },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: {
            StringLike: { [subKey]: "repo:acme/app:*" },
            StringNotLike: { [subKey]: pairs.map(([a, b]) => `repo:acme/app:${a}${b}`) },
            ...pinnedAudience,
          },
        },
      ],
    })),
);

const audiencePattern = fc
  .array(fc.constantFrom("sts", ".", "amazonaws", ".com", "*", "?", "sigstore", "s", "STS"), {
    minLength: 1,
    maxLength: 5,
  })
  .map((parts) => parts.join(""));

/**
 * More than 31 conditions on `sub` and on `aud` alike, one pair per statement: a search that
 * enumerates the answers of one key's conditions before the other's must not lose any.
 */
const manyStatementsOnTwoKeys = fc
  .tuple(
    broadAllow,
    fc.array(fc.tuple(fc.constantFrom("Allow", "Deny", "Deny"), pattern, audiencePattern), {
      minLength: 32,
      maxLength: 40,
    }),
  )
  .map(([allow, statements]) => ({
    Version: "2012-10-17",
    Statement: [
      allow,
      ...statements.map(([effect, subject, audience]) => ({
        Effect: effect,
        Principal: { Federated: githubProvider },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: { StringLike: { [subKey]: subject, [audKey]: audience } },
      })),
    ],
  }));

/** Statements whose values hold non-ASCII characters or escapes, some without letter case. */
const unusualValues = fc
  .array(
    fc.tuple(
      fc.constantFrom("Allow", "Allow", "Deny"),
      fc.constantFrom<unknown>(
        { Federated: githubProvider },
        { Federated: [githubProvider, providerOf(enterpriseIssuer)] },
        "*",
      ),
      fc.array(
        fc.tuple(
          stringOperator,
          fc.constantFrom(
            subKey,
            `${enterpriseIssuer}:sub`,
            "Token.Actions.GitHubUserContent.com:Sub",
          ),
          fc.array(fc.oneof(unusualSubject, pattern), { minLength: 1, maxLength: 3 }),
        ),
        { minLength: 1, maxLength: 3 },
      ),
      fc.boolean(),
    ),
    { minLength: 1, maxLength: 3 },
  )
  .map((statements) => ({
    Version: "2012-10-17",
    Statement: statements.map(([effect, principal, entries, pinned]) => {
      const condition: Record<string, Record<string, string[] | string>> = {};
      for (const [operator, key, values] of entries) {
        (condition[operator] ??= {})[key] = values;
      }
      if (pinned) {
        (condition.StringEquals ??= {})[audKey] = "sts.amazonaws.com";
      }
      return {
        Effect: effect,
        Principal: principal,
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: condition,
      };
    }),
  }));

/** The harder trust policies. */
export const hardTrustPolicy = fc.oneof(
  manyDenies,
  manyValues,
  manyStatementsOnTwoKeys,
  unusualValues,
);

const accountPattern = fc
  .array(fc.constantFrom("1", "2", "9", "0", "*", "?"), { minLength: 1, maxLength: 12 })
  .map((parts) => parts.join(""));

const organisationPattern = fc
  .array(fc.constantFrom("o-", "a", "z", "0", "*", "?"), { minLength: 1, maxLength: 8 })
  .map((parts) => parts.join(""));

/** Harder repository policies: many Deny statements, and more than 31 values on one key. */
export const hardRepositoryPolicy = fc.oneof(
  fc
    .tuple(
      fc.uniqueArray(accountPattern, { minLength: 32, maxLength: 40 }),
      fc.uniqueArray(organisationPattern, { minLength: 32, maxLength: 40 }),
    )
    .map(([accounts, organisations]) => ({
      Version: "2012-10-17",
      Statement: {
        Effect: "Allow",
        Principal: "*",
        Action: "ecr:BatchGetImage",
        Condition: {
          StringLike: { "aws:PrincipalAccount": accounts, "aws:PrincipalOrgID": organisations },
        },
      },
    })),
  fc.array(accountPattern, { minLength: 32, maxLength: 40 }).map((accounts) => ({
    Version: "2012-10-17",
    Statement: {
      Effect: "Allow",
      Principal: "*",
      Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
      Condition: { StringLike: { "aws:PrincipalAccount": accounts } },
    },
  })),
  fc
    .array(fc.tuple(fc.constantFrom("StringLike", "StringNotLike"), accountPattern), {
      minLength: 5,
      maxLength: 40,
    })
    .map((denies) => ({
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Principal: "*", Action: "ecr:BatchGetImage" },
        ...denies.map(([operator, account]) => ({
          Effect: "Deny",
          Principal: "*",
          Action: "ecr:*",
          Condition: { [operator]: { "aws:PrincipalAccount": account } },
        })),
      ],
    })),
  fc.array(accountPattern, { minLength: 32, maxLength: 40 }).map((accounts) => ({
    Version: "2012-10-17",
    Statement: {
      Effect: "Allow",
      Principal: "*",
      Action: "ecr:BatchGetImage",
      Condition: {
        StringNotLike: { "aws:PrincipalAccount": accounts },
        ArnLike: { "aws:PrincipalArn": "arn:aws:iam::*:role/*" },
      },
    },
  })),
);
