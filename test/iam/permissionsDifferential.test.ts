/**
 * The permissions model against an independent IAM evaluator, on generated identity policies:
 * every grant it reports must really be allowed, and every escalation, registry-wide write or
 * write to a repository the policies do not name that the evaluator allows must be reported;
 * and the same with a permissions boundary, where what is allowed is what both allow.
 */
import fc from "fast-check";
import { agreeOnPermissions } from "./oracles";
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
});
