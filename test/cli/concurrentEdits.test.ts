import { strict as assert } from "assert";
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import YAML from "yaml";
import {
  lockFiles,
  lockPathOf,
  lockTimeoutSeconds,
  takeOverStaleLock,
} from "../../cli/workspace/fileLock";
import { repositoryRoot } from "../helpers/cli";
import { keepsEveryLine, snapshotTree, tempPlatformProject } from "../helpers/tempProject";
import { terraformFixtureDir } from "../helpers/fixtures";

const appsKey = "trusted-delivery-platform:apps";
const devFile = "programs/platform/Pulumi.dev.yaml";

interface Run {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Starts the CLI from its source, as `npm run trusted-delivery` does, without waiting: many
 * runs at once are what these tests are about. `preload` is a script required first (to play
 * an editor that saves the file mid-edit).
 */
function startCli(
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
  preload?: string,
): { child: ChildProcess; done: Promise<Run> } {
  const child = spawn(
    process.execPath,
    [
      "-r",
      "ts-node/register/transpile-only",
      ...(preload === undefined ? [] : ["-r", preload]),
      "cli/main.ts",
      ...args,
    ],
    {
      cwd: repositoryRoot,
      env: {
        ...process.env,
        CI: "true",
        TS_NODE_PROJECT: path.join(repositoryRoot, "tsconfig.json"),
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk) => (stdout += String(chunk)));
  child.stderr!.on("data", (chunk) => (stderr += String(chunk)));
  const done = new Promise<Run>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done };
}

function addApp(app: string, root: string, stacks = "dev", extra: readonly string[] = []) {
  return [
    "add-app",
    app,
    "--owner",
    `team-${app}`,
    "--github-repository",
    `acme/${app}`,
    "--stack",
    stacks,
    "--cwd",
    root,
    ...extra,
  ];
}

function appsIn(file: string): string[] {
  const config = YAML.parse(fs.readFileSync(file, "utf8")).config;
  return Object.keys(config[appsKey]).sort();
}

/** Lock, temporary and takeover files left beside the stack files: none, once a command ends. */
function leftovers(root: string): string[] {
  return fs
    .readdirSync(path.join(root, "programs/platform"))
    .filter((name) => /\.lock|\.tmp$|\.takeover$/.test(name));
}

/** A pid that no process has any more: a child that has ended. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", ""]);
  return child.pid!;
}

function lockText(holder: { pid: number; host?: string; command?: string; since?: string }) {
  return `${JSON.stringify({
    pid: holder.pid,
    host: holder.host ?? os.hostname(),
    command: holder.command ?? "trusted-delivery add-app other-app --stack dev",
    since: holder.since ?? "2026-12-01T09:00:00.000Z",
    nonce: "5eed",
  })}\n`;
}

/** A script that, once the command has staged `file`'s new content, saves `file` as an editor would. */
function editorSavingMidEdit(dir: string): string {
  const script = path.join(dir, "editor.js");
  fs.writeFileSync(
    script,
    [
      'const fs = require("fs");',
      'const path = require("path");',
      "const target = process.env.TD_TEST_EDITED_FILE;",
      "const writeFileSync = fs.writeFileSync;",
      "let saved = false;",
      "fs.writeFileSync = function (file, ...rest) {",
      "  const result = writeFileSync.call(this, file, ...rest);",
      "  const staging = `.${path.basename(target)}.`;",
      '  if (!saved && typeof file === "string" && path.basename(file).startsWith(staging)) {',
      "    saved = true;",
      '    fs.appendFileSync(target, "# saved by an editor\\n");',
      "  }",
      "  return result;",
      "};",
      "",
    ].join("\n"),
  );
  return script;
}

async function waitFor(what: string, condition: () => boolean, seconds = 120): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error(`gave up waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("concurrent edits: no command loses another's change", function () {
  this.timeout(300000);

  it("keeps every app, and every comment, when ten add-app runs edit two stacks at once, naming them in either order", async () => {
    const { root, stackFile } = tempPlatformProject();
    const before = {
      dev: fs.readFileSync(stackFile("dev"), "utf8"),
      staging: fs.readFileSync(stackFile("staging"), "utf8"),
    };
    const apps = Array.from({ length: 10 }, (_, i) => `app-${String(i).padStart(2, "0")}`);
    // Half lock dev then staging as asked, half staging then dev: sorted locks cannot deadlock.
    const runs = await Promise.all(
      apps.map(
        (app, i) =>
          startCli(addApp(app, root, i % 2 === 0 ? "dev,staging" : "staging,dev"), {
            TRUSTED_DELIVERY_LOCK_TIMEOUT: "240",
          }).done,
      ),
    );
    runs.forEach((run, i) => {
      assert.equal(run.stderr, "", apps[i]);
      assert.equal(run.code, 0, apps[i]);
      assert.match(run.stdout, new RegExp(`^Added ${apps[i]} to ${devFile}:$`, "m"));
    });
    for (const stack of ["dev", "staging"] as const) {
      const after = fs.readFileSync(stackFile(stack), "utf8");
      const kept = Object.keys(YAML.parse(before[stack]).config[appsKey]);
      assert.deepEqual(appsIn(stackFile(stack)), [...kept, ...apps].sort(), stack);
      assert.ok(keepsEveryLine(before[stack], after), `${stack} lost a line`);
    }
    assert.deepEqual(leftovers(root), []);
  });

  it("refuses, exit 1, to write a stack file an editor saved while add-app was editing it, and writes nothing", async () => {
    const { root, stackFile } = tempPlatformProject();
    const editor = editorSavingMidEdit(root);
    const before = snapshotTree(root);
    const run = await startCli(
      addApp("billing-api", root, "dev,staging"),
      { TD_TEST_EDITED_FILE: stackFile("staging") },
      editor,
    ).done;
    assert.equal(
      run.stderr,
      "error: programs/platform/Pulumi.staging.yaml changed while trusted-delivery was editing it (another command or an editor); nothing was written: run the command again\n",
    );
    assert.equal(run.code, 1);
    assert.equal(run.stdout, "");
    const staging = "programs/platform/Pulumi.staging.yaml";
    // The editor's save is kept; dev, staged as well, is as it was; nothing is left behind.
    assert.deepEqual(snapshotTree(root), {
      ...before,
      [staging]: `${before[staging]}# saved by an editor\n`,
    });
  });

  it("refuses, exit 1, to adopt into a stack file an editor saved meanwhile, writing neither it nor the import file", async () => {
    const { root, stackFile } = tempPlatformProject();
    const editor = editorSavingMidEdit(root);
    const before = snapshotTree(root);
    const run = await startCli(
      [
        "adopt-terraform",
        "--cwd",
        root,
        "--state",
        path.join(terraformFixtureDir, "terraform.tfstate"),
        "--tfvars",
        path.join(terraformFixtureDir, "terraform.tfvars"),
        "--stack",
        "dev",
        "--github-owner",
        "acme",
        "--import-file",
        path.join(root, "import.json"),
      ],
      { TD_TEST_EDITED_FILE: stackFile("dev") },
      editor,
    ).done;
    assert.equal(
      run.stderr,
      `error: ${devFile} changed while trusted-delivery was editing it (another command or an editor); nothing was written: run the command again\n`,
    );
    assert.equal(run.code, 1);
    assert.deepEqual(snapshotTree(root), {
      ...before,
      [devFile]: `${before[devFile]}# saved by an editor\n`,
    });
  });

  it("waits for a lock a running command holds, then gives up, exit 1, naming the holder and the lock to delete", async () => {
    const { root, stackFile } = tempPlatformProject();
    // This test's own process: alive, on this host.
    fs.writeFileSync(`${stackFile("dev")}.lock`, lockText({ pid: process.pid }));
    const before = snapshotTree(root);
    const run = await startCli(addApp("billing-api", root), {
      TRUSTED_DELIVERY_LOCK_TIMEOUT: "0.3",
    }).done;
    assert.equal(
      run.stderr,
      `error: ${devFile} is being edited by another trusted-delivery command: trusted-delivery add-app other-app --stack dev (pid ${process.pid} on ${os.hostname()}, since 2026-12-01T09:00:00.000Z); waited 0.3 s for it (TRUSTED_DELIVERY_LOCK_TIMEOUT sets how long), and wrote nothing. If no trusted-delivery command is running, delete ${devFile}.lock\n`,
    );
    assert.equal(run.code, 1);
    assert.equal(run.stdout, "");
    assert.deepEqual(snapshotTree(root), before);
  });

  it("takes the locks in one order whatever order the stacks are named in: waiting for dev, it holds none of staging", async () => {
    const { root, stackFile } = tempPlatformProject();
    fs.writeFileSync(`${stackFile("dev")}.lock`, lockText({ pid: process.pid }));
    const { done } = startCli(addApp("billing-api", root, "staging,dev"), {
      TRUSTED_DELIVERY_LOCK_TIMEOUT: "3",
    });
    let finished = false;
    let heldStaging = false;
    void done.then(() => (finished = true));
    while (!finished) {
      heldStaging ||= fs.existsSync(`${stackFile("staging")}.lock`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const run = await done;
    assert.match(run.stderr, /^error: programs\/platform\/Pulumi\.dev\.yaml is being edited by/);
    assert.equal(run.code, 1);
    // Holding staging while waiting for dev is how two commands deadlock.
    assert.equal(heldStaging, false);
  });

  it("waits for a lock of another host even when its pid runs nowhere here, and names it", async () => {
    const { root, stackFile } = tempPlatformProject();
    fs.writeFileSync(
      `${stackFile("dev")}.lock`,
      lockText({ pid: deadPid(), host: "build-agent-7", since: "2026-12-02T10:00:00.000Z" }),
    );
    const before = snapshotTree(root);
    const run = await startCli(addApp("billing-api", root), {
      TRUSTED_DELIVERY_LOCK_TIMEOUT: "0",
    }).done;
    assert.match(
      run.stderr,
      /^error: programs\/platform\/Pulumi\.dev\.yaml is being edited by another trusted-delivery command: trusted-delivery add-app other-app --stack dev \(pid \d+ on build-agent-7, since 2026-12-02T10:00:00\.000Z\); waited 0 s for it/,
    );
    assert.equal(run.code, 1);
    assert.deepEqual(snapshotTree(root), before);
  });

  it("refuses a TRUSTED_DELIVERY_LOCK_TIMEOUT that is not a number of seconds, exit 2, writing nothing", async () => {
    const { root } = tempPlatformProject();
    const before = snapshotTree(root);
    const run = await startCli(addApp("billing-api", root), {
      TRUSTED_DELIVERY_LOCK_TIMEOUT: "soon",
    }).done;
    assert.equal(
      run.stderr,
      `error: TRUSTED_DELIVERY_LOCK_TIMEOUT is "soon"; must be how many seconds to wait for another trusted-delivery command's lock, 0 or more, e.g. 30\n`,
    );
    assert.equal(run.code, 2);
    assert.deepEqual(snapshotTree(root), before);
  });

  it("takes over a lock left by a process that is gone, and removes it when done", async () => {
    const { root, stackFile } = tempPlatformProject();
    fs.writeFileSync(`${stackFile("dev")}.lock`, lockText({ pid: deadPid() }));
    const run = await startCli(addApp("billing-api", root), {
      TRUSTED_DELIVERY_LOCK_TIMEOUT: "0",
    }).done;
    assert.equal(run.stderr, "");
    assert.equal(run.code, 0);
    assert.ok(appsIn(stackFile("dev")).includes("billing-api"));
    assert.deepEqual(leftovers(root), []);
  });

  it("releases the locks of a refused add-app: the stack files are as they were, nothing beside them", async () => {
    const { root } = tempPlatformProject();
    const before = snapshotTree(root);
    // payments-api is in dev with other settings: refused without --force.
    const run = await startCli(addApp("payments-api", root, "dev,staging")).done;
    assert.match(
      run.stderr,
      /^error: payments-api is already in programs\/platform\/Pulumi\.dev\.yaml/,
    );
    assert.equal(run.code, 2);
    assert.deepEqual(snapshotTree(root), before);
  });

  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    it(`releases the locks it holds when a ${signal} stops it while it waits for another`, async () => {
      const { root, stackFile } = tempPlatformProject();
      // staging's lock is held by this (live) process: the command takes dev's, then waits.
      fs.writeFileSync(`${stackFile("staging")}.lock`, lockText({ pid: process.pid }));
      const { child, done } = startCli(addApp("billing-api", root, "dev,staging"), {
        TRUSTED_DELIVERY_LOCK_TIMEOUT: "240",
      });
      const devLock = `${stackFile("dev")}.lock`;
      const holdsDev = () => {
        try {
          return JSON.parse(fs.readFileSync(devLock, "utf8")).pid === child.pid;
        } catch {
          return false;
        }
      };
      await waitFor("the command to lock dev", holdsDev);
      child.kill(signal);
      const run = await done;
      assert.ok(!fs.existsSync(devLock), "dev's lock is left behind");
      // SIGTERM ends it as the signal would have; SIGINT as the CLI's own handler says (130).
      assert.ok(
        run.signal === signal || run.code === 130,
        `${run.code} ${run.signal} ${run.stderr}`,
      );
      assert.equal(
        fs.readFileSync(`${stackFile("staging")}.lock`, "utf8"),
        lockText({ pid: process.pid }),
      );
      assert.ok(!appsIn(stackFile("dev")).includes("billing-api"));
    });
  }
});

describe("file locks", function () {
  this.timeout(120000);

  function scratchFile(content = "config: {}\n"): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "td-lock-"));
    const file = path.join(dir, "Pulumi.dev.yaml");
    fs.writeFileSync(file, content);
    return file;
  }

  it("of two takers of one stale lock, only the first removes it: the second, judging the same stale lock, leaves the first's new lock alone", () => {
    const file = scratchFile();
    const lock = lockPathOf(file);
    const stale = lockText({ pid: deadPid() });
    fs.writeFileSync(lock, stale);
    // Both takers have read the stale lock. The first takes it over and locks the file.
    assert.equal(takeOverStaleLock(lock, stale), true);
    assert.ok(!fs.existsSync(lock));
    const first = lockText({ pid: process.pid, command: "the first taker" });
    fs.writeFileSync(lock, first, { flag: "wx" });
    // The second acts on what it read: it must not remove the first's live lock.
    assert.equal(takeOverStaleLock(lock, stale), false);
    assert.equal(fs.readFileSync(lock, "utf8"), first);
    assert.deepEqual(fs.readdirSync(path.dirname(file)).sort(), [
      "Pulumi.dev.yaml",
      "Pulumi.dev.yaml.lock",
    ]);
  });

  it("of eight processes taking over the same stale locks at the same moment, exactly one holds each", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "td-racers-"));
    const ready = path.join(dir, "ready");
    fs.mkdirSync(ready);
    // Many rounds, one file each, to give the takers many chances to interleave badly.
    const files = Array.from({ length: 200 }, (_, i) => path.join(dir, `Pulumi.s${i}.yaml`));
    const stale = lockText({ pid: deadPid() });
    files.forEach((file) => fs.writeFileSync(lockPathOf(file), stale));
    const racers = 8;
    // Each racer loads everything, says it is ready, and spins until all are: then they race
    // for every file in turn, keeping what they win until the others are done.
    const script = [
      'const fs = require("fs");',
      'const { lockFiles } = require("./cli/workspace/fileLock");',
      `const files = ${JSON.stringify(files)};`,
      `fs.writeFileSync(${JSON.stringify(ready)} + "/" + process.pid, "");`,
      `while (fs.readdirSync(${JSON.stringify(ready)}).length < ${racers}) {}`,
      "(async () => {",
      "  const won = [];",
      "  for (const [i, file] of files.entries()) {",
      '    try { await lockFiles([file], { timeoutSeconds: 0, command: "racer" }); won.push(i); }',
      '    catch (e) { if (e.name !== "LockTimeoutError") throw e; }',
      "  }",
      "  process.stdout.write(JSON.stringify(won));",
      `  fs.writeFileSync(${JSON.stringify(ready)} + "/" + process.pid + ".done", "");`,
      `  while (fs.readdirSync(${JSON.stringify(ready)}).length < ${2 * racers}) {`,
      "    await new Promise((resolve) => setTimeout(resolve, 20));",
      "  }",
      "})();",
    ].join("\n");
    const results = await Promise.all(
      Array.from({ length: racers }, () => {
        const child = spawn(
          process.execPath,
          ["-r", "ts-node/register/transpile-only", "-e", script],
          {
            cwd: repositoryRoot,
            env: { ...process.env, TS_NODE_PROJECT: path.join(repositoryRoot, "tsconfig.json") },
            stdio: ["ignore", "pipe", "inherit"],
          },
        );
        let out = "";
        child.stdout!.on("data", (chunk) => (out += String(chunk)));
        return new Promise<number[]>((resolve) =>
          child.on("close", () => resolve(JSON.parse(out || "[]"))),
        );
      }),
    );
    const winners = files.map((_, i) => results.filter((won) => won.includes(i)).length);
    assert.deepEqual(
      winners.flatMap((count, i) => (count === 1 ? [] : [`${path.basename(files[i])}: ${count}`])),
      [],
    );
    // Every lock was released when its racer ended; no claim was left.
    assert.deepEqual(fs.readdirSync(dir), ["ready"]);
  });

  it("takes one lock for every spelling of a file: beside the real file a symbolic link points to", async () => {
    const real = scratchFile();
    const link = path.join(path.dirname(real), "link.yaml");
    fs.symlinkSync(path.basename(real), link);
    assert.equal(lockPathOf(link), `${fs.realpathSync(real)}.lock`);
    const locks = await lockFiles([link], { timeoutSeconds: 0 });
    try {
      await assert.rejects(lockFiles([real], { timeoutSeconds: 0 }), {
        message: `${real} is locked twice by one process`,
      });
      assert.ok(fs.existsSync(`${real}.lock`));
      assert.ok(!fs.existsSync(`${link}.lock`));
    } finally {
      locks.release();
    }
    assert.ok(!fs.existsSync(`${real}.lock`));
  });

  it("waits 30 s unless TRUSTED_DELIVERY_LOCK_TIMEOUT says otherwise, in seconds", () => {
    assert.equal(lockTimeoutSeconds({}), 30);
    assert.equal(lockTimeoutSeconds({ TRUSTED_DELIVERY_LOCK_TIMEOUT: "" }), 30);
    assert.equal(lockTimeoutSeconds({ TRUSTED_DELIVERY_LOCK_TIMEOUT: "0" }), 0);
    assert.equal(lockTimeoutSeconds({ TRUSTED_DELIVERY_LOCK_TIMEOUT: " 2.5 " }), 2.5);
    for (const value of ["-1", "30s", "Infinity"]) {
      assert.throws(() => lockTimeoutSeconds({ TRUSTED_DELIVERY_LOCK_TIMEOUT: value }), {
        name: "UsageError",
        message: `TRUSTED_DELIVERY_LOCK_TIMEOUT is ${JSON.stringify(value)}; must be how many seconds to wait for another trusted-delivery command's lock, 0 or more, e.g. 30`,
      });
    }
  });
});
