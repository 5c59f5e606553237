/**
 * Runs the policy pack's own policy objects in-process on resources that no Pulumi program
 * declared, as the policy SDK's analyzer runs them under `pulumi preview`: each policy at its
 * configured level (`disabled` ones not at all, `remediate` reported as `mandatory`), resource
 * policies' `validateResource` on every resource, stack policies' `validateStack` on every
 * stack, `getConfig()` giving the policy's resolved settings. A violation reads exactly as it
 * does in a preview: the same policy name, level, severity and message.
 *
 * The pack imports `@pulumi/policy` only for its types, and so does this runner: it runs where
 * only the built package is installed.
 */
import type {
  Policies,
  Policy,
  PolicyResource,
  ResourceValidationPolicy,
  StackValidationPolicy,
} from "@pulumi/policy";
import type { StackResource } from "../../policy-pack/resources/stackIndex";
import type { EnforcementLevel, PolicyConfig } from "../policyPack/analyzerClient";

/** A resource as the runner hands it to policies (optionally with its provider's properties). */
export interface RunnableResource extends StackResource {
  readonly provider?: { readonly type: string; readonly props: Record<string, any> };
}

/** A violation, as the analyzer would report it. */
export interface PolicyFinding {
  readonly policyName: string;
  readonly description: string;
  readonly enforcementLevel: "advisory" | "mandatory";
  readonly severity: string;
  /** The violation's message, as the policy reported it. */
  readonly message: string;
  /** The resource it is about; undefined for a stack violation that names none. */
  readonly urn?: string;
}

/** A check that could not run on a resource, because a value it reads is unknown. */
export interface NotJudged {
  readonly policyName: string;
  /** The resource; undefined when a stack policy as a whole could not run. */
  readonly urn?: string;
  readonly reason: string;
}

export interface PolicyRun {
  readonly findings: readonly PolicyFinding[];
  readonly notJudged: readonly NotJudged[];
  /** Policies that did not run: disabled by config, or not applicable to these resources. */
  readonly skipped: readonly { readonly policyName: string; readonly reason: string }[];
}

export interface RunPoliciesOptions {
  /** Every policy's level and settings, resolved (schema defaults, then the config file). */
  readonly config: Readonly<Record<string, PolicyConfig>>;
  /** Policies that cannot apply to these resources, with why: they do not run. */
  readonly notApplicable?: Readonly<Record<string, string>>;
}

/** What `args.notApplicable()` throws, as the SDK's NotApplicableError does. */
class NotApplicable extends Error {}

/** Named as the policy SDK's, which the pack recognises by name (`isUnknownValueError`). */
function isUnknownValueError(e: unknown): e is Error {
  return e instanceof Error && e.constructor.name === "UnknownValueError";
}

function isResourcePolicy(policy: Policy): policy is ResourceValidationPolicy {
  return "validateResource" in policy;
}

function isStackPolicy(policy: Policy): policy is StackValidationPolicy {
  return "validateStack" in policy;
}

/** The level a policy runs at: its config's, else its own, else the SDK's default. */
export function effectiveLevel(
  policy: Policy,
  config: Readonly<Record<string, PolicyConfig>>,
): Exclude<EnforcementLevel, "remediate"> {
  const level = config[policy.name]?.enforcementLevel ?? policy.enforcementLevel ?? "advisory";
  // The SDK reports a remediate-level validation that still fails as mandatory.
  return level === "remediate" ? "mandatory" : level;
}

const noOptions = {
  protect: false,
  ignoreChanges: [],
  aliases: [],
  additionalSecretOutputs: [],
  customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
};

const throwNotApplicable = (reason?: string): never => {
  throw new NotApplicable(reason);
};

/**
 * Runs every policy on every stack (a list of resources judged together, as one Pulumi stack's
 * are). Resolves to the violations, the checks that could not run, and the policies skipped.
 */
export async function runPolicies(
  policies: Policies,
  stacks: readonly (readonly RunnableResource[])[],
  options: RunPoliciesOptions,
): Promise<PolicyRun> {
  const findings: PolicyFinding[] = [];
  const notJudged: NotJudged[] = [];
  const skipped: { policyName: string; reason: string }[] = [];
  for (const policy of policies) {
    const level = effectiveLevel(policy, options.config);
    if (level === "disabled") {
      skipped.push({ policyName: policy.name, reason: "disabled by the policy config" });
      continue;
    }
    const notApplicable = options.notApplicable?.[policy.name];
    if (notApplicable !== undefined) {
      skipped.push({ policyName: policy.name, reason: notApplicable });
      continue;
    }
    const run = policyRun(policy, level, options.config, findings, notJudged);
    if (isResourcePolicy(policy)) {
      await validateResources(policy, stacks.flat(), run);
    } else if (isStackPolicy(policy)) {
      await validateStacks(policy, stacks, run);
    }
  }
  return { findings, notJudged, skipped };
}

/** What one policy's validations are given, and where what they report goes. */
interface PolicyRunHooks {
  /** The policy's resolved settings, as `args.getConfig()` gives them. */
  readonly getConfig: <T>() => T;
  /** Records a violation; a resource policy's is tied to `fallbackUrn` unless it names one. */
  readonly report: (fallbackUrn: string | undefined) => (message: string, urn?: string) => void;
  /** Records a check that could not run, because a value it reads is unknown. */
  readonly notJudged: (judged: Omit<NotJudged, "policyName">) => void;
  /** Fails the run: a policy that throws is a bug, not a verdict. */
  readonly fail: (e: unknown, where: string) => never;
}

/** The hooks of one policy's run, at its level, recording into `findings` and `notJudged`. */
function policyRun(
  policy: Policy,
  level: PolicyFinding["enforcementLevel"],
  config: Readonly<Record<string, PolicyConfig>>,
  findings: PolicyFinding[],
  notJudged: NotJudged[],
): PolicyRunHooks {
  return {
    getConfig: <T>() => ({ ...(config[policy.name]?.properties ?? {}) }) as T,
    report:
      (fallbackUrn: string | undefined) =>
      (message: string, urn?: string): void => {
        findings.push({
          policyName: policy.name,
          description: policy.description,
          enforcementLevel: level,
          severity: policy.severity ?? "",
          message,
          // The engine ties a resource policy's violation to the resource it analyzed.
          ...((urn ?? fallbackUrn) === undefined ? {} : { urn: urn ?? fallbackUrn }),
        });
      },
    notJudged: (judged) => {
      notJudged.push({ policyName: policy.name, ...judged });
    },
    fail: (e: unknown, where: string): never => {
      throw new Error(
        `policy ${policy.name} failed on ${where}: ${(e as Error)?.message ?? String(e)}`,
        { cause: e },
      );
    },
  };
}

/** Runs a resource policy's validations on every resource, as the analyzer hands it one. */
async function validateResources(
  policy: ResourceValidationPolicy,
  resources: readonly RunnableResource[],
  run: PolicyRunHooks,
): Promise<void> {
  // A remediation-only policy has no validation, and reports nothing here.
  const validations = [policy.validateResource].flat().filter((v) => v !== undefined);
  for (const resource of resources) {
    for (const validate of validations) {
      try {
        await validate(
          {
            type: resource.type,
            props: resource.props,
            urn: resource.urn,
            name: resource.name,
            opts: noOptions,
            ...(resource.provider && {
              provider: {
                type: resource.provider.type,
                props: resource.provider.props,
                urn: `${resource.urn}::provider`,
                name: "provider",
              },
            }),
            stackTags: new Map(),
            isType: () => false,
            asType: () => undefined,
            getConfig: run.getConfig,
            notApplicable: throwNotApplicable,
          },
          run.report(resource.urn),
        );
      } catch (e) {
        if (isUnknownValueError(e)) {
          run.notJudged({ urn: resource.urn, reason: e.message });
        } else if (!(e instanceof NotApplicable)) {
          run.fail(e, resource.urn);
        }
      }
    }
  }
}

/** Runs a stack policy's validation on each stack's resources, judged together. */
async function validateStacks(
  policy: StackValidationPolicy,
  stacks: readonly (readonly RunnableResource[])[],
  run: PolicyRunHooks,
): Promise<void> {
  for (const resources of stacks) {
    try {
      await policy.validateStack(
        {
          // The pack's stack policies read their resources as StackResources (see
          // policy-pack/resources/stackIndex.ts), which these are; what else a PolicyResource
          // has (opts, dependencies, isType), they do not read.
          resources: resources as PolicyResource[],
          getConfig: run.getConfig,
          stackTags: new Map(),
          notApplicable: throwNotApplicable,
        },
        run.report(undefined),
      );
    } catch (e) {
      if (isUnknownValueError(e)) {
        run.notJudged({ reason: e.message });
      } else if (!(e instanceof NotApplicable)) {
        run.fail(e, "the stack");
      }
    }
  }
}
