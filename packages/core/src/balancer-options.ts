import type { Clock } from "./clock.js";
import { DefaultLeaseDuration, DefaultLeaseRenewalInterval, DefaultScanInterval } from "./constants.js";
import { EphError } from "./errors.js";
import type { LeaseMarker } from "./lease.js";
import type { Logger } from "./logger.js";
import type { RandomSource } from "./random.js";
import type { Leaser } from "./store.js";
import type { StoreCallQueue } from "./store-call-queue.js";

/**
 * How a host tells the others that its leases are alive. `"heartbeat"`: it rewrites one liveness
 * record of its own per renewal interval, and a lease record changes only when its owner does;
 * `"perPartition"`: it rewrites every lease it holds per renewal interval (what every earlier version
 * of eph does; for fleets that mix versions during an upgrade).
 */
export type LeaseUpkeep = "heartbeat" | "perPartition";

/** Why a host stopped owning a partition. */
export type LossReason =
  /** Another host took the lease (a renewal or verification found it changed). */
  | "stolen"
  /** Renewals kept failing until the local deadline: the lease is treated as ended before others can take it. */
  | "expired"
  /** The balancer is stopping and releases its leases. */
  | "shutdown";

/** A partition the balancer has just acquired for this host. */
export interface OwnedPartition {
  /** The partition. */
  readonly partitionId: string;
  /** The lease's epoch: the fencing token for checkpoints and the receiver's owner level. */
  readonly epoch: number;
  /** The lease as acquired. */
  readonly lease: LeaseMarker;
  /** Fires when this host stops owning the partition (whatever the reason). */
  readonly signal: AbortSignal;
  /**
   * The live host the lease was taken from, or `""` when it was free (never owned, released, or
   * expired by this host's clock). A steal means the previous owner may still be reading until it
   * notices; its checkpoints are fenced meanwhile. It is this host's own name when the store named
   * this host as owner though it did not hold the lease (a restart, or an acquire whose answer was
   * lost): the owner before that may still be reading too.
   */
  readonly stolenFrom: string;
}

/** What one scan saw and did; for monitoring, tests and benchmarks. */
export interface ScanReport {
  /** When the scan ran (balancer clock). */
  readonly at: number;
  /** Live hosts counted, this one included. */
  readonly hosts: number;
  /** This host's fair share. */
  readonly quota: number;
  /** Partitions this host owned after the scan. */
  readonly owned: number;
  /** Partitions acquired during the scan. */
  readonly acquired: readonly string[];
  /** Of those, how many were taken from a live host. */
  readonly stolen: number;
  /** Store calls of this scan that failed (each affects only its own lease). */
  readonly failures: number;
}

/** Options of {@link Balancer}. */
export interface BalancerOptions {
  /** The lease store, already given this host's identity with `setEventProcessorHost`. */
  leaser: Leaser;
  /** This host's name: the owner written in the leases it takes. */
  hostName: string;
  /** The hub's partition ids; called on every scan, so a hub that gains partitions is picked up. */
  partitionIds: () => Promise<readonly string[]> | readonly string[];
  /** Time a lease stays valid without renewal (ms). Default 60 000. Must exceed `renewalInterval`. */
  leaseDuration?: number;
  /** Time between renewals of each owned lease (ms). Default 10 000. */
  renewalInterval?: number;
  /** Time between scans of all leases (ms). Default 10 000. Scans are jittered to at most this. */
  scanInterval?: number;
  /**
   * How leases are kept alive: `"heartbeat"` (default), one liveness record per host rewritten every
   * renewal interval, or `"perPartition"`, every held lease rewritten every renewal interval. Hosts of
   * both kinds may share a consumer group: a heartbeat host that sees leases renewed one by one renews
   * its own the same way too, so older hosts never judge them expired. A Leaser without host records
   * (`listLeasesAndHosts`, `writeHostRecord`) keeps per-partition upkeep.
   */
  leaseUpkeep?: LeaseUpkeep;
  /**
   * Deadline of one store call (ms). Default: a quarter of the renewal interval but at least 1 000,
   * capped at a sixth of the lease duration.
   */
  operationTimeout?: number;
  /**
   * Most store calls of this host in flight at once: the bound of the {@link StoreCallQueue} the
   * balancer makes when `storeCalls` is not given. An integer. Default 32.
   */
  maxConcurrentCalls?: number;
  /**
   * The host's store-call queue, shared with its checkpoint calls so that all of one host's calls to
   * the stores are paced and prioritised together. Default: a queue of its own.
   */
  storeCalls?: StoreCallQueue;
  /** Monotonic clock; inject a `ManualClock` to run in virtual time. */
  clock?: Clock;
  /** Random source for jitter and shuffling; inject `seededRandom(seed)` to replay a run. */
  random?: RandomSource;
  /** Where the balancer logs. */
  logger?: Logger;
  /**
   * Called when the host has acquired a partition: start reading it. If it rejects, the lease is
   * released so another host can take the partition.
   */
  onAcquired?: (partition: OwnedPartition) => void | Promise<void>;
  /**
   * Called when the host stops owning a partition; stop reading it. On `shutdown` the lease is released
   * only after this resolves, so the last checkpoint can be written first (no duplicates on a planned
   * move).
   */
  onLost?: (partitionId: string, reason: LossReason) => void | Promise<void>;
  /** Called after every scan. */
  onScan?: (report: ScanReport) => void;
  /**
   * Called when the balancer stopped on its own because it must not go on: another live process uses
   * this host name (`DuplicateHost`). Every partition was reported lost before.
   */
  onFatal?: (error: EphError) => void;
}

/** Options with every default filled in. */
export interface ResolvedTiming {
  readonly leaseDuration: number;
  readonly renewalInterval: number;
  readonly scanInterval: number;
  readonly operationTimeout: number;
  readonly maxConcurrentCalls: number;
  readonly leaseUpkeep: LeaseUpkeep;
}

/** The lease upkeep modes, for validation. */
const leaseUpkeeps: readonly LeaseUpkeep[] = ["heartbeat", "perPartition"];

function positive(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (typeof v !== "number" || !Number.isFinite(v) || v <= 0) {
    throw new EphError(
      "InvalidOption",
      `Option "${name}" must be a positive finite number of ms; got ${String(value)}.`,
    );
  }
  return v;
}

/** Validates timing options, throwing an `InvalidOption` error that names the bad option. */
export function resolveTiming(options: Partial<ResolvedTiming>): ResolvedTiming {
  const renewalInterval = positive("renewalInterval", options.renewalInterval, DefaultLeaseRenewalInterval);
  const leaseDuration = positive("leaseDuration", options.leaseDuration, DefaultLeaseDuration);
  const scanInterval = positive("scanInterval", options.scanInterval, DefaultScanInterval);
  if (leaseDuration <= renewalInterval) {
    throw new EphError(
      "InvalidOption",
      `Option "leaseDuration" (${leaseDuration} ms) must be greater than "renewalInterval" (${renewalInterval} ms).`,
    );
  }
  // A quarter of the renewal interval, but at least a second (a store under load needs it), and never
  // more than a sixth of the lease, the margin by which this host gives a lease up before others may.
  const operationTimeout = positive(
    "operationTimeout",
    options.operationTimeout,
    Math.max(1, Math.min(Math.max(1000, renewalInterval / 4), leaseDuration / 6)),
  );
  const maxConcurrentCalls = positive("maxConcurrentCalls", options.maxConcurrentCalls, 32);
  if (!Number.isInteger(maxConcurrentCalls)) {
    throw new EphError("InvalidOption", `Option "maxConcurrentCalls" must be an integer; got ${maxConcurrentCalls}.`);
  }
  const leaseUpkeep = options.leaseUpkeep ?? "heartbeat";
  if (!leaseUpkeeps.includes(leaseUpkeep)) {
    throw new EphError(
      "InvalidOption",
      `Option "leaseUpkeep" must be "heartbeat" or "perPartition"; got ${JSON.stringify(leaseUpkeep)}.`,
    );
  }
  return { leaseDuration, renewalInterval, scanInterval, operationTimeout, maxConcurrentCalls, leaseUpkeep };
}
