import { iamGithubOidcRoleLeastPrivilege } from "../policy-pack/policies/iam/iamGithubOidcRoleLeastPrivilege";
import { readFixture } from "../test/helpers/fixtures";
import { runStackPolicy, TestStackResource, unknown } from "../test/helpers/policyHarness";
const trust = readFixture("hand-made-iam/github-actions-oidc-trust.json");
const role: TestStackResource = { type: "aws:iam/role:Role", name: "push-role", props: { name: "gha-ecr-push", assumeRolePolicy: trust } };
const rp = (policy: unknown, linked = true): TestStackResource => ({ type: "aws:iam/rolePolicy:RolePolicy", name: "push-policy", props: { role: linked ? unknown : "gha-ecr-push", policy }, ...(linked ? { propertyDependencies: { role: ["push-role"] } } : {}) });
const run = (r: TestStackResource[]) => runStackPolicy(iamGithubOidcRoleLeastPrivilege, r).map((v) => v.message.replace(/^Role "[^"]+" is trusted by GitHub Actions and must only push to its own repositories: /, ""));
const doc = (...st: object[]) => ({ Version: "2012-10-17", Statement: st });
const own = doc({ Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" }, { Effect: "Allow", Action: ["ecr:PutImage", "ecr:UploadLayerPart"], Resource: "arn:aws:ecr:eu-west-2:123456789012:repository/payments-api" });
const cases: [string, TestStackResource[]][] = [
 ["own", [role, rp(own)]],
 ["prefix team-a-*", [role, rp(doc({ Effect: "Allow", Action: "ecr:PutImage", Resource: "arn:aws:ecr:eu-west-2:123456789012:repository/team-a-*" }))]],
 ["hand-made push", [role, rp(readFixture("hand-made-iam/github-actions-ecr-push.json"))]],
 ["ecr:* inline", [{ ...role, props: { ...role.props, inlinePolicies: [{ name: "all-ecr", policy: JSON.stringify(doc({ Effect: "Allow", Action: "ecr:*", Resource: "arn:aws:ecr:eu-west-2:123456789012:repository/payments-api" })) }] } }]],
 ["star notaction", [role, rp({ Statement: [{ Sid: "Admin", Effect: "Allow", Action: "*", Resource: "*" }, { Effect: "Allow", NotAction: "iam:*", Resource: "*" }] })]],
 ["ecr:Put* *", [role, rp({ Statement: [{ Effect: "Allow", Action: "ecr:Put*", Resource: "*" }] }, false)]],
 ["class7 iam writes", [role, rp(doc({ Effect: "Allow", Action: ["iam:PutRolePolicy", "iam:PassRole"], Resource: "*" }))]],
 ["class7 iam:*", [role, rp(doc({ Effect: "Allow", Action: "iam:*", Resource: "arn:aws:iam::123456789012:role/*" }))]],
 ["class8 *b*", [role, rp(doc({ Effect: "Allow", Action: "ecr:PutImage", Resource: "arn:aws:ecr:eu-west-2:123456789012:repository/*b*" }))]],
 ["class8 arn:*", [role, rp(doc({ Effect: "Allow", Action: "ecr:PutImage", Resource: "arn:*" }))]],
 ["class8 arn:aws:*", [role, rp(doc({ Effect: "Allow", Action: "ecr:PutImage", Resource: "arn:aws:*" }))]],
];
for (const [n, r] of cases) { console.log("==", n); for (const m of run(r)) console.log("   ", m); }
