/**
 * Existential questions about a trust policy and GitHub Actions' OIDC tokens, to Z3: is there a
 * token the role admits that it should not? A token is (issuer, sub, aud); through the OIDC
 * provider of its issuer it calls `sts:AssumeRoleWithWebIdentity`, and its request carries the
 * keys `<issuer>:sub` and `<issuer>:aud` only (every other key, every other issuer's among them,
 * is absent). The issuers considered are every issuer the policy names (in a Federated
 * principal's provider ARN, or before the last colon of a condition key) and one it names
 * nowhere, which stands for every other issuer: the policy cannot tell those apart. Each
 * issuer is asked about in turn, so which keys are present is known in each question; a
 * token's claims are printable characters of the Basic Multilingual Plane
 * (`Regexes.requestChar`), and its subject one GitHub can issue (`TrustSetting.subjects`).
 *
 * The questions (each a Z3 query; see `trustQuestions`):
 * - "audience": a token with another audience than `sts.amazonaws.com`;
 * - "not-a-repository": a subject that names no repository (`repo:<owner>/<name>:...` or
 *   `repo:<owner>@<id>/<name>@<id>:...`);
 * - "pull-request": a pull request's subject (`repo:<repository>:pull_request`, alone or
 *   followed by `:`);
 * - "two-repositories": two tokens whose (issuer, repository without letter case) differ. Asked
 *   in two steps: any token t1 of a repository, then a token whose issuer or repository differs
 *   from t1's. That is complete: if tokens a and b differ, t1 differs from one of them.
 */
import type { Seq } from "z3-solver";
import {
  admittedTerm,
  coversAction,
  KeyValue,
  Policy,
  PolicyStatement,
  readPolicy,
  Unsupported,
} from "./encoding";
import { ask, Outcome } from "./search";
import { Regexes, Z3 } from "./solver";
import { and, member, not, or, Term } from "./terms";

export const webIdentityAction = "sts:AssumeRoleWithWebIdentity";
export const stsAudience = "sts.amazonaws.com";

export interface Token {
  readonly issuer: string;
  readonly sub: string;
  readonly aud: string;
}

export type TrustQuestion = "audience" | "not-a-repository" | "pull-request" | "two-repositories";
export const trustQuestions: readonly TrustQuestion[] = [
  "audience",
  "not-a-repository",
  "pull-request",
  "two-repositories",
];

export interface TrustSetting {
  /** The OIDC provider ARN of an issuer, in the role's account. */
  provider(issuer: string): string;
  /**
   * The subjects to search: `"github"`, the subjects GitHub can issue as far as the check relies
   * on it (one that starts with `repo:` names a repository, as the claim holds the repository's
   * own name: owner `[A-Za-z0-9-]+`, name `[A-Za-z0-9._-]+`; any other subject, a customised
   * template's, may be any string), or `"any"`: every string.
   */
  readonly subjects: "github" | "any";
  /** Whether the evaluator admits every one of these tokens. */
  admits(tokens: readonly Token[]): boolean;
}

export type TrustReport =
  | { readonly kind: "skipped"; readonly reason: string }
  | {
      readonly kind: "asked";
      readonly issuers: readonly string[];
      readonly answers: Readonly<Record<TrustQuestion, Outcome<Token[]>>>;
    };

const owner = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-";
const nameChars = `${owner}._`;

/** The repository a subject names, as `repositoryRegex` reads it; undefined for none. */
export function repositoryOfSubject(sub: string): string | undefined {
  return /^repo:([A-Za-z0-9-]+\/[A-Za-z0-9._-]+|[A-Za-z0-9-]+@[0-9]+\/[A-Za-z0-9._-]+@[0-9]+):/.exec(
    sub,
  )?.[1];
}

/** `<owner>/<name>` or `<owner>@<id>/<name>@<id>`. */
function repositoryRegex(re: Regexes) {
  const ownerRe = re.plus(re.charsOf(owner));
  const nameRe = re.plus(re.charsOf(nameChars));
  const id = re.concat([re.text("@"), re.plus(re.range(0x30, 0x39))]);
  return re.union([
    re.concat([ownerRe, re.text("/"), nameRe]),
    re.concat([ownerRe, id, re.text("/"), nameRe, id]),
  ]);
}

/** Every issuer the policy names, first spelling kept (keys are compared without case). */
export function issuersOf(document: unknown, policy: Policy): string[] {
  const named: string[] = [];
  for (const statement of policy.statements) {
    const federated =
      statement.principal?.value === "*" ? [] : (statement.principal?.value.Federated ?? []);
    for (const arn of federated) {
      const issuer = /^arn:aws[a-z-]*:iam::[0-9]{12}:oidc-provider\/(.+)$/.exec(arn)?.[1];
      if (issuer !== undefined) {
        named.push(issuer);
      }
    }
  }
  for (const statement of policy.statements) {
    for (const { key } of statement.conditions) {
      if (key.lastIndexOf(":") > 0) {
        named.push(key.slice(0, key.lastIndexOf(":")));
      }
    }
  }
  const seen = new Set<string>();
  const issuers = named.filter((i) => !seen.has(i.toLowerCase()) && seen.add(i.toLowerCase()));
  const text = JSON.stringify(document).toLowerCase();
  let n = 1;
  while (text.includes(`oidc${n}.unnamed.example`)) {
    n += 1;
  }
  return [...issuers, `oidc${n}.unnamed.example`];
}

/** The question's unknowns (a token of one issuer) and what the policy decides for them. */
class TrustEncoding {
  private readonly re: Regexes;
  readonly repositorySubject;
  /** Subjects that count as naming a repository in the "not-a-repository" question. */
  readonly namingRepository;
  readonly pullRequestSubject;
  private count = 0;

  constructor(
    private readonly z3: Z3,
    private readonly policy: Policy,
    readonly issuers: readonly string[],
    private readonly setting: TrustSetting,
  ) {
    this.re = new Regexes(z3);
    const re = this.re;
    const anything = re.star(re.anyChar());
    this.repositorySubject = re.concat([
      re.text("repo:"),
      repositoryRegex(re),
      re.text(":"),
      anything,
    ]);
    // `repo:` read exactly, as GitHub writes it: `REPO:acme/app:...` names no repository.
    this.namingRepository = this.repositorySubject;
    this.pullRequestSubject = re.concat([
      re.text("repo:"),
      repositoryRegex(re),
      re.text(":pull_request"),
      re.union([re.text(""), re.concat([re.text(":"), anything])]),
    ]);
  }

  /** Fresh strings for a token's sub and aud. */
  strings(): Record<"sub" | "aud", Seq<"main">> {
    this.count += 1;
    return {
      sub: this.z3.String.const(`sub${this.count}`),
      aud: this.z3.String.const(`aud${this.count}`),
    };
  }

  /** Whether the role admits a token of this issuer: its claims, within their domain. */
  admitted(issuer: string): Term {
    const own = issuer.toLowerCase();
    const keys = (key: string): KeyValue | undefined => {
      const lower = key.toLowerCase();
      return lower === `${own}:sub`
        ? { variable: "sub" }
        : lower === `${own}:aud`
          ? { variable: "aud" }
          : undefined;
    };
    const re = this.re;
    const claims = re.star(re.requestChar());
    const subjects =
      this.setting.subjects === "any"
        ? claims
        : re.union([
            this.repositorySubject,
            re.complement(re.concat([re.text("repo:"), re.star(re.anyChar())])),
          ]);
    return and(
      member("sub", claims),
      member("sub", subjects),
      member("aud", claims),
      admittedTerm(this.z3, this.policy, keys, (s) => this.applies(s, issuer)),
    );
  }

  /**
   * Whether a statement's principal and action cover a token of the issuer: `"*"`,
   * `{"AWS": "*"}`, or the provider of its issuer in `Federated`; an account or role principal
   * names no web identity.
   */
  private applies(statement: PolicyStatement, issuer: string): boolean {
    if (!coversAction(statement, webIdentityAction) || statement.principal === undefined) {
      return false;
    }
    const value = statement.principal.value;
    if (value === "*" || (value.AWS ?? []).includes("*")) {
      return true;
    }
    const federated = value.Federated ?? [];
    return federated.includes("*") || federated.includes(this.setting.provider(issuer));
  }

  /** Whether some statement could admit a token of the issuer at all. */
  reaches(issuer: string): boolean {
    return this.policy.statements.some((s) => s.effect === "Allow" && this.applies(s, issuer));
  }

  sts(): Term {
    return member("aud", this.re.text(stsAudience));
  }

  /** A subject naming this repository, without letter case. */
  subjectOf(repository: string): Term {
    const re = this.re;
    return member(
      "sub",
      re.concat([
        re.text("repo:"),
        re.ignoringCase(repository),
        re.text(":"),
        re.star(re.anyChar()),
      ]),
    );
  }

  /** Is there a token of one of these issuers that the role admits and `extra` holds of? */
  async find(issuers: readonly string[], extra: Term): Promise<Outcome<Token[]>> {
    const refused: Token[][] = [];
    let unknown: string | undefined;
    for (const issuer of issuers.filter((i) => this.reaches(i))) {
      const outcome = await ask<Token[]>(this.z3, {
        term: and(this.admitted(issuer), extra),
        strings: this.strings(),
        read: (values) => [{ issuer, sub: values.sub ?? "", aud: values.aud ?? "" }],
        confirm: (tokens) => this.setting.admits(tokens),
        exclude: ([token]) =>
          or(
            not(member("sub", this.re.text(token.sub))),
            not(member("aud", this.re.text(token.aud))),
          ),
      });
      refused.push(...outcome.refused);
      if (outcome.kind === "witness") {
        return { ...outcome, refused };
      }
      if (outcome.kind === "unknown") {
        unknown ??= `${issuer}: ${outcome.reason}`;
      }
    }
    return unknown === undefined
      ? { kind: "none", refused }
      : { kind: "unknown", reason: unknown, refused };
  }
}

/** Asks Z3 every trust question about a policy document. */
export async function askTrust(
  z3: Z3,
  document: unknown,
  setting: TrustSetting,
): Promise<TrustReport> {
  try {
    const policy = readPolicy(document);
    if (policy.statements.some((s) => s.principal?.not)) {
      // IAM refuses NotPrincipal in a role's trust policy: such a policy admits no token at all.
      return { kind: "skipped", reason: "NotPrincipal, which IAM refuses in trust policies" };
    }
    const issuers = issuersOf(document, policy);
    const encoding = new TrustEncoding(z3, policy, issuers, setting);
    const repository = member("sub", encoding.repositorySubject);
    const audience = await encoding.find(issuers, not(encoding.sts()));
    const notRepository = await encoding.find(
      issuers,
      and(encoding.sts(), not(member("sub", encoding.namingRepository))),
    );
    const pullRequest = await encoding.find(
      issuers,
      and(encoding.sts(), member("sub", encoding.pullRequestSubject)),
    );
    const first = await encoding.find(issuers, and(encoding.sts(), repository));
    let twoRepositories = first;
    if (first.kind === "witness") {
      const [t1] = first.witness;
      const others = issuers.filter((i) => i !== t1.issuer);
      // Another issuer's token of any repository, or one of t1's issuer of another repository.
      let second = await encoding.find(others, and(encoding.sts(), repository));
      if (second.kind !== "witness") {
        const same = await encoding.find(
          [t1.issuer],
          and(encoding.sts(), repository, not(encoding.subjectOf(repositoryOfSubject(t1.sub)!))),
        );
        second =
          same.kind === "witness" || second.kind === "none"
            ? { ...same, refused: [...second.refused, ...same.refused] }
            : second;
      }
      twoRepositories =
        second.kind === "witness"
          ? { ...second, witness: [t1, ...second.witness] }
          : { ...second, refused: [...first.refused, ...second.refused] };
    }
    return {
      kind: "asked",
      issuers,
      answers: {
        audience,
        "not-a-repository": notRepository,
        "pull-request": pullRequest,
        "two-repositories": twoRepositories,
      },
    };
  } catch (error) {
    if (error instanceof Unsupported) {
      return { kind: "skipped", reason: error.message };
    }
    throw error;
  }
}
