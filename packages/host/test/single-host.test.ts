import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Emulator, memoryHost, memoryStores, Recorder, sendToAll, startEmulator, waitFor } from "./helpers.js";

describe("one host", () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator({ hubs: { hub: 4 } });
  });
  afterAll(async () => {
    await emu?.close();
  });

  it("reads every partition, in order, and checkpoints on close", async () => {
    const stores = memoryStores();
    const rec = new Recorder();
    const sent = await sendToAll(emu, "hub", ["0", "1", "2", "3"], 25);
    const host = await memoryHost(emu, "hub", stores, rec, { hostName: "solo" });
    expect(host.getPartitionIds()).toEqual(["0", "1", "2", "3"]);
    await host.startNonBlocking();
    await waitFor(() => rec.distinct().size === sent.length, "every event delivered");
    expect(host.partitionIdsBeingProcessed()).toEqual(["0", "1", "2", "3"]);
    for (const p of ["0", "1", "2", "3"]) {
      const seqs = rec.deliveries.filter((d) => d.partitionId === p).map((d) => d.sequenceNumber);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    }
    expect(rec.duplicates()).toEqual([]);
    const health = host.health();
    expect(health.state).toBe("running");
    expect(health.leasesHeld).toBe(4);
    expect(health.eventsProcessed).toBe(100);
    await host.close();
    expect(rec.errors).toEqual([]);
    expect(host.health().state).toBe("closed");
    expect(rec.closes.map((c) => c.reason)).toEqual(["shutdown", "shutdown", "shutdown", "shutdown"]);
    for (const c of rec.closes) expect(c.checkpoint?.sequenceNumber).toBe(24);
  });
});
