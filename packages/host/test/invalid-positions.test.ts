import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { classifyPosition } from "../src/position-check.js";
import { type Emulator, memoryHost, memoryStores, Recorder, send, startEmulator, waitFor } from "./helpers.js";

const at = (sequenceNumber: number) => ({ offset: String(sequenceNumber), sequenceNumber, enqueuedTime: new Date(0) });

describe("invalid positions", () => {
  it("a checkpoint is valid while the event after it is retained and it was itself written", () => {
    const range = { beginningSequenceNumber: 18, lastEnqueuedSequenceNumber: 22 };
    expect(classifyPosition(at(17), range)).toBeUndefined();
    expect(classifyPosition(at(22), range)).toBeUndefined();
    expect(classifyPosition(at(16), range)).toBe("expired");
    expect(classifyPosition(at(23), range)).toBe("beyondEnd");
    // Everything expired: the next event to be written is the beginning.
    expect(classifyPosition(at(22), { beginningSequenceNumber: 23, lastEnqueuedSequenceNumber: 22 })).toBeUndefined();
  });
});

describe("invalid positions on the emulator", () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator({
      hubs: { retained: { partitions: 1, retention: { maxEventsPerPartition: 5 } }, reset: 1, stopped: 1 },
    });
  });
  afterAll(async () => {
    await emu?.close();
  });

  it("events expired past the checkpoint: reported with the range, read from the earliest, counted", async () => {
    const stores = memoryStores();
    const first = new Recorder();
    await send(emu, "retained", "0", 3);
    const a = await memoryHost(emu, "retained", stores, first);
    await a.startNonBlocking();
    await waitFor(() => first.deliveries.length === 3, "the first three events");
    await a.close();
    // Retention keeps 5 events: 18..22 remain, 3..17 are gone unread.
    await send(emu, "retained", "0", 20, "later");
    const rec = new Recorder();
    const b = await memoryHost(emu, "retained", stores, rec);
    await b.startNonBlocking();
    await waitFor(() => rec.deliveries.length === 5, "the five retained events");
    expect(rec.deliveries.map((d) => d.sequenceNumber)).toEqual([18, 19, 20, 21, 22]);
    const reports = rec.errors.filter((e) => e.operation === "position");
    expect(reports.map((e) => [e.partitionId, e.checkpoint?.sequenceNumber, e.range, e.invalidPositionAction])).toEqual(
      [["0", 2, { beginningSequenceNumber: 18, lastEnqueuedSequenceNumber: 22 }, "earliest"]],
    );
    expect(reports[0]?.error).toMatchObject({ code: "InvalidPosition" });
    expect(b.health().partitions[0]?.invalidPositions).toBe(1);
    await b.close();
  });

  /** A host whose store holds checkpoint 71181 for partition 0 of `hub`, a hub that has 3 events. */
  async function recreated(hub: string, options = {}) {
    const stores = memoryStores();
    const rec = new Recorder();
    const host = await memoryHost(emu, hub, stores, rec, options);
    const writer = stores.checkpointer();
    writer.setEventProcessorHost({
      hostName: "earlier-life",
      fullyQualifiedNamespace: host.fullyQualifiedNamespace,
      eventHubName: host.eventHubName,
      consumerGroup: host.consumerGroup,
    });
    await writer.ensureStore();
    await writer.ensureCheckpoint("0", { epoch: 1 });
    await writer.updateCheckpoint("0", at(71181), { epoch: 1 });
    await send(emu, hub, "0", 3);
    return { host, rec };
  }

  it("a hub recreated under existing checkpoints: read from the earliest, and checkpoints move again", async () => {
    const { host, rec } = await recreated("reset");
    await host.startNonBlocking();
    await waitFor(() => rec.deliveries.length === 3, "the new hub's three events");
    const reports = rec.errors.filter((e) => e.operation === "position");
    expect(reports.map((e) => [e.checkpoint?.sequenceNumber, e.range?.lastEnqueuedSequenceNumber])).toEqual([
      [71181, 2],
    ]);
    expect(String((reports[0]?.error as Error | undefined)?.message)).toMatch(/past the partition's last event/);
    await host.close();
    // The stored position was cleared, so the new hub's positions could be stored.
    expect(rec.closes.map((c) => c.checkpoint?.sequenceNumber)).toEqual([2]);
    expect(rec.errors.filter((e) => e.operation === "checkpoint")).toEqual([]);
  });

  it('onInvalidPosition "stop": the partition is not read, and says why', async () => {
    const { host, rec } = await recreated("stopped", { onInvalidPosition: "stop" });
    await host.startNonBlocking();
    await waitFor(() => rec.closes.length === 1, "partition 0 stops");
    expect(rec.closes[0]).toMatchObject({ reason: "failed", error: { code: "InvalidPosition" } });
    expect(rec.deliveries).toEqual([]);
    expect(host.health().partitions[0]?.state).toBe("failed");
    await host.close();
  });
});
