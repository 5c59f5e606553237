/**
 * CloudFormation stacks and stack sets, read as the resources their templates declare, so the
 * pack judges a role or a repository a template declares as it judges one a program declares.
 *
 * `cloudFormationTemplate` finds the template of a stack or stack set of either provider (or of
 * a Cloud Control resource of type `AWS::CloudFormation::Stack` / `StackSet`); `readTemplate`
 * reads a template's text (JSON or YAML) into its resources, evaluating its functions;
 * `readDeployment` does both, with what the caller knows of the account it deploys into.
 *
 * Why a reading can be trusted (each claim is a test in
 * test/policy-pack/cloudFormationTemplate.test.ts):
 * - Every resource the template declares is in `resources` or in `unread`, except one whose
 *   `Condition` is decided false (CloudFormation does not create it). A resource created under
 *   an undecided condition is read, with that condition in `condition`.
 * - A template whose resources are not all in its text is unreadable: a `Transform` (macros
 *   make resources the template does not list), `Fn::Transform` outside a resource, a template
 *   only given by URL (the pack fetches nothing), text that is not exactly one JSON or YAML map.
 *   So is text two readers could read differently: duplicate keys, YAML aliases, unknown tags.
 * - Resources whose effect is code or another template are in `unread`: custom resources,
 *   nested stacks and stack sets, Service Catalog products, modules, registry extensions, and a
 *   resource that uses `Fn::Transform`.
 * - A value is what CloudFormation computes from the template and the context, or Unresolved in
 *   its place (a string in a policy document, a list item, a whole property). Nothing is guessed:
 *   pseudo parameters come from the context only; a stack set's parameters are Unresolved (each
 *   instance may override them), as are SSM-typed parameters, dynamic references
 *   (`{{resolve:...}}`), return values CloudFormation makes (a generated name, `RoleId`), an
 *   undecided `Fn::If` whose branches differ, and a YAML scalar YAML 1.1 and 1.2 read differently.
 *   Only `AWS::NoValue` removes a property or item.
 * - Budgets fail closed: text longer than `maxTextLength` is Unresolved, a template nested too
 *   deeply to walk is unreadable, circular references are Unresolved.
 */
import {
  awsCloudFormationTypes,
  awsNativeCloudFormationTypes,
  cloudControlResourceType,
} from "../governance/typeTokens";
import { Unresolved } from "../iam/document";
import {
  intrinsicName,
  isList,
  ResolvedResource,
  TemplateContext,
  TemplateResolver,
} from "./cloudFormationIntrinsics";
import { describe, unresolved } from "./cloudFormationReturnValues";
import {
  isTemplateObject,
  own,
  parseTemplateText,
  TemplateObject,
  TemplateValue,
} from "./cloudFormationText";
import { camelCaseProperties, cloudFormationTypes, ResourceLike } from "./normalize";
import { isUnknownValueError } from "./known";

export type { TemplateContext } from "./cloudFormationIntrinsics";
export { maxTextLength } from "./cloudFormationReturnValues";

/** A resource a template declares, as the pack reads it. */
export interface DeclaredResource {
  readonly logicalId: string;
  readonly cloudFormationType: string;
  /** The aws-native type the pack reads it as, or its CloudFormation type when there is none. */
  readonly type: string;
  /** Its properties, evaluated, camel-cased as aws-native's are; policy documents as written. */
  readonly props: Record<string, unknown>;
  /** Property (camel-cased) → logical ids its value refers to (`Ref`, `Fn::GetAtt`, `Fn::Sub`). */
  readonly references: Readonly<Record<string, readonly string[]>>;
  /** Set when CloudFormation creates it only under a condition that is not decided here. */
  readonly condition?: Unresolved;
}

/** A resource the pack cannot judge from the template, and why. */
export interface UnreadResource {
  readonly logicalId: string;
  readonly reason: string;
}

export type TemplateReading =
  | { readonly unreadable: string }
  | { readonly resources: readonly DeclaredResource[]; readonly unread: readonly UnreadResource[] };

/** The CloudFormation types of a stack and a stack set (a Cloud Control `typeName`). */
const stackTypeNames = {
  stack: "AWS::CloudFormation::Stack",
  stackSet: "AWS::CloudFormation::StackSet",
} as const;

/** Types whose resources the pack cannot judge from the template, and why. */
const unreadTypes: readonly {
  readonly matches: (type: string) => boolean;
  readonly reason: (type: string, declared: TemplateObject) => string;
}[] = [
  {
    matches: (t) => t.startsWith("Custom::") || t === "AWS::CloudFormation::CustomResource",
    reason: (t) => `is a custom resource (${t}): code the pack cannot read decides what it does`,
  },
  {
    matches: (t) => t === stackTypeNames.stack,
    reason: (_t, declared) =>
      `is a nested stack, whose template (TemplateURL ${describe(
        isTemplateObject(declared.Properties) ? declared.Properties.TemplateURL : undefined,
      )}) the pack does not fetch`,
  },
  {
    matches: (t) => t === stackTypeNames.stackSet,
    reason: () => "is a stack set: it deploys a template into other accounts",
  },
  {
    matches: (t) => t === "AWS::ServiceCatalog::CloudFormationProvisionedProduct",
    reason: () => "is a Service Catalog product: it deploys a template the pack does not read",
  },
  {
    matches: (t) => t.endsWith("::MODULE"),
    reason: (t) => `is a module (${t}): it expands into resources the template does not list`,
  },
  {
    matches: (t) => !/^(?:AWS|Alexa)::/.test(t),
    reason: (t) => `is a registry extension (${t}): code the pack cannot read decides what it does`,
  },
];

/** Whether a function of this name appears anywhere in the value. */
function uses(value: TemplateValue | undefined, fn: string): boolean {
  if (isList(value)) {
    return value.some((item) => uses(item, fn));
  }
  return (
    isTemplateObject(value) &&
    Object.entries(value).some(([key, item]) => key === fn || uses(item, fn))
  );
}

/** Why the template cannot be read as a whole, or undefined. */
function unreadableTemplate(template: TemplateValue): string | undefined {
  if (!isTemplateObject(template)) {
    return "is not a CloudFormation template (a JSON or YAML map with a Resources map)";
  }
  const transform = template.Transform;
  if (transform !== undefined && !(isList(transform) && transform.length === 0)) {
    return `declares Transform ${describe(transform)}: macros rewrite the template, and may declare resources it does not list`;
  }
  if (!isTemplateObject(template.Resources)) {
    return "has no Resources map";
  }
  for (const section of ["Parameters", "Mappings", "Conditions"]) {
    if (template[section] !== undefined && !isTemplateObject(template[section])) {
      return `has a ${section} section that is not a map`;
    }
    if (uses(template[section], "Fn::Transform")) {
      return `uses Fn::Transform in its ${section}: a macro rewrites them`;
    }
  }
  return Object.hasOwn(template.Resources, "Fn::Transform")
    ? "uses Fn::Transform in its Resources: a macro rewrites them"
    : undefined;
}

/** Why one declared resource cannot be read, or undefined. */
function unreadResource(declared: TemplateValue): string | undefined {
  if (!isTemplateObject(declared) || typeof declared.Type !== "string") {
    return "is not a resource (a map with a Type)";
  }
  const type = declared.Type;
  const kind = unreadTypes.find((entry) => entry.matches(type));
  if (kind !== undefined) {
    return kind.reason(type, declared);
  }
  const properties = declared.Properties;
  if (
    properties !== undefined &&
    (!isTemplateObject(properties) || intrinsicName(properties) !== undefined)
  ) {
    return `has Properties that are not a map of properties (${describe(properties)})`;
  }
  if (declared.Condition !== undefined && typeof declared.Condition !== "string") {
    return `has a Condition that is not a condition's name (${describe(declared.Condition)})`;
  }
  return uses(declared, "Fn::Transform") ? "uses Fn::Transform: a macro rewrites it" : undefined;
}

/** The template as values: text parsed, an object (aws-native, Cloud Control) as it is. */
function templateValue(body: unknown): { value: TemplateValue } | { unreadable: string } {
  if (typeof body === "string") {
    return parseTemplateText(body);
  }
  // Reading an object given by the policy SDK throws its UnknownValueError where a value is
  // unknown during a preview: the caller's to handle, as for every resource's properties.
  const text = JSON.stringify(body);
  return text === undefined
    ? { unreadable: "is not a CloudFormation template" }
    : { value: JSON.parse(text) as TemplateValue };
}

/**
 * The resources a template declares, its functions evaluated with what `context` knows of the
 * stack; or why it cannot be read. `body` is the template's text, or the template as an object.
 */
export function readTemplate(body: unknown, context: TemplateContext = {}): TemplateReading {
  try {
    const parsed = templateValue(body);
    if ("unreadable" in parsed) {
      return parsed;
    }
    const reason = unreadableTemplate(parsed.value);
    return reason === undefined
      ? readResources(parsed.value as TemplateObject, context)
      : { unreadable: reason };
  } catch (e) {
    if (e instanceof RangeError) {
      return { unreadable: "is nested too deeply to read" };
    }
    throw e;
  }
}

function section(template: TemplateObject, name: string): TemplateObject {
  const value = template[name];
  return isTemplateObject(value) ? value : {};
}

function readResources(template: TemplateObject, context: TemplateContext): TemplateReading {
  const declaredResources = section(template, "Resources");
  const unreadReasons = new Map<string, string>();
  for (const [logicalId, declared] of Object.entries(declaredResources)) {
    const reason = unreadResource(declared);
    if (reason !== undefined) {
      unreadReasons.set(logicalId, reason);
    }
  }
  const resolver = new TemplateResolver(
    {
      resources: declaredResources,
      parameters: section(template, "Parameters"),
      mappings: section(template, "Mappings"),
      conditions: section(template, "Conditions"),
    },
    context,
    unreadReasons,
  );
  const resources: DeclaredResource[] = [];
  const unread: UnreadResource[] = [];
  for (const [logicalId, declared] of Object.entries(declaredResources)) {
    const reason = unreadReasons.get(logicalId);
    if (reason !== undefined) {
      unread.push({ logicalId, reason });
      continue;
    }
    const { Type: type, Condition: condition } = declared as TemplateObject;
    const created = typeof condition === "string" ? resolver.condition(condition) : true;
    // Not created when its condition is false; read first, before anything refers to it.
    if (created !== false) {
      const resolved = resolver.resource(logicalId) as ResolvedResource;
      resources.push(declaredResource(logicalId, String(type), resolved, created));
    }
  }
  return { resources, unread };
}

/** A string holding a dynamic reference, which CloudFormation resolves when it deploys. */
const dynamicReference = /\{\{resolve:/;

/** The value with `leaf` applied to every value that is not a list or a plain object. */
function mapLeaves(value: unknown, leaf: (value: unknown) => unknown): unknown {
  if (Array.isArray(value)) {
    return value.map((item) => mapLeaves(item, leaf));
  }
  if (typeof value === "object" && value !== null && !(value instanceof Unresolved)) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, mapLeaves(item, leaf)]),
    );
  }
  return leaf(value);
}

/**
 * Properties camel-cased by `normalize.ts`'s `camelCaseProperties` (which keeps policy
 * documents as written), with each Unresolved held aside as a symbol meanwhile: the camel-casing
 * reads objects as maps, and would turn one into `{ reason }`.
 */
function camelCased(props: TemplateObject): Record<string, unknown> {
  const held = new Map<symbol, Unresolved>();
  const marked = mapLeaves(props, (leaf) => {
    const value =
      typeof leaf === "string" && dynamicReference.test(leaf)
        ? unresolved(
            `the dynamic reference ${JSON.stringify(leaf)}`,
            "read when CloudFormation deploys",
          )
        : leaf;
    if (!(value instanceof Unresolved)) {
      return value;
    }
    const mark = Symbol(value.reason);
    held.set(mark, value);
    return mark;
  });
  const cased = camelCaseProperties(marked);
  return mapLeaves(cased, (leaf) =>
    typeof leaf === "symbol" ? (held.get(leaf) ?? leaf) : leaf,
  ) as Record<string, unknown>;
}

/** A property name as `camelCaseProperties` spells it. */
function camelCaseKey(key: string): string {
  return Object.keys(camelCaseProperties({ [key]: null }) as object)[0];
}

function declaredResource(
  logicalId: string,
  cloudFormationType: string,
  resolved: ResolvedResource,
  created: true | Unresolved,
): DeclaredResource {
  return {
    logicalId,
    cloudFormationType,
    type: own(cloudFormationTypes, cloudFormationType) ?? cloudFormationType,
    props: camelCased(resolved.props),
    references: Object.fromEntries(
      Object.entries(resolved.references).map(([key, ids]) => [camelCaseKey(key), ids]),
    ),
    ...(created instanceof Unresolved && { condition: created }),
  };
}

/** Where a stack or stack set's template is. */
export type TemplateSource =
  { readonly body: unknown } | { readonly url: string } | { readonly unreadable: string };

/** A resource that deploys a CloudFormation template. */
export interface CloudFormationDeployment {
  /** How a message names it: `CloudFormation stack "x"`, `CloudFormation stack set "x"`. */
  readonly what: string;
  readonly kind: "stack" | "stack set";
  /** Its template: body (text, or an object), or only a URL. Read on access. */
  readonly template: () => TemplateSource;
  /** What the resource says of the stack: its parameters, and its name and region if set. */
  readonly context: () => TemplateContext;
  /** Whether it deploys into accounts other than its own: a stack set's are not known here. */
  readonly otherAccounts: boolean;
}

/** The properties of a stack or stack set, whichever provider declared it, read on access. */
interface StackProperties {
  readonly kind: "stack" | "stack set";
  readonly name: () => unknown;
  readonly body: () => unknown;
  readonly url: () => unknown;
  readonly parameters: () => Record<string, string | Unresolved>;
  readonly region: () => unknown;
  /** Why its properties cannot be read at all (a Cloud Control desired state that is not JSON). */
  readonly unreadable: () => string | undefined;
}

/** A parameter's value; Unresolved when it is unknown during a preview, or not text. */
function parameterValue(key: string, read: () => unknown): string | Unresolved {
  try {
    const value = read();
    return typeof value === "string" || typeof value === "number" || typeof value === "boolean"
      ? String(value)
      : unresolved(`parameter ${key}`, `${describe(value)} is not text`);
  } catch (e) {
    if (isUnknownValueError(e)) {
      return unresolved(`parameter ${key}`, "unknown during the preview");
    }
    throw e;
  }
}

/** Parameters as a map (aws, aws-native stacks): name → value. */
function parameterMap(read: () => unknown): Record<string, string | Unresolved> {
  const map = read();
  if (typeof map !== "object" || map === null) {
    return {};
  }
  const values = map as Record<string, unknown>;
  return Object.fromEntries(
    Object.keys(values).map((key) => [key, parameterValue(key, () => values[key])]),
  );
}

/** Parameters as a list of `{ <key>: name, <value>: value }` (aws-native stack sets). */
function parameterList(
  read: () => unknown,
  keyName: string,
  valueName: string,
): Record<string, string | Unresolved> {
  const list = read();
  const entries: [string, string | Unresolved][] = [];
  for (const entry of Array.isArray(list) ? (list as Record<string, unknown>[]) : []) {
    const key = parameterValue("key", () => entry[keyName]);
    if (typeof key === "string") {
      entries.push([key, parameterValue(key, () => entry[valueName])]);
    }
  }
  return Object.fromEntries(entries);
}

function stackProperties(resource: ResourceLike): StackProperties | undefined {
  // Props are read only for the types that have them: most resources are of none of these.
  const { type } = resource;
  const readable = () => undefined;
  switch (type) {
    case awsCloudFormationTypes.stack:
    case awsCloudFormationTypes.stackSet:
      return {
        kind: type === awsCloudFormationTypes.stack ? "stack" : "stack set",
        name: () => resource.props.name,
        body: () => resource.props.templateBody,
        url: () => resource.props.templateUrl,
        parameters: () => parameterMap(() => resource.props.parameters),
        region: () => resource.props.region,
        unreadable: readable,
      };
    case awsNativeCloudFormationTypes.stack:
      return {
        kind: "stack",
        name: () => resource.props.stackName,
        body: () => resource.props.templateBody,
        url: () => resource.props.templateUrl,
        parameters: () => parameterMap(() => resource.props.parameters),
        region: () => undefined,
        unreadable: readable,
      };
    case awsNativeCloudFormationTypes.stackSet:
      return {
        kind: "stack set",
        name: () => resource.props.stackSetName,
        body: () => resource.props.templateBody,
        url: () => resource.props.templateUrl,
        parameters: () =>
          parameterList(() => resource.props.parameters, "parameterKey", "parameterValue"),
        region: () => undefined,
        unreadable: readable,
      };
    case cloudControlResourceType:
      return cloudControlStack(resource.props);
    default:
      return undefined;
  }
}

/** A Cloud Control resource of type `AWS::CloudFormation::Stack` or `StackSet`. */
function cloudControlStack(props: Record<string, any>): StackProperties | undefined {
  const kind =
    props.typeName === stackTypeNames.stack
      ? "stack"
      : props.typeName === stackTypeNames.stackSet
        ? "stack set"
        : undefined;
  if (kind === undefined) {
    return undefined;
  }
  const state = (): Record<string, unknown> | string => {
    let value: unknown = props.desiredState;
    try {
      value = typeof value === "string" ? JSON.parse(value) : value;
    } catch {
      return "has a desiredState that is not valid JSON";
    }
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : "has a desiredState that is not a JSON object";
  };
  const field = (key: string) => () => {
    const value = state();
    return typeof value === "string" ? undefined : value[key];
  };
  return {
    kind,
    name: field(kind === "stack" ? "StackName" : "StackSetName"),
    body: field("TemplateBody"),
    url: field("TemplateURL"),
    parameters: () =>
      kind === "stack"
        ? parameterMap(field("Parameters"))
        : parameterList(field("Parameters"), "ParameterKey", "ParameterValue"),
    region: () => undefined,
    unreadable: () => {
      const value = state();
      return typeof value === "string" ? value : undefined;
    },
  };
}

/** A value that is text, or undefined (also when it is unknown during a preview). */
function knownText(read: () => unknown): string | undefined {
  try {
    const value = read();
    return typeof value === "string" && value !== "" ? value : undefined;
  } catch (e) {
    if (isUnknownValueError(e)) {
      return undefined;
    }
    throw e;
  }
}

function templateSource(stack: StackProperties): TemplateSource {
  const unreadable = stack.unreadable();
  if (unreadable !== undefined) {
    return { unreadable };
  }
  const body = stack.body();
  if (body !== undefined && body !== null && body !== "") {
    return { body };
  }
  const url = stack.url();
  return typeof url === "string" && url !== ""
    ? { url }
    : { unreadable: "names no template (neither a template body nor a template URL)" };
}

/**
 * The template a CloudFormation stack or stack set deploys, of `@pulumi/aws`, `@pulumi/aws-native`
 * or Cloud Control; undefined for other resources. Reading `template` or `context` throws the
 * policy SDK's UnknownValueError when the template (or the parameters) are unknown during a
 * preview; a parameter unknown on its own is Unresolved.
 */
export function cloudFormationTemplate(
  resource: ResourceLike & { readonly name?: string },
): CloudFormationDeployment | undefined {
  const stack = stackProperties(resource);
  if (stack === undefined) {
    return undefined;
  }
  const name = knownText(stack.name);
  const region = knownText(stack.region);
  const otherAccounts = stack.kind === "stack set";
  return {
    what: `CloudFormation ${stack.kind} "${name ?? resource.name ?? "unnamed"}"`,
    kind: stack.kind,
    otherAccounts,
    template: () => templateSource(stack),
    // A stack set's instances are other stacks, in accounts and regions not known here, named by
    // CloudFormation, and each may override any parameter.
    context: () =>
      otherAccounts
        ? { parameters: stack.parameters(), overridden: "all" }
        : {
            parameters: stack.parameters(),
            ...(name !== undefined && { stackName: name }),
            ...(region !== undefined && { region }),
          },
  };
}

/** What the caller knows of where a stack deploys: its provider's account, partition, region. */
export interface DeploymentTarget {
  readonly account?: string;
  readonly partition?: string;
  readonly region?: string;
}

/**
 * What a stack or stack set's template declares: `readTemplate` with the resource's context and
 * the caller's target. A stack set deploys into accounts and regions not known here, in the
 * same partition; a template given only by URL is unreadable (the pack fetches nothing).
 */
export function readDeployment(
  deployment: CloudFormationDeployment,
  target: DeploymentTarget = {},
): TemplateReading {
  const source = deployment.template();
  if ("unreadable" in source) {
    return source;
  }
  if ("url" in source) {
    return {
      unreadable: `is only given by URL (${source.url}), and the pack does not fetch templates`,
    };
  }
  const context = deployment.context();
  return readTemplate(source.body, {
    ...context,
    ...(target.partition !== undefined && { partition: target.partition }),
    ...(!deployment.otherAccounts && {
      ...(target.account !== undefined && { account: target.account }),
      ...((context.region ?? target.region) !== undefined && {
        region: context.region ?? target.region,
      }),
    }),
  });
}
