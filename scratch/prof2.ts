import { parsePolicyDocument } from "../policy-pack/iam/document";
import { analyzeTrust } from "../policy-pack/iam/trust";
const gh = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";
const S = "token.actions.githubusercontent.com";
const doc = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Federated: gh }, Action: "sts:AssumeRoleWithWebIdentity", Condition: { StringEquals: { [`${S}:aud`]: "sts.amazonaws.com" }, StringLike: { [`${S}:sub`]: "repo:acme/*" } } }] };
const t = Date.now(); for (let i = 0; i < 100; i++) analyzeTrust(parsePolicyDocument(doc) as any); console.log("per call ms", (Date.now() - t) / 100);
