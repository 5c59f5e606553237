import { canAccess } from "../test/helpers/iam";
const t = (...st: object[]) => ({ Version: "2012-10-17", Statement: st });
for (const p of ["*", { AWS: "*" }, { Service: "*" }, { Service: "lambda.amazonaws.com" }]) {
  console.log(JSON.stringify(p), canAccess(t({ Effect: "Allow", Principal: p, Action: "ecr:*" }), { principal: "lambda.amazonaws.com", action: "ecr:PutImage", context: { "aws:SourceAccount": "999999999999" } }));
}
