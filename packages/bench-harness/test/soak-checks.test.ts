import { describe, expect, it } from "vitest";
import type { Duplicate } from "../src/event-ledger.js";
import {
  type ChaosAction,
  explainDuplicate,
  findAcceptedFencedWrites,
  findFenceOverlaps,
  findRegressions,
  memoryTrend,
  type Opening,
} from "../src/soak-checks.js";

const lease = 6000;
const dup = (previousMember: string, previousT: number, againT: number): Duplicate => ({
  partitionId: "3",
  sequenceNumber: 42,
  previous: { member: previousMember, epoch: 1, t: previousT },
  again: { member: "b", epoch: 2, t: againT },
});

describe("explainDuplicate", () => {
  it("blames a kill or pause of the host that handled the event first", () => {
    const actions: ChaosAction[] = [{ t: 10_500, kind: "kill", member: "a" }];
    expect(explainDuplicate(dup("a", 10_000, 20_000), actions, lease)).toBe("kill of a");
    const pause: ChaosAction[] = [{ t: 9_000, kind: "pause", member: "a", until: 17_000 }];
    expect(explainDuplicate(dup("a", 10_000, 20_000), pause, lease)).toBe("pause of a");
  });

  it("blames a pause of the later handler: a deposed owner resuming with an event already received", () => {
    const pause: ChaosAction[] = [{ t: 9_000, kind: "pause", member: "b", until: 19_990 }];
    expect(explainDuplicate(dup("a", 10_000, 20_000), pause, lease)).toBe("pause of b");
  });

  it("does not blame a crash of another host, a graceful close, a stolen link or a dropped connection", () => {
    const actions: ChaosAction[] = [
      { t: 10_500, kind: "kill", member: "c" },
      { t: 10_500, kind: "close", member: "a" },
      { t: 10_600, kind: "steal", partitionId: "3" },
      { t: 10_700, kind: "drop" },
    ];
    expect(explainDuplicate(dup("a", 10_000, 20_000), actions, lease)).toBeUndefined();
  });

  it("blames storage faults that overlap the window, and nothing outside it", () => {
    const during: ChaosAction[] = [{ t: 8_000, kind: "storage-outage", until: 15_000 }];
    expect(explainDuplicate(dup("a", 10_000, 20_000), during, lease)).toBe("storage-outage");
    const before: ChaosAction[] = [{ t: 1_000, kind: "storage-outage", until: 3_000 }];
    expect(explainDuplicate(dup("a", 10_000, 20_000), before, lease)).toBeUndefined();
    const after: ChaosAction[] = [{ t: 21_000, kind: "storage-errors", until: 25_000 }];
    expect(explainDuplicate(dup("a", 10_000, 20_000), after, lease)).toBeUndefined();
  });
});

describe("findFenceOverlaps", () => {
  const openings = new Map<string, Opening[]>([
    [
      "0",
      [
        { member: "a", epoch: 1, t: 1_000 },
        { member: "b", epoch: 2, t: 5_000 },
      ],
    ],
  ]);

  it("flags events the older owner handled after the newer one started reading", () => {
    const handlings = new Map([
      [
        "0",
        [
          { seq: 1, h: { member: "a", epoch: 1, t: 4_000 } },
          { seq: 2, h: { member: "b", epoch: 2, t: 5_100 } },
          { seq: 3, h: { member: "a", epoch: 1, t: 5_200 } },
        ],
      ],
    ]);
    const overlaps = findFenceOverlaps(openings, handlings, [], lease);
    expect(overlaps).toHaveLength(1);
    expect(overlaps[0]).toMatchObject({ sequenceNumber: 3, newer: { member: "b", epoch: 2 }, cause: undefined });
  });

  it("names a pause of the older owner as the cause when it had just resumed", () => {
    const handlings = new Map([["0", [{ seq: 3, h: { member: "a", epoch: 1, t: 12_000 } }]]]);
    const pause: ChaosAction[] = [{ t: 2_000, kind: "pause", member: "a", until: 11_900 }];
    expect(findFenceOverlaps(openings, handlings, pause, lease)[0]?.cause).toBe("pause of a");
  });
});

describe("checkpoint checks", () => {
  const openings = new Map<string, Opening[]>([["0", [{ member: "b", epoch: 2, t: 5_000 }]]]);
  const write = (epoch: number, t0: number, result: string) => ({
    member: "a",
    partitionId: "0",
    sequenceNumber: 10,
    epoch,
    t0,
    t: t0 + 50,
    result,
  });

  it("flags a write of an older epoch the store accepted after the newer owner had started", () => {
    expect(findAcceptedFencedWrites(openings, [write(1, 6_000, "ok")])).toHaveLength(1);
    expect(findAcceptedFencedWrites(openings, [write(1, 6_000, "CheckpointFenced")])).toHaveLength(0);
    expect(findAcceptedFencedWrites(openings, [write(1, 4_000, "ok")])).toHaveLength(0);
    expect(findAcceptedFencedWrites(openings, [write(2, 6_000, "ok")])).toHaveLength(0);
  });

  it("flags a stored position that moved backwards", () => {
    const ok = new Map([["0", [5, 7, 7, 9].map((sequenceNumber, t) => ({ t, sequenceNumber }))]]);
    expect(findRegressions(ok)).toEqual([]);
    const bad = new Map([["0", [5, 9, 8].map((sequenceNumber, t) => ({ t, sequenceNumber }))]]);
    expect(findRegressions(bad)).toEqual([{ partitionId: "0", from: 9, to: 8, t: 2 }]);
  });
});

describe("memoryTrend", () => {
  const MiB = 1024 * 1024;
  const samples = (heapAt: (i: number) => number) =>
    Array.from({ length: 100 }, (_, i) => ({ at: i * 1000, rss: 100 * MiB, heapUsed: heapAt(i) * MiB }));

  it("calls a steady heap flat", () => {
    expect(
      memoryTrend(
        "a",
        samples(() => 20),
        0,
        99_000,
      ).flat,
    ).toBe(true);
  });

  it("calls a heap that keeps growing a leak", () => {
    const trend = memoryTrend(
      "a",
      samples((i) => 20 + i),
      0,
      99_000,
    );
    expect(trend.flat).toBe(false);
    expect(trend.heapEndMiB).toBeGreaterThan(trend.heapStartMiB * 2);
  });
});
