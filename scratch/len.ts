import { trustPolicyLength, longestGitHubProviderArn, githubSubjects } from "../components/trustPolicy";
for (const n of [35,36,37,38,39,40]) {
  const branches = Array.from({ length: n }, (_, i) => `release/team-${i}`);
  console.log(n, trustPolicyLength(longestGitHubProviderArn, githubSubjects({repository:"acme/payments-api", branches, tags:[], environments:[]})));
}
