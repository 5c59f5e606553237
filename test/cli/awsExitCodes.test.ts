import { strict as assert } from "assert";
import * as http from "http";
import * as net from "net";
import * as path from "path";
import { auditExitCode, AuditReport } from "../../cli/audit/audit";
import { readActions } from "../../cli/aws/readOnlyCalls";
import { Unread } from "../../cli/aws/unread";
import { exitCodes } from "../../cli/core/exitCodes";
import { AwsProxy, startAwsProxy } from "../helpers/awsProxy";
import { builtPackage, CliResult, runCliAsync } from "../helpers/cli";
import { terraformFixtureDir } from "../helpers/fixtures";
import { registrySigningRules, signingProfileName } from "../../components/registrySigning";
import { createLegacySystem, createPlatformApp, platformApp } from "../helpers/liveAccount";
import { awsEnv, motoAccount, MotoServer, resetMoto, startMoto } from "../helpers/moto";
import { snapshotTree, tempPlatformProject } from "../helpers/tempProject";

const stateFile = path.join(terraformFixtureDir, "terraform.tfstate");
const region = "eu-west-2";

/** A loopback port nothing listens on: every AWS call there is refused. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * In front of `target`, answers the ECR calls moto does not implement as an account without
 * any of them would (empty lists), and the registry's signing configuration (moto has no ECR
 * managed signing) as the platform program sets it for its app (a recorded response of the API
 * reference's shape), and forwards every other request: an account the audit can read whole.
 */
async function completingMoto(
  target: string,
): Promise<{ endpoint: string; stop(): Promise<void> }> {
  const upstream = new URL(target);
  const answers: Readonly<Record<string, unknown>> = {
    DescribeRepositoryCreationTemplates: {
      registryId: motoAccount,
      repositoryCreationTemplates: [],
    },
    DescribePullThroughCacheRules: { pullThroughCacheRules: [] },
    GetSigningConfiguration: {
      registryId: motoAccount,
      signingConfiguration: {
        rules: registrySigningRules(
          `arn:aws:signer:${region}:${motoAccount}:/signing-profiles/${signingProfileName(platformApp.environment)}`,
          [platformApp.repository],
        ),
      },
    },
  };
  const server = http.createServer((request, response) => {
    const target = String(request.headers["x-amz-target"] ?? "");
    const operation = target.slice(target.lastIndexOf(".") + 1);
    if (Object.hasOwn(answers, operation)) {
      request.resume();
      response.writeHead(200, { "content-type": "application/x-amz-json-1.1" });
      response.end(JSON.stringify(answers[operation]));
      return;
    }
    const forwarded = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: request.method,
        path: request.url,
        headers: request.headers,
      },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    request.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** moto that checks credentials as AWS does: the tests' dummy keys are no user's. */
async function startStrictMoto(): Promise<MotoServer> {
  const saved = process.env.INITIAL_NO_AUTH_ACTION_COUNT;
  process.env.INITIAL_NO_AUTH_ACTION_COUNT = "0";
  try {
    return await startMoto();
  } finally {
    if (saved === undefined) {
      delete process.env.INITIAL_NO_AUTH_ACTION_COUNT;
    } else {
      process.env.INITIAL_NO_AUTH_ACTION_COUNT = saved;
    }
  }
}

function json(result: CliResult): any {
  assert.doesNotThrow(() => JSON.parse(result.stdout), result.stderr);
  return JSON.parse(result.stdout);
}

describe("exit codes of the commands that read AWS: 3 when AWS could not be reached or read", function () {
  this.timeout(300000);
  let moto: MotoServer;
  let proxy: AwsProxy;

  /** The three commands that read AWS, in a fresh project, on `endpoint`. */
  const commands = (endpoint: string) => {
    const env = awsEnv(endpoint);
    const { root } = tempPlatformProject();
    return {
      root,
      audit: (args: string[] = []) => runCliAsync(["audit", "--region", region, ...args], { env }),
      adoptAws: (args: string[] = ["--registry", "staging-api", "--github-owner", "acme"]) =>
        runCliAsync(["adopt-aws", "--cwd", root, "--stack", "dev", ...args], { env }),
      verifyLive: () =>
        runCliAsync(
          [
            "adopt-terraform",
            "--cwd",
            root,
            "--state",
            stateFile,
            "--stack",
            "dev",
            "--github-owner",
            "acme",
            "--verify-live",
          ],
          { env },
        ),
    };
  };

  before(async () => {
    builtPackage();
    moto = await startMoto();
    proxy = await startAwsProxy(moto.endpoint);
  });

  after(async () => {
    await proxy?.stop();
    await moto?.stop();
  });

  beforeEach(async () => {
    await resetMoto(moto.endpoint);
    await createLegacySystem(moto.endpoint);
    proxy.actions.length = 0;
    proxy.deny.clear();
  });

  it("is 3 for audit, adopt-aws and adopt-terraform --verify-live when nothing answers, and nothing is written", async () => {
    const run = commands(`http://127.0.0.1:${await closedPort()}`);
    const before = snapshotTree(run.root);
    for (const result of await Promise.all([run.audit(), run.adoptAws(), run.verifyLive()])) {
      assert.equal(result.code, exitCodes.aws, result.stderr);
      assert.equal(result.stdout, "");
      assert.match(
        result.stderr,
        /^error: could not read the account's identity \(sts:GetCallerIdentity\): ECONNREFUSED: connect ECONNREFUSED 127\.0\.0\.1:\d+; nothing was read: check the credentials the AWS SDK finds \(AWS_PROFILE, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or a role\) and that AWS can be reached\n$/,
      );
    }
    assert.deepEqual(snapshotTree(run.root), before);
  });

  it("is 3 for all three when AWS refuses the credentials", async () => {
    const strict = await startStrictMoto();
    try {
      const run = commands(strict.endpoint);
      for (const result of await Promise.all([run.audit(), run.adoptAws(), run.verifyLive()])) {
        assert.equal(result.code, exitCodes.aws, result.stderr);
        assert.equal(
          result.stderr,
          "error: could not read the account's identity (sts:GetCallerIdentity): InvalidClientTokenId (HTTP 403): The security token included in the request is invalid.; nothing was read: check the credentials the AWS SDK finds (AWS_PROFILE, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or a role) and that AWS can be reached\n",
        );
      }
    } finally {
      await strict.stop();
    }
  });

  it("is 3 for all three when the credentials may read nothing but whose they are", async () => {
    for (const action of readActions().filter((a) => a !== "sts:GetCallerIdentity")) {
      proxy.deny.add(action);
    }
    const run = commands(proxy.endpoint);
    const before = snapshotTree(run.root);
    const denied = (action: string) =>
      action.startsWith("ecr:")
        ? `AccessDeniedException (HTTP 400): User: arn:aws:sts::123456789012:assumed-role/audit/ci is not authorized to perform: ${action} because no identity-based policy allows the ${action} action`
        : `AccessDenied (HTTP 403): User: arn:aws:sts::123456789012:assumed-role/audit/ci is not authorized to perform: ${action} because no identity-based policy allows the ${action} action`;
    const remedy =
      "Let the credentials read them (trusted-delivery audit --print-permissions prints the calls).";

    const audit = await run.audit();
    assert.equal(audit.code, exitCodes.aws, audit.stderr);
    assert.equal(audit.stdout, "");
    assert.equal(
      audit.stderr,
      [
        `auditing account ${motoAccount} (arn:aws:sts::${motoAccount}:user/moto) in ${region}`,
        `error: could not read anything of account ${motoAccount} in ${region} but the caller's identity (arn:aws:sts::${motoAccount}:user/moto); nothing was judged or written:`,
        ...[
          ["ECR repositories", "ecr:DescribeRepositories"],
          ["the ECR registry scanning configuration", "ecr:GetRegistryScanningConfiguration"],
          ["the ECR registry policy", "ecr:GetRegistryPolicy"],
          ["the ECR replication configuration", "ecr:DescribeRegistry"],
          ["ECR repository creation templates", "ecr:DescribeRepositoryCreationTemplates"],
          ["ECR pull-through cache rules", "ecr:DescribePullThroughCacheRules"],
        ].map(
          ([what, action]) =>
            `  - ${what} in ${region} could not be read (${action}: ${denied(action)})`,
        ),
        ...[
          ["IAM OIDC providers", "iam:ListOpenIDConnectProviders"],
          ["IAM roles", "iam:ListRoles"],
        ].map(([what, action]) => `  - ${what} could not be read (${action}: ${denied(action)})`),
        remedy,
        "",
      ].join("\n"),
    );

    const adopt = await run.adoptAws();
    assert.equal(adopt.code, exitCodes.aws, adopt.stderr);
    assert.equal(
      adopt.stderr,
      [
        `error: could not read what adoption compares from account ${motoAccount} in ${region}; nothing was judged or written:`,
        `  - staging-api: ECR repositories could not be read (ecr:DescribeRepositories: ${denied("ecr:DescribeRepositories")})`,
        remedy,
        "",
      ].join("\n"),
    );
    const candidates = await run.adoptAws(["--github-owner", "acme"]);
    assert.equal(candidates.code, exitCodes.aws, candidates.stderr);
    assert.match(candidates.stderr, /^ {2}- the repositories: ECR repositories could not be read/m);

    const verify = await run.verifyLive();
    assert.equal(verify.code, exitCodes.aws, verify.stderr);
    assert.equal(
      verify.stderr,
      [
        `error: ${stateFile} could not be verified against account ${motoAccount} in ${region} (--verify-live): none of its registries could be read; nothing was judged or written:`,
        ...["staging-api", "test-app-dev", "wordpress-platform"].map(
          (name) =>
            `  - ${name}: ECR repositories could not be read (ecr:DescribeRepositories: ${denied("ecr:DescribeRepositories")})`,
        ),
        remedy,
        "",
      ].join("\n"),
    );
    assert.deepEqual(snapshotTree(run.root), before);
  });

  it("is 1, not 3, when some reads are denied and others answer: what was read is judged, the rest reported", async () => {
    proxy.deny.add("iam:ListRoles");
    const run = commands(proxy.endpoint);
    const audit = await run.audit(["--format", "json"]);
    assert.equal(audit.code, exitCodes.findings, audit.stderr);
    const report = json(audit);
    assert.ok(report.couldNotRead.some((u: any) => u.action === "iam:ListRoles"));
    assert.ok(report.findings.some((f: any) => f.policy === "ecr-scan-on-push"));

    proxy.deny.clear();
    proxy.deny.add("ecr:GetLifecyclePolicy");
    const verify = await run.verifyLive();
    assert.equal(verify.code, exitCodes.findings, verify.stderr);
    assert.match(verify.stderr, /could not be verified against account/);
  });

  it("is still 1 for the audit's mandatory findings", async () => {
    const result = await commands(moto.endpoint).audit(["--format", "json"]);
    assert.equal(result.code, exitCodes.findings, result.stderr);
    assert.ok(json(result).findings.some((f: any) => f.level === "mandatory"));
  });

  describe("on an account the audit can read whole", () => {
    let completing: Awaited<ReturnType<typeof completingMoto>>;

    before(async () => {
      completing = await completingMoto(proxy.endpoint);
    });

    after(async () => {
      await completing?.stop();
    });

    beforeEach(async () => {
      // Only what the platform program creates for one app: nothing mandatory to find.
      await resetMoto(moto.endpoint);
      await createPlatformApp(moto.endpoint);
    });

    it("is 0 only when everything was read and judged and nothing mandatory found", async () => {
      const result = await commands(completing.endpoint).audit(["--format", "json"]);
      const report = json(result);
      assert.deepEqual(report.couldNotRead, []);
      assert.deepEqual(report.notJudged, []);
      assert.ok(!report.findings.some((f: any) => f.level === "mandatory"));
      assert.equal(result.code, exitCodes.ok, result.stderr);
    });

    it("is 1, never 0, when a part could not be read, though nothing read breaks a mandatory policy", async () => {
      // Needs cli/commands/audit.ts to return auditExitCode(report).
      proxy.deny.add("iam:ListOpenIDConnectProviders");
      const result = await commands(completing.endpoint).audit();
      assert.equal(result.code, exitCodes.findings, result.stderr);
      assert.ok(
        result.stdout.endsWith(
          "none mandatory; but what could not be read or judged is not proven compliant, so the audit does not pass.\n",
        ),
        result.stdout,
      );
      assert.match(
        result.stdout,
        /\nCould not read \(never taken as compliant\):\n {2}IAM OIDC providers \(iam:ListOpenIDConnectProviders: AccessDenied/,
      );
    });
  });
});

describe("the audit's exit code", () => {
  const report = (parts: Partial<AuditReport>) =>
    ({ findings: [], couldNotRead: [], notJudged: [], ...parts }) as unknown as AuditReport;
  const finding = (enforcementLevel: string) => ({ enforcementLevel }) as never;

  it("is 1 for a mandatory finding, or anything not read or not judged, whatever the levels; else 0", () => {
    assert.equal(auditExitCode(report({})), exitCodes.ok);
    assert.equal(auditExitCode(report({ findings: [finding("advisory")] })), exitCodes.ok);
    assert.equal(auditExitCode(report({ findings: [finding("mandatory")] })), exitCodes.findings);
    assert.equal(
      auditExitCode(report({ couldNotRead: [new Unread("iam:ListRoles", "AccessDenied")] })),
      exitCodes.findings,
    );
    assert.equal(
      auditExitCode(
        report({ notJudged: [{ policyName: "ecr-scan-on-push", reason: "x" }] as never }),
      ),
      exitCodes.findings,
    );
  });
});
