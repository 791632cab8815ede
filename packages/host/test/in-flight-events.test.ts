import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveBatchOptions } from "../src/batch-handler.js";
import { InFlightEvents } from "../src/in-flight-events.js";
import {
  type Emulator,
  event,
  memoryHost,
  memoryStores,
  Recorder,
  sendToAll,
  startEmulator,
  waitFor,
} from "./helpers.js";
import { receiving, setup } from "./scripted-worker.js";

const never = new AbortController().signal;

describe("maxInFlightEvents", () => {
  it("waits while the cap is reached, serves waiters in order, and lets an oversized delivery through alone", async () => {
    let pressure = 0;
    const cap = new InFlightEvents(10, () => pressure++);
    await cap.acquire(8, never);
    const order: string[] = [];
    const a = cap.acquire(5, never).then(() => order.push("a"));
    const b = cap.acquire(1, never).then(() => order.push("b"));
    await Promise.resolve();
    // b would fit, but a came first: no overtaking, or a large delivery could starve.
    expect(order).toEqual([]);
    expect(pressure).toBe(2);
    cap.release(8);
    await Promise.all([a, b]);
    expect(order).toEqual(["a", "b"]);
    expect(cap.count).toBe(6);
    cap.release(6);
    await cap.acquire(25, never);
    expect(cap.count).toBe(25);
  });

  it("a waiter whose partition stops gives up its place", async () => {
    const cap = new InFlightEvents(2, () => undefined);
    await cap.acquire(2, never);
    const stop = new AbortController();
    const waiting = cap.acquire(1, stop.signal);
    const behind = cap.acquire(1, never);
    stop.abort();
    await expect(waiting).rejects.toMatchObject({ code: "Aborted" });
    cap.release(1);
    await behind;
    expect(cap.count).toBe(2);
  });

  it("never deadlocks with minBatchSize: a batch waiting for events the cap holds back is delivered", async () => {
    const batches: number[][] = [];
    let relieve: () => void = () => undefined;
    const cap = new InFlightEvents(5, () => relieve());
    const t = await setup(
      {},
      {
        handlers: [],
        inFlight: cap,
        batchHandlers: [
          {
            id: "bulk",
            handler: (events) => void batches.push(events.map((e) => e.sequenceNumber)),
            options: resolveBatchOptions({ maxBatchSize: 100, minBatchSize: 10, maxWaitTimeInSeconds: 3600 }),
          },
        ],
      },
    );
    relieve = () => t.worker.relievePressure();
    await receiving(t);
    await t.reader.deliver([0, 1, 2, 3].map(event));
    expect(batches).toEqual([]);
    expect(cap.count).toBe(4);
    // 4 held + 3 more is over the cap: the held batch goes as it is, the new events follow.
    await t.reader.deliver([4, 5, 6].map(event));
    expect(batches).toEqual([[0, 1, 2, 3]]);
    expect(cap.count).toBe(3);
    expect(t.clock.now()).toBe(0);
    // Closing delivers what is still held and gives every event back.
    await t.worker.stop("shutdown");
    expect(batches).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6],
    ]);
    expect(cap.count).toBe(0);
  });
});

describe("maxInFlightEvents on the emulator", () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator({ hubs: { capped: 4 } });
  });
  afterAll(async () => {
    await emu?.close();
  });

  it("a slow handler on four partitions never has more than the cap received and unhandled", async () => {
    const sent = await sendToAll(emu, "capped", ["0", "1", "2", "3"], 40);
    const rec = new Recorder();
    const h = await memoryHost(emu, "capped", memoryStores(), rec, { maxBatchSize: 5, maxInFlightEvents: 10 });
    let most = 0;
    h.registerHandler(async () => {
      most = Math.max(most, h.health().eventsInFlight ?? Number.POSITIVE_INFINITY);
      await new Promise((resolve) => setTimeout(resolve, 2));
    });
    await h.startNonBlocking();
    await waitFor(() => rec.distinct().size === sent.length, "all 160 events");
    // Four partitions with deliveries of 5 would hold 20 without the cap.
    expect(most).toBeLessThanOrEqual(10);
    expect(most).toBeGreaterThan(0);
    await waitFor(() => h.health().eventsInFlight === 0, "nothing in flight");
    await h.close();
  });
});
