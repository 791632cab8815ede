import type { LeaseObservation } from "./status-table.js";

/**
 * Judges lease expiry the way hosts do: on this observer's own monotonic clock, by how long each
 * lease's version has stayed unchanged since this observer first saw it. No clock of another machine
 * is read, so skew cannot fool it; the price is that a fresh observer needs a full lease duration of
 * watching before it can call a lease expired.
 */
export class LeaseWatch {
  private readonly seen = new Map<string, { version: string; since: number }>();

  constructor(
    private readonly leaseDurationMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Records the versions read now; returns what has been observed of each owned lease. */
  observe(leases: readonly { partitionId: string; leaseVersion: string | undefined }[]): Map<string, LeaseObservation> {
    const at = this.now();
    const result = new Map<string, LeaseObservation>();
    for (const { partitionId, leaseVersion } of leases) {
      if (leaseVersion === undefined) {
        this.seen.delete(partitionId);
        continue;
      }
      const before = this.seen.get(partitionId);
      const since = before && before.version === leaseVersion ? before.since : at;
      this.seen.set(partitionId, { version: leaseVersion, since });
      const unchangedForMs = at - since;
      result.set(partitionId, { unchangedForMs, expired: unchangedForMs >= this.leaseDurationMs });
    }
    return result;
  }
}
