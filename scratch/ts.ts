import { trustScopeViolations } from "../policy-pack/policies/iam/iamGithubOidcTrustScoped";
import { wholeRepositoryViolations } from "../policy-pack/policies/iam/iamGithubOidcTrustWholeRepository";
import { readFixture } from "../test/helpers/fixtures";
const provider = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";
const aud = { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" };
const statement = (condition: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ Sid: "GitHub", Effect: "Allow", Principal: { Federated: provider }, Action: "sts:AssumeRoleWithWebIdentity", Condition: condition, ...extra });
const trust = (...statements: unknown[]) => ({ Version: "2012-10-17", Statement: statements });
const sub = (...values: string[]) => ({ "token.actions.githubusercontent.com:sub": values });
const cases: [string, unknown][] = [
 ["hand-made", readFixture("hand-made-iam/github-actions-oidc-trust.json")],
 ["nosub", trust(statement({ StringEquals: aud }))],
 ["bare", trust(statement({ StringEquals: aud, StringLike: sub("*", "repo:*") }))],
 ["hidden", trust(statement({ StringEquals: aud, StringLike: sub("repo:acme/app:ref:refs/heads/main","repo:acme/*:ref:refs/heads/main","repo:acme/lib:environment:prod") }))],
 ["app-*", trust(statement({ StringEquals: aud, StringLike: sub("repo:acme/app-*:ref:refs/heads/main") }))],
 ["owner claim", trust(statement({ StringEquals: { ...aud, ...sub("repository_owner:acme") } }))],
 ["noaud", trust(statement({ StringEquals: sub("repo:acme/app:ref:refs/heads/main") }))],
 ["twoaud", trust(statement({ StringEquals: { "token.actions.githubusercontent.com:aud": ["sts.amazonaws.com", "https://github.com/acme"], ...sub("repo:acme/app:ref:refs/heads/main") } }))],
 ["second stmt", trust(statement({ StringEquals: { ...aud, ...sub("repo:acme/app:ref:refs/heads/main") } }), { Effect: "Allow", Principal: { Federated: provider }, Action: "sts:AssumeRoleWithWebIdentity", Condition: { StringEquals: aud, StringLike: sub("repo:acme/*") } })],
 ["enterprise", trust(statement({ StringEquals: { "token.actions.githubusercontent.com/acme-corp:aud": "sts.amazonaws.com" } }, { Principal: { Federated: ["arn:aws:iam::123456789012:oidc-provider/gitlab.com", "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com/acme-corp"] } }))],
 ["notlike", trust(statement({ StringEquals: aud, StringNotLike: sub("repo:evil/*") }))],
 ["star principal", trust(statement({ StringEquals: aud, StringLike: sub("repo:*") }, { Principal: "*" }))],
 ["class1 ifexists other issuer", trust(statement({ StringEquals: aud, StringLikeIfExists: { "token.actions.githubusercontent.com/acme:sub": "repo:acme/app:*" } }))],
 ["class2 AWS* admin", trust({ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRoleWithWebIdentity" })],
 ["class3 ghes", trust({ Effect: "Allow", Principal: { Federated: "arn:aws:iam::123456789012:oidc-provider/github.acme.internal/_services/token" }, Action: "sts:AssumeRoleWithWebIdentity" })],
 ["class4 env*", trust(statement({ StringEquals: aud, StringLike: sub("repo:acme/app:environment:*") }))],
 ["class4 ref*", trust(statement({ StringEquals: aud, StringLike: sub("repo:acme/app:ref:*") }))],
 ["whole", trust(statement({ StringEquals: aud, StringLike: sub("repo:acme/app:*") }))],
 ["notprincipal", trust({ Effect: "Allow", NotPrincipal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "sts:AssumeRoleWithWebIdentity" })],
 ["unknown key", trust(statement({ StringEquals: { ...aud, "aws:SourceIp": "1.2.3.4" }, StringLike: sub("repo:acme/*") }))],
];
for (const [n, p] of cases) { console.log("==", n); for (const v of trustScopeViolations(p)) console.log("  M", v); for (const v of wholeRepositoryViolations(p)) console.log("  A", v); }
