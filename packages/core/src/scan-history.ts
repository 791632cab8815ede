import type { ClaimHistory, LeaseView } from "./fair-share.js";

/** The timing the history needs (ms). */
export interface ScanHistoryTiming {
  readonly renewalInterval: number;
  readonly scanInterval: number;
}

/**
 * What one host remembers from scan to scan so that no free partition waits on a host that will not
 * take it (the planner's {@link ClaimHistory}): who owned each partition at the last scan, since when
 * each free partition has been free, and which owners have stopped renewing.
 */
export class ScanHistory {
  readonly #lastOwners = new Map<string, string>();
  readonly #freeSince = new Map<string, number>();

  /**
   * @param timing - renewal and scan intervals.
   * @param unchangedSince - since when a lease has been at its current version (the expiry tracker's
   *   observations, on this host's clock).
   */
  constructor(
    private readonly timing: ScanHistoryTiming,
    private readonly unchangedSince: (partitionId: string) => number | undefined,
  ) {}

  /**
   * Records a scan's views at `now` and returns the history for its plan. `ownsNothing`: this host
   * holds no lease, so it claims one and looks again after the announce pause; what it saw free before
   * that pause is not yet overdue (a fleet started together is still claiming).
   */
  observe(me: string, views: readonly LeaseView[], now: number, ownsNothing: boolean): ClaimHistory {
    const owning = new Set(views.map((v) => v.owner).filter((owner) => owner !== ""));
    // An owner renews each lease once per renewal interval: one none of whose leases changed for longer
    // than an interval and a scan (as seen from here) is not claiming either.
    const activeAt = new Map<string, number>();
    for (const { partitionId, owner } of views) {
      if (owner === "" || owner === me) continue;
      const since = this.unchangedSince(partitionId) ?? now;
      activeAt.set(owner, Math.max(activeAt.get(owner) ?? since, since));
    }
    const quiet = new Set<string>();
    const limit = this.timing.renewalInterval + this.timing.scanInterval;
    for (const [owner, at] of activeAt) if (now - at > limit) quiet.add(owner);

    const releasedBy = new Map<string, string>();
    const overdue = new Set<string>();
    for (const { partitionId, owner } of views) {
      if (owner !== "") {
        this.#freeSince.delete(partitionId);
        continue;
      }
      const since = this.#freeSince.get(partitionId) ?? now;
      this.#freeSince.set(partitionId, since);
      // Half an interval: an earlier routine scan saw it free (scans come every 0.8-1 interval), a quick
      // rescan after a first claim did not.
      if (now - since >= this.timing.scanInterval / 2) overdue.add(partitionId);
      const before = this.#lastOwners.get(partitionId);
      if (before !== undefined && before !== "" && owning.has(before)) releasedBy.set(partitionId, before);
    }
    this.#lastOwners.clear();
    for (const v of views) this.#lastOwners.set(v.partitionId, v.owner);
    if (ownsNothing) this.#freeSince.clear();
    return { releasedBy, overdue, quiet };
  }
}
