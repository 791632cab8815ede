import {
  type AcquireLeaseOptions,
  EphError,
  type HostInfo,
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
  ) {}

  private async call<T>(what: string, options: OperationOptions | undefined, op: () => Promise<T>): Promise<T> {
    this.counter.calls++;
    await this.hop(options);
    if (this.isolated()) throw new EphError("StoreUnavailable", `${what}: host cut off from the store`);
    if (this.random() < this.faults.errorRate / 2) throw new EphError("StoreUnavailable", `${what}: injected fault`);
    const result = await op();
    await this.hop(options);
    if (this.random() < this.faults.errorRate / 2) {
      throw new EphError("StoreUnavailable", `${what}: injected fault after the write`);
    }
    return result;
  }

  private hop(options: OperationOptions | undefined): Promise<void> {
    const ms = this.random() * this.faults.maxLatency;
    return new Promise((resolve, reject) => {
      const signal = options?.abortSignal;
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      this.clock.setTimeout(() => {
        if (signal?.aborted) reject(signal.reason);
        else resolve();
      }, ms);
    });
  }

  setEventProcessorHost(info: HostInfo): void {
    this.inner.setEventProcessorHost(info);
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
