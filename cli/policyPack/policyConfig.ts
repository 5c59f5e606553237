import Ajv from "ajv";
import * as fs from "fs";
import { InvalidInputError } from "../core/errors";
import { Problem, problem } from "../../components/problems";
import { AnalyzerInfo, EnforcementLevel, PolicyConfig } from "./analyzerClient";

const levels: readonly EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

/**
 * A policy pack config file, as `pulumi preview --policy-pack-config` and
 * `pulumi policy enable --config` take it: `all` sets every policy's level; a policy's entry is
 * its level, or an object of its level and settings.
 */
export type PolicyConfigFile = Record<string, unknown>;

export function readPolicyConfigFile(file: string): PolicyConfigFile {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new InvalidInputError(`Policy config ${file}`, [
      problem("file", file, `must be a readable JSON file (${(e as Error).message})`),
    ]);
  }
  try {
    const parsed = JSON.parse(text);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      throw new Error("the top level is not an object");
    }
    return parsed;
  } catch (e) {
    throw new InvalidInputError(`Policy config ${file}`, [
      problem(
        "file",
        file,
        `must hold a JSON object of policy names to settings (${(e as Error).message})`,
      ),
    ]);
  }
}

function levelOf(field: string, value: unknown, problems: Problem[]): EnforcementLevel | undefined {
  if (value === undefined) {
    return undefined;
  }
  if (typeof value !== "string" || !levels.includes(value as EnforcementLevel)) {
    problems.push(
      problem(field, value, `must be one of ${levels.map((l) => `"${l}"`).join(", ")}`),
    );
    return undefined;
  }
  return value as EnforcementLevel;
}

/**
 * Every policy's effective level and settings for a config file (or none): the policy's own
 * entry over `all` over the pack's default, and the settings given over the schema's defaults.
 * Unknown policies, unknown settings and settings that break the schema are refused, all at once.
 */
/** A policy config file and where it was read from. */
export interface PolicyConfigSource {
  readonly file: PolicyConfigFile;
  readonly source: string;
}

export function resolvePolicyConfig(
  info: AnalyzerInfo,
  file: PolicyConfigFile | undefined,
  source = "policy config",
): Record<string, PolicyConfig> {
  const problems: Problem[] = [];
  const entries = file ?? {};
  const names = info.policies.map((p) => p.name);
  for (const key of Object.keys(entries)) {
    if (key !== "all" && !names.includes(key)) {
      problems.push({
        field: key,
        message: `${key} is not a policy of ${info.name}; policies: all, ${names.join(", ")}`,
      });
    }
  }
  const all = entries.all;
  const allLevel = levelOf(
    "all",
    typeof all === "object" && all !== null
      ? (all as Record<string, unknown>).enforcementLevel
      : all,
    problems,
  );

  const ajv = new Ajv({ allErrors: true, strict: false, useDefaults: true, verbose: true });
  const resolved: Record<string, PolicyConfig> = {};
  for (const policy of info.policies) {
    const entry = entries[policy.name];
    const given: Record<string, unknown> =
      typeof entry === "object" && entry !== null && !Array.isArray(entry)
        ? { ...(entry as Record<string, unknown>) }
        : {};
    const level =
      levelOf(`${policy.name}`, typeof entry === "string" ? entry : undefined, problems) ??
      levelOf(`${policy.name}.enforcementLevel`, given.enforcementLevel, problems) ??
      allLevel ??
      policy.enforcementLevel;
    delete given.enforcementLevel;
    const schema = {
      type: "object",
      properties: policy.configSchema?.properties ?? {},
      required: policy.configSchema?.required ?? [],
      additionalProperties: false,
    };
    const validate = ajv.compile(schema);
    if (!validate(given)) {
      for (const error of validate.errors ?? []) {
        const property =
          error.keyword === "additionalProperties"
            ? `${policy.name}.${error.params.additionalProperty}`
            : `${policy.name}${error.instancePath.replace(/\//g, ".")}`;
        const allowed =
          error.keyword === "additionalProperties"
            ? `is not a setting of ${policy.name}; settings: ${Object.keys(schema.properties).join(", ") || "none"}`
            : error.keyword === "enum"
              ? `must be one of ${(error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`
              : `${error.message}`;
        const value = error.keyword === "additionalProperties" ? undefined : error.data;
        problems.push(
          error.keyword === "additionalProperties"
            ? { field: property, message: `${property} ${allowed}` }
            : problem(property, value, allowed),
        );
      }
    }
    resolved[policy.name] = { enforcementLevel: level, properties: given };
  }
  if (problems.length > 0) {
    throw new InvalidInputError(`Policy config ${source}`, problems);
  }
  return resolved;
}
