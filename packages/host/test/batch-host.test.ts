import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EventProcessorHost } from "../src/index.js";
import {
  type Emulator,
  fastTiming,
  memoryHost,
  memoryStores,
  Recorder,
  send,
  startEmulator,
  waitFor,
} from "./helpers.js";

describe("batch handlers on the emulator", () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator({ hubs: { mixed: 1, partial: 1, only: 2 } });
  });
  afterAll(async () => {
    await emu?.close();
  });

  /** A host with no handler yet, on its own memory stores. */
  function batchHost(hub: string) {
    const stores = memoryStores();
    return EventProcessorHost.fromConnectionString(emu.connectionString(hub), stores.leaser(), stores.checkpointer(), {
      noBanner: true,
      ...fastTiming,
      maxWaitTimeInSeconds: 1,
    });
  }

  it("a batch handler beside a per-event one: batches in order, never over maxBatchSize, checkpoint at the end", async () => {
    const stores = memoryStores();
    const rec = new Recorder();
    const sent = await send(emu, "mixed", "0", 45);
    const host = await memoryHost(emu, "mixed", stores, rec);
    const batches: string[][] = [];
    host.registerBatchHandler(
      async (events) => {
        batches.push(events.map((e) => String(e.body)));
      },
      { maxBatchSize: 10 },
    );
    await host.startNonBlocking();
    await waitFor(() => batches.flat().length === 45 && rec.deliveries.length === 45, "all 45 events, both ways");
    await host.close();
    expect(batches.flat()).toEqual(sent);
    expect(batches.every((b) => b.length > 0 && b.length <= 10)).toBe(true);
    expect(rec.deliveries.map((d) => d.body)).toEqual(sent);
    expect(rec.closes.map((c) => c.checkpoint?.sequenceNumber)).toEqual([44]);
  });

  it("fewer events than minBatchSize arrive as one partial batch after maxWaitTimeInSeconds", async () => {
    const host = await batchHost("partial");
    const batches: string[][] = [];
    host.registerBatchHandler(
      async (events) => {
        batches.push(events.map((e) => String(e.body)));
      },
      { maxBatchSize: 100, minBatchSize: 50, maxWaitTimeInSeconds: 1 },
    );
    await host.startNonBlocking();
    const sent = await send(emu, "partial", "0", 5);
    await waitFor(() => batches.length > 0, "the partial batch");
    expect(batches).toEqual([sent]);
    await host.close();
  });

  it("a host with only batch handlers reads every partition; bad batch options name the option", async () => {
    const host = await batchHost("only");
    expect(() => host.registerBatchHandler(async () => undefined, { minBatchSize: 0 })).toThrow(
      expect.objectContaining({ code: "InvalidOption", message: expect.stringMatching(/"minBatchSize"/) }),
    );
    const seen = new Map<string, number>();
    host.registerBatchHandler(async (events, context) => {
      seen.set(context.partitionId, (seen.get(context.partitionId) ?? 0) + events.length);
    });
    await host.startNonBlocking();
    await send(emu, "only", "0", 7);
    await send(emu, "only", "1", 3);
    await waitFor(() => seen.get("0") === 7 && seen.get("1") === 3, "both partitions");
    await host.close();
  });
});
