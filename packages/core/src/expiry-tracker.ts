import type { LeaseMarker } from "./lease.js";

interface Observation {
  readonly version: string;
  readonly owner: string;
  /** When this observer first saw `version`, on its own monotonic clock. */
  readonly since: number;
}

/**
 * Judges lease expiry the way the Kinesis Client Library does: a lease is expired when its version has
 * not changed for `leaseDuration` of THIS observer's monotonic clock. No timestamp written by another
 * machine is ever read, so clock skew between hosts cannot cause a false expiry.
 *
 * Safety: the observer first sees a version only after its write completed, and the owner counts its
 * own deadline from before it sent that write, so the owner always gives up first.
 */
export class ExpiryTracker {
  private readonly seen = new Map<string, Observation>();

  /** Creates a tracker for leases of the given duration (ms). */
  constructor(private readonly leaseDuration: number) {}

  /** Records what a scan saw at time `now`. */
  observe(lease: LeaseMarker, now: number): void {
    const prev = this.seen.get(lease.partitionId);
    if (!prev || prev.version !== lease.version || prev.owner !== lease.owner) {
      this.seen.set(lease.partitionId, { version: lease.version, owner: lease.owner, since: now });
    }
  }

  /** True when nobody owns the lease, or its owner has not renewed it for a whole lease duration. */
  isFree(lease: LeaseMarker, now: number): boolean {
    if (lease.owner === "") return true;
    const obs = this.seen.get(lease.partitionId);
    return obs !== undefined && obs.version === lease.version && now - obs.since >= this.leaseDuration;
  }

  /** Since when (this observer's clock) the lease has been at the version last seen; `undefined` if not tracked. */
  unchangedSince(partitionId: string): number | undefined {
    return this.seen.get(partitionId)?.since;
  }

  /** When an owned, unchanged lease will count as expired, or `undefined` if not tracked or unowned. */
  expiresAt(partitionId: string): number | undefined {
    const obs = this.seen.get(partitionId);
    if (!obs || obs.owner === "") return undefined;
    return obs.since + this.leaseDuration;
  }
}
