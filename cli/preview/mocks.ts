import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { InvalidInputError, UsageError } from "../core/errors";
import { isPlainObject, problem } from "../../components/problems";
import { githubIdentityFunctions } from "../../components/githubIdentity";
import { GitHubIds } from "../../components/githubTrust";
import { fileSystemReason } from "../workspace/fileWrites";
import {
  awsFunctions,
  awsTypes,
  githubTypes,
  terraformFunctions,
} from "../../policy-pack/governance/typeTokens";

/** The account and region the offline run pretends to deploy into. */
export interface OfflineAccount {
  readonly accountId: string;
  readonly region: string;
  readonly partition: string;
  /** The AWS provider's `defaultTags.tags`, merged into `tagsAll` as AWS would. */
  readonly defaultTags: Readonly<Record<string, string>>;
}

export const placeholderAccountId = "123456789012";

/**
 * Terraform outputs for state references the offline run cannot reach (S3), by location
 * (`s3://<bucket>/<key>`, or `*` for any), as `terraform output -json` prints them.
 */
export type TerraformOutputs = Readonly<Record<string, Readonly<Record<string, unknown>>>>;

/** Output values from `terraform output -json` or a state file's `outputs` (`{ name: { value } }`). */
export function terraformOutputValues(outputs: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(outputs).map(([name, output]) => [
      name,
      typeof output === "object" && output !== null && "value" in output
        ? (output as { value: unknown }).value
        : output,
    ]),
  );
}

type State = Record<string, unknown>;

/** Where the config the program reads comes from, so that mock failures name it. */
export interface OfflineConfigSource {
  /** What holds the config, e.g. `Stack "dev" config (programs/platform/Pulumi.dev.yaml)`. */
  readonly subject: string;
  /** The key naming a local Terraform state, and its value as written (a path relative to the project). */
  readonly localStatePath?: { readonly key: string; readonly value: string };
}

/** A short, stable stand-in for the random suffix a provider appends to auto-named resources. */
function autoname(name: string): string {
  return `${name}-${createHash("sha256").update(name).digest("hex").slice(0, 7)}`;
}

/** A stable positive stand-in for a GitHub id, from the name it belongs to (at most 9 digits). */
function fakeGitHubId(kind: string, name: string): number {
  const digest = createHash("sha256").update(`${kind}:${name.toLowerCase()}`).digest("hex");
  return 100_000_000 + (parseInt(digest.slice(0, 8), 16) % 900_000_000);
}

/**
 * The ids the offline run gives a repository and its owner in place of GitHub's: stable, and
 * derived from the names alone (GitHub compares names without case, so these do too).
 */
export function offlineGitHubIds(repository: string): GitHubIds {
  const [owner] = repository.split("/");
  return {
    ownerId: fakeGitHubId("owner", owner),
    repositoryId: fakeGitHubId("repository", repository),
  };
}

/** The plan's note that a repository's ids are the offline run's, not GitHub's. */
export function mockedGitHubIdsNote(repository: string): string {
  const { ownerId, repositoryId } = offlineGitHubIds(repository);
  return `GitHub ids of ${repository} are mocked (owner ${ownerId}, repository ${repositoryId}): the offline run reads nothing from GitHub, so the trust policy above pins stand-ins; pulumi up reads the real ids with the GitHub provider`;
}

function str(value: unknown, fallback: string): string {
  return typeof value === "string" ? value : fallback;
}

/**
 * A signing profile as AWS Signer answers: its name (Signer names take `_`, not `-`), its ARN
 * `arn:<partition>:signer:<region>:<account>:/signing-profiles/<name>`, its first version.
 */
function signingProfileState(
  inputs: State,
  resourceName: string,
  where: OfflineAccount & { readonly regionOf: string },
): { id: string; state: State } {
  const name = str(inputs.name, autoname(resourceName).replace(/-/g, "_"));
  const arn = `arn:${where.partition}:signer:${where.regionOf}:${where.accountId}:/signing-profiles/${name}`;
  return { id: name, state: { ...inputs, name, arn, version: "1", versionArn: `${arn}/1` } };
}

/**
 * Pulumi mocks that answer like the AWS and GitHub providers do: ARNs, URLs and ids derived
 * from the inputs the way AWS derives them, so what the plan prints (and what tests assert)
 * looks like what `pulumi up` shows. An import ID becomes the resource's ID.
 */
export class OfflineMocks implements pulumi.runtime.Mocks {
  /**
   * What the mocks refused, as the errors to report: the SDK passes only a failed call's message
   * on to the program, so the run's own error is less telling than these.
   */
  readonly failures: Error[] = [];
  /** Repositories whose GitHub ids the run has mocked, each noted once in the plan's log. */
  private readonly mockedRepositories = new Set<string>();

  constructor(
    readonly account: OfflineAccount,
    readonly terraformOutputs: TerraformOutputs = {},
    readonly source: OfflineConfigSource = { subject: "The offline run's config" },
  ) {}

  /** Fails the current call with `error`, as a provider fails an invoke: the program sees its message. */
  private fail(error: Error): never {
    this.failures.push(error);
    // The SDK makes a failed invoke's error from the gRPC status details.
    throw Object.assign(new Error(error.message), { details: error.message });
  }

  /**
   * A local Terraform state's outputs, as the terraform provider reads them; refuses, naming the
   * config key and the path as written, a file that is missing or is not Terraform state.
   */
  private localStateOutputs(file: string): Record<string, unknown> {
    const written = this.source.localStatePath;
    const shown =
      written !== undefined && path.resolve(written.value) === path.resolve(file)
        ? written.value
        : file;
    let reason: string | undefined;
    let state: unknown;
    try {
      state = JSON.parse(fs.readFileSync(file, "utf8"));
      if (!isPlainObject(state)) {
        reason = "it holds JSON, but not an object";
      } else if (!isPlainObject(state.outputs)) {
        reason = 'it has no "outputs" map';
      }
    } catch (e) {
      reason = e instanceof SyntaxError ? "it is not JSON" : fileSystemReason(e, false);
    }
    if (reason !== undefined) {
      this.fail(
        new InvalidInputError(this.source.subject, [
          problem(
            written?.key ?? "terraformState.path",
            shown,
            `must be a Terraform state file (JSON with an "outputs" map, as terraform state pull writes it): ${reason}`,
          ),
        ]),
      );
    }
    return (state as { outputs: Record<string, unknown> }).outputs;
  }

  /**
   * The GitHub provider's answers about a repository and its owner, with the stand-in ids of
   * {@link offlineGitHubIds}; the first answer about a repository puts a warning in the plan
   * saying its ids are mocked (under mocks, pulumi.log writes to the console, which the offline
   * run keeps as the plan's log).
   */
  private githubIdentity(token: string, inputs: Record<string, unknown>): Record<string, unknown> {
    if (token === githubIdentityFunctions.getUser) {
      const login = String(inputs.username ?? "");
      const { ownerId } = offlineGitHubIds(`${login}/`);
      return { id: String(ownerId), login, nodeId: `U_${ownerId}` };
    }
    const repository = String(inputs.fullName ?? inputs.name ?? "");
    const { repositoryId } = offlineGitHubIds(repository);
    if (!this.mockedRepositories.has(repository.toLowerCase())) {
      this.mockedRepositories.add(repository.toLowerCase());
      void pulumi.log.warn(mockedGitHubIdsNote(repository));
    }
    return {
      id: repository.split("/")[1] ?? repository,
      fullName: repository,
      name: repository.split("/")[1] ?? repository,
      repoId: repositoryId,
      nodeId: `R_${repositoryId}`,
    };
  }

  newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
    const { accountId, region, partition } = this.account;
    const inputs: State = args.inputs ?? {};
    const regionOf = str(inputs.region, region);
    const withTags = (state: State): State =>
      "tags" in inputs || Object.keys(this.account.defaultTags).length > 0
        ? { ...state, tagsAll: { ...this.account.defaultTags, ...((inputs.tags as object) ?? {}) } }
        : state;
    let id: string;
    let state: State;
    switch (args.type) {
      case awsTypes.ecrRepository: {
        const name = str(inputs.name, autoname(args.name));
        id = name;
        state = withTags({
          ...inputs,
          name,
          region: regionOf,
          arn: `arn:${partition}:ecr:${regionOf}:${accountId}:repository/${name}`,
          registryId: accountId,
          repositoryUrl: `${accountId}.dkr.ecr.${regionOf}.amazonaws.com/${name}`,
        });
        break;
      }
      case awsTypes.ecrLifecyclePolicy:
        id = str(inputs.repository, args.name);
        state = { ...inputs, region: regionOf, registryId: accountId };
        break;
      case awsTypes.iamRole: {
        const name = str(inputs.name, autoname(args.name));
        id = name;
        state = withTags({
          ...inputs,
          name,
          arn: `arn:${partition}:iam::${accountId}:role${str(inputs.path, "/")}${name}`,
          uniqueId: `AROA${createHash("sha256").update(name).digest("hex").slice(0, 17).toUpperCase()}`,
        });
        break;
      }
      case awsTypes.iamRolePolicy: {
        const name = str(inputs.name, autoname(args.name));
        id = `${str(inputs.role, "role")}:${name}`;
        state = { ...inputs, name };
        break;
      }
      case awsTypes.iamPolicy: {
        // A policy's ARN carries its path, as a role's does: a role's permissions boundary may
        // name it, and the pack links the two by it.
        const name = str(inputs.name, autoname(args.name));
        id = `arn:${partition}:iam::${accountId}:policy${str(inputs.path, "/")}${name}`;
        state = withTags({ ...inputs, name, arn: id });
        break;
      }
      case awsTypes.iamOidcProvider: {
        const issuer = str(inputs.url, "").replace(/^https:\/\//, "");
        id = `arn:${partition}:iam::${accountId}:oidc-provider/${issuer}`;
        state = withTags({ ...inputs, arn: id });
        break;
      }
      case awsTypes.signerSigningProfile:
        ({ id, state } = signingProfileState(inputs, args.name, { ...this.account, regionOf }));
        state = withTags(state);
        break;
      case githubTypes.actionsSecret:
      case githubTypes.actionsEnvironmentSecret:
        id = [inputs.repository, inputs.environment, inputs.secretName].filter(Boolean).join(":");
        state = { ...inputs };
        break;
      case githubTypes.actionsVariable:
      case githubTypes.actionsEnvironmentVariable:
        id = [inputs.repository, inputs.environment, inputs.variableName].filter(Boolean).join(":");
        state = { ...inputs };
        break;
      default:
        id = `${args.name}-id`;
        state = { ...inputs };
    }
    return { id: args.id || id, state };
  }

  call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
    const { accountId, region, partition } = this.account;
    switch (args.token) {
      case awsFunctions.getCallerIdentity:
        return {
          accountId,
          arn: `arn:${partition}:iam::${accountId}:user/offline`,
          userId: "AIDAOFFLINE",
          id: accountId,
        };
      case awsFunctions.getRegion:
        return { name: region, region, id: region, endpoint: `ec2.${region}.amazonaws.com` };
      case awsFunctions.getPartition:
        return { partition, dnsSuffix: "amazonaws.com", id: partition };
      case githubIdentityFunctions.getRepository:
      case githubIdentityFunctions.getUser:
        return this.githubIdentity(args.token, args.inputs);
      case terraformFunctions.getLocalReference: {
        // As the provider does: the state file's outputs, read from disk.
        const file = String(args.inputs.path ?? "terraform.tfstate");
        return { outputs: terraformOutputValues(this.localStateOutputs(file)) };
      }
      case "terraform:state:getS3Reference": {
        const location = `s3://${args.inputs.bucket}/${args.inputs.key}`;
        const outputs = this.terraformOutputs[location] ?? this.terraformOutputs["*"];
        if (outputs === undefined) {
          this.fail(
            new UsageError(
              `the offline run cannot read the Terraform state ${location}: give its outputs (terraform output -json) with --terraform-outputs`,
            ),
          );
        }
        return { outputs: terraformOutputValues(outputs) };
      }
      default:
        this.fail(
          new UsageError(`the offline run cannot answer ${args.token}: it needs the real provider`),
        );
    }
  }
}
