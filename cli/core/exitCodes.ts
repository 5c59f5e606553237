/**
 * The exit codes of every trusted-delivery command: one table, documented in the README
 * (`trusted-delivery help exit-codes` prints it). Scripts and CI branch on them, so a code keeps
 * its meaning across commands and releases.
 */
export const exitCodes = {
  /** Done; nothing to report, or only advisory findings. */
  ok: 0,
  /** Done, and what it found fails the check: mandatory violations or findings, drift, a refusal. */
  findings: 1,
  /** The command line or an input file is wrong; nothing was created or written. */
  usage: 2,
  /** AWS could not be reached or read (credentials, network, permissions); nothing was judged. */
  aws: 3,
  /** Interrupted (Ctrl-C, SIGINT) or input ended at a prompt (Ctrl-D); nothing was written. */
  interrupted: 130,
  /** A bug in trusted-delivery: the stack trace is printed, to be reported (EX_SOFTWARE). */
  bug: 70,
} as const;

export type ExitCode = (typeof exitCodes)[keyof typeof exitCodes];

/** The table as `help exit-codes` prints it and the README shows it. */
export const exitCodeTable: readonly (readonly [ExitCode, string])[] = [
  [exitCodes.ok, "done: nothing to report, or advisory findings only"],
  [
    exitCodes.findings,
    "done, and the check fails: mandatory violations or findings, drift, an edit refused",
  ],
  [exitCodes.usage, "the command line or an input file is wrong; nothing was written"],
  [
    exitCodes.aws,
    "AWS could not be reached or read (credentials, network, permissions); nothing was judged",
  ],
  [exitCodes.bug, "a bug in trusted-delivery: the stack trace is printed; please report it"],
  [exitCodes.interrupted, "interrupted (Ctrl-C), or input ended at a prompt (Ctrl-D)"],
];
