/** The help the CLI prints: the commands, one command, the exit codes. */
import { exitCodeTable } from "../core/exitCodes";
import { Command, CommandOption, cwdOption } from "./command";

/** The options every command takes, beside its own. */
export const globalOptions: Readonly<Record<string, CommandOption>> = {
  cwd: cwdOption,
  quiet: {
    type: "boolean",
    short: "q",
    help: "Print only the result, warnings and errors: no progress, no next steps.",
  },
  help: { type: "boolean", short: "h", help: "Show this help." },
};

const width = 30;

function optionLine(name: string, spec: CommandOption): string {
  const short = spec.short === undefined ? "    " : `-${spec.short}, `;
  const value = spec.type === "string" ? ` ${spec.value ?? "<value>"}` : "";
  const left = `  ${short}--${name}${value}`;
  const help = spec.multiple ? `${spec.help} Repeatable.` : spec.help;
  return left.length + 2 <= width
    ? `${left.padEnd(width)}${help}`
    : `${left}\n${" ".repeat(width)}${help}`;
}

/** The first line of a command's summary: its synopsis and what it does, in one line each. */
function synopsisOf(name: string, command: Command): string {
  return command.synopsis ?? command.summary.split(/\s{2,}/)[0] ?? name;
}

function descriptionOf(command: Command): string {
  if (command.description !== undefined) {
    return command.description;
  }
  // A summary as `synopsis  description`, wrapped by hand: the description, rejoined.
  const [, ...rest] = command.summary.split(/\s{2,}/);
  return rest.join(" ").replace(/\s*\n\s*/g, " ");
}

/** `trusted-delivery help`: the commands, one line each, and where to read more. */
export function globalHelp(commands: readonly (readonly [string, Command])[]): string {
  const lines = [
    "trusted-delivery: a governed path from a GitHub repository to an ECR registry.",
    "",
    "Usage: trusted-delivery <command> [options]",
    "",
    "Commands:",
  ];
  for (const [name, command] of commands) {
    // The summary's words after the name: one line.
    const first =
      command.summary.split(/\s{2,}/)[1] ?? descriptionOf(command).split(/(?<=\.)\s/)[0];
    lines.push(`  ${name.padEnd(18)}${first}`);
  }
  lines.push(
    "",
    "Options every command takes:",
    ...Object.entries(globalOptions).map(([name, spec]) => optionLine(name, spec)),
    "  -V, --version               Print the versions and exit.",
    "",
    "Run `trusted-delivery help <command>` for a command's options and examples,",
    "and `trusted-delivery help exit-codes` for what each exit code means.",
  );
  return `${lines.join("\n")}\n`;
}

function wrap(text: string, indent: string, columns = 96): string {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line !== "" && indent.length + line.length + 1 + word.length > columns) {
      lines.push(indent + line);
      line = word;
    } else {
      line = line === "" ? word : `${line} ${word}`;
    }
  }
  if (line !== "") {
    lines.push(indent + line);
  }
  return lines.join("\n");
}

/** `trusted-delivery help <command>`, or `<command> --help`. */
export function commandHelp(
  name: string,
  command: Command,
  options: Readonly<Record<string, CommandOption>>,
): string {
  const own = Object.entries(options).filter(([option]) => !(option in globalOptions));
  const lines = [
    `Usage: trusted-delivery ${synopsisOf(name, command)}`,
    "",
    wrap(descriptionOf(command), ""),
    "",
    "Options:",
    ...own.map(([option, spec]) => optionLine(option, spec)),
    "",
    "Options every command takes:",
    ...Object.entries(globalOptions).map(([option, spec]) => optionLine(option, spec)),
  ];
  if (command.examples !== undefined && command.examples.length > 0) {
    lines.push("", "Examples:", ...command.examples.map((e) => `  ${e}`));
  }
  lines.push(
    "",
    `Exit codes: 0 done${command.findings === undefined ? "" : `; 1 ${command.findings}`}; 2 a wrong option or input; trusted-delivery help exit-codes lists them all.`,
  );
  return `${lines.join("\n")}\n`;
}

/** `trusted-delivery help exit-codes`: the one table every command follows. */
export function exitCodesHelp(): string {
  return `${[
    "Exit codes (the same for every command):",
    ...exitCodeTable.map(([code, meaning]) => `  ${String(code).padStart(3)}  ${meaning}`),
  ].join("\n")}\n`;
}
