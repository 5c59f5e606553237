/**
 * The package's version is package.json's; the policy pack, published on its own
 * (`pulumi policy publish`), carries the same one. `npm version <new>` runs this (the `version`
 * script) to write it into policy-pack/package.json; `--check` only reports a difference.
 *
 *   npm run sync-version [-- --check]
 */
import * as fs from "fs";
import * as path from "path";
import { writeFileAtomically } from "../cli/workspace/stackFile";

export const policyPackManifest = path.join("policy-pack", "package.json");

/**
 * Writes the root version into the policy pack's package.json (unless `check`, which only
 * reads); returns the version it replaced.
 */
export function syncPolicyPackVersion(
  root: string,
  { check = false }: { check?: boolean } = {},
): { version: string; previous: string } {
  const { version } = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
  const file = path.join(root, policyPackManifest);
  const text = fs.readFileSync(file, "utf8");
  const pack = JSON.parse(text);
  const previous: string = pack.version;
  if (previous !== version && !check) {
    // Only the version line changes: the rest of the file keeps its formatting.
    const updated = text.replace(
      /^(\s*"version"\s*:\s*)"[^"]*"/m,
      (_, key: string) => `${key}${JSON.stringify(version)}`,
    );
    if (JSON.parse(updated).version !== version) {
      throw new Error(`${file} has no top-level "version" line to update`);
    }
    writeFileAtomically(file, updated);
  }
  return { version, previous };
}

if (require.main === module) {
  const root = path.join(__dirname, "..");
  const check = process.argv.includes("--check");
  const { version, previous } = syncPolicyPackVersion(root, { check });
  if (check && previous !== version) {
    console.error(
      `${policyPackManifest} has version ${previous}, package.json ${version}: run npm run sync-version`,
    );
    process.exit(1);
  } else if (!check) {
    console.log(
      previous === version
        ? `${policyPackManifest} already has version ${version}`
        : `${policyPackManifest}: version ${previous} -> ${version}`,
    );
  }
}
