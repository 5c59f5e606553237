/**
 * The resource-access model against an independent IAM evaluator, on generated ECR repository
 * policies: every outsider it reports must really be let in, and every outsider the evaluator
 * lets in (a role of an account or organisation the policy does not name, or a service acting
 * for one) must be reported.
 */
import fc from "fast-check";
import { agreeOnAccess } from "./oracles";
import { repositoryPolicy } from "./accessGenerators";
describe("the resource-access model, against an IAM evaluator on generated repository policies", function () {
  this.timeout(300000);

  it("reports only outsiders the evaluator lets in, and finds every outsider it lets in", () => {
    fc.assert(
      fc.property(repositoryPolicy, (policy) => agreeOnAccess(policy)),
      { numRuns: Number(process.env.ACCESS_RUNS ?? 1000) },
    );
  });
});
