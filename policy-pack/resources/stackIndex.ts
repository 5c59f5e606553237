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
import { Placement } from "../iam/placement";
import { declaredResources } from "./declared";
import { normalize, ResourceLike } from "./normalize";

/** A resource of a stack, as the policy SDK (or the audit) gives it. */
export interface StackResource extends ResourceLike {
  readonly urn: string;
  readonly name: string;
  readonly parent?: StackResource;
  readonly propertyDependencies: Readonly<Record<string, readonly StackResource[]>>;
  readonly provider?: { readonly props: Record<string, any> };
  /**
   * For a resource a CloudFormation template declares: the template's stack, which violations
   * are reported on, and how messages name the resource.
   */
  readonly declaredIn?: { readonly urn: string; readonly declaredBy: string };
  /** Where it lives, when not its own (a stack set's resources: anywhere). */
  readonly placement?: Placement;
}

/**
 * The resources a template declares, as stack resources: each linked to the others its
 * properties refer to (`Ref`, `Fn::GetAtt`), as the engine links a program's by dependencies.
 */
function declaredStackResources(stack: StackResource): StackResource[] {
  const declared = declaredResources(stack);
  const byLogicalId = new Map<
    string,
    StackResource & { propertyDependencies: Record<string, StackResource[]> }
  >();
  for (const { declared: d, judged } of declared) {
    byLogicalId.set(d.logicalId, {
      urn: `${stack.urn}$${d.logicalId}`,
      name: judged.name,
      type: judged.type,
      props: judged.props,
      parent: stack,
      propertyDependencies: {},
      ...(stack.provider && { provider: stack.provider }),
      declaredIn: { urn: stack.urn, declaredBy: judged.declaredBy! },
      ...(judged.placement && { placement: judged.placement }),
    });
  }
  for (const { declared: d } of declared) {
    const resource = byLogicalId.get(d.logicalId)!;
    for (const [property, ids] of Object.entries(d.references)) {
      resource.propertyDependencies[property] = ids
        .map((id) => byLogicalId.get(id))
        .filter(
          (r): r is StackResource & { propertyDependencies: Record<string, StackResource[]> } =>
            r !== undefined,
        );
    }
  }
  return [...byLogicalId.values()];
}

export { isUnknownValueError, knownOrUndefined } from "./known";
import { knownOrUndefined } from "./known";

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

  /**
   * Whether these are this index's resources, in order: the same objects, or the same URNs,
   * types and `props` objects.
   */
  private reads(resources: readonly StackResource[]): boolean {
    return (
      resources.length === this.given.length &&
      resources.every((resource, i) => {
        const mine = this.given[i];
        return (
          resource === mine ||
          (resource.props === mine.props &&
            resource.urn === mine.urn &&
            resource.type === mine.type)
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

  /** The stack's resources, and every resource a CloudFormation template among them declares. */
  readonly resources: readonly StackResource[];

  private constructor(private readonly given: readonly StackResource[]) {
    this.resources = [...given, ...given.flatMap(declaredStackResources)];
    for (const resource of this.resources) {
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

  /** The template's stack and how messages name it, for a resource a template declares. */
  declaredIn(urn: string): StackResource["declaredIn"] {
    return this.resources.find((r) => r.urn === urn)?.declaredIn;
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
    // A template's role names its managed policies by reference: their documents are read,
    // and the references they resolve are not ARNs to report as unreadable.
    const referenced = (role.propertyDependencies.managedPolicyArns ?? []).filter(
      (d) => managedPolicy(d) !== undefined,
    );
    for (const policy of referenced) {
      documents.push({
        label: `attached policy "${policy.name}"`,
        document: () => managedPolicy(policy)!.document(),
      });
    }
    if (referenced.length > 0) {
      managedPolicyArns.splice(
        0,
        managedPolicyArns.length,
        ...managedPolicyArns.filter((arn) => !arn.startsWith("(")),
      );
    }
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

  /**
   * The document of a role's permissions boundary, when the stack knows it: a managed policy of
   * the stack whose ARN the boundary is, or (while the ARN is unknown, or a template's reference)
   * the one managed policy the boundary depends on. Undefined when the role has no boundary or
   * one the stack does not declare (an AWS managed policy, another stack's): the pack knows no
   * AWS managed policy's document, and a boundary it cannot read must restrict nothing.
   */
  boundaryOf(role: StackResource, view: RoleView): DocumentSource | undefined {
    const unknownYet = Symbol("unknown");
    const arn: unknown = knownOrUndefined(() => view.permissionsBoundary() ?? null) ?? unknownYet;
    if (arn === null) {
      return undefined;
    }
    const linked = (role.propertyDependencies.permissionsBoundary ?? []).filter(
      (d) => knownOrUndefined(() => managedPolicy(d)) !== undefined,
    );
    const policy =
      typeof arn === "string"
        ? this.policies().get(arn)
        : linked.length === 1
          ? linked[0]
          : undefined;
    return policy === undefined
      ? undefined
      : {
          label: `permissions boundary "${policy.name}"`,
          document: () => managedPolicy(policy)!.document(),
        };
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
