import type { OfflineRunOptions } from "../cli/preview/capture";
import { OfflineMocks, placeholderAccountId } from "../cli/preview/mocks";
import type { AppConfig } from "../programs/platform/config";

/** The platform program's Pulumi project name (its config namespace). */
export const platformProject = "trusted-delivery-platform";

/** How the benchmark's pipelines are configured. */
export type PipelineVariant = "default" | "environments" | "commitWorkflow";

/** The stack environment each variant runs in: GitHub environments must contain it as a word. */
export const variantEnvironment: Readonly<Record<PipelineVariant, string>> = {
  default: "dev",
  environments: "prod",
  commitWorkflow: "dev",
};

const risks = ["low", "medium", "high"] as const;
const teams = ["team-payments", "team-web", "team-ledger", "team-search", "team-data"];

/**
 * `count` distinct apps for the platform's `apps` config, keyed by ECR repository name
 * (`svc-0001`, ...), each with its own GitHub repository and catalog id, owners and risk tiers
 * in rotation.
 */
export function benchApps(
  count: number,
  variant: PipelineVariant = "default",
): Record<string, AppConfig> {
  const width = Math.max(4, String(count).length);
  const apps: Record<string, AppConfig> = {};
  for (let index = 1; index <= count; index++) {
    const number = String(index).padStart(width, "0");
    const name = `svc-${number}`;
    apps[name] = {
      metadata: {
        id: `REGISTRY_SVC_${number}`,
        owner: teams[(index - 1) % teams.length],
        risk: risks[(index - 1) % risks.length],
      },
      github:
        variant === "environments"
          ? { repository: `acme/${name}`, environments: ["prod"] }
          : {
              repository: `acme/${name}`,
              branches: ["main"],
              ...(variant === "commitWorkflow" && { commitWorkflow: true }),
            },
    };
  }
  return apps;
}

/** Config as the language host passes it to the platform program for these apps. */
export function platformConfig(
  apps: Readonly<Record<string, AppConfig>>,
  environment: string,
): Record<string, string> {
  return {
    [`${platformProject}:environment`]: environment,
    [`${platformProject}:apps`]: JSON.stringify(apps),
    // A third of the apps are high risk, whose images are signed: the stack manages signing.
    [`${platformProject}:registrySigning`]: "managed",
    "aws:region": "eu-west-2",
  };
}

/**
 * Options for running the platform program under the offline mocks with `count` apps of a
 * variant, as `trusted-delivery plan` runs a stack (in eu-west-2, placeholder account).
 */
export function platformRunOptions(
  count: number,
  variant: PipelineVariant,
  program: () => unknown,
): OfflineRunOptions {
  const environment = variantEnvironment[variant];
  return {
    project: platformProject,
    stack: environment,
    config: platformConfig(benchApps(count, variant), environment),
    mocks: benchMocks(),
    program,
  };
}

/** The offline mocks every benchmark program runs under, the platform and its reference alike. */
export function benchMocks(): OfflineMocks {
  return new OfflineMocks({
    accountId: placeholderAccountId,
    region: "eu-west-2",
    partition: "aws",
    defaultTags: {},
  });
}
