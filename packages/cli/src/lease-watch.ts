import type { LeaseObservation } from "./status-table.js";

/**
 * Judges lease expiry the way hosts do: on this observer's own monotonic clock, by how long each
 * lease has shown no sign of life since this observer first saw it: neither its version nor its
 * owner's liveness record (heartbeat upkeep) changed. No clock of another machine
 * is read, so skew cannot fool it; the price is that a fresh observer needs a full lease duration of
 * watching before it can call a lease expired.
 */
export class LeaseWatch {
  private readonly seen = new Map<string, { version: string; liveness: string | undefined; since: number }>();

  constructor(
    private readonly leaseDurationMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Records the versions read now; returns what has been observed of each owned lease. */
  observe(
    leases: readonly {
      partitionId: string;
      leaseVersion: string | undefined;
      ownerLivenessVersion?: string | undefined;
    }[],
  ): Map<string, LeaseObservation> {
    const at = this.now();
    const result = new Map<string, LeaseObservation>();
    for (const { partitionId, leaseVersion, ownerLivenessVersion } of leases) {
      if (leaseVersion === undefined) {
        this.seen.delete(partitionId);
        continue;
      }
      // A vanished liveness record counts as unchanged: it stopped changing when it was last seen.
      const before = this.seen.get(partitionId);
      const liveness = ownerLivenessVersion ?? (before?.version === leaseVersion ? before.liveness : undefined);
      const same = before !== undefined && before.version === leaseVersion && before.liveness === liveness;
      const since = same ? before.since : at;
      this.seen.set(partitionId, { version: leaseVersion, liveness, since });
      const unchangedForMs = at - since;
      result.set(partitionId, { unchangedForMs, expired: unchangedForMs >= this.leaseDurationMs });
    }
    return result;
  }
}
