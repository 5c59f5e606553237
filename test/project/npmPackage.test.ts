import { strict as assert } from "assert";
import { awsTypes } from "../../policy-pack/governance/typeTokens";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { builtPackage, repositoryRoot } from "../helpers/cli";
import { npm } from "../helpers/npm";

const manifest = JSON.parse(fs.readFileSync(path.join(repositoryRoot, "package.json"), "utf8"));
const tsc = require.resolve("typescript/bin/tsc");

/** Runs a consumer program under Pulumi's mocks, with the consumer project's own modules. */
const runUnderMocks = `
const pulumi = require("@pulumi/pulumi");
const registered = [];
pulumi.runtime.setMocks(
  {
    newResource(args) {
      if (args.type !== "pulumi:pulumi:Stack") {
        registered.push({ type: args.type, name: args.name, inputs: args.inputs });
      }
      const name = args.inputs.name ?? args.name;
      const arn = {
        "aws:iam/openIdConnectProvider:OpenIdConnectProvider":
          "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com",
        "aws:iam/role:Role": "arn:aws:iam::123456789012:role/" + name,
      }[args.type] ?? "arn:aws:ecr:eu-west-2:123456789012:repository/" + name;
      return {
        id: name,
        state: {
          ...args.inputs,
          arn,
          repositoryUrl: "123456789012.dkr.ecr.eu-west-2.amazonaws.com/" + name,
        },
      };
    },
    call: (args) => ({ ...args.inputs, name: "eu-west-2", region: "eu-west-2" }),
  },
  "consumer",
  "dev",
  true,
);
pulumi.runtime.setAllConfig({ "aws:region": "eu-west-2", "github:owner": "acme" });
pulumi.runtime
  .runInPulumiStack(async () => require(process.argv[2]))
  .finally(() => pulumi.runtime.disconnect())
  .then(
    () => process.stdout.write(JSON.stringify(registered)),
    (error) => {
      process.stderr.write(String(error.message ?? error));
      process.exitCode = 1;
    },
  );
`;

const typeScriptConsumer = `
import * as pulumi from "@pulumi/pulumi";
import {
  GitHubOidcProvider,
  RiskLevel,
  TrustedDeliveryPipeline,
  TrustedDeliveryPipelineArgs,
  riskTiers,
} from "@goldenpath/trusted-delivery";

const oidc = new GitHubOidcProvider("github-oidc");
const risk: RiskLevel = RiskLevel.High;
const args: TrustedDeliveryPipelineArgs = {
  environment: "dev",
  metadata: { id: "REGISTRY_PAYMENTS_API", owner: "team-payments", risk },
  github: { repository: "acme/payments-api", branches: ["main", "release/*"] },
  oidcProviderArn: oidc.arn,
  // High risk signs every image: the platform's AWS Signer profile.
  signingProfileArn: "arn:aws:signer:eu-west-2:123456789012:/signing-profiles/trusted_delivery_dev",
};
const pipeline = new TrustedDeliveryPipeline("payments-api", args);

export const repositoryUrl: pulumi.Output<string> = pipeline.repositoryUrl;
export const subjects: pulumi.Output<string[]> = pipeline.subjects;
export const keepImages: number = riskTiers[risk].keepImages;
`;

const javaScriptConsumer = `
const { TrustedDeliveryPipeline, InvalidArgumentsError } = require("@goldenpath/trusted-delivery");

try {
  new TrustedDeliveryPipeline("broken", {
    environment: "dev",
    metadata: { id: "web", owner: "team-web", risk: "low" },
    github: { repository: "acme/web-frontend" },
  });
  throw new Error("invalid arguments were accepted");
} catch (error) {
  if (!(error instanceof InvalidArgumentsError) || !/metadata\\.id is "web"/.test(error.message)) {
    throw error;
  }
}

const web = new TrustedDeliveryPipeline("web-frontend", {
  environment: "dev",
  metadata: { id: "REGISTRY_WEB_FRONTEND", owner: "team-web", risk: "low" },
  github: { repository: "acme/web-frontend" },
});
exports.repositoryUrl = web.repositoryUrl;
`;

interface Registered {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, any>;
}

describe("the npm package, installed from its tarball into a fresh project", function () {
  this.timeout(240000);
  let tarball: string;
  let files: string[];
  let consumer: string;
  let stage: string;

  before(() => {
    // Pack what `npm pack` packs (package.json's `files`) from a fresh build, then install the
    // tarball as a user would: dependencies come from the registry (or npm's cache), not from
    // this repository.
    stage = fs.mkdtempSync(path.join(os.tmpdir(), "td-pack-"));
    fs.cpSync(path.join(builtPackage(), "dist"), path.join(stage, "dist"), { recursive: true });
    for (const file of ["package.json", "README.md", "CHANGELOG.md", "LICENSE", "NOTICE"]) {
      fs.copyFileSync(path.join(repositoryRoot, file), path.join(stage, file));
    }
    const [packed] = JSON.parse(
      npm(["pack", "--ignore-scripts", "--json", "--pack-destination", stage], stage),
    );
    tarball = path.join(stage, packed.filename);
    files = packed.files.map((f: { path: string }) => f.path).sort();

    consumer = fs.mkdtempSync(path.join(os.tmpdir(), "td-consumer-"));
    fs.writeFileSync(
      path.join(consumer, "package.json"),
      JSON.stringify({ name: "consumer", private: true }),
    );
    npm(["install", tarball, "--prefer-offline", "--no-package-lock"], consumer);
    fs.writeFileSync(path.join(consumer, "run-under-mocks.js"), runUnderMocks);
  });

  after(() => {
    for (const dir of [stage, consumer]) {
      if (dir) {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }
  });

  function runConsumer(program: string): Registered[] {
    const result = spawnSync(process.execPath, ["run-under-mocks.js", program], {
      cwd: consumer,
      encoding: "utf8",
    });
    assert.equal(result.status, 0, result.stderr);
    return JSON.parse(result.stdout);
  }

  it("holds exactly the compiled package: no sources, tests or fixtures", () => {
    const unexpected = files.filter(
      (file) =>
        !["package.json", "README.md", "CHANGELOG.md", "LICENSE", "NOTICE"].includes(file) &&
        !/^dist\/(components|cli|programs|policy-pack)\/.+\.(js|d\.ts)$/.test(file),
    );
    assert.deepEqual(unexpected, []);
    for (const entry of [manifest.main, manifest.types, manifest.bin["trusted-delivery"]]) {
      assert.ok(files.includes(entry), `${entry} is not in the tarball`);
    }
    assert.ok(!files.some((f) => /test|fixture|\.test\./.test(f)));
  });

  it("carries the Apache-2.0 license text and the NOTICE its license asks for", () => {
    assert.ok(files.includes("LICENSE") && files.includes("NOTICE"), files.join(", "));
    const installed = path.join(consumer, "node_modules/@goldenpath/trusted-delivery");
    const license = fs.readFileSync(path.join(installed, "LICENSE"), "utf8");
    assert.match(license, /Apache License\s+Version 2\.0, January 2004/);
    assert.match(license, /END OF TERMS AND CONDITIONS/);
    assert.equal(manifest.license, "Apache-2.0");
    // The escalation paths are pathfinding.cloud's (Apache-2.0, with a NOTICE to keep).
    const notice = fs.readFileSync(path.join(installed, "NOTICE"), "utf8");
    assert.match(notice, /Copyright 2025-Present Datadog, Inc\./);
  });

  it("resolves its dependencies from the consumer's node_modules", () => {
    const resolved = execFileSync(
      process.execPath,
      [
        "-p",
        'require.resolve("@pulumi/aws", { paths: [require.resolve("@goldenpath/trusted-delivery")] })',
      ],
      { cwd: consumer, encoding: "utf8" },
    );
    assert.ok(resolved.startsWith(fs.realpathSync(consumer)), resolved);
  });

  it("compiles a TypeScript consumer under strict, checking the package's declarations", () => {
    fs.writeFileSync(path.join(consumer, "index.ts"), typeScriptConsumer);
    fs.writeFileSync(
      path.join(consumer, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          skipLibCheck: false,
          target: "ES2020",
          module: "commonjs",
          moduleResolution: "node",
          outDir: "bin",
        },
        files: ["index.ts"],
      }),
    );
    const result = spawnSync(process.execPath, [tsc, "-p", "."], {
      cwd: consumer,
      encoding: "utf8",
    });
    assert.equal(result.status, 0, result.stdout);

    const registered = runConsumer("./bin/index.js");
    assert.deepEqual(
      registered.map((r) => `${r.type} ${r.name}`).sort(),
      [
        "trusted-delivery:index:GitHubOidcProvider github-oidc",
        "aws:iam/openIdConnectProvider:OpenIdConnectProvider github-oidc",
        "trusted-delivery:index:TrustedDeliveryPipeline payments-api",
        "aws:ecr/repository:Repository payments-api-repository",
        "aws:ecr/lifecyclePolicy:LifecyclePolicy payments-api-lifecycle",
        "aws:iam/role:Role payments-api-push-role",
        "aws:iam/rolePolicy:RolePolicy payments-api-push-policy",
        "github:index/actionsSecret:ActionsSecret payments-api-role-secret",
        "github:index/actionsVariable:ActionsVariable payments-api-repository-url",
        "github:index/actionsVariable:ActionsVariable payments-api-signing-profile",
        "github:index/actionsVariable:ActionsVariable payments-api-region",
      ].sort(),
    );
    const repository = registered.find((r) => r.type === awsTypes.ecrRepository)!;
    assert.equal(repository.inputs.imageTagMutability, "IMMUTABLE");
    assert.equal(repository.inputs.encryptionConfigurations[0].encryptionType, "KMS");
  });

  it("runs a plain JavaScript consumer with require, refusing bad arguments by name", () => {
    fs.writeFileSync(path.join(consumer, "consumer.js"), javaScriptConsumer);
    const registered = runConsumer("./consumer.js");
    assert.ok(!registered.some((r) => r.name.startsWith("broken")));
    const repository = registered.find((r) => r.type === awsTypes.ecrRepository)!;
    assert.equal(repository.name, "web-frontend-repository");
    assert.equal(repository.inputs.imageTagMutability, "MUTABLE");
    assert.deepEqual(registered.filter((r) => r.type === awsTypes.iamOidcProvider).length, 1);
  });

  it("installs the trusted-delivery command", () => {
    const result = spawnSync(
      path.join(consumer, "node_modules/.bin/trusted-delivery"),
      ["--help"],
      { cwd: consumer, encoding: "utf8" },
    );
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^Usage: trusted-delivery <command> \[options\]$/m);
  });

  it("runs the audit with its dependencies alone: the policies load without @pulumi/policy", () => {
    assert.ok(!fs.existsSync(path.join(consumer, "node_modules/@pulumi/policy")));
    // Nothing answers on port 9: the audit loads every module, then stops at the first call.
    const result = spawnSync(
      path.join(consumer, "node_modules/.bin/trusted-delivery"),
      ["audit", "--region", "eu-west-2"],
      {
        cwd: consumer,
        encoding: "utf8",
        env: {
          ...process.env,
          AWS_ENDPOINT_URL: "http://127.0.0.1:9",
          AWS_ACCESS_KEY_ID: "testing",
          AWS_SECRET_ACCESS_KEY: "testing",
          AWS_MAX_ATTEMPTS: "1",
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
        },
      },
    );
    // Exit 3: AWS could not be reached, which is not a finding (exit 1).
    assert.equal(result.status, 3, result.stderr);
    assert.match(
      result.stderr,
      /^error: could not read the account's identity \(sts:GetCallerIdentity\): ECONNREFUSED: /m,
    );
  });
});
