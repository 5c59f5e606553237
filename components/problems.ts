/**
 * Reporting what is wrong with input: every problem names the field, the value and what is
 * allowed (`<field> is <value>; <what is allowed>`), and all of them are reported at once. Used
 * by the component's checks and by the CLI's checks of the files it reads.
 */

/** One thing wrong with the input: which field, what it was, and what is allowed. */
export interface Problem {
  /** The field's path, e.g. `github.branches[1]`. */
  readonly field: string;
  /** `<field> is <value>; <what is allowed>`. */
  readonly message: string;
}

/** A value as an error message shows it: JSON for plain data, `an output` for Pulumi outputs. */
export function describeValue(value: unknown): string {
  if (value === undefined) {
    return "missing";
  }
  if (isUnknownYet(value)) {
    return "an output";
  }
  const json = JSON.stringify(value);
  return json.length > 120 ? `${json.slice(0, 117)}...` : json;
}

export function problem(field: string, value: unknown, allowed: string): Problem {
  return { field, message: `${field} is ${describeValue(value)}; ${allowed}` };
}

/** `<subject> has an invalid argument:` and one line per problem. */
export function formatProblems(subject: string, problems: readonly Problem[]): string {
  const count =
    problems.length === 1 ? "an invalid argument" : `${problems.length} invalid arguments`;
  return [`${subject} has ${count}:`, ...problems.map((p) => `  - ${p.message}`)].join("\n");
}

/** Puts `prefix.` in front of every problem's field, for input nested in a larger document. */
export function prefixProblems(prefix: string, problems: readonly Problem[]): Problem[] {
  return problems.map((p) =>
    p.field === ""
      ? { field: prefix, message: `${prefix}${p.message}` }
      : { field: `${prefix}.${p.field}`, message: `${prefix}.${p.message}` },
  );
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Whether a value is only known once resources exist, so it cannot be checked up front. */
export function isUnknownYet(value: unknown): boolean {
  // An Output marks itself as `pulumi.Output.isInstance` reads it; the mark is read here so
  // that this toolkit loads without the Pulumi SDK (the CLI's policy session uses it).
  return (
    (typeof value === "object" && value !== null && (value as any).__pulumiOutput === true) ||
    value instanceof Promise
  );
}

/**
 * Every field of `T`, once, as a record the compiler checks against `T`: a field added to `T`
 * and not listed (so not checked) fails to compile, and so does one listed that `T` lacks.
 * Write `{ ... } as const satisfies Fields<T>`.
 */
export type Fields<T> = { readonly [K in keyof T]-?: true };

/** The names of the fields a {@link Fields} record lists. */
export function fieldNames<T>(fields: Fields<T>): (keyof T & string)[] {
  return Object.keys(fields) as (keyof T & string)[];
}

/** Reports keys of `value` outside `allowed`: misspelt settings must not pass silently. */
export function unknownKeys(
  field: string,
  value: Record<string, unknown>,
  allowed: readonly string[],
): Problem[] {
  return Object.keys(value)
    .filter((key) => !allowed.includes(key))
    .map((key) => ({
      field: `${field}${field ? "." : ""}${key}`,
      message: `${field}${field ? "." : ""}${key} is not a setting; allowed: ${allowed.join(", ")}`,
    }));
}

/** The strings of a list that pass `check`, and the problems of those that do not. */
export function stringList(
  field: string,
  value: unknown,
  check: (item: string, itemField: string) => Problem | undefined,
): { items: string[]; problems: Problem[] } {
  if (value === undefined) {
    return { items: [], problems: [] };
  }
  if (!Array.isArray(value)) {
    return { items: [], problems: [problem(field, value, "must be a list of strings")] };
  }
  const problems: Problem[] = [];
  const items: string[] = [];
  value.forEach((item, i) => {
    const itemField = `${field}[${i}]`;
    if (typeof item !== "string") {
      problems.push(problem(itemField, item, "must be a string"));
      return;
    }
    const itemProblem = check(item, itemField);
    if (itemProblem) {
      problems.push(itemProblem);
    } else {
      items.push(item);
    }
  });
  return { items, problems };
}

/** What a check of some input found: the problems, or (when there are none) the value resolved. */
export type Checked<T> =
  | { readonly value: T; readonly problems: readonly [] }
  | { readonly value?: undefined; readonly problems: readonly Problem[] };

/** The value, when there are no problems. */
export function checked<T>(problems: readonly Problem[], resolve: () => T): Checked<T> {
  return problems.length === 0 ? { value: resolve(), problems: [] } : { problems: [...problems] };
}
