/**
 * Characters as the model reads them (MODEL.md, "Characters"): sets of code points as ranges,
 * and the partition a search tries one representative of per class. That partition must cover
 * every character, so that no character can hide from a search.
 */
import { strict as assert } from "assert";
import fc from "fast-check";
import { caseFold, CharSet, partition } from "../../policy-pack/iam/charset";

const point = fc.oneof(
  fc.integer({ min: 0, max: 0x7f }),
  fc.integer({ min: 0x80, max: 0xffff }).filter((p) => p < 0xd800 || p >= 0xe000),
  fc.integer({ min: 0x10000, max: 0x10ffff }),
);
const set: fc.Arbitrary<CharSet> = fc.oneof(
  fc.array(point, { maxLength: 6 }).map((points) => CharSet.fromPoints(points)),
  fc.tuple(point, point).map(([a, b]) => CharSet.fromRange(Math.min(a, b), Math.max(a, b) + 1)),
  fc.array(point, { maxLength: 4 }).map((points) => CharSet.fromPoints(points).complement()),
);

describe("characters as exact sets, and the classes a search tries", () => {
  it("the classes of any sets cover every character once, and their representatives are members", () => {
    fc.assert(
      fc.property(
        fc.array(set, { maxLength: 6 }),
        fc.array(point, { maxLength: 20 }),
        (sets, probes) => {
          const { classes, memberships } = partition(sets);
          const union = classes.reduce((all, c) => all.union(c.members), CharSet.none);
          assert.equal(union.key(), CharSet.all.key(), "the classes cover every character");
          for (let i = 0; i < classes.length; i += 1) {
            assert.ok(classes[i].members.hasChar(classes[i].representative));
            for (let j = i + 1; j < classes.length; j += 1) {
              assert.ok(classes[i].members.intersect(classes[j].members).isEmpty(), "disjoint");
            }
          }
          // Every character behaves as its class's representative in every set.
          for (const p of probes.filter((x) => CharSet.all.has(x))) {
            const at = classes.findIndex((c) => c.members.has(p));
            assert.ok(at >= 0);
            sets.forEach((s, k) => assert.equal(s.has(p), memberships[k][at]));
          }
        },
      ),
      { numRuns: Number(process.env.CHARSET_RUNS ?? 300) },
    );
  });

  it("a set naming every printable ASCII character and the old stand-ins still leaves a class for the rest", () => {
    const named = CharSet.of(
      `${Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join("")}xqzjkvwybdfghmnpstulorei0123456789~\u00e6\u00f8\u00df\u4e00`,
    );
    const { classes } = partition([named]);
    const outside = classes.find((c) => !named.hasChar(c.representative));
    assert.ok(outside, "a class outside the set");
    assert.equal(outside!.representative, "\u00aa");
  });

  it("surrogate halves are not characters: the sets hold scalar values only", () => {
    assert.equal(CharSet.all.has(0xd800), false);
    assert.equal(CharSet.all.has(0xdfff), false);
    assert.equal(CharSet.all.has(0xe000), true);
    assert.equal(CharSet.of("\u{1f600}").has(0x1f600), true);
  });

  it("letter case: surely the ASCII partner, maybe what Java's and JavaScript's folding add (the Kelvin sign, the long s)", () => {
    const k = caseFold("k");
    assert.deepEqual(
      [k.surely.hasChar("k"), k.surely.hasChar("K"), k.surely.hasChar("\u212a")],
      [true, true, false],
    );
    assert.equal(k.maybe.hasChar("\u212a"), true);
    const s = caseFold("s");
    assert.equal(s.maybe.hasChar("\u017f"), true);
    const digit = caseFold("1");
    assert.equal(digit.maybe.key(), digit.surely.key());
    const sharp = caseFold("\u00e9");
    assert.ok(sharp.maybe.hasChar("\u00c9"));
    assert.equal(sharp.surely.hasChar("\u00c9"), false);
  });
});
