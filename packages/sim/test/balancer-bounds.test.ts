import { describe, expect, it } from "vitest";
import { memoryStores } from "../src/memory-stores.js";
import { measureMembership } from "../src/scenarios.js";

// The bounds, with the seed's production timing (lease 60 s, renewal 10 s, scan 10 s), in
// virtual time over the in-memory stores.
describe("balancer bounds (32 partitions, 4 hosts)", async () => {
  const figures = await measureMembership({ stores: memoryStores, partitions: 32, hosts: 4, seed: 11 });

  it("hosts started together own every partition at once, each taken once, without waiting a scan", () => {
    // Each claims one lease to become visible, looks again after the announce pause (500 ms ± 20 %, so
    // that hosts started some 100 ms apart see each other), then claims its share.
    expect(figures.start.intervals).toBeLessThanOrEqual(0.6 / 10 + 0.01);
    expect(figures.start.moves).toBe(32);
    expect(figures.start.maxMovesPerPartition).toBe(1);
  });

  it("balances within 2 scan intervals of a join, moving only the joiner's share, each partition once", () => {
    expect(figures.join.intervals).toBeLessThanOrEqual(2);
    expect(figures.join.moves).toBe(8);
    expect(figures.join.maxMovesPerPartition).toBe(1);
  });

  it("re-owns every partition of a crashed host within lease duration + 1 scan interval", () => {
    expect(figures.crash.intervals).toBeLessThanOrEqual(60_000 / 10_000 + 1);
    expect(figures.crash.moves).toBe(8);
    expect(figures.crash.maxMovesPerPartition).toBe(1);
  });

  it("re-owns the partitions of a host that closes within 1 scan interval", () => {
    expect(figures.leave.intervals).toBeLessThanOrEqual(1);
    expect(figures.leave.maxMovesPerPartition).toBe(1);
  });

  it("changes no ownership at steady state, at one renewal per partition per interval plus one listing per scan", () => {
    expect(figures.steadyMoves).toBe(0);
    // 360 renewals per partition-hour, plus 360 listings per host-hour spread over the partitions.
    expect(figures.callsPerPartitionHour).toBeLessThanOrEqual(360 + (360 * 3) / 32 + 1);
  });
});

describe("clock skew", () => {
  it("takes no lease early when hosts' clocks disagree by minutes", async () => {
    const figures = await measureMembership({
      stores: memoryStores,
      partitions: 16,
      hosts: 3,
      seed: 5,
      skews: [-600_000, 0, 900_000],
    });
    expect(figures.steadyMoves).toBe(0);
    expect(figures.join.maxMovesPerPartition).toBe(1);
    expect(figures.crash.intervals).toBeLessThanOrEqual(7);
  });
});
