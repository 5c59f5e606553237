import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { ComponentProvider, getPulumiComponents } from "@pulumi/pulumi/provider/experimental";
import { GitHubOidcProvider, TrustedDeliveryPipeline } from "../../components";
import { ofType, runProgram } from "../helpers/offline";
import { awsTypes, githubTypes } from "../../policy-pack/governance/typeTokens";

const root = path.join(__dirname, "../..");
const manifest = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));

/**
 * The provider exactly as Pulumi's Node.js plugin host builds it for `pulumi package add`
 * (`@pulumi/pulumi/cmd/run-plugin`): the components the entry module exports, named after
 * package.json's name without its scope, which becomes the namespace.
 */
function componentProvider(): ComponentProvider {
  // The host requires the package directory; from a checkout that is the source entry (the
  // built `dist/` is what npm consumers get, and is tested with the npm package).
  const components = getPulumiComponents(require(path.join(root, "index")));
  const [, scope, name] = /^(@.*?\/)?(.+)$/.exec(manifest.name)!;
  return new ComponentProvider({
    components,
    dirname: root,
    name: name.replace(/[^-a-zA-Z0-9_]/g, "-"),
    namespace: scope?.slice(1, -1),
  });
}

interface SchemaProperty {
  type?: string;
  $ref?: string;
  items?: SchemaProperty;
  additionalProperties?: SchemaProperty;
  description?: string;
  plain?: boolean;
}

/** A property's type as one short string: `string`, `string[]`, `map<string>`, `#Type`, `aws:...`. */
function typeOf(property: SchemaProperty): string {
  if (property.$ref) {
    const local = /^#\/types\/trusted-delivery:index:(.+)$/.exec(property.$ref);
    if (local) {
      return `#${local[1]}`;
    }
    return decodeURIComponent(property.$ref.replace(/^.*#\/resources\//, ""));
  }
  if (property.type === "array") {
    return `${typeOf(property.items!)}[]`;
  }
  if (property.type === "object" && property.additionalProperties) {
    return `map<${typeOf(property.additionalProperties)}>`;
  }
  return property.type!;
}

function shape(properties: Record<string, SchemaProperty>): Record<string, string> {
  return Object.fromEntries(Object.entries(properties).map(([k, p]) => [k, typeOf(p)]));
}

function undocumented(properties: Record<string, SchemaProperty>): string[] {
  return Object.entries(properties)
    .filter(([, p]) => !p.description?.trim())
    .map(([k]) => k);
}

describe("the component package for other languages", function () {
  this.timeout(120000);
  let schema: any;

  before(async () => {
    schema = JSON.parse(await componentProvider().getSchema());
  });

  it("declares itself a Node.js source-based plugin beside the platform program", () => {
    const plugin = parseYaml(fs.readFileSync(path.join(root, "PulumiPlugin.yaml"), "utf8"));
    assert.deepEqual(plugin, { runtime: "nodejs" });
    // `pulumi package add` installs the plugin's dependencies with npm, which builds it.
    assert.equal(manifest.scripts.prepare, "npm run build");
  });

  it("names the package and its resources with the type tokens the classes register", () => {
    assert.equal(schema.name, "trusted-delivery");
    assert.equal(schema.namespace, "goldenpath");
    assert.equal(schema.version, manifest.version);
    assert.deepEqual(Object.keys(schema.resources).sort(), [
      GitHubOidcProvider.typeToken,
      TrustedDeliveryPipeline.typeToken,
    ]);
    for (const resource of Object.values<any>(schema.resources)) {
      assert.equal(resource.isComponent, true);
    }
    assert.match(
      schema.resources[TrustedDeliveryPipeline.typeToken].description,
      /^Everything an application repository on GitHub needs/,
    );
    assert.match(
      schema.resources[GitHubOidcProvider.typeToken].description,
      /^The account's IAM OIDC provider for GitHub Actions/,
    );
    assert.deepEqual(
      schema.dependencies.map((d: any) => d.name),
      ["aws", "github"],
    );
  });

  it("infers every input of TrustedDeliveryPipeline with its type, requiredness and docs", () => {
    const pipeline = schema.resources[TrustedDeliveryPipeline.typeToken];
    assert.deepEqual(shape(pipeline.inputProperties), {
      repositoryName: "string",
      environment: "string",
      metadata: "#RegistryMetadata",
      github: "#GitHubRepositoryAccess",
      oidcProviderArn: "string",
      signingProfileArn: "string",
      ecr: "#EcrSettings",
      tagPrefix: "string",
      tags: "map<string>",
      importIds: "#PipelineImportIds",
      role: "#PushRoleSettings",
      trustPolicyMaxLength: "number",
    });
    assert.deepEqual(pipeline.requiredInputs.sort(), ["environment", "github", "metadata"]);
    assert.deepEqual(undocumented(pipeline.inputProperties), []);
    // Only the provider's and the signing profile's ARNs may be other resources' outputs; the
    // rest is validated up front.
    assert.deepEqual(
      Object.keys(pipeline.inputProperties).filter((k) => !pipeline.inputProperties[k].plain),
      ["oidcProviderArn", "signingProfileArn"],
    );
    assert.match(
      pipeline.inputProperties.environment.description,
      /^The environment this stack deploys/,
    );
  });

  it("infers every output of TrustedDeliveryPipeline, child resources as references", () => {
    const pipeline = schema.resources[TrustedDeliveryPipeline.typeToken];
    assert.deepEqual(shape(pipeline.properties), {
      repositoryName: "string",
      repositoryUrl: "string",
      repositoryArn: "string",
      roleArn: "string",
      roleName: "string",
      oidcProviderArn: "string",
      githubRepository: "string",
      secretName: "string",
      repositoryUrlVariableName: "string",
      regionVariableName: "string",
      subjects: "string[]",
      metadata: "#RegistryMetadata",
      readers: "string[]",
      signingProfileArn: "string",
      repository: awsTypes.ecrRepository,
      lifecyclePolicy: awsTypes.ecrLifecyclePolicy,
      repositoryPolicy: awsTypes.ecrRepositoryPolicy,
      oidcProvider: awsTypes.iamOidcProvider,
      role: awsTypes.iamRole,
      pushPolicy: awsTypes.iamRolePolicy,
      roleSecret: githubTypes.actionsSecret,
      environments: "map<github:index/repositoryEnvironment:RepositoryEnvironment>",
      environmentSecrets: "map<github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret>",
      workflowFile: githubTypes.repositoryFile,
      oidcSubjectTemplate:
        "github:index/actionsRepositoryOidcSubjectClaimCustomizationTemplate:ActionsRepositoryOidcSubjectClaimCustomizationTemplate",
      repositoryUrlVariable: githubTypes.actionsVariable,
      regionVariable: githubTypes.actionsVariable,
      signingProfileVariable: githubTypes.actionsVariable,
    });
    assert.deepEqual(
      Object.keys(pipeline.properties).filter((k) => !pipeline.required.includes(k)),
      [
        "repositoryPolicy",
        "oidcProvider",
        "roleSecret",
        "workflowFile",
        "oidcSubjectTemplate",
        "signingProfileVariable",
        "signingProfileArn",
      ],
    );
    assert.deepEqual(undocumented(pipeline.properties), []);
  });

  it("infers GitHubOidcProvider's inputs and outputs", () => {
    const provider = schema.resources[GitHubOidcProvider.typeToken];
    assert.deepEqual(shape(provider.inputProperties), {
      issuer: "string",
      tags: "map<string>",
      protect: "boolean",
    });
    assert.deepEqual(provider.requiredInputs, []);
    assert.deepEqual(shape(provider.properties), {
      arn: "string",
      url: "string",
      issuer: "string",
      provider: awsTypes.iamOidcProvider,
    });
    assert.deepEqual(undocumented(provider.inputProperties), []);
    assert.deepEqual(undocumented(provider.properties), []);
  });

  it("describes the argument types, and the risk tiers as enums", () => {
    const type = (name: string) => schema.types[`trusted-delivery:index:${name}`];
    assert.deepEqual(shape(type("RegistryMetadata").properties), {
      id: "string",
      owner: "string",
      risk: "#RiskLevel",
      description: "string",
    });
    assert.deepEqual(type("RegistryMetadata").required.sort(), ["id", "owner", "risk"]);
    assert.deepEqual(shape(type("GitHubRepositoryAccess").properties), {
      repository: "string",
      branches: "string[]",
      tags: "string[]",
      environments: "string[]",
      environmentProtection: "#EnvironmentProtection",
      commitWorkflow: "boolean",
      attestations: "boolean",
      vulnerabilityGate: "#VulnerabilitySeverity",
      registryFindingsGate: "#VulnerabilitySeverity",
      secretName: "string",
      variableNames: "#GitHubVariableNames",
      ownerId: "number",
      repositoryId: "number",
      trust: "#GitHubTrust",
      workflows: "#ReusableWorkflow[]",
    });
    assert.deepEqual(type("GitHubRepositoryAccess").required, ["repository"]);
    assert.deepEqual(shape(type("EcrSettings").properties), {
      imageTagMutability: "#TagMutabilitySetting",
      imageTagMutabilityExclusionFilters: "string[]",
      encryption: "#EncryptionType",
      kmsKeyArn: "string",
      keepImages: "number",
      retention: "#RetentionOverrides",
      forceDelete: "boolean",
      protect: "boolean",
      pull: "#PullAccess",
      signing: "boolean",
    });
    assert.deepEqual(shape(type("ReusableWorkflow").properties), {
      repository: "string",
      path: "string",
      ref: "string",
    });
    assert.deepEqual(shape(type("PushRoleSettings").properties), {
      permissionsBoundary: "string",
      maxSessionDuration: "number",
      path: "string",
    });
    for (const [name, values] of Object.entries({
      RiskLevel: ["low", "medium", "high"],
      TagMutabilitySetting: [
        "MUTABLE",
        "IMMUTABLE",
        "IMMUTABLE_WITH_EXCLUSION",
        "MUTABLE_WITH_EXCLUSION",
      ],
      EncryptionType: ["AES256", "KMS"],
      VulnerabilitySeverity: ["UNKNOWN", "LOW", "MEDIUM", "HIGH", "CRITICAL"],
      GitHubTrust: ["name", "id"],
    })) {
      assert.equal(type(name).type, "string");
      assert.deepEqual(
        type(name).enum.map((e: any) => e.value),
        values,
      );
    }
    // The SDK's schema keeps the docs of properties and enum values (not of types).
    for (const [token, definition] of Object.entries<any>(schema.types)) {
      assert.deepEqual(undocumented(definition.properties ?? {}), [], token);
      for (const value of definition.enum ?? []) {
        assert.ok(value.description, `${token} ${value.value} has no description`);
      }
    }
  });

  it("constructs a pipeline from a remote call with its children and the schema's outputs", async () => {
    const provider = componentProvider();
    let state: Record<string, unknown> = {};
    const run = await runProgram(async () => {
      const result = await provider.construct(
        "payments-api",
        TrustedDeliveryPipeline.typeToken,
        {
          environment: "dev",
          metadata: { id: "REGISTRY_PAYMENTS_API", owner: "team-payments", risk: "high" },
          github: { repository: "acme/payments-api" },
          oidcProviderArn:
            "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com",
          signingProfileArn:
            "arn:aws:signer:eu-west-2:123456789012:/signing-profiles/trusted_delivery_dev",
        },
        {},
      );
      state = result.state as Record<string, unknown>;
    });
    const pipeline = ofType(run, TrustedDeliveryPipeline.typeToken);
    assert.equal(pipeline.length, 1);
    const children = run.resources
      .filter((r) => r.parent === pipeline[0].urn)
      .map((r) => `${r.type} ${r.name}`)
      .sort();
    assert.deepEqual(children, [
      "aws:ecr/lifecyclePolicy:LifecyclePolicy payments-api-lifecycle",
      "aws:ecr/repository:Repository payments-api-repository",
      "aws:iam/role:Role payments-api-push-role",
      "aws:iam/rolePolicy:RolePolicy payments-api-push-policy",
      "github:index/actionsSecret:ActionsSecret payments-api-role-secret",
      "github:index/actionsVariable:ActionsVariable payments-api-region",
      "github:index/actionsVariable:ActionsVariable payments-api-repository-url",
      "github:index/actionsVariable:ActionsVariable payments-api-signing-profile",
    ]);
    const repository = ofType(run, awsTypes.ecrRepository)[0];
    assert.equal(repository.inputs.imageTagMutability, "IMMUTABLE");
    assert.equal(repository.inputs.tags["goldenpath.idp/risk"], "high");
    assert.deepEqual(
      Object.keys(state).sort(),
      Object.keys(schema.resources[TrustedDeliveryPipeline.typeToken].properties).sort(),
    );
  });

  it("refuses a remote call with invalid inputs, naming the field", async () => {
    const provider = componentProvider();
    await assert.rejects(
      runProgram(() =>
        provider.construct(
          "payments-api",
          TrustedDeliveryPipeline.typeToken,
          {
            environment: "dev",
            metadata: { id: "payments", owner: "team-payments", risk: "severe" },
            github: { repository: "acme/payments-api" },
          },
          {},
        ),
      ),
      (error: Error) =>
        /metadata\.id is "payments"/.test(error.message) &&
        /metadata\.risk is "severe"/.test(error.message),
    );
  });
});
