/**
 * The properties the differential tests check, as functions: each runs a model of the policy
 * pack on a policy and asks an independent IAM evaluator (@cloud-copilot/iam-simulate) whether
 * what the model says holds. The generated tests and the named counter-examples both call them.
 */
import { strict as assert } from "assert";
import { escalationPaths } from "../../policy-pack/governance/escalationPaths";
import {
  ecrActions,
  ecrGovernanceActions,
  ecrRegistryWriteActions,
  ecrRepositoryWriteActions,
  privilegeEscalationActions,
} from "../../policy-pack/governance/actions";
import { parsePolicyDocument, PolicyDocument } from "../../policy-pack/iam/document";
import { analyzePermissions, GrantFinding } from "../../policy-pack/iam/permissions";
import { Placement } from "../../policy-pack/iam/placement";
import { analyzeResourceAccess } from "../../policy-pack/iam/resourceAccess";
import { accountId } from "../helpers/iam";
import {
  analyzeTrust,
  decideToken,
  TrustAnalysis,
  TrustFinding,
} from "../../policy-pack/iam/trust";
import { lets, probeActions as accessProbeActions, probeOutsiders } from "./accessGenerators";
import {
  allows,
  allowsWithin,
  literallyNamed,
  probeActions as permissionProbeActions,
  probeResources,
} from "./permissionGenerators";
import {
  admits,
  evaluatorProblems,
  identityOf,
  isPullRequest,
  probes,
  providerOf,
  repositoryOf,
} from "./trustGenerators";

/** Why a finding's tokens do not show what it says, per the evaluator; undefined when they do. */
function unsupported(policy: unknown, finding: TrustFinding): string | undefined {
  const { kind, tokens } = finding;
  // A finding that rests on a doubt (read in the direction that grants access) may show a
  // token IAM or the evaluator refuses; a certain one may not.
  for (const token of finding.certain ? tokens : []) {
    if (!admits(policy, token)) {
      return `the evaluator refuses ${JSON.stringify(token)}`;
    }
  }
  const [a, b] = tokens;
  switch (kind) {
    case "audience":
      return a.aud !== "sts.amazonaws.com" ? undefined : "its token has the STS audience";
    case "pull-request":
      return isPullRequest(a.sub) ? undefined : `${a.sub} is not a pull request's`;
    case "not-a-repository":
      return repositoryOf(a.sub) === undefined ? undefined : `${a.sub} names a repository`;
    case "other-issuer":
      return tokens.some((t) => t.issuer !== a.issuer) ? undefined : "one issuer only";
    case "no-subject":
    case "other-owner":
    case "other-repository":
      return b !== undefined &&
        (identityOf(a).name !== identityOf(b).name || identityOf(a).id !== identityOf(b).id)
        ? undefined
        : "its tokens are of one repository";
    case "invalid":
      return /NotPrincipal/.test(finding.problem) ? undefined : "not about NotPrincipal";
    case "undecided":
      return "the model could not decide";
  }
}

function analyzeTrustPolicy(
  policy: unknown,
  placement: Placement = evaluatorPlacement,
): TrustAnalysis {
  const document = parsePolicyDocument(policy);
  assert.ok(!("error" in document), JSON.stringify(document));
  return analyzeTrust(document as PolicyDocument, placement);
}

/** The property: the model and the evaluator agree, as described above. */
export function agreeOnTrust(policy: unknown): void {
  const analysis = analyzeTrustPolicy(policy);
  for (const finding of analysis.findings) {
    assert.ok(
      finding.certain || analysis.assumptions.length > 0,
      `finding "${finding.problem}" is uncertain, yet the model names no doubt`,
    );
  }
  // Placed nowhere, the role may be in any account: the model finds at least as much.
  const anywhere = analyzeTrustPolicy(policy, {});
  if (analysis.findings.length > 0) {
    assert.ok(anywhere.findings.length > 0, "placed nowhere, the model finds nothing");
  }
  if (analysis.trustsGitHub) {
    assert.ok(anywhere.trustsGitHub, "placed nowhere, the model says no GitHub token is admitted");
  }
  for (const finding of analysis.findings) {
    const why = unsupported(policy, finding);
    assert.equal(why, undefined, `finding "${finding.problem}" is not real: ${why}`);
  }
  const problems = evaluatorProblems(policy);
  if (problems.length > 0) {
    assert.ok(
      analysis.findings.length > 0,
      `the evaluator finds the policy unsafe (${problems.join("; ")}), the model finds nothing`,
    );
  }
  if (!analysis.trustsGitHub && !analysis.findings.some((f) => f.kind === "invalid")) {
    const admitted = probes.filter((probe) => admits(policy, probe));
    assert.deepEqual(admitted, [], "the model says no GitHub token is admitted");
  }
  for (const whole of analysis.wholeRepository) {
    // An example that rests on a doubt may be refused, as an uncertain finding's token may.
    assert.ok(
      whole.certain || analysis.assumptions.length > 0,
      `whole-repository example ${whole.example} is uncertain, yet the model names no doubt`,
    );
    if (!whole.certain) {
      continue;
    }
    const token = {
      issuer: analysis.issuer!,
      sub: whole.example,
      aud: "sts.amazonaws.com",
      claims: whole.claims,
    };
    assert.ok(admits(policy, token), `whole-repository example ${whole.example} is refused`);
  }
}

/**
 * The property of one token's decision (what `explain` prints): a token the model admits, the
 * evaluator admits; a token the model refuses without assumptions, the evaluator refuses.
 */
export function agreeOnDecisions(policy: unknown): void {
  const document = parsePolicyDocument(policy);
  assert.ok(!("error" in document), JSON.stringify(document));
  for (const probe of probes) {
    const token = { ...probe, provider: providerOf(probe.issuer) };
    const decision = decideToken(document as PolicyDocument, token);
    const evaluator = admits(policy, probe);
    if (decision.admitted) {
      assert.ok(evaluator, `the model admits ${JSON.stringify(probe)}, the evaluator refuses it`);
    } else if (decision.assumptions.length === 0) {
      assert.ok(!evaluator, `the model refuses ${JSON.stringify(probe)}, the evaluator admits it`);
    }
    if (decision.admitted) {
      assert.ok(
        decision.allowedBy.length > 0,
        "an admitted token names the statements admitting it",
      );
    }
  }
}

export const questions = {
  escalationActions: privilegeEscalationActions,
  escalationPaths,
  governanceActions: ecrGovernanceActions,
  registryWriteActions: ecrRegistryWriteActions,
  repositoryWriteActions: ecrRepositoryWriteActions,
};

/** Where the evaluator's principal is: the findings of a model placed there are what it can check. */
export const evaluatorPlacement: Placement = { partitions: ["aws"], accounts: [accountId] };

export function analyzeRolePolicies(
  policies: readonly unknown[],
  placement: Placement = evaluatorPlacement,
  boundary?: unknown,
): GrantFinding[] {
  return analyzePermissions(
    policies.map((policy, i) => ({
      label: `policy ${i + 1}`,
      document: parsePolicyDocument(policy) as PolicyDocument,
    })),
    questions,
    placement,
    undefined,
    boundary === undefined
      ? undefined
      : [{ label: "boundary", document: parsePolicyDocument(boundary) as PolicyDocument }],
  );
}

/**
 * Whether an ARN has more than six colon-separated parts while its resource part names an ECR
 * repository or an IAM role, whose names hold no colon: a segment's `*` expanded past colons.
 */
export function spansSegments(resource: string): boolean {
  const parts = resource.split(":");
  return parts.length > 6 && /^(?:repository|role)\//.test(parts.slice(5).join(":"));
}

/** Whether a policy has a statement with NotResource without "*" (see agreeOnPermissions). */
function hasNarrowNotResource(policy: any): boolean {
  return policy.Statement.some(
    (s: any) => s.NotResource !== undefined && ![s.NotResource].flat().includes("*"),
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

/**
 * The property: the model and the evaluator agree, as described above; with a permissions
 * `boundary`, on what the policies and the boundary allow together (the evaluator's boundary).
 */
export function agreeOnPermissions(policies: readonly unknown[], boundary?: unknown): void {
  const findings = analyzeRolePolicies(policies, evaluatorPlacement, boundary);
  const allowed = (action: string, resource: string) =>
    boundary === undefined
      ? allows(policies, action, resource)
      : allowsWithin(policies, boundary, action, resource);
  // Placed nowhere, the principal may be anywhere: the model finds at least as much.
  const anywhere = analyzeRolePolicies(policies, {}, boundary).map((f) => f.kind);
  for (const finding of findings) {
    // A path found in one account may be, anywhere, an escalation of its own (iam:PassRole).
    const covered: GrantFinding["kind"][] =
      finding.kind === "escalation-path" ? ["escalation-path", "escalation"] : [finding.kind];
    assert.ok(
      covered.some((kind) => anywhere.includes(kind)) || anywhere.includes("undecided"),
      `placed nowhere, the model misses the ${finding.kind} it finds in ${accountId}`,
    );
  }
  const named = literallyNamed(policies);
  for (const finding of findings) {
    assert.notEqual(finding.kind, "undecided", "the model could not decide");
    if (
      finding.kind === "registry-write" &&
      (grantsOnlyThroughNotResource(policies, finding) ||
        (boundary !== undefined && hasNarrowNotResource(boundary)))
    ) {
      // IAM authorises registry-wide actions on the resource "*", which NotResource patterns
      // other than "*" do not exclude; the evaluator reads "*" as every resource, which every
      // NotResource pattern excludes. The model follows IAM (see the named tests), and reads a
      // boundary the same way.
      continue;
    }
    if (spansSegments(finding.resource)) {
      // Only a resource two patterns both match (a boundary's and a policy's, or an Allow's and
      // a Deny's NotResource): where one pattern's whole-segment `*` expands past colons (as IAM
      // documents it may), the evaluator reads it as one segment. The model fails closed
      // (permissionsDifferential.test.ts, the named cases).
      continue;
    }
    assert.ok(
      finding.actions.some((action) => allowed(action, finding.resource)),
      `the evaluator allows none of ${finding.actions.slice(0, 3).join(", ")}... on ${finding.resource}`,
    );
    if (finding.kind === "other-repository") {
      assert.ok(!named.includes(finding.resource), `${finding.resource} is named in the policies`);
    }
  }
  const reported = (kind: GrantFinding["kind"]) => findings.some((f) => f.kind === kind);
  for (const action of permissionProbeActions.escalation) {
    // IAM acts on the role's own account only; STS may reach a role of any account.
    for (const resource of probeResources.escalation.filter(
      (r) => action.startsWith("sts:") || r.includes(`::${accountId}:`),
    )) {
      if (allowed(action, resource)) {
        assert.ok(reported("escalation"), `the evaluator allows ${action} on ${resource}`);
      }
    }
  }
  for (const [action, resource] of permissionProbeActions.paths) {
    if (allowed(action, resource)) {
      assert.ok(
        reported("escalation-path") || reported("escalation"),
        `the evaluator allows ${action} on ${resource}, a way to escalate`,
      );
    }
  }
  for (const action of permissionProbeActions.governance) {
    for (const resource of probeResources.repository) {
      if (allowed(action, resource)) {
        assert.ok(
          reported("governance"),
          `the evaluator allows ${action} on ${resource}, which undoes governance`,
        );
      }
    }
  }
  for (const action of permissionProbeActions.registry) {
    if (allowed(action, "*")) {
      assert.ok(reported("registry-write"), `the evaluator allows ${action}`);
    }
  }
  for (const action of permissionProbeActions.repository) {
    for (const resource of probeResources.repository) {
      if (!named.includes(resource) && allowed(action, resource)) {
        assert.ok(
          reported("other-repository"),
          `the evaluator allows ${action} on ${resource}, which the policies do not name`,
        );
      }
    }
  }
}

export function agreeOnAccess(policy: unknown): void {
  const { findings, undecided } = analyzeResourceAccess(
    parsePolicyDocument(policy) as PolicyDocument,
    ecrActions,
  );
  assert.equal(undecided, undefined, "the model could not decide");
  for (const finding of findings) {
    assert.ok(
      finding.actions.some((action) => lets(policy, finding.outsider, action)),
      `the evaluator refuses ${JSON.stringify(finding.outsider)} ${finding.actions.slice(0, 3).join(", ")}...`,
    );
  }
  for (const outsider of probeOutsiders) {
    for (const action of accessProbeActions) {
      if (lets(policy, outsider, action)) {
        assert.ok(
          findings.length > 0,
          `the evaluator lets ${JSON.stringify(outsider)} perform ${action}; the model finds no outsider`,
        );
      }
    }
  }
}
