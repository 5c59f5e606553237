import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { repositoryRoot } from "../helpers/cli";
import { npm } from "../helpers/npm";

const marker = "<!-- readme-commands:";

/** The shell blocks of the README that say they run as written in a fresh clone. */
export function readmeCommandBlocks(readme: string): string[] {
  const blocks: string[] = [];
  for (const [index] of [...readme.matchAll(/<!-- readme-commands:/g)].map((m) => [m.index!])) {
    const fence = /```sh\n([\s\S]*?)```/.exec(readme.slice(index));
    assert.ok(fence, `no sh block after the ${marker} marker at offset ${index}`);
    blocks.push(fence[1]);
  }
  return blocks;
}

/**
 * A copy of the committed tree (what a clone has), with this checkout's node_modules beside it
 * (what `npm ci` installs), in a scratch directory; {@link buildAsNpmCi} then builds it.
 */
function freshClone(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "td-readme-"));
  // The tree as `.ci/run` has it (a copy of the commit, no .git): everything but what npm, the
  // build and the pack's cache make.
  const left = new Set(["node_modules", ".git", "dist"]);
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(path.join(repositoryRoot, dir), { withFileTypes: true })) {
      const relative = path.join(dir, entry.name);
      if (entry.isDirectory() && !left.has(entry.name)) {
        // policy-pack/bin/ is the pack's build output, ignored by git: a clone has none.
        if (relative !== path.join("policy-pack", "bin")) {
          walk(relative);
        }
      } else if (entry.isFile() && !entry.name.endsWith(".tmp.ts")) {
        files.push(relative);
      }
    }
  };
  walk("");
  for (const file of files) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.copyFileSync(path.join(repositoryRoot, file), path.join(root, file));
  }
  fs.symlinkSync(path.join(repositoryRoot, "node_modules"), path.join(root, "node_modules"), "dir");
  return root;
}

/** What `npm ci`'s `prepare` does after installing: `npm run build` (dist/, the pack's bin/). */
function buildAsNpmCi(clone: string): void {
  npm(["run", "build"], clone);
}

describe("the README's commands, run as written in a fresh clone", function () {
  this.timeout(600_000);
  const readme = fs.readFileSync(path.join(repositoryRoot, "README.md"), "utf8");
  const blocks = readmeCommandBlocks(readme);

  it("marks the five things people do as commands that run as written", () => {
    assert.equal(blocks.length, 1);
    const commands = blocks[0].split("\n").filter((line) => /^(npm|npx) /.test(line));
    // The built CLI, as people run it after `npm ci`; the plan as CI runs it.
    assert.deepEqual(
      commands.map((line) =>
        line
          .split(" ")
          .slice(0, line.startsWith("npx ") ? 3 : 5)
          .join(" "),
      ),
      [
        "npx trusted-delivery add-app",
        "npm run plan -- dev",
        "npx trusted-delivery workflow",
        "npx trusted-delivery explain",
        "npx trusted-delivery adopt-terraform",
      ],
    );
  });

  it("runs every line, in order, each exiting 0, and leaves what they say they make", () => {
    const clone = freshClone();
    try {
      buildAsNpmCi(clone);
      const result = spawnSync("bash", ["-euo", "pipefail", "-c", blocks[0]], {
        cwd: clone,
        encoding: "utf8",
        env: { ...process.env, CI: "true" },
      });
      assert.equal(result.status, 0, `${result.stdout}\n${result.stderr}`);
      // What the block says each command does, checked where it lands.
      const stack = fs.readFileSync(path.join(clone, "programs/platform/Pulumi.dev.yaml"), "utf8");
      assert.match(stack, /^ {4}billing-api:$/m);
      assert.match(
        fs.readFileSync(path.join(clone, ".github/workflows/ci-build-push-dev.yml"), "utf8"),
        /^name: Build and push billing-api \(dev\)$/m,
      );
      assert.match(result.stdout, /billing-api/);
      assert.match(result.stdout, /ADMITTED: sub "repo:acme\/billing-api:ref:refs\/heads\/main"/);
      assert.match(
        result.stdout,
        /terraform state rm|Would write programs\/platform\/Pulumi\.dev\.yaml/,
      );
    } finally {
      fs.rmSync(clone, { recursive: true, force: true });
    }
  });

  it("can fail: a line that exits non-zero fails the block", () => {
    const clone = freshClone();
    try {
      buildAsNpmCi(clone);
      const broken = blocks[0]
        .split("\n")
        .filter((line) => / (add-app|explain) billing-api /.test(line))
        .join("\n")
        .replace("explain billing-api", "explain no-such-app");
      const result = spawnSync("bash", ["-euo", "pipefail", "-c", broken], {
        cwd: clone,
        encoding: "utf8",
      });
      assert.equal(result.status, 2);
      assert.match(
        result.stderr,
        /app "no-such-app" is not in programs\/platform\/Pulumi\.dev\.yaml/,
      );
    } finally {
      fs.rmSync(clone, { recursive: true, force: true });
    }
  });
});
