/**
 * The trust model against an independent IAM evaluator (@cloud-copilot/iam-simulate), on
 * generated trust policies: every token the model shows must really be admitted, and every
 * policy the evaluator finds admitting a foreign token (another repository, another issuer,
 * another audience, a pull request) must be a finding of the model.
 */
import fc from "fast-check";
import { agreeOnTrust } from "./oracles";
import { crowdedTrustPolicy, trustPolicy } from "./trustGenerators";

describe("the trust model, against an IAM evaluator on generated trust policies", function () {
  this.timeout(300000);

  it("shows only tokens the evaluator admits, and finds every foreign token the evaluator admits", () => {
    fc.assert(
      fc.property(trustPolicy, (policy) => agreeOnTrust(policy)),
      { numRuns: Number(process.env.TRUST_RUNS ?? 1500) },
    );
  });

  it("agrees on policies with more than 31 conditions on one claim", () => {
    fc.assert(
      fc.property(crowdedTrustPolicy, (policy) => agreeOnTrust(policy)),
      { numRuns: Number(process.env.TRUST_RUNS ?? 1500) / 10 },
    );
  });
});
