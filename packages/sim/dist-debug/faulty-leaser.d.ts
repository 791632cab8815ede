import { type AcquireLeaseOptions, type HostInfo, type HostRecordContent, type HostRecordWrite, type LeaseListing, type LeaseMarker, type Leaser, type OperationOptions, type RandomSource } from "@eph/core";
import type { HostClock } from "./host-clock.js";
/** Fault settings shared by all hosts of a simulation; the scenario changes them over time. */
export interface StoreFaults {
    /** Probability that a call fails with `StoreUnavailable` (before or after reaching the store). */
    errorRate: number;
    /** Maximum added latency of a call, each way (ms); the actual latency is uniform below it. */
    maxLatency: number;
}
/** Counts of store calls, for the cost figures. */
export interface CallCounter {
    calls: number;
}
/**
 * Wraps a host's Leaser the way a network would: each call is delayed on the way in and on the way
 * out (on the calling process's clock, so a paused process sees its answers late), may fail before
 * reaching the store, and may fail after the store applied it (the caller cannot tell which).
 */
export declare class FaultyLeaser implements Leaser {
    #private;
    private readonly inner;
    private readonly clock;
    private readonly faults;
    private readonly random;
    private readonly counter;
    private readonly isolated;
    private readonly overtrust;
    constructor(inner: Leaser, clock: HostClock, faults: StoreFaults, random: RandomSource, counter: CallCounter, isolated?: () => boolean, overtrust?: number);
    private call;
    /**
     * The way in: on the network's time, so a request sent before its process was paused or killed
     * (a crash during a liveness write) still lands; the caller's deadline can still cut it short.
     */
    private send;
    /** The way back: on the calling process's clock, so a paused process sees its answers late. */
    private hop;
    private latency;
    setEventProcessorHost(info: HostInfo): void;
    storeExists(options?: OperationOptions): Promise<boolean>;
    ensureStore(options?: OperationOptions): Promise<void>;
    deleteStore(options?: OperationOptions): Promise<void>;
    getLeases(options?: OperationOptions): Promise<LeaseMarker[]>;
    ensureLease(partitionId: string, options?: OperationOptions): Promise<LeaseMarker>;
    deleteLease(partitionId: string, options?: OperationOptions): Promise<void>;
    acquireLease(partitionId: string, options?: AcquireLeaseOptions): Promise<LeaseMarker>;
    renewLease(partitionId: string, options?: OperationOptions): Promise<LeaseMarker>;
    releaseLease(partitionId: string, options?: OperationOptions): Promise<void>;
    updateLease(partitionId: string, options?: OperationOptions): Promise<LeaseMarker>;
    listLeasesAndHosts(options?: OperationOptions): Promise<LeaseListing>;
    /**
     * The deliberately broken observer: another host's liveness record is shown as still changing for
     * `overtrust` ms after it really stopped, so the host trusts it that much too long.
     */
    private overtrusted;
    writeHostRecord(content: HostRecordContent, expectedVersion: string | undefined, options?: OperationOptions): Promise<HostRecordWrite>;
    deleteHostRecord(expectedVersion: string | undefined, options?: OperationOptions): Promise<void>;
    close(): Promise<void>;
}
