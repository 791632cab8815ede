import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { EventProcessorHost } from "../src/index.js";
import {
  type Emulator,
  fastTiming,
  keepSending,
  memoryHost,
  memoryStores,
  Recorder,
  sendToAll,
  startEmulator,
  waitFor,
} from "./helpers.js";

const eight = ["0", "1", "2", "3", "4", "5", "6", "7"];

describe("several hosts in one process", () => {
  let emu: Emulator;
  const hosts: EventProcessorHost[] = [];
  beforeAll(async () => {
    emu = await startEmulator({ hubs: { h8: 8, join: 4, leave: 4 } });
  });
  afterEach(async () => {
    await Promise.all(hosts.splice(0).map((h) => h.close()));
  });
  afterAll(async () => {
    await emu?.close();
  });

  it("3 hosts share 8 partitions fairly and every event is processed", async () => {
    const stores = memoryStores();
    const rec = new Recorder();
    const sent = await sendToAll(emu, "h8", eight, 20);
    for (const name of ["a", "b", "c"]) hosts.push(await memoryHost(emu, "h8", stores, rec, { hostName: name }));
    await Promise.all(hosts.map((h) => h.startNonBlocking()));
    await waitFor(
      () => hosts.every((h) => [2, 3].includes(h.partitionIdsBeingProcessed().length)),
      "each host reads 2 or 3 partitions",
    );
    const owned = hosts.flatMap((h) => h.partitionIdsBeingProcessed()).sort();
    expect(owned).toEqual(eight);
    await waitFor(() => rec.distinct().size === sent.length, "every event processed");
  });

  it("a joining host takes its share with zero duplicates (graceful handoff)", async () => {
    const stores = memoryStores();
    const rec = new Recorder();
    const ids = ["0", "1", "2", "3"];
    const first = await memoryHost(emu, "join", stores, rec, { hostName: "first" });
    hosts.push(first);
    await first.startNonBlocking();
    await waitFor(() => first.partitionIdsBeingProcessed().length === 4, "first host reads all partitions");
    const producer = keepSending(emu, "join", ids);
    await waitFor(() => rec.deliveries.length > 100, "events flowing");
    const second = await memoryHost(emu, "join", stores, rec, { hostName: "second" });
    hosts.push(second);
    await second.startNonBlocking();
    await waitFor(
      () => second.partitionIdsBeingProcessed().length === 2 && first.partitionIdsBeingProcessed().length === 2,
      "the partitions are split 2 / 2",
    );
    const moved = second.partitionIdsBeingProcessed();
    await waitFor(() => rec.deliveries.some((d) => d.host === "second"), "the joiner processes events");
    const bodies = await producer.stop();
    await waitFor(() => rec.distinct().size === bodies.length, "every event processed");
    expect(rec.duplicates()).toEqual([]);
    const handedOver = rec.closes.filter((c) => c.host === "first").map((c) => [c.partitionId, c.reason]);
    expect(handedOver.sort()).toEqual(moved.map((p) => [p, "handoff"]));
  });

  it("a host that closes hands its partitions over with zero duplicates", async () => {
    const stores = memoryStores();
    const rec = new Recorder();
    const ids = ["0", "1", "2", "3"];
    const a = await memoryHost(emu, "leave", stores, rec, { hostName: "a" });
    const b = await memoryHost(emu, "leave", stores, rec, { hostName: "b" });
    hosts.push(a, b);
    await Promise.all([a.startNonBlocking(), b.startNonBlocking()]);
    await waitFor(
      () => a.partitionIdsBeingProcessed().length === 2 && b.partitionIdsBeingProcessed().length === 2,
      "the partitions are split 2 / 2",
    );
    const producer = keepSending(emu, "leave", ids);
    await waitFor(() => rec.deliveries.filter((d) => d.host === "a").length > 50, "a processes events");
    const before = rec.closes.length;
    await a.close();
    expect(rec.closes.slice(before).map((c) => [c.host, c.reason])).toEqual([
      ["a", "shutdown"],
      ["a", "shutdown"],
    ]);
    // Released leases are free at once: b takes them at its next scan (no expiry, no handoff wait).
    await waitFor(
      () => b.partitionIdsBeingProcessed().length === 4,
      "b takes over every partition within a scan interval",
      fastTiming.scanInterval + 1500,
    );
    await waitFor(() => rec.deliveries.filter((d) => d.host === "b").length > 200, "b goes on processing");
    const bodies = await producer.stop();
    await waitFor(() => rec.distinct().size === bodies.length, "every event processed");
    expect(rec.duplicates()).toEqual([]);
  });
});
