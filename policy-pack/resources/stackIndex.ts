/**
 * One reading of a stack for every stack policy of an `AnalyzeStack` call: resources by type,
 * roles with the policies given to them by every route, and parsed documents, computed once
 * and shared. The SDK hands each stack policy a new array of new resource objects; with the
 * pack's shared reading (`lib/sharedReading.ts`) their `props` are the same objects, which is how
 * a later policy finds the index an earlier one built.
 *
 * Each resource is read on its own: a value unknown during a preview makes that resource (or
 * that one link) unknown, never the whole stack, so it cannot hide a known violation elsewhere.
 */
import { parsePolicyDocument, ParsedDocument } from "../iam/document";
import { DocumentSource, managedPolicy, roleGrant, roleView, RoleView } from "./iam";
import { normalize, ResourceLike, UnreadableDesiredState } from "./normalize";

/** A resource of a stack, as the policy SDK (or the audit) gives it. */
export interface StackResource extends ResourceLike {
  readonly urn: string;
  readonly name: string;
  readonly parent?: StackResource;
  readonly propertyDependencies: Readonly<Record<string, readonly StackResource[]>>;
}

/**
 * Reads a value, or gives undefined when it is unknown during a preview (or, for a Cloud Control
 * resource, unreadable: the resource policies report that).
 */
export function knownOrUndefined<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch (e) {
    if (isUnknownValueError(e) || e instanceof UnreadableDesiredState) {
      return undefined;
    }
    throw e;
  }
}

/** The policy SDK's UnknownValueError is internal to it; its class name identifies it. */
export function isUnknownValueError(e: unknown): boolean {
  return e instanceof Error && e.constructor.name === "UnknownValueError";
}

/** What the stack gives a role: documents, and managed policies by ARN. */
export interface RolePermissions {
  readonly documents: readonly DocumentSource[];
  /** Managed policies attached by ARN and not declared in the stack. */
  readonly managedPolicyArns: readonly string[];
  /** Attachments whose role link or policy is unknown during the preview. */
  readonly unknown: number;
}

export class StackIndex {
  private static readonly cache = new WeakMap<readonly StackResource[], StackIndex>();
  /** Indexes by their first resource's `props`, released with the stack they read. */
  private static readonly byFirstProps = new WeakMap<object, StackIndex>();

  /**
   * The index of these resources, built once however many policies ask: for the same array, or
   * for another array of the same resources in the same order with the same `props` objects.
   */
  static of(resources: readonly StackResource[]): StackIndex {
    let index = StackIndex.cache.get(resources);
    if (index !== undefined) {
      return index;
    }
    const first = resources[0]?.props;
    const earlier = first === undefined ? undefined : StackIndex.byFirstProps.get(first);
    index = earlier?.reads(resources) ? earlier : new StackIndex(resources);
    StackIndex.cache.set(resources, index);
    if (first !== undefined && index !== earlier) {
      StackIndex.byFirstProps.set(first, index);
    }
    return index;
  }

  /** Whether these are this index's resources: same URNs, types and `props` objects, in order. */
  private reads(resources: readonly StackResource[]): boolean {
    return (
      resources.length === this.resources.length &&
      resources.every((resource, i) => {
        const mine = this.resources[i];
        return (
          resource.props === mine.props && resource.urn === mine.urn && resource.type === mine.type
        );
      })
    );
  }

  private readonly byType = new Map<string, StackResource[]>();
  private readonly documents = new Map<string, ParsedDocument>();
  private grantIndex?: Map<string, StackResource[]>;
  private policiesByArn?: Map<string, StackResource>;
  private stackOrder?: Map<StackResource, number>;
  private readonly permissions = new Map<StackResource, RolePermissions>();

  private constructor(readonly resources: readonly StackResource[]) {
    for (const resource of resources) {
      let type: string;
      try {
        type = normalize(resource).type;
      } catch {
        type = resource.type;
      }
      const list = this.byType.get(type);
      if (list) {
        list.push(resource);
      } else {
        this.byType.set(type, [resource]);
      }
    }
  }

  /** Resources of these types (a Cloud Control resource counts as its aws-native type). */
  ofTypes(...types: readonly string[]): StackResource[] {
    return types.flatMap((type) => this.byType.get(type) ?? []);
  }

  /** A policy document parsed once per text (documents repeat across a stack's roles). */
  parse(document: unknown): ParsedDocument {
    if (typeof document !== "string") {
      return parsePolicyDocument(document);
    }
    let parsed = this.documents.get(document);
    if (parsed === undefined) {
      parsed = parsePolicyDocument(document);
      this.documents.set(document, parsed);
    }
    return parsed;
  }

  /** Grants by the role they name: `urn:<role URN>` through dependencies, `name:<name>` else. */
  private grants(): Map<string, StackResource[]> {
    if (this.grantIndex) {
      return this.grantIndex;
    }
    const index = new Map<string, StackResource[]>();
    const add = (key: string, resource: StackResource) => {
      const list = index.get(key) ?? [];
      if (!list.includes(resource)) {
        list.push(resource);
      }
      index.set(key, list);
    };
    for (const resource of this.resources) {
      const grant = knownOrUndefined(() => roleGrant(resource));
      if (grant === undefined) {
        continue;
      }
      for (const dependency of resource.propertyDependencies[grant.roleProperty] ?? []) {
        add(`urn:${dependency.urn}`, resource);
      }
      for (const name of knownOrUndefined(() => grant.roleNames()) ?? []) {
        add(`name:${name}`, resource);
      }
    }
    this.grantIndex = index;
    return index;
  }

  /** Customer managed policies of the stack by ARN, where known. */
  private policies(): Map<string, StackResource> {
    if (this.policiesByArn) {
      return this.policiesByArn;
    }
    const byArn = new Map<string, StackResource>();
    for (const resource of this.resources) {
      const policy = knownOrUndefined(() => managedPolicy(resource));
      const arn = policy && knownOrUndefined(() => policy.arn());
      if (arn !== undefined) {
        byArn.set(arn, resource);
      }
    }
    this.policiesByArn = byArn;
    return byArn;
  }

  /** Each resource's position in the stack. */
  private order(): Map<StackResource, number> {
    this.stackOrder ??= new Map(this.resources.map((r, i) => [r, i]));
    return this.stackOrder;
  }

  /** What the stack gives a role, by every route, in stack order (worked out once per role). */
  permissionsOf(role: StackResource, view: RoleView): RolePermissions {
    let permissions = this.permissions.get(role);
    if (permissions === undefined) {
      permissions = this.gatherPermissions(role, view);
      this.permissions.set(role, permissions);
    }
    return permissions;
  }

  private gatherPermissions(role: StackResource, view: RoleView): RolePermissions {
    const documents: DocumentSource[] = [...(knownOrUndefined(() => view.inline()) ?? [])];
    const managedPolicyArns: string[] = [
      ...(knownOrUndefined(() => view.managedPolicyArns()) ?? []),
    ];
    let unknown = 0;
    const name = knownOrUndefined(() => view.name());
    const grants = this.grants();
    const linked = new Set([
      ...(grants.get(`urn:${role.urn}`) ?? []),
      ...(name === undefined ? [] : (grants.get(`name:${name}`) ?? [])),
    ]);
    const order = this.order();
    for (const resource of [...linked].sort((a, b) => order.get(a)! - order.get(b)!)) {
      const grant = roleGrant(resource)!;
      documents.push(...grant.documents(resource.name));
      const customer = grant.policyArnProperty
        ? (resource.propertyDependencies[grant.policyArnProperty] ?? []).filter(
            (d) => managedPolicy(d) !== undefined,
          )
        : [];
      for (const policy of customer) {
        documents.push({
          label: `attached policy "${policy.name}"`,
          document: () => managedPolicy(policy)!.document(),
        });
      }
      const arns = knownOrUndefined(() => grant.policyArns());
      if (arns === undefined) {
        unknown += customer.length === 0 ? 1 : 0;
        continue;
      }
      for (const arn of arns) {
        const declared = this.policies().get(arn);
        if (declared !== undefined) {
          if (!customer.includes(declared)) {
            documents.push({
              label: `attached policy "${declared.name}"`,
              document: () => managedPolicy(declared)!.document(),
            });
          }
        } else if (customer.length === 0) {
          managedPolicyArns.push(arn);
        }
      }
    }
    return { documents, managedPolicyArns, unknown };
  }

  /** Roles of the stack with their views. */
  roles(): { resource: StackResource; view: RoleView }[] {
    const found: { resource: StackResource; view: RoleView }[] = [];
    for (const resource of this.resources) {
      const view = knownOrUndefined(() => roleView(resource));
      if (view !== undefined) {
        found.push({ resource, view });
      }
    }
    return found;
  }
}
