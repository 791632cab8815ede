import { type StoreThroughput, type ThroughputStats } from "./store-throughput.js";
/** Parameters of one cold start and close at many partitions. */
export interface BurstOptions {
    /** Seed of every choice: the same seed replays the same run. */
    readonly seed: number;
    /** Partitions. Default: 128-512, from the seed. */
    readonly partitions?: number;
    /** Hosts, started 100 ms apart. Default: 1-4, from the seed. */
    readonly hosts?: number;
    /** The store's throughput. Default: from the seed, 1.5-4 times what steady-state renewals need. */
    readonly throughput?: StoreThroughput;
    /** Virtual ms between the first start and the close. Default 30 000. */
    readonly runFor?: number;
}
/** What one run found. */
export interface BurstResult {
    readonly seed: number;
    readonly partitions: number;
    readonly hosts: number;
    readonly throughput: StoreThroughput;
    /** Violations; empty when the run was correct. */
    readonly violations: string[];
    /** Virtual ms from the first start until every partition was owned by exactly one host. */
    readonly allOwnedAfter: number | undefined;
    /** Renewals that failed (missed their deadline or found the store failing). */
    readonly renewalFailures: number;
    /** Partitions given up because renewals kept failing. */
    readonly expired: number;
    /** Partitions taken from a live host (fair-share moves, or a lease that looked expired to others). */
    readonly stolen: number;
    /** Final checkpoints stored / attempted at close. */
    readonly finalCheckpoints: {
        readonly stored: number;
        readonly attempted: number;
    };
    /** Leases still owned after every host stopped. */
    readonly leftOwned: number;
    /** What the store saw. */
    readonly store: ThroughputStats;
}
/**
 * Hosts that start together with hundreds of partitions on a store of finite throughput, each host
 * doing what the real one does with its store: per partition it creates and acquires the lease, raises
 * the fence and reads the checkpoint (retrying like the host does), renews every 2 s, and at close
 * writes a final checkpoint and releases. All of a host's calls go through its store-call queue.
 *
 * Violations: a renewal that failed, a partition given up (expired), a steal with one host (there is
 * no one to steal from), a partition not owned by exactly one host 20 s after the start, a final
 * checkpoint not stored, a lease still owned after the close.
 */
export declare function simulateBurst(options: BurstOptions): Promise<BurstResult>;
