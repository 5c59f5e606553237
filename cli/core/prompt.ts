import * as readline from "readline";
import { InterruptedError } from "./errors";

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

/**
 * Asks each question in turn, offering the default in brackets; resolves to the answers. Input
 * that ends before every question is answered (Ctrl-D) or Ctrl-C rejects with an
 * {@link InterruptedError} naming the question: nothing is taken from half an answer.
 */
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
  let ended: string | undefined;
  let stop: (() => void) | undefined;
  rl.on("close", () => {
    ended ??= "input ended (Ctrl-D)";
    stop?.();
  });
  rl.on("SIGINT", () => {
    ended = "interrupted (Ctrl-C)";
    rl.close();
  });
  try {
    for (const q of questions) {
      const answer = await new Promise<string | undefined>((resolve) => {
        stop = () => resolve(undefined);
        if (ended !== undefined) {
          resolve(undefined);
          return;
        }
        rl.question(`${q.question}${q.default ? ` [${q.default}]` : ""}: `, resolve);
      });
      if (answer === undefined) {
        terminal.output.write("\n");
        throw new InterruptedError(
          `${ended} before "${q.question}" was answered; nothing was written`,
        );
      }
      answers[q.key] = answer.trim() || q.default || "";
    }
  } finally {
    stop = undefined;
    rl.close();
  }
  return answers;
}
