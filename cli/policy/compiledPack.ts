/**
 * A TypeScript policy pack compiled to JavaScript once per content, so the offline plan starts
 * it as fast as a published JavaScript pack starts.
 *
 * The Pulumi CLI runs a TypeScript pack through ts-node with type checking on every start,
 * which costs seconds before the first policy runs. Here the pack is compiled with its own
 * tsconfig.json (type-checked, as the CLI would) into
 * `<pack>/node_modules/.cache/trusted-delivery/policy-pack-<hash>/`, where `<hash>` covers every
 * file of the pack outside node_modules and the compiler's version: an edit makes a new one,
 * so the compiled pack is never stale. Modules resolve from there as from the pack itself (its
 * node_modules, then its parents'). A pack that does not compile cleanly, or that is not
 * TypeScript, runs from its own directory as the CLI runs it, so the CLI's own errors show.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";

/** Where a pack's compiled copies live, inside its node_modules (ignored by git and npm pack). */
export function compiledPackCache(packDir: string): string {
  return path.join(packDir, "node_modules", ".cache", "trusted-delivery");
}

/** The directory to start the pack from: its compiled copy when it compiles, else itself. */
export function runnablePackDir(packDir: string): string {
  try {
    return compiledPack(packDir) ?? packDir;
  } catch {
    // Anything unexpected (a read-only pack, a compiler that will not load): run it as the CLI does.
    return packDir;
  }
}

interface PackManifest {
  main?: unknown;
  [key: string]: unknown;
}

function compiledPack(packDir: string): string | undefined {
  const manifestFile = path.join(packDir, "package.json");
  const tsconfigFile = path.join(packDir, "tsconfig.json");
  if (!fs.existsSync(manifestFile) || !fs.existsSync(tsconfigFile)) {
    return undefined;
  }
  const manifest = JSON.parse(fs.readFileSync(manifestFile, "utf8")) as PackManifest;
  const main = typeof manifest.main === "string" ? manifest.main : "index.ts";
  if (!main.endsWith(".ts") || main.endsWith(".d.ts")) {
    return undefined;
  }
  const ts = loadTypeScript(packDir);
  if (ts === undefined) {
    return undefined;
  }
  const files = packFiles(packDir);
  const hash = createHash("sha256").update(`typescript ${ts.version}\n`);
  for (const file of files) {
    hash
      .update(`${file}\n`)
      .update(fs.readFileSync(path.join(packDir, file)))
      .update("\n");
  }
  const cache = compiledPackCache(packDir);
  const target = path.join(cache, `policy-pack-${hash.digest("hex").slice(0, 16)}`);
  if (fs.existsSync(path.join(target, "package.json"))) {
    return target;
  }

  fs.mkdirSync(cache, { recursive: true });
  const building = fs.mkdtempSync(path.join(cache, ".building-"));
  try {
    if (!compileInto(ts, packDir, tsconfigFile, building)) {
      return undefined;
    }
    const mainJs = main.replace(/\.ts$/, ".js");
    if (!fs.existsSync(path.join(building, mainJs))) {
      return undefined;
    }
    for (const file of files.filter((f) => !f.endsWith(".ts"))) {
      fs.mkdirSync(path.dirname(path.join(building, file)), { recursive: true });
      fs.copyFileSync(path.join(packDir, file), path.join(building, file));
    }
    fs.writeFileSync(
      path.join(building, "package.json"),
      `${JSON.stringify({ ...manifest, main: mainJs }, null, 2)}\n`,
    );
    try {
      fs.renameSync(building, target);
    } catch (e) {
      // Another plan compiled the same content first: use its copy.
      if (!fs.existsSync(path.join(target, "package.json"))) {
        throw e;
      }
    }
    removeOtherCopies(cache, target);
    return target;
  } finally {
    fs.rmSync(building, { recursive: true, force: true });
  }
}

/** The pack's files, relative, sorted; node_modules and dot-directories left out. */
function packFiles(packDir: string): string[] {
  const found: string[] = [];
  const walk = (relative: string) => {
    for (const entry of fs.readdirSync(path.join(packDir, relative), { withFileTypes: true })) {
      const file = path.join(relative, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== "node_modules" && !entry.name.startsWith(".")) {
          walk(file);
        }
      } else if (entry.isFile()) {
        found.push(file);
      }
    }
  };
  walk("");
  return found.sort();
}

type TypeScript = typeof import("typescript");

function loadTypeScript(packDir: string): TypeScript | undefined {
  try {
    // The compiler the pack would be run with: the one its directory resolves.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- resolved from the pack
    return require(require.resolve("typescript", { paths: [packDir] })) as TypeScript;
  } catch {
    return undefined;
  }
}

/** Compiles the pack with its tsconfig into `outDir`; false on any error diagnostic. */
function compileInto(ts: TypeScript, packDir: string, tsconfigFile: string, outDir: string) {
  const read = ts.readConfigFile(tsconfigFile, ts.sys.readFile);
  if (read.error) {
    return false;
  }
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, packDir, {
    noEmit: false,
    outDir,
    rootDir: packDir,
    declaration: false,
    sourceMap: false,
    incremental: false,
    composite: false,
  });
  if (parsed.errors.length > 0) {
    return false;
  }
  const program = ts.createProgram(parsed.fileNames, parsed.options);
  const diagnostics = ts.getPreEmitDiagnostics(program);
  if (diagnostics.some((d) => d.category === ts.DiagnosticCategory.Error)) {
    return false;
  }
  return !program.emit().emitSkipped;
}

/** Copies of earlier contents, once no plan started within the last hour can still be loading them. */
function removeOtherCopies(cache: string, keep: string): void {
  const hourAgo = Date.now() - 60 * 60 * 1000;
  for (const entry of fs.readdirSync(cache)) {
    const dir = path.join(cache, entry);
    if (dir !== keep && entry.startsWith("policy-pack-") && fs.statSync(dir).mtimeMs < hourAgo) {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
}
