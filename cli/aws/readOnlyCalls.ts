/**
 * The AWS API calls the CLI makes to read an account, in one table: the clients refuse any other
 * (so nothing here can write to AWS), and `audit --print-permissions` prints exactly these as
 * the read-only IAM policy the audit needs. A call added to a reader without a row here fails
 * at its first use; a row no reader uses fails the audit's tests.
 */

/** What each call reads, by service and operation (the SDK's command name without `Command`). */
export const readOnlyCalls = {
  ecr: {
    DescribeRepositories: "ECR repositories",
    ListTagsForResource: "ECR repository tags",
    GetLifecyclePolicy: "ECR lifecycle policies",
    GetRepositoryPolicy: "ECR repository policies",
    GetRegistryScanningConfiguration: "the ECR registry scanning configuration",
    GetRegistryPolicy: "the ECR registry policy",
    DescribeRegistry: "the ECR replication configuration",
    DescribeRepositoryCreationTemplates: "ECR repository creation templates",
    DescribePullThroughCacheRules: "ECR pull-through cache rules",
    GetSigningConfiguration: "the ECR registry signing configuration",
  },
  iam: {
    ListOpenIDConnectProviders: "IAM OIDC providers",
    GetOpenIDConnectProvider: "IAM OIDC providers",
    ListRoles: "IAM roles",
    ListRolePolicies: "IAM role inline policies",
    GetRolePolicy: "IAM role inline policies",
    ListAttachedRolePolicies: "IAM role attached policies",
    GetPolicy: "IAM managed policies",
    GetPolicyVersion: "IAM managed policies",
  },
  sts: {
    GetCallerIdentity: "the account's identity",
    // Reads nothing and changes nothing: it signs credentials for a member account's audit role.
    AssumeRole: "the member account's audit role",
  },
  organizations: {
    ListAccounts: "the Organization's accounts",
  },
  ec2: {
    DescribeRegions: "the account's enabled regions",
  },
} as const;

export type Service = keyof typeof readOnlyCalls;

/** `ecr:DescribeRepositories`, as IAM names the action the call needs. */
export type ReadAction = {
  [S in Service]: `${S}:${Extract<keyof (typeof readOnlyCalls)[S], string>}`;
}[Service];

/** Every action the readers call, sorted: each call needs the IAM action of its name. */
export function readActions(): ReadAction[] {
  return (Object.keys(readOnlyCalls) as Service[])
    .flatMap((service) =>
      Object.keys(readOnlyCalls[service]).map((operation) => `${service}:${operation}`),
    )
    .sort() as ReadAction[];
}

/** The calls only the management (or delegated administrator) side of an organisation audit sends. */
export const managementOnlyCalls: readonly ReadAction[] = [
  "organizations:ListAccounts",
  "sts:AssumeRole",
];

/**
 * The calls that read an account (every one but the management side's of an organisation
 * audit): what the single-account audit and a member role need, on `*`.
 */
export function accountReadActions(): ReadAction[] {
  return readActions().filter((action) => !managementOnlyCalls.includes(action));
}

/** What a call reads, for messages: `ECR lifecycle policies`. */
export function whatItReads(action: ReadAction): string {
  const [service, operation] = action.split(":") as [Service, string];
  return (readOnlyCalls[service] as Record<string, string>)[operation];
}

/** An identity policy of allow statements, as `--print-permissions` prints it. */
export interface AllowPolicy {
  Version: "2012-10-17";
  Statement: { Sid: string; Effect: "Allow"; Action: string[]; Resource: string }[];
}

/** The least IAM policy that lets the CLI read what it reads: these actions, on `*`. */
export function readOnlyPolicy(actions: readonly ReadAction[] = accountReadActions()): AllowPolicy {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "TrustedDeliveryAuditReadOnly",
        Effect: "Allow",
        // The List and Describe calls cannot be scoped to resources, and the audit reads every
        // repository and role of the account.
        Action: [...actions],
        Resource: "*",
      },
    ],
  };
}

/**
 * The two policies of an organisation audit: the management (or delegated administrator)
 * account's audit principal lists the accounts, assumes `roleName` in each, and reads its own
 * account with `accountCalls`; the member role (`roleName`, deployed by the README's StackSet)
 * reads its account with `accountCalls` and nothing else.
 */
export function organizationPolicies(
  accountCalls: readonly ReadAction[],
  roleName: string,
): { managementAccount: AllowPolicy; memberRole: AllowPolicy } {
  const member = accountCalls.filter((action) => !managementOnlyCalls.includes(action));
  const management = readOnlyPolicy(
    [...new Set([...member, "organizations:ListAccounts" as const])].sort(),
  );
  return {
    managementAccount: {
      ...management,
      Statement: [
        ...management.Statement,
        {
          Sid: "TrustedDeliveryAuditAssumeMemberRole",
          Effect: "Allow",
          Action: ["sts:AssumeRole"],
          // Any account, any partition: only the audit role, by name.
          Resource: `arn:*:iam::*:role/${roleName}`,
        },
      ],
    },
    memberRole: readOnlyPolicy(member),
  };
}

/** An attempt to send a command the table does not list: a bug, never sent. */
export class UnlistedCallError extends Error {
  constructor(readonly action: string) {
    super(
      `${action} is not one of the read-only calls in cli/aws/readOnlyCalls.ts; the CLI sends no other`,
    );
    this.name = "UnlistedCallError";
  }
}

/** A client whose middleware stack can take the guard (every SDK v3 client). */
export interface GuardableClient {
  readonly middlewareStack: { add(middleware: any, options: any): void };
}

/**
 * Lets the client send only the calls of its service the table lists, refusing anything else
 * before it is signed; `observe` hears every call that goes out (the tests record them).
 */
export function guardReadOnly<C extends GuardableClient>(
  client: C,
  service: Service,
  observe?: (action: ReadAction) => void,
): C {
  client.middlewareStack.add(
    (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) =>
      async (args: unknown) => {
        const operation = String(context.commandName ?? "").replace(/Command$/, "");
        const action = `${service}:${operation}`;
        if (!Object.prototype.hasOwnProperty.call(readOnlyCalls[service], operation)) {
          throw new UnlistedCallError(action);
        }
        observe?.(action as ReadAction);
        return next(args);
      },
    { step: "initialize", name: "trustedDeliveryReadOnly", priority: "high" },
  );
  return client;
}
