/**
 * What was read of a live account, as resources in the `@pulumi/aws` provider's property
 * shapes: the pack's policies judge them exactly as they judge a stack's resources. Each region
 * is a stack of its own (one Pulumi stack is one region), and IAM, which is global, one more.
 *
 * A property that could not be read is unknown, as a value not known yet is during a preview:
 * reading it throws an error the pack recognises (the policy SDK's `UnknownValueError`, by
 * name), so a resource check that needs it does not run (the audit says which), and a stack
 * check skips it. Nothing unread is taken for compliant.
 */
import { LiveManagedPolicy, LiveOidcProvider, LiveRole } from "../aws/readRoles";
import { LiveRegistry } from "../aws/readRegistries";
import { Unread } from "../aws/unread";
import { RunnableResource } from "./runPolicies";

/** Where a resource is, for people and for code scanning. */
export interface ResourceLocation {
  /** The Pulumi type token of its shape. */
  readonly type: string;
  /** What it is, for people: `ECR repository`. */
  readonly kind: string;
  /** Its name: the repository's, role's, template's prefix; `registry` for the registry's own settings. */
  readonly name: string;
  /** The region; undefined for IAM. */
  readonly region?: string;
  /** Its ARN, or the ARN of the repository or role it belongs to; undefined when it has none. */
  readonly arn?: string;
  /**
   * A stable path naming it, unique in the account: `aws/ecr/eu-west-2/123456789012/repository/x`,
   * `aws/iam/123456789012/role/x`, `aws/ecr/eu-west-2/123456789012/registry-policy`.
   */
  readonly id: string;
}

export interface AuditResource extends RunnableResource {
  readonly location: ResourceLocation;
}

/** What was read of an account. */
export interface LiveAccount {
  readonly account: string;
  readonly partition: string;
  /** The regions read: the ones given, or the account's enabled regions. */
  readonly regions: readonly string[];
  /**
   * Why the account's enabled regions could not be listed, when they could not: then only the
   * home region was read, and the others are "could not read".
   */
  readonly enabledRegions?: Unread;
  readonly registries: readonly LiveRegistry[];
  readonly oidcProviders: readonly LiveOidcProvider[] | Unread;
  /** Customer managed policies attached to the roles read. */
  readonly managedPolicies: readonly LiveManagedPolicy[];
  readonly roles: readonly LiveRole[] | Unread;
}

/** Where a part of an account was read. */
export interface Where {
  readonly account: string;
  readonly partition: string;
  /** Undefined for IAM. */
  readonly region?: string;
}

/** Thrown when a policy reads a property that could not be read; named as the policy SDK's. */
export class UnknownValueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UnknownValueError";
  }
}

/** The path of an ARN: `arn:aws:ecr:eu-west-2:1:repository/x` is `aws/ecr/eu-west-2/1/repository/x`. */
export function arnPath(arn: string): string {
  const [, partition, service, region, account, ...resource] = arn.split(":");
  return [partition, service, region, account, resource.join(":")]
    .filter((part) => part !== undefined && part !== "")
    .join("/");
}

/** Properties, with those that could not be read unknown: reading them throws. */
export function withUnknowns(
  known: Record<string, unknown>,
  unread: Readonly<Record<string, Unread | undefined>>,
): Record<string, any> {
  const props: Record<string, any> = { ...known };
  for (const [key, reading] of Object.entries(unread)) {
    if (reading !== undefined) {
      Object.defineProperty(props, key, {
        enumerable: true,
        get: () => {
          throw new UnknownValueError(
            `${reading.what} could not be read (${reading.action}: ${reading.reason})`,
          );
        },
      });
    }
  }
  return props;
}

export const unreadOr = <T>(value: T | Unread): Unread | undefined =>
  value instanceof Unread ? value : undefined;

export const knownOr = <T>(value: T | Unread | undefined): T | undefined =>
  value instanceof Unread ? undefined : value;

/** The resources of one stack (a region, or IAM), as they are built. */
export class Builder {
  readonly resources: AuditResource[] = [];
  private readonly byArn = new Map<string, AuditResource>();

  constructor(
    private readonly stack: string,
    private readonly kinds: Readonly<Record<string, string>>,
  ) {}

  add(
    type: string,
    location: Omit<ResourceLocation, "type" | "kind">,
    props: Record<string, any>,
    propertyDependencies: Record<string, readonly AuditResource[]> = {},
  ): AuditResource {
    const resource: AuditResource = {
      type,
      name: location.name,
      urn: `urn:pulumi:${this.stack}::live::${type}::${location.id}`,
      props,
      propertyDependencies,
      location: { type, kind: this.kinds[type] ?? type, ...location },
    };
    this.resources.push(resource);
    if (location.arn !== undefined && !this.byArn.has(`${type} ${location.arn}`)) {
      this.byArn.set(`${type} ${location.arn}`, resource);
    }
    return resource;
  }

  /** A resource built earlier in this stack, by its type and ARN. */
  find(type: string, arn: string): AuditResource | undefined {
    return this.byArn.get(`${type} ${arn}`);
  }
}
