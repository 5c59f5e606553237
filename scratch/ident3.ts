import { identityAllows } from "../test/helpers/iam";
const mk = (nr: string[]) => ({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["iam:PutRolePolicy","ecr:PutImage"], NotResource: nr }] });
for (const nr of [["arn:aws:ecr:*"], ["arn:aws:s3:::x"], ["arn:aws:ecr:eu-west-2:123456789012:repository/app"]]) {
  console.log(JSON.stringify(nr), identityAllows([mk(nr)], "iam:PutRolePolicy", "arn:aws:iam::123456789012:role/admin"), identityAllows([mk(nr)], "ecr:PutImage", "arn:aws:ecr:eu-west-2:123456789012:repository/b"));
}
const r = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["iam:PutRolePolicy"], Resource: "arn:aws:iam::123456789012:role/*" }] };
console.log(identityAllows([r], "iam:PutRolePolicy", "arn:aws:iam::123456789012:role/admin"));
