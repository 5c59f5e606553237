import { identityAllows } from "../test/helpers/iam";
const mk = (r: string) => ({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["ecr:PutRegistryPolicy","sts:AssumeRole"], Resource: r }] });
for (const r of ["arn:aws:s3:::bucket", "arn:aws:ecr:*", "*", "arn:aws:ecr:eu-west-2:123456789012:repository/app"]) {
  console.log(r, identityAllows([mk(r)], "ecr:PutRegistryPolicy", "*"), identityAllows([mk(r)], "sts:AssumeRole", "*"));
}
