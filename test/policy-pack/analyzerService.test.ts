/**
 * The pack's own `Analyze` and `AnalyzeStack` handlers (`policy-pack/lib/analyzerService.ts`)
 * against the SDK's as shipped: two packs with the same policies, one served each way, started
 * as the Pulumi CLI starts a pack and asked the same calls over the Analyzer protocol, must
 * answer the same (diagnostics, and the policies that said they do not apply, with their
 * reasons). Beside the pack's policies, probes exercise what the handlers must reproduce:
 * enforcement levels from `Configure`, per-policy config, stack tags from `ConfigureStack`,
 * not-applicable by type, by `notApplicable()` with and without a reason, unknown values,
 * violations reported as objects, remediation levels, arrays of validations, a policy that
 * throws, and every field of the view each policy is given.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { planStack } from "../../cli/preview";
import {
  AnalyzerAnswer,
  AnalyzerResource,
  PolicyConfig,
  PolicyPackProcess,
} from "../../cli/policyPack/analyzerClient";
import { resolvePolicyConfig } from "../../cli/policyPack/policyConfig";
import { analyzerResources } from "../../cli/preview/policySession";
import { findProject } from "../../cli/workspace/project";
import { repositoryRoot } from "../helpers/cli";

const probes = `
const aws = require("@pulumi/aws");
const { validateResourceOfType, validateStackResourcesOfType } = require("@pulumi/policy");
const { UnknownValueError } = require("@pulumi/policy/proxy");

// Every field a policy is given of a resource, as text.
function view(r) {
  return JSON.stringify({
    type: r.type, urn: r.urn, name: r.name, opts: r.opts, props: r.props,
    provider: r.provider && { type: r.provider.type, urn: r.provider.urn, name: r.provider.name, props: r.provider.props },
    parent: r.parent && r.parent.urn,
    dependencies: r.dependencies && r.dependencies.map((d) => d.urn),
    propertyDependencies: r.propertyDependencies &&
      Object.fromEntries(Object.entries(r.propertyDependencies).map(([k, v]) => [k, v.map((d) => d.urn)])),
    isBucket: r.isType(aws.s3.Bucket), asRepository: r.asType(aws.ecr.Repository) !== undefined,
  });
}
const tags = (args) => JSON.stringify([...args.stackTags.entries()]);
const advisory = (name, rest) => ({ name, description: name + " probe", enforcementLevel: "advisory", ...rest });

exports.probes = [
  advisory("probe-stack-view", {
    validateStack: (args, report) => {
      report("config " + JSON.stringify(args.getConfig()) + " tags " + tags(args) + " resources " + args.resources.length);
      for (const r of args.resources) report(view(r), r.urn);
      args.resources.reverse(); // a policy that changes its list must not change the next one's
    },
  }),
  advisory("probe-stack-order", {
    validateStack: (args, report) => report(args.resources.map((r) => r.name).join(",")),
  }),
  advisory("probe-stack-not-applicable", { validateStack: (args) => args.notApplicable("only on Tuesdays") }),
  advisory("probe-stack-not-applicable-silently", { validateStack: (args) => args.notApplicable() }),
  advisory("probe-stack-unknown", { severity: "high", validateStack: () => { throw new UnknownValueError("04da6b54-80e4-46f7-96ec-b56ff0331ba9", ["arn"]); } }),
  advisory("probe-stack-typed", { validateStack: validateStackResourcesOfType(aws.acm.Certificate, (resources, args, report) => report("certificates")) }),
  advisory("probe-stack-object", {
    validateStack: (args, report) => report({ message: "as an object", urn: args.resources[0] && args.resources[0].urn, severity: "critical" }),
  }),
  { name: "probe-stack-remediate", description: "remediate probe", enforcementLevel: "remediate", validateStack: (args, report) => report("stack remediate") },
  advisory("probe-stack-disabled", { validateStack: (args, report) => report("runs though disabled") }),
  advisory("probe-resource-view", {
    validateResource: (args, report) => report("config " + JSON.stringify(args.getConfig()) + " tags " + tags(args) + " " + view(args)),
  }),
  advisory("probe-resource-array", {
    validateResource: [
      (args, report) => report("first of two"),
      (args) => args.notApplicable("the second does not apply"),
    ],
  }),
  advisory("probe-resource-remediation-only", { remediateResource: () => undefined }),
  { name: "probe-resource-remediate", description: "remediate probe", enforcementLevel: "remediate", validateResource: (args, report) => report("resource remediate") },
  advisory("probe-resource-typed", { validateResource: validateResourceOfType(aws.acm.Certificate, (c, args, report) => report("certificate")) }),
  advisory("probe-resource-unknown", { validateResource: () => { throw new UnknownValueError("04da6b54-80e4-46f7-96ec-b56ff0331ba9", ["tags", "owner"]); } }),
  advisory("probe-resource-throws", {
    validateResource: (args) => { if (args.name === "explode") throw new Error("the probe broke on purpose"); },
  }),
  // Validations that return promises: each is waited for, and how it fails is what it would be
  // thrown at once.
  advisory("probe-resource-async", {
    validateResource: async (args, report) => { await null; report("after a tick " + args.type + " " + Object.keys(args.props).length); },
  }),
  advisory("probe-resource-async-unknown", { validateResource: async () => { await null; throw new UnknownValueError("04da6b54-80e4-46f7-96ec-b56ff0331ba9", ["later"]); } }),
  advisory("probe-resource-async-not-applicable", { validateResource: async (args) => { await null; args.notApplicable("not after a tick"); } }),
  advisory("probe-resource-async-throws", {
    validateResource: async (args) => { await null; if (args.name === "explode-later") throw new Error("the probe broke after a tick"); },
  }),
  advisory("probe-stack-async", {
    validateStack: async (args, report) => { await null; report("stack after a tick " + args.resources.length); },
  }),
  advisory("probe-stack-async-not-applicable", { validateStack: async (args) => { await null; args.notApplicable("not after a tick"); } }),
];
`;

/** A pack of the repository's policies and the probes, served by `how`. */
function writePack(scratch: string, how: "shipped" | "shared"): string {
  const directory = path.join(scratch, how);
  fs.mkdirSync(directory);
  const bin = path.join(repositoryRoot, "policy-pack/bin");
  const serving =
    how === "shared"
      ? `if (!require(${JSON.stringify(`${bin}/lib/analyzerService`)}).serveSharedAnalysis()) { console.error("not served"); process.exit(3); }\n`
      : "";
  fs.writeFileSync(path.join(directory, "probes.js"), probes);
  fs.writeFileSync(
    path.join(directory, "index.js"),
    [
      'const { PolicyPack } = require("@pulumi/policy");',
      `const { policies, policyPackName } = require(${JSON.stringify(`${bin}/policies`)});`,
      'const { probes } = require("./probes");',
      serving,
      "new PolicyPack(policyPackName, { policies: [...policies, ...probes] });",
      "",
    ].join("\n"),
  );
  fs.writeFileSync(
    path.join(directory, "package.json"),
    JSON.stringify({ name: `probe-${how}`, version: "1.2.3", main: "index.js" }),
  );
  fs.writeFileSync(path.join(directory, "PulumiPolicy.yaml"), "runtime: nodejs\n");
  fs.symlinkSync(path.join(repositoryRoot, "node_modules"), path.join(directory, "node_modules"));
  return directory;
}

/** Each policy's defaults, with the probes' levels and settings changed as a user would. */
function configOf(info: Awaited<ReturnType<PolicyPackProcess["getAnalyzerInfo"]>>) {
  const config: Record<string, PolicyConfig> = { ...resolvePolicyConfig(info, undefined) };
  config["probe-stack-disabled"] = { enforcementLevel: "disabled", properties: {} };
  config["probe-stack-view"] = { enforcementLevel: "mandatory", properties: { answer: 42 } };
  config["probe-resource-view"] = {
    enforcementLevel: "advisory",
    properties: { team: "platform" },
  };
  config["ecr-scan-on-push"] = { ...config["ecr-scan-on-push"], enforcementLevel: "disabled" };
  config["ecr-governance-metadata"] = {
    ...config["ecr-governance-metadata"],
    enforcementLevel: "advisory",
  };
  return config;
}

async function started(directory: string): Promise<PolicyPackProcess> {
  const pack = await PolicyPackProcess.start(directory);
  await pack.configure(configOf(await pack.getAnalyzerInfo()));
  await pack.configureStack({ "pulumi:project": "trusted-delivery", owner: "platform" });
  return pack;
}

/** An answer, or the error's message when the call failed. */
async function answer(call: () => Promise<AnalyzerAnswer>): Promise<AnalyzerAnswer | string> {
  try {
    return await call();
  } catch (error) {
    // The error and what caused it; the stack trace below them names each pack's own files.
    const details = (error as { details?: string }).details ?? String(error);
    return `error: ${details.split("\n").slice(0, 2).join("\n")}`;
  }
}

describe("the pack's Analyze and AnalyzeStack handlers answer as the SDK's", function () {
  this.timeout(300000);
  let scratch: string;
  let shipped: PolicyPackProcess;
  let shared: PolicyPackProcess;
  const stacks: AnalyzerResource[][] = [];
  const inputs: AnalyzerResource[] = [];

  before(async () => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), "td-analyzer-service-"));
    [shipped, shared] = await Promise.all([
      started(writePack(scratch, "shipped")),
      started(writePack(scratch, "shared")),
    ]);
    for (const project of [path.join(repositoryRoot, "examples/ungoverned"), repositoryRoot]) {
      const plan = await planStack(findProject(project), "dev");
      stacks.push(analyzerResources(plan.run.resources, "outputs"));
      inputs.push(
        ...analyzerResources(
          plan.run.resources.filter((r) => r.custom && !r.read),
          "inputs",
        ),
      );
    }
  });
  after(async () => {
    await Promise.all([shipped?.stop(), shared?.stop()]);
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it("AnalyzeStack: the same diagnostics and not-applicable policies, on stacks with and without violations", async () => {
    for (const stack of stacks) {
      const expected = await answer(() => shipped.analyzeStackResponse(stack));
      assert.deepEqual(await answer(() => shared.analyzeStackResponse(stack)), expected);
      // The comparison covers what it must: violations, every probe's outcome.
      assert.ok(typeof expected !== "string", expected as string);
      const names = new Set(expected.diagnostics.map((d) => d.policyName));
      for (const name of ["probe-stack-view", "probe-stack-unknown", "probe-stack-remediate"]) {
        assert.ok(names.has(name), `${name} reported`);
      }
      assert.ok(!names.has("probe-stack-disabled"));
      assert.deepEqual(
        expected.notApplicable
          .filter((n) => n.policyName.startsWith("probe-"))
          .map((n) => `${n.policyName}: ${n.reason}`),
        [
          "probe-stack-not-applicable: only on Tuesdays",
          "probe-stack-not-applicable-silently: ",
          "probe-stack-typed: Policy only applies to resources of type 'aws:acm/certificate:Certificate'",
          "probe-stack-async-not-applicable: not after a tick",
        ],
      );
      const view = expected.diagnostics.find((d) => d.message.includes('config {"answer":42}'));
      assert.ok(view, "the view probe reported its config");
      assert.ok(view.message.includes('"owner","platform"'), view.message.slice(0, 300));
    }
    const ungoverned = await answer(() => shipped.analyzeStackResponse(stacks[0]));
    assert.ok(
      typeof ungoverned !== "string" &&
        ungoverned.diagnostics.some((d) => !d.policyName.startsWith("probe-")),
      "the pack's own stack policies report violations on the ungoverned example",
    );
  });

  it("Analyze: the same answer for every resource of both stacks, and the same error for a policy that throws", async () => {
    let violations = 0;
    for (const resource of inputs) {
      const expected = await answer(() => shipped.analyzeResponse(resource));
      assert.deepEqual(
        await answer(() => shared.analyzeResponse(resource)),
        expected,
        resource.urn,
      );
      assert.ok(typeof expected !== "string", expected as string);
      violations += expected.diagnostics.filter((d) => !d.policyName.startsWith("probe-")).length;
    }
    assert.ok(violations > 0, "the pack's own resource policies report violations");
    const explode = { ...inputs[0], name: "explode" };
    const expected = await answer(() => shipped.analyzeResponse(explode));
    assert.match(String(expected), /probe-resource-throws.*the probe broke on purpose/s);
    assert.equal(await answer(() => shared.analyzeResponse(explode)), expected);
    const later = { ...inputs[0], name: "explode-later" };
    const expectedLater = await answer(() => shipped.analyzeResponse(later));
    assert.match(
      String(expectedLater),
      /probe-resource-async-throws.*the probe broke after a tick/s,
    );
    assert.equal(await answer(() => shared.analyzeResponse(later)), expectedLater);
    // The asynchronous probes ran, and were waited for, in both.
    const first = await answer(() => shipped.analyzeResponse(inputs[0]));
    assert.ok(typeof first !== "string", first as string);
    assert.ok(first.diagnostics.some((d) => d.message.includes("after a tick")));
    assert.ok(
      first.diagnostics.some((d) =>
        /can't run policy 'probe-resource-async-unknown'/.test(d.message),
      ),
    );
    assert.ok(first.notApplicable.some((n) => n.reason === "not after a tick"));
  });
});
