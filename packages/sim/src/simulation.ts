import {
  Balancer,
  type Checkpointer,
  type HostInfo,
  isEphError,
  keepsHostRecords,
  type LeaseMarker,
  type Leaser,
  type LeaseUpkeep,
  type RandomSource,
} from "@eph/core";
import { ExpiryTracker, ManualClock, seededRandom } from "@eph/core/testing";
import { type CallCounter, FaultyLeaser, type StoreFaults } from "./faulty-leaser.js";
import { HostClock } from "./host-clock.js";

/** How a simulation makes stores: one shared backing store, one adapter instance per host. */
export interface SimStores {
  /** A new Leaser over the shared lease store. */
  leaser(): Leaser;
  /** A new Checkpointer over the shared checkpoint store. */
  checkpointer(): Checkpointer;
}

/** Parameters of one simulated run. */
export interface SimOptions {
  /** Seed of every random choice: the same seed replays the same run exactly. */
  seed: number;
  /** Store factory. */
  stores: () => SimStores;
  /** Partitions of the hub. Default: 4-40, from the seed. */
  partitions?: number;
  /** Hosts at the start. Default: 1-5, from the seed. */
  initialHosts?: number;
  /** Virtual ms of chaos before the quiet period. Default 120 000. */
  duration?: number;
  /** Lease timing (ms). Defaults: 6 000 / 1 000 / 1 000. */
  leaseDuration?: number;
  renewalInterval?: number;
  scanInterval?: number;
  /** Inject crashes, pauses, joins, leaves, restarts, store errors and latency, clock skew. Default true. */
  chaos?: boolean;
  /** How the hosts keep their leases alive. Default: the balancer's default. */
  leaseUpkeep?: LeaseUpkeep;
  /**
   * The deliberately broken variant: every host trusts another host's liveness record 1.5 x too long
   * (it sees it change for half a lease after it stopped). The invariants must catch it.
   */
  brokenObserver?: boolean;
}

/** What a run found. */
export interface SimResult {
  readonly seed: number;
  /** Invariant violations; empty when the run was correct. */
  readonly violations: string[];
  /** The membership and fault events that happened, with their virtual times. */
  readonly events: string[];
  /** Total store calls (lease store) over the run. */
  readonly calls: number;
  /** Lease acquisitions over the run. */
  readonly acquisitions: number;
}

const INFO: Omit<HostInfo, "hostName"> = {
  fullyQualifiedNamespace: "sim.servicebus.windows.net",
  eventHubName: "hub",
  consumerGroup: "$Default",
};

interface SimHost {
  readonly name: string;
  readonly clock: HostClock;
  readonly balancer: Balancer;
  readonly checkpointer: Checkpointer;
  /** Per owned partition: epoch, and the position it started from and when. */
  readonly owned: Map<string, { epoch: number; from: number; since: number }>;
  gone: boolean;
  /** When it started or last resumed (virtual time): it has listed the leases, and judged their expiry, since. */
  listsSince: number;
}

/**
 * Runs many hosts' balancers on one in-memory store in virtual time, with seeded faults, and checks the
 * invariants at every step:
 * - a partition taken as free or expired is never still processed by the holder of the epoch before;
 * - a partition is processed by two hosts at once only after a steal, for less than a lease duration,
 *   and only one of them holds the store's current epoch;
 * - a checkpoint from a deposed owner (older epoch than the fence) is never accepted;
 * - epochs never decrease; checkpoints never regress;
 * - while the store answers and some host runs, no partition stays without an owner for longer than one
 *   scan after it was released (two after its lease expired: each host judges expiry on its own clock,
 *   from when it could first list the lease: its start or resume, or the store answering again);
 * - the initial hosts, started 100 ms apart, are balanced within 2 scan intervals of the last start,
 *   and no partition moved more than once after its first claim;
 * - after the chaos stops, within a lease duration and a few scans every partition is owned by exactly
 *   one live host and the spread of ownership is at most one.
 */
export async function simulate(options: SimOptions): Promise<SimResult> {
  const random = seededRandom(options.seed);
  const chaos = options.chaos ?? true;
  const partitions = options.partitions ?? 4 + Math.floor(random() * 37);
  const initialHosts = options.initialHosts ?? 1 + Math.floor(random() * 5);
  const duration = options.duration ?? 120_000;
  const leaseDuration = options.leaseDuration ?? 6_000;
  const renewalInterval = options.renewalInterval ?? 1_000;
  const scanInterval = options.scanInterval ?? 1_000;
  const operationTimeout = Math.max(1, Math.floor(renewalInterval / 4));
  const ids = Array.from({ length: partitions }, (_, i) => String(i));
  const world = new ManualClock();
  const stores = options.stores();
  const observer = stores.leaser();
  observer.setEventProcessorHost({ ...INFO, hostName: "observer" });
  const observerCheckpoints = stores.checkpointer();
  observerCheckpoints.setEventProcessorHost({ ...INFO, hostName: "observer" });
  await observer.ensureStore();
  await observerCheckpoints.ensureStore();
  const faults: StoreFaults = { errorRate: 0, maxLatency: chaos ? 20 : 0 };
  const counter: CallCounter = { calls: 0 };
  const violations: string[] = [];
  const events: string[] = [];
  const hosts: SimHost[] = [];
  const fence = new Map<string, number>();
  const isolated = new Set<string>();
  let acquisitions = 0;
  let nameSeq = 0;
  const log = (e: string) => events.push(`${(world.now() / 1000).toFixed(1)}s ${e}`);
  const fail = (v: string) => {
    if (violations.length < 20) violations.push(`${(world.now() / 1000).toFixed(1)}s ${v}`);
  };

  const startHost = (name = `host-${nameSeq++}`) => {
    const skew = chaos ? (random() - 0.5) * 600_000 : 0; // +-5 minutes of wall-clock offset
    const rate = chaos ? 1 + (random() - 0.5) * 0.02 : 1; // +-1% drift
    const clock = new HostClock(world, skew, rate);
    const hostRandom: RandomSource = seededRandom(Math.floor(random() * 2 ** 31));
    const overtrust = options.brokenObserver ? leaseDuration / 2 : 0;
    const leaser = new FaultyLeaser(
      stores.leaser(),
      clock,
      faults,
      hostRandom,
      counter,
      () => isolated.has(name),
      overtrust,
    );
    leaser.setEventProcessorHost({ ...INFO, hostName: name });
    const checkpointer = stores.checkpointer();
    checkpointer.setEventProcessorHost({ ...INFO, hostName: name });
    const owned = new Map<string, { epoch: number; from: number; since: number }>();
    const host: SimHost = {
      name,
      clock,
      checkpointer,
      owned,
      gone: false,
      listsSince: world.now(),
      balancer: new Balancer({
        leaser,
        hostName: name,
        partitionIds: () => ids,
        leaseDuration,
        renewalInterval,
        scanInterval,
        ...(options.leaseUpkeep ? { leaseUpkeep: options.leaseUpkeep } : {}),
        clock,
        random: hostRandom,
        onFatal(error) {
          fail(`${name} stopped: ${error.code}: ${error.message}`);
        },
        async onAcquired({ partitionId, epoch, stolenFrom }) {
          acquisitions++;
          if (stolenFrom === "") {
            // Taken as free or expired: the holder of the epoch just before must already have stopped.
            // (Holders of older epochs were stolen from earlier; they are fenced and stop at their own
            // deadline; a late answer carrying an older epoch is the stale one.)
            for (const other of hosts) {
              const theirs = other.owned.get(partitionId)?.epoch ?? 0;
              if (other !== host && processing(other, partitionId) && theirs === epoch - 1) {
                fail(`${name} took expired partition ${partitionId} while ${other.name} still processed it`);
              }
            }
          }
          const cp = await checkpointer.ensureCheckpoint(partitionId, { epoch });
          fence.set(partitionId, Math.max(fence.get(partitionId) ?? 0, epoch));
          owned.set(partitionId, { epoch, from: cp?.sequenceNumber ?? 0, since: world.now() });
        },
        async onLost(partitionId, reason) {
          const o = owned.get(partitionId);
          owned.delete(partitionId);
          if (reason === "shutdown" && o) await writeCheckpoint(host, partitionId, o);
        },
      }),
    };
    hosts.push(host);
    host.balancer.start();
    log(`start ${name}`);
    return host;
  };

  const writeCheckpoint = async (
    host: SimHost,
    partitionId: string,
    o: { epoch: number; from: number; since: number },
  ) => {
    const sequenceNumber = o.from + Math.floor((world.now() - o.since) / 100);
    const fenceBefore = fence.get(partitionId) ?? 0;
    try {
      await host.checkpointer.updateCheckpoint(
        partitionId,
        { offset: String(sequenceNumber), sequenceNumber, enqueuedTime: new Date(0) },
        { epoch: o.epoch },
      );
      if (o.epoch < fenceBefore)
        fail(
          `${host.name} wrote a checkpoint of partition ${partitionId} with epoch ${o.epoch} after the fence rose to ${fenceBefore}`,
        );
    } catch (error) {
      if (!isEphError(error, "CheckpointFenced") && !isEphError(error, "CheckpointRegressed")) throw error;
    }
  };

  const live = () => hosts.filter((h) => !h.gone && h.clock.state !== "crashed");
  const processing = (h: SimHost, p: string) =>
    h.clock.state === "up" && !h.gone && h.balancer.isOwned(p) && h.owned.has(p);

  const lastEpoch = new Map<string, number>();
  const lastCheckpoint = new Map<string, number>();
  const overlapSince = new Map<string, number>();
  // After a steal the deposed owner learns of it at its next renewal or scan; if it is cut off from the
  // store it cannot learn, and stops at its local deadline (5/6 of the lease). Meanwhile its reads are
  // ended by the new owner's higher receiver epoch at the service and its checkpoints are fenced.
  const maxOverlap = leaseDuration + 250;

  const step = 250;
  // Unowned partitions: since when (observer's view), and whether released (owner "") or expired.
  const expiry = new ExpiryTracker(leaseDuration);
  const unowned = new Map<string, { since: number; released: boolean }>();
  let cleanSince: number | undefined;
  const checkUnowned = (p: string, lease: LeaseMarker | undefined) => {
    const now = world.now();
    if (!lease) return;
    expiry.observe(lease, now);
    const released = lease.owner === "";
    if (!released && !expiry.isFree(lease, now)) {
      unowned.delete(p);
      return;
    }
    const entry = unowned.get(p) ?? { since: now, released };
    unowned.set(p, entry);
    const clean = cleanSince;
    if (clean === undefined) return;
    const limit = (entry.released ? 1 : 2) * scanInterval + 2 * operationTimeout + step;
    // A host judges expiry a lease duration after it first saw the version, which it may only have
    // managed to list once the store answered again.
    const listingSince = Math.min(
      ...live()
        .filter((h) => h.clock.state === "up")
        .map((h) => Math.max(h.listsSince, clean)),
    );
    const from = entry.released ? clean : listingSince + leaseDuration;
    const waited = now - Math.max(entry.since, from);
    if (waited > limit) {
      fail(`partition ${p} ${entry.released ? "released" : "expired"} and unowned for ${waited} ms`);
      unowned.set(p, { since: now, released });
    }
  };
  const storeClean = () =>
    faults.errorRate === 0 &&
    faults.maxLatency <= operationTimeout / 2 &&
    isolated.size === 0 &&
    live().some((h) => h.clock.state === "up");

  const check = async () => {
    const listing = keepsHostRecords(observer)
      ? await observer.listLeasesAndHosts()
      : { leases: await observer.getLeases(), hosts: [] };
    for (const record of listing.hosts) expiry.observeHost(record, world.now());
    const leases = new Map<string, LeaseMarker>(listing.leases.map((l) => [l.partitionId, l]));
    if (!storeClean()) cleanSince = undefined;
    else cleanSince ??= world.now();
    for (const p of ids) {
      const lease = leases.get(p);
      checkUnowned(p, lease);
      if (lease) {
        if (lease.epoch < (lastEpoch.get(p) ?? 0)) fail(`epoch of partition ${p} went back to ${lease.epoch}`);
        lastEpoch.set(p, lease.epoch);
      }
      const cp = await observerCheckpoints.getCheckpoint(p);
      if (cp) {
        if (cp.sequenceNumber < (lastCheckpoint.get(p) ?? -1)) fail(`checkpoint of partition ${p} regressed`);
        lastCheckpoint.set(p, cp.sequenceNumber);
      }
      const readers = hosts.filter((h) => processing(h, p));
      if (readers.length > 1) {
        const current = readers.filter((h) => h.owned.get(p)?.epoch === lease?.epoch);
        if (current.length > 1) fail(`partition ${p} held at the current epoch by ${current.map((h) => h.name)}`);
        const since = overlapSince.get(p) ?? world.now();
        overlapSince.set(p, since);
        if (world.now() - since > maxOverlap) {
          fail(`partition ${p} processed by ${readers.map((h) => h.name).join(" and ")} for ${world.now() - since} ms`);
          overlapSince.set(p, world.now());
        }
      } else overlapSince.delete(p);
      for (const h of readers) {
        const o = h.owned.get(p);
        if (o) await writeCheckpoint(h, p, o);
      }
    }
  };

  // The fleet starts as a Deployment's pods do, 100 ms apart; before the chaos begins it must be
  // balanced within 2 scan intervals of the last start, no partition moved twice after its first claim.
  for (let i = 0; i < initialHosts; i++) world.setTimeout(() => startHost(), i * 100);
  const coldStartBy = (initialHosts - 1) * 100 + 2 * scanInterval + operationTimeout;
  let coldStartChecked = false;
  const checkColdStart = async () => {
    coldStartChecked = true;
    const leases = await observer.getLeases();
    const counts = live().map((h) => ids.filter((p) => processing(h, p)).length);
    const unowned = ids.filter((p) => !live().some((h) => processing(h, p)));
    if (unowned.length > 0 || Math.max(...counts) - Math.min(...counts) > 1) {
      fail(
        `cold start: not balanced ${coldStartBy} ms after the first start (${counts.join(" ")}, ${unowned.length} unread)`,
      );
    }
    const twice = leases.filter((l) => l.epoch > 2).map((l) => l.partitionId);
    if (twice.length > 0)
      fail(`cold start: partitions ${twice.join(", ")} moved more than once after their first claim`);
  };

  let nextEvent = chaos ? coldStartBy + 1_000 + random() * 10_000 : Number.POSITIVE_INFINITY;
  const paused: Array<{ host: SimHost; until: number }> = [];
  while (world.now() < duration) {
    await world.advance(step);
    for (const p of paused.splice(0)) {
      if (world.now() >= p.until) {
        p.host.clock.resume();
        p.host.listsSince = world.now();
        log(`resume ${p.host.name}`);
      } else paused.push(p);
    }
    if (world.now() >= nextEvent) {
      nextEvent = world.now() + 2_000 + random() * 15_000;
      const alive = live().filter((h) => h.clock.state === "up");
      const r = random();
      if (r < 0.2 || alive.length < 2) startHost();
      else if (r < 0.35) {
        const h = alive[Math.floor(random() * alive.length)]!;
        h.clock.crash();
        log(`crash ${h.name}`);
      } else if (r < 0.5) {
        const h = alive[Math.floor(random() * alive.length)]!;
        h.clock.pause();
        paused.push({ host: h, until: world.now() + leaseDuration * (1 + random()) });
        log(`pause ${h.name}`);
      } else if (r < 0.65) {
        const h = alive[Math.floor(random() * alive.length)]!;
        h.gone = true;
        void h.balancer.stop();
        log(`leave ${h.name}`);
      } else if (r < 0.7) {
        // Cut one running host off from the store for longer than a lease: it must stop on its own.
        const h = alive[Math.floor(random() * alive.length)]!;
        isolated.add(h.name);
        const until = world.now() + leaseDuration * (1 + random());
        world.setTimeout(() => isolated.delete(h.name), until - world.now());
        log(`isolate ${h.name}`);
      } else if (r < 0.75) {
        const h = alive[Math.floor(random() * alive.length)]!;
        h.gone = true;
        void h.balancer.stop().then(() => startHost(h.name));
        log(`restart ${h.name}`);
      } else if (r < 0.9) {
        faults.errorRate = random() < 0.5 ? 0 : random() * 0.3;
        faults.maxLatency = random() * operationTimeout * 1.5;
        log(
          `store faults: ${(faults.errorRate * 100).toFixed(0)}% errors, latency < ${faults.maxLatency.toFixed(0)} ms`,
        );
      } else {
        faults.errorRate = 1;
        log("store outage");
      }
    }
    await check();
    if (!coldStartChecked && world.now() >= coldStartBy) await checkColdStart();
  }

  // Quiet period: faults off, paused hosts resumed; everything must settle.
  faults.errorRate = 0;
  faults.maxLatency = 0;
  isolated.clear();
  for (const p of paused.splice(0)) {
    p.host.clock.resume();
    p.host.listsSince = world.now();
  }
  log("quiet");
  const settleBy = world.now() + leaseDuration + 4 * scanInterval + 2 * renewalInterval;
  while (world.now() < settleBy) {
    await world.advance(step);
    await check();
  }
  const up = live().filter((h) => h.clock.state === "up");
  const counts = up.map((h) => ids.filter((p) => processing(h, p)).length);
  for (const p of ids) {
    const readers = up.filter((h) => processing(h, p));
    if (readers.length !== 1) fail(`after the quiet period partition ${p} is processed by ${readers.length} hosts`);
  }
  if (counts.length && Math.max(...counts) - Math.min(...counts) > 1) {
    fail(`after the quiet period ownership is uneven: ${up.map((h, i) => `${h.name}=${counts[i]}`).join(" ")}`);
  }
  for (const h of hosts) h.clock.crash();
  return { seed: options.seed, violations, events, calls: counter.calls, acquisitions };
}
