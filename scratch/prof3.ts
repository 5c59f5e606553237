import { parsePolicyDocument } from "../policy-pack/iam/document";
import { analyzeTrust } from "../policy-pack/iam/trust";
import { githubSubjects, githubTrustPolicy } from "../components/trustPolicy";
const gh = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";
const S = "token.actions.githubusercontent.com";
const base = { Effect: "Allow", Principal: { Federated: gh }, Action: "sts:AssumeRoleWithWebIdentity" };
const t = (...st: object[]) => ({ Version: "2012-10-17", Statement: st });
const cases: [string, object][] = [
  ["component", githubTrustPolicy(gh, githubSubjects({ repository: "acme/app", branches: ["main", "release/*"], tags: ["v*"], environments: [] }))],
  ["owner wide", t({ ...base, Condition: { StringEquals: { [`${S}:aud`]: "sts.amazonaws.com" }, StringLike: { [`${S}:sub`]: "repo:acme/*" } } })],
  ["whole repo", t({ ...base, Condition: { StringEquals: { [`${S}:aud`]: "sts.amazonaws.com" }, StringLike: { [`${S}:sub`]: "repo:acme/app:*" } } })],
  ["ap?", t({ ...base, Condition: { StringEquals: { [`${S}:aud`]: "sts.amazonaws.com" }, StringLike: { [`${S}:sub`]: "repo:acme/ap?:ref:refs/heads/main" } } })],
  ["deny narrows", t({ ...base, Condition: { StringEquals: { [`${S}:aud`]: "sts.amazonaws.com" } } }, { Effect: "Deny", Principal: "*", Action: "*", Condition: { StringNotLike: { [`${S}:sub`]: "repo:acme/app:ref:refs/heads/main" } } })],
];
for (const [name, doc] of cases) {
  const parsed = parsePolicyDocument(doc) as any;
  for (let i = 0; i < 20; i++) analyzeTrust(parsed);
  const t0 = process.hrtime.bigint(); for (let i = 0; i < 100; i++) analyzeTrust(parsed);
  console.log(name.padEnd(14), (Number(process.hrtime.bigint() - t0) / 1e8).toFixed(3), "ms");
}
