/**
 * Progress of an offline plan, for whoever runs one: a large stack's program runs for minutes,
 * and the policy pack after it. The plan and the policy session tell their caller at each
 * phase's start and end and, between them, at most every {@link progressIntervalMilliseconds};
 * never once per resource.
 */

/** What a plan is doing: running the program, or running the policy pack on what it registered. */
export type PlanPhase = "program" | "policy";

/** One report of a plan's progress. */
export interface PlanProgress {
  readonly phase: PlanPhase;
  /** The phase has just started, is under way, or has just ended (after which none of it follows). */
  readonly kind: "start" | "progress" | "end";
  /**
   * Resources done: registered by the program, or analyzed by the pack (`Analyze` answered,
   * then `AnalyzeStack`'s resources once it is answered).
   */
  readonly done: number;
  /** Resources there are to do, once known (the program's are known when it ends). */
  readonly total?: number;
  /** The report as one line for people, e.g. `program: 12,000 resources registered (8.1 s)`. */
  readonly message: string;
}

/** Told of a plan's progress. */
export type ProgressListener = (event: PlanProgress) => void;

/** The least time between two reports of one phase under way. */
export const progressIntervalMilliseconds = 500;

/** `12,000`. */
export function count(value: number): string {
  return value.toLocaleString("en-US");
}

/** `8.1 s`, `2 min 05 s`. */
export function elapsed(milliseconds: number): string {
  const seconds = milliseconds / 1000;
  if (seconds < 60) {
    return `${seconds.toFixed(1)} s`;
  }
  const whole = Math.round(seconds);
  return `${Math.floor(whole / 60)} min ${String(whole % 60).padStart(2, "0")} s`;
}

/**
 * Reports of one phase to `listener`: `start` and `end` always, `progress` when at least
 * {@link progressIntervalMilliseconds} have passed since the last report. Checking is a clock
 * read, so it can be called once per resource; reporting never throws into the plan.
 */
export class PhaseReporter {
  private last = 0;
  private readonly started: number;

  constructor(
    private readonly phase: PlanPhase,
    private readonly listener: ProgressListener | undefined,
    /** The clock, in milliseconds (a test's own). */
    private readonly now: () => number = Date.now,
  ) {
    this.started = now();
  }

  /** Milliseconds since the phase started. */
  get milliseconds(): number {
    return this.now() - this.started;
  }

  start(done: number, message: string, total?: number): void {
    this.report("start", done, message, total);
  }

  /** Reports `message()` unless the last report was under the interval ago. */
  progress(done: number, message: () => string, total?: number): void {
    if (this.listener !== undefined && this.now() - this.last >= progressIntervalMilliseconds) {
      this.report("progress", done, message(), total);
    }
  }

  end(done: number, message: string, total?: number): void {
    this.report("end", done, message, total);
  }

  private report(kind: PlanProgress["kind"], done: number, message: string, total?: number) {
    if (this.listener === undefined) {
      return;
    }
    this.last = this.now();
    try {
      this.listener({
        phase: this.phase,
        kind,
        done,
        ...(total !== undefined && { total }),
        message,
      });
    } catch {
      // A listener that fails (a closed stream) must not fail the plan.
    }
  }
}

/**
 * A listener that writes each report to `stream` (stderr, say) as one line: one line per report
 * when the stream is not a terminal (a log, CI); on a terminal, one line rewritten in place
 * (cut to the terminal's width) until its phase ends, when the line is kept.
 */
export function stderrProgress(stream: NodeJS.WriteStream): ProgressListener {
  return (event) => {
    if (!stream.isTTY) {
      stream.write(`${event.message}\n`);
      return;
    }
    const width = Math.max(20, (stream.columns ?? 80) - 1);
    const line =
      event.message.length > width ? `${event.message.slice(0, width - 1)}…` : event.message;
    // \r goes back to the line's start; \x1b[K clears what a longer line left there.
    stream.write(`\r${line}\x1b[K${event.kind === "end" ? "\n" : ""}`);
  };
}
