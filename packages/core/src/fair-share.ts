import { type RandomSource, shuffled } from "./random.js";

/** One lease as the planner sees it. */
export interface LeaseView {
  /** Partition of the lease. */
  readonly partitionId: string;
  /** Live owner, or `""` when the lease is free (never owned, released, or expired). */
  readonly owner: string;
  /** The lease's epoch (how often it was taken); hosts above quota give away the lowest first. */
  readonly epoch?: number;
}

/** A lease this host should try to take, and from whom (`""` when it is free). */
export interface Claim {
  /** Partition to take. */
  readonly partitionId: string;
  /** Current live owner, `""` if free: a non-empty value means the claim is a steal. */
  readonly from: string;
}

/**
 * What this host saw at its earlier scans, so that no free partition waits on a host that will not
 * take it. Optional: without it the plan depends on the snapshot alone.
 */
export interface ClaimHistory {
  /**
   * Free partitions whose owner at the last scan still holds other leases (it is closing, handing off
   * or its lease expired first): never handed back to that host, and taken by the others above their
   * quota when none of them is below it.
   */
  readonly releasedBy?: ReadonlyMap<string, string>;
  /** Free partitions an earlier routine scan saw free already: every host claims them, above quota if need be. */
  readonly overdue?: ReadonlySet<string>;
  /**
   * Hosts whose leases have not been renewed for longer than they should have been (crashed, paused
   * or cut off, their leases not yet expired): they keep their quota, but free partitions go to others.
   */
  readonly quiet?: ReadonlySet<string>;
}

/** What the planner decided for this host. */
export interface Plan {
  /** Number of live hosts counted, this one included. */
  readonly hosts: number;
  /** How many partitions this host should own: floor(P/H) or ceil(P/H). */
  readonly quota: number;
  /** Leases this host should take now. */
  readonly claims: Claim[];
  /** Every live host's quota, by name (for diagnostics and tests). */
  readonly quotas: ReadonlyMap<string, number>;
}

const byPartitionId = new Intl.Collator("en", { numeric: true }).compare;

/**
 * The fair-share rule. Every host runs it on the same snapshot and gets the same global assignment, so
 * hosts claim disjoint leases instead of racing for the same ones, and a partition moves at most once
 * per membership change.
 *
 * - Live hosts are the owners of live leases, plus this host (a joiner counts itself before it owns
 *   anything, so it is never starved).
 * - With P partitions and H hosts every host's quota is floor(P/H), and P mod H hosts get one more:
 *   first those already above floor(P/H) (current holders keep their extra partition, which is what
 *   keeps the assignment still at steady state), then the others by name.
 * - Free leases, then the surplus of hosts above quota (their least moved, i.e. lowest-epoch, leases,
 *   highest partition ids among equals), are handed to
 *   hosts below quota in name order.
 * - A free partition is never left to a host that will not take it (`history`): one released by a host
 *   that still holds others goes to another host, above its quota if every other host is at quota, and
 *   one still free at the next routine scan is claimed by every host; hosts whose leases went unrenewed
 *   (`quiet`) get none; a host at its floor takes a free partition that would only fill another host's
 *   extra slot. A partition without a reader is worse than an imbalance; ordinary moves restore the
 *   fair share later.
 * - A host that owns nothing yet is invisible to the others, and so are other joiners to it: joiners
 *   that start together would all compute the same claims. Given `random`, an invisible host picks its
 *   share at random from what the visible hosts leave, so simultaneous joiners mostly claim different
 *   leases.
 */
export function planClaims(
  me: string,
  leases: readonly LeaseView[],
  random?: RandomSource,
  history: ClaimHistory = {},
): Plan {
  const releasedBy = history.releasedBy ?? new Map<string, string>();
  const overdue = history.overdue ?? new Set<string>();
  const quiet = history.quiet ?? new Set<string>();
  const counts = new Map<string, string[]>([[me, []]]);
  const free: string[] = [];
  const epochs = new Map<string, number>();
  for (const lease of leases) {
    epochs.set(lease.partitionId, lease.epoch ?? 0);
    if (lease.owner === "") {
      free.push(lease.partitionId);
      continue;
    }
    const owned = counts.get(lease.owner);
    if (owned) owned.push(lease.partitionId);
    else counts.set(lease.owner, [lease.partitionId]);
  }
  const P = leases.length;
  const H = counts.size;
  const base = Math.floor(P / H);
  const extra = P % H;
  // The extra slots go first to hosts already above the floor (they keep them: no move), then by name.
  // Not by count among hosts at or below the floor: two hosts claiming at once would each see the other
  // ahead and leave the slot to it (sim seed 4982), so the ranking must not depend on claims in flight.
  const rank = (owned: readonly string[]) => (owned.length > base ? owned.length : 0);
  const ranked = [...counts.entries()].sort((a, b) => rank(b[1]) - rank(a[1]) || cmp(a[0], b[0]));
  const quotas = new Map<string, number>();
  ranked.forEach(([host], i) => {
    quotas.set(host, base + (i < extra ? 1 : 0));
  });

  const freeSorted = free.sort(byPartitionId);
  // Overdue partitions go to everyone (below); those released by a live host to anyone but that host.
  const released = freeSorted.filter((id) => !overdue.has(id) && releasedBy.has(id));
  const pool: Claim[] = freeSorted
    .filter((id) => !overdue.has(id) && !releasedBy.has(id))
    .map((partitionId) => ({ partitionId, from: "" }));
  for (const [host, owned] of ranked) {
    const surplus = owned.length - (quotas.get(host) ?? 0);
    if (surplus <= 0) continue;
    // The partitions that moved least (lowest epoch), highest ids among equals: a partition the fleet
    // already moved once is not moved again while another will do.
    const give = owned
      .sort((a, b) => (epochs.get(b) ?? 0) - (epochs.get(a) ?? 0) || byPartitionId(a, b))
      .slice(owned.length - surplus);
    for (const partitionId of give) pool.push({ partitionId, from: host });
  }

  const deficits = ranked
    .map(([host, owned]) => ({ host, need: (quotas.get(host) ?? 0) - owned.length }))
    .filter((d) => d.need > 0)
    .sort((a, b) => cmp(a.host, b.host));
  const invisible = random !== undefined && (counts.get(me)?.length ?? 0) === 0;
  let next = 0;
  let claims: Claim[] = [];
  const given = new Map<string, number>();
  const extraFree: Claim[] = [];
  for (const { host, need } of deficits) {
    if (host === me && invisible) continue;
    if (host !== me && quiet.has(host)) {
      // Its share of the free partitions goes to the others, like a released one (its steals wait).
      const share = pool.slice(next, next + need);
      next += share.length;
      for (const c of share) if (c.from === "") released.push(c.partitionId);
      continue;
    }
    const back = released.filter((id) => releasedBy.get(id) !== host).slice(0, need);
    for (const id of back) released.splice(released.indexOf(id), 1);
    const take = pool.slice(next, next + need - back.length);
    next += take.length;
    given.set(host, back.length + take.length);
    // A free partition filling another host's extra slot (it already has its floor) would wait for that
    // host's next scan: a host at its floor takes it now instead; the extra slot follows ownership.
    if (host !== me && (counts.get(host)?.length ?? 0) >= base) {
      for (const c of take) if (c.from === "") extraFree.push(c);
    }
    if (host === me) claims = [...back.map((partitionId) => ({ partitionId, from: "" })), ...take];
  }
  // Released partitions (and quiet hosts' shares) no host below quota took: one at a time to the
  // active host with the fewest (the releaser only when no other is left).
  const beyond: Claim[] = [];
  for (const partitionId of released) {
    const others = ranked.filter(([host]) => host !== releasedBy.get(partitionId) && (host === me || !quiet.has(host)));
    const to = (others.length > 0 ? others : ranked)
      .map(([host, owned]) => ({ host, load: owned.length + (given.get(host) ?? 0) }))
      .sort((a, b) => a.load - b.load || cmp(a.host, b.host))[0];
    if (!to) continue;
    given.set(to.host, (given.get(to.host) ?? 0) + 1);
    if (to.host === me) beyond.push({ partitionId, from: "" });
  }
  for (const partitionId of freeSorted) if (overdue.has(partitionId)) beyond.push({ partitionId, from: "" });
  const mineAfter = (counts.get(me)?.length ?? 0) + claims.length;
  if (!invisible && mineAfter <= base) beyond.push(...extraFree.slice(0, base + 1 - mineAfter));
  if (invisible) {
    // What the visible hosts leave: free leases, and each surplus host's remaining surplus, taken from
    // any of its leases rather than its highest ids, so that simultaneous joiners spread out.
    const left = pool.slice(next);
    const candidates: Claim[] = shuffled(
      left.filter((c) => c.from === ""),
      random,
    );
    const remaining = new Map<string, number>();
    for (const c of left) if (c.from !== "") remaining.set(c.from, (remaining.get(c.from) ?? 0) + 1);
    for (const [host, owned] of counts) {
      const n = remaining.get(host) ?? 0;
      if (n > 0)
        for (const partitionId of shuffled(owned, random).slice(0, n)) candidates.push({ partitionId, from: host });
    }
    claims = candidates.slice(0, quotas.get(me) ?? 0);
  }
  const seen = new Set<string>();
  const all = [...claims, ...beyond].filter((c) => !seen.has(c.partitionId) && seen.add(c.partitionId));
  return { hosts: H, quota: quotas.get(me) ?? 0, claims: all, quotas };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
