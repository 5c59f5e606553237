import { analyzePermissions } from "../policy-pack/iam/permissions";
import { parsePolicyDocument } from "../policy-pack/iam/document";
import { ecrRegistryWriteActions, ecrRepositoryWriteActions, privilegeEscalationActions } from "../policy-pack/governance/actions";
const p = [{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ecr:PutRegistryPolicy","sts:AssumeRole"],"Resource":["arn:aws:ecr:eu-west-2:123456789012:repository/*"]},{"Effect":"Deny","Action":["ecr:PutRegistryPolicy","iam:PutRolePolicy","iam:*"],"Resource":["*","arn:aws:iam::123456789012:role/*"]}]}];
console.log(JSON.stringify(analyzePermissions(p.map((d,i)=>({label:`policy ${i+1}`, document: parsePolicyDocument(d) as any})), {escalationActions: privilegeEscalationActions, registryWriteActions: ecrRegistryWriteActions, repositoryWriteActions: ecrRepositoryWriteActions}), null, 1));
