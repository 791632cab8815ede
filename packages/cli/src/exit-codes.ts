/**
 * The exit codes of `eph`. Stable: scripts may branch on them. `eph --help` lists them too.
 */
export const ExitCode = {
  /** The command did what it was asked (for `demo`: no event was lost). */
  Ok: 0,
  /** Something failed that no other code describes; for `demo`: an event was lost. */
  Failure: 1,
  /**
   * The command line is wrong: unknown command or flag, missing or malformed value (a container, table
   * or consumer group name, a sequence number the partition does not hold).
   */
  Usage: 2,
  /** A connection string, namespace or Storage account URL is missing or malformed. */
  Configuration: 3,
  /** The event hub, consumer group or partition does not exist (or, to change a checkpoint, the container). */
  NotFound: 4,
  /** Event Hubs or Storage could not be reached, timed out, or refused the credentials; or Entra ID sign-in failed. */
  Unavailable: 5,
  /** A destructive change was not confirmed (answered "no", or no terminal to ask on and no `--yes`). */
  NotConfirmed: 6,
  /** A checkpoint change kept losing the race for a lease to running hosts; that partition is unchanged. */
  Conflict: 7,
  /** `eph lag --threshold N`: the total lag is above N (the report was printed). */
  LagAboveThreshold: 8,
  /** Stopped by SIGINT (Ctrl-C) before it finished. */
  Interrupted: 130,
} as const;

/** One of the values of {@link ExitCode}. */
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** The exit codes as `eph --help` prints them. */
export const exitCodeHelp = `Exit codes:
  0    success (demo: no event lost)
  1    failure not covered below (demo: an event was lost)
  2    bad command line (unknown command or flag, missing or malformed value: also a container,
       table or consumer group name, or a sequence number the partition does not hold)
  3    missing or malformed connection string, namespace or Storage account URL
  4    event hub, consumer group or partition not found (for checkpoints set/reset: also the
       container; status and list show a container no host has created as "missing" rows, exit 0)
  5    Event Hubs or Storage unreachable, timed out, or refused the credentials; Entra ID sign-in failed
  6    destructive change not confirmed (answered no, or no terminal and no --yes)
  7    a checkpoint change kept losing the race for a lease to running hosts (unchanged)
  8    lag --threshold N: the total lag is above N
  130  interrupted (Ctrl-C)
`;
