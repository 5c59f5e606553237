import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  ChangedWhileEditingError,
  editFilesLocked,
  FileWriteError,
  unwritableTargetProblem,
  writeFilesAtomically,
} from "../../cli/workspace/fileWrites";
import { repositoryRoot } from "../helpers/cli";
import { requireBindingPermissions, unprivilegedPrefix } from "../helpers/unprivileged";

function scratchDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "td-writes-"));
}

/** Every file in a directory, with its bytes: what a failed write must leave as it was. */
function contents(dir: string): Record<string, string> {
  return Object.fromEntries(
    fs
      .readdirSync(dir)
      .sort()
      .map((name) => {
        const file = path.join(dir, name);
        return [
          name,
          fs.statSync(file).isDirectory() ? "(directory)" : fs.readFileSync(file, "latin1"),
        ];
      }),
  );
}

/** Runs writeFilesAtomically in a child process bound by file permissions (even for root). */
function writeUnprivileged(files: { path: string; content: string }[]): {
  code: number | null;
  stderr: string;
} {
  const script = [
    "try {",
    '  require("./cli/workspace/fileWrites").writeFilesAtomically(JSON.parse(process.argv[1]));',
    "} catch (e) {",
    "  process.stderr.write(`${e.name}: ${e.message}`);",
    "  process.exit(3);",
    "}",
  ].join("\n");
  const command = [
    ...unprivilegedPrefix()!,
    process.execPath,
    "-r",
    "ts-node/register/transpile-only",
    "-e",
    script,
    JSON.stringify(files),
  ];
  const result = spawnSync(command[0], command.slice(1), {
    cwd: repositoryRoot,
    encoding: "utf8",
    env: { ...process.env, TS_NODE_PROJECT: path.join(repositoryRoot, "tsconfig.json") },
  });
  return { code: result.status, stderr: result.stderr };
}

describe("writing files all or nothing", function () {
  this.timeout(60000);

  it("writes every file, new or existing, and keeps an existing file's permissions", () => {
    const dir = scratchDir();
    const existing = path.join(dir, "Pulumi.dev.yaml");
    fs.writeFileSync(existing, "config: {}\n", { mode: 0o600 });
    fs.chmodSync(existing, 0o600);
    const created = path.join(dir, "import.json");
    writeFilesAtomically([
      { path: existing, content: "config:\n  aws:region: eu-west-2\n" },
      { path: created, content: "{}\n" },
    ]);
    assert.deepEqual(contents(dir), {
      "Pulumi.dev.yaml": "config:\n  aws:region: eu-west-2\n",
      "import.json": "{}\n",
    });
    assert.equal(fs.statSync(existing).mode & 0o777, 0o600);
  });

  it("writes through a symbolic link, leaving the link in place", () => {
    const dir = scratchDir();
    fs.writeFileSync(path.join(dir, "real.yaml"), "old\n");
    fs.symlinkSync("real.yaml", path.join(dir, "link.yaml"));
    writeFilesAtomically([{ path: path.join(dir, "link.yaml"), content: "new\n" }]);
    assert.equal(fs.readlinkSync(path.join(dir, "link.yaml")), "real.yaml");
    assert.equal(fs.readFileSync(path.join(dir, "real.yaml"), "utf8"), "new\n");
  });

  it("changes no file when one target is in a read-only directory, and leaves no temporary file", function () {
    requireBindingPermissions(this);
    const dir = scratchDir();
    const writable = path.join(dir, "stacks");
    const readOnly = path.join(dir, "read-only");
    fs.mkdirSync(writable);
    fs.mkdirSync(readOnly);
    fs.writeFileSync(path.join(writable, "Pulumi.dev.yaml"), "config: {}\n");
    fs.writeFileSync(path.join(writable, "Pulumi.staging.yaml"), "config: {}\n");
    fs.writeFileSync(path.join(readOnly, "kept.json"), "[]\n");
    fs.chmodSync(readOnly, 0o555);
    const before = { stacks: contents(writable), readOnly: contents(readOnly) };
    const result = writeUnprivileged([
      { path: path.join(writable, "Pulumi.dev.yaml"), content: "config: {a: 1}\n" },
      { path: path.join(writable, "Pulumi.staging.yaml"), content: "config: {a: 2}\n" },
      { path: path.join(readOnly, "import.json"), content: "{}\n" },
    ]);
    fs.chmodSync(readOnly, 0o755);
    assert.equal(
      result.stderr,
      `FileWriteError: cannot write ${path.join(readOnly, "import.json")}: permission denied; nothing was written`,
    );
    assert.equal(result.code, 3);
    assert.deepEqual({ stacks: contents(writable), readOnly: contents(readOnly) }, before);
  });

  it("puts back every file already renamed when a later one cannot be, and removes files it created", () => {
    const dir = scratchDir();
    fs.writeFileSync(path.join(dir, "first.yaml"), "first: old\n");
    fs.mkdirSync(path.join(dir, "a-directory"));
    fs.writeFileSync(path.join(dir, "a-directory", "inside"), "x");
    const before = contents(dir);
    assert.throws(
      () =>
        writeFilesAtomically([
          { path: path.join(dir, "first.yaml"), content: "first: new\n" },
          { path: path.join(dir, "second.json"), content: "{}\n" },
          { path: path.join(dir, "a-directory"), content: "not a directory\n", display: "third" },
        ]),
      (e: unknown) => {
        assert.ok(e instanceof FileWriteError);
        assert.equal(e.message, "cannot write third: it is a directory; nothing was written");
        return true;
      },
    );
    assert.deepEqual(contents(dir), before);
  });

  it("refuses a target whose directory does not exist, before writing the others", () => {
    const dir = scratchDir();
    fs.writeFileSync(path.join(dir, "first.yaml"), "first: old\n");
    assert.throws(
      () =>
        writeFilesAtomically([
          { path: path.join(dir, "first.yaml"), content: "first: new\n" },
          {
            path: path.join(dir, "missing", "import.json"),
            content: "{}\n",
            display: "missing/import.json",
          },
        ]),
      {
        message:
          "cannot write missing/import.json: its directory does not exist; nothing was written",
      },
    );
    assert.deepEqual(contents(dir), { "first.yaml": "first: old\n" });
  });
});

describe("writing files only if they hold what the command read", function () {
  this.timeout(60000);

  const changed = (file: string) =>
    `${file} changed while trusted-delivery was editing it (another command or an editor); nothing was written: run the command again`;

  it("writes a file that still holds what was read, and a new file that still does not exist", () => {
    const dir = scratchDir();
    const stack = path.join(dir, "Pulumi.dev.yaml");
    fs.writeFileSync(stack, "config: {}\n");
    writeFilesAtomically([
      { path: stack, content: "config: {a: 1}\n", expected: "config: {}\n" },
      { path: path.join(dir, "import.json"), content: "{}\n", expected: null },
    ]);
    assert.deepEqual(contents(dir), {
      "Pulumi.dev.yaml": "config: {a: 1}\n",
      "import.json": "{}\n",
    });
  });

  it("refuses, exit 1, every file when one changed since it was read, leaving no temporary file", () => {
    const dir = scratchDir();
    fs.writeFileSync(path.join(dir, "Pulumi.dev.yaml"), "config: {}\n");
    fs.writeFileSync(path.join(dir, "Pulumi.staging.yaml"), "config: {b: 2} # saved meanwhile\n");
    const before = contents(dir);
    assert.throws(
      () =>
        writeFilesAtomically([
          {
            path: path.join(dir, "Pulumi.dev.yaml"),
            content: "config: {a: 1}\n",
            expected: "config: {}\n",
          },
          {
            path: path.join(dir, "Pulumi.staging.yaml"),
            content: "config: {a: 1}\n",
            display: "Pulumi.staging.yaml",
            expected: "config: {}\n",
          },
        ]),
      (e: unknown) => {
        assert.ok(e instanceof ChangedWhileEditingError);
        assert.equal(e.message, changed("Pulumi.staging.yaml"));
        assert.equal(e.exitCode, 1);
        return true;
      },
    );
    assert.deepEqual(contents(dir), before);
  });

  it("refuses a file that was to be new but now exists, and one that was read but is gone", () => {
    const dir = scratchDir();
    fs.writeFileSync(path.join(dir, "import.json"), "[]\n");
    assert.throws(
      () =>
        writeFilesAtomically([
          { path: path.join(dir, "import.json"), content: "{}\n", expected: null },
        ]),
      { message: changed(path.join(dir, "import.json")) },
    );
    assert.throws(
      () =>
        writeFilesAtomically([
          { path: path.join(dir, "gone.yaml"), content: "config: {}\n", expected: "config: {}\n" },
        ]),
      { message: changed(path.join(dir, "gone.yaml")) },
    );
    assert.deepEqual(contents(dir), { "import.json": "[]\n" });
  });

  it("checks after staging every file: a save while the new content is being written is caught", () => {
    const dir = scratchDir();
    const stack = path.join(dir, "Pulumi.dev.yaml");
    fs.writeFileSync(stack, "config: {}\n");
    // The editor saves the file just as its new content is staged beside it.
    const realFs: typeof fs = require("fs");
    const writeFileSync = realFs.writeFileSync;
    realFs.writeFileSync = ((file: fs.PathOrFileDescriptor, ...rest: unknown[]) => {
      (writeFileSync as (...args: unknown[]) => void)(file, ...rest);
      if (typeof file === "string" && file.endsWith(".tmp")) {
        realFs.appendFileSync(stack, "# saved\n");
      }
    }) as typeof fs.writeFileSync;
    try {
      assert.throws(
        () =>
          writeFilesAtomically([
            { path: stack, content: "config: {a: 1}\n", expected: "config: {}\n" },
          ]),
        { message: changed(stack) },
      );
    } finally {
      realFs.writeFileSync = writeFileSync;
    }
    assert.deepEqual(contents(dir), { "Pulumi.dev.yaml": "config: {}\n# saved\n" });
  });
});

describe("editing files under their locks", function () {
  this.timeout(60000);

  it("holds the lock of every file while the edit reads and writes, and removes it after", async () => {
    const dir = scratchDir();
    const stack = path.join(dir, "Pulumi.dev.yaml");
    fs.writeFileSync(stack, "config: {}\n");
    const result = await editFilesLocked([{ path: stack, display: "Pulumi.dev.yaml" }], () => {
      assert.deepEqual(Object.keys(contents(dir)), ["Pulumi.dev.yaml", "Pulumi.dev.yaml.lock"]);
      const lock = JSON.parse(fs.readFileSync(`${stack}.lock`, "utf8"));
      assert.deepEqual(Object.keys(lock), ["pid", "host", "command", "since", "nonce"]);
      assert.equal(lock.pid, process.pid);
      assert.equal(lock.host, os.hostname());
      assert.match(lock.command, /^trusted-delivery( |$)/);
      const read = fs.readFileSync(stack, "utf8");
      return {
        writes: [{ path: stack, content: "config: {a: 1}\n", expected: read }],
        result: "done",
      };
    });
    assert.equal(result, "done");
    assert.deepEqual(contents(dir), { "Pulumi.dev.yaml": "config: {a: 1}\n" });
  });

  it("releases the locks when the edit fails, and when the file changed meanwhile", async () => {
    const dir = scratchDir();
    const stack = path.join(dir, "Pulumi.dev.yaml");
    fs.writeFileSync(stack, "config: {}\n");
    await assert.rejects(
      editFilesLocked([stack], () => {
        throw new Error("the edit failed");
      }),
      { message: "the edit failed" },
    );
    assert.deepEqual(contents(dir), { "Pulumi.dev.yaml": "config: {}\n" });
    await assert.rejects(
      editFilesLocked([stack], () => {
        const read = fs.readFileSync(stack, "utf8");
        fs.writeFileSync(stack, "config: {b: 2}\n"); // another editor, which takes no lock
        return {
          writes: [{ path: stack, content: "config: {a: 1}\n", expected: read }],
          result: 0,
        };
      }),
      ChangedWhileEditingError,
    );
    assert.deepEqual(contents(dir), { "Pulumi.dev.yaml": "config: {b: 2}\n" });
    // Nothing is left locked: the next edit takes the lock at once.
    await editFilesLocked([stack], () => ({ writes: [], result: 0 }), { timeoutSeconds: 0 });
  });

  it("refuses to write a file it did not lock", async () => {
    const dir = scratchDir();
    await assert.rejects(
      editFilesLocked([path.join(dir, "a.yaml")], () => ({
        writes: [{ path: path.join(dir, "b.yaml"), content: "" }],
        result: 0,
      })),
      { message: `${path.join(dir, "b.yaml")} is written without its lock` },
    );
    assert.deepEqual(contents(dir), {});
  });

  it("says a file whose lock cannot be made cannot be written, as the write would", async () => {
    const dir = scratchDir();
    const missing = path.join(dir, "missing", "Pulumi.dev.yaml");
    await assert.rejects(
      editFilesLocked([{ path: missing, display: "missing/Pulumi.dev.yaml" }], () => ({
        writes: [{ path: missing, content: "", display: "missing/Pulumi.dev.yaml" }],
        result: 0,
      })),
      {
        name: "FileWriteError",
        message:
          "cannot write missing/Pulumi.dev.yaml: its directory does not exist; nothing was written",
      },
    );
  });
});

describe("checking a path can be written, before anything is", () => {
  const dir = scratchDir();
  fs.writeFileSync(path.join(dir, "a-file"), "");
  const cases: [string, string, string | undefined][] = [
    ["a new file in an existing directory", path.join(dir, "import.json"), undefined],
    ["an existing file", path.join(dir, "a-file"), undefined],
    [
      "a file in a directory that does not exist",
      path.join(dir, "missing/import.json"),
      `--import-file is ${JSON.stringify(path.join(dir, "missing/import.json"))}; must be a file path in an existing directory you can write to: its directory ${path.join(dir, "missing")} does not exist`,
    ],
    [
      "a directory",
      dir,
      `--import-file is ${JSON.stringify(dir)}; must be a file path in an existing directory you can write to: it is a directory`,
    ],
    [
      "a path under a file",
      path.join(dir, "a-file/import.json"),
      `--import-file is ${JSON.stringify(path.join(dir, "a-file/import.json"))}; must be a file path in an existing directory you can write to: ${path.join(dir, "a-file")} is not a directory`,
    ],
  ];
  for (const [what, file, message] of cases) {
    it(`${message === undefined ? "accepts" : "refuses"} ${what}`, () => {
      assert.equal(unwritableTargetProblem("--import-file", file), message);
    });
  }
});
