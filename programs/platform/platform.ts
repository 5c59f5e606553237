import * as aws from "@pulumi/aws";
import * as awsNativeEcr from "@pulumi/aws-native/ecr";
import { Provider as AwsNativeProvider } from "@pulumi/aws-native/provider";
import type { Region as AwsNativeRegion } from "@pulumi/aws-native/types/enums";
import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import * as terraform from "@pulumi/terraform";
import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";
import { GitHubOidcProvider, TrustedDeliveryPipeline } from "../../components";
import { InvalidArgumentsError } from "../../components/invalidArguments";
import { problem } from "../../components/problems";
import { registryScanningRules } from "../../components/registryScanning";
import {
  imageSigningPlatformId,
  registrySigningRules,
  signingProfileName,
} from "../../components/registrySigning";
import {
  AppConfig,
  parsePlatformConfig,
  pipelineArgsFor,
  platformConfigValues,
  platformWarnings,
  PlatformConfig,
  RegistryScanning,
  RegistrySigning,
  signedApps,
  TerraformStateConfig,
} from "./config";

/** What the platform stack exports for every app. */
export interface AppOutputs {
  readonly repositoryUrl: pulumi.Output<string>;
  readonly roleArn: pulumi.Output<string>;
}

/**
 * Reads and checks this stack's platform config: throws, naming the stack file and every
 * problem (config keys in a namespace that looks like a slip for the project's among them),
 * when it is bad; logs what it leaves to chance (no apps, no `aws:region`: see
 * {@link platformWarnings}) as warnings naming the stack file, which the offline plan prints.
 */
export function readPlatformConfig() {
  const project = pulumi.getProject();
  const stack = pulumi.getStack();
  const all = pulumi.runtime.allConfig();
  const keys = Object.keys(all);
  const source = { project, stack, file: stackFileForMessages(stack) };
  const raw = platformConfigValues(project, all);
  const config = parsePlatformConfig(source, raw, keys);
  for (const warning of platformWarnings(source, raw, keys)) {
    pulumi.log.warn(`${configSubject()}: ${warning.message}`);
  }
  return config;
}

/** How errors about this stack's config begin: `Stack "dev" config (<stack file>)`. */
function configSubject(): string {
  const stack = pulumi.getStack();
  return `Stack "${stack}" config (${stackFileForMessages(stack)})`;
}

/**
 * The stack file as the user knows it, relative to the project root (the working directory
 * Pulumi runs programs in): `<stackConfigDir>/Pulumi.<stack>.yaml`.
 */
function stackFileForMessages(stack: string): string {
  let stackConfigDir = ".";
  try {
    stackConfigDir = YAML.parse(fs.readFileSync("Pulumi.yaml", "utf8"))?.stackConfigDir ?? ".";
  } catch {
    // No readable Pulumi.yaml here: name the file alone.
  }
  return path.join(stackConfigDir, `Pulumi.${stack}.yaml`);
}

/**
 * Reads a Terraform state's outputs (with @pulumi/terraform, on every preview and update) and
 * returns a reader of the output a setting takes, which fails naming the config key, the state
 * and the outputs it has when Terraform has no such output.
 */
function terraformOutputs(
  state: TerraformStateConfig,
): (setting: string, name: string) => pulumi.Output<string> {
  const reference =
    state.backend === "s3"
      ? terraform.state.getS3ReferenceOutput({
          bucket: state.bucket,
          key: state.key,
          ...(state.region === undefined ? {} : { region: state.region }),
          ...(state.workspace === undefined ? {} : { workspace: state.workspace }),
        })
      : terraform.state.getLocalReferenceOutput({ path: path.resolve(state.path) });
  const where = state.backend === "s3" ? `s3://${state.bucket}/${state.key}` : state.path;
  return (setting, name) =>
    reference.outputs.apply((outputs) => {
      if (!(name in outputs)) {
        throw new InvalidArgumentsError(configSubject(), [
          problem(
            `${pulumi.getProject()}:terraformState.outputs.${setting}`,
            name,
            `must name an output of Terraform state ${where}; it has: ${Object.keys(outputs).join(", ") || "none"}`,
          ),
        ]);
      }
      return String(outputs[name]);
    });
}

/**
 * One GitHub provider per owner of an app repository, each pinned to its owner, so no secret is
 * ever written into a same-named repository of another account. They take `github:token` and
 * `github:baseUrl` from the stack config when set, else `GITHUB_TOKEN` and `GITHUB_BASE_URL`.
 */
function githubProviders(owners: readonly string[]): Map<string, github.Provider> {
  const settings = new pulumi.Config("github");
  const token = settings.getSecret("token");
  const baseUrl = settings.get("baseUrl");
  const providers = new Map<string, github.Provider>();
  for (const owner of owners) {
    const key = owner.toLowerCase();
    if (!providers.has(key)) {
      providers.set(key, new github.Provider(`github-${key}`, { owner, token, baseUrl }));
    }
  }
  return providers;
}

/**
 * Apps the platform program declares between two turns of the event loop. A program's
 * registrations complete only once its synchronous code yields: declared in one loop, a stack's
 * every resource (its inputs, its promise chains, its stack trace) was held until the last app
 * was declared, and none reached the engine, or the policy pack's `Analyze`, before then.
 * Yielding every few apps lets each batch's registrations complete while the next is declared.
 * At 1,000 apps the offline plan's program ran in about a fifth less time and with under half
 * the memory (measured by `npm run bench`: offline plan and plan at scale). Every app's
 * arguments are checked before the first is declared ({@link readPlatformConfig}), so a bad
 * entry still stops the program before it registers anything.
 */
export const appsPerTurn = 10;

/**
 * The platform program: for this stack's environment, the account's GitHub OIDC provider (or
 * the existing one named by `githubOidcProviderArn`), one {@link TrustedDeliveryPipeline} per
 * entry of the `apps` config map, and, with `registryScanning: managed`, the account's registry
 * scanning configuration.
 */
export async function platform(): Promise<Record<string, unknown>> {
  const config = readPlatformConfig();
  const terraform = config.terraformState && terraformOutputs(config.terraformState);
  const fromTerraform = (setting: string) => {
    const output = config.terraformState?.outputs[setting];
    return output === undefined ? undefined : terraform!(setting, output);
  };
  const oidcProviderArn =
    config.githubOidcProviderArn ??
    fromTerraform("githubOidcProviderArn") ??
    new GitHubOidcProvider(
      "github-oidc",
      config.githubOidcIssuer === undefined ? {} : { issuer: config.githubOidcIssuer },
    ).arn;
  const apps = Object.entries(config.apps).map(([name, { entry }]): [string, AppConfig] => {
    const kmsKeyArn = fromTerraform(`apps.${name}.ecr.kmsKeyArn`);
    return [name, kmsKeyArn === undefined ? entry : { ...entry, ecr: { ...entry.ecr, kmsKeyArn } }];
  });
  const providers = githubProviders(
    Object.values(config.apps).map(({ settings }) => settings.github.owner),
  );

  const signingProfileArn = platformSigningProfile(config);
  const outputs: Record<string, AppOutputs> = {};
  for (const [index, [name, app]] of apps.entries()) {
    if (index > 0 && index % appsPerTurn === 0) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    const owner = config.apps[name].settings.github.owner.toLowerCase();
    const signs = config.apps[name].settings.ecr.signing;
    const pipeline = new TrustedDeliveryPipeline(
      name,
      pipelineArgsFor(
        config.environment,
        app,
        oidcProviderArn,
        signs ? signingProfileArn : undefined,
      ),
      {
        providers: { github: providers.get(owner)! },
      },
    );
    outputs[name] = { repositoryUrl: pipeline.repositoryUrl, roleArn: pipeline.roleArn };
  }
  if (config.registryScanning === RegistryScanning.Managed) {
    // Enhanced scanning (Amazon Inspector): continuous for the high-risk registries, on push
    // for every other repository of the account and region.
    new aws.ecr.RegistryScanningConfiguration("registry-scanning", {
      scanType: "ENHANCED",
      rules: registryScanningRules(
        Object.values(config.apps).map(({ settings }) => ({
          name: settings.repositoryName,
          risk: settings.metadata.risk,
        })),
      ).map((rule) => ({ ...rule, repositoryFilters: [...rule.repositoryFilters] })),
    });
  }
  return {
    environment: config.environment,
    githubOidcProviderArn: oidcProviderArn,
    ...(signingProfileArn !== undefined && { signingProfileArn }),
    apps: outputs,
  };
}

/**
 * The signing profile the stack's signed apps sign with: with `registrySigning: managed` (and
 * apps to sign), the environment's own AWS Signer profile and the registry's signing
 * configuration naming the signed repositories (ECR managed signing, through the AWS Cloud
 * Control provider: the AWS provider has no resource for it yet); unmanaged, the
 * `signingProfileArn` given (the config check requires it when apps sign).
 */
function platformSigningProfile(config: PlatformConfig): pulumi.Input<string> | undefined {
  const signed = signedApps(config.apps);
  if (config.registrySigning !== RegistrySigning.Managed || signed.length === 0) {
    return config.signingProfileArn;
  }
  const profile = new aws.signer.SigningProfile("image-signing", {
    name: signingProfileName(config.environment),
    platformId: imageSigningPlatformId,
    tags: { Environment: config.environment },
  });
  // Cloud Control needs its region: the stack's AWS region, as the AWS provider has it.
  const region = new pulumi.Config("aws").get("region");
  const provider =
    region === undefined
      ? undefined
      : new AwsNativeProvider("aws-native", { region: region as AwsNativeRegion });
  new awsNativeEcr.SigningConfiguration(
    "registry-signing",
    {
      rules: profile.arn.apply((arn) =>
        registrySigningRules(arn, signed).map((rule) => ({
          ...rule,
          repositoryFilters: [...rule.repositoryFilters],
        })),
      ),
    },
    { provider, dependsOn: [profile] },
  );
  return profile.arn;
}
