import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

export const repositoryRoot = path.join(__dirname, "..");

/**
 * Builds the package as `npm run build` does, into `directory` rather than the repository
 * (`tsc -p tsconfig.build.json --outDir <directory>/dist`), with package.json copied and the
 * repository's node_modules linked beside it: what the CLI tests and the benchmarks run is what ships. Throws with the
 * compiler's output when the package does not build.
 */
export function buildPackageInto(directory: string): void {
  try {
    execFileSync(
      process.execPath,
      [
        require.resolve("typescript/bin/tsc"),
        "-p",
        path.join(repositoryRoot, "tsconfig.build.json"),
        "--outDir",
        path.join(directory, "dist"),
      ],
      { stdio: "pipe" },
    );
  } catch (error) {
    const output = (error as { stdout?: Buffer }).stdout?.toString() ?? "";
    throw new Error(`the package does not build:\n${output || String(error)}`, { cause: error });
  }
  // The manifest beside dist/, as in the installed package: the CLI reads its version there.
  fs.copyFileSync(path.join(repositoryRoot, "package.json"), path.join(directory, "package.json"));
  fs.symlinkSync(
    path.join(repositoryRoot, "node_modules"),
    path.join(directory, "node_modules"),
    "dir",
  );
}
