/**
 * `adopt-terraform --verify-live`: before anything is written, each registry the state names is
 * read from the account and compared with the state, attribute by attribute, so that adoption
 * adopts what is there and not what the state remembers. Read-only (the clients refuse any call
 * outside `cli/aws/readOnlyCalls.ts`); anything that could not be read fails the check.
 */
import { RegistryPlace } from "../adoptionPlan";
import { nothingReadError } from "../../aws/access";
import { AwsClients } from "../../aws/clients";
import { readCallerIdentity } from "../../aws/identity";
import { LiveRepository, readRepositoriesByName } from "../../aws/readRegistries";
import { Unread } from "../../aws/unread";
import { CliError } from "../../core/errors";
import { sameData } from "../../workspace/stackFile";
import { listed } from "../../core/text";
import { TerraformRegistry } from "./state";

/** What --verify-live found wrong with one registry. */
export interface LiveFindings {
  /** Attributes whose live value differs from the state's, one line each. */
  readonly differences: string[];
  /** Attributes that could not be read, so could not be verified, one line each. */
  readonly unverified: string[];
}

const none = "(none)";

/** A value in full (a lifecycle policy differs anywhere in its text), as JSON. */
function shown(value: unknown): string {
  return value === undefined || value === "" ? none : JSON.stringify(value);
}

/** `subject` is a registry, or a registry and an attribute. */
function couldNotVerify(subject: string, unread: Unread): string {
  return `${subject} could not be verified: ${unread.what} could not be read (${unread.action}: ${unread.reason})`;
}

function parsedJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Every attribute of a registry in state that the live registry does not have as the state says:
 * its existence, tag mutability, encryption type and KMS key, scan on push, every tag (AWS holds
 * `tags_all`), and the lifecycle policy (as JSON); and each one that could not be read.
 * `force_delete` is Terraform's alone, and AWS does not hold it.
 */
export function liveFindings(
  registry: TerraformRegistry,
  live: LiveRepository | undefined | Unread,
  place: RegistryPlace,
): LiveFindings {
  const { name } = registry;
  if (live instanceof Unread) {
    return { differences: [], unverified: [couldNotVerify(name, live)] };
  }
  if (live === undefined) {
    return {
      differences: [
        `${name} is in the state; account ${place.account} has no such repository in ${place.region}: it was deleted or renamed after the state was written`,
      ],
      unverified: [],
    };
  }
  const differences: string[] = [];
  const unverified: string[] = [];
  const differs = (
    attribute: string,
    state: unknown,
    actual: unknown,
    show: (value: unknown) => string = shown,
  ) =>
    differences.push(
      `${name} ${attribute} is ${show(state)} in the state; the live registry has ${show(actual)}`,
    );
  if (registry.imageTagMutability !== live.imageTagMutability) {
    differs("image_tag_mutability", registry.imageTagMutability, live.imageTagMutability);
  }
  if (registry.encryptionType !== live.encryptionType) {
    differs("encryption_type", registry.encryptionType, live.encryptionType);
  }
  if ((registry.kmsKey || undefined) !== live.kmsKey) {
    differs("kms_key", registry.kmsKey, live.kmsKey);
  }
  if (registry.scanOnPush !== live.scanOnPush) {
    differs("scan_on_push", registry.scanOnPush, live.scanOnPush);
  }
  if (live.tags instanceof Unread) {
    unverified.push(couldNotVerify(`${name} tags_all`, live.tags));
  } else {
    const tags = live.tags;
    const keys = [...new Set([...Object.keys(registry.tagsAll), ...Object.keys(tags)])].sort();
    for (const key of keys.filter((k) => registry.tagsAll[k] !== tags[k])) {
      differs(`tags_all[${JSON.stringify(key)}]`, registry.tagsAll[key], tags[key]);
    }
  }
  const policy = live.lifecyclePolicy;
  if (policy instanceof Unread) {
    unverified.push(couldNotVerify(`${name} lifecycle_policy`, policy));
  } else {
    const state = registry.lifecyclePolicy?.policy;
    const same =
      state === undefined || policy === undefined
        ? state === policy
        : sameData(parsedJson(state), parsedJson(policy));
    if (!same) {
      // JSON text, shown as it is rather than quoted again.
      differs("lifecycle_policy", state, policy, (text) => (text as string | undefined) ?? none);
    }
  }
  return { differences, unverified };
}

/**
 * Checks that the caller reads where the registries are (the SDK's region, when it has one, and
 * the credentials' account), then reads every registry of the state from the account and
 * refuses, with a {@link CliError} listing each difference (registry, attribute, the state's
 * value and the live one) and each attribute it could not read, unless all agree. Resolves to
 * what it verified, for people. When the caller's identity, or not one registry, could be read,
 * throws an `AwsAccessError` (exit 3): nothing was verified.
 */
export async function verifyLive(
  registries: readonly TerraformRegistry[],
  place: RegistryPlace,
  stateFile: string,
  clients: AwsClients,
  sdkRegion: string | undefined,
): Promise<string> {
  if (sdkRegion !== undefined && sdkRegion !== place.region) {
    throw new CliError(
      `--verify-live reads with the AWS SDK's region, ${sdkRegion} (AWS_REGION, or the profile's), not the region of the registries in ${stateFile}, ${place.region} (from their ARNs): set AWS_REGION=${place.region}; nothing was read or written`,
    );
  }
  const caller = await readCallerIdentity(clients.sts(place.region));
  if (caller.account !== place.account) {
    throw new CliError(
      `--verify-live reads account ${caller.account} (${caller.arn}), not the account of the registries in ${stateFile}, ${place.account} (from their ARNs): use credentials for account ${place.account}; nothing else was read, and nothing was written`,
    );
  }
  const live = await readRepositoriesByName(
    clients.ecr(place.region),
    place.region,
    registries.map((r) => r.name),
  );
  const where = `account ${place.account} in ${place.region}`;
  const unreadable = registries.map((r) => live.get(r.name));
  if (unreadable.length > 0 && unreadable.every((reading) => reading instanceof Unread)) {
    // Not one registry could be read: nothing was verified (exit 3, cli/aws/access.ts).
    throw nothingReadError(
      `${stateFile} could not be verified against ${where} (--verify-live): none of its registries could be read`,
      registries.map((r, i) => [r.name, unreadable[i] as Unread] as const),
    );
  }
  const findings = registries.map((r) => liveFindings(r, live.get(r.name), place));
  const differences = findings.flatMap((f) => f.differences);
  const unverified = findings.flatMap((f) => f.unverified);
  if (differences.length > 0 || unverified.length > 0) {
    const header =
      differences.length > 0
        ? `${stateFile} is not what ${where} holds (--verify-live): adopt what is there, not what the state remembers`
        : `${stateFile} could not be verified against ${where} (--verify-live): adoption verifies every attribute or adopts nothing`;
    const remedies = [
      ...(differences.length > 0
        ? ["Refresh the state (terraform apply -refresh-only), pull it again and adopt that"]
        : []),
      ...(unverified.length > 0
        ? [
            `${differences.length > 0 ? "let" : "Let"} the credentials read what could not be read (trusted-delivery audit --print-permissions prints the calls)`,
          ]
        : []),
    ];
    throw new CliError(
      [
        `${header}:`,
        ...[...differences, ...unverified].map((line) => `  - ${line}`),
        `${remedies.join("; ")}; nothing was written.`,
      ].join("\n"),
    );
  }
  return `Verified against ${where} (--verify-live): ${listed(registries.map((r) => r.name))} ${registries.length === 1 ? "is" : "are"} as the state says.`;
}
