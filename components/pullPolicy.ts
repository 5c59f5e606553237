/**
 * The repository policy that lets the accounts running a registry's images pull them
 * (`ecr.pull`): pull actions only, never push or policy changes, one statement per kind of
 * reader, so that the policy pack (`ecr-no-public-access`, with `allowedPullAccounts` and
 * `allowedPullOrganizations`) and people read the same thing.
 */
import type { PullAccess, PullService } from "./pipelineArgs";

/**
 * What a reader needs to pull an image by tag or digest: its manifest, its layers' locations,
 * and which layers exist. (`ecr:GetAuthorizationToken` is granted by the reader's own identity
 * policy: it is not a repository's to grant.)
 */
export const pullActions: readonly string[] = [
  "ecr:BatchCheckLayerAvailability",
  "ecr:BatchGetImage",
  "ecr:GetDownloadUrlForLayer",
];

/**
 * What Lambda needs to pull a container image function's image, as AWS's Lambda guide
 * ("Container images", cross-account permissions) lists it.
 */
export const lambdaPullActions: readonly string[] = [
  "ecr:BatchGetImage",
  "ecr:GetDownloadUrlForLayer",
];

/** Whether anyone besides the registry's account may pull. */
export function hasReaders(pull: Required<PullAccess>): boolean {
  return pull.accounts.length + pull.organizations.length + pull.services.length > 0;
}

interface PolicyStatement {
  Sid: string;
  Effect: "Allow";
  Principal: "*" | { AWS: string[] } | { Service: string };
  Action: string[];
  Condition?: Record<string, Record<string, string[]>>;
}

/**
 * The repository policy's JSON text for `pull`, in the registry's `account` and `partition`:
 * - `accounts`: their root principals (each account's own IAM then decides which of its
 *   principals may pull);
 * - `organizations` ids: any principal whose `aws:PrincipalOrgID` is one of them;
 * - organisation paths: any principal whose `aws:PrincipalOrgPaths` lies under one of them;
 * - `lambda`: the Lambda service, for functions of this account and of `accounts` only
 *   (`aws:SourceAccount`, and `aws:SourceArn` a function of one of them).
 */
export function pullPolicyDocument(
  pull: Required<PullAccess>,
  account: string,
  partition: string,
): string {
  const statements: PolicyStatement[] = [];
  if (pull.accounts.length > 0) {
    statements.push({
      Sid: "PullByAccounts",
      Effect: "Allow",
      Principal: { AWS: pull.accounts.map((id) => `arn:${partition}:iam::${id}:root`) },
      Action: [...pullActions],
    });
  }
  const ids = pull.organizations.filter((o) => !o.includes("/"));
  const paths = pull.organizations.filter((o) => o.includes("/"));
  if (ids.length > 0) {
    statements.push({
      Sid: "PullByOrganizations",
      Effect: "Allow",
      Principal: "*",
      Action: [...pullActions],
      Condition: { StringEquals: { "aws:PrincipalOrgID": ids } },
    });
  }
  if (paths.length > 0) {
    statements.push({
      Sid: "PullByOrganizationalUnits",
      Effect: "Allow",
      Principal: "*",
      Action: [...pullActions],
      Condition: {
        "ForAnyValue:StringLike": { "aws:PrincipalOrgPaths": paths.map((p) => `${p}*`) },
      },
    });
  }
  if (pull.services.includes("lambda")) {
    const accounts = [...new Set([account, ...pull.accounts])];
    statements.push({
      Sid: "PullByLambda",
      Effect: "Allow",
      Principal: { Service: "lambda.amazonaws.com" },
      Action: [...lambdaPullActions],
      Condition: {
        StringEquals: { "aws:SourceAccount": accounts },
        StringLike: {
          "aws:SourceArn": accounts.map((id) => `arn:${partition}:lambda:*:${id}:function:*`),
        },
      },
    });
  }
  return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

/** Who can pull, for the component's `pullers` output and for people. */
export function describeReaders(pull: Required<PullAccess>): string[] {
  return [
    ...pull.accounts.map((a) => `account ${a}`),
    ...pull.organizations.map((o) =>
      o.includes("/") ? `organisational unit ${o}` : `organisation ${o}`,
    ),
    ...pull.services.map(
      (s) =>
        `${s} functions of this account${pull.accounts.length > 0 ? " and the accounts above" : ""}`,
    ),
  ];
}

/** A repository policy read back as `ecr.pull`, or the statement it cannot be read from. */
export type ReadPull =
  { readonly pull: Required<PullAccess> } | { readonly statement: string; readonly reason: string };

const sameList = (a: readonly string[] | undefined, b: readonly string[]) =>
  a !== undefined && a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * The inverse of {@link pullPolicyDocument}, for adoption: the readers of a repository policy
 * that is exactly one the pipeline writes (for the registry's `account` and `partition`), so
 * that adopting it leaves it as it is; otherwise the first statement it cannot express, and why.
 */
export function pullFromPolicy(policyText: string, account: string, partition: string): ReadPull {
  let document: { Statement?: unknown };
  try {
    document = JSON.parse(policyText);
  } catch {
    return { statement: "the policy", reason: "it is not JSON" };
  }
  const statements = Array.isArray(document?.Statement)
    ? document.Statement
    : [document?.Statement];
  const pull = {
    accounts: [] as string[],
    organizations: [] as string[],
    services: [] as PullService[],
  };
  statements.forEach((raw: Record<string, any>) => {
    const sid = typeof raw?.Sid === "string" ? raw.Sid : "";
    const principal = raw?.Principal;
    const asList = (v: unknown) =>
      Array.isArray(v) ? v.map(String) : v === undefined ? [] : [String(v)];
    if (sid === "PullByAccounts" && principal?.AWS !== undefined && raw.Condition === undefined) {
      const ids = asList(principal.AWS).map(
        (arn) => /^arn:[^:]+:iam::(\d{12}):root$/.exec(arn)?.[1] ?? "",
      );
      if (!ids.includes("")) {
        pull.accounts.push(...ids);
      }
    } else if (sid === "PullByOrganizations" && principal === "*") {
      pull.organizations.push(...asList(raw.Condition?.StringEquals?.["aws:PrincipalOrgID"]));
    } else if (sid === "PullByOrganizationalUnits" && principal === "*") {
      pull.organizations.push(
        ...asList(raw.Condition?.["ForAnyValue:StringLike"]?.["aws:PrincipalOrgPaths"]).map((p) =>
          p.replace(/\*$/, ""),
        ),
      );
    } else if (sid === "PullByLambda" && principal?.Service === "lambda.amazonaws.com") {
      pull.services.push("lambda");
    }
  });
  // What was read must write back the very policy: anything else is not expressed.
  const rewritten = JSON.parse(pullPolicyDocument(pull, account, partition)).Statement as Record<
    string,
    unknown
  >[];
  for (const [index, raw] of statements.entries()) {
    const written = rewritten[index];
    if (written === undefined || JSON.stringify(written) !== JSON.stringify(raw)) {
      const label =
        typeof raw?.Sid === "string" ? `statement "${raw.Sid}"` : `statement ${index + 1}`;
      return {
        statement: label,
        reason:
          "it is not one ecr.pull writes (pull actions only, to accounts' roots, organisations, units or Lambda, in that order)",
      };
    }
  }
  if (
    rewritten.length !== statements.length ||
    !sameList(pull.accounts, [...new Set(pull.accounts)])
  ) {
    return { statement: "the policy", reason: "it is not one ecr.pull writes" };
  }
  return { pull };
}
