import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as ts from "typescript";
import { buildPackageInto, repositoryRoot } from "../scripts/buildPackage";

export { repositoryRoot };

/**
 * The bench's child processes, with the bench modules they import, compiled beside the built
 * package (`<dir>/dist/bench/...`) so that their relative imports of `cli/` and `programs/`
 * load the built JavaScript: children run without ts-node, whose source-map support would
 * otherwise dominate the Pulumi runtime's stack captures.
 */
const childSources = [
  "bench/workload.ts",
  "bench/stats.ts",
  "bench/children/measureProgram.ts",
  "bench/children/recordPlatformStack.ts",
  // The audit bench's reference reader, which loads the built package's AWS SDK.
  "bench/auditReference.ts",
];

/** The package built into a scratch directory, with the repository's node_modules beside it. */
export interface BuiltPackage {
  readonly directory: string;
  /** A compiled bench child, e.g. `children/measureProgram`. */
  childScript(name: string): string;
  remove(): void;
}

/**
 * Builds the package into a scratch directory (`buildPackageInto`, as the CLI tests do), and
 * compiles the bench children into it.
 */
export function buildPackage(): BuiltPackage {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), "td-bench-"));
  try {
    buildPackageInto(directory);
  } catch (error) {
    fs.rmSync(directory, { recursive: true, force: true });
    throw error;
  }
  for (const source of childSources) {
    const output = ts.transpileModule(fs.readFileSync(path.join(repositoryRoot, source), "utf8"), {
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        esModuleInterop: true,
      },
      fileName: source,
    }).outputText;
    const target = path.join(directory, "dist", source.replace(/\.ts$/, ".js"));
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, output);
  }
  return {
    directory,
    childScript: (name) => path.join(directory, "dist/bench", `${name}.js`),
    remove: () => fs.rmSync(directory, { recursive: true, force: true }),
  };
}
