/**
 * CloudFormation template text read into plain values: JSON, or YAML with CloudFormation's
 * short-form tags (`!Ref X` is `{ Ref: X }`, `!GetAtt A.B` is `{ "Fn::GetAtt": "A.B" }`, `!Sub s`
 * is `{ "Fn::Sub": s }`, ...). Nothing is guessed: what the text does not say plainly makes the
 * whole text unreadable (duplicate keys, aliases, unknown tags), or, for one scalar that YAML 1.1
 * and YAML 1.2 read differently, an Unresolved value in its place.
 */
import { isAlias, isMap, isScalar, isSeq, Node, parse, parseDocument, Scalar } from "yaml";
import { Unresolved } from "../iam/document";

/** A value of a template: JSON's values, or Unresolved where the value is not known. */
export type TemplateValue =
  | string
  | number
  | boolean
  | null
  | Unresolved
  | readonly TemplateValue[]
  | { readonly [key: string]: TemplateValue };

export type TemplateObject = { readonly [key: string]: TemplateValue };

export type ParsedText = { readonly value: TemplateValue } | { readonly unreadable: string };

/** Why the text cannot be read; caught by `parseTemplateText`, never thrown past it. */
class UnreadableText extends Error {}

/** A plain object of a template (not a list, not Unresolved). */
export function isTemplateObject(value: unknown): value is TemplateObject {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Unresolved)
  );
}

/** A table's own entry for a key: never one `Object.prototype` gives (`constructor`). */
export function own<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

/** Reads a template's text: JSON first (the stricter reading), then YAML. */
export function parseTemplateText(text: string): ParsedText {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return parseYaml(text);
  }
  const duplicate = duplicateJsonKey(text);
  // JSON.parse keeps the last of two equal keys; which one CloudFormation keeps is not documented.
  return duplicate === undefined
    ? { value: json as TemplateValue }
    : { unreadable: `is JSON with the key ${JSON.stringify(duplicate)} twice in one object` };
}

/** The first key written twice in one object of a text JSON.parse accepted, if any. */
function duplicateJsonKey(text: string): string | undefined {
  const open: { keys: Set<string> | undefined; expectKey: boolean }[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let end = i + 1;
      while (text[end] !== '"') {
        end += text[end] === "\\" ? 2 : 1;
      }
      const top = open[open.length - 1];
      if (top?.keys !== undefined && top.expectKey) {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        if (top.keys.has(key)) {
          return key;
        }
        top.keys.add(key);
        top.expectKey = false;
      }
      i = end;
    } else if (c === "{" || c === "[") {
      open.push({ keys: c === "{" ? new Set() : undefined, expectKey: c === "{" });
    } else if (c === "}" || c === "]") {
      open.pop();
    } else if (c === ",") {
      const top = open[open.length - 1];
      if (top?.keys !== undefined) {
        top.expectKey = true;
      }
    }
  }
  return undefined;
}

function parseYaml(text: string): ParsedText {
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) {
    return { unreadable: `is neither JSON nor YAML (${doc.errors[0].message.split("\n")[0]})` };
  }
  if (doc.directives?.yaml.explicit) {
    return {
      unreadable: "declares its YAML version (%YAML), which CloudFormation does not document",
    };
  }
  try {
    return { value: fromNode(doc.contents) };
  } catch (e) {
    if (e instanceof UnreadableText) {
      return { unreadable: e.message };
    }
    throw e;
  }
}

/** CloudFormation's YAML short forms: tag → the function's full name. */
const shortForms: Readonly<Record<string, string>> = Object.fromEntries([
  ["!Ref", "Ref"],
  ["!Condition", "Condition"],
  ...[
    "Sub",
    "GetAtt",
    "Join",
    "If",
    "Select",
    "Split",
    "FindInMap",
    "ImportValue",
    "Base64",
    "Cidr",
    "GetAZs",
    "Equals",
    "Not",
    "And",
    "Or",
    "Transform",
  ].map((name) => [`!${name}`, `Fn::${name}`]),
]);

/** YAML's own tags a template may spell out (`!!str 012`): values read as those tags say. */
const coreTags = new Set(
  ["str", "int", "float", "bool", "null", "map", "seq"].map((t) => `tag:yaml.org,2002:${t}`),
);

function fromNode(node: unknown): TemplateValue {
  if (node === null || node === undefined) {
    return null;
  }
  if (isAlias(node)) {
    throw new UnreadableText(
      `uses the YAML alias *${node.source}, which CloudFormation does not document`,
    );
  }
  const tag = (node as Node).tag;
  const value = untagged(node);
  if (tag === undefined || coreTags.has(tag)) {
    return value;
  }
  const name = own(shortForms, tag);
  if (name === undefined) {
    throw new UnreadableText(`uses the YAML tag ${tag}, which CloudFormation does not define`);
  }
  return { [name]: value };
}

function untagged(node: unknown): TemplateValue {
  if (isScalar(node)) {
    return node.tag === undefined && node.type === "PLAIN" ? plainScalar(node) : scalar(node);
  }
  if (isSeq(node)) {
    return node.items.map(fromNode);
  }
  if (isMap(node)) {
    const entries: [string, TemplateValue][] = node.items.map((pair) => [
      key(pair.key),
      fromNode(pair.value),
    ]);
    return Object.fromEntries(entries);
  }
  throw new UnreadableText("holds a YAML node that is not a scalar, a list or a map");
}

function scalar(node: Scalar): TemplateValue {
  const value = node.value;
  if (value === null || ["string", "number", "boolean"].includes(typeof value)) {
    return value as TemplateValue;
  }
  throw new UnreadableText(`holds the YAML value ${node.source}, which is not text or a number`);
}

function key(node: unknown): string {
  if (!isScalar(node) || node.tag !== undefined) {
    throw new UnreadableText("has a YAML key that is not plain text");
  }
  const value = node.type === "PLAIN" ? plainScalar(node) : node.value;
  if (typeof value === "string" || (typeof value === "number" && String(value) === node.source)) {
    if (String(value) === "<<") {
      throw new UnreadableText(
        "uses the YAML merge key <<, which CloudFormation does not document",
      );
    }
    return String(value);
  }
  throw new UnreadableText(`has the YAML key ${node.source}, which is not read as text`);
}

/** Plain scalars that may be read as something other than text, in YAML 1.1 or 1.2. */
const mayBeTyped = /^(?:[-+.0-9~]|(?:y|n|yes|no|on|off|true|false|null)$)/i;

/** How YAML 1.1 reads each plain scalar source seen so far. */
const yaml11Readings = new Map<string, unknown>();

function yaml11(source: string): unknown {
  if (!yaml11Readings.has(source)) {
    if (yaml11Readings.size >= 10_000) {
      yaml11Readings.clear();
    }
    let reading: unknown;
    try {
      reading = parse(source, { version: "1.1" });
    } catch {
      reading = undefined;
    }
    yaml11Readings.set(source, reading);
  }
  return yaml11Readings.get(source);
}

/**
 * A plain scalar as YAML 1.2 reads it, unless YAML 1.1 (the version CloudFormation's reading of
 * `yes` and `no` follows) reads it otherwise. CloudFormation's documentation says its YAML reads
 * `Yes` and `No` as booleans, and templates write `Version: 2012-10-17` unquoted and get text
 * (YAML 1.1 would read a date). Any other disagreement (`012`, `0b11`, `on`, `y`) is Unresolved.
 */
function plainScalar(node: Scalar): TemplateValue {
  const value = scalar(node);
  const source = node.source;
  if (typeof source !== "string" || !mayBeTyped.test(source)) {
    return value;
  }
  const older = yaml11(source);
  if (older instanceof Date || Object.is(older, value)) {
    return value;
  }
  if (typeof older === "boolean" && /^(?:yes|no)$/i.test(source)) {
    return older;
  }
  return new Unresolved(
    `the YAML value ${source}, which YAML 1.1 reads as ${String(older)} and YAML 1.2 as ${JSON.stringify(value)}`,
  );
}
