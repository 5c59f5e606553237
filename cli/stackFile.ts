import * as fs from "fs";
import * as path from "path";
import YAML, { isMap, isPair, isScalar, Pair, YAMLMap } from "yaml";
import { UsageError } from "./project";

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
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  fs.writeFileSync(temporary, content);
  try {
    fs.renameSync(temporary, file);
  } catch (e) {
    fs.rmSync(temporary, { force: true });
    throw e;
  }
}

function columnOf(text: string, offset: number): number {
  return offset - (text.lastIndexOf("\n", offset - 1) + 1);
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
    readonly original: string,
    private text: string,
  ) {}

  static load(file: string, displayName = file): StackFileEditor {
    if (!fs.existsSync(file)) {
      throw new UsageError(
        `${displayName} does not exist: create the stack first (pulumi stack init), or give an existing stack`,
      );
    }
    const text = fs.readFileSync(file, "utf8");
    const editor = new StackFileEditor(file, text, text);
    const document = editor.document();
    if (document.errors.length > 0) {
      throw new UsageError(`${displayName} is not valid YAML: ${document.errors[0].message}`);
    }
    const config = document.get("config", true);
    if (config !== undefined && config !== null && !isMap(config)) {
      throw new UsageError(`${displayName}: "config" must be a map of keys to values`);
    }
    return editor;
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
    const config = document.get("config", true) as YAMLMap | undefined;
    if (config === undefined || config === null) {
      const separator = this.text === "" || this.text.endsWith("\n") ? "" : "\n";
      this.text += `${separator}config:\n${renderPair(key, value, 2, 2)}\n`;
    } else {
      this.setInMap(config, key, value, 0);
    }
    this.verify(expected);
    return true;
  }

  /** Sets `config.<mapKey>.<entry>` (an app of the apps map, say); returns whether anything changed. */
  setEntry(mapKey: string, entry: string, value: unknown): boolean {
    const current = this.config()[mapKey];
    if (typeof current !== "object" || current === null || Array.isArray(current)) {
      return this.setConfig(mapKey, { [entry]: value });
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
    if (document.errors.length > 0 || !sameData(this.config(), expected)) {
      throw new Error(
        `editing ${this.file} produced a file that does not read back as intended; nothing was written`,
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
