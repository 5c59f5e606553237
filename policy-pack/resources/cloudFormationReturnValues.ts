/**
 * What `Ref` and `Fn::GetAtt` return for a resource of a template, where CloudFormation's
 * resource reference documents the value and the template determines it: a role's `Ref` is its
 * `RoleName`, its `Arn` is `arn:<partition>:iam::<account>:role<Path><RoleName>`. A value
 * CloudFormation makes (a generated name, a `RoleId`), or a type this table does not list, is
 * Unresolved. Also the helpers that build text from parts that may be Unresolved.
 */
import { Unresolved } from "../iam/document";
import { TemplateObject, TemplateValue } from "./cloudFormationText";

/** Text, or Unresolved where its value is not known. */
export type Part = string | Unresolved;

/** The longest text the pack computes; longer text is Unresolved (a budget, not a guess). */
export const maxTextLength = 1 << 20;

/** The longest reason an Unresolved carries: reasons nest, and a template can nest them deeply. */
const maxReasonLength = 2000;

/** An Unresolved value: `what` it is and why it is not known. */
export function unresolved(what: string, why: string): Unresolved {
  const reason = `${what} (${why})`;
  return new Unresolved(
    reason.length > maxReasonLength ? `${reason.slice(0, maxReasonLength)}…` : reason,
  );
}

/** A short spelling of a template value, for reasons. */
export function describe(value: unknown): string {
  const text =
    typeof value === "string"
      ? JSON.stringify(value)
      : (JSON.stringify(value, (_key, item) =>
          item instanceof Unresolved ? `<${item.reason}>` : item,
        ) ?? String(value));
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/** The parts joined, or Unresolved naming `what` and the reasons of the parts not known. */
export function combine(what: string, parts: readonly Part[]): Part {
  const unknown = parts.filter((part): part is Unresolved => part instanceof Unresolved);
  if (unknown.length > 0) {
    return unresolved(what, [...new Set(unknown.map((part) => part.reason))].join("; "));
  }
  const text = parts.join("");
  return text.length > maxTextLength
    ? unresolved(what, `longer than the ${maxTextLength} characters the pack computes`)
    : text;
}

/** What is known of the stack's environment, for ARNs. */
export interface Environment {
  readonly partition: Part;
  readonly account: Part;
  readonly region: Part;
  readonly urlSuffix: Part;
}

/** Reads a return value from the resource's resolved properties (CloudFormation's names). */
type Read = (props: TemplateObject, environment: Environment, what: string) => TemplateValue;

export interface ReturnValues {
  readonly ref: Read;
  readonly attributes: Readonly<Record<string, Read>>;
}

/** A property as text: undefined when it is not set. */
function property(props: TemplateObject, key: string, what: string): Part | undefined {
  const value = props[key];
  if (value === undefined) {
    return undefined;
  }
  if (typeof value === "string" || value instanceof Unresolved) {
    return value;
  }
  return unresolved(what, `its ${key} ${describe(value)} is not text`);
}

/** A value built from the resource's name, which CloudFormation generates when it is not set. */
function fromName(
  key: string,
  build: (name: Part, props: TemplateObject, env: Environment, what: string) => Part[],
): Read {
  return (props, env, what) => {
    const name = property(props, key, what);
    return name === undefined
      ? unresolved(what, `${key} is not set: CloudFormation generates the name`)
      : combine(what, build(name, props, env, what));
  };
}

const named = (key: string): Read => fromName(key, (name) => [name]);

/** `arn:<partition>:iam::<account>:<kind><Path><name>`; `Path` is `/` unless set. */
const iamArn = (kind: string, key: string): Read =>
  fromName(key, (name, props, env, what) => [
    "arn:",
    env.partition,
    ":iam::",
    env.account,
    `:${kind}`,
    property(props, "Path", what) ?? "/",
    name,
  ]);

/** An OIDC provider's ARN names its URL without `https://`. */
const oidcProviderArn: Read = (props, env, what) => {
  const url = property(props, "Url", what);
  if (url === undefined || url instanceof Unresolved) {
    return url ?? unresolved(what, "Url is not set");
  }
  if (!url.startsWith("https://") || url.endsWith("/")) {
    return unresolved(what, `its Url ${url} is not https://<host>[/<path>]`);
  }
  return combine(what, [
    "arn:",
    env.partition,
    ":iam::",
    env.account,
    ":oidc-provider/",
    url.slice(8),
  ]);
};

const repositoryName = "RepositoryName";

/**
 * The documented return values of the types the pack judges. `AWS::IAM::Policy` and
 * `AWS::IAM::RolePolicy` are absent: their `Ref` is a name CloudFormation gives them.
 */
export const returnValues: Readonly<Record<string, ReturnValues>> = {
  "AWS::IAM::Role": { ref: named("RoleName"), attributes: { Arn: iamArn("role", "RoleName") } },
  "AWS::IAM::User": { ref: named("UserName"), attributes: { Arn: iamArn("user", "UserName") } },
  "AWS::IAM::Group": {
    ref: named("GroupName"),
    attributes: { Arn: iamArn("group", "GroupName") },
  },
  "AWS::IAM::ManagedPolicy": {
    ref: iamArn("policy", "ManagedPolicyName"),
    attributes: { PolicyArn: iamArn("policy", "ManagedPolicyName") },
  },
  "AWS::IAM::OIDCProvider": { ref: oidcProviderArn, attributes: { Arn: oidcProviderArn } },
  "AWS::ECR::Repository": {
    ref: named(repositoryName),
    attributes: {
      Arn: fromName(repositoryName, (name, _props, env) => [
        "arn:",
        env.partition,
        ":ecr:",
        env.region,
        ":",
        env.account,
        ":repository/",
        name,
      ]),
      RepositoryUri: fromName(repositoryName, (name, _props, env) => [
        env.account,
        ".dkr.ecr.",
        env.region,
        ".",
        env.urlSuffix,
        "/",
        name,
      ]),
    },
  },
  "AWS::ECR::PublicRepository": {
    ref: named(repositoryName),
    attributes: {
      Arn: fromName(repositoryName, (name, _props, env) => [
        "arn:",
        env.partition,
        ":ecr-public::",
        env.account,
        ":repository/",
        name,
      ]),
    },
  },
};

/** The value as text, for concatenation: numbers as written; anything else Unresolved. */
export function textOf(value: TemplateValue | symbol, what: string): Part {
  if (typeof value === "string" || value instanceof Unresolved) {
    return value;
  }
  if (typeof value === "number" || typeof value === "boolean") {
    return String(value);
  }
  return unresolved(
    what,
    `${typeof value === "symbol" ? "AWS::NoValue" : describe(value)} is not text`,
  );
}
