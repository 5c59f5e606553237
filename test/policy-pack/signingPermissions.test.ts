/**
 * The least-privilege rule and image signing (AWS Signer): a GitHub-trusted push role may sign
 * with `signer:SignPayload` only as signing profiles its policies name exactly, may change no
 * signing governance (profiles, their permissions, revocations, tags), and may not change the
 * registry's signing configuration; the push policy the component writes for managed signing
 * passes. Each is judged by what IAM would allow, so wildcards, `NotAction` and `NotResource`
 * count as IAM reads them, and what the model cannot decide is reported as not proven safe.
 */
import { strict as assert } from "assert";
import fc from "fast-check";
import { ecrPushPolicy } from "../../components/pushPolicy";
import { signerGovernanceActions } from "../../policy-pack/governance/actions";
import { awsActions } from "../../policy-pack/governance/awsActions";
import { awsTypes } from "../../policy-pack/governance/typeTokens";
import { parsePolicyDocument, PolicyDocument } from "../../policy-pack/iam/document";
import {
  iamGithubOidcRoleLeastPrivilege,
  signingViolations,
} from "../../policy-pack/policies/iam/iamGithubOidcRoleLeastPrivilege";
import { readFixture } from "../helpers/fixtures";
import { identityAllows } from "../helpers/iam";
import { runStackPolicy, TestStackResource, unknown } from "../helpers/policyHarness";

const trust = readFixture("hand-made-iam/github-actions-oidc-trust.json");
const repository = "arn:aws:ecr:eu-west-2:123456789012:repository/payments-api";
/** The platform's signing profile of the environment: the one the push role may sign with. */
const profile = "arn:aws:signer:eu-west-2:123456789012:/signing-profiles/platform_dev";
const document = (...statements: object[]) => ({ Version: "2012-10-17", Statement: statements });
const pushActions = [
  "ecr:BatchCheckLayerAvailability",
  "ecr:CompleteLayerUpload",
  "ecr:InitiateLayerUpload",
  "ecr:PutImage",
  "ecr:UploadLayerPart",
];
/** What the push policy grants without signing: the ECR login, and pushing to its repository. */
const push = [
  { Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
  { Effect: "Allow", Action: pushActions, Resource: repository },
];
/** The push policy with managed signing and the deploy gate's reads (components/pushPolicy.ts). */
const signingPushPolicy = document(
  ...push,
  {
    Sid: "SignWithThePlatformProfile",
    Effect: "Allow",
    Action: "signer:SignPayload",
    Resource: profile,
  },
  {
    Effect: "Allow",
    Action: ["ecr:DescribeImageScanFindings", "ecr:DescribeImageSigningStatus"],
    Resource: repository,
  },
  { Effect: "Allow", Action: "inspector2:ListFindings", Resource: "*" },
);
const role = (permissionsBoundary?: string): TestStackResource => ({
  type: awsTypes.iamRole,
  name: "push-role",
  props: {
    name: "gha-ecr-push",
    assumeRolePolicy: trust,
    ...(permissionsBoundary === undefined ? {} : { permissionsBoundary }),
  },
});
const rolePolicy = (policy: unknown): TestStackResource => ({
  type: awsTypes.iamRolePolicy,
  name: "push-policy",
  props: { role: unknown, policy },
  propertyDependencies: { role: ["push-role"] },
});
const boundaryArn = "arn:aws:iam::123456789012:policy/delivery/ecr-push-boundary";
const boundary = (policy: unknown): TestStackResource => ({
  type: awsTypes.iamPolicy,
  name: "boundary",
  props: { name: "ecr-push-boundary", path: "/delivery/", policy, arn: boundaryArn },
});
const messages = (policy: unknown, ...more: TestStackResource[]) =>
  runStackPolicy(iamGithubOidcRoleLeastPrivilege, [role(), rolePolicy(policy), ...more]).map(
    (v) => v.message,
  );

const lead =
  'Role "gha-ecr-push" is trusted by GitHub Actions and must only push to its own repositories';
const hint = "arn:aws:signer:<region>:<account>:/signing-profiles/<name>";
/** The message for signing beyond the named profiles, `resource` the example it gives. */
const signsWidely = (who: string, resource: string, grants = "grants", hedge = "") =>
  `${lead}: ${who} ${grants} signer:SignPayload on more than the signing profiles it names exactly (e.g. on "${resource}")${hedge}, so it could sign images as other signing profiles, and a signature would no longer say which pipeline pushed the image; grant it on the one profile's ARN instead (${hint}, no wildcards)`;
/** The message for signing-governance writes. */
const governs = (who: string, actions: string, resource: string, grants = "grants") =>
  `${lead}: ${who} ${grants} ${actions} (e.g. on "${resource}"), with which it could re-create, revoke or share signing profiles or revoke signatures, undoing what signature verification relies on; a push role needs only signer:SignPayload on its profile`;
const allGovernance =
  "signer:AddProfilePermission, signer:CancelSigningProfile, signer:PutSigningProfile, signer:RemoveProfilePermission and 4 more";
const statement = (n: number | string) =>
  `role policy "push-policy" statement ${typeof n === "number" ? n : `"${n}"`}`;

describe("iam-github-oidc-role-least-privilege and image signing (AWS Signer)", () => {
  it("Compliance 1: the push policy with managed signing: SignPayload on the platform's profile, the deploy gate's reads, inspector2:ListFindings on *", () => {
    assert.deepEqual(messages(signingPushPolicy), []);
  });

  it("Compliance 2: the component's own push policy with a signing profile and the scan-findings gate", () => {
    const policy = ecrPushPolicy(repository, {
      signingProfileArn: profile,
      readsScanFindings: true,
    });
    assert.deepEqual(messages(policy), []);
  });

  it("Compliance 3: signer:Sign* on * that a Deny takes back to the one profile", () => {
    const denied = document(
      ...push,
      { Effect: "Allow", Action: "signer:Sign*", Resource: "*" },
      { Effect: "Deny", Action: "signer:*", NotResource: profile },
    );
    assert.deepEqual(messages(denied), []);
  });

  it("Compliance 4: SignPayload on * in the policy, under a boundary of the stack that allows it on the one profile only", () => {
    const bounded = runStackPolicy(iamGithubOidcRoleLeastPrivilege, [
      role(boundaryArn),
      boundary(
        document(...push, { Effect: "Allow", Action: "signer:SignPayload", Resource: profile }),
      ),
      rolePolicy(
        document(...push, { Effect: "Allow", Action: "signer:SignPayload", Resource: "*" }),
      ),
    ]);
    assert.deepEqual(bounded, []);
  });

  it("Compliance 5: AWS Signer's Read and List actions on * change nothing", () => {
    const reads = document(...push, {
      Effect: "Allow",
      Action: ["signer:Get*", "signer:List*", "signer:DescribeSigningJob"],
      Resource: "*",
    });
    assert.deepEqual(messages(reads), []);
  });

  it('Noncompliance 1: SignPayload on "*" lets the role sign as any signing profile', () => {
    const star = document(...push, {
      Effect: "Allow",
      Action: "signer:SignPayload",
      Resource: "*",
    });
    assert.deepEqual(messages(star), [signsWidely(statement(3), "*")]);
  });

  it("Noncompliance 2: SignPayload on every profile of every region and account (arn:aws:signer:*:*:/signing-profiles/*)", () => {
    const every = document(...push, {
      Effect: "Allow",
      Action: "signer:SignPayload",
      Resource: "arn:aws:signer:*:*:/signing-profiles/*",
    });
    assert.deepEqual(messages(every), [
      signsWidely(statement(3), "arn:aws:signer:::/signing-profiles/"),
    ]);
  });

  it("Noncompliance 3: a wildcard in the profile's name, region or account reaches other profiles, even beside the exact one", () => {
    const name = "arn:aws:signer:eu-west-2:123456789012:/signing-profiles/platform_*";
    const region = "arn:aws:signer:*:123456789012:/signing-profiles/platform_dev";
    const account = "arn:aws:signer:eu-west-2:12345678901?:/signing-profiles/platform_dev";
    const found = [name, region, account].map((resource) =>
      messages(
        document(
          ...push,
          { Effect: "Allow", Action: "signer:SignPayload", Resource: profile },
          { Effect: "Allow", Action: "signer:SignPayload", Resource: resource },
        ),
      ),
    );
    assert.deepEqual(found, [
      [
        signsWidely(
          statement(4),
          "arn:aws:signer:eu-west-2:123456789012:/signing-profiles/platform_",
        ),
      ],
      [signsWidely(statement(4), "arn:aws:signer::123456789012:/signing-profiles/platform_dev")],
      [
        signsWidely(
          statement(4),
          "arn:aws:signer:eu-west-2:12345678901a:/signing-profiles/platform_dev",
        ),
      ],
    ]);
  });

  it('Noncompliance 4: the pattern signer:* on "*" signs as any profile and changes signing governance', () => {
    const all = document(...push, { Effect: "Allow", Action: "signer:*", Resource: "*" });
    assert.deepEqual(messages(all), [
      signsWidely(statement(3), "*"),
      governs(statement(3), allGovernance, "*"),
    ]);
  });

  it("Noncompliance 5: signer:Sign* on the one profile's account, in any letter case, still reaches other profiles", () => {
    const sign = document(...push, {
      Effect: "Allow",
      Action: "Signer:sign*",
      Resource: "arn:aws:signer:eu-west-2:123456789012:/signing-profiles/*",
    });
    assert.deepEqual(messages(sign), [
      signsWidely(statement(3), "arn:aws:signer:eu-west-2:123456789012:/signing-profiles/"),
    ]);
  });

  it('Noncompliance 6: NotAction and NotResource that reach SignPayload on "*"', () => {
    const negated = document(...push, {
      Sid: "AllButEcr",
      Effect: "Allow",
      NotAction: ["ecr:*", "iam:*", "sts:*"],
      NotResource: repository,
    });
    const found = messages(negated).filter((m) => m.includes("signer:"));
    assert.deepEqual(found, [
      signsWidely(statement("AllButEcr"), "*"),
      governs(statement("AllButEcr"), allGovernance, "*"),
    ]);
  });

  it("Noncompliance 7: each signing-governance write, even on the role's own profile", () => {
    const each = signerGovernanceActions.map((action) =>
      messages(document(...push, { Effect: "Allow", Action: action, Resource: profile })),
    );
    assert.deepEqual(
      each,
      // Creating a profile is authorised on "*" only, whatever the Resource says.
      signerGovernanceActions.map((action) => [
        governs(statement(3), action, action === "signer:PutSigningProfile" ? "*" : profile),
      ]),
    );
  });

  it("Noncompliance 8: revoking signatures of the platform's signing jobs", () => {
    const revoke = document(...push, {
      Effect: "Allow",
      Action: ["signer:RevokeSignature", "signer:RevokeSigningProfile"],
      Resource: "arn:aws:signer:eu-west-2:123456789012:/signing-jobs/*",
    });
    assert.deepEqual(messages(revoke), [
      governs(
        statement(3),
        "signer:RevokeSignature, signer:RevokeSigningProfile",
        "arn:aws:signer:eu-west-2:123456789012:/signing-jobs/",
      ),
    ]);
  });

  it("Noncompliance 9: ecr:PutSigningConfiguration and ecr:DeleteSigningConfiguration change the whole registry, whatever their Resource", () => {
    const configuration = document(...push, {
      Effect: "Allow",
      Action: ["ecr:PutSigningConfiguration", "ecr:DeleteSigningConfiguration"],
      Resource: repository,
    });
    assert.deepEqual(messages(configuration), [
      `${lead}: ${statement(3)} grants ecr:DeleteSigningConfiguration, ecr:PutSigningConfiguration, which change the whole registry; remove them`,
    ]);
  });

  it("Noncompliance 10: an Allow whose condition the model does not read is not proven safe", () => {
    const tagged = document(...push, {
      Effect: "Allow",
      Action: "signer:SignPayload",
      Resource: "*",
      Condition: { StringEquals: { "aws:ResourceTag/team": "payments" } },
    });
    assert.deepEqual(messages(tagged), [
      signsWidely(
        statement(3),
        "*",
        "may grant",
        ` (not proven safe: ${statement(3)} may not apply as written, since its condition StringEquals on aws:ResourceTag/team tests the request, which the policy does not tell)`,
      ),
    ]);
  });

  it("Noncompliance 11: a Deny with a condition is not counted, and the finding says it is not proven safe", () => {
    const conditional = document(
      ...push,
      { Effect: "Allow", Action: "signer:SignPayload", Resource: "*" },
      {
        Effect: "Deny",
        Action: "signer:SignPayload",
        NotResource: profile,
        Condition: { Bool: { "aws:ViaAWSService": "false" } },
      },
    );
    assert.deepEqual(messages(conditional), [
      signsWidely(
        statement(3),
        "*",
        "may grant",
        ` (not proven safe: ${statement(4)} may not apply as written, since its condition Bool on aws:ViaAWSService tests the request, which the policy does not tell)`,
      ),
    ]);
  });

  it("Noncompliance 12: a signing analysis out of budget is not proven safe, never passed", () => {
    const parsed = parsePolicyDocument(
      document({
        Effect: "Allow",
        Action: "signer:*",
        Resource: "arn:aws:signer:*:*:/signing-profiles/*",
      }),
    ) as PolicyDocument;
    const sources = [{ label: 'inline policy "push"', document: parsed }];
    assert.deepEqual(signingViolations(sources, {}, undefined, 10), [
      `inline policy "push" statement 1 is not proven safe for signing: the analysis needed more than 10 steps (working out where it may sign), the limit for one question; grant signer:SignPayload on the one signing profile's ARN (${hint}) and no other AWS Signer write`,
      `inline policy "push" statement 1 is not proven safe for signing: the analysis needed more than 10 steps (working out which signing governance it may change), the limit for one question; grant signer:SignPayload on the one signing profile's ARN (${hint}) and no other AWS Signer write`,
    ]);
  });
});

/**
 * Generated policies from a small alphabet: actions that sign, change signing governance, or
 * neither (in patterns and `NotAction`); resources that are the one profile, wildcards over
 * profiles' names, regions and accounts, and other services' (in `Resource` and `NotResource`);
 * Allows and Denies, some with a condition the evaluator reads as false (the request has no
 * tags), so a conditional Deny does not apply. The profile is the only profile ARN the alphabet names
 * exactly, so every other profile the role may sign with is one the rule must report.
 */
const signerActions = [
  "signer:SignPayload",
  "signer:StartSigningJob",
  "signer:Sign*",
  "signer:*",
  "signer:*Profile*",
  "signer:RevokeSignature",
  "signer:PutSigningProfile",
  "signer:AddProfilePermission",
  "signer:Get*",
  "ecr:PutImage",
  "*",
];
const profiles = (name: string, region = "eu-west-2", account = "123456789012") =>
  `arn:aws:signer:${region}:${account}:/signing-profiles/${name}`;
/** Patterns of six segments (the evaluator reads NotResource of fewer conservatively). */
const signerResources = [
  profile,
  "*",
  profiles("*", "*", "*"),
  profiles("*"),
  profiles("platform_*"),
  profiles("platform_d?v"),
  profiles("platform_dev", "*"),
  profiles("platform_dev", "eu-west-2", "*"),
  "arn:aws:signer:eu-west-2:123456789012:/signing-jobs/*",
  repository,
];
const tagCondition = { StringEquals: { "aws:ResourceTag/team": "payments" } };
const signerStatement = fc
  .record({
    effect: fc.constantFrom("Allow", "Allow", "Deny"),
    notAction: fc.constantFrom(false, false, true),
    actions: fc.subarray(signerActions, { minLength: 1, maxLength: 3 }),
    notResource: fc.constantFrom(false, false, true),
    resources: fc.subarray(signerResources, { minLength: 1, maxLength: 3 }),
    conditional: fc.constantFrom(false, false, false, true),
  })
  .map((s) => ({
    Effect: s.effect,
    [s.notAction ? "NotAction" : "Action"]: s.actions,
    [s.notResource ? "NotResource" : "Resource"]: s.resources,
    ...(s.conditional ? { Condition: tagCondition } : {}),
  }));
const signerPolicy = fc
  .array(signerStatement, { minLength: 1, maxLength: 3 })
  .map((statements) => document(...statements));

/** Other profiles: another name, one the patterns' wildcards reach, another region and account. */
const otherProfiles = [
  profiles("other_team"),
  profiles("platform_div"),
  profiles("platform_dev", "us-east-1"),
  profiles("platform_dev", "eu-west-2", "210987654321"),
];
/**
 * Where a signing-governance write may act, by the resource types AWS lets it be scoped to: "*"
 * for one scoped to none (PutSigningProfile), real ARNs for the others (the evaluator's reading
 * of a request on "*" for an action that takes ARNs is its own: MODEL.md).
 */
const typeTargets: Readonly<Record<string, readonly string[]>> = {
  "signing-profile": [profile, profiles("other_team")],
  "signing-job": ["arn:aws:signer:eu-west-2:123456789012:/signing-jobs/0123"],
};
const governanceTargets = (action: string): readonly string[] => {
  const types = awsActions.signer.find(([name]) => `signer:${name}` === action)![2];
  return types.length === 0 ? ["*"] : types.flatMap((type) => typeTargets[type]);
};

describe("iam-github-oidc-role-least-privilege on signing, against an IAM evaluator on generated policies", function () {
  this.timeout(120000);

  it("reports every policy with which the evaluator lets the role sign as another profile, or change signing governance", () => {
    // How many policies the evaluator let sign elsewhere, let change governance, and the rule
    // passed: a run where one of them stays 0 tested nothing of that kind.
    const seen = { signing: 0, governance: 0, passed: 0 };
    fc.assert(
      fc.property(signerPolicy, (policy) => {
        const found = messages(policy).filter((m) => m.includes("signer:"));
        const signs = found.some((m) =>
          /signer:SignPayload on more than|not proven safe for signing/.test(m),
        );
        const governs = found.some((m) =>
          /undoing what signature verification relies on|not proven safe for signing/.test(m),
        );
        const signing = otherProfiles.find((arn) =>
          identityAllows([policy], "signer:SignPayload", arn),
        );
        assert.ok(signing === undefined || signs, `the evaluator allows signing as ${signing}`);
        const governing = signerGovernanceActions.flatMap((action) =>
          governanceTargets(action)
            .filter((arn) => identityAllows([policy], action, arn))
            .map((arn) => `${action} on ${arn}`),
        );
        assert.ok(governing.length === 0 || governs, `the evaluator allows ${governing[0]}`);
        seen.signing += signing === undefined ? 0 : 1;
        seen.governance += governing.length === 0 ? 0 : 1;
        seen.passed += found.length === 0 ? 1 : 0;
      }),
      { numRuns: Number(process.env.SIGNING_RUNS ?? 200) },
    );
    assert.ok(
      seen.signing > 0 && seen.governance > 0 && seen.passed > 0,
      `generated cases of each kind: ${JSON.stringify(seen)}`,
    );
  });
});
