/**
 * The repository-policy rule with allowed readers (`ecr-no-public-access`'s `allowedPullAccounts`
 * and `allowedPullOrganizations`), against an independent IAM evaluator on generated repository
 * policies: whenever the evaluator lets in anyone but the stack's account and the allowed
 * readers, or lets an allowed reader do more than read, the rule reports the policy (fail
 * closed: nothing wider than the config passes).
 */
import { strict as assert } from "assert";
import fc from "fast-check";
import type { Outsider } from "../../policy-pack/iam/resourceAccess";
import {
  AllowedReaders,
  ecrReadActions,
  publicPolicyViolations,
} from "../../policy-pack/policies/ecr/ecrNoPublicAccess";
import {
  lets,
  probeActions,
  probeOutsiders,
  repositoryPolicy,
  trustedAccount,
  trustedOrganisation,
} from "./accessGenerators";

/** Probes of the accounts and organisation the generated policies name, besides the others. */
const namedProbes: readonly Outsider[] = [
  { kind: "role", principal: `arn:aws:iam::${trustedAccount}:role/x`, account: trustedAccount },
  {
    kind: "account-root",
    principal: `arn:aws:iam::${trustedAccount}:root`,
    account: trustedAccount,
  },
  {
    kind: "role",
    principal: "arn:aws:iam::999999999999:role/x",
    account: "999999999999",
    organisationPath: `${trustedOrganisation}/r-aaaa/ou-aaaa-aaaaaaaa/`,
  },
  { kind: "service", principal: "lambda.amazonaws.com", account: trustedAccount },
];

/** Whether a probe is an allowed reader (or of the stack's own account). */
function isReader(probe: Outsider, readers: AllowedReaders): boolean {
  if (
    probe.account !== undefined &&
    [...(readers.own ?? []), ...readers.accounts].includes(probe.account)
  ) {
    return true;
  }
  return (
    probe.kind !== "service" &&
    probe.organisationPath !== undefined &&
    readers.organizations.includes(probe.organisationPath.split("/")[0])
  );
}

const readersArbitrary: fc.Arbitrary<AllowedReaders> = fc
  .record({
    own: fc.constantFrom(undefined, ["123456789012"]),
    accounts: fc.constantFrom([], [trustedAccount]),
    organizations: fc.constantFrom([], [trustedOrganisation]),
  })
  .map((r) => (r.own === undefined ? { accounts: r.accounts, organizations: r.organizations } : r));

export function agreeOnReaders(policy: unknown, readers: AllowedReaders): void {
  const violations = publicPolicyViolations(policy, "ECR repository policy", {}, readers);
  for (const probe of [...probeOutsiders, ...namedProbes]) {
    for (const action of probeActions) {
      if (!lets(policy, probe, action)) {
        continue;
      }
      const reader = isReader(probe, readers);
      if (!reader || !ecrReadActions.includes(action)) {
        assert.ok(
          violations.length > 0,
          `the evaluator lets ${JSON.stringify(probe)} perform ${action}, ${reader ? "more than a reader may" : "not a reader"}; the rule reports nothing with ${JSON.stringify(readers)}`,
        );
      }
    }
  }
}

describe("allowed readers, against an IAM evaluator on generated repository policies", function () {
  this.timeout(300000);

  it("reports every policy that lets in more than the stack's account and the allowed readers, or lets readers write", () => {
    fc.assert(
      fc.property(repositoryPolicy, readersArbitrary, (policy, readers) =>
        agreeOnReaders(policy, readers),
      ),
      { numRuns: Number(process.env.ACCESS_RUNS ?? 1000) },
    );
  });

  it("counter-example: a Deny with NotPrincipal naming an account that is no allowed reader", () => {
    // Shrunk by fast-check (seed 1418435550): everyone but 111111111111 is denied, and
    // 111111111111 is no reader, so it is let in and must be reported.
    agreeOnReaders(
      {
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Deny",
            NotPrincipal: { AWS: "arn:aws:iam::111111111111:root" },
            Action: "ecr:*",
          },
          { Effect: "Allow", Principal: "*", Action: "ecr:*" },
        ],
      },
      { accounts: [], organizations: [] },
    );
  });

  it("passes a policy granting exactly the allowed readers pull", () => {
    const policy = {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { AWS: `arn:aws:iam::${trustedAccount}:root` },
          Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
        },
        {
          Effect: "Allow",
          Principal: "*",
          Action: "ecr:BatchGetImage",
          Condition: { StringEquals: { "aws:PrincipalOrgID": trustedOrganisation } },
        },
      ],
    };
    const readers = {
      own: ["123456789012"],
      accounts: [trustedAccount],
      organizations: [trustedOrganisation],
    };
    assert.deepEqual(publicPolicyViolations(policy, "ECR repository policy", {}, readers), []);
    assert.equal(
      publicPolicyViolations(policy, "ECR repository policy", {}, { ...readers, accounts: [] })
        .length,
      1,
    );
  });
});
