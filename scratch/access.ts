import { canAccess } from "../test/helpers/iam";
const t = (...st: object[]) => ({ Version: "2012-10-17", Statement: st });
const foreign = "arn:aws:iam::999999999999:role/x";
const cases: [string, object, any][] = [
  ["star", t({ Effect: "Allow", Principal: "*", Action: "ecr:*" }), { principal: foreign, action: "ecr:PutImage" }],
  ["AWS star", t({ Effect: "Allow", Principal: { AWS: "*" }, Action: "ecr:BatchGetImage" }), { principal: foreign, action: "ecr:BatchGetImage" }],
  ["org eq, absent", t({ Effect: "Allow", Principal: "*", Action: "ecr:*", Condition: { StringEquals: { "aws:PrincipalOrgID": "o-aaaaaaaaaa" } } }), { principal: foreign, action: "ecr:PutImage" }],
  ["org eq ifexists, absent", t({ Effect: "Allow", Principal: "*", Action: "ecr:*", Condition: { StringEqualsIfExists: { "aws:PrincipalOrgID": "o-aaaaaaaaaa" } } }), { principal: foreign, action: "ecr:PutImage" }],
  ["org like o-*, present", t({ Effect: "Allow", Principal: "*", Action: "ecr:*", Condition: { StringLike: { "aws:PrincipalOrgID": "o-*" } } }), { principal: foreign, action: "ecr:PutImage", context: { "aws:PrincipalOrgID": "o-bbbbbbbbbb" } }],
  ["named account", t({ Effect: "Allow", Principal: { AWS: "arn:aws:iam::111111111111:root" }, Action: "ecr:*" }), { principal: foreign, action: "ecr:PutImage" }],
  ["named account self", t({ Effect: "Allow", Principal: { AWS: "arn:aws:iam::111111111111:root" }, Action: "ecr:*" }), { principal: "arn:aws:iam::111111111111:role/x", action: "ecr:PutImage" }],
  ["NotPrincipal allow", t({ Effect: "Allow", NotPrincipal: { AWS: "arn:aws:iam::111111111111:root" }, Action: "ecr:*" }), { principal: foreign, action: "ecr:PutImage" }],
  ["service no cond", t({ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "ecr:BatchGetImage" }), { principal: "lambda.amazonaws.com", action: "ecr:BatchGetImage", context: { "aws:SourceAccount": "999999999999" } }],
  ["acct cond", t({ Effect: "Allow", Principal: "*", Action: "ecr:*", Condition: { StringEquals: { "aws:PrincipalAccount": "111111111111" } } }), { principal: foreign, action: "ecr:PutImage", context: { "aws:PrincipalAccount": "999999999999" } }],
];
for (const [n, p, r] of cases) { let x; try { x = canAccess(p, r); } catch (e) { x = "ERR " + (e as Error).message; } console.log(n.padEnd(28), x); }
