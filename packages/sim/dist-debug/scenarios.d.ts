import { type LeaseUpkeep } from "@eph/core";
import type { SimStores } from "./simulation.js";
/** Parameters of a membership-change measurement. */
export interface MembershipOptions {
    /** Store factory. */
    stores: () => SimStores;
    /** Partitions of the hub. */
    partitions: number;
    /** Hosts after the join (the run starts with one fewer). */
    hosts: number;
    /** Lease timing (ms); defaults are the seed's 60 s / 10 s / 10 s. */
    leaseDuration?: number;
    renewalInterval?: number;
    scanInterval?: number;
    /** Seed of the hosts' random sources. */
    seed?: number;
    /** Virtual time of the steady-state window (ms); default one hour. Calls are scaled to an hour. */
    steadyWindow?: number;
    /** Clock offsets of the hosts, ms (default none): proves expiry never compares clocks. */
    skews?: readonly number[];
    /** How the hosts keep their leases alive. Default: the balancer's default. */
    leaseUpkeep?: LeaseUpkeep;
}
/** Time (in scan intervals) and ownership moves one membership change took to settle. */
export interface ChangeFigures {
    /** Scan intervals from the change until every partition was owned by a live host with spread <= 1. */
    readonly intervals: number;
    /** Lease acquisitions from the change until settled. */
    readonly moves: number;
    /** Largest number of times one partition changed owner for this change. */
    readonly maxMovesPerPartition: number;
}
/** Figures of a full membership run: start, join, crash, graceful leave, steady state. */
export interface MembershipFigures {
    readonly partitions: number;
    readonly hosts: number;
    readonly start: ChangeFigures;
    readonly join: ChangeFigures;
    readonly crash: ChangeFigures;
    readonly leave: ChangeFigures;
    /** Ownership changes during the steady-state hour (should be 0). */
    readonly steadyMoves: number;
    /** Lease-store calls per partition per hour at steady state. */
    readonly callsPerPartitionHour: number;
}
/**
 * Drives real balancers over the given stores in virtual time through: start of H-1 hosts, a join,
 * a crash (SIGKILL: nothing released), a graceful leave, and a steady hour; measures each change.
 */
export declare function measureMembership(options: MembershipOptions): Promise<MembershipFigures>;
