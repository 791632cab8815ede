/**
 * A partition lease as a store holds it. The seed's `LeaseMarker`, with Go getters as read-only
 * properties.
 *
 * Expiry is not a property of the record: whether a lease is still alive is judged by each observer on
 * its own monotonic clock from how long `version` has stayed unchanged (see `ExpiryTracker`), so no two
 * machines' clocks are ever compared.
 */
export interface LeaseMarker {
  /** The partition this lease is for. */
  readonly partitionId: string;
  /** Fencing token: strictly increases with every change of owner. Never 0 once owned. */
  readonly epoch: number;
  /** Name of the owning host; `""` when nobody owns it (never claimed, or released). */
  readonly owner: string;
  /**
   * Opaque token that changes on every write of the record (an ETag in Azure Storage). Acquire, renew
   * and release are conditional on it.
   */
  readonly version: string;
}

/** The seed's `Lease`: a plain lease value. */
export class Lease implements LeaseMarker {
  /** The partition this lease is for. */
  readonly partitionId: string;
  /** Fencing token. */
  epoch: number;
  /** Owning host, or `""`. */
  owner: string;
  /** Opaque version of the stored record. */
  version: string;

  /** Creates a lease value. */
  constructor(init: { partitionId: string; epoch?: number; owner?: string; version?: string }) {
    this.partitionId = init.partitionId;
    this.epoch = init.epoch ?? 0;
    this.owner = init.owner ?? "";
    this.version = init.version ?? "";
  }

  /** Increments the epoch by one and returns the new value (the seed's `IncrementEpoch`). */
  incrementEpoch(): number {
    this.epoch += 1;
    return this.epoch;
  }

  /** True when a host owns the lease (it may still have expired in an observer's eyes). */
  isOwned(): boolean {
    return this.owner !== "";
  }

  /** A short description for logs, e.g. `partition 3 owned by host-a at epoch 7`. */
  toString(): string {
    return `partition ${this.partitionId} ${this.owner ? `owned by ${this.owner}` : "unowned"} at epoch ${this.epoch}`;
  }
}

/** Copies any {@link LeaseMarker} into a {@link Lease}. */
export function toLease(marker: LeaseMarker): Lease {
  return new Lease(marker);
}
