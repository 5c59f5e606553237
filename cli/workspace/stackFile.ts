import * as fs from "fs";
import YAML, { isMap, isPair, isScalar, Pair, YAMLMap } from "yaml";
import { isPlainObject, problem } from "../../components/problems";
import { writeFilesAtomically } from "./fileWrites";
import { parseYaml, readUserFile } from "./project";
import { CliError, UsageError } from "../core/errors";

/** Deep equality of plain data, ignoring the order of map keys. */
export function sameData(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) &&
      Array.isArray(b) &&
      a.length === b.length &&
      a.every((v, i) => sameData(v, b[i]))
    );
  }
  if (typeof a === "object" && a !== null && typeof b === "object" && b !== null) {
    const ka = Object.keys(a).filter((k) => (a as any)[k] !== undefined);
    const kb = Object.keys(b).filter((k) => (b as any)[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => sameData((a as any)[k], (b as any)[k]));
  }
  return a === b;
}

/** Writes a file so that readers see the old content or the new, never half of it. */
export function writeFileAtomically(file: string, content: string): void {
  writeFilesAtomically([{ path: file, content }]);
}

/** JSON text of a map, if `text` is that. */
export function jsonMap(text: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(text);
    return isPlainObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** `value` as JSON in the layout of `like`: one line, or indented as `like` is. */
function jsonLike(like: string, value: unknown): string {
  const indent = /\n( +)"/.exec(like)?.[1].length ?? /\n(\t+)"/.exec(like)?.[1];
  return like.includes("\n") ? JSON.stringify(value, null, indent ?? 2) : JSON.stringify(value);
}

function columnOf(text: string, offset: number): number {
  return offset - (text.lastIndexOf("\n", offset - 1) + 1);
}

/** Whether a node is a null scalar: `config:` with nothing after it, `config: ~`, `config: null`. */
function isNullNode(node: unknown): node is YAML.Scalar {
  return isScalar(node) && node.value === null;
}

/** `key: value` as block YAML, its lines after the first indented by `indent` spaces. */
function renderPair(key: string, value: unknown, indent: number, step: number): string {
  const text = YAML.stringify({ [key]: value }, { indent: step, lineWidth: 0 }).replace(/\n$/, "");
  return text
    .split("\n")
    .map((line, i) => (i === 0 ? line : " ".repeat(indent) + line))
    .join("\n");
}

/**
 * A stack config file edited in place: new or changed entries are spliced into the original text
 * at the parser's node ranges, so comments, order and formatting of everything else stay
 * byte for byte. Every edit is checked by parsing the result again.
 */
export class StackFileEditor {
  private constructor(
    readonly file: string,
    /** The file as messages name it. */
    readonly display: string,
    readonly original: string,
    private text: string,
  ) {}

  /**
   * Reads a stack file to edit, refusing one that is missing, unreadable, not valid YAML (the
   * reader every command shares, which also refuses alias bombs), not a map, or whose config
   * is not a map. An empty stack is a stack: a file that is empty or only comments, or whose
   * `config:` holds nothing yet (or `~`, or `{}`), is edited like any other.
   */
  static load(file: string, displayName = file): StackFileEditor {
    if (!fs.existsSync(file)) {
      throw new UsageError(
        `${displayName} does not exist: create the stack first (pulumi stack init), or give an existing stack`,
      );
    }
    const text = readUserFile("the stack file", file, "must be a readable file", displayName);
    const { document, data } = parseYaml(text, displayName, { keepSourceTokens: true });
    if (data !== null && data !== undefined && !isMap(document.contents)) {
      throw new UsageError(
        `${displayName} must be a map with a config key, e.g. config: { aws:region: eu-west-2 }`,
      );
    }
    const config = document.get("config", true);
    if (config !== undefined && config !== null && !isMap(config) && !isNullNode(config)) {
      throw new UsageError(`${displayName}: "config" must be a map of keys to values`);
    }
    return new StackFileEditor(file, displayName, text, text);
  }

  /** The file's content with the edits made so far. */
  content(): string {
    return this.text;
  }

  changed(): boolean {
    return this.text !== this.original;
  }

  /** The config map as plain data. */
  config(): Record<string, unknown> {
    return (this.document().toJS()?.config ?? {}) as Record<string, unknown>;
  }

  private document() {
    return YAML.parseDocument(this.text, { keepSourceTokens: true });
  }

  /** Sets `config.<key>`; returns whether anything changed. */
  setConfig(key: string, value: unknown): boolean {
    if (sameData(this.config()[key], value)) {
      return false;
    }
    const expected = { ...this.config(), [key]: value };
    const document = this.document();
    const config = document.get("config", true) as YAMLMap | YAML.Scalar | undefined;
    if (config === undefined || config === null) {
      const separator = this.text === "" || this.text.endsWith("\n") ? "" : "\n";
      this.text += `${separator}config:\n  ${renderPair(key, value, 2, 2)}\n`;
    } else if (isNullNode(config)) {
      this.fillEmptyConfig(document.contents as YAMLMap, config, key, value);
    } else if (config.flow) {
      // `config: { ... }` on one line: written again as a block map, every key kept.
      this.setInMap(document.contents as YAMLMap, "config", expected, -2);
    } else {
      this.setInMap(config, key, value, 0);
    }
    this.verify(expected);
    return true;
  }

  /**
   * Sets `config.<mapKey>.<entry>` (an app of the apps map, say), keeping every other entry;
   * returns whether anything changed. The map may be a block map, a flow map (written again as
   * a block map), or JSON text of a map, as Pulumi passes structured config to programs (which
   * stays JSON text, in its layout). Anything else is refused: replacing it would lose whatever
   * it holds.
   */
  setEntry(mapKey: string, entry: string, value: unknown): boolean {
    const current = this.config()[mapKey];
    if (current === undefined || current === null) {
      return this.setConfig(mapKey, { [entry]: value });
    }
    if (typeof current === "string" && jsonMap(current) !== undefined) {
      const entries = jsonMap(current)!;
      return sameData(entries[entry], value)
        ? false
        : this.setConfig(mapKey, jsonLike(current, { ...entries, [entry]: value }));
    }
    if (!isPlainObject(current)) {
      throw new UsageError(
        `${this.display}: ${problem(mapKey, current, `must be a map, or JSON text of one, to set ${entry} in it; nothing was written`).message}`,
      );
    }
    if (sameData((current as Record<string, unknown>)[entry], value)) {
      return false;
    }
    const expected = { ...this.config(), [mapKey]: { ...current, [entry]: value } };
    const config = this.document().get("config", true) as YAMLMap;
    const pair = config.items.find((p) => isScalar(p.key) && p.key.value === mapKey) as Pair;
    if (!isMap(pair.value) || pair.value.flow) {
      return this.setConfig(mapKey, expected[mapKey]);
    }
    const keyColumn = columnOf(this.text, (pair.key as YAML.Scalar).range![0]);
    this.setInMap(pair.value, entry, value, keyColumn);
    this.verify(expected);
    return true;
  }

  /**
   * `config:` with nothing under it (or `~`, `null`): the first key goes on the lines after
   * `config:`, as a block map; the null's own text goes, and every comment stays.
   */
  private fillEmptyConfig(root: YAMLMap, empty: YAML.Scalar, key: string, value: unknown): void {
    const pair = root.items.find((p) => isScalar(p.key) && p.key.value === "config") as Pair;
    const configKey = (pair.key as YAML.Scalar).range!;
    // `: ~`, `: !!null` become `:`; a comment after them stays where it is.
    const end = empty.range![1];
    const spelled = this.text.slice(configKey[1], end);
    const text = /^\s*:[^#\n]*$/.test(spelled)
      ? `${this.text.slice(0, configKey[1])}:${this.text.slice(end)}`
      : this.text;
    const newline = text.indexOf("\n", configKey[1]);
    const at = newline < 0 ? text.length : newline + 1;
    const column = columnOf(text, configKey[0]) + 2;
    const line = `${" ".repeat(column)}${renderPair(key, value, column, 2)}\n`;
    this.text = `${text.slice(0, at)}${newline < 0 ? "\n" : ""}${line}${text.slice(at)}`;
  }

  /** Replaces or appends `key` in a block map whose own key sits at `parentColumn`. */
  private setInMap(map: YAMLMap, key: string, value: unknown, parentColumn: number): void {
    const items = map.items.filter(isPair);
    const existing = items.find((p) => isScalar(p.key) && p.key.value === key);
    const firstKey = items[0]?.key as YAML.Scalar | undefined;
    const column = firstKey?.range ? columnOf(this.text, firstKey.range[0]) : parentColumn + 2;
    const step = Math.max(column - parentColumn, 2);
    if (existing) {
      const start = (existing.key as YAML.Scalar).range![0];
      const valueNode = existing.value as YAML.Node;
      const end = valueNode.range![1];
      const keepsNewline = this.text[end - 1] === "\n";
      const rendered = renderPair(key, value, column, step) + (keepsNewline ? "\n" : "");
      this.text = this.text.slice(0, start) + rendered + this.text.slice(end);
      return;
    }
    const last = items[items.length - 1];
    let at: number;
    if (last === undefined) {
      at = this.text.length;
    } else {
      at = (last.value as YAML.Node | null)?.range?.[1] ?? (last.key as YAML.Scalar).range![2];
      if (this.text[at - 1] !== "\n") {
        const newline = this.text.indexOf("\n", at);
        at = newline < 0 ? this.text.length : newline + 1;
      }
    }
    const prefix = at > 0 && this.text[at - 1] !== "\n" ? "\n" : "";
    this.text = `${this.text.slice(0, at)}${prefix}${" ".repeat(column)}${renderPair(key, value, column, step)}\n${this.text.slice(at)}`;
  }

  private verify(expected: Record<string, unknown>): void {
    const document = this.document();
    let readsBack: boolean;
    try {
      readsBack = document.errors.length === 0 && sameData(this.config(), expected);
    } catch {
      readsBack = false;
    }
    if (!readsBack) {
      throw new CliError(
        `${this.display} cannot be edited in place, keeping its layout: the edited file would not read back as intended; nothing was written. Make the change by hand.`,
      );
    }
  }

  /** Writes the edited file atomically, if anything changed; returns whether it wrote. */
  write(): boolean {
    if (!this.changed()) {
      return false;
    }
    writeFileAtomically(this.file, this.text);
    return true;
  }
}
