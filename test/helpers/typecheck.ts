/**
 * Compiling a fixture under `test/fixtures/typecheck/` with the repository's compiler options,
 * as written or with its text changed: the tests that show a forgotten entry fails to compile.
 */
import * as path from "path";
import ts from "typescript";
import { repositoryRoot } from "./cli";

/** The repository's compiler options, as `npm run typecheck` uses them. */
function compilerOptions(): ts.CompilerOptions {
  const file = path.join(repositoryRoot, "tsconfig.json");
  const { config } = ts.readConfigFile(file, ts.sys.readFile);
  return ts.parseJsonConfigFileContent(config, ts.sys, repositoryRoot).options;
}

/** The fixture's own diagnostics, compiled as written or with its text changed. */
export function fixtureDiagnostics(
  fixture: string,
  change: (text: string) => string = (text) => text,
): ts.Diagnostic[] {
  const options = compilerOptions();
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  host.readFile = (file) => {
    const text = readFile(file);
    return path.resolve(file) === fixture && text !== undefined ? change(text) : text;
  };
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (file, language, onError, fresh) =>
    path.resolve(file) === fixture
      ? ts.createSourceFile(file, host.readFile(file)!, language)
      : getSourceFile(file, language, onError, fresh);
  const program = ts.createProgram([fixture], options, host);
  return [...program.getSemanticDiagnostics(), ...program.getSyntacticDiagnostics()].filter(
    (d) => d.file !== undefined && path.resolve(d.file.fileName) === fixture,
  );
}

export function lineOf(d: ts.Diagnostic): number {
  return d.file!.getLineAndCharacterOfPosition(d.start!).line + 1;
}

/** Whether the fixture compiles with its `@ts-expect-error` directives removed. */
export function withoutDirectives(text: string): string {
  return text.replace(/^\/\/ @ts-expect-error.*$/gm, "// (directive removed)");
}
