import { canAssume, githubProviderArn } from "../test/helpers/iam";
const t = (stmt: object) => ({ Version: "2012-10-17", Statement: [stmt] });
const S = "token.actions.githubusercontent.com";
const base = { Effect: "Allow", Principal: { Federated: githubProviderArn }, Action: "sts:AssumeRoleWithWebIdentity" };
const cases: [string, object, any][] = [
  ["no condition", t(base), { sub: "repo:x/y:pull_request" }],
  ["other issuer key IfExists", t({ ...base, Condition: { StringLikeIfExists: { [`${S}/acme:sub`]: "repo:acme/app:*" } } }), { sub: "repo:evil/x:ref:refs/heads/main" }],
  ["other issuer key no IfExists", t({ ...base, Condition: { StringLike: { [`${S}/acme:sub`]: "repo:acme/app:*" } } }), { sub: "repo:evil/x:ref:refs/heads/main" }],
  ["StringNotEquals absent key", t({ ...base, Condition: { StringNotEquals: { [`${S}/acme:sub`]: "x" } } }), { sub: "repo:evil/x:ref:refs/heads/main" }],
  ["ForAllValues absent", t({ ...base, Condition: { "ForAllValues:StringEquals": { [`${S}/acme:sub`]: "x" } } }), { sub: "repo:evil/x:ref:refs/heads/main" }],
  ["ForAnyValue absent", t({ ...base, Condition: { "ForAnyValue:StringEquals": { [`${S}/acme:sub`]: "x" } } }), { sub: "repo:evil/x:ref:refs/heads/main" }],
  ["Null true absent", t({ ...base, Condition: { Null: { [`${S}/acme:sub`]: "true" } } }), { sub: "repo:evil/x:ref:refs/heads/main" }],
  ["Null false present", t({ ...base, Condition: { Null: { [`${S}:sub`]: "false" } } }), { sub: "repo:evil/x:ref:refs/heads/main" }],
  ["principal *", t({ ...base, Principal: "*" }), { sub: "repo:evil/x:ref:refs/heads/main" }],
  ["principal AWS *", t({ ...base, Principal: { AWS: "*" } }), { sub: "repo:evil/x:ref:refs/heads/main" }],
  ["NotPrincipal", t({ ...base, Principal: undefined, NotPrincipal: { AWS: "arn:aws:iam::111111111111:root" } }), { sub: "repo:evil/x:ref:refs/heads/main" }],
  ["key case", t({ ...base, Condition: { StringEquals: { [`TOKEN.actions.githubusercontent.com:SUB`]: "repo:evil/x:ref:refs/heads/main" } } }), { sub: "repo:evil/x:ref:refs/heads/main" }],
  ["stringlike ? ", t({ ...base, Condition: { StringLike: { [`${S}:sub`]: "repo:evil/?:*" } } }), { sub: "repo:evil/x:ref:refs/heads/main" }],
  ["stringlike escape ${*}", t({ ...base, Condition: { StringLike: { [`${S}:sub`]: "repo:evil/${*}:*" } } }), { sub: "repo:evil/*:ref:refs/heads/main" }],
  ["StringEqualsIgnoreCase", t({ ...base, Condition: { StringEqualsIgnoreCase: { [`${S}:sub`]: "REPO:EVIL/X:REF:REFS/HEADS/MAIN" } } }), { sub: "repo:evil/x:ref:refs/heads/main" }],
  ["NotAction", t({ ...base, Action: undefined, NotAction: "s3:*" }), { sub: "repo:evil/x:ref:refs/heads/main" }],
  ["Deny IfExists", { Version: "2012-10-17", Statement: [base, { Effect: "Deny", Principal: "*", Action: "*", Condition: { StringNotLikeIfExists: { [`${S}:sub`]: "repo:acme/*" } } }] }, { sub: "repo:evil/x:ref:refs/heads/main" }],
  ["wrong provider", t(base), { sub: "repo:evil/x:ref:refs/heads/main", provider: "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com/acme" }],
  ["federated glob", t({ ...base, Principal: { Federated: "arn:aws:iam::123456789012:oidc-provider/*" } }), { sub: "repo:evil/x:ref:refs/heads/main" }],
];
for (const [name, policy, req] of cases) {
  let r: string;
  try { r = String(canAssume(policy, req)); } catch (e) { r = "ERR " + (e as Error).message; }
  console.log(name.padEnd(30), r);
}
