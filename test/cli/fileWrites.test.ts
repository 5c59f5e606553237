import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
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
