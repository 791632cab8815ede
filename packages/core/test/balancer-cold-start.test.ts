import { afterEach, describe, expect, it } from "vitest";
import { Balancer } from "../src/balancer.js";
import { ManualClock } from "../src/manual-clock.js";
import { seededRandom } from "../src/seeded-random.js";
import { hostLeaser, LeaseTable } from "./conditional-leaser.js";

// Issue 12 §3: 4 hosts started 100 ms apart, 1 s intervals, 6 s lease, 32 partitions.
const ids = Array.from({ length: 32 }, (_, i) => String(i));
const timing = { leaseDuration: 6_000, renewalInterval: 1_000, scanInterval: 1_000 };

const running: Balancer[] = [];
let clock = new ManualClock();
afterEach(async () => {
  // Releases answer on the virtual clock: advance it while the hosts stop.
  let done = false;
  const stopping = Promise.all(running.splice(0).map((b) => b.stop())).then(() => {
    done = true;
  });
  for (let i = 0; i < 100 && !done; i++) await clock.advance(50);
  await stopping;
});

function host(table: LeaseTable, hostName: string, seed: number, calls: string[] = []): Balancer {
  // Every store call answers 20 ms after it lands, as a nearby store does.
  const leaser = hostLeaser(table, hostName, (operation) => {
    calls.push(operation);
    return { answerDelay: 20 };
  });
  const balancer = new Balancer({
    leaser,
    hostName,
    partitionIds: () => ids,
    ...timing,
    clock,
    random: seededRandom(seed),
  });
  running.push(balancer);
  return balancer;
}

describe("Balancer: cold start of a fleet", () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8])(
    "4 hosts started 100 ms apart are balanced within 2 intervals, no partition moved twice (seed %i)",
    async (seed) => {
      clock = new ManualClock();
      const table = new LeaseTable(clock);
      const hosts = ["a", "b", "c", "d"].map((name, i) => host(table, name, seed * 10 + i));
      for (const b of hosts) {
        b.start();
        await clock.advance(100);
      }
      const lastStart = clock.now() - 100;
      let balancedAt: number | undefined;
      while (clock.now() < lastStart + 4 * timing.scanInterval) {
        await clock.advance(50);
        const counts = hosts.map((b) => b.ownedPartitions().length);
        const balanced = counts.every((n) => n === 8);
        if (balanced && balancedAt === undefined) balancedAt = clock.now();
        if (!balanced) balancedAt = undefined;
      }
      expect(balancedAt, "balanced and still").toBeDefined();
      expect((balancedAt ?? Number.NaN) - lastStart).toBeLessThanOrEqual(2 * timing.scanInterval);
      // Epoch 1 is the first claim; each move adds one.
      const moves = table.list().map((l) => l.epoch - 1);
      expect(Math.max(...moves), "moves of the most moved partition").toBeLessThanOrEqual(1);
    },
  );

  it("on a new store, creates only the leases it claims: the first claim waits for one creation, not all", async () => {
    clock = new ManualClock();
    const table = new LeaseTable(clock);
    const calls: string[] = [];
    // Four hosts started at the same moment (a Deployment rolled out at once).
    const hosts = ["a", "b", "c", "d"].map((name, i) => host(table, name, i + 1, calls));
    for (const b of hosts) b.start();
    for (let t = 0; t < 40; t++) await clock.advance(100);
    expect(hosts.map((b) => b.ownedPartitions().length)).toEqual([8, 8, 8, 8]);
    // Before the first acquisition: the four listings and the four creations of the leases claimed first.
    expect(calls.indexOf("acquireLease")).toBeLessThanOrEqual(8);
    // One creation per partition, by the host that claims it, plus the few that race for the same one;
    // creating every lease on every host's first scan would be 4 x 32.
    const creations = calls.filter((c) => c === "ensureLease").length;
    expect(creations).toBeGreaterThanOrEqual(32);
    expect(creations).toBeLessThan(48);
  });
});
