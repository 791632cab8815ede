import { type Checkpointer, type Leaser, type LeaseUpkeep } from "@eph/core";
/** How a simulation makes stores: one shared backing store, one adapter instance per host. */
export interface SimStores {
    /** A new Leaser over the shared lease store. */
    leaser(): Leaser;
    /** A new Checkpointer over the shared checkpoint store. */
    checkpointer(): Checkpointer;
}
/** Parameters of one simulated run. */
export interface SimOptions {
    /** Seed of every random choice: the same seed replays the same run exactly. */
    seed: number;
    /** Store factory. */
    stores: () => SimStores;
    /** Partitions of the hub. Default: 4-40, from the seed. */
    partitions?: number;
    /** Hosts at the start. Default: 1-5, from the seed. */
    initialHosts?: number;
    /** Virtual ms of chaos before the quiet period. Default 120 000. */
    duration?: number;
    /** Lease timing (ms). Defaults: 6 000 / 1 000 / 1 000. */
    leaseDuration?: number;
    renewalInterval?: number;
    scanInterval?: number;
    /** Inject crashes, pauses, joins, leaves, restarts, store errors and latency, clock skew. Default true. */
    chaos?: boolean;
    /** How the hosts keep their leases alive. Default: the balancer's default. */
    leaseUpkeep?: LeaseUpkeep;
    /**
     * The deliberately broken variant: every host trusts another host's liveness record 1.5 x too long
     * (it sees it change for half a lease after it stopped). The invariants must catch it.
     */
    brokenObserver?: boolean;
}
/** What a run found. */
export interface SimResult {
    readonly seed: number;
    /** Invariant violations; empty when the run was correct. */
    readonly violations: string[];
    /** The membership and fault events that happened, with their virtual times. */
    readonly events: string[];
    /** Total store calls (lease store) over the run. */
    readonly calls: number;
    /** Lease acquisitions over the run. */
    readonly acquisitions: number;
}
/**
 * Runs many hosts' balancers on one in-memory store in virtual time, with seeded faults, and checks the
 * invariants at every step:
 * - a partition taken as free or expired is never still processed by the holder of the epoch before;
 * - a partition is processed by two hosts at once only after a steal, for less than a lease duration,
 *   and only one of them holds the store's current epoch;
 * - a checkpoint from a deposed owner (older epoch than the fence) is never accepted;
 * - epochs never decrease; checkpoints never regress;
 * - while the store answers and some host runs, no partition stays without an owner for longer than one
 *   scan after it was released (two after its lease expired: each host judges expiry on its own clock,
 *   from when it could first list the lease: its start or resume, or the store answering again);
 * - the initial hosts, started 100 ms apart, are balanced within 2 scan intervals of the last start,
 *   and no partition moved more than once after its first claim;
 * - after the chaos stops, within a lease duration and a few scans every partition is owned by exactly
 *   one live host and the spread of ownership is at most one.
 */
export declare function simulate(options: SimOptions): Promise<SimResult>;
