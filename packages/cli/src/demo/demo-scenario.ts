/** Lease timing of the demo's hosts (ms). */
export interface DemoTiming {
  readonly leaseDuration: number;
  readonly renewalInterval: number;
  readonly scanInterval: number;
  readonly operationTimeout: number;
}

/** How the demo runs. */
export interface DemoConfig {
  /** Partitions of the demo hub. */
  readonly partitions: number;
  /** Events the producer sends per second, spread over the partitions. */
  readonly eventsPerSecond: number;
  /** The hosts' lease timing. */
  readonly timing: DemoTiming;
  /** How often hosts checkpoint (ms): what a crash can cost in duplicates. */
  readonly checkpointEveryMs: number;
  /** Steady time shown after each rebalance (ms). */
  readonly holdMs: { readonly afterStart: number; readonly afterCrash: number; readonly afterJoin: number };
  /** Longest wait for a rebalance to settle (ms). */
  readonly settleTimeoutMs: number;
  /** Longest wait, after the producer stops, for the hosts to process everything (ms). */
  readonly drainTimeoutMs: number;
}

/** The full demo: about a minute, lease 6 s, renewal 2 s, scan 2 s. */
export const fullDemo: DemoConfig = {
  partitions: 8,
  eventsPerSecond: 40,
  timing: { leaseDuration: 6000, renewalInterval: 2000, scanInterval: 2000, operationTimeout: 1000 },
  checkpointEveryMs: 1000,
  holdMs: { afterStart: 10_000, afterCrash: 8000, afterJoin: 10_000 },
  settleTimeoutMs: 30_000,
  drainTimeoutMs: 20_000,
};

/** A short demo for tests and impatient people: lease 3 s, renewal 1 s, scan 1 s, short pauses. */
export const shortDemo: DemoConfig = {
  partitions: 6,
  eventsPerSecond: 30,
  timing: { leaseDuration: 3000, renewalInterval: 1000, scanInterval: 1000, operationTimeout: 500 },
  checkpointEveryMs: 500,
  holdMs: { afterStart: 1500, afterCrash: 1500, afterJoin: 1500 },
  settleTimeoutMs: 20_000,
  drainTimeoutMs: 15_000,
};
