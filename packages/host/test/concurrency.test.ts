import { EventHubProducerClient, type ReceivedEventData } from "@azure/event-hubs";
import { delay } from "@eph/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EventHandler } from "../src/handler.js";
import { type Emulator, event, memoryHost, memoryStores, Recorder, startEmulator, waitFor } from "./helpers.js";
import { receiving, setup } from "./scripted-worker.js";

const keyed = (sequenceNumber: number, key: string | null): ReceivedEventData => ({
  ...event(sequenceNumber),
  partitionKey: key,
});

describe("concurrency within a partition", () => {
  it("events of one key in order, of different keys (and without a key) in parallel, at most N at once", async () => {
    const log: string[] = [];
    let running = 0;
    let most = 0;
    let clock: { setTimeout: (f: () => void, ms: number) => unknown } | undefined;
    // How long each event takes (ms).
    const takes = [1000, 900, 100, 700, 200, 100];
    const handler: EventHandler = async (e) => {
      running++;
      most = Math.max(most, running);
      log.push(`start ${e.sequenceNumber}`);
      await new Promise((resolve) => clock?.setTimeout(resolve as () => void, takes[e.sequenceNumber]));
      log.push(`end ${e.sequenceNumber}`);
      running--;
    };
    const t = await setup({ concurrency: 4 }, { handlers: [["h", handler]] });
    clock = t.clock;
    await receiving(t);
    const keys = ["a", "b", "a", null, null, "b"];
    const delivering = t.reader.deliver(keys.map((k, i) => keyed(i, k)));
    await t.clock.advance(0);
    // Event 2 shares key "a" with event 0: it waits, without a slot, and keyless 3 and 4 take the others.
    expect(log).toEqual(["start 0", "start 1", "start 3", "start 4"]);
    expect(running).toBe(4);
    await t.clock.advance(10_000);
    await delivering;
    expect(most).toBeLessThanOrEqual(4);
    const at = (entry: string) => log.indexOf(entry);
    expect(at("start 2")).toBeGreaterThan(at("end 0"));
    expect(at("start 5")).toBeGreaterThan(at("end 1"));
    // The keyless events 3 and 4 ran side by side, and 4 (shorter) finished first.
    expect(at("end 4")).toBeLessThan(at("end 3"));
    expect(t.worker.health()).toMatchObject({ eventsProcessed: 6, lastSequenceNumber: 5 });
  });

  it("the checkpoint stops below the oldest event not yet complete", async () => {
    let releaseFirst: (() => void) | undefined;
    const handler: EventHandler = (e) =>
      e.sequenceNumber === 0
        ? new Promise<void>((resolve) => {
            releaseFirst = resolve;
          })
        : undefined;
    const t = await setup({ concurrency: 4, checkpoint: { everyEvents: 1 } }, { handlers: [["h", handler]] });
    await receiving(t);
    const delivering = t.reader.deliver([0, 1, 2, 3].map((i) => keyed(i, null)));
    await t.clock.advance(1000);
    expect(t.worker.health().lastSequenceNumber).toBeUndefined();
    expect(await t.checkpointer.getCheckpoint("0")).toBeUndefined();
    releaseFirst?.();
    await delivering;
    await t.clock.advance(0);
    expect(t.worker.health().lastSequenceNumber).toBe(3);
    expect((await t.checkpointer.getCheckpoint("0"))?.sequenceNumber).toBe(3);
  });

  it("a checkpoint() from a later event waits for the earlier ones before passing them", async () => {
    let releaseFirst: (() => void) | undefined;
    const handler: EventHandler = async (e, context) => {
      if (e.sequenceNumber === 0) await new Promise<void>((resolve) => (releaseFirst = resolve));
      else await context.checkpoint();
    };
    const t = await setup({ concurrency: 2, checkpoint: { mode: "manual" } }, { handlers: [["h", handler]] });
    await receiving(t);
    const delivering = t.reader.deliver([keyed(0, "x"), keyed(1, "y")]);
    await t.clock.advance(100);
    expect(await t.checkpointer.getCheckpoint("0")).toBeUndefined();
    releaseFirst?.();
    await delivering;
    await t.clock.advance(0);
    expect((await t.checkpointer.getCheckpoint("0"))?.sequenceNumber).toBe(1);
  });

  it("stopping while events wait for their key: they are not started, and the stop completes", async () => {
    const handled: number[] = [];
    let release: (() => void) | undefined;
    const handler: EventHandler = async (e) => {
      if (e.sequenceNumber === 0) await new Promise<void>((resolve) => (release = resolve));
      handled.push(e.sequenceNumber);
    };
    const t = await setup({ concurrency: 2 }, { handlers: [["h", handler]] });
    await receiving(t);
    const delivering = t.reader.deliver([0, 1, 2].map((i) => keyed(i, "a")));
    await t.clock.advance(0);
    const stopping = t.worker.stop("shutdown");
    await t.clock.advance(0);
    release?.();
    await delivering;
    await stopping;
    expect(handled).toEqual([0]);
    expect(t.closed[0]?.checkpoint?.sequenceNumber).toBe(0);
  });

  it("a failure stops the partition at the failed event, whatever completed after it", async () => {
    const handler: EventHandler = async (e) => {
      await delay(t.clock, (5 - e.sequenceNumber) * 10);
      if (e.sequenceNumber === 2) throw new Error("bad 2");
    };
    const t = await setup(
      { concurrency: 4, handlerRetry: { maxAttempts: 1 }, checkpoint: { everyEvents: 1 } },
      { handlers: [["h", handler]] },
    );
    await receiving(t);
    const delivering = t.reader.deliver([0, 1, 2, 3, 4].map((i) => keyed(i, null)));
    await t.clock.advance(1000);
    await delivering;
    for (let i = 0; i < 20 && t.closed.length === 0; i++) await t.clock.advance(0);
    expect(t.closed[0]).toMatchObject({ reason: "failed", checkpoint: { sequenceNumber: 1 } });
  });
});

describe("concurrency on the emulator", () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator({ hubs: { keyed: 1 } });
  });
  afterAll(async () => {
    await emu?.close();
  });

  it("keys stay in order, several run at once, and the final checkpoint is the last event", async () => {
    const producer = new EventHubProducerClient(emu.connectionString("keyed"));
    for (const key of ["k0", "k1", "k2"]) {
      await producer.sendBatch(
        Array.from({ length: 10 }, (_, i) => ({ body: `${key}-${i}` })),
        { partitionKey: key },
      );
    }
    await producer.close();
    const stores = memoryStores();
    const rec = new Recorder();
    const h = await memoryHost(emu, "keyed", stores, rec, { concurrency: 3 });
    const seen: string[] = [];
    let running = 0;
    let most = 0;
    h.registerHandler(async (e) => {
      running++;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      seen.push(String(e.body));
      running--;
    });
    await h.startNonBlocking();
    await waitFor(() => seen.length === 30, "all 30 events");
    await h.close();
    for (const key of ["k0", "k1", "k2"]) {
      expect(seen.filter((b) => b.startsWith(key))).toEqual(Array.from({ length: 10 }, (_, i) => `${key}-${i}`));
    }
    expect(most).toBeGreaterThan(1);
    expect(most).toBeLessThanOrEqual(3);
    expect(rec.closes.map((c) => c.checkpoint?.sequenceNumber)).toEqual([29]);
  });
});
