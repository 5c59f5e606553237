import { strict as assert } from "assert";
import { peakRssOfProcess, peakRssOfStatus } from "../../bench/policyThroughput";

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
