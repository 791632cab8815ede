import { afterEach, describe, expect, it } from "vitest";
import { Balancer } from "../src/balancer.js";
import type { BalancerOptions, LossReason, OwnedPartition } from "../src/balancer-options.js";
import { resolveTiming } from "../src/balancer-options.js";
import type { EphError } from "../src/errors.js";
import { encodeLease } from "../src/lease-codec.js";
import { ManualClock } from "../src/manual-clock.js";
import { seededRandom } from "../src/seeded-random.js";
import type { Leaser } from "../src/store.js";
import { type RecordCallPlanner, RecordTable, recordLeaser } from "./record-table.js";

const timing = { leaseDuration: 6_000, renewalInterval: 1_000, scanInterval: 1_000 };
const ids = (n: number) => Array.from({ length: n }, (_, i) => String(i));

interface Host {
  readonly name: string;
  readonly balancer: Balancer;
  readonly acquired: Array<OwnedPartition & { readonly at: number }>;
  readonly lost: Array<{ partitionId: string; reason: LossReason; at: number }>;
  readonly fatal: EphError[];
}

const running: Balancer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((b) => b.stop()));
});

function host(
  clock: ManualClock,
  table: RecordTable,
  name: string,
  partitions: number,
  extra: Partial<BalancerOptions> & { plan?: RecordCallPlanner; seed?: number; leaser?: Leaser } = {},
): Host {
  const { plan, seed = 1, leaser = recordLeaser(table, clock, name, plan), ...options } = extra;
  const h: Host = { name, balancer: undefined as unknown as Balancer, acquired: [], lost: [], fatal: [] };
  const balancer = new Balancer({
    leaser,
    hostName: name,
    partitionIds: () => ids(partitions),
    ...timing,
    leaseUpkeep: "heartbeat",
    clock,
    random: seededRandom(seed),
    onAcquired: (p) => {
      h.acquired.push({ ...p, at: clock.now() });
    },
    onLost: (partitionId, reason) => {
      h.lost.push({ partitionId, reason, at: clock.now() });
    },
    onFatal: (error) => {
      h.fatal.push(error);
    },
    ...options,
  });
  running.push(balancer);
  return Object.assign(h, { balancer });
}

const owned = (h: Host) => h.balancer.ownedPartitions().map((p) => p.partitionId);

describe("Balancer, heartbeat upkeep: one liveness record per host", () => {
  it("rewrites the host's liveness record once per renewal interval and never the leases it holds", async () => {
    const clock = new ManualClock();
    const table = new RecordTable();
    const a = host(clock, table, "a", 8);
    a.balancer.start();
    await clock.advance(2_000);
    expect(owned(a)).toHaveLength(8);
    const leaseWrites = table.writes.lease;
    const hostWrites = table.writes.host;
    await clock.advance(10 * timing.renewalInterval);
    expect(table.writes.lease - leaseWrites).toBe(0);
    expect(table.writes.host - hostWrites).toBe(10);
    expect(owned(a)).toHaveLength(8);
    expect(a.balancer.leaseUpkeep).toBe("heartbeat");
  });

  it("stops every partition when its liveness writes fail, before any other host can take one", async () => {
    const clock = new ManualClock();
    const table = new RecordTable();
    let cut = false;
    const a = host(clock, table, "a", 4, { plan: () => ({ fail: cut }) });
    a.balancer.start();
    await clock.advance(2_000);
    const b = host(clock, table, "b", 4, { seed: 2 });
    b.balancer.start();
    await clock.advance(3_000);
    expect(owned(a).length + owned(b).length).toBe(4);
    const held = owned(a);
    expect(held.length).toBeGreaterThan(0);
    cut = true;
    const cutAt = clock.now();
    await clock.advance(3 * timing.leaseDuration);
    expect(owned(a)).toEqual([]);
    expect(owned(b)).toHaveLength(4);
    const stops = a.lost.filter((l) => l.at >= cutAt);
    expect(stops.map((l) => l.reason)).toEqual(held.map(() => "expired"));
    const takes = b.acquired.filter((p) => p.at >= cutAt);
    expect(takes.map((p) => p.partitionId).sort()).toEqual([...held].sort());
    // b took them as expired, a lease duration after it last saw a's record change: a had stopped.
    expect(takes.every((p) => p.stolenFrom === "")).toBe(true);
    expect(Math.max(...stops.map((l) => l.at))).toBeLessThan(Math.min(...takes.map((p) => p.at)));
    expect(Math.min(...takes.map((p) => p.at)) - cutAt).toBeLessThanOrEqual(
      timing.leaseDuration + 2 * timing.scanInterval,
    );
  });

  it("stops its partitions at its deadline even when its timers fire a little early", async () => {
    const clock = new ManualClock();
    // Node's timers run on whole milliseconds of the loop's time: one can fire a fraction of a
    // millisecond before the deadline it was set for, and none fires in less than 1 ms.
    const early = {
      now: () => clock.now(),
      setTimeout: (callback: () => void, ms: number) => clock.setTimeout(callback, ms >= 1 ? ms - 0.5 : 1),
      clearTimeout: (handle: Parameters<ManualClock["clearTimeout"]>[0]) => clock.clearTimeout(handle),
    };
    const table = new RecordTable();
    let cut = false;
    const a = host(clock, table, "a", 2, { plan: () => ({ fail: cut }), clock: early });
    a.balancer.start();
    await clock.advance(3_000);
    expect(owned(a)).toHaveLength(2);
    cut = true;
    const cutAt = clock.now();
    await clock.advance(timing.leaseDuration);
    expect(owned(a)).toEqual([]);
    expect(a.lost.map((l) => l.reason)).toEqual(["expired", "expired"]);
    expect(Math.max(...a.lost.map((l) => l.at)) - cutAt).toBeLessThan(timing.leaseDuration);
  });

  it("keeps its partitions through one liveness write that never answers: it is cut short and retried", async () => {
    const clock = new ManualClock();
    const table = new RecordTable();
    let hostCalls = 0;
    const a = host(clock, table, "a", 4, {
      plan: (method, kind) => (kind === "host" && method === "replace" && ++hostCalls === 3 ? { delay: 60_000 } : {}),
    });
    a.balancer.start();
    await clock.advance(4 * timing.leaseDuration);
    expect(owned(a)).toHaveLength(4);
    expect(a.lost).toEqual([]);
    expect(hostCalls).toBeGreaterThan(3);
  });

  it("counts itself alive from the send of a liveness write that landed, not of a retry that found it", async () => {
    const clock = new ManualClock();
    const table = new RecordTable();
    // A beat lands but its answer is lost, and so is the read that would tell; its retries fail for
    // 2.5 s (listings still answer); the next one finds the record changed and reads it; then the host
    // is cut off.
    let phase: "fine" | "lose" | "failing" | "found" | "cut" = "fine";
    let landedAt = Number.NaN;
    const a = host(clock, table, "a", 2, {
      plan: (method, kind) => {
        if (phase === "cut") return { fail: true };
        if (kind !== "host") return {};
        if (phase === "found" && method === "read") phase = "cut";
        if (phase === "lose" && method === "replace") {
          phase = "failing";
          landedAt = clock.now();
          return { lose: true };
        }
        if (phase === "failing") {
          // The read that would tell the lost beat landed fails too.
          if (clock.now() - landedAt < 2_500) return { fail: true };
          if (method === "replace") phase = "found";
        }
        return {};
      },
    });
    a.balancer.start();
    await clock.advance(3_000);
    expect(owned(a)).toHaveLength(2);
    phase = "lose";
    await clock.advance(4_000);
    expect(phase).toBe("cut");
    // Observers saw the record change last when the lost beat landed: they may take the leases a lease
    // duration after that, so by then the host must have stopped.
    await clock.runUntil(landedAt + timing.leaseDuration);
    expect(owned(a)).toEqual([]);
  });

  it("keeps every lease it claims through a slow store: a long scan stops claiming and lists again", async () => {
    const clock = new ManualClock();
    const table = new RecordTable();
    // 64 acquisitions of 300 ms, 2 at a time: claiming them all in one scan would take 9.6 s, longer
    // than the first leases are trusted without a listing that shows them ours.
    const a = host(clock, table, "a", 64, {
      maxConcurrentCalls: 2,
      plan: (method, kind) => (kind === "lease" && method === "replace" ? { delay: 300 } : {}),
    });
    a.balancer.start();
    await clock.advance(20_000);
    expect(owned(a)).toHaveLength(64);
    expect(a.lost).toEqual([]);
    const stopping = a.balancer.stop(); // the releases take virtual time too
    await clock.advance(30_000);
    await stopping;
  });

  it("refuses with DuplicateHost when a second live process uses the same host name", async () => {
    const clock = new ManualClock();
    const table = new RecordTable();
    const first = host(clock, table, "a", 4, { seed: 1 });
    first.balancer.start();
    await clock.advance(2_000);
    const second = host(clock, table, "a", 4, { seed: 2 });
    expect(second.balancer.instance).not.toBe(first.balancer.instance);
    second.balancer.start();
    await clock.advance(2 * timing.leaseDuration);
    expect(second.fatal.map((e) => e.code)).toEqual(["DuplicateHost"]);
    expect(second.fatal[0]?.message).toContain('"a"');
    expect(second.acquired).toEqual([]);
    expect(first.fatal).toEqual([]);
    expect(owned(first)).toHaveLength(4);
    expect(first.lost).toEqual([]);
  });

  it("takes over its name's record from a crashed earlier life within two renewal intervals, not a lease duration", async () => {
    const clock = new ManualClock();
    const table = new RecordTable();
    let dead = false;
    const first = host(clock, table, "a", 4, { seed: 1, plan: () => ({ fail: dead }) });
    first.balancer.start();
    await clock.advance(2_000);
    expect(owned(first)).toHaveLength(4);
    dead = true; // a crash: nothing is released, the record stays
    const restartedAt = clock.now();
    const restarted = host(clock, table, "a", 4, { seed: 2 });
    restarted.balancer.start();
    // Two renewal intervals and an operation deadline of silence, then at most one scan to claim.
    const wait = Math.min(timing.leaseDuration, 2 * timing.renewalInterval + resolveTiming(timing).operationTimeout);
    expect(wait).toBeLessThan(timing.leaseDuration);
    await clock.runUntil(restartedAt + wait + 2 * timing.scanInterval);
    expect(restarted.fatal).toEqual([]);
    expect(owned(restarted)).toHaveLength(4);
    expect(Math.max(...restarted.acquired.map((p) => p.at)) - restartedAt).toBeLessThan(timing.leaseDuration);
  });

  it("leaves no lease naming it that it does not hold: such a lease is claimed or released within a few scans", async () => {
    const clock = new ManualClock();
    const table = new RecordTable();
    const a = host(clock, table, "a", 4, { seed: 1 });
    const b = host(clock, table, "b", 4, { seed: 2 });
    a.balancer.start();
    b.balancer.start();
    await clock.advance(20_000);
    const theirs = owned(b)[0]!;
    // A stale write names a (an acquire whose answer was lost, an earlier life under the same name).
    const record = table.records.get(`lease/${theirs}`)!;
    table.put("lease", theirs, encodeLease(Number(record.fields.epoch) + 1, "a"));
    await clock.advance(5 * timing.scanInterval + 2 * timing.renewalInterval);
    for (const id of ids(4)) {
      const owner = table.records.get(`lease/${id}`)?.fields.owner;
      const holders = [a, b].filter((h) => owned(h).includes(id)).map((h) => h.name);
      expect(holders, `partition ${id}`).toEqual([owner]);
    }
    expect([owned(a).length, owned(b).length]).toEqual([2, 2]);
  });

  it("renews its leases one by one while a host that renews per partition shares the consumer group", async () => {
    const clock = new ManualClock();
    const table = new RecordTable();
    const a = host(clock, table, "a", 4, {
      seed: 1,
      logger: { error: console.log, warning: console.log, info: console.log, verbose: console.log },
    });
    a.balancer.start();
    await clock.advance(2_000);
    expect(owned(a)).toHaveLength(4);
    // An older eph: its leaser keeps no host records, so it judges leases by their own versions.
    const full = recordLeaser(table, clock, "old");
    const older: Leaser = {
      setEventProcessorHost: (info) => full.setEventProcessorHost(info),
      storeExists: (o) => full.storeExists(o),
      ensureStore: (o) => full.ensureStore(o),
      deleteStore: (o) => full.deleteStore(o),
      getLeases: (o) => full.getLeases(o),
      ensureLease: (p, o) => full.ensureLease(p, o),
      deleteLease: (p, o) => full.deleteLease(p, o),
      acquireLease: (p, o) => full.acquireLease(p, o),
      renewLease: (p, o) => full.renewLease(p, o),
      releaseLease: (p, o) => full.releaseLease(p, o),
      updateLease: (p, o) => full.updateLease(p, o),
      close: () => full.close(),
    };
    const old = host(clock, table, "old", 4, { seed: 2, leaser: older });
    expect(old.balancer.leaseUpkeep).toBe("perPartition");
    old.balancer.start();
    await clock.advance(5 * timing.leaseDuration);
    // Fair share moved two partitions from a live a, and none was taken from a as expired.
    expect(owned(a)).toHaveLength(2);
    expect(owned(old)).toHaveLength(2);
    expect(old.acquired.every((p) => p.stolenFrom === "a")).toBe(true);
    expect(a.lost.every((l) => l.reason === "stolen")).toBe(true);
    expect(a.lost).toHaveLength(2);
  });

  it("describes leaseUpkeep once: default, and InvalidOption naming a bad value", () => {
    expect(resolveTiming({}).leaseUpkeep).toBe("heartbeat");
    expect(resolveTiming({ leaseUpkeep: "perPartition" }).leaseUpkeep).toBe("perPartition");
    expect(() => resolveTiming({ leaseUpkeep: "pulse" as never })).toThrow(/leaseUpkeep.*"pulse"/);
  });
});
