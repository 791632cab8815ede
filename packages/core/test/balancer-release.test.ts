import { describe, expect, it } from "vitest";
import { Balancer } from "../src/balancer.js";
import type { BalancerOptions } from "../src/balancer-options.js";
import { ManualClock } from "../src/manual-clock.js";
import { seededRandom } from "../src/seeded-random.js";
import { type CallPlanner, LeaseTable, TableLeaser } from "./conditional-leaser.js";

const ids = Array.from({ length: 8 }, (_, i) => String(i));
const timing = { leaseDuration: 6_000, renewalInterval: 1_000, scanInterval: 1_000 };
const operationTimeout = 1_000; // the default at a 1 s renewal interval

function setUp(plan: CallPlanner, extra: Partial<BalancerOptions> = {}) {
  const clock = new ManualClock();
  const table = new LeaseTable(clock);
  const leaser = new TableLeaser(table, plan);
  leaser.setEventProcessorHost({
    hostName: "a",
    fullyQualifiedNamespace: "ns.servicebus.windows.net",
    eventHubName: "hub",
    consumerGroup: "$Default",
  });
  const drained = new Map<string, number>();
  const balancer = new Balancer({
    leaser,
    hostName: "a",
    partitionIds: () => ids,
    ...timing,
    clock,
    random: seededRandom(1),
    onLost: (partitionId, reason) => {
      if (reason === "shutdown") drained.set(partitionId, clock.now());
    },
    ...extra,
  });
  return { clock, table, balancer, drained };
}

/** Stops the balancer while advancing virtual time, so delayed answers arrive. */
async function stopIn(clock: ManualClock, balancer: Balancer): Promise<void> {
  let done = false;
  const stopping = balancer.stop().then(() => {
    done = true;
  });
  for (let i = 0; i < 100 && !done; i++) await clock.advance(50);
  await stopping;
}

describe("Balancer release: a stopped host leaves no lease owned", () => {
  it("releases every lease whose renewal is in flight at stop(), within one deadline of its drain", async () => {
    // Every renewal lands at once but its answer arrives 300 ms later: a release sent meanwhile is
    // conditional on the version before the renewal.
    const { clock, table, balancer, drained } = setUp((op) => ({ answerDelay: op === "renewLease" ? 300 : 0 }));
    balancer.start();
    await clock.advance(700); // the first claim, then the rest after the announce pause (at most 600 ms)
    expect(balancer.ownedPartitions()).toHaveLength(8);
    const renewedBefore = table.list().map((l) => l.version);
    await clock.advance(timing.renewalInterval + 100); // renewals sent and landed, answers pending
    expect(table.list().map((l) => l.version)).not.toEqual(renewedBefore);
    await stopIn(clock, balancer);
    for (const lease of table.list()) {
      expect(lease.owner, `partition ${lease.partitionId}`).toBe("");
      expect(lease.writtenAt - (drained.get(lease.partitionId) ?? Number.NaN)).toBeLessThanOrEqual(operationTimeout);
    }
  });

  it("releases a lease whose renewal's answer was lost (the leaser no longer knows its version)", async () => {
    let lose = false;
    const { clock, table, balancer } = setUp((op) => ({
      fault: lose && op === "renewLease" ? "answerLost" : "none",
      answerDelay: op === "renewLease" ? 300 : 0,
    }));
    balancer.start();
    await clock.advance(700); // the first claim, then the rest after the announce pause (at most 600 ms)
    lose = true;
    await clock.advance(timing.renewalInterval + 100);
    lose = false;
    await stopIn(clock, balancer);
    expect(table.list().filter((l) => l.owner !== "")).toEqual([]);
  });

  it("sends a release again when its request was lost, and accepts one whose answer was lost", async () => {
    const tries = new Map<string, number>();
    const { clock, table, balancer } = setUp((op, partitionId) => {
      if (op !== "releaseLease") return {};
      const n = (tries.get(partitionId) ?? 0) + 1;
      tries.set(partitionId, n);
      if (n > 1) return {};
      return { fault: Number(partitionId) % 2 === 0 ? "requestLost" : "answerLost" };
    });
    balancer.start();
    await clock.advance(700); // the first claim, then the rest after the announce pause (at most 600 ms)
    await stopIn(clock, balancer);
    expect(table.list().filter((l) => l.owner !== "")).toEqual([]);
    // A release whose answer was lost had landed: it is not sent twice.
    for (const p of ids) expect(tries.get(p), `partition ${p}`).toBe(Number(p) % 2 === 0 ? 2 : 1);
  });

  it("releases a partition whose onAcquired failed while its renewal was in flight", async () => {
    let clockRef: ManualClock | undefined;
    const { clock, table, balancer } = setUp((op) => ({ answerDelay: op === "renewLease" ? 300 : 0 }), {
      partitionIds: () => ["0"],
      onAcquired: async () => {
        // The consumer takes longer than a renewal interval to fail: a renewal is in flight by then.
        await new Promise<void>((resolve) => clockRef?.setTimeout(resolve, timing.renewalInterval + 100));
        throw new Error("cannot open a receiver");
      },
    });
    clockRef = clock;
    balancer.start();
    for (let i = 0; i < 40; i++) await clock.advance(50);
    expect(table.get("0")?.owner).toBe("");
    await balancer.stop();
  });

  it("gives back a lease whose acquisition was in flight when stop() was called", async () => {
    const { clock, table, balancer } = setUp((op) => ({ answerDelay: op === "acquireLease" ? 300 : 0 }));
    balancer.start();
    await clock.advance(100); // acquisitions landed, answers pending
    expect(table.list().filter((l) => l.owner === "a").length).toBeGreaterThan(0);
    await stopIn(clock, balancer);
    expect(table.list().filter((l) => l.owner !== "")).toEqual([]);
  });
});
