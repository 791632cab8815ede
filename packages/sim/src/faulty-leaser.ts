import {
  type AcquireLeaseOptions,
  EphError,
  type HostInfo,
  type HostRecordContent,
  type HostRecordWrite,
  keepsHostRecords,
  type LeaseListing,
  type LeaseMarker,
  type Leaser,
  type OperationOptions,
  type RandomSource,
} from "@eph/core";
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
export class FaultyLeaser implements Leaser {
  constructor(
    private readonly inner: Leaser,
    private readonly clock: HostClock,
    private readonly faults: StoreFaults,
    private readonly random: RandomSource,
    private readonly counter: CallCounter,
    private readonly isolated: () => boolean = () => false,
    private readonly overtrust = 0,
  ) {}

  /** The host this leaser works for. */
  #hostName = "";
  /** Per host record: the real version, and when (this process's clock) it was first listed. */
  readonly #changes = new Map<string, { readonly version: string; readonly since: number }>();

  private async call<T>(what: string, options: OperationOptions | undefined, op: () => Promise<T>): Promise<T> {
    this.counter.calls++;
    await this.send(options);
    if (this.isolated()) throw new EphError("StoreUnavailable", `${what}: host cut off from the store`);
    if (this.random() < this.faults.errorRate / 2) throw new EphError("StoreUnavailable", `${what}: injected fault`);
    const result = await op();
    await this.hop(options);
    if (this.random() < this.faults.errorRate / 2) {
      throw new EphError("StoreUnavailable", `${what}: injected fault after the write`);
    }
    return result;
  }

  /**
   * The way in: on the network's time, so a request sent before its process was paused or killed
   * (a crash during a liveness write) still lands; the caller's deadline can still cut it short.
   */
  private send(options: OperationOptions | undefined): Promise<void> {
    return this.latency(options, (callback, ms) => this.clock.network(callback, ms));
  }

  /** The way back: on the calling process's clock, so a paused process sees its answers late. */
  private hop(options: OperationOptions | undefined): Promise<void> {
    return this.latency(options, (callback, ms) => this.clock.setTimeout(callback, ms));
  }

  private latency(
    options: OperationOptions | undefined,
    after: (callback: () => void, ms: number) => void,
  ): Promise<void> {
    const ms = this.random() * this.faults.maxLatency;
    return new Promise((resolve, reject) => {
      const signal = options?.abortSignal;
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      after(() => {
        if (signal?.aborted) reject(signal.reason);
        else resolve();
      }, ms);
    });
  }

  setEventProcessorHost(info: HostInfo): void {
    this.inner.setEventProcessorHost(info);
    this.#hostName = info.hostName;
  }
  storeExists(options?: OperationOptions): Promise<boolean> {
    return this.call("storeExists", options, () => this.inner.storeExists(options));
  }
  ensureStore(options?: OperationOptions): Promise<void> {
    return this.call("ensureStore", options, () => this.inner.ensureStore(options));
  }
  deleteStore(options?: OperationOptions): Promise<void> {
    return this.call("deleteStore", options, () => this.inner.deleteStore(options));
  }
  getLeases(options?: OperationOptions): Promise<LeaseMarker[]> {
    return this.call("getLeases", options, () => this.inner.getLeases(options));
  }
  ensureLease(partitionId: string, options?: OperationOptions): Promise<LeaseMarker> {
    return this.call("ensureLease", options, () => this.inner.ensureLease(partitionId, options));
  }
  deleteLease(partitionId: string, options?: OperationOptions): Promise<void> {
    return this.call("deleteLease", options, () => this.inner.deleteLease(partitionId, options));
  }
  acquireLease(partitionId: string, options?: AcquireLeaseOptions): Promise<LeaseMarker> {
    return this.call("acquireLease", options, () => this.inner.acquireLease(partitionId, strip(options)));
  }
  renewLease(partitionId: string, options?: OperationOptions): Promise<LeaseMarker> {
    return this.call("renewLease", options, () => this.inner.renewLease(partitionId));
  }
  releaseLease(partitionId: string, options?: OperationOptions): Promise<void> {
    return this.call("releaseLease", options, () => this.inner.releaseLease(partitionId));
  }
  updateLease(partitionId: string, options?: OperationOptions): Promise<LeaseMarker> {
    return this.call("updateLease", options, () => this.inner.updateLease(partitionId));
  }
  listLeasesAndHosts(options?: OperationOptions): Promise<LeaseListing> {
    const inner = this.inner;
    if (!keepsHostRecords(inner)) throw new EphError("InvalidOption", "The simulated leaser keeps no host records.");
    return this.call("listLeasesAndHosts", options, () => inner.listLeasesAndHosts(options)).then((listing) =>
      this.overtrust > 0 ? this.overtrusted(listing) : listing,
    );
  }

  /**
   * The deliberately broken observer: another host's liveness record is shown as still changing for
   * `overtrust` ms after it really stopped, so the host trusts it that much too long.
   */
  private overtrusted(listing: LeaseListing): LeaseListing {
    const now = this.clock.now();
    const hosts = listing.hosts.map((record) => {
      if (record.hostName === this.#hostName) return record;
      const seen = this.#changes.get(record.hostName);
      if (seen?.version !== record.version) {
        this.#changes.set(record.hostName, { version: record.version, since: now });
        return record;
      }
      if (now - seen.since >= this.overtrust) return record;
      return { ...record, version: `${record.version}~${Math.floor(now)}` };
    });
    return { leases: listing.leases, hosts };
  }
  writeHostRecord(
    content: HostRecordContent,
    expectedVersion: string | undefined,
    options?: OperationOptions,
  ): Promise<HostRecordWrite> {
    const inner = this.inner;
    if (!keepsHostRecords(inner)) throw new EphError("InvalidOption", "The simulated leaser keeps no host records.");
    return this.call("writeHostRecord", options, () => inner.writeHostRecord(content, expectedVersion));
  }
  deleteHostRecord(expectedVersion: string | undefined, options?: OperationOptions): Promise<void> {
    const inner = this.inner;
    if (!keepsHostRecords(inner)) throw new EphError("InvalidOption", "The simulated leaser keeps no host records.");
    return this.call("deleteHostRecord", options, () => inner.deleteHostRecord(expectedVersion));
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

/**
 * Once a request has reached the store it is applied whatever the caller's deadline says (a real
 * server does not see the client give up), so the signal is not passed on.
 */
function strip(options: AcquireLeaseOptions | undefined): AcquireLeaseOptions | undefined {
  return options?.expectedVersion === undefined ? undefined : { expectedVersion: options.expectedVersion };
}
