/**
 * The permissions model against an independent IAM evaluator, on generated identity policies:
 * every grant it reports must really be allowed, and every escalation, registry-wide write or
 * write to a repository the policies do not name that the evaluator allows must be reported;
 * and the same with a permissions boundary, where what is allowed is what both allow.
 */
import fc from "fast-check";
import { strict as assert } from "assert";
import { agreeOnPermissions, analyzeRolePolicies, spansSegments } from "./oracles";
import { allows, allowsWithin } from "./permissionGenerators";
import { boundedRolePolicies, rolePolicies } from "./permissionGenerators";
describe("the permissions model, against an IAM evaluator on generated identity policies", function () {
  this.timeout(300000);

  it("reports only grants the evaluator allows, and every escalation or foreign write it allows", () => {
    fc.assert(
      fc.property(rolePolicies, (policies) => agreeOnPermissions(policies)),
      { numRuns: Number(process.env.PERMISSION_RUNS ?? 1000) },
    );
  });

  it("judges a permissions boundary as the evaluator does: only what both the policies and the boundary allow", () => {
    fc.assert(
      fc.property(boundedRolePolicies, ([policies, boundary]) =>
        agreeOnPermissions(policies, boundary),
      ),
      { numRuns: Number(process.env.PERMISSION_RUNS ?? 1000) },
    );
  });

  it("a boundary's whole-segment * read past colons, as IAM documents it may: the model fails closed where the evaluator reads one segment (shrunk counter-example)", () => {
    const policies = [
      {
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            NotAction: ["iam:*", "sts:*", "ecr:*"],
            Resource: ["arn:aws:ecr:eu-west-2:123456789012:repository/*b*"],
          },
        ],
      },
    ];
    const boundary = {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          NotAction: ["ecr:*", "iam:PassRole", "iam:PutRolePolicy"],
          Resource: [
            "arn:aws:ecr:*:123456789012:repository/app",
            "arn:aws:iam::123456789012:role/*",
          ],
        },
      ],
    };
    const findings = analyzeRolePolicies(policies, undefined, boundary);
    const spanning = findings.filter((f) => spansSegments(f.resource));
    assert.ok(spanning.length > 0, JSON.stringify(findings));
    for (const finding of spanning) {
      assert.ok(
        !finding.actions.some((action) =>
          allowsWithin(policies, boundary, action, finding.resource),
        ),
        `the evaluator allows ${finding.actions[0]} on ${finding.resource}`,
      );
    }
  });

  it("a whole-segment * read past colons between an Allow and a Deny's NotResource: the model fails closed (shrunk counter-example)", () => {
    const policies = [
      {
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Deny",
            Action: ["*", "ecr:TagResource"],
            NotResource: ["arn:aws:ecr:eu-west-2:123456789012:repository/*b*"],
          },
          {
            Effect: "Allow",
            Action: ["iam:*", "sts:*", "ecr:*"],
            Resource: ["arn:aws:ecr:eu-west-2:123456789012:repository/*"],
          },
        ],
      },
      {
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            NotAction: ["iam:PassRole", "sts:AssumeRole"],
            Resource: ["arn:aws:ecr:*:123456789012:repository/app"],
          },
        ],
      },
    ];
    const spanning = analyzeRolePolicies(policies).filter((f) => spansSegments(f.resource));
    assert.ok(spanning.length > 0);
    for (const finding of spanning) {
      assert.ok(
        !finding.actions.some((action) => allows(policies, action, finding.resource)),
        `the evaluator allows ${finding.actions[0]} on ${finding.resource}`,
      );
    }
  });
  it("reads a statement by the actions it names whichever way it is compared: named actions in any letter case, or beside a pattern that matches none of the questions' actions, give the same findings", () => {
    // A statement that only names actions is looked up by its names; one with a wildcard pattern
    // is compared with each action. Both must say the same.
    const recase = (action: string, flips: readonly boolean[]) =>
      [...action]
        .map((c, i) => (flips[i % flips.length] ? c.toUpperCase() : c.toLowerCase()))
        .join("");
    const rewrite = (policies: readonly any[], flips: readonly boolean[], wildcard: boolean) =>
      policies.map((policy) => ({
        ...policy,
        Statement: policy.Statement.map((statement: any) =>
          statement.Action === undefined
            ? statement
            : {
                ...statement,
                Action: [
                  ...statement.Action.map((a: string) => recase(a, flips)),
                  ...(wildcard ? ["zz-none:*"] : []),
                ],
              },
        ),
      }));
    fc.assert(
      fc.property(
        rolePolicies,
        fc.array(fc.boolean(), { minLength: 1, maxLength: 5 }),
        (policies, flips) => {
          const expected = analyzeRolePolicies(rewrite(policies, flips, true));
          assert.deepEqual(analyzeRolePolicies(policies), expected);
          assert.deepEqual(analyzeRolePolicies(rewrite(policies, flips, false)), expected);
        },
      ),
      { numRuns: Number(process.env.PERMISSION_RUNS ?? 1000) },
    );
  });
});
