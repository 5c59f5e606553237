/**
 * The permissions model against an independent IAM evaluator, on generated identity policies:
 * every grant it reports must really be allowed, and every escalation, registry-wide write or
 * write to a repository the policies do not name that the evaluator allows must be reported.
 */
import { strict as assert } from "assert";
import fc from "fast-check";
import {
  ecrRegistryWriteActions,
  ecrRepositoryWriteActions,
  privilegeEscalationActions,
} from "../../policy-pack/governance/actions";
import { parsePolicyDocument, PolicyDocument } from "../../policy-pack/iam/document";
import { analyzePermissions, GrantFinding } from "../../policy-pack/iam/permissions";
import {
  allows,
  literallyNamed,
  probeActions,
  probeResources,
  rolePolicies,
} from "./permissionGenerators";

export const questions = {
  escalationActions: privilegeEscalationActions,
  registryWriteActions: ecrRegistryWriteActions,
  repositoryWriteActions: ecrRepositoryWriteActions,
};

export function analyze(policies: readonly unknown[]): GrantFinding[] {
  return analyzePermissions(
    policies.map((policy, i) => ({
      label: `policy ${i + 1}`,
      document: parsePolicyDocument(policy) as PolicyDocument,
    })),
    questions,
  );
}

/** Whether every statement granting the finding's actions uses NotResource without "*". */
function grantsOnlyThroughNotResource(policies: readonly any[], finding: GrantFinding): boolean {
  return finding.statements.every((label) => {
    const [, policy, statement] = /^policy (\d+) statement (\d+)$/.exec(label)!.map(Number);
    const s = policies[policy - 1].Statement[statement - 1];
    return s.NotResource !== undefined && ![s.NotResource].flat().includes("*");
  });
}

/** The property: the model and the evaluator agree, as described above. */
export function agreeOnPermissions(policies: readonly unknown[]): void {
  const findings = analyze(policies);
  const named = literallyNamed(policies);
  for (const finding of findings) {
    assert.notEqual(finding.kind, "undecided", "the model could not decide");
    if (finding.kind === "registry-write" && grantsOnlyThroughNotResource(policies, finding)) {
      // IAM authorises registry-wide actions on the resource "*", which NotResource patterns
      // other than "*" do not exclude; the evaluator reads "*" as every resource, which every
      // NotResource pattern excludes. The model follows IAM (see the named tests).
      continue;
    }
    assert.ok(
      finding.actions.some((action) => allows(policies, action, finding.resource)),
      `the evaluator allows none of ${finding.actions.slice(0, 3).join(", ")}... on ${finding.resource}`,
    );
    if (finding.kind === "other-repository") {
      assert.ok(!named.includes(finding.resource), `${finding.resource} is named in the policies`);
    }
  }
  const reported = (kind: GrantFinding["kind"]) => findings.some((f) => f.kind === kind);
  for (const action of probeActions.escalation) {
    for (const resource of probeResources.escalation) {
      if (allows(policies, action, resource)) {
        assert.ok(reported("escalation"), `the evaluator allows ${action} on ${resource}`);
      }
    }
  }
  for (const action of probeActions.registry) {
    if (allows(policies, action, "*")) {
      assert.ok(reported("registry-write"), `the evaluator allows ${action}`);
    }
  }
  for (const action of probeActions.repository) {
    for (const resource of probeResources.repository) {
      if (!named.includes(resource) && allows(policies, action, resource)) {
        assert.ok(
          reported("other-repository"),
          `the evaluator allows ${action} on ${resource}, which the policies do not name`,
        );
      }
    }
  }
}

describe("the permissions model, against an IAM evaluator on generated identity policies", function () {
  this.timeout(300000);

  it("reports only grants the evaluator allows, and every escalation or foreign write it allows", () => {
    fc.assert(
      fc.property(rolePolicies, (policies) => agreeOnPermissions(policies)),
      { numRuns: Number(process.env.PERMISSION_RUNS ?? 1000) },
    );
  });
});
