import { identityAllows } from "../test/helpers/iam";
const p = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "ecr:*", Resource: "arn:aws:ecr:*" }] };
console.log(identityAllows([p], "ecr:PutImage", "arn:aws:ecr:eu-west-2:123456789012:repository/x"));
console.log(identityAllows([p], "ecr:PutImage", "arn:aws:s3:::x"));
const q = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "ecr:PutImage", Resource: "arn:aws:ecr:*:repository/app" }] };
console.log("span", identityAllows([q], "ecr:PutImage", "arn:aws:ecr:eu-west-2:123456789012:repository/app"));
const r = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "iam:PassRole", Resource: "*" }] };
console.log(identityAllows([r], "iam:PassRole", "arn:aws:iam::123456789012:role/admin"));
const t0=Date.now(); for (let i=0;i<1000;i++) identityAllows([p], "ecr:PutImage", "arn:aws:ecr:eu-west-2:123456789012:repository/x"); console.log("ms/call", (Date.now()-t0)/1000);
