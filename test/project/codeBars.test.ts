import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import ts from "typescript";
import { repositoryRoot } from "../helpers/cli";

/** The longest a function may be, first line to last: longer ones are split into named phases. */
const maxFunctionLines = 80;

/** The source the bars hold for: everything published, test helpers aside. */
const sourceDirectories = ["cli", "components", "programs", "policy-pack"];

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      return entry.name === "node_modules" ? [] : sourceFiles(full);
    }
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts") ? [full] : [];
  });
}

/** What counts as a function: declarations, methods, constructors, arrows and expressions. */
function isFunction(node: ts.Node): node is ts.FunctionLikeDeclaration {
  return (
    ts.isFunctionDeclaration(node) ||
    ts.isMethodDeclaration(node) ||
    ts.isConstructorDeclaration(node) ||
    ts.isArrowFunction(node) ||
    ts.isFunctionExpression(node)
  );
}

/**
 * `x as unknown as T` (parenthesised or not): an assertion of an assertion to `unknown`, which
 * the compiler cannot check at all.
 */
function isDoubleCast(node: ts.Node): boolean {
  if (!ts.isAsExpression(node)) {
    return false;
  }
  const operand = skipParentheses(node.expression);
  return ts.isAsExpression(operand) && operand.type.kind === ts.SyntaxKind.UnknownKeyword;
}

function skipParentheses(node: ts.Expression): ts.Expression {
  return ts.isParenthesizedExpression(node) ? skipParentheses(node.expression) : node;
}

/** The functions over the bar, as `file:line (n lines)`, and the double casts, as `file:line`. */
function barsBroken(file: string, text: string): { long: string[]; casts: string[] } {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const lineOf = (position: number) => source.getLineAndCharacterOfPosition(position).line + 1;
  const long: string[] = [];
  const casts: string[] = [];
  const visit = (node: ts.Node): void => {
    if (isFunction(node)) {
      const first = lineOf(node.getStart(source));
      const lines = lineOf(node.getEnd()) - first + 1;
      if (lines > maxFunctionLines) {
        long.push(`${file}:${first} (${lines} lines)`);
      }
    }
    if (isDoubleCast(node)) {
      casts.push(`${file}:${lineOf(node.getStart(source))}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { long, casts };
}

function repositoryBars(): { files: number; long: string[]; casts: string[] } {
  const files = [
    ...sourceDirectories.flatMap((dir) => sourceFiles(path.join(repositoryRoot, dir))),
    path.join(repositoryRoot, "index.ts"),
  ];
  const found = files.map((file) =>
    barsBroken(
      path.relative(repositoryRoot, file).split(path.sep).join("/"),
      fs.readFileSync(file, "utf8"),
    ),
  );
  return {
    files: files.length,
    long: found.flatMap((f) => f.long),
    casts: found.flatMap((f) => f.casts),
  };
}

describe("code bars: functions that read as phases, and casts the compiler checks", () => {
  let bars: ReturnType<typeof repositoryBars>;
  before(() => {
    bars = repositoryBars();
  });

  it("no function in cli/, components/, programs/, policy-pack/ or index.ts spans more than 80 lines", () => {
    assert.ok(bars.files > 50, `found only ${bars.files} source files`);
    assert.deepEqual(bars.long, []);
  });

  it("no source outside the tests casts through unknown (x as unknown as T)", () => {
    assert.deepEqual(bars.casts, []);
  });

  it("a function of 81 lines, of any kind, breaks the bar, and one of 80 does not", () => {
    const body = (lines: number) => Array.from({ length: lines - 2 }, (_, i) => `  f(${i});`);
    const text = [
      "function eighty() {",
      ...body(80),
      "}",
      "const arrow = () => {",
      ...body(81),
      "};",
      "class C {",
      "  method() {",
      ...body(81),
      "  }",
      "}",
    ].join("\n");
    assert.deepEqual(barsBroken("x.ts", text).long, ["x.ts:81 (81 lines)", "x.ts:163 (81 lines)"]);
  });

  it("a cast through unknown breaks the bar, parenthesised or not, and a single cast or a cast to unknown does not", () => {
    const text = [
      "const a = x as unknown as T;",
      "const b = x as T;",
      "const c = x as unknown;",
      "const d = (x as unknown) as T;",
    ].join("\n");
    assert.deepEqual(barsBroken("x.ts", text).casts, ["x.ts:1", "x.ts:4"]);
  });
});
