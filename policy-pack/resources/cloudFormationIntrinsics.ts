/**
 * A template's intrinsic functions, evaluated where the template and what is known of the stack
 * determine their value; Unresolved, at the value's place, everywhere else. Pseudo parameters
 * come from the context only; a parameter is the stack's value, else its `Default`; `Ref` and
 * `Fn::GetAtt` of a resource are its documented return values (`cloudFormationReturnValues.ts`);
 * `Fn::If` takes its branch when the condition is decided, else both branches must agree.
 */
import { isDeepStrictEqual } from "util";
import { Unresolved } from "../iam/document";
import {
  combine,
  describe,
  Environment,
  Part,
  returnValues,
  textOf,
  unresolved,
} from "./cloudFormationReturnValues";
import { isTemplateObject, own, TemplateObject, TemplateValue } from "./cloudFormationText";

/** What is known of the stack a template deploys as; undefined: not known. */
export interface TemplateContext {
  readonly account?: string;
  readonly partition?: string;
  readonly region?: string;
  /** The values the stack gives its parameters (Unresolved: given, but not known). */
  readonly parameters?: Readonly<Record<string, string | Unresolved>>;
  readonly stackName?: string;
  /**
   * Parameters each deployment of the template may set otherwise (a stack set's instances
   * override parameters): `"all"`, or their names. A `Ref` to one is Unresolved.
   */
  readonly overridden?: "all" | readonly string[];
}

/** Where `AWS::NoValue` stood: the property, or the list item, is removed. */
export const noValue = Symbol("AWS::NoValue");

export type Resolved = TemplateValue | typeof noValue;

/** A resource's properties with every function evaluated, and what each property refers to. */
export interface ResolvedResource {
  readonly props: TemplateObject;
  /** Property (CloudFormation's name) → logical ids of the resources its value refers to. */
  readonly references: Readonly<Record<string, readonly string[]>>;
}

export function isList(value: unknown): value is readonly TemplateValue[] {
  return Array.isArray(value);
}

/** The function an object calls, when it is one: a single key, `Ref` or `Fn::*`. */
export function intrinsicName(value: TemplateValue | undefined): string | undefined {
  if (!isTemplateObject(value)) {
    return undefined;
  }
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === "Ref" || keys[0].startsWith("Fn::"))
    ? keys[0]
    : undefined;
}

/** The first Unresolved inside a value, if any. */
function firstUnresolved(value: Resolved): Unresolved | undefined {
  if (value instanceof Unresolved) {
    return value;
  }
  const items = isList(value) ? value : isTemplateObject(value) ? Object.values(value) : [];
  for (const item of items) {
    const found = firstUnresolved(item);
    if (found !== undefined) {
      return found;
    }
  }
  return undefined;
}

const notKnown = (name: string, what: string) => unresolved(name, `${what} is not known`);

/** `AWS::URLSuffix` by partition, as CloudFormation's pseudo parameter reference gives it. */
const urlSuffixes: Readonly<Record<string, string>> = {
  aws: "amazonaws.com",
  "aws-us-gov": "amazonaws.com",
  "aws-cn": "amazonaws.com.cn",
};

/** Pseudo parameters, from what is known of the stack. `AWS::NoValue` is not a value. */
const pseudoParameters: Readonly<Record<string, (context: TemplateContext) => Part>> = {
  "AWS::AccountId": (c) => c.account ?? notKnown("AWS::AccountId", "the account"),
  "AWS::Partition": (c) => c.partition ?? notKnown("AWS::Partition", "the partition"),
  "AWS::Region": (c) => c.region ?? notKnown("AWS::Region", "the region"),
  "AWS::StackName": (c) => c.stackName ?? notKnown("AWS::StackName", "the stack's name"),
  "AWS::URLSuffix": (c) =>
    c.partition === undefined
      ? notKnown("AWS::URLSuffix", "the partition")
      : (own(urlSuffixes, c.partition) ??
        unresolved("AWS::URLSuffix", `not documented here for the partition ${c.partition}`)),
  "AWS::StackId": () => unresolved("AWS::StackId", "CloudFormation makes it"),
  "AWS::NotificationARNs": () => unresolved("AWS::NotificationARNs", "set when it deploys"),
};

type Evaluate = (r: TemplateResolver, argument: TemplateValue, refs: Set<string>) => Resolved;

const malformed = (what: string) => unresolved(what, "not the function's documented form");

/** Every function the pack evaluates, by name; any other is Unresolved. */
const functions: Readonly<Record<string, Evaluate>> = {
  Ref: (r, argument, refs) => r.ref(argument, refs),
  "Fn::GetAtt": (r, argument, refs) => r.getAtt(argument, refs),
  "Fn::Sub": (r, argument, refs) => r.sub(argument, refs),
  "Fn::If": (r, argument, refs) => r.chooseIf(argument, refs),
  "Fn::FindInMap": (r, argument, refs) => r.findInMap(argument, refs),
  "Fn::Join": join,
  "Fn::Select": select,
  "Fn::Split": split,
  "Fn::Base64": (r, argument, refs) => {
    const what = `Fn::Base64 ${describe(argument)}`;
    const text = textOf(r.resolve(argument, refs), what);
    return typeof text === "string"
      ? Buffer.from(text, "utf8").toString("base64")
      : unresolved(what, text.reason);
  },
  "Fn::Cidr": cidr,
  "Fn::GetAZs": () => unresolved("Fn::GetAZs", "the Availability Zones the account sees"),
  "Fn::ImportValue": (r, argument, refs) =>
    unresolved(`Fn::ImportValue ${describe(r.resolve(argument, refs))}`, "another stack's export"),
};

function join(r: TemplateResolver, argument: TemplateValue, refs: Set<string>): Resolved {
  const what = `Fn::Join ${describe(argument)}`;
  if (!isList(argument) || argument.length !== 2 || typeof argument[0] !== "string") {
    return malformed(what);
  }
  const delimiter = argument[0];
  const items = r.resolve(argument[1], refs);
  if (items instanceof Unresolved) {
    return unresolved(what, items.reason);
  }
  if (!isList(items)) {
    return malformed(what);
  }
  return combine(
    what,
    items.flatMap((item, i): Part[] =>
      i === 0 ? [textOf(item, what)] : [delimiter, textOf(item, what)],
    ),
  );
}

function select(r: TemplateResolver, argument: TemplateValue, refs: Set<string>): Resolved {
  const what = `Fn::Select ${describe(argument)}`;
  if (!isList(argument) || argument.length !== 2) {
    return malformed(what);
  }
  const index = r.resolve(argument[0], refs);
  const list = r.resolve(argument[1], refs);
  const unknown = [index, list].find((v): v is Unresolved => v instanceof Unresolved);
  if (unknown !== undefined) {
    return unresolved(what, unknown.reason);
  }
  const i =
    typeof index === "number" || (typeof index === "string" && /^[0-9]+$/.test(index))
      ? Number(index)
      : NaN;
  if (!isList(list) || !Number.isInteger(i) || i < 0 || i >= list.length) {
    return unresolved(what, "it selects no item, and CloudFormation refuses it");
  }
  return list[i];
}

function split(r: TemplateResolver, argument: TemplateValue, refs: Set<string>): Resolved {
  const what = `Fn::Split ${describe(argument)}`;
  if (!isList(argument) || argument.length !== 2 || typeof argument[0] !== "string") {
    return malformed(what);
  }
  if (argument[0] === "") {
    return malformed(what);
  }
  const source = textOf(r.resolve(argument[1], refs), what);
  return typeof source === "string" ? source.split(argument[0]) : unresolved(what, source.reason);
}

/** `Fn::Cidr` of an IPv4 block; IPv6 blocks are Unresolved (not computed here). */
function cidr(r: TemplateResolver, argument: TemplateValue, refs: Set<string>): Resolved {
  const what = `Fn::Cidr ${describe(argument)}`;
  if (!isList(argument) || argument.length !== 3) {
    return malformed(what);
  }
  const parts = argument.map((item) => textOf(r.resolve(item, refs), what));
  const unknown = parts.find((part): part is Unresolved => part instanceof Unresolved);
  if (unknown !== undefined) {
    return unresolved(what, unknown.reason);
  }
  const [block, countText, bitsText] = parts as string[];
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(block);
  if (match === null) {
    return unresolved(what, "not an IPv4 block: the pack computes IPv4 blocks only");
  }
  const octets = match.slice(1, 5).map(Number);
  const [prefix, count, bits] = [Number(match[5]), Number(countText), Number(bitsText)];
  const base = octets.reduce((address, octet) => address * 256 + octet, 0);
  const size = 2 ** bits;
  const valid =
    octets.every((octet) => octet <= 255) &&
    prefix <= 32 &&
    Number.isInteger(count) &&
    count >= 1 &&
    count <= 256 &&
    Number.isInteger(bits) &&
    bits >= 1 &&
    bits <= 32 - prefix &&
    base % 2 ** (32 - prefix) === 0 &&
    count * size <= 2 ** (32 - prefix);
  if (!valid) {
    return unresolved(what, "not blocks CloudFormation makes: it refuses them");
  }
  return Array.from({ length: count }, (_, k) => `${ipv4(base + k * size)}/${32 - bits}`);
}

function ipv4(address: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(address / 2 ** shift) % 256).join(".");
}

/** The sections of a template the functions read. */
interface Sections {
  readonly resources: TemplateObject;
  readonly parameters: TemplateObject;
  readonly mappings: TemplateObject;
  readonly conditions: TemplateObject;
}

/** Evaluates a template's functions, each resource and condition once. */
export class TemplateResolver {
  private readonly resolved = new Map<string, ResolvedResource | "resolving">();
  private readonly decided = new Map<string, boolean | Unresolved | "deciding">();
  private readonly environment: Environment;

  constructor(
    private readonly sections: Sections,
    private readonly context: TemplateContext,
    /** Resources the pack does not read, by logical id: why (their values are Unresolved). */
    private readonly unread: ReadonlyMap<string, string>,
  ) {
    const pseudo = (name: string) => pseudoParameters[name](context);
    this.environment = {
      partition: pseudo("AWS::Partition"),
      account: pseudo("AWS::AccountId"),
      region: pseudo("AWS::Region"),
      urlSuffix: pseudo("AWS::URLSuffix"),
    };
  }

  /** The value with every function evaluated; `refs` collects the resources it refers to. */
  resolve(value: TemplateValue, refs: Set<string>): Resolved {
    if (isList(value)) {
      return value
        .map((item) => this.resolve(item, refs))
        .filter((item): item is TemplateValue => item !== noValue);
    }
    if (!isTemplateObject(value)) {
      return value;
    }
    const name = intrinsicName(value);
    if (name !== undefined) {
      const evaluate = own(functions, name);
      return evaluate === undefined
        ? unresolved(`${name} ${describe(value[name])}`, "a function the pack does not evaluate")
        : evaluate(this, value[name], refs);
    }
    const entries: [string, TemplateValue][] = [];
    for (const [key, item] of Object.entries(value)) {
      const resolved = this.resolve(item, refs);
      if (resolved !== noValue) {
        entries.push([key, resolved]);
      }
    }
    return Object.fromEntries(entries);
  }

  /** A resource's properties, evaluated once; "cycle" while they are being evaluated. */
  resource(logicalId: string): ResolvedResource | "cycle" {
    const known = this.resolved.get(logicalId);
    if (known !== undefined) {
      return known === "resolving" ? "cycle" : known;
    }
    this.resolved.set(logicalId, "resolving");
    const declared = this.sections.resources[logicalId] as TemplateObject;
    const properties = isTemplateObject(declared.Properties) ? declared.Properties : {};
    const props: [string, TemplateValue][] = [];
    const references: [string, string[]][] = [];
    for (const [key, value] of Object.entries(properties)) {
      const refs = new Set<string>();
      const resolved = this.resolve(value, refs);
      if (resolved !== noValue) {
        props.push([key, resolved]);
      }
      if (refs.size > 0) {
        references.push([key, [...refs].sort()]);
      }
    }
    const result = { props: Object.fromEntries(props), references: Object.fromEntries(references) };
    this.resolved.set(logicalId, result);
    return result;
  }

  ref(argument: TemplateValue, refs: Set<string>): Resolved {
    if (typeof argument !== "string") {
      return malformed(`Ref ${describe(argument)}`);
    }
    if (argument === "AWS::NoValue") {
      return noValue;
    }
    const pseudo = own(pseudoParameters, argument);
    if (pseudo !== undefined) {
      return pseudo(this.context);
    }
    if (Object.hasOwn(this.sections.parameters, argument)) {
      return this.parameter(argument);
    }
    if (Object.hasOwn(this.sections.resources, argument)) {
      refs.add(argument);
      return this.returnValue(argument, undefined, `Ref ${argument}`);
    }
    return unresolved(`Ref ${argument}`, "the template declares no such parameter or resource");
  }

  getAtt(argument: TemplateValue, refs: Set<string>): Resolved {
    let logicalId: string;
    let attribute: Resolved;
    if (typeof argument === "string" && argument.includes(".")) {
      // The short form's `!GetAtt Name.Attribute`.
      const dot = argument.indexOf(".");
      [logicalId, attribute] = [argument.slice(0, dot), argument.slice(dot + 1)];
    } else if (isList(argument) && argument.length === 2 && typeof argument[0] === "string") {
      [logicalId, attribute] = [argument[0], this.resolve(argument[1], refs)];
    } else {
      return malformed(`Fn::GetAtt ${describe(argument)}`);
    }
    const shown = typeof attribute === "string" ? attribute : describe(attribute);
    const what = `Fn::GetAtt ${logicalId}.${shown}`;
    if (!Object.hasOwn(this.sections.resources, logicalId)) {
      return unresolved(what, `the template declares no resource ${logicalId}`);
    }
    refs.add(logicalId);
    if (typeof attribute !== "string") {
      return attribute instanceof Unresolved ? unresolved(what, attribute.reason) : malformed(what);
    }
    return this.returnValue(logicalId, attribute, what);
  }

  /** `Ref` (attribute undefined) or `Fn::GetAtt` of a resource of the template. */
  private returnValue(logicalId: string, attribute: string | undefined, what: string): Resolved {
    const declared = this.sections.resources[logicalId] as TemplateObject;
    const unread = this.unread.get(logicalId);
    if (unread !== undefined) {
      return unresolved(what, `${logicalId} ${unread}`);
    }
    const values = own(returnValues, String(declared.Type));
    const read = attribute === undefined ? values?.ref : own(values?.attributes ?? {}, attribute);
    if (read === undefined) {
      return unresolved(what, `a value CloudFormation makes when it creates ${declared.Type}`);
    }
    const resolved = this.resource(logicalId);
    return resolved === "cycle"
      ? unresolved(what, "a circular reference, which CloudFormation refuses")
      : read(resolved.props, this.environment, what);
  }

  /** A parameter's value: the stack's, else its `Default`; list types split at commas. */
  private parameter(name: string): TemplateValue {
    const declared = this.sections.parameters[name];
    const type =
      isTemplateObject(declared) && typeof declared.Type === "string" ? declared.Type : "String";
    const what = `parameter ${name}`;
    const overridden = this.context.overridden;
    if (overridden === "all" || overridden?.includes(name)) {
      return unresolved(what, "each stack set instance may override it");
    }
    if (type.startsWith("AWS::SSM::Parameter::Value<")) {
      return unresolved(what, "the value of an SSM parameter, read when CloudFormation deploys");
    }
    const given = own(this.context.parameters ?? {}, name);
    const fallback = isTemplateObject(declared) ? declared.Default : undefined;
    const value =
      given ??
      (fallback === undefined
        ? unresolved(what, "the stack gives it no value, and it has no Default")
        : textOf(fallback, `${what}'s Default`));
    if (
      value instanceof Unresolved ||
      !(type === "CommaDelimitedList" || type.startsWith("List<"))
    ) {
      return value;
    }
    // "each member string is space trimmed" (the Parameters section's reference).
    return value.split(",").map((item) => item.trim());
  }

  sub(argument: TemplateValue, refs: Set<string>): Resolved {
    const form =
      typeof argument === "string"
        ? { text: argument, variables: {} as TemplateObject }
        : isList(argument) &&
            argument.length === 2 &&
            typeof argument[0] === "string" &&
            isTemplateObject(argument[1])
          ? { text: argument[0], variables: argument[1] }
          : undefined;
    if (form === undefined) {
      return malformed(`Fn::Sub ${describe(argument)}`);
    }
    const { text, variables } = form;
    const parts: Part[] = [];
    let last = 0;
    for (const match of text.matchAll(/\$\{([^}]*)\}/g)) {
      parts.push(text.slice(last, match.index));
      last = match.index + match[0].length;
      const name = match[1];
      // `${!Literal}` is the text `${Literal}`.
      parts.push(
        name.startsWith("!") ? `\${${name.slice(1)}}` : this.variable(name, variables, refs),
      );
    }
    parts.push(text.slice(last));
    return combine(`Fn::Sub ${JSON.stringify(text)}`, parts);
  }

  /** `${Name}` in `Fn::Sub`: the variable map's, else `Ref Name`; `${Name.Attr}` is GetAtt. */
  private variable(name: string, variables: TemplateObject, refs: Set<string>): Part {
    const value = Object.hasOwn(variables, name)
      ? this.resolve(variables[name], refs)
      : name.includes(".")
        ? this.getAtt(name, refs)
        : this.ref(name, refs);
    return textOf(value, `\${${name}}`);
  }

  chooseIf(argument: TemplateValue, refs: Set<string>): Resolved {
    const what = `Fn::If ${describe(argument)}`;
    if (!isList(argument) || argument.length !== 3 || typeof argument[0] !== "string") {
      return malformed(what);
    }
    const decided = this.condition(argument[0]);
    if (typeof decided === "boolean") {
      return this.resolve(argument[decided ? 1 : 2], refs);
    }
    // Undecided: the value is known only if both branches give the same known value.
    const whenTrue = this.resolve(argument[1], refs);
    const whenFalse = this.resolve(argument[2], refs);
    return isDeepStrictEqual(whenTrue, whenFalse) && firstUnresolved(whenTrue) === undefined
      ? whenTrue
      : unresolved(`Fn::If ${argument[0]}`, decided.reason);
  }

  findInMap(argument: TemplateValue, refs: Set<string>): Resolved {
    const what = `Fn::FindInMap ${describe(argument)}`;
    if (!isList(argument) || argument.length !== 3) {
      return malformed(what);
    }
    const keys = argument.map((key) => textOf(this.resolve(key, refs), what));
    const unknown = keys.find((key): key is Unresolved => key instanceof Unresolved);
    if (unknown !== undefined) {
      return unresolved(what, unknown.reason);
    }
    let level: TemplateValue | undefined = this.sections.mappings;
    for (const key of keys as string[]) {
      level = isTemplateObject(level) && Object.hasOwn(level, key) ? level[key] : undefined;
    }
    return (
      level ?? unresolved(what, "the Mappings hold no such key, and CloudFormation refuses it")
    );
  }

  /** A condition of the template: true, false, or Unresolved when it is not decided. */
  condition(name: string): boolean | Unresolved {
    const known = this.decided.get(name);
    if (known === "deciding") {
      return unresolved(
        `the condition ${name}`,
        "it refers to itself, and CloudFormation refuses it",
      );
    }
    if (known !== undefined) {
      return known;
    }
    if (!Object.hasOwn(this.sections.conditions, name)) {
      return unresolved(`the condition ${name}`, "the template declares no such condition");
    }
    this.decided.set(name, "deciding");
    const value = this.decide(this.sections.conditions[name]);
    const result =
      value instanceof Unresolved ? unresolved(`the condition ${name}`, value.reason) : value;
    this.decided.set(name, result);
    return result;
  }

  /** A condition function: `Fn::Equals`, `Fn::Not`, `Fn::And`, `Fn::Or`, `Condition`. */
  private decide(expression: TemplateValue): boolean | Unresolved {
    const fn =
      intrinsicName(expression) ??
      (isTemplateObject(expression) && Object.keys(expression).join() === "Condition"
        ? "Condition"
        : undefined);
    if (fn === undefined) {
      return unresolved(describe(expression), "not a condition function");
    }
    const argument = (expression as TemplateObject)[fn];
    switch (fn) {
      case "Condition":
        return typeof argument === "string" ? this.condition(argument) : malformed(fn);
      case "Fn::Equals":
        return this.equals(argument);
      case "Fn::Not":
      case "Fn::And":
      case "Fn::Or":
        return this.logical(fn, argument);
      default:
        return unresolved(`${fn} ${describe(argument)}`, "not a condition function");
    }
  }

  /** `Fn::Not`, `Fn::And`, `Fn::Or`: a known decisive value decides, whatever the others are. */
  private logical(fn: string, argument: TemplateValue): boolean | Unresolved {
    if (!isList(argument) || (fn === "Fn::Not" ? argument.length !== 1 : argument.length < 2)) {
      return malformed(`${fn} ${describe(argument)}`);
    }
    const values = argument.map((condition) => this.decide(condition));
    if (fn === "Fn::Not") {
      return typeof values[0] === "boolean" ? !values[0] : values[0];
    }
    const decisive = fn === "Fn::Or";
    return values.includes(decisive)
      ? decisive
      : (values.find((value): value is Unresolved => value instanceof Unresolved) ?? !decisive);
  }

  /** `Fn::Equals`: decided when both values are known and of one type. */
  private equals(argument: TemplateValue): boolean | Unresolved {
    const what = `Fn::Equals ${describe(argument)}`;
    if (!isList(argument) || argument.length !== 2) {
      return malformed(what);
    }
    const [a, b] = argument.map((value) => this.resolve(value, new Set()));
    const unknown = firstUnresolved(a) ?? firstUnresolved(b);
    if (unknown !== undefined) {
      return unresolved(what, unknown.reason);
    }
    if (typeof a !== typeof b || isList(a) !== isList(b)) {
      return unresolved(what, "it compares values of different types");
    }
    return isDeepStrictEqual(a, b);
  }
}
