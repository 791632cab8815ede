import type { Clock } from "@eph/core";
import type { MemoryStoreInterceptor } from "@eph/leaser-memory";
/** A store that serves a finite number of calls per second, shared by every host of a run. */
export interface StoreThroughput {
    /** Latency of a call arriving at an idle store (ms). */
    readonly baseLatency: number;
    /** Latency each call already in flight adds to one arriving (ms): 1 / (calls per ms the store serves). */
    readonly perCallInFlight: number;
}
/** What the store saw over a run. */
export interface ThroughputStats {
    /** Operations in flight at the store now. */
    inFlight: number;
    /** Most operations in flight at once. */
    peakInFlight: number;
    /** Longest latency of one operation (ms). */
    peakLatency: number;
    /** Operations served. */
    operations: number;
}
/**
 * An interceptor for the memory stores that gives them finite throughput: an operation's latency is
 * the base latency plus a fixed cost for every operation already in flight at the store (a server
 * working through its backlog), on the world's clock. So a host that sends hundreds of calls at once
 * makes every call slow, its own renewals included, as Azure Storage and Azurite do under a burst.
 * The operation takes effect when its latency has passed, whatever the caller's deadline said
 * meanwhile (a server does not see the client give up), unless the caller's signal already fired.
 */
export declare function throughputInterceptor(world: Clock, model: StoreThroughput, stats: ThroughputStats): MemoryStoreInterceptor;
