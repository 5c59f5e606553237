import * as readline from "readline";

/** Where questions go and answers come from; prompts happen only on a terminal. */
export interface Terminal {
  readonly input: NodeJS.ReadableStream;
  readonly output: NodeJS.WritableStream;
  readonly interactive: boolean;
}

export const processTerminal: Terminal = {
  input: process.stdin,
  output: process.stdout,
  interactive: Boolean(process.stdin.isTTY && process.stdout.isTTY),
};

/** Asks each question in turn, offering the default in brackets; resolves to the answers. */
export async function ask(
  terminal: Terminal,
  questions: readonly {
    readonly key: string;
    readonly question: string;
    readonly default?: string;
  }[],
): Promise<Record<string, string>> {
  const rl = readline.createInterface({ input: terminal.input, output: terminal.output });
  const answers: Record<string, string> = {};
  try {
    for (const q of questions) {
      const answer: string = await new Promise((resolve) =>
        rl.question(`${q.question}${q.default ? ` [${q.default}]` : ""}: `, resolve),
      );
      answers[q.key] = answer.trim() || q.default || "";
    }
  } finally {
    rl.close();
  }
  return answers;
}
