import type { HostRecord } from "./host-record.js";
import type { LeaseMarker } from "./lease.js";

interface Observation {
  readonly version: string;
  readonly owner: string;
  readonly epoch: number;
  /** When this observer first saw `version`, on its own monotonic clock. */
  readonly since: number;
}

/**
 * Judges lease expiry the way the Kinesis Client Library does: a lease is expired when it has not
 * changed for `leaseDuration` of THIS observer's monotonic clock. No timestamp written by another
 * machine is ever read, so clock skew between hosts cannot cause a false expiry.
 *
 * With heartbeat upkeep a lease changes only with its owner, and the owner's liveness record changes
 * instead: the lease counts as alive while either changed within the lease duration. An owner judges
 * its own deadline from the later of its acquisition and its last liveness write, so it stops first.
 * A host record that vanished (a deleted store, an operator) keeps its last observation: it stopped
 * changing when it was last seen to change.
 *
 * Safety: the observer first sees a version only after its write completed, and the owner counts its
 * own deadline from before it sent that write, so the owner always gives up first.
 */
export class ExpiryTracker {
  private readonly seen = new Map<string, Observation>();
  private readonly hosts = new Map<string, { readonly version: string; readonly since: number }>();

  /** Creates a tracker for leases of the given duration (ms). */
  constructor(private readonly leaseDuration: number) {}

  /**
   * Records what a scan saw at time `now`. True when it is a renewal: the same owner at the same epoch
   * with a new version (what per-partition upkeep writes, and heartbeat upkeep never does).
   */
  observe(lease: LeaseMarker, now: number): boolean {
    const prev = this.seen.get(lease.partitionId);
    if (!prev || prev.version !== lease.version || prev.owner !== lease.owner) {
      this.seen.set(lease.partitionId, { version: lease.version, owner: lease.owner, epoch: lease.epoch, since: now });
    }
    return (
      prev !== undefined &&
      lease.owner !== "" &&
      prev.owner === lease.owner &&
      prev.epoch === lease.epoch &&
      prev.version !== lease.version
    );
  }

  /** Records a host liveness record a scan saw at time `now`. */
  observeHost(record: HostRecord, now: number): void {
    const prev = this.hosts.get(record.hostName);
    if (prev?.version !== record.version) this.hosts.set(record.hostName, { version: record.version, since: now });
  }

  /** True when this observer has seen a liveness record of the host (it keeps its leases alive by heartbeats). */
  hasHost(hostName: string): boolean {
    return this.hosts.has(hostName);
  }

  /**
   * Forgets host records not listed at `now` that stopped changing a lease duration ago, so the map
   * stays bounded: their leases had expired already, and still have.
   */
  forgetHosts(listed: ReadonlySet<string>, now: number): void {
    for (const [name, obs] of this.hosts) {
      if (!listed.has(name) && now - obs.since >= this.leaseDuration) this.hosts.delete(name);
    }
  }

  /** True when nobody owns the lease, or neither it nor its owner's liveness record changed for a whole lease duration. */
  isFree(lease: LeaseMarker, now: number): boolean {
    if (lease.owner === "") return true;
    const obs = this.seen.get(lease.partitionId);
    if (obs === undefined || obs.version !== lease.version || obs.owner !== lease.owner) return false;
    const since = this.unchangedSince(lease.partitionId);
    return since !== undefined && now - since >= this.leaseDuration;
  }

  /**
   * Since when (this observer's clock) the lease has shown no sign of life: the later of when its
   * version and its owner's liveness record were first seen; `undefined` if not tracked.
   */
  unchangedSince(partitionId: string): number | undefined {
    const obs = this.seen.get(partitionId);
    if (obs === undefined) return undefined;
    const host = obs.owner === "" ? undefined : this.hosts.get(obs.owner);
    return host === undefined ? obs.since : Math.max(obs.since, host.since);
  }

  /** When an owned, unchanged lease will count as expired, or `undefined` if not tracked or unowned. */
  expiresAt(partitionId: string): number | undefined {
    const obs = this.seen.get(partitionId);
    if (!obs || obs.owner === "") return undefined;
    return (this.unchangedSince(partitionId) ?? obs.since) + this.leaseDuration;
  }
}
