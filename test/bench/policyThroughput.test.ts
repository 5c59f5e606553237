import { strict as assert } from "assert";
import { inTurn, peakRssOfProcess, peakRssOfStatus } from "../../bench/policyThroughput";

describe("the policy pack's peak memory", () => {
  it("is the VmHWM line of /proc/<pid>/status, in bytes", () => {
    const status = [
      "Name:\tnode",
      "VmPeak:\t 1241200 kB",
      "VmHWM:\t  163840 kB",
      "VmRSS:\t  150000 kB",
    ].join("\n");
    assert.equal(peakRssOfStatus(status), 163840 * 1024);
  });

  it("is not given when the status has no VmHWM line", () => {
    assert.equal(peakRssOfStatus("Name:\tnode\nVmRSS:\t 150000 kB\n"), undefined);
  });

  it("is read for a running process, and not given for no process", () => {
    if (process.platform === "linux") {
      const peak = peakRssOfProcess(process.pid);
      assert.ok(peak !== undefined && peak >= process.memoryUsage().rss / 2, `peak ${peak}`);
    }
    assert.equal(peakRssOfProcess(undefined), undefined);
  });
});

describe("the packs' turns", () => {
  it("puts each pack first once in as many turns as there are packs, and keeps every pack in each", () => {
    const packs = ["ours", "awsguard", "floor"];
    const turns = [0, 1, 2].map((turn) => inTurn(packs, turn));
    assert.deepEqual(
      turns.map((t) => t[0]),
      ["ours", "awsguard", "floor"],
    );
    for (const t of turns) {
      assert.deepEqual([...t].sort(), [...packs].sort());
    }
    assert.deepEqual(inTurn(packs, 3), packs);
  });
});
