/**
 * A TypeScript policy pack compiled to JavaScript once per content, so the offline plan starts
 * it as fast as a published JavaScript pack starts.
 *
 * The Pulumi CLI runs a TypeScript pack through ts-node with type checking on every start,
 * which costs seconds before the first policy runs. Here the pack is compiled with its own
 * tsconfig.json (type-checked, as the CLI would) into
 * `<pack>/node_modules/.cache/trusted-delivery/policy-pack-<hash>/`, where `<hash>` covers every
 * file of the pack outside node_modules and the compiler's version: an edit makes a new one,
 * so the compiled pack is never stale. A pack whose `main` is its own build's output (this one's
 * `bin/index.js`, from `npm run build`) is compiled here from its sources all the same, and its
 * build output is left out of the hash: a plan never runs a stale or missing build. Modules
 * resolve from there as from the pack itself (its
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
  const outDir = buildOutputDir(packDir, tsconfigFile);
  const main = typeScriptMain(packDir, manifest.main, outDir);
  if (main === undefined) {
    return undefined;
  }
  const version = typeScriptVersion(packDir);
  if (version === undefined) {
    return undefined;
  }
  const files = packFiles(packDir, outDir);
  const hash = createHash("sha256").update(`typescript ${version}\n`);
  for (const file of files) {
    hash
      .update(`${file}\n`)
      .update(fs.readFileSync(path.join(packDir, file)))
      .update("\n");
  }
  const mainJs = main.replace(/\.ts$/, ".js");
  return cachedCopy(
    compiledPackCache(packDir),
    `policy-pack-${hash.digest("hex").slice(0, 16)}`,
    "package.json",
    (building) => {
      const ts = loadTypeScript(packDir);
      if (ts === undefined || !compileInto(ts, packDir, tsconfigFile, building)) {
        return false;
      }
      if (!fs.existsSync(path.join(building, mainJs))) {
        return false;
      }
      for (const file of files.filter((f) => !f.endsWith(".ts"))) {
        fs.mkdirSync(path.dirname(path.join(building, file)), { recursive: true });
        fs.copyFileSync(path.join(packDir, file), path.join(building, file));
      }
      fs.writeFileSync(
        path.join(building, "package.json"),
        `${JSON.stringify({ ...manifest, main: mainJs }, null, 2)}\n`,
      );
      return true;
    },
  );
}

/**
 * The directory `name` under `cache`, built once: `build` fills a scratch directory (false: no
 * copy), which then takes the name at once, so a copy is whole or absent (`complete` is a file
 * a whole copy has). Copies of other contents older than an hour are removed.
 */
function cachedCopy(
  cache: string,
  name: string,
  complete: string,
  build: (directory: string) => boolean,
): string | undefined {
  const target = path.join(cache, name);
  if (fs.existsSync(path.join(target, complete))) {
    return target;
  }
  fs.mkdirSync(cache, { recursive: true });
  const building = fs.mkdtempSync(path.join(cache, ".building-"));
  try {
    if (!build(building)) {
      return undefined;
    }
    try {
      fs.renameSync(building, target);
    } catch (e) {
      // Another run built the same content first: use its copy.
      if (!fs.existsSync(path.join(target, complete))) {
        throw e;
      }
    }
    removeOtherCopies(cache, target, name.slice(0, name.lastIndexOf("-") + 1));
    return target;
  } finally {
    fs.rmSync(building, { recursive: true, force: true });
  }
}

/**
 * The pack's TypeScript entry: `main` itself when it is TypeScript (`index.ts` when unset), or,
 * when `main` is the JavaScript its build emits into `outDir` (this pack's `bin/index.js`), the
 * source it is compiled from, so the plan runs the sources as they are now, built or not.
 */
function typeScriptMain(packDir: string, main: unknown, outDir: string | undefined) {
  const entry = typeof main === "string" ? path.normalize(main) : "index.ts";
  if (entry.endsWith(".ts")) {
    return entry.endsWith(".d.ts") ? undefined : entry;
  }
  if (outDir === undefined || !entry.endsWith(".js")) {
    return undefined;
  }
  const relative = path.relative(outDir, entry);
  if (relative.startsWith("..") || path.isAbsolute(relative)) {
    return undefined;
  }
  const source = relative.replace(/\.js$/, ".ts");
  return fs.existsSync(path.join(packDir, source)) ? source : undefined;
}

/** The tsconfig's `outDir`, relative to the pack (undefined when unset or unreadable). */
function buildOutputDir(packDir: string, tsconfigFile: string): string | undefined {
  try {
    const outDir = JSON.parse(fs.readFileSync(tsconfigFile, "utf8"))?.compilerOptions?.outDir;
    if (typeof outDir !== "string") {
      return undefined;
    }
    const relative = path.relative(packDir, path.resolve(packDir, outDir));
    return relative === "" || relative.startsWith("..") ? undefined : relative;
  } catch {
    // A tsconfig with comments: the compiler reads it below; only the build output is unknown.
    return undefined;
  }
}

/** The pack's files, relative, sorted; node_modules, dot-directories and `outDir` left out. */
function packFiles(packDir: string, outDir?: string): string[] {
  const found: string[] = [];
  const walk = (relative: string) => {
    for (const entry of fs.readdirSync(path.join(packDir, relative), { withFileTypes: true })) {
      const file = path.join(relative, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== "node_modules" && !entry.name.startsWith(".") && file !== outDir) {
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

/** The version of the compiler `directory` resolves, read without loading it. */
function typeScriptVersion(directory: string): string | undefined {
  try {
    const manifest = require.resolve("typescript/package.json", { paths: [directory] });
    return JSON.parse(fs.readFileSync(manifest, "utf8")).version;
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
function removeOtherCopies(cache: string, keep: string, prefix = "policy-pack-"): void {
  const hourAgo = Date.now() - 60 * 60 * 1000;
  for (const entry of fs.readdirSync(cache)) {
    const dir = path.join(cache, entry);
    if (dir !== keep && entry.startsWith(prefix) && fs.statSync(dir).mtimeMs < hourAgo) {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
}

/**
 * A TypeScript module and the relative imports it reaches, transpiled (as ts-node's
 * transpile-only mode would) into `<root>/node_modules/.cache/trusted-delivery/modules-<hash>/`
 * mirroring their place under `root`, so that a worker thread can load them without starting a
 * compiler of its own. `<hash>` covers every file reached and the compiler's version. Returns
 * the JavaScript entry, or undefined when it cannot (then the caller loads the TypeScript).
 */
export function transpiledModule(root: string, entry: string): string | undefined {
  try {
    const ts = loadTypeScript(root);
    if (ts === undefined) {
      return undefined;
    }
    const files = moduleClosure(ts, entry);
    const hash = createHash("sha256").update(`typescript ${ts.version}\n`);
    const sources = new Map<string, string>();
    for (const file of files) {
      const source = fs.readFileSync(file, "utf8");
      sources.set(file, source);
      hash.update(`${path.relative(root, file)}\n${source}\n`);
    }
    const relativeJs = (file: string) => path.relative(root, file).replace(/\.ts$/, ".js");
    const copy = cachedCopy(
      path.join(root, "node_modules", ".cache", "trusted-delivery"),
      `modules-${hash.digest("hex").slice(0, 16)}`,
      relativeJs(entry),
      (building) => {
        const compilerOptions = {
          module: ts.ModuleKind.CommonJS,
          target: ts.ScriptTarget.ES2022,
          esModuleInterop: true,
        };
        for (const [file, source] of sources) {
          const out = path.join(building, relativeJs(file));
          fs.mkdirSync(path.dirname(out), { recursive: true });
          fs.writeFileSync(
            out,
            ts.transpileModule(source, { compilerOptions, fileName: file }).outputText,
          );
        }
        return true;
      },
    );
    return copy && path.join(copy, relativeJs(entry));
  } catch {
    return undefined;
  }
}

/** The module and every TypeScript module it reaches by relative imports (type-only ones too). */
function moduleClosure(ts: TypeScript, entry: string): string[] {
  const found = new Set<string>();
  const visit = (file: string) => {
    if (found.has(file)) {
      return;
    }
    found.add(file);
    const { importedFiles } = ts.preProcessFile(fs.readFileSync(file, "utf8"), true, false);
    for (const { fileName } of importedFiles) {
      if (!fileName.startsWith(".")) {
        continue;
      }
      const base = path.resolve(path.dirname(file), fileName);
      const resolved = [`${base}.ts`, path.join(base, "index.ts")].find((f) => fs.existsSync(f));
      if (resolved === undefined) {
        throw new Error(`${file} imports ${fileName}, which is not a TypeScript module`);
      }
      visit(resolved);
    }
  };
  visit(entry);
  return [...found].sort();
}
