import { strict as assert } from "assert";
import * as path from "path";
import ts from "typescript";
import { repositoryRoot } from "../helpers/cli";
import { fixtureDiagnostics, lineOf } from "../helpers/typecheck";

const fixture = path.join(repositoryRoot, "test/fixtures/typecheck/unvalidatedSettings.ts");

const diagnostics = (change?: (text: string) => string) => fixtureDiagnostics(fixture, change);

describe("key lists tied to the args interfaces", function () {
  this.timeout(120_000);

  it("compiles the fixture: every key list fails for an interface with a setting it does not name", () => {
    const found = diagnostics().map(
      (d) => `line ${lineOf(d)}: ${ts.flattenDiagnosticMessageText(d.messageText, " ")}`,
    );
    // An unused @ts-expect-error is an error too: a key list no longer tied to its interface.
    assert.deepEqual(found, []);
  });

  it("reports, without the directives, one error per key list, naming the setting left out", () => {
    const text = ts.sys.readFile(fixture)!;
    const expected = text
      .split("\n")
      .map((line, index) => ({ line, number: index + 2 }))
      .filter(({ line }) => line.startsWith("// @ts-expect-error"))
      .map(({ number, line }) => ({
        number,
        field: /notASetting/.test(line) ? "notASetting" : "newSetting",
      }));
    assert.equal(expected.length, 12);
    const found = diagnostics((source) =>
      source.replace(/^\/\/ @ts-expect-error.*$/gm, "// (directive removed)"),
    );
    assert.deepEqual(
      found.map(lineOf).sort((a, b) => a - b),
      expected.map((e) => e.number),
    );
    for (const d of found) {
      const message = ts.flattenDiagnosticMessageText(d.messageText, " ");
      const { field } = expected.find((e) => e.number === lineOf(d))!;
      assert.ok(message.includes(field), `line ${lineOf(d)}: ${message}`);
    }
  });
});
