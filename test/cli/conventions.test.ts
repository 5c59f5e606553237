import { strict as assert } from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PassThrough } from "stream";
import { ask } from "../../cli/core/prompt";
import { InterruptedError } from "../../cli/core/errors";
import { exitCodeTable, exitCodes } from "../../cli/core/exitCodes";
import { closest, editDistance } from "../../cli/core/suggest";
import { builtPackage, repositoryRoot, runCli } from "../helpers/cli";

const version = JSON.parse(fs.readFileSync(path.join(repositoryRoot, "package.json"), "utf8"))
  .version as string;

describe("the command line's conventions", () => {
  describe("versions", () => {
    for (const args of [["--version"], ["-V"], ["version"]]) {
      it(`${args.join(" ")} prints the package's, the pack's and Node.js's versions`, () => {
        const { code, stdout, stderr } = runCli(args);
        assert.equal(code, 0, stderr);
        assert.equal(
          stdout,
          `trusted-delivery ${version}\npolicy pack trusted-delivery-guardrails ${version}\nNode.js ${process.version}\n`,
        );
      });
    }

    it("version -f json prints one object", () => {
      const { code, stdout } = runCli(["version", "-f", "json"]);
      assert.equal(code, 0);
      assert.deepEqual(JSON.parse(stdout), {
        "trusted-delivery": version,
        "trusted-delivery-guardrails": version,
        node: process.versions.node,
      });
    });
  });

  describe("help", () => {
    it("help <command> prints that command's help, as <command> --help does", () => {
      const help = runCli(["help", "explain"]);
      assert.equal(help.code, 0);
      assert.match(help.stdout, /^Usage: trusted-delivery explain <app> -s <stack>/);
      assert.match(help.stdout, /^ {2}-s, --stack <stack> +The stack whose push role is asked\.$/m);
      assert.match(help.stdout, /^Examples:$/m);
      assert.doesNotMatch(help.stdout, /Options of plan/);
      assert.equal(runCli(["explain", "--help"]).stdout, help.stdout);
      assert.equal(runCli(["explain", "-h"]).stdout, help.stdout);
    });

    it("help lists every command with one line each, and exits 0; no command at all exits 2", () => {
      const help = runCli(["help"]);
      assert.equal(help.code, 0);
      for (const command of ["plan", "add-app", "workflow", "catalog", "explain", "audit"]) {
        assert.match(help.stdout, new RegExp(`^ {2}${command} +\\S`, "m"), command);
      }
      const none = runCli([]);
      assert.equal(none.code, 2);
      assert.equal(none.stderr, help.stdout);
    });

    it("help exit-codes prints the one table every command follows", () => {
      const { code, stdout } = runCli(["help", "exit-codes"]);
      assert.equal(code, 0);
      for (const [exit, meaning] of exitCodeTable) {
        assert.ok(stdout.includes(`${String(exit).padStart(3)}  ${meaning}`), meaning);
      }
      assert.deepEqual(
        exitCodeTable.map(([exit]) => exit).sort((a, b) => a - b),
        Object.values(exitCodes).sort((a, b) => a - b),
      );
    });

    it("help of a command that does not exist suggests the nearest, exit 2", () => {
      const { code, stderr } = runCli(["help", "explian"]);
      assert.equal(code, 2);
      assert.match(stderr, /^error: unknown command "explian"; did you mean "explain"\? commands:/);
    });
  });

  describe("mistakes", () => {
    it("an unknown command gets the nearest one", () => {
      const { code, stderr } = runCli(["plna", "dev"]);
      assert.equal(code, 2);
      assert.match(stderr, /^error: unknown command "plna"; did you mean "plan"\? commands: plan,/);
    });

    it("an unknown option gets the nearest of the command's own, with no parser's text", () => {
      const { code, stderr } = runCli(["plan", "dev", "--skip-polcy"]);
      assert.equal(code, 2);
      assert.equal(
        stderr,
        "error: plan has no option --skip-polcy; did you mean --skip-policy? (trusted-delivery help plan lists its options)\n",
      );
      const short = runCli(["plan", "dev", "-x"]);
      assert.equal(
        short.stderr,
        "error: plan has no option -x (trusted-delivery help plan lists its options)\n",
      );
    });

    it("names every mistaken option at once: a missing value, a value for a switch", () => {
      const { code, stderr } = runCli(["workflow", "payments-api", "--force=yes", "-s"]);
      assert.equal(code, 2);
      assert.equal(
        stderr,
        'error: --force takes no value; got "yes"\nerror: -s/--stack needs a value: <stack>\n',
      );
    });

    it("an option before the command says to put the command first", () => {
      const { code, stderr } = runCli(["--stack", "dev", "plan"]);
      assert.equal(code, 2);
      assert.match(stderr, /^error: --stack before a command: give the command first/);
    });

    it("a format the command does not write is named with those it does", () => {
      const { code, stderr } = runCli(["explain", "payments-api", "-s", "dev", "-f", "jsn"]);
      assert.equal(code, 2);
      assert.equal(
        stderr,
        'error: -f/--format is "jsn"; must be one of text, json; did you mean "json"?\n',
      );
    });
  });

  describe("output", () => {
    it("-f json prints only JSON on stdout; -o writes it to a file in a new directory", () => {
      const args = ["explain", "payments-api", "-s", "dev", "--ref", "refs/heads/main"];
      const json = runCli([...args, "-f", "json"]);
      assert.equal(json.code, 0, json.stderr);
      const explanation = JSON.parse(json.stdout);
      assert.equal(explanation.schemaVersion, 1);
      assert.equal(explanation.admitted, true);
      assert.equal(explanation.run.ref.name, "main");
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "td-out-"));
      const file = path.join(dir, "reports/dev/explain.json");
      const written = runCli([...args, "-f", "json", "-o", file]);
      assert.equal(written.code, 0, written.stderr);
      assert.equal(written.stdout, "");
      assert.deepEqual(JSON.parse(fs.readFileSync(file, "utf8")), explanation);
    });

    it("-q keeps the result and drops progress", () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "td-out-"));
      const file = path.join(dir, "catalog.yaml");
      const loud = runCli(["catalog", "-s", "dev", "-o", file]);
      assert.equal(loud.code, 0, loud.stderr);
      assert.equal(loud.stderr, `Wrote ${file}.\n`);
      fs.rmSync(file);
      const quiet = runCli(["catalog", "-s", "dev", "-o", file, "-q"]);
      assert.equal(quiet.code, 0);
      assert.equal(quiet.stderr, "");
      assert.ok(fs.readFileSync(file, "utf8").length > 0);
    });

    it("a plan reports progress on stderr once it runs a while, never with -q, and -f json stays JSON", () => {
      const env = { TRUSTED_DELIVERY_PROGRESS_AFTER_SECONDS: "0" };
      const loud = runCli(["plan", "dev", "-f", "json"], { env });
      assert.equal(loud.code, 0, loud.stderr);
      assert.match(loud.stderr, /^program: .*$/m);
      assert.match(loud.stderr, /^program: \d+ resources registered in /m);
      assert.match(loud.stderr, /^policy: \d+ resources analyzed, 0 violations/m);
      const plan = JSON.parse(loud.stdout);
      assert.equal(plan.stack, "dev");
      const quiet = runCli(["plan", "dev", "-q"], { env });
      assert.equal(quiet.code, 0);
      assert.equal(quiet.stderr, "");
      // A short plan in a log says nothing but its result.
      assert.equal(
        runCli(["plan", "dev"], { env: { TRUSTED_DELIVERY_PROGRESS_AFTER_SECONDS: "600" } }).stderr,
        "",
      );
    });

    it("a failed run writes no -o file", () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "td-out-"));
      const file = path.join(dir, "nested/explain.txt");
      const { code } = runCli(["explain", "no-such-app", "-s", "dev", "--ref", "main", "-o", file]);
      assert.equal(code, 2);
      assert.deepEqual(fs.readdirSync(dir), []);
    });
  });

  describe("prompts", () => {
    it("input that ends before a question is answered (Ctrl-D) is an interruption naming it", async () => {
      const input = new PassThrough();
      const output = new PassThrough();
      const asked = ask({ input, output, interactive: true }, [
        { key: "owner", question: "Owning team" },
        { key: "repository", question: "GitHub repository (owner/name)" },
      ]);
      input.write("team-web\n");
      setImmediate(() => input.end());
      await assert.rejects(asked, (e: unknown) => {
        assert.ok(e instanceof InterruptedError);
        assert.equal(e.exitCode, 130);
        assert.equal(
          e.message,
          'input ended (Ctrl-D) before "GitHub repository (owner/name)" was answered; nothing was written',
        );
        return true;
      });
    });

    it("answers every question when the input does", async () => {
      const input = new PassThrough();
      const output = new PassThrough();
      const asked = ask({ input, output, interactive: true }, [
        { key: "owner", question: "Owning team" },
        { key: "risk", question: "Risk", default: "medium" },
      ]);
      // An answer is read once its question is asked, as on a terminal.
      input.write("team-web\n");
      setTimeout(() => input.write("\n"), 50);
      assert.deepEqual(await asked, { owner: "team-web", risk: "medium" });
    });
  });

  it("Ctrl-C (SIGINT) ends a run with exit 130 and a message", async () => {
    const child = spawn(
      process.execPath,
      [path.join(builtPackage(), "dist/cli/main.js"), "plan", "dev"],
      {
        cwd: repositoryRoot,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stderr = "";
    child.stderr.on("data", (chunk) => (stderr += String(chunk)));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    child.kill("SIGINT");
    const code = await new Promise((resolve) => child.on("close", resolve));
    assert.equal(code, 130);
    assert.match(stderr, /error: interrupted \(Ctrl-C\); nothing more was written\n$/);
  });

  describe("suggestions", () => {
    it("measure an adjacent swap as one edit", () => {
      assert.equal(editDistance("plna", "plan"), 1);
      assert.equal(editDistance("", "abc"), 3);
      assert.equal(editDistance("kitten", "sitting"), 3);
    });

    it("suggest only what is close, nearest first, and prefixes when nothing is", () => {
      assert.deepEqual(closest("--stak", ["--stack", "--state", "--skip-policy"]), ["--stack"]);
      assert.deepEqual(closest("deploy", ["plan", "audit", "explain"]), []);
      assert.deepEqual(closest("adopt", ["adopt-aws", "adopt-terraform", "audit"]), [
        "adopt-aws",
        "adopt-terraform",
      ]);
    });
  });
});
