import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import YAML from "yaml";
import * as fs from "fs";
import * as path from "path";
import { runCli } from "../helpers/cli";
import { tempPlatformProject } from "../helpers/tempProject";

/** A stack file with these apps (each `name: github settings`). */
function stackText(apps: Record<string, string>): string {
  return [
    "config:",
    "  aws:region: eu-west-2",
    "  trusted-delivery-platform:apps:",
    ...Object.entries(apps).flatMap(([name, github]) => [
      `    ${name}:`,
      `      metadata: {id: REGISTRY_${name.toUpperCase().replace(/-/g, "_")}, owner: team-a, risk: medium}`,
      `      github: ${github}`,
    ]),
    "",
  ].join("\n");
}

const payments = "{repository: acme/payments-api, branches: [main], tags: [v*]}";
const withRelease = "{repository: acme/payments-api, branches: [main, release/*], tags: [v*]}";
// The same trust, written otherwise: the lists reordered.
const reordered = "{repository: acme/payments-api, tags: [v*], branches: [main]}";
const ledger = "{repository: acme/ledger-service, branches: [main]}";

const project = tempPlatformProject();
const dir = path.join(project.root, "versions");
fs.mkdirSync(dir);

function write(file: string, apps: Record<string, string>): string {
  const full = path.join(dir, file);
  fs.mkdirSync(path.dirname(full), { recursive: true });
  fs.writeFileSync(full, stackText(apps));
  return full;
}

const before = write("Pulumi.dev.yaml", { "payments-api": payments, "ledger-service": ledger });
const release = write("release/Pulumi.dev.yaml", {
  "payments-api": withRelease,
  "ledger-service": ledger,
});
// The apps in another order, and payments-api's lists reordered.
const same = write("same/Pulumi.dev.yaml", { "ledger-service": ledger, "payments-api": reordered });
const added = path.join(dir, "added.yaml");
fs.writeFileSync(
  added,
  stackText({
    "payments-api": payments,
    "ledger-service": ledger,
    "risk-engine": "{repository: acme/risk-engine}",
  }),
);

function trustDiff(...args: string[]) {
  return runCli(["trust-diff", "-C", project.root, "-q", ...args]);
}

describe("trusted-delivery trust-diff", () => {
  it("adding release/* is wider by a branch: the table names it, and the command exits 1", () => {
    const result = trustDiff("--before", before, "--after", release);
    assert.equal(result.stderr, "");
    assert.equal(result.code, 1);
    const lines = result.stdout.split("\n");
    assert.equal(lines[0], `Push-role trust of stack dev: ${before} -> ${release}`);
    assert.match(lines[2], /^APP +CHANGE +DIRECTION +KIND +EXAMPLE$/);
    assert.match(
      result.stdout,
      /\npayments-api +changed +wider +branch +branch release\/main of acme\/payments-api: sub "repo:acme\/payments-api:ref:refs\/heads\/release\/main" \[.*ref=refs\/heads\/release\/main/,
    );
    assert.match(
      result.stdout,
      /\nledger-service +unchanged +- +- +admits exactly what it admitted\n/,
    );
    assert.match(
      result.stdout,
      /\nWider: payments-api \(admits tokens the old trust refused\)\.\n$/,
    );
  });

  it("--accept-wider exits 0 for a wider trust, and says so on stderr", () => {
    const result = trustDiff("--before", before, "--after", release, "--accept-wider");
    assert.equal(result.code, 0);
    assert.equal(
      result.stderr,
      "warning: trust-diff: wider for payments-api, accepted (--accept-wider)\n",
    );
  });

  it("removing release/* is narrower, not wider: exit 0", () => {
    const result = trustDiff("--before", release, "--after", before, "-f", "json");
    assert.equal(result.code, 0, result.stderr);
    const json = JSON.parse(result.stdout);
    assert.equal(json.wider, false);
    const app = json.apps.find((a: { app: string }) => a.app === "payments-api");
    assert.equal(app.change, "changed");
    assert.deepEqual(app.wider, []);
    assert.deepEqual(
      app.narrower.map((e: { kind: string }) => e.kind),
      ["branch"],
    );
  });

  it("the same trusts written otherwise are neither wider nor narrower", () => {
    const result = trustDiff("--before", before, "--after", same, "-f", "markdown");
    assert.equal(result.code, 0, result.stderr);
    assert.equal(
      result.stdout,
      [
        "## Trust changes: stack `dev`",
        "",
        `${before} → ${same}: **Nothing wider.**`,
        "",
        "No app's push-role trust changed (2 compared).",
        "",
      ].join("\n"),
    );
  });

  it("an added app's whole trust is wider (the stack named with -s: the file is not Pulumi.<stack>.yaml)", () => {
    const result = trustDiff("-s", "dev", "--before", before, "--after", added, "-f", "json");
    assert.equal(result.code, 1, result.stderr);
    const json = JSON.parse(result.stdout);
    assert.equal(json.schemaVersion, 1);
    assert.equal(json.stack, "dev");
    assert.deepEqual(
      json.apps.map((a: { app: string; change: string }) => [a.app, a.change]),
      [
        ["ledger-service", "unchanged"],
        ["payments-api", "unchanged"],
        ["risk-engine", "added"],
      ],
    );
    const risk = json.apps[2];
    assert.equal(risk.roleName, "ecr-push-dev-risk-engine");
    assert.deepEqual(
      risk.wider.map((e: { kind: string }) => e.kind),
      ["issuer"],
    );
    assert.equal(risk.wider[0].token.sub, "repo:acme/risk-engine:ref:refs/heads/main");
    assert.equal(risk.wider[0].certain, true);
  });

  it("the Markdown summary has a section for each app that changed, with what it admits", () => {
    const result = trustDiff("--before", before, "--after", release, "-f", "markdown");
    assert.equal(result.code, 1);
    const lines = result.stdout.split("\n");
    assert.deepEqual(lines.slice(0, 7), [
      "## Trust changes: stack `dev`",
      "",
      `${before} → ${release}: **wider** for \`payments-api\`: the new trust admits tokens the old one refused.`,
      "",
      "### `payments-api` (changed, role `ecr-push-dev-payments-api`)",
      "",
      "**Wider: admits what it did not**",
    ]);
    assert.match(
      lines[8],
      /^- branch: branch release\/main of acme\/payments-api: sub "repo:acme\/payments-api:ref:refs\/heads\/release\/main"/,
    );
    assert.ok(!result.stdout.includes("ledger-service"));
  });

  it("--base compares the stack file at a git ref with the working tree", () => {
    const git = (...args: string[]) =>
      execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], {
        cwd: project.root,
        stdio: "pipe",
      });
    git("init", "-q", "-b", "main");
    fs.writeFileSync(project.stackFile("dev"), stackText({ "payments-api": payments }));
    git("add", "-A");
    git("commit", "-q", "-m", "before");
    fs.writeFileSync(project.stackFile("dev"), stackText({ "payments-api": withRelease }));

    const result = trustDiff("-s", "dev", "--base", "main", "-f", "json");
    assert.equal(result.code, 1, result.stderr);
    const json = JSON.parse(result.stdout);
    assert.equal(json.before, "main");
    assert.equal(json.after, "the working tree");
    assert.equal(json.apps[0].wider[0].kind, "branch");

    const unchanged = trustDiff("-s", "dev", "--base", "HEAD");
    assert.equal(unchanged.code, 1);
    git("stash", "-q");
    assert.equal(trustDiff("-s", "dev", "--base", "HEAD").code, 0);
    git("stash", "pop", "-q");

    const missing = trustDiff("-s", "dev", "--base", "no-such-branch");
    assert.equal(missing.code, 2);
    assert.equal(
      missing.stderr,
      `error: --base is "no-such-branch"; must be a git ref of ${project.root}: a branch, tag or commit, e.g. origin/main; git knows no commit of that name (fetch it first?)\n`,
    );
    fs.writeFileSync(project.stackFile("qa"), stackText({ "payments-api": payments }));
    const noStack = trustDiff("-s", "qa", "--base", "main");
    assert.equal(noStack.code, 2);
    assert.equal(
      noStack.stderr,
      'error: stack "qa" has no stack file at main: programs/platform/Pulumi.qa.yaml is not there (a stack added since shows as every app added: compare with --before and --after)\n',
    );
  });

  it("a stack file that is wrong at the ref is named with the ref", () => {
    const other = tempPlatformProject();
    const git = (...args: string[]) =>
      execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], {
        cwd: other.root,
        stdio: "pipe",
      });
    git("init", "-q", "-b", "main");
    fs.writeFileSync(other.stackFile("dev"), "config: [not, a, map]\n");
    git("add", "-A");
    git("commit", "-q", "-m", "broken");
    const result = runCli(["trust-diff", "-C", other.root, "-q", "-s", "dev", "--base", "main"]);
    assert.equal(result.code, 2);
    assert.equal(
      result.stderr,
      'error: programs/platform/Pulumi.dev.yaml at main: "config" must be a map of keys to values\n',
    );
  });

  it("refuses a command line that names no two versions, or both kinds, every problem at once (exit 2)", () => {
    const none = trustDiff();
    assert.equal(none.code, 2);
    assert.equal(
      none.stderr,
      "error: trust-diff has an invalid argument:\n  - trust-diff needs two versions: --base <git ref> (against the working tree, with -s <stack>) or --before <stack file> --after <stack file>\n",
    );
    const both = trustDiff("--base", "main", "--before", before);
    assert.equal(both.code, 2);
    assert.match(
      both.stderr,
      /--base compares a git ref with the working tree, --before and --after two stack files: give one or the other/,
    );
    assert.match(both.stderr, /--base needs the stack: -s\/--stack <stack>, e.g. -s dev/);
    const half = trustDiff("--before", before);
    assert.equal(half.code, 2);
    assert.match(
      half.stderr,
      /--after is missing: --before and --after name the two stack files to compare/,
    );
    const unnamed = trustDiff("--before", before, "--after", added);
    assert.equal(unnamed.code, 1, "the after file is not named for a stack; the before file is");
    const missingFile = trustDiff("--before", path.join(dir, "nope.yaml"), "--after", before);
    assert.equal(missingFile.code, 2);
    assert.equal(
      missingFile.stderr,
      `error: --before is "${path.join(dir, "nope.yaml")}"; must be a readable stack file: it does not exist\n`,
    );
  });

  it("suggests the option meant", () => {
    const result = trustDiff("--bas", "main");
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^error: trust-diff has no option --bas; did you mean --base\?/);
  });

  it("is listed in the help, with its formats and exit codes", () => {
    const help = runCli(["help", "trust-diff"]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: trusted-delivery trust-diff -s <stack> --base <git ref>/);
    assert.match(help.stdout, /The result's format: table, json, markdown\. Default: table\./);
    assert.match(help.stdout, /--accept-wider/);
    assert.match(
      help.stdout,
      /Exit codes: 0 done; 1 a trust is wider \(or could not be proven not to be\), without --accept-wider; 2/,
    );
    assert.match(
      runCli(["help"]).stdout,
      /\n {2}trust-diff {8}What each app's push-role trust admits now/,
    );
  });
});

describe("the platform repository's pull requests get trust-diff's summary", () => {
  const workflow = YAML.parse(
    fs.readFileSync(
      path.join(
        __dirname,
        "../../examples/platform-pipeline/.github/workflows/platform-preview.yml",
      ),
      "utf8",
    ),
  );
  const job = workflow.jobs.preview;
  const step = (name: string) => job.steps.find((s: { name: string }) => s.name === name);

  it("runs trust-diff for each stack against the base branch, as Markdown, and fails the job last when wider", () => {
    const diff = job.steps.find((s: { id?: string }) => s.id === "trust-diff");
    assert.equal(
      diff.run,
      'npm run trusted-delivery -- trust-diff -s "$STACK" --base "origin/$BASE_REF" -f markdown -o trust-diff.md',
    );
    assert.deepEqual(diff.env, {
      STACK: "${{ matrix.stack }}",
      BASE_REF: "${{ github.base_ref }}",
    });
    assert.equal(diff["continue-on-error"], true);
    assert.equal(job.steps[0].with["fetch-depth"], 0);
    const last = job.steps[job.steps.length - 1];
    assert.equal(last.if, "steps.trust-diff.outcome == 'failure'");
    assert.match(last.run, /exit 1\n$/);
  });

  it("posts it as one comment per stack, edited on each push, with pull-requests: write alone", () => {
    const post = step("Post the trust summary to the pull request");
    assert.equal(post.if, "always() && hashFiles('trust-diff.md') != ''");
    assert.match(post.run, /^marker="<!-- trusted-delivery trust-diff \$STACK -->"\n/);
    assert.match(post.run, /gh api --method PATCH "repos\/\$GH_REPO\/issues\/comments\/\$id"/);
    assert.match(post.run, /gh pr comment "\$PR" --body "\$body"/);
    assert.equal(post.env.GH_TOKEN, "${{ secrets.GITHUB_TOKEN }}");
    assert.deepEqual(workflow.permissions, { contents: "read" });
    assert.equal(job.permissions["pull-requests"], "write");
  });
});
