/**
 * The Analyzer protocol's `Analyze` and `AnalyzeStack` requests, read with each resource's
 * properties left as bytes until a policy reads them.
 *
 * `@pulumi/pulumi`'s generated decoder (google-protobuf 3.21) builds a `Struct` of `Value`
 * messages for every resource's properties, and the policies' view then turns it into plain
 * values (`Struct.toJavaScript`). For a 12,000-resource `AnalyzeStack` that decoding was about a
 * second, and most of a stack's resources are of types no policy reads (GitHub variables and
 * secrets, components). Here the request is decoded by the generated code itself, with its
 * `Struct` reader swapped for the call for one that passes over the Struct's fields and keeps
 * where they lie; when a policy reads the properties, they are read from there straight into the
 * values `Struct.toJavaScript` gives (same keys in the same order, same numbers, strings and
 * nesting).
 *
 * What this reader does not know as plain protobuf it does not guess at: a wire type other than
 * the field's, a group, a varint longer than the flags and lengths here can be, a string that is
 * not UTF-8, a value of no kind, a map entry with a field other than its key and value (which
 * google-protobuf's map reader does not skip). The generated code then reads that Struct, from
 * the same place of the same bytes, so what is read is what the generated decoder reads.
 *
 * Other differences are refusals. Properties no policy reads are never decoded, so a request
 * whose unread properties are malformed is answered where the generated decoder would have
 * refused the whole call; properties a policy reads and cannot be decoded fail that policy's
 * validation, as any error does. A Struct with a length or value past its end, which the
 * generated decoder reads on into whatever follows (for a length of gigabytes, for minutes),
 * is refused: when passed over (google-protobuf asserts), or when read (`MalformedProperties`).
 * A Struct a later field replaced (properties given twice), which no policy can ever read, is read
 * at once, so that a malformed one refuses the request as the generated decoder refuses it.
 *
 * `test/policy-pack/analyzerRequests.test.ts` compares both readers on generated values and
 * requests, on the wire's corner cases and on requests with bytes changed at random;
 * `analyzerService.test.ts` serves the pack both ways over gRPC.
 */

/** The wire said something this reader does not read as plain protobuf; the generated decoder will. */
class UnfamiliarWire extends Error {}

/**
 * The wire is not protobuf at all (a length or value past the end of its message): refused,
 * where the generated decoder would read on past the end (for a length of gigabytes, for
 * minutes).
 */
export class MalformedProperties extends Error {
  constructor(what: string) {
    super(`the resource's properties are not well-formed protobuf: ${what}`);
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Wire types of protobuf's encoding. */
const varintWire = 0;
const fixed64Wire = 1;
const lengthDelimitedWire = 2;
const fixed32Wire = 5;

/** One field of a message on the wire: its number and type, and its payload. */
interface WireField {
  readonly number: number;
  readonly wireType: number;
  /** Where a length-delimited payload starts (else where the value starts). */
  readonly payload: number;
  /** Where the field ends. */
  readonly end: number;
  /** A varint field's value. */
  readonly value?: number;
}

/** A cursor over a message's bytes, reading its fields one after another. */
class WireReader {
  private at: number;

  constructor(
    readonly bytes: Uint8Array,
    start = 0,
    readonly end = bytes.length,
  ) {
    this.at = start;
  }

  get done(): boolean {
    return this.at >= this.end;
  }

  /** A varint of at most 31 bits (lengths, tags, flags); anything longer is unfamiliar. */
  private varint(): number {
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (this.at >= this.end) {
        throw new MalformedProperties("a varint runs past the end");
      }
      const byte = this.bytes[this.at++];
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) {
        if (value > 0x7fffffff) {
          throw new UnfamiliarWire("a varint beyond 31 bits");
        }
        return value;
      }
    }
    throw new UnfamiliarWire("a varint beyond 31 bits");
  }

  /** The next field. */
  field(): WireField {
    const tag = this.varint();
    const number = Math.floor(tag / 8);
    const wireType = tag & 7;
    if (number === 0) {
      throw new UnfamiliarWire("field number 0");
    }
    const payload = this.at;
    let value: number | undefined;
    switch (wireType) {
      case varintWire:
        value = this.varint();
        break;
      case fixed64Wire:
        this.at += 8;
        break;
      case lengthDelimitedWire: {
        const length = this.varint();
        const from = this.at;
        this.at += length;
        if (this.at > this.end) {
          throw new MalformedProperties("a length past the end");
        }
        return { number, wireType, payload: from, end: this.at };
      }
      case fixed32Wire:
        this.at += 4;
        break;
      default:
        throw new UnfamiliarWire(`wire type ${wireType}`);
    }
    if (this.at > this.end) {
      throw new MalformedProperties("a value past the end");
    }
    return { number, wireType, payload, end: this.at, value };
  }
}

/** A field's length-delimited payload as text; text that is not UTF-8 is unfamiliar. */
function text(bytes: Uint8Array, field: WireField): string {
  if (field.wireType !== lengthDelimitedWire) {
    throw new UnfamiliarWire(`field ${field.number} is not length-delimited`);
  }
  try {
    return utf8.decode(bytes.subarray(field.payload, field.end));
  } catch {
    throw new UnfamiliarWire(`field ${field.number} is not UTF-8`);
  }
}

/** The `Struct` whose bytes run from `start` to `end`, as `Struct.toJavaScript` reads it. */
function readStruct(bytes: Uint8Array, start: number, end: number): Record<string, unknown> {
  const entries = new Map<string, unknown>();
  const fields = new WireReader(bytes, start, end);
  while (!fields.done) {
    const field = fields.field();
    if (field.number !== 1) {
      continue; // an unknown field, skipped as the generated code skips it
    }
    if (field.wireType !== lengthDelimitedWire) {
      throw new UnfamiliarWire("a map entry that is not length-delimited");
    }
    // A map entry: key (1) and value (2). A missing key is "", as in the generated map; a
    // missing value is a Value of no kind, which `toJavaScript` refuses (unfamiliar here).
    let key = "";
    let value: unknown;
    let valued = false;
    const entry = new WireReader(bytes, field.payload, field.end);
    while (!entry.done) {
      const part = entry.field();
      if (part.number === 1) {
        key = text(bytes, part);
      } else if (part.number === 2) {
        if (part.wireType !== lengthDelimitedWire) {
          throw new UnfamiliarWire("a map value that is not length-delimited");
        }
        value = readValue(bytes, part.payload, part.end);
        valued = true;
      } else {
        // jspb.Map.deserializeBinary does not skip a field it does not know: it reads the
        // field's payload as the next field, so only the generated code can say what follows.
        throw new UnfamiliarWire(`field ${part.number} in a map entry`);
      }
    }
    if (!valued) {
      throw new UnfamiliarWire("a map entry without a value");
    }
    entries.set(key, value); // a later entry for a key replaces an earlier one
  }
  // `Struct.toJavaScript` visits the map's keys sorted (jspb.Map sorts its string keys).
  const result: Record<string, unknown> = {};
  for (const key of [...entries.keys()].sort()) {
    result[key] = entries.get(key);
  }
  return result;
}

/** The wire type of each of `Value`'s kinds, fields 1 to 6 (null, number, string, bool, struct, list). */
const valueKindWires = [
  varintWire,
  fixed64Wire,
  lengthDelimitedWire,
  varintWire,
  lengthDelimitedWire,
  lengthDelimitedWire,
];

/** A value kind given with another wire type than its own is unfamiliar. */
function expectWire(field: WireField, wireType: number): void {
  if (field.wireType !== wireType) {
    throw new UnfamiliarWire(`value kind ${field.number} with wire type ${field.wireType}`);
  }
}

/**
 * The `Value` whose bytes run from `start` to `end`: its last kind on the wire, as a oneof keeps
 * it (each kind is read, so that the wire is checked as the generated code reads it). A value of
 * no kind, which `Value.toJavaScript` refuses, is unfamiliar: the generated code then says what
 * becomes of it.
 */
function readValue(bytes: Uint8Array, start: number, end: number): unknown {
  let value: unknown;
  let kinded = false;
  const fields = new WireReader(bytes, start, end);
  while (!fields.done) {
    const field = fields.field();
    if (field.number >= 1 && field.number <= 6) {
      expectWire(field, valueKindWires[field.number - 1]);
      kinded = true;
    }
    switch (field.number) {
      case 1: // null_value
        value = null;
        break;
      case 2: // number_value, a little-endian double
        value = new DataView(bytes.buffer, bytes.byteOffset + field.payload, 8).getFloat64(0, true);
        break;
      case 3: // string_value
        value = text(bytes, field);
        break;
      case 4: // bool_value
        value = field.value !== 0;
        break;
      case 5: // struct_value
        value = readStruct(bytes, field.payload, field.end);
        break;
      case 6: // list_value
        value = readList(bytes, field.payload, field.end);
        break;
      default:
        break; // an unknown field
    }
  }
  if (!kinded) {
    throw new UnfamiliarWire("a value of no kind");
  }
  return value;
}

/** The `ListValue` whose bytes run from `start` to `end`, as `ListValue.toJavaScript` reads it. */
function readList(bytes: Uint8Array, start: number, end: number): unknown[] {
  const values: unknown[] = [];
  const fields = new WireReader(bytes, start, end);
  while (!fields.done) {
    const field = fields.field();
    if (field.number === 1) {
      if (field.wireType !== lengthDelimitedWire) {
        throw new UnfamiliarWire("a list value that is not length-delimited");
      }
      values.push(readValue(bytes, field.payload, field.end));
    }
  }
  return values;
}

/** The generated `Struct` class's static side, as far as it is used here. */
interface StructClass {
  new (): {
    toJavaScript(): Record<string, unknown>;
    getFieldsMap(): unknown;
    toObject(includeInstance?: boolean): unknown;
    serializeBinary(): Uint8Array;
  };
  deserializeBinaryFromReader(message: unknown, reader: BinaryReader): unknown;
}

/** google-protobuf's `BinaryReader`, as far as it is used here (its public methods). */
interface BinaryReader {
  getCursor(): number;
  getBuffer(): Uint8Array;
  nextField(): boolean;
  isEndGroup(): boolean;
  skipField(): void;
  getError(): boolean;
}

/** The generated classes this reader builds on, from the copy of google-protobuf `analyzer_pb` requires. */
export interface AnalyzerProtos {
  /** `google-protobuf/google/protobuf/struct_pb`, the copy `analyzer_pb` requires. */
  readonly struct: { Struct: StructClass };
  /** `google-protobuf` itself, that copy (its `BinaryReader`). */
  readonly protobuf: {
    BinaryReader: new (bytes: Uint8Array, start: number, length: number) => BinaryReader;
  };
}

/**
 * The values of the `Struct` from `start` to `end` of `buffer`: read here, or where the wire is
 * unfamiliar, by the generated code from the same place of the same bytes (so that even what it
 * reads past the Struct's end, as it does of a string cut short, is what it would have read).
 */
function structValues(
  buffer: Uint8Array,
  start: number,
  end: number,
  generated: StructClass["deserializeBinaryFromReader"],
  protos: AnalyzerProtos,
): Record<string, unknown> {
  try {
    return readStruct(buffer, start, end);
  } catch (error) {
    if (!(error instanceof UnfamiliarWire)) {
      throw error;
    }
    return generatedStruct(buffer, start, end, generated, protos).toJavaScript();
  }
}

/**
 * The Struct from `start` to `end` of `buffer` as the generated code reads it there. Where it
 * read past the end, the generated decoder of the whole request would have refused it (it
 * checks its reader's error at the end): refused here too.
 */
function generatedStruct(
  buffer: Uint8Array,
  start: number,
  end: number,
  generated: StructClass["deserializeBinaryFromReader"],
  protos: AnalyzerProtos,
): InstanceType<StructClass> {
  const struct = new protos.struct.Struct();
  const reader = new protos.protobuf.BinaryReader(buffer, start, end - start);
  generated(struct, reader);
  if (reader.getError()) {
    throw new MalformedProperties("the generated decoder read past their end");
  }
  return struct;
}

/**
 * `messageClass.deserializeBinary(bytes)`, the generated decoder itself, with every `Struct` it
 * meets (a resource's properties, a provider's) passed over rather than decoded: the Struct
 * reader is swapped, for this call only, for one that skips the Struct's fields and keeps where
 * they lie; that Struct's `toJavaScript()` reads them when called (again on each call: the views
 * call it once). The generated reader of a message field puts the cursor at the field's end after
 * reading it, whatever it read, so every other field is read from exactly where it would be.
 */
export function readWithPropertiesWhenAsked(
  messageClass: { deserializeBinary(bytes: Uint8Array): any },
  bytes: Uint8Array,
  protos: AnalyzerProtos,
): any {
  const { Struct } = protos.struct;
  const generated = Struct.deserializeBinaryFromReader;
  const passedOver: PassedOverStruct[] = [];
  Struct.deserializeBinaryFromReader = (message: any, reader: BinaryReader) => {
    passedOver.push(message);
    const start = reader.getCursor();
    while (reader.nextField() && !reader.isEndGroup()) {
      reader.skipField();
    }
    const end = reader.getCursor();
    const buffer = reader.getBuffer();
    message.toJavaScript = () => structValues(buffer, start, end, generated, protos);
    // Any other reader of this Struct gets the generated reading of it.
    const read = () => generatedStruct(buffer, start, end, generated, protos);
    message.getFieldsMap = () => read().getFieldsMap();
    message.toObject = (includeInstance?: boolean) => read().toObject(includeInstance);
    message.serializeBinary = () => read().serializeBinary();
    return message;
  };
  let request: any;
  try {
    request = messageClass.deserializeBinary(bytes);
  } finally {
    Struct.deserializeBinaryFromReader = generated;
  }
  readReplacedStructs(request, passedOver);
  return request;
}

/** A Struct passed over by {@link readWithPropertiesWhenAsked}: read when asked. */
interface PassedOverStruct {
  toJavaScript(): Record<string, unknown>;
}

/**
 * Calls `visit` on each Struct a request keeps: each resource's properties and its provider's (a
 * resource per `AnalyzeStackRequest` entry, or the `AnalyzeRequest` itself).
 */
function eachKeptStruct(request: any, visit: (struct: PassedOverStruct) => void): void {
  const resources: any[] =
    typeof request.getResourcesList === "function" ? request.getResourcesList() : [request];
  for (const resource of resources) {
    const properties = resource.getProperties();
    if (properties !== undefined) {
      visit(properties);
    }
    const providerProperties = resource.getProvider()?.getProperties();
    if (providerProperties !== undefined) {
      visit(providerProperties);
    }
  }
}

/**
 * Reads at once every Struct the request does not keep: one a later field replaced (properties,
 * or a provider, given twice, which no engine sends). No policy can read it, so it would never
 * be read; the generated decoder reads it, and refuses the request where it is malformed: so
 * does this one. A request that replaces nothing (every one an engine sends) costs a count.
 */
function readReplacedStructs(request: any, passedOver: readonly PassedOverStruct[]): void {
  let kept = 0;
  eachKeptStruct(request, () => kept++);
  if (kept === passedOver.length) {
    return; // every Struct passed over is kept: each is kept once, so none was replaced
  }
  const keptOnes = new Set<PassedOverStruct>();
  eachKeptStruct(request, (struct) => keptOnes.add(struct));
  for (const struct of passedOver) {
    if (!keptOnes.has(struct)) {
      struct.toJavaScript();
    }
  }
}

/**
 * A service method's `requestDeserialize` for `messageClass` (`AnalyzeRequest`,
 * `AnalyzeStackRequest`) that reads properties when asked.
 */
export function requestsWithPropertiesWhenAsked(
  messageClass: { deserializeBinary(bytes: Uint8Array): any },
  protos: AnalyzerProtos,
): (buffer: Buffer) => any {
  return (buffer: Buffer) =>
    // A copy, as the generated `requestDeserialize` makes: the Structs keep it until read.
    readWithPropertiesWhenAsked(messageClass, new Uint8Array(buffer), protos);
}
