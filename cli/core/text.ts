/** `a`, `a and b`, `a, b and c`. */
export function listed(items: readonly string[]): string {
  return items.length <= 1
    ? items.join("")
    : `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

/** A word for a POSIX shell, quoted so nothing in it is expanded. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'"'"'`)}'`;
}
