import * as A from "../policy-pack/iam/automaton";
import { parsePolicyDocument } from "../policy-pack/iam/document";
import { analyzeTrust } from "../policy-pack/iam/trust";
const orig = A.search;
let calls = 0, total = 0;
(A as any).search = (q: any, l: any) => { const t = process.hrtime.bigint(); const r = orig(q, l); const ms = Number(process.hrtime.bigint()-t)/1e6; calls++; total+=ms; console.log("search", ms.toFixed(1), q.languages.length, r.kind, (r as any).witness); return r; };
const gh = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";
const S = "token.actions.githubusercontent.com";
const doc = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Federated: gh }, Action: "sts:AssumeRoleWithWebIdentity", Condition: { StringEquals: { [`${S}:aud`]: "sts.amazonaws.com" }, StringLike: { [`${S}:sub`]: "repo:acme/*" } } }] };
for (let i = 0; i < 3; i++) { calls = 0; total = 0; const t = Date.now(); analyzeTrust(parsePolicyDocument(doc) as any); console.log("total", Date.now() - t, calls, total.toFixed(1)); }
