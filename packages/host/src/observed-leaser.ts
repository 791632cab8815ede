import {
  type AcquireLeaseOptions,
  type Clock,
  ExpiryTracker,
  type HostInfo,
  isEphError,
  type LeaseMarker,
  type Leaser,
  type OperationOptions,
} from "@eph/core";

/**
 * The user's Leaser as the balancer sees it, with two additions the host needs and the balancer does
 * not offer: failed store calls are reported (so users can see a store outage), and each acquisition
 * remembers whether the lease was taken from a LIVE owner. Such a partition is handed over gracefully:
 * the new owner waits for the old one to notice, checkpoint and let go before reading it.
 *
 * Liveness is judged like the balancer does (a version unchanged for a lease duration on this host's
 * own clock), from the same listings, observed no later than the balancer observes them: whenever the
 * balancer took a lease as expired, this judges it expired too, so a crashed owner's partitions are
 * never delayed by a handoff wait.
 */
export class ObservedLeaser implements Leaser {
  private readonly tracker: ExpiryTracker;
  private readonly lastSeen = new Map<string, LeaseMarker>();
  private readonly takenFrom = new Map<string, string>();
  private hostName = "";

  constructor(
    private readonly inner: Leaser,
    private readonly clock: Clock,
    leaseDuration: number,
    private readonly onFailure: (operation: string, partitionId: string | undefined, error: unknown) => void,
  ) {
    this.tracker = new ExpiryTracker(leaseDuration);
  }

  /** The live owner the last acquisition of `partitionId` took the lease from, if any; forgets it. */
  takePreviousOwner(partitionId: string): string | undefined {
    const owner = this.takenFrom.get(partitionId);
    this.takenFrom.delete(partitionId);
    return owner;
  }

  setEventProcessorHost(info: HostInfo): void {
    this.hostName = info.hostName;
    this.inner.setEventProcessorHost(info);
  }

  storeExists(options?: OperationOptions): Promise<boolean> {
    return this.watch("storeExists", undefined, this.inner.storeExists(options));
  }

  ensureStore(options?: OperationOptions): Promise<void> {
    return this.watch("ensureStore", undefined, this.inner.ensureStore(options));
  }

  deleteStore(options?: OperationOptions): Promise<void> {
    return this.watch("deleteStore", undefined, this.inner.deleteStore(options));
  }

  async getLeases(options?: OperationOptions): Promise<LeaseMarker[]> {
    const leases = await this.watch("getLeases", undefined, this.inner.getLeases(options));
    const now = this.clock.now();
    for (const lease of leases) {
      this.tracker.observe(lease, now);
      this.lastSeen.set(lease.partitionId, lease);
    }
    return leases;
  }

  ensureLease(partitionId: string, options?: OperationOptions): Promise<LeaseMarker> {
    return this.watch("ensureLease", partitionId, this.inner.ensureLease(partitionId, options));
  }

  deleteLease(partitionId: string, options?: OperationOptions): Promise<void> {
    return this.watch("deleteLease", partitionId, this.inner.deleteLease(partitionId, options));
  }

  async acquireLease(partitionId: string, options?: AcquireLeaseOptions): Promise<LeaseMarker> {
    const seen = this.lastSeen.get(partitionId);
    const live =
      seen !== undefined &&
      seen.owner !== "" &&
      seen.owner !== this.hostName &&
      (options?.expectedVersion === undefined || options.expectedVersion === seen.version) &&
      !this.tracker.isFree(seen, this.clock.now());
    const lease = await this.watch("acquireLease", partitionId, this.inner.acquireLease(partitionId, options));
    if (live && seen) this.takenFrom.set(partitionId, seen.owner);
    else this.takenFrom.delete(partitionId);
    return lease;
  }

  renewLease(partitionId: string, options?: OperationOptions): Promise<LeaseMarker> {
    return this.watch("renewLease", partitionId, this.inner.renewLease(partitionId, options));
  }

  releaseLease(partitionId: string, options?: OperationOptions): Promise<void> {
    return this.watch("releaseLease", partitionId, this.inner.releaseLease(partitionId, options));
  }

  updateLease(partitionId: string, options?: OperationOptions): Promise<LeaseMarker> {
    return this.watch("updateLease", partitionId, this.inner.updateLease(partitionId, options));
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  private async watch<T>(operation: string, partitionId: string | undefined, call: Promise<T>): Promise<T> {
    try {
      return await call;
    } catch (error) {
      // Lost races are the protocol working, not failures.
      if (!isEphError(error, "LeaseLost") && !isEphError(error, "LeaseNotFound")) {
        this.onFailure(operation, partitionId, error);
      }
      throw error;
    }
  }
}
