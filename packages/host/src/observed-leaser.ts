import {
  type AcquireLeaseOptions,
  type HostInfo,
  type HostRecordContent,
  type HostRecordWrite,
  isEphError,
  keepsHostRecords,
  type LeaseListing,
  type LeaseMarker,
  type Leaser,
  type OperationOptions,
} from "@eph/core";

/** Times lease renewals (for metrics). */
export interface RenewalTimer {
  /** Monotonic time (ms). */
  now(): number;
  /** A renewal of `partitionId` (`undefined`: of the host's liveness record) ended after `durationMs`. */
  record(partitionId: string | undefined, durationMs: number, ok: boolean): void;
}

/**
 * The user's Leaser as the balancer sees it, reporting every failed store call (lost races excepted) so
 * users can see a store outage through the host's error callback, and every completed release (so a
 * close can say which leases it did not get to release).
 */
export class ObservedLeaser implements Leaser {
  /** Present when the user's Leaser keeps host liveness records (heartbeat upkeep). */
  readonly listLeasesAndHosts?: (options?: OperationOptions) => Promise<LeaseListing>;
  /** Present when the user's Leaser keeps host liveness records. */
  readonly writeHostRecord?: (
    content: HostRecordContent,
    expectedVersion: string | undefined,
    options?: OperationOptions,
  ) => Promise<HostRecordWrite>;
  /** Present when the user's Leaser keeps host liveness records. */
  readonly deleteHostRecord?: (expectedVersion: string | undefined, options?: OperationOptions) => Promise<void>;

  constructor(
    private readonly inner: Leaser,
    private readonly onFailure: (operation: string, partitionId: string | undefined, error: unknown) => void,
    private readonly onReleased: (partitionId: string) => void = () => undefined,
    private readonly onRenewal?: RenewalTimer,
  ) {
    // Only what the user's Leaser has: the balancer keeps per-partition upkeep for one without them.
    if (keepsHostRecords(inner)) {
      this.listLeasesAndHosts = (options) =>
        this.watch("listLeasesAndHosts", undefined, inner.listLeasesAndHosts(options));
      this.writeHostRecord = (content, expectedVersion, options) =>
        this.timed(
          undefined,
          this.watch("writeHostRecord", undefined, inner.writeHostRecord(content, expectedVersion, options)),
        );
      this.deleteHostRecord = (expectedVersion, options) =>
        this.watch("deleteHostRecord", undefined, inner.deleteHostRecord(expectedVersion, options));
    }
  }

  setEventProcessorHost(info: HostInfo): void {
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

  getLeases(options?: OperationOptions): Promise<LeaseMarker[]> {
    return this.watch("getLeases", undefined, this.inner.getLeases(options));
  }

  ensureLease(partitionId: string, options?: OperationOptions): Promise<LeaseMarker> {
    return this.watch("ensureLease", partitionId, this.inner.ensureLease(partitionId, options));
  }

  deleteLease(partitionId: string, options?: OperationOptions): Promise<void> {
    return this.watch("deleteLease", partitionId, this.inner.deleteLease(partitionId, options));
  }

  acquireLease(partitionId: string, options?: AcquireLeaseOptions): Promise<LeaseMarker> {
    return this.watch("acquireLease", partitionId, this.inner.acquireLease(partitionId, options));
  }

  renewLease(partitionId: string, options?: OperationOptions): Promise<LeaseMarker> {
    return this.timed(partitionId, this.watch("renewLease", partitionId, this.inner.renewLease(partitionId, options)));
  }

  /** Reports how long a renewal (a lease's, or the liveness record's) took. */
  private timed<T>(partitionId: string | undefined, call: Promise<T>): Promise<T> {
    const timer = this.onRenewal;
    if (timer === undefined) return call;
    const started = timer.now();
    return call.then(
      (result) => {
        timer.record(partitionId, timer.now() - started, true);
        return result;
      },
      (error: unknown) => {
        timer.record(partitionId, timer.now() - started, false);
        throw error;
      },
    );
  }

  releaseLease(partitionId: string, options?: OperationOptions): Promise<void> {
    return this.watch("releaseLease", partitionId, this.inner.releaseLease(partitionId, options)).then(() =>
      this.onReleased(partitionId),
    );
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
