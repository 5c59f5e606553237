import { strict as assert } from "assert";
import { appsForResources, parseBenchArgs, usage } from "../../bench/options";

describe("the bench's command line", () => {
  it("takes --readme and --quick, off by default", () => {
    assert.deepEqual(parseBenchArgs([]), { readme: false, quick: false, help: false });
    assert.deepEqual(parseBenchArgs(["--readme"]), { readme: true, quick: false, help: false });
    assert.deepEqual(parseBenchArgs(["--quick"]), { readme: false, quick: true, help: false });
  });

  it("refuses an unknown argument, naming it, with the usage", () => {
    assert.throws(() => parseBenchArgs(["--fast", "--readme"]), {
      message: `unknown argument "--fast"\n\n${usage}`,
    });
  });

  it("never writes --quick figures into the README", () => {
    assert.throws(() => parseBenchArgs(["--quick", "--readme"]), {
      message:
        "--quick results are for iterating on the bench and never go into README.md: drop --quick or --readme",
    });
  });

  it("documents --quick and --readme in its usage", () => {
    assert.match(usage, /^ {2}--quick {3}\S/m);
    assert.match(usage, /^ {2}--readme {2}\S/m);
  });

  it("measures the worst-case table alone with --only worst-case, given apart or with =", () => {
    const alone = { readme: false, quick: false, help: false, only: "worst-case" };
    assert.deepEqual(parseBenchArgs(["--only", "worst-case"]), alone);
    assert.deepEqual(parseBenchArgs(["--only=worst-case"]), alone);
    assert.deepEqual(parseBenchArgs(["--quick", "--only", "worst-case"]), {
      ...alone,
      quick: true,
    });
  });

  it("refuses --only with another part, naming the parts it measures alone", () => {
    assert.throws(() => parseBenchArgs(["--only", "startup"]), {
      message:
        '--only is "startup"; the parts measured alone are "worst-case", "plan-at-scale", "audit", e.g. --only worst-case',
    });
    assert.throws(() => parseBenchArgs(["--only"]), {
      message: `--only needs a value\n\n${usage}`,
    });
  });

  it("measures another pack with --pack, for the worst-case table alone", () => {
    assert.deepEqual(
      parseBenchArgs(["--only", "worst-case", "--pack", "scratch/before/policy-pack"]),
      {
        readme: false,
        quick: false,
        help: false,
        only: "worst-case",
        pack: "scratch/before/policy-pack",
      },
    );
    assert.throws(() => parseBenchArgs(["--pack", "scratch/before/policy-pack"]), {
      message:
        "--pack is for the worst-case table alone, whose figures never go into README.md or bench/results: add --only worst-case",
    });
  });

  it("never writes one table alone into the README", () => {
    assert.throws(() => parseBenchArgs(["--only", "worst-case", "--readme"]), {
      message: "--only measures one table, and README.md holds them all: drop --only or --readme",
    });
  });

  it("measures the offline plan at scale alone with --only plan-at-scale", () => {
    assert.deepEqual(parseBenchArgs(["--only", "plan-at-scale"]), {
      readme: false,
      quick: false,
      help: false,
      only: "plan-at-scale",
    });
  });

  it("measures the audit at scale alone with --only audit", () => {
    assert.deepEqual(parseBenchArgs(["--quick", "--only", "audit"]), {
      readme: false,
      quick: true,
      help: false,
      only: "audit",
    });
  });

  it("documents --only worst-case, --only plan-at-scale, --only audit and --pack in its usage", () => {
    assert.match(usage, /^ {2}--only audit\n {12}\S/m);
    assert.match(usage, /^ {2}--only plan-at-scale\n {12}\S/m);
    assert.match(usage, /^ {2}--only worst-case\n {12}\S/m);
    assert.match(usage, /^ {2}--pack <dir>\n {12}\S/m);
    assert.ok(
      usage.startsWith(
        "Usage: npm run bench -- [--readme] [--quick] [--only worst-case [--pack <dir>] | --only plan-at-scale | --only audit]",
      ),
    );
  });
});

describe("the policy benchmark's stack size", () => {
  it("has as many apps as bring the custom resources nearest the target", () => {
    // 1,428 pipelines of 7 and 2 shared resources make 9,998; 1,429 would make 10,005.
    assert.equal(appsForResources(10000, 7, 2), 1428);
  });

  it("has at least one app", () => {
    assert.equal(appsForResources(3, 7, 2), 1);
  });
});
