import { parsePolicyDocument } from "../policy-pack/iam/document";
import { analyzeTrust } from "../policy-pack/iam/trust";
import { githubSubjects, githubTrustPolicy } from "../components/trustPolicy";
const gh = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";
const S = "token.actions.githubusercontent.com";
const base = { Effect: "Allow", Principal: { Federated: gh }, Action: "sts:AssumeRoleWithWebIdentity" };
const t = (...st: object[]) => ({ Version: "2012-10-17", Statement: st });
const cases: [string, object][] = [
  ["component", githubTrustPolicy(gh, githubSubjects({ repository: "acme/app", branches: ["main", "release/*"], tags: ["v*"], environments: [] }))],
  ["no cond", t(base)],
  ["owner wide", t({ ...base, Condition: { StringEquals: { [`${S}:aud`]: "sts.amazonaws.com" }, StringLike: { [`${S}:sub`]: "repo:acme/*" } } })],
  ["whole repo", t({ ...base, Condition: { StringEquals: { [`${S}:aud`]: "sts.amazonaws.com" }, StringLike: { [`${S}:sub`]: "repo:acme/app:*" } } })],
  ["env *", t({ ...base, Condition: { StringEquals: { [`${S}:aud`]: "sts.amazonaws.com" }, StringLike: { [`${S}:sub`]: "repo:acme/app:environment:*" } } })],
  ["other issuer key ifexists", t({ ...base, Condition: { StringEquals: { [`${S}:aud`]: "sts.amazonaws.com" }, StringLikeIfExists: { [`${S}/acme:sub`]: "repo:acme/app:*" } } })],
  ["star principal no cond", t({ ...base, Principal: "*" })],
  ["AWS star", t({ ...base, Principal: { AWS: "*" }, Condition: { StringEquals: { [`${S}:aud`]: "sts.amazonaws.com", [`${S}:sub`]: "repo:acme/app:ref:refs/heads/main" } } })],
  ["ap?", t({ ...base, Condition: { StringEquals: { [`${S}:aud`]: "sts.amazonaws.com" }, StringLike: { [`${S}:sub`]: "repo:acme/ap?:ref:refs/heads/main" } } })],
  ["deny narrows", t({ ...base, Condition: { StringEquals: { [`${S}:aud`]: "sts.amazonaws.com" } } }, { Effect: "Deny", Principal: "*", Action: "*", Condition: { StringNotLike: { [`${S}:sub`]: "repo:acme/app:ref:refs/heads/main" } } })],
  ["ghes", t({ ...base, Principal: { Federated: "arn:aws:iam::123456789012:oidc-provider/ghe.acme.internal/_services/token" } })],
];
for (const [name, doc] of cases) {
  const parsed = parsePolicyDocument(doc);
  if ("error" in parsed) { console.log(name, parsed.error); continue; }
  const t0 = process.hrtime.bigint();
  const r = analyzeTrust(parsed);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  console.log(`== ${name} (${ms.toFixed(2)} ms)`, r.trustsGitHub, r.repository ?? "", r.issuer ?? "");
  for (const f of r.findings) console.log("   M", f.kind, f.statements.join(","), f.problem);
  for (const f of r.wholeRepository) console.log("   A", f.context, f.problem);
}
