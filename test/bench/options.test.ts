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
