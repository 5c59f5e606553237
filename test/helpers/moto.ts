import { ChildProcess, spawn, spawnSync } from "child_process";
import * as http from "http";
import * as net from "net";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/** The account moto's resources live in: the fixtures' (test/fixtures/terraform/goldenpath-dev). */
export const motoAccount = "123456789012";
export const motoRegion = "eu-west-2";

/** What installs moto's server where it is missing. */
export const motoInstall = "python3 -m pip install 'moto[server]'";

export interface MotoServer {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  /** The environment that points the AWS SDK (and the CLI) at it, with dummy credentials. */
  readonly env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

/** Fails, with the command that installs it, when Python 3 or moto's server is missing. */
export function requireMoto(): void {
  const probe = spawnSync("python3", ["-c", "import moto, moto.server, flask"], {
    encoding: "utf8",
  });
  if (probe.error !== undefined || probe.status !== 0) {
    throw new Error(
      `these tests need Python 3 with moto's server (a local AWS API): ${motoInstall}\n${probe.error?.message ?? probe.stderr}`,
    );
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function answers(endpoint: string): Promise<boolean> {
  return new Promise((resolve) => {
    const request = http.get(`${endpoint}/moto-api/`, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.on("error", () => resolve(false));
    request.setTimeout(1000, () => {
      request.destroy();
      resolve(false);
    });
  });
}

/** The SDK's environment for an endpoint: its region, dummy credentials, no profile files. */
export function awsEnv(endpoint: string): NodeJS.ProcessEnv {
  return {
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: "testing",
    AWS_SECRET_ACCESS_KEY: "testing",
    AWS_SESSION_TOKEN: "testing",
    AWS_REGION: motoRegion,
    AWS_PROFILE: "",
    AWS_CONFIG_FILE: "/dev/null",
    AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
    AWS_EC2_METADATA_DISABLED: "true",
    // Retries of moto's 500s (not implemented) wait little: the SDK's backoff still applies.
    AWS_MAX_ATTEMPTS: "2",
    // The SDK's notice that its releases from 2027 need Node.js 22: not what these tests read.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  };
}

/**
 * Starts moto's server on a free loopback port (account 123456789012, AWS managed policies
 * loaded) and waits until it answers; `stop` ends it. Fails with the install command when moto
 * is missing, never skipping. With `multipleAccounts`, moto is not pinned to one account
 * (`MOTO_ACCOUNT_ID` unset): credentials of a role assumed in another account act there, as an
 * Organization's members do (managed policies are then not loaded).
 */
export async function startMoto(
  options: { readonly multipleAccounts?: boolean } = {},
): Promise<MotoServer> {
  requireMoto();
  const env: NodeJS.ProcessEnv = options.multipleAccounts
    ? { ...process.env }
    : { ...process.env, MOTO_ACCOUNT_ID: motoAccount, MOTO_IAM_LOAD_MANAGED_POLICIES: "true" };
  if (options.multipleAccounts) {
    delete env.MOTO_ACCOUNT_ID;
  }
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const endpoint = `http://127.0.0.1:${port}`;
    // moto logs every request on stderr: to a file, never to a pipe of this process, which a
    // test blocks while it runs the CLI synchronously (a full pipe would stop moto mid-request).
    const log = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "td-moto-")), "stderr.log");
    const logFd = fs.openSync(log, "w");
    const child: ChildProcess = spawn(
      "python3",
      ["-m", "moto.server", "-H", "127.0.0.1", "-p", String(port)],
      { env, stdio: ["ignore", "ignore", logFd] },
    );
    fs.closeSync(logFd);
    const stderrTail = () => {
      try {
        return fs.readFileSync(log, "utf8").slice(-4000);
      } catch {
        return "";
      }
    };
    let exited = false;
    child.on("exit", () => {
      exited = true;
    });
    const deadline = Date.now() + 30000;
    while (!exited && Date.now() < deadline && !(await answers(endpoint))) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const stop = () =>
      new Promise<void>((resolve) => {
        if (exited) {
          resolve();
          return;
        }
        child.once("exit", () => {
          fs.rmSync(path.dirname(log), { recursive: true, force: true });
          resolve();
        });
        child.kill("SIGTERM");
      });
    if (!exited && (await answers(endpoint))) {
      return { endpoint, env: awsEnv(endpoint), stop };
    }
    await stop();
    // Another process may have taken the port between the probe and moto's start: try again.
    if (attempt === 3) {
      throw new Error(`moto's server did not start on ${endpoint}:\n${stderrTail()}`);
    }
  }
}

/** Empties moto (every service, every account and region), so that each test starts afresh. */
export function resetMoto(endpoint: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = http.request(`${endpoint}/moto-api/reset`, { method: "POST" }, (response) => {
      response.resume();
      response.on("end", () =>
        response.statusCode === 200
          ? resolve()
          : reject(new Error(`moto's reset answered HTTP ${response.statusCode}`)),
      );
    });
    request.on("error", reject);
    request.end();
  });
}
