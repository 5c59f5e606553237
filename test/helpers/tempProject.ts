import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { findProject, PulumiProject } from "../../cli/workspace/project";

const repositoryRoot = path.join(__dirname, "../..");

/**
 * A scratch copy of the platform project: its own Pulumi.yaml and stack files (copies of the
 * committed ones), running the repository's platform program. Tests edit the copies freely.
 */
export function tempPlatformProject(): {
  root: string;
  project: PulumiProject;
  stackFile: (stack: string) => string;
} {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "td-project-"));
  const stacks = path.join(root, "programs/platform");
  fs.mkdirSync(stacks, { recursive: true });
  fs.writeFileSync(
    path.join(root, "Pulumi.yaml"),
    [
      "name: trusted-delivery-platform",
      "runtime: nodejs",
      `main: ${path.join(repositoryRoot, "programs/platform")}`,
      "stackConfigDir: programs/platform",
      "",
    ].join("\n"),
  );
  for (const file of fs.readdirSync(path.join(repositoryRoot, "programs/platform"))) {
    if (/^Pulumi\..+\.yaml$/.test(file)) {
      fs.copyFileSync(
        path.join(repositoryRoot, "programs/platform", file),
        path.join(stacks, file),
      );
    }
  }
  return {
    root,
    project: findProject(root),
    stackFile: (stack) => path.join(stacks, `Pulumi.${stack}.yaml`),
  };
}

/** A file's bytes and modification time, to show that a refused command wrote nothing. */
export function snapshot(file: string): { content: string; mtimeMs: number } {
  return { content: fs.readFileSync(file, "utf8"), mtimeMs: fs.statSync(file).mtimeMs };
}

/** Whether every line of `before` is still in `after`, in order: an edit only added lines. */
export function keepsEveryLine(before: string, after: string): boolean {
  const remaining = after.split("\n");
  return before.split("\n").every((line) => {
    const at = remaining.indexOf(line);
    remaining.splice(0, at + 1);
    return at >= 0;
  });
}

/** Every file under `dir` with its bytes (as latin1 text), by path: a refused command changes none. */
export function snapshotTree(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (at: string) => {
    for (const entry of fs
      .readdirSync(at, { withFileTypes: true })
      .sort((a, b) => a.name.localeCompare(b.name))) {
      const file = path.join(at, entry.name);
      if (entry.isDirectory()) {
        walk(file);
      } else {
        files[path.relative(dir, file)] = fs.readFileSync(file, "latin1");
      }
    }
  };
  walk(dir);
  return files;
}
