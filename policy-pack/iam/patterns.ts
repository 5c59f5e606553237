/**
 * IAM's string patterns as languages: exact values, `StringLike` patterns (`*` any run of
 * characters, `?` one character), ARN patterns (in `Resource`, where a `*` also spans `:`; in
 * `ArnLike`, where each of the six `:`-separated parts is matched on its own), letter case
 * ignored or not, and policy variables (`${aws:username}`; `${*}`, `${?}` and `${$}` stand for
 * those characters).
 */
import { anyChar, charsExcept, concat, Language, literal, literalSteps, Step } from "./automaton";
import { caseFold } from "./charset";

export interface PatternOptions {
  /** `*` and `?` are wildcards (StringLike, ArnLike, Action, Resource). */
  readonly wildcards: boolean;
  /** Letter case is ignored (StringEqualsIgnoreCase, and actions). */
  readonly ignoreCase?: boolean;
  /** `${...}` is a policy variable (policy language version 2012-10-17). */
  readonly variables?: boolean;
  /** Wildcards do not match these characters (`:` for the parts of an ArnLike pattern). */
  readonly wildcardExcept?: string;
}

/**
 * A pattern as a language, or the reason it cannot be one (it uses a policy variable). Compared
 * without letter case, `language` holds what every reading of IAM's folding matches and `maybe`
 * (when it differs) what some reading does (`caseFold`).
 */
export type CompiledPattern =
  { readonly language: Language; readonly maybe?: Language } | { readonly unknown: string };

const escapes: Readonly<Record<string, string>> = { "${*}": "*", "${?}": "?", "${$}": "$" };

/** Patterns compiled already, by their options and value: languages are never changed once built. */
const compiled = new Map<string, CompiledPattern>();
const compiledLimit = 50_000;

/**
 * Compiles one IAM value. The same values recur across a stack's documents (every push role
 * names the same actions and ARN forms, every trust policy the same issuer and audience), so
 * each is compiled once per process.
 */
export function compilePattern(value: string, options: PatternOptions): CompiledPattern {
  const key = `${options.wildcards ? 1 : 0}${options.ignoreCase ? 1 : 0}${options.variables ? 1 : 0}${options.wildcardExcept ?? ""}\u0000${value}`;
  let known = compiled.get(key);
  if (known === undefined) {
    known = compileAnew(value, options);
    if (compiled.size >= compiledLimit) {
      compiled.clear();
    }
    compiled.set(key, known);
  }
  return known;
}

function compileAnew(value: string, options: PatternOptions): CompiledPattern {
  const steps: Step[] = [];
  const maybeSteps: Step[] = [];
  let doubtful = false;
  const push = (...read: Step[]) => {
    steps.push(...read);
    maybeSteps.push(...read);
  };
  const pushText = (text: string) => {
    if (!options.ignoreCase) {
      push(...literalSteps(text));
      return;
    }
    for (const c of text) {
      const fold = caseFold(c);
      steps.push({ set: fold.surely, repeat: false });
      maybeSteps.push({ set: fold.maybe, repeat: false });
      doubtful ||= fold.maybe.key() !== fold.surely.key();
    }
  };
  const wildcardSet =
    options.wildcardExcept === undefined ? anyChar : charsExcept(options.wildcardExcept);
  const chars = [...value];
  for (let i = 0; i < chars.length; i += 1) {
    const c = chars[i];
    if (options.variables && c === "$" && chars[i + 1] === "{") {
      const end = chars.indexOf("}", i);
      const variable = end < 0 ? chars.slice(i).join("") : chars.slice(i, end + 1).join("");
      if (escapes[variable] !== undefined) {
        pushText(escapes[variable]);
        i = end;
        continue;
      }
      if (end >= 0) {
        return { unknown: `the policy variable ${variable} in "${value}"` };
      }
    }
    if (options.wildcards && c === "*") {
      push({ set: wildcardSet, repeat: true });
    } else if (options.wildcards && c === "?") {
      push({ set: wildcardSet, repeat: false });
    } else {
      pushText(c);
    }
  }
  return doubtful ? { language: [steps], maybe: [maybeSteps] } : { language: [steps] };
}

/** Whether a value holds a wildcard or policy variable, so that it may match more than itself. */
export function isLiteralValue(value: string): boolean {
  return !/[*?]|\$\{/.test(value);
}

/**
 * An `ArnLike`/`ArnEquals` pattern: the first five `:`-separated parts are matched on their own
 * (a wildcard does not cross a `:`), the sixth is the rest. A value that is not an ARN matches
 * nothing.
 */
export function compileArnPattern(value: string, wildcards: boolean): CompiledPattern {
  const parts = value.split(":");
  if (parts.length < 6) {
    // How IAM compares an ARN with a value of fewer than six parts is not documented.
    return { unknown: `the ARN pattern "${value}", which has fewer than six parts` };
  }
  const languages: Language[] = [];
  for (let i = 0; i < 6; i += 1) {
    const part = i < 5 ? parts[i] : parts.slice(5).join(":");
    const compiled = compilePattern(part, {
      wildcards,
      variables: true,
      ...(i < 5 ? { wildcardExcept: ":" } : {}),
    });
    if ("unknown" in compiled) {
      return compiled;
    }
    languages.push(compiled.language);
    if (i < 5) {
      languages.push(literal(":"));
    }
  }
  return { language: concat(...languages) };
}

const actionCache = new Map<string, RegExp>();

/** Whether an IAM action pattern (`ecr:Put*`, `*`) names an action; actions ignore letter case. */
export function actionMatches(pattern: string, action: string): boolean {
  let regex = actionCache.get(pattern);
  if (regex === undefined) {
    const source = [...pattern]
      .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\/-]/g, "\\$&")))
      .join("");
    regex = new RegExp(`^${source}$`, "is");
    actionCache.set(pattern, regex);
  }
  return regex.test(action);
}
