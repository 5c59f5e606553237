/**
 * The pack's reader of `Analyze` and `AnalyzeStack` requests (`policy-pack/lib/analyzerRequests.ts`)
 * against the generated decoder it stands in for (`@pulumi/pulumi`'s `analyzer_pb`, on
 * google-protobuf): on generated property values, on generated requests, on the wire's corner
 * cases written by hand, and on requests with bytes changed at random, every getter a handler
 * reads must give what the generated decoder's gives, and properties what `Struct.toJavaScript`
 * gives (the same values, keys in the same order). Where the generated decoder refuses a request,
 * the reader must refuse it too, or refuse the properties it could not read when they are read.
 */
import { strict as assert } from "assert";
import fc from "fast-check";
import { isDeepStrictEqual } from "util";
import {
  AnalyzerProtos,
  requestsWithPropertiesWhenAsked,
} from "../../policy-pack/lib/analyzerRequests";

const analyzer = require("@pulumi/pulumi/proto/analyzer_pb");
const fromAnalyzer = (id: string) =>
  require(require.resolve(id, { paths: [require.resolve("@pulumi/pulumi/proto/analyzer_pb")] }));
const struct = fromAnalyzer("google-protobuf/google/protobuf/struct_pb");
const protobuf = fromAnalyzer("google-protobuf");
const protos: AnalyzerProtos = { struct, protobuf };
const readStack = requestsWithPropertiesWhenAsked(analyzer.AnalyzeStackRequest, protos);
const readResource = requestsWithPropertiesWhenAsked(analyzer.AnalyzeRequest, protos);

/** What happened when `read` ran: its value, or that it threw. */
type Outcome = { value: unknown } | { threw: string };

function outcome(read: () => unknown): Outcome {
  try {
    return { value: read() };
  } catch (error) {
    return { threw: String(error) };
  }
}

/** A value with its objects' keys in order, so that two can be compared key order included. */
function ordered(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(ordered);
  }
  if (value !== null && typeof value === "object") {
    return Object.entries(value).map(([k, v]) => [k, ordered(v)]);
  }
  return value;
}

/**
 * Whether ours read as the generated decoder did. `refusals` allows ours to refuse (throw) where
 * the generated decoder read something: for malformed bytes, which it may read on past a
 * Struct's end, refusing is the fail-closed answer.
 */
function sameOutcome(ours: Outcome, generated: Outcome, what: string, refusals: boolean): void {
  if (refusals && "threw" in ours) {
    return;
  }
  assert.equal(
    "threw" in ours,
    "threw" in generated,
    `${what}: ${JSON.stringify(ours)} where the generated decoder gives ${JSON.stringify(generated)}`,
  );
  if ("value" in ours && "value" in generated) {
    assert.ok(
      isDeepStrictEqual(ordered(ours.value), ordered(generated.value)),
      `${what}: ${JSON.stringify(ours.value)} where the generated decoder reads ${JSON.stringify(generated.value)}`,
    );
  }
}

/** Everything a handler reads of a resource (`analyzerService.ts`), each as an outcome. */
function readings(resource: any): Record<string, Outcome> {
  const has = (getter: string) => typeof resource[getter] === "function";
  return {
    type: outcome(() => resource.getType()),
    urn: outcome(() => resource.getUrn()),
    name: outcome(() => resource.getName()),
    parent: outcome(() => (has("getParent") ? resource.getParent() : undefined)),
    dependencies: outcome(() => (has("getDependenciesList") ? resource.getDependenciesList() : [])),
    propertyDependencies: outcome(() =>
      has("getPropertydependenciesMap") ? resource.getPropertydependenciesMap().toObject() : [],
    ),
    options: outcome(() => resource.getOptions()?.toObject()),
    provider: outcome(() => {
      const provider = resource.getProvider();
      return (
        provider && {
          type: provider.getType(),
          urn: provider.getUrn(),
          name: provider.getName(),
          properties: provider.getProperties()?.toJavaScript(),
        }
      );
    }),
    properties: outcome(() => resource.getProperties()?.toJavaScript()),
    // What the rest of the generated API gives of the properties, for any other reader.
    propertiesAsFields: outcome(() => resource.getProperties()?.toObject()),
  };
}

function refusedSomewhere(resources: readonly any[]): boolean {
  return resources.some((r) => Object.values(readings(r)).some((o) => "threw" in o));
}

/**
 * Ours and the generated decoder's reading of a request (`AnalyzeStackRequest` when `stack`),
 * compared; `refusals` as in {@link sameOutcome}.
 */
function compare(bytes: Uint8Array, stack: boolean, refusals: boolean): void {
  const messageClass = stack ? analyzer.AnalyzeStackRequest : analyzer.AnalyzeRequest;
  const resourcesOf = (request: any): any[] => (stack ? request.getResourcesList() : [request]);
  const generated = outcome(() => messageClass.deserializeBinary(bytes));
  const ours = outcome(() => (stack ? readStack : readResource)(Buffer.from(bytes)));
  if ("threw" in generated) {
    // Ours may have put off the properties it could not read; reading them must then fail.
    assert.ok(
      "threw" in ours || refusedSomewhere(resourcesOf(ours.value)),
      `the generated decoder refused the request (${generated.threw}); ours read all of it`,
    );
    return;
  }
  if (refusals && "threw" in ours) {
    return;
  }
  assert.ok(
    "value" in ours,
    `ours refused a request the generated decoder reads: ${JSON.stringify(ours)}`,
  );
  const theirs = resourcesOf(generated.value);
  const mine = resourcesOf(ours.value);
  assert.equal(mine.length, theirs.length, "as many resources");
  mine.forEach((r, i) => {
    const a = readings(r);
    const b = readings(theirs[i]);
    for (const key of Object.keys(b)) {
      sameOutcome(a[key], b[key], `resource ${i}'s ${key}`, refusals);
    }
  });
}

const compareStack = (bytes: Uint8Array) => compare(bytes, true, false);

/** Property values as a program's resources have them, and the awkward ones. */
const propertyValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.double(),
    fc.constantFrom(0, -0, NaN, Infinity, -Infinity, 2 ** 53 + 1, 5e-324),
    fc.string({ unit: "grapheme" }),
    fc.string({ unit: "binary" }),
    fc.constantFrom("\ufeffbom", "arn:aws:iam::123456789012:role/x", ""),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(
      fc.oneof(fc.string(), fc.constantFrom("10", "2", "__proto__", "é", "Z")),
      tie("value"),
      {
        maxKeys: 4,
      },
    ),
  ),
})).value;

const properties = fc.dictionary(fc.string(), propertyValue, { maxKeys: 5 });

function structOf(value: Record<string, unknown>): any {
  return struct.Struct.fromJavaScript(value);
}

/** A resource as the engine sends one, every field of it set at random. */
const resource = fc.record({
  type: fc.string(),
  urn: fc.string(),
  name: fc.string({ unit: "grapheme" }),
  parent: fc.option(fc.string(), { nil: undefined }),
  dependencies: fc.array(fc.string(), { maxLength: 3 }),
  propertyDependencies: fc.dictionary(fc.string(), fc.array(fc.string(), { maxLength: 2 }), {
    maxKeys: 2,
  }),
  properties: fc.option(properties, { nil: undefined }),
  protect: fc.boolean(),
  ignoreChanges: fc.array(fc.string(), { maxLength: 2 }),
  provider: fc.option(fc.record({ type: fc.string(), urn: fc.string(), properties }), {
    nil: undefined,
  }),
});

type GeneratedResource = typeof resource extends fc.Arbitrary<infer T> ? T : never;

function analyzerResource(r: GeneratedResource): any {
  const message = new analyzer.AnalyzerResource();
  message.setType(r.type);
  message.setUrn(r.urn);
  message.setName(r.name);
  if (r.parent !== undefined) {
    message.setParent(r.parent);
  }
  message.setDependenciesList(r.dependencies);
  for (const [key, urns] of Object.entries(r.propertyDependencies)) {
    const dependencies = new analyzer.AnalyzerPropertyDependencies();
    dependencies.setUrnsList(urns);
    message.getPropertydependenciesMap().set(key, dependencies);
  }
  if (r.properties !== undefined) {
    message.setProperties(structOf(r.properties));
  }
  const options = new analyzer.AnalyzerResourceOptions();
  options.setProtect(r.protect);
  options.setIgnorechangesList(r.ignoreChanges);
  message.setOptions(options);
  if (r.provider !== undefined) {
    const provider = new analyzer.AnalyzerProviderResource();
    provider.setType(r.provider.type);
    provider.setUrn(r.provider.urn);
    provider.setProperties(structOf(r.provider.properties));
    message.setProvider(provider);
  }
  return message;
}

function stackRequest(resources: readonly GeneratedResource[]): Uint8Array {
  const request = new analyzer.AnalyzeStackRequest();
  request.setResourcesList(resources.map(analyzerResource));
  return request.serializeBinary();
}

function analyzeRequest(r: GeneratedResource): Uint8Array {
  const source = analyzerResource(r);
  const request = new analyzer.AnalyzeRequest();
  request.setType(source.getType());
  request.setUrn(source.getUrn());
  request.setName(source.getName());
  if (source.hasProperties()) {
    request.setProperties(source.getProperties());
  }
  request.setOptions(source.getOptions());
  if (source.hasProvider()) {
    request.setProvider(source.getProvider());
  }
  return request.serializeBinary();
}

/** Protobuf's wire, by hand. */
function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
  return out;
}
const tag = (field: number, wireType: number) => varint(field * 8 + wireType);
const delimited = (field: number, payload: number[]) => [
  ...tag(field, 2),
  ...varint(payload.length),
  ...payload,
];
const utf8 = (s: string) => [...Buffer.from(s, "utf8")];
const double = (n: number) => {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(n);
  return [...b];
};
const entry = (key: number[] | undefined, value: number[] | undefined) =>
  delimited(1, [...(key ? delimited(1, key) : []), ...(value ? delimited(2, value) : [])]);
const stringValue = (s: string) => delimited(3, utf8(s));
/** An `AnalyzeStackRequest` of one resource of type "t" whose properties are `struct`'s bytes. */
const oneResource = (structBytes: number[], ...more: number[][]) =>
  Uint8Array.from(
    delimited(1, [...delimited(1, utf8("t")), ...delimited(2, structBytes), ...more.flat()]),
  );

describe("analyzer requests: properties read when asked, as the generated decoder reads them", () => {
  it("reads generated property values as Struct.toJavaScript does, keys in the same order", () => {
    fc.assert(
      fc.property(properties, (value) => {
        const bytes = structOf(value).serializeBinary();
        compareStack(oneResource([...bytes]));
      }),
      { numRuns: 2000 },
    );
  });

  it("reads generated AnalyzeStack requests as the generated decoder does, every getter a handler reads", () => {
    fc.assert(
      fc.property(fc.array(resource, { maxLength: 4 }), (resources) =>
        compareStack(stackRequest(resources)),
      ),
      { numRuns: 500 },
    );
  });

  it("reads generated Analyze requests as the generated decoder does", () => {
    fc.assert(
      fc.property(resource, (r) => compare(analyzeRequest(r), false, false)),
      { numRuns: 500 },
    );
  });

  it("reads requests with bytes changed at random as the generated decoder does, or refuses them (never reads what it refused)", () => {
    const changed = fc
      .tuple(
        fc.array(resource, { minLength: 1, maxLength: 2 }),
        // Bytes below 0x80 only: one of 0x80 or above can lengthen a length to gigabytes, which
        // the generated decoder reads on for minutes (the wire's corner cases below have them).
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 127 })), {
          minLength: 1,
          maxLength: 4,
        }),
        fc.nat(),
      )
      .map(([resources, edits, cut]) => {
        const bytes = stackRequest(resources);
        for (const [at, byte] of edits) {
          bytes[at % bytes.length] = byte;
        }
        return cut % 3 === 0 ? bytes.subarray(0, cut % (bytes.length + 1)) : bytes;
      });
    fc.assert(
      fc.property(changed, (bytes) => compare(bytes, true, true)),
      { numRuns: 3000 },
    );
  });

  describe("the wire's corner cases", () => {
    const cases: [string, number[]][] = [
      [
        "a key given twice: the later value",
        [...entry(utf8("a"), stringValue("1")), ...entry(utf8("a"), stringValue("2"))],
      ],
      [
        "a value with two kinds: the last one",
        entry(utf8("a"), [...stringValue("x"), ...tag(4, 0), 1]),
      ],
      [
        "a value with a struct kind replaced by a string",
        entry(utf8("a"), [...delimited(5, entry(utf8("b"), [])), ...stringValue("x")]),
      ],
      ["a value of no kind", entry(utf8("a"), [])],
      ["an entry with no value", entry(utf8("a"), undefined)],
      ["an entry with no key", entry(undefined, stringValue("v"))],
      [
        "unknown fields in a struct, an entry and a value",
        [
          ...tag(7, 0),
          5,
          ...entry(utf8("a"), [...tag(9, 1), ...double(1), ...stringValue("v")]),
          ...delimited(15, [1, 2]),
        ],
      ],
      ["a byte-order mark leading a string", entry(utf8("\ufeffk"), stringValue("\ufeffv"))],
      ["a string that is not UTF-8", entry(utf8("a"), delimited(3, [0xc3, 0x28]))],
      ["a key that is not UTF-8", entry([0xff, 0xfe], stringValue("v"))],
      [
        "a bool set by a five-byte varint",
        entry(utf8("a"), [...tag(4, 0), 0x80, 0x80, 0x80, 0x80, 0x10]),
      ],
      [
        "a bool whose low 32 bits are zero",
        entry(utf8("a"), [...tag(4, 0), 0x80, 0x80, 0x80, 0x80, 0x10, 0x00].slice(0, 6)),
      ],
      ["a null of enum value 7", entry(utf8("a"), [...tag(1, 0), 7])],
      ["a number given as a varint", entry(utf8("a"), [...tag(2, 0), 1])],
      ["a string given as a varint", entry(utf8("a"), [...tag(3, 0), 1])],
      [
        "negative zero, NaN and the smallest double",
        [
          ...entry(utf8("z"), [...tag(2, 1), ...double(-0)]),
          ...entry(utf8("n"), [...tag(2, 1), ...double(NaN)]),
          ...entry(utf8("s"), [...tag(2, 1), ...double(5e-324)]),
        ],
      ],
      [
        "__proto__ as a key",
        [
          ...entry(utf8("__proto__"), delimited(5, entry(utf8("polluted"), stringValue("yes")))),
          ...entry(utf8("b"), stringValue("v")),
        ],
      ],
      [
        "a list with an unknown field and a value of no kind",
        entry(utf8("a"), delimited(6, [...tag(3, 0), 1, ...delimited(1, [])])),
      ],
      [
        "an unknown field in a map entry, which the generated map reader does not skip",
        delimited(1, [
          ...tag(129, 5),
          32,
          32,
          32,
          32,
          ...tag(4, 0),
          46,
          ...delimited(2, [...tag(1, 0), 0]),
        ]),
      ],
      [
        "a value given twice in one entry, the second of no kind",
        delimited(1, [
          ...delimited(1, utf8("a")),
          ...delimited(2, stringValue("x")),
          ...delimited(2, []),
        ]),
      ],
      [
        "a value given twice in one entry, both with kinds",
        delimited(1, [
          ...delimited(1, utf8("a")),
          ...delimited(2, stringValue("x")),
          ...delimited(2, [...tag(4, 0), 1]),
        ]),
      ],
      ["a group wire type", [...tag(3, 3), ...tag(3, 4)]],
      ["a length past the end", [...tag(1, 2), 50, 1]],
    ];
    for (const [name, bytes] of cases) {
      it(name, () => compareStack(oneResource(bytes)));
    }

    it("counter-example 1 (random bytes): an entry with unknown fields, the request refused by the generated decoder", () => {
      compareStack(
        Uint8Array.from([
          10, 128, 1, 10, 3, 32, 32, 32, 18, 16, 10, 14, 141, 8, 32, 32, 32, 32, 32, 32, 32, 46, 18,
          2, 8, 0, 42, 0, 50, 101, 18, 99, 10, 97, 10, 0, 18, 93, 42, 91, 10, 68, 10, 0, 18, 64, 42,
          62, 10, 14, 10, 1, 32, 18, 9, 17, 0, 0, 0, 0, 0, 0, 0, 0, 10, 8, 10, 2, 49, 48, 18, 2, 8,
          0, 10, 34, 10, 1, 90, 18, 29, 26, 27, 240, 144, 128, 128, 240, 144, 128, 128, 240, 144,
          128, 128, 224, 160, 128, 240, 144, 128, 128, 240, 144, 128, 128, 240, 144, 128, 128, 10,
          9, 10, 3, 32, 32, 32, 18, 2, 8, 0, 10, 8, 10, 2, 49, 48, 18, 2, 8, 0,
        ]),
      );
    });

    it("properties whose value claims 1.75 GiB are refused when read, where the generated decoder reads on for minutes", () => {
      // The map entry's own length is right, so the Struct is passed over; its value's is not.
      const bytes = oneResource(
        delimited(1, [...delimited(1, utf8("a")), ...tag(2, 2), 0x80, 0x80, 0x80, 0x80, 0x07]),
      );
      const [only] = readStack(Buffer.from(bytes)).getResourcesList();
      assert.throws(
        () => only.getProperties().toJavaScript(),
        /the resource's properties are not well-formed protobuf: a length past the end/,
      );
    });

    it("properties whose map entry claims 1.75 GiB refuse the request (passing over them asserts)", () => {
      const bytes = oneResource([...tag(1, 2), 0x80, 0x80, 0x80, 0x80, 0x07, 0, 0]);
      assert.throws(() => readStack(Buffer.from(bytes)), /Assertion failed/);
    });

    it("properties given twice: the last ones", () => {
      compareStack(
        oneResource(
          [...entry(utf8("a"), stringValue("first"))],
          delimited(2, entry(utf8("a"), stringValue("second"))),
        ),
      );
    });

    it("properties given twice, the first malformed: the request refused, as the generated decoder refuses it", () => {
      // An entry whose key has wire type 6, replaced by well-formed properties.
      const bytes = oneResource(
        delimited(1, [...tag(1, 6), ...delimited(2, stringValue("x"))]),
        delimited(2, entry(utf8("a"), stringValue("second"))),
      );
      assert.throws(() => analyzer.AnalyzeStackRequest.deserializeBinary(bytes));
      assert.throws(() => readStack(Buffer.from(bytes)), /wire type/i);
      compareStack(bytes);
    });

    it("a provider given twice, the first one's properties malformed: the request refused", () => {
      const provider = (structBytes: number[]) =>
        delimited(6, [...delimited(1, utf8("p")), ...delimited(2, structBytes)]);
      const bytes = oneResource(
        entry(utf8("a"), stringValue("v")),
        provider(delimited(1, [...tag(1, 6), ...delimited(2, stringValue("x"))])),
        provider(entry(utf8("b"), stringValue("w"))),
      );
      assert.throws(() => analyzer.AnalyzeStackRequest.deserializeBinary(bytes));
      assert.throws(() => readStack(Buffer.from(bytes)));
    });

    it("counter-example 2 (random bytes, seed 1935699636): a resource's malformed properties replaced by later ones, the request refused by the generated decoder", () => {
      compare(
        Uint8Array.from([
          10, 189, 2, 10, 8, 32, 32, 32, 32, 32, 32, 32, 32, 18, 170, 1, 10, 126, 10, 0, 18, 9, 17,
          0, 0, 0, 0, 0, 0, 0, 0, 10, 32, 10, 4, 32, 32, 32, 32, 18, 24, 26, 22, 224, 160, 128, 240,
          144, 128, 128, 240, 144, 128, 128, 224, 160, 128, 240, 144, 128, 128, 240, 144, 128, 128,
          10, 13, 10, 7, 32, 32, 32, 32, 32, 32, 32, 18, 2, 8, 0, 10, 14, 10, 8, 32, 32, 32, 32, 32,
          32, 32, 32, 18, 2, 8, 0, 10, 88, 10, 10, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 18, 74,
          42, 72, 10, 18, 10, 4, 32, 32, 32, 32, 18, 10, 50, 8, 10, 2, 8, 0, 10, 2, 8, 0, 10, 31,
          10, 2, 49, 48, 18, 25, 50, 23, 10, 2, 8, 0, 10, 2, 8, 0, 10, 2, 8, 0, 10, 9, 17, 0, 0, 0,
          0, 0, 0, 0, 0, 10, 7, 10, 1, 90, 18, 2, 8, 0, 10, 8, 10, 2, 195, 169, 18, 2, 8, 0, 26, 2,
          32, 32, 89, 9, 18, 5, 32, 32, 32, 32, 32, 18, 0, 50, 98, 18, 90, 10, 42, 10, 2, 32, 32,
          18, 36, 50, 34, 10, 21, 50, 19, 10, 2, 8, 0, 10, 9, 17, 0, 0, 0, 0, 0, 0, 0, 0, 10, 2, 8,
          0, 10, 9, 17, 0, 0, 0, 0, 0, 0, 0, 0, 10, 44, 10, 6, 32, 32, 32, 32, 32, 32, 18, 34, 26,
          32, 240, 144, 128, 128, 240, 144, 128, 128, 240, 144, 128, 128, 240, 144, 128, 128, 240,
          144, 128, 128, 240, 144, 128, 128, 240, 144, 128, 128, 240, 144, 128, 128, 26, 4, 32, 32,
          32, 32, 58, 3, 32, 32, 32, 66, 4, 32, 32, 32, 32, 66, 6, 32, 32, 32, 32, 32, 32, 10, 160,
          1, 10, 6, 32, 32, 32, 32, 32, 32, 18, 55, 10, 17, 10, 4, 32, 32, 32, 32, 18, 9, 17, 0, 0,
          0, 0, 0, 0, 0, 0, 10, 34, 10, 7, 32, 32, 32, 32, 32, 32, 32, 18, 23, 42, 21, 10, 9, 10, 3,
          32, 32, 32, 18, 2, 8, 0, 10, 8, 10, 2, 49, 48, 18, 2, 8, 0, 26, 10, 32, 32, 32, 32, 32,
          32, 32, 32, 32, 32, 34, 8, 240, 144, 128, 128, 240, 144, 128, 128, 42, 18, 18, 8, 32, 32,
          32, 32, 32, 32, 32, 32, 18, 6, 32, 32, 32, 32, 32, 32, 50, 51, 18, 45, 10, 43, 10, 7, 32,
          32, 32, 32, 32, 32, 32, 18, 32, 50, 30, 10, 9, 17, 0, 0, 0, 0, 0, 0, 0, 0, 10, 2, 8, 0,
          10, 9, 17, 0, 0, 0, 0, 0, 0, 0, 0, 10, 2, 8, 0, 26, 2, 32, 32,
        ]),
        true,
        true,
      );
    });

    it("properties given as a varint: the generated decoder's reading", () => {
      compareStack(Uint8Array.from(delimited(1, [...delimited(1, utf8("t")), ...tag(2, 0), 1])));
    });

    it("reads no resource's properties until asked: a request whose only malformed bytes are unread properties is read, and reading them fails", () => {
      const bytes = oneResource([...tag(1, 0), 5]); // a map entry as a varint
      assert.throws(() => analyzer.AnalyzeStackRequest.deserializeBinary(bytes));
      const request = readStack(Buffer.from(bytes));
      const [only] = request.getResourcesList();
      assert.equal(only.getType(), "t");
      assert.throws(() => only.getProperties().toJavaScript());
    });
  });
});
