/**
 * One token's decision (what `trusted-delivery explain` prints) against an independent IAM
 * evaluator (@cloud-copilot/iam-simulate), on generated trust policies and every probe token.
 */
import fc from "fast-check";
import { agreeOnDecisions } from "./oracles";
import { trustPolicy } from "./trustGenerators";

describe("one token's decision, against an IAM evaluator on generated trust policies", function () {
  this.timeout(300000);

  it("admits exactly the tokens the evaluator admits, wherever it can evaluate every condition", () => {
    fc.assert(
      fc.property(trustPolicy, (policy) => agreeOnDecisions(policy)),
      { numRuns: Number(process.env.DECISION_RUNS ?? 300) },
    );
  });
});
