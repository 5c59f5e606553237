import { strict as assert } from "assert";
import { scalingOf } from "../../bench/programCost";
import { median, ratio } from "../../bench/stats";
import { programSize } from "./sampleResults";

describe("the bench's statistics", () => {
  it("take the middle of an odd number of measurements, in any order", () => {
    assert.equal(median([9, 1, 5, 7, 3]), 5);
  });

  it("take the mean of the middle two of an even number", () => {
    assert.equal(median([4, 1, 3, 10]), 3.5);
  });

  it("refuse the median of nothing", () => {
    assert.throws(() => median([]), { message: "median of no measurements" });
  });

  it("round ratios to two decimals, and give none against a zero reference", () => {
    assert.equal(ratio(2, 3), 0.67);
    assert.equal(ratio(2, 0), undefined);
  });
});

const size = programSize;

describe("the program cost's scaling", () => {
  it("compares per-app time at the largest size with that at 10 apps", () => {
    const scaling = scalingOf([size(1, 30, 20), size(10, 150, 160), size(1000, 30000, 24000)]);
    assert.deepEqual(scaling, {
      fromApps: 10,
      toApps: 1000,
      perAppTime: 2,
      // 24000 / 8003 against 160 / 83 per resource
      referencePerResourceTime: 1.56,
    });
  });

  it("is not given for a single size", () => {
    assert.equal(scalingOf([size(10, 150, 160)]), undefined);
  });
});
