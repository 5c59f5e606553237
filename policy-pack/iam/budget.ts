/**
 * The one bound on the model's work. Deciding what a policy admits is NP-hard in the size of the
 * document (MODEL.md, "Why a budget"), so every analysis of one document draws on one budget of
 * work units, counted where the work is done (a state of an automaton built, a transition of a
 * search taken, a combination of answers tried). Past it, the analysis stops by throwing
 * `BudgetExhausted`: no caller can read an unfinished search as "none found", because it never
 * returns. The analyses catch it at their top and report the document as not proven safe.
 *
 * Units are counted, not timed, so a verdict does not depend on the machine or its load.
 */

/** Work units one document's analysis may spend: about half a second here (npm run bench measures it). */
export const documentBudget = 2_500_000;

export class BudgetExhausted extends Error {
  constructor(
    readonly limit: number,
    /** What the model was working out when it ran out: `the subjects the policy admits`. */
    readonly question: string,
  ) {
    super(
      `the analysis needed more than ${limit.toLocaleString("en-US")} steps (working out ${question})`,
    );
  }
}

export class Budget {
  private left: number;
  /**
   * Work already paid for, kept for the rest of the analysis: automata built for a list of
   * languages are read again by later questions about the same document.
   */
  readonly memo = new Map<string, unknown>();
  /** What the model is working out, for the message when the budget runs out. */
  private question = "the document";

  constructor(readonly limit: number = documentBudget) {
    this.left = limit;
  }

  /** Spends `units`; throws BudgetExhausted when the budget is gone. */
  spend(units: number): void {
    this.left -= units;
    if (this.left < 0) {
      throw new BudgetExhausted(this.limit, this.question);
    }
  }

  /** The units spent so far. */
  get spent(): number {
    return this.limit - Math.max(this.left, 0);
  }

  /** Runs `work`, naming it as the question being worked out. */
  about<T>(question: string, work: () => T): T {
    const outer = this.question;
    this.question = question;
    try {
      return work();
    } finally {
      this.question = outer;
    }
  }
}

/** A budget with no practical limit, for tests that compare the model with brute force. */
export function unlimited(): Budget {
  return new Budget(Number.MAX_SAFE_INTEGER);
}
