import { createHash } from "crypto";
import * as fs from "fs";
import * as pulumi from "@pulumi/pulumi";

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

/** A short, stable stand-in for the random suffix a provider appends to auto-named resources. */
function autoname(name: string): string {
  return `${name}-${createHash("sha256").update(name).digest("hex").slice(0, 7)}`;
}

function str(value: unknown, fallback: string): string {
  return typeof value === "string" ? value : fallback;
}

/**
 * Pulumi mocks that answer like the AWS and GitHub providers do: ARNs, URLs and ids derived
 * from the inputs the way AWS derives them, so what the plan prints (and what tests assert)
 * looks like what `pulumi up` shows. An import ID becomes the resource's ID.
 */
export class OfflineMocks implements pulumi.runtime.Mocks {
  constructor(
    readonly account: OfflineAccount,
    readonly terraformOutputs: TerraformOutputs = {},
  ) {}

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
      case "aws:ecr/repository:Repository": {
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
      case "aws:ecr/lifecyclePolicy:LifecyclePolicy":
        id = str(inputs.repository, args.name);
        state = { ...inputs, region: regionOf, registryId: accountId };
        break;
      case "aws:iam/role:Role": {
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
      case "aws:iam/rolePolicy:RolePolicy": {
        const name = str(inputs.name, autoname(args.name));
        id = `${str(inputs.role, "role")}:${name}`;
        state = { ...inputs, name };
        break;
      }
      case "aws:iam/openIdConnectProvider:OpenIdConnectProvider": {
        const issuer = str(inputs.url, "").replace(/^https:\/\//, "");
        id = `arn:${partition}:iam::${accountId}:oidc-provider/${issuer}`;
        state = withTags({ ...inputs, arn: id });
        break;
      }
      case "github:index/actionsSecret:ActionsSecret":
      case "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret":
        id = [inputs.repository, inputs.environment, inputs.secretName].filter(Boolean).join(":");
        state = { ...inputs };
        break;
      case "github:index/actionsVariable:ActionsVariable":
      case "github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable":
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
      case "aws:index/getCallerIdentity:getCallerIdentity":
        return {
          accountId,
          arn: `arn:${partition}:iam::${accountId}:user/offline`,
          userId: "AIDAOFFLINE",
          id: accountId,
        };
      case "aws:index/getRegion:getRegion":
        return { name: region, region, id: region, endpoint: `ec2.${region}.amazonaws.com` };
      case "aws:index/getPartition:getPartition":
        return { partition, dnsSuffix: "amazonaws.com", id: partition };
      case "terraform:state:getLocalReference": {
        // As the provider does: the state file's outputs, read from disk.
        const file = String(args.inputs.path ?? "terraform.tfstate");
        const state = JSON.parse(fs.readFileSync(file, "utf8"));
        return { outputs: terraformOutputValues(state.outputs ?? {}) };
      }
      case "terraform:state:getS3Reference": {
        const location = `s3://${args.inputs.bucket}/${args.inputs.key}`;
        const outputs = this.terraformOutputs[location] ?? this.terraformOutputs["*"];
        if (outputs === undefined) {
          throw new Error(
            `the offline run cannot read the Terraform state ${location}: give its outputs (terraform output -json) with --terraform-outputs`,
          );
        }
        return { outputs: terraformOutputValues(outputs) };
      }
      default:
        throw new Error(`the offline run cannot answer ${args.token}: it needs the real provider`);
    }
  }
}
