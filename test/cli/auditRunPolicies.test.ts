import { strict as assert } from "assert";
import type { Policies, ResourceValidationPolicy } from "@pulumi/policy";
import * as path from "path";
import { AuditResource, UnknownValueError } from "../../cli/audit/resources";
import { PolicyPackProcess } from "../../cli/policyPack/analyzerClient";
import { RunnableResource, runPolicies } from "../../cli/audit/runPolicies";
import { policyPackInfo } from "../../cli/policyPack/packInfo";
import { PolicyConfigFile, resolvePolicyConfig } from "../../cli/policyPack/policyConfig";
import { policies } from "../../policy-pack/policies";
import { ecrGovernanceMetadata } from "../../policy-pack/policies/ecr/ecrGovernanceMetadata";
import { ecrScanOnPush } from "../../policy-pack/policies/ecr/ecrScanOnPush";
import { readFixture } from "../helpers/fixtures";
import { packInfo } from "../helpers/packInfo";
import { runResourcePolicy } from "../helpers/policyHarness";

const config = (file?: PolicyConfigFile) => resolvePolicyConfig(packInfo(), file);

let counter = 0;
function resource(
  type: string,
  name: string,
  props: Record<string, any>,
  propertyDependencies: Record<string, RunnableResource[]> = {},
): RunnableResource {
  return {
    type,
    name,
    urn: `urn:pulumi:test::live::${type}::${name}-${counter++}`,
    props,
    propertyDependencies,
  };
}

const consoleRepository = () =>
  resource("aws:ecr/repository:Repository", "console-scratch", {
    name: "console-scratch",
    imageTagMutability: "MUTABLE",
    imageScanningConfiguration: { scanOnPush: false },
    encryptionConfigurations: [{ encryptionType: "AES256" }],
    tags: {},
  });

const githubRole = (name: string, policyArn?: string) => {
  const role = resource("aws:iam/role:Role", name, {
    name,
    assumeRolePolicy: readFixture("hand-made-iam/github-actions-oidc-trust.json"),
    inlinePolicies: [],
  });
  return policyArn === undefined
    ? [role]
    : [
        role,
        resource(
          "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
          `${name}-attached`,
          { role: name, policyArn },
          { role: [role] },
        ),
      ];
};

const messagesOf = (run: Awaited<ReturnType<typeof runPolicies>>, policy: string) =>
  run.findings.filter((f) => f.policyName === policy).map((f) => f.message);

describe("the audit's in-process policy runner", () => {
  it("says of resources what the pack says of them over the Analyzer protocol (docs/adr/0001)", async function () {
    this.timeout(60000);
    const resources = [
      consoleRepository(),
      ...githubRole("gha-push", "arn:aws:iam::aws:policy/AdministratorAccess"),
    ];
    const inProcess = await runPolicies(policies, [resources], { config: config() });
    const pack = await PolicyPackProcess.start(path.join(__dirname, "../../policy-pack"));
    try {
      await pack.configure(resolvePolicyConfig(await pack.getAnalyzerInfo(), undefined));
      const asAnalyzer = resources.map((r) => ({
        urn: r.urn,
        type: r.type,
        name: r.name,
        properties: r.props,
      }));
      const diagnostics = [
        ...(await Promise.all(asAnalyzer.map((r) => pack.analyze(r)))).flat(),
        ...(await pack.analyzeStack(asAnalyzer)),
      ];
      const line = (policy: string, level: string, message: string) =>
        `${policy} (${level}): ${message}`;
      assert.deepEqual(
        inProcess.findings.map((f) => line(f.policyName, f.enforcementLevel, f.message)).sort(),
        diagnostics
          .map((d) =>
            line(d.policyName, d.enforcementLevel, d.message.split("\n").slice(1).join("\n")),
          )
          .sort(),
      );
    } finally {
      await pack.stop();
    }
  });

  it("reports a resource policy's violations with the message the pack gives under the policy SDK", async () => {
    const repository = consoleRepository();
    const run = await runPolicies(policies, [[repository]], { config: config() });
    for (const policy of [ecrGovernanceMetadata, ecrScanOnPush] as ResourceValidationPolicy[]) {
      assert.deepEqual(
        messagesOf(run, policy.name),
        runResourcePolicy(policy, { type: repository.type, props: repository.props }),
      );
    }
    const scan = run.findings.find((f) => f.policyName === "ecr-scan-on-push")!;
    assert.deepEqual(scan, {
      policyName: "ecr-scan-on-push",
      description: ecrScanOnPush.description,
      enforcementLevel: "mandatory",
      severity: "high",
      message:
        "ECR repository must enable scan on push: set imageScanningConfiguration.scanOnPush = true",
      urn: repository.urn,
    });
  });

  it("runs each policy at its configured level: disabled ones not at all, remediate as mandatory", async () => {
    const run = await runPolicies(policies, [[consoleRepository()]], {
      config: config({
        "ecr-scan-on-push": "disabled",
        "ecr-governance-metadata": "advisory",
        "ecr-lifecycle-policy-present": { enforcementLevel: "remediate" },
      }),
    });
    assert.deepEqual(messagesOf(run, "ecr-scan-on-push"), []);
    assert.deepEqual(
      [...new Set(run.findings.map((f) => `${f.policyName} ${f.enforcementLevel}`))].sort(),
      [
        "ecr-golden-path advisory",
        "ecr-governance-metadata advisory",
        "ecr-lifecycle-policy-present mandatory",
      ],
    );
    assert.deepEqual(
      run.skipped.find((s) => s.policyName === "ecr-scan-on-push"),
      { policyName: "ecr-scan-on-push", reason: "disabled by the policy config" },
    );
  });

  it("gives getConfig() the resolved settings: the schema's defaults, overridden by the config file", async () => {
    const admin = githubRole("deploy-admin", "arn:aws:iam::aws:policy/AdministratorAccess");
    const byDefault = await runPolicies(policies, [admin], { config: config() });
    assert.deepEqual(messagesOf(byDefault, "iam-github-oidc-role-least-privilege"), [
      'Role "deploy-admin" is trusted by GitHub Actions and must only push to its own repositories: it has the AWS managed policy AdministratorAccess attached; detach it and grant push on the repository\'s ARN only',
    ]);
    const allowed = await runPolicies(policies, [admin], {
      config: config({
        "iam-github-oidc-role-least-privilege": {
          forbiddenManagedPolicies: [],
          allowedManagedPolicies: ["AdministratorAccess"],
        },
      }),
    });
    assert.deepEqual(messagesOf(allowed, "iam-github-oidc-role-least-privilege"), []);

    const seen: unknown[] = [];
    const probe: ResourceValidationPolicy = {
      name: "probe",
      description: "records its config",
      enforcementLevel: "advisory",
      configSchema: {
        properties: {
          kept: { type: "string", default: "the default" },
          given: { type: "number", default: 1 },
        },
      },
      validateResource: (args) => {
        seen.push(args.getConfig());
      },
    };
    const probeConfig = resolvePolicyConfig(policyPackInfo("test", "0.0.0", [probe]), {
      probe: { given: 2 },
    });
    await runPolicies([probe], [[consoleRepository()]], { config: probeConfig });
    assert.deepEqual(seen, [{ kept: "the default", given: 2 }]);
  });

  it("judges each stack on its own: a repository in one region is not linked to another region's lifecycle policy by name", async () => {
    const london = consoleRepository();
    const lifecycle = resource(
      "aws:ecr/lifecyclePolicy:LifecyclePolicy",
      "console-scratch",
      { repository: "console-scratch", policy: "{}" },
      { repository: [london] },
    );
    const virginia = consoleRepository();
    const run = await runPolicies(policies, [[london, lifecycle], [virginia]], {
      config: config(),
    });
    assert.deepEqual(
      run.findings.filter((f) => f.policyName === "ecr-lifecycle-policy-present").map((f) => f.urn),
      [virginia.urn],
    );
  });

  it("reports a check that needs a value that could not be read as not judged, never as passed", async () => {
    const repository = consoleRepository();
    Object.defineProperty(repository.props, "tags", {
      enumerable: true,
      get: () => {
        throw new UnknownValueError("ECR repository tags could not be read (denied)");
      },
    });
    const run = await runPolicies(policies, [[repository]], { config: config() });
    assert.deepEqual(messagesOf(run, "ecr-governance-metadata"), []);
    assert.deepEqual(
      run.notJudged.map((n) => [n.policyName, n.urn, n.reason]),
      [
        [
          "ecr-governance-metadata",
          repository.urn,
          "ECR repository tags could not be read (denied)",
        ],
        [
          "ecr-risk-tier-controls",
          repository.urn,
          "ECR repository tags could not be read (denied)",
        ],
      ],
    );
    assert.equal(messagesOf(run, "ecr-scan-on-push").length, 1);
  });

  it("skips policies that cannot apply, with why", async () => {
    const run = await runPolicies(policies, [[consoleRepository()]], {
      config: config({ "ecr-golden-path": "mandatory" }),
      notApplicable: { "ecr-golden-path": "no parent chain" },
    });
    assert.deepEqual(messagesOf(run, "ecr-golden-path"), []);
    assert.deepEqual(run.skipped, [{ policyName: "ecr-golden-path", reason: "no parent chain" }]);
  });

  it("fails, naming the policy and the resource, when a policy throws", async () => {
    const broken: Policies = [
      {
        name: "broken",
        description: "throws",
        enforcementLevel: "mandatory",
        validateResource: () => {
          throw new Error("boom");
        },
      },
    ];
    const repository = consoleRepository();
    await assert.rejects(runPolicies(broken, [[repository]], { config: {} }), {
      message: `policy broken failed on ${repository.urn}: boom`,
    });
  });

  it("keeps a stack violation that names no resource as a finding of the stack", async () => {
    const stackWide: Policies = [
      {
        name: "stack-wide",
        description: "reports the stack",
        enforcementLevel: "advisory",
        severity: "low",
        validateStack: (_args, report) => report("the stack as a whole"),
      },
    ];
    const run = await runPolicies(stackWide, [[], []], { config: {} });
    assert.deepEqual(run.findings, [
      {
        policyName: "stack-wide",
        description: "reports the stack",
        enforcementLevel: "advisory",
        severity: "low",
        message: "the stack as a whole",
      },
      {
        policyName: "stack-wide",
        description: "reports the stack",
        enforcementLevel: "advisory",
        severity: "low",
        message: "the stack as a whole",
      },
    ]);
  });

  it("gives resource policies the resource's provider, as the engine does", async () => {
    const replication: RunnableResource & Partial<AuditResource> = {
      ...resource("aws:ecr/replicationConfiguration:ReplicationConfiguration", "registry", {
        replicationConfiguration: {
          rules: [{ destinations: [{ registryId: "210987654321", region: "eu-west-1" }] }],
        },
      }),
      provider: { type: "pulumi:providers:aws", props: { allowedAccountIds: ["210987654321"] } },
    };
    const run = await runPolicies(policies, [[replication]], { config: config() });
    assert.deepEqual(messagesOf(run, "ecr-no-public-access"), []);
  });
});
