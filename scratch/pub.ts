import { ecrNoPublicAccess } from "../policy-pack/policies/ecr/ecrNoPublicAccess";
import { runResourcePolicy } from "../test/helpers/policyHarness";
const w = (s: object) => ({ Version: "2012-10-17", Statement: [s] });
const everyone = { Sid: "Public", Effect: "Allow", Principal: "*", Action: "ecr:BatchGetImage" };
const rp = (policy: unknown) => runResourcePolicy(ecrNoPublicAccess, { type: "aws:ecr/repositoryPolicy:RepositoryPolicy", props: { repository: "payments-api", policy } });
const cases: [string, unknown][] = [
  ["org", w({ ...everyone, Condition: { StringEquals: { "aws:PrincipalOrgID": "o-abc123defg" } } })],
  ["acct anyvalue", w({ ...everyone, Condition: { "ForAnyValue:StringEquals": { "AWS:PRINCIPALACCOUNT": ["210987654321"] } } })],
  ["none", w(everyone)],
  ["AWS list", w({ Effect: "Allow", Principal: { AWS: ["arn:aws:iam::210987654321:root", "*"] }, Action: "ecr:BatchGetImage" })],
  ["org *", w({ ...everyone, Condition: { StringLike: { "aws:PrincipalOrgID": "*" } } })],
  ["class5 notprincipal", w({ Effect: "Allow", NotPrincipal: { AWS: "arn:aws:iam::210987654321:root" }, Action: ["ecr:PutImage", "ecr:BatchGetImage"] })],
  ["class5 ifexists", w({ ...everyone, Action: "ecr:*", Condition: { StringEqualsIfExists: { "aws:PrincipalOrgID": "o-abc123defg" } } })],
  ["class5 o-abc*", w({ ...everyone, Condition: { StringLike: { "aws:PrincipalOrgID": "o-abc*" } } })],
  ["class5 acct 2109*", w({ ...everyone, Condition: { StringLike: { "aws:PrincipalAccount": "2109*" } } })],
  ["class5 orgpaths", w({ ...everyone, Condition: { "ForAnyValue:StringLike": { "aws:PrincipalOrgPaths": "o-*/r-ab12/*" } } })],
  ["service", w({ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "ecr:BatchGetImage" })],
  ["service ok", w({ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "ecr:BatchGetImage", Condition: { StringEquals: { "aws:SourceAccount": "210987654321" } } })],
];
for (const [n, p] of cases) { console.log("==", n); for (const m of rp(p)) console.log("   ", m); }
const reg = (props: object, type: string, config = {}) => runResourcePolicy(ecrNoPublicAccess, { type, props }, config);
console.log(reg({ policy: w(everyone) }, "aws:ecr/registryPolicy:RegistryPolicy"));
console.log(reg({ prefix: "team", repositoryPolicy: JSON.stringify(w(everyone)) }, "aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate"));
console.log(reg({ replicationConfiguration: { rules: [{ destinations: [{ region: "us-east-1", registryId: "999999999999" }] }] } }, "aws:ecr/replicationConfiguration:ReplicationConfiguration"));
console.log(reg({ registryId: "123456789012", replicationConfiguration: { rules: [{ destinations: [{ region: "us-east-1", registryId: "999999999999" }, { region: "us-east-1", registryId: "123456789012" }] }] } }, "aws:ecr/replicationConfiguration:ReplicationConfiguration"));
console.log(reg({ typeName: "AWS::ECR::RegistryPolicy", desiredState: JSON.stringify({ PolicyText: w(everyone) }) }, "aws:cloudcontrol/resource:Resource"));
