import { attributesFromState } from "../../registry/attributes";
import { InvalidInputError, CliError } from "../../core/errors";
import { Problem, isPlainObject, problem } from "../../../components/problems";
import { ExistingLifecyclePolicy, ExistingRegistry, ExistingRepositoryPolicy } from "../registry";
import { readUserFile } from "../../workspace/project";

/**
 * An ECR repository as the Terraform state holds it, with its lifecycle policy if it has one, and
 * the addresses `terraform state rm` hands over.
 */
export interface TerraformRegistry extends ExistingRegistry {
  /** The state address, for `terraform state rm`. */
  readonly address: string;
  readonly lifecyclePolicy?: ExistingLifecyclePolicy & { readonly address: string };
  readonly repositoryPolicy?: ExistingRepositoryPolicy & { readonly address: string };
}

interface StateInstance {
  readonly address: string;
  readonly attributes: Record<string, unknown>;
}

/** Whether Go's unicode.IsPrint holds: what Terraform writes as it is inside a quoted key. */
function isPrintable(character: string): boolean {
  return character === " " || /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u.test(character);
}

const hclEscapes: Readonly<Record<string, string>> = {
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  '"': '\\"',
  "\\": "\\\\",
};

/**
 * A `for_each` key as Terraform writes it in an address: HCL's quoted string, with `\n`, `\r`,
 * `\t`, `\"` and `\\` escaped, `${` and `%{` doubled so they are no template, and other
 * unprintable characters as `\uXXXX` (Terraform's addrs.toHCLQuotedString).
 */
export function terraformQuoted(key: string): string {
  let quoted = "";
  const characters = [...key];
  characters.forEach((c, i) => {
    if (c in hclEscapes) {
      quoted += hclEscapes[c];
    } else if (c === "$" || c === "%") {
      quoted += characters[i + 1] === "{" ? c + c : c;
    } else if (!isPrintable(c)) {
      const code = c.codePointAt(0)!;
      quoted +=
        code < 0x10000
          ? `\\u${code.toString(16).padStart(4, "0")}`
          : `\\U${code.toString(16).padStart(8, "0")}`;
    } else {
      quoted += c;
    }
  });
  return `"${quoted}"`;
}

/** An instance key as it stands in a Terraform address: `[0]` for count, `["k"]` for for_each. */
function instanceKey(key: unknown): string {
  if (key === undefined || key === null) {
    return "";
  }
  return typeof key === "number" ? `[${key}]` : `[${terraformQuoted(String(key))}]`;
}

/**
 * Every current instance of a managed resource type, with its address as Terraform prints it:
 * `<module path>.<type>.<name>[<key>]`, the module path as state holds it (nested modules,
 * count and for_each included). Data sources and deposed objects (which Terraform is about to
 * destroy) are not what adoption moves.
 */
function instancesOf(resources: unknown[], type: string): StateInstance[] {
  const found: StateInstance[] = [];
  for (const resource of resources) {
    if (!isPlainObject(resource) || resource.mode !== "managed" || resource.type !== type) {
      continue;
    }
    const prefix = typeof resource.module === "string" ? `${resource.module}.` : "";
    for (const instance of Array.isArray(resource.instances) ? resource.instances : []) {
      if (isPlainObject(instance) && instance.deposed !== undefined) {
        continue;
      }
      const key = isPlainObject(instance) ? instance.index_key : undefined;
      found.push({
        address: `${prefix}${resource.type}.${resource.name}${instanceKey(key)}`,
        attributes:
          isPlainObject(instance) && isPlainObject(instance.attributes) ? instance.attributes : {},
      });
    }
  }
  return found;
}

// arn:<partition>:ecr:<region>:<account>:repository/<name>
const repositoryArnPattern = /^arn:aws[a-z-]*:ecr:([a-z0-9-]+):(\d{12}):repository\/.+$/;

/** What adoption reads of a repository besides its attributes (`cli/registry/attributes.ts`). */
const bookkeeping: Record<string, (value: unknown) => boolean> = {
  id: (v) => typeof v === "string" && v !== "",
  arn: (v) => typeof v === "string" && repositoryArnPattern.test(v),
};

/** The state's attribute a bad value is reported at: the block that holds nested ones. */
const reportedAt: Readonly<Record<string, string>> = {
  encryption_type: "encryption_configuration",
  kms_key: "encryption_configuration",
  scan_on_push: "image_scanning_configuration",
};

/** A Terraform state that manages no ECR repository: nothing to adopt (exit code 1). */
export class NothingToAdoptError extends CliError {
  constructor(file: string, resources: readonly unknown[]) {
    const counts = new Map<string, number>();
    for (const resource of resources) {
      if (isPlainObject(resource) && resource.mode === "managed") {
        const type = String(resource.type);
        const instances = Array.isArray(resource.instances) ? resource.instances.length : 0;
        counts.set(type, (counts.get(type) ?? 0) + instances);
      }
    }
    const managed = [...counts]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([type, count]) => `${count} ${type}`)
      .join(", ");
    super(
      `Terraform state ${file} manages no aws_ecr_repository (${managed === "" ? "it manages no resources" : `it manages ${managed}`}): there is nothing to adopt. Pull the state of the configuration that holds the registry module; nothing was written.`,
      1,
    );
    this.name = "NothingToAdoptError";
  }
}

/**
 * Every ECR repository a Terraform state manages, found by resource type wherever it sits (the
 * root module or any module, nested or not, any count or for_each instance), paired with the
 * lifecycle policy of the same repository when it has one, with the region and account its ARN
 * names. Refuses, naming the file and each problem, a file that cannot be read, state that is
 * not version 4 JSON, or registries that lack what adoption reads; and, with
 * {@link NothingToAdoptError}, a state that manages no registry.
 */
export function registriesInState(
  file: string,
  text = readUserFile(
    "--state",
    file,
    "must be Terraform state, as `terraform state pull > terraform.tfstate.json` writes it",
  ),
): TerraformRegistry[] {
  const subject = `Terraform state ${file}`;
  const state = parseState(subject, file, text);
  const resources = Array.isArray(state.resources) ? state.resources : [];
  const { policies, problems } = policiesByRepository(resources, "aws_ecr_lifecycle_policy");
  const repositoryPolicies = policiesByRepository(resources, "aws_ecr_repository_policy");
  problems.push(...repositoryPolicies.problems);
  const registries: TerraformRegistry[] = [];
  for (const instance of instancesOf(resources, "aws_ecr_repository")) {
    const found = registryOf(instance, policies, repositoryPolicies.policies);
    if ("problems" in found) {
      problems.push(...found.problems);
    } else {
      registries.push(found.registry);
    }
  }
  if (problems.length > 0) {
    throw new InvalidInputError(subject, problems);
  }
  if (registries.length === 0) {
    throw new NothingToAdoptError(file, resources);
  }
  return registries.sort((a, b) => a.name.localeCompare(b.name));
}

/** The state: JSON of format version 4 (Terraform 0.12 and later), else refused naming the file. */
function parseState(subject: string, file: string, text: string): Record<string, unknown> {
  let state: unknown;
  try {
    state = JSON.parse(text);
  } catch {
    throw new InvalidInputError(subject, [
      problem("file", file, "must be Terraform state as JSON, as `terraform state pull` prints it"),
    ]);
  }
  if (!isPlainObject(state) || state.version !== 4) {
    const version = isPlainObject(state) ? state.version : state;
    throw new InvalidInputError(subject, [
      problem(
        "version",
        version,
        "must be 4, the state format of Terraform 0.12 and later: pull the state with a current Terraform",
      ),
    ]);
  }
  return state;
}

/**
 * The state's lifecycle (or repository) policies, by the repository they belong to, and a
 * problem for each that lacks what adoption reads.
 */
function policiesByRepository(
  resources: unknown[],
  type: "aws_ecr_lifecycle_policy" | "aws_ecr_repository_policy",
): {
  policies: Map<string, StateInstance>;
  problems: Problem[];
} {
  const problems: Problem[] = [];
  const policies = new Map<string, StateInstance>();
  for (const instance of instancesOf(resources, type)) {
    const repository = instance.attributes.repository;
    if (
      typeof repository !== "string" ||
      typeof instance.attributes.policy !== "string" ||
      typeof instance.attributes.id !== "string"
    ) {
      problems.push({
        field: instance.address,
        message: `${instance.address} lacks the attribute repository, policy or id that adoption reads`,
      });
    } else {
      policies.set(repository, instance);
    }
  }
  return { policies, problems };
}

/**
 * One repository of the state, with its lifecycle policy and the region and account its ARN
 * names; or a problem for each attribute that is not what the AWS provider writes.
 */
function registryOf(
  instance: StateInstance,
  policies: ReadonlyMap<string, StateInstance>,
  repositoryPolicies: ReadonlyMap<string, StateInstance>,
): { registry: TerraformRegistry } | { problems: Problem[] } {
  const a = instance.attributes;
  const read = attributesFromState(a);
  const bad = [
    ...new Set([
      ...Object.entries(bookkeeping)
        .filter(([name, check]) => !check(a[name]))
        .map(([name]) => name),
      ...("bad" in read ? read.bad.map((name) => reportedAt[name] ?? name) : []),
    ]),
  ];
  if (bad.length > 0 || !("values" in read)) {
    return {
      problems: bad.map((name) =>
        problem(
          `${instance.address}.${name}`,
          a[name],
          "is not what hashicorp/aws 4 or later writes there; refresh the state (terraform apply -refresh-only) and pull it again",
        ),
      ),
    };
  }
  const policy = policies.get(a.name as string);
  const repositoryPolicy = repositoryPolicies.get(a.name as string);
  const [, region, account] = repositoryArnPattern.exec(a.arn as string)!;
  return {
    registry: {
      ...read.values,
      address: instance.address,
      id: a.id as string,
      arn: a.arn as string,
      region,
      account,
      ...(policy && {
        lifecyclePolicy: {
          address: policy.address,
          id: policy.attributes.id as string,
          policy: policy.attributes.policy as string,
        },
      }),
      ...(repositoryPolicy && {
        repositoryPolicy: {
          address: repositoryPolicy.address,
          id: repositoryPolicy.attributes.id as string,
          policy: repositoryPolicy.attributes.policy as string,
        },
      }),
    },
  };
}
