import { afterEach, describe, expect, it } from "vitest";
import { Balancer } from "../src/balancer.js";
import { ManualClock } from "../src/manual-clock.js";
import { seededRandom } from "../src/seeded-random.js";
import { hostLeaser, LeaseTable } from "./conditional-leaser.js";

// Issue 12 §2: a host that holds some leases but takes no more (it is closing, wedged, or its release
// of one lease failed) still counts as live, and the partitions it let go must not wait for it.
const ids = Array.from({ length: 32 }, (_, i) => String(i));
const timing = { leaseDuration: 60_000, renewalInterval: 1_000, scanInterval: 1_000 };

const running: Balancer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((b) => b.stop()));
});

function fleet(clock: ManualClock, table: LeaseTable, names: readonly string[]): Balancer[] {
  return names.map((hostName, i) => {
    const leaser = hostLeaser(table, hostName);
    const balancer = new Balancer({
      leaser,
      hostName,
      partitionIds: () => ids,
      ...timing,
      clock,
      random: seededRandom(i + 1),
    });
    running.push(balancer);
    return balancer;
  });
}

/** Host `s` without a balancer: it owns `partitionIds` in the table and renews them by hand. */
function hold(table: LeaseTable, owner: string, partitionIds: readonly string[]): void {
  for (const id of partitionIds) {
    const lease = table.ensure(id);
    table.replace(id, lease.version, lease.epoch + 1, owner);
  }
}

function renewAll(table: LeaseTable, owner: string): void {
  for (const lease of table.list())
    if (lease.owner === owner) table.replace(lease.partitionId, lease.version, lease.epoch, owner);
}

const ownersOf = (table: LeaseTable) => {
  const counts = new Map<string, number>();
  for (const lease of table.list()) counts.set(lease.owner, (counts.get(lease.owner) ?? 0) + 1);
  return counts;
};

describe("Balancer: no free partition waits for a host that will not take it", () => {
  it("partitions released by a host that still holds one lease are claimed within one scan", async () => {
    const clock = new ManualClock();
    const table = new LeaseTable(clock);
    hold(table, "s", ids.slice(0, 8));
    const hosts = fleet(clock, table, ["a", "b", "c"]);
    for (const b of hosts) b.start();
    for (let t = 0; t < 10; t++) {
      await clock.advance(timing.scanInterval);
      renewAll(table, "s");
    }
    // 4 hosts counted, quota 8: the fleet is balanced with s at 8.
    expect(ownersOf(table)).toEqual(
      new Map([
        ["s", 8],
        ["a", 8],
        ["b", 8],
        ["c", 8],
      ]),
    );

    // s lets 7 go and keeps one (its release failed, or it is still draining it).
    for (const id of ids.slice(1, 8)) {
      const lease = table.get(id);
      if (lease) table.replace(id, lease.version, lease.epoch, "");
    }
    await clock.advance(timing.scanInterval);
    renewAll(table, "s");
    const free = table.list().filter((l) => l.owner === "");
    expect(
      free.map((l) => l.partitionId),
      "free after one scan of every host",
    ).toEqual([]);
    expect(ownersOf(table).get("s")).toBe(1);
    const a = ownersOf(table);
    expect((a.get("a") ?? 0) + (a.get("b") ?? 0) + (a.get("c") ?? 0)).toBe(31);
  });

  it("a partition free for a whole scan interval is claimed even when its host has a place for it", async () => {
    const clock = new ManualClock();
    const table = new LeaseTable(clock);
    // s owns 1 of 32 and never claims: with 4 hosts counted the planner gives s a quota of 8, and
    // partitions that expire from nobody (never owned) would be left to it.
    hold(table, "s", ["0"]);
    const hosts = fleet(clock, table, ["a", "b", "c"]);
    for (const b of hosts) b.start();
    for (let t = 0; t < 3; t++) {
      await clock.advance(timing.scanInterval);
      renewAll(table, "s");
    }
    expect(
      table
        .list()
        .filter((l) => l.owner === "")
        .map((l) => l.partitionId),
    ).toEqual([]);
    expect(ownersOf(table).get("s")).toBe(1);
  });
});

describe("Balancer: a lease that expires during a scan", () => {
  it("takes a lease that expired while a scan was still acquiring at once, not a scan interval later", async () => {
    const clock = new ManualClock();
    const table = new LeaseTable(clock);
    // s crashed at 0 holding 8 leases: they expire for a 6 s after its first scan saw them. Meanwhile a
    // acquires the free ones, each answer arriving 3 s after its write, so a scan is still acquiring then.
    hold(table, "s", ids.slice(0, 8));
    const sentAt = new Map<string, number>();
    const leaser = hostLeaser(table, "a", (operation, partitionId) => {
      if (operation !== "acquireLease") return {};
      if (!sentAt.has(partitionId)) sentAt.set(partitionId, clock.now());
      return { answerDelay: 3000 };
    });
    const scans: { at: number; end: number }[] = [];
    const a = new Balancer({
      leaser,
      hostName: "a",
      partitionIds: () => ids,
      leaseDuration: 6000,
      renewalInterval: 1000,
      scanInterval: 1000,
      operationTimeout: 4000,
      clock,
      random: seededRandom(7),
      onScan: (report) => scans.push({ at: report.at, end: clock.now() }),
    });
    a.start();
    for (let t = 0; t < 200; t++) await clock.advance(100);
    const owners = ids.slice(0, 8).map((id) => table.get(id)?.owner);
    const stopped = a.stop();
    await clock.advance(4000);
    await stopped;

    const straddling = scans.find((s) => s.at < 6000 && s.end > 6000);
    expect(straddling, "a scan was acquiring when the leases expired").toBeDefined();
    expect(owners).toEqual(Array(8).fill("a"));
    // Claimed by a scan that starts as soon as the straddling one ends, not a scan interval later.
    const claimedAt = Math.min(...ids.slice(0, 8).map((id) => sentAt.get(id) ?? Number.POSITIVE_INFINITY));
    expect(claimedAt - (straddling?.end ?? 0)).toBeLessThan(50);
  });
});
