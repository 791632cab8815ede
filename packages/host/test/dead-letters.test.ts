import { EventHubProducerClient, type ReceivedEventData } from "@azure/event-hubs";
import { MemoryDeadLetterStore } from "@eph/checkpointer-memory";
import { type DeadLetterStore, EphError } from "@eph/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EventProcessorHost, type EventProcessorHostOptions } from "../src/index.js";
import { type Emulator, fastTiming, memoryStores, Recorder, startEmulator, waitFor } from "./helpers.js";

const quickRetry = { maxAttempts: 2, initialDelay: 10, maxDelay: 20 };

/** `store` with its `add` replaced: a dead-letter store that fails as a real one might. */
function withAdd(store: MemoryDeadLetterStore, add: DeadLetterStore["add"]): DeadLetterStore {
  return new Proxy(store, {
    get(target, key, receiver) {
      if (key === "add") return add;
      const value = Reflect.get(target, key, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

describe("dead letters", () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator({ hubs: { dl: 1, dlflaky: 1, dlfail: 1, dlbusy: 1, dlbatch: 1, dlopts: 1 } });
  });
  afterAll(async () => {
    await emu?.close();
  });

  /** Ten events to partition 0; the fifth has body "poison" and application properties. */
  async function sendWithPoison(hub: string): Promise<void> {
    const producer = new EventHubProducerClient(emu.connectionString(hub));
    try {
      const events = Array.from({ length: 10 }, (_, i) =>
        i === 4 ? { body: { poison: true, n: 4 }, properties: { kind: "order", attempt: 2 } } : { body: `e-${i}` },
      );
      await producer.sendBatch(events, { partitionId: "0" });
    } finally {
      await producer.close();
    }
  }

  async function host(hub: string, rec: Recorder, store: DeadLetterStore, extra: EventProcessorHostOptions = {}) {
    const stores = memoryStores();
    const h = await EventProcessorHost.fromConnectionString(
      emu.connectionString(hub),
      stores.leaser(),
      stores.checkpointer(),
      {
        noBanner: true,
        ...fastTiming,
        maxWaitTimeInSeconds: 1,
        hostName: "dl-host",
        handlerRetry: quickRetry,
        onHandlerFailure: "deadLetter",
        deadLetterStore: store,
        onError: (info) => rec.errors.push(info),
        onPartitionClosed: (info) => rec.closes.push({ ...info, host: "dl-host" }),
        ...extra,
      },
    );
    const handled: unknown[] = [];
    h.registerHandler((event: ReceivedEventData) => {
      if ((event.body as { poison?: boolean }).poison) throw new TypeError("cannot price order 4");
      handled.push(event.body);
    });
    return { h, handled };
  }

  it("writes the event a handler gave up on to the dead-letter store and goes on past it", async () => {
    const rec = new Recorder();
    const store = new MemoryDeadLetterStore();
    await sendWithPoison("dl");
    const { h, handled } = await host("dl", rec, store);
    await h.startNonBlocking();
    await waitFor(() => handled.length === 9, "the nine other events");
    const [letter] = await store.list();
    expect(letter).toMatchObject({
      id: "0:4",
      partitionId: "0",
      sequenceNumber: 4,
      errorName: "TypeError",
      hostName: "dl-host",
    });
    const full = await store.get("0:4");
    expect(full?.body).toEqual({ poison: true, n: 4 });
    expect(full?.properties).toEqual({ kind: "order", attempt: 2 });
    expect(full?.error.message).toBe("cannot price order 4");
    expect(full?.enqueuedTime).toBeInstanceOf(Date);
    const final = rec.errors.filter((e) => e.operation === "handler" && !e.willRetry);
    expect(final.map((e) => e.action)).toEqual(["deadLetter"]);
    expect(h.health().partitions[0]?.eventsDeadLettered).toBe(1);
    await h.close();
    expect(rec.closes[0]?.checkpoint?.sequenceNumber, "the checkpoint passes the dead-lettered event").toBe(9);
  });

  it("retries a dead-letter write that fails for a while, and then goes on", async () => {
    const rec = new Recorder();
    const store = new MemoryDeadLetterStore();
    let failures = 2;
    const flaky = withAdd(store, (...args) =>
      failures-- > 0 ? Promise.reject(new EphError("StoreUnavailable", "busy")) : store.add(...args),
    );
    await sendWithPoison("dlflaky");
    const { h, handled } = await host("dlflaky", rec, flaky);
    await h.startNonBlocking();
    await waitFor(() => handled.length === 9, "the nine other events");
    expect((await store.list()).map((l) => l.id)).toEqual(["0:4"]);
    expect(rec.errors.filter((e) => e.operation === "deadLetter").map((e) => e.willRetry)).toEqual([true, true]);
    await h.close();
    expect(rec.closes[0]?.checkpoint?.sequenceNumber).toBe(9);
  });

  it("stops the partition before the event when the dead letter cannot be written", async () => {
    const rec = new Recorder();
    const store = new MemoryDeadLetterStore();
    const refusing = withAdd(store, () => Promise.reject(new EphError("InvalidOption", "refused")));
    await sendWithPoison("dlfail");
    const { h, handled } = await host("dlfail", rec, refusing);
    await h.startNonBlocking();
    await waitFor(() => rec.closes.some((c) => c.reason === "failed"), "partition 0 stops");
    expect(handled).toEqual(["e-0", "e-1", "e-2", "e-3"]);
    expect(rec.errors.some((e) => e.operation === "deadLetter" && !e.willRetry)).toBe(true);
    expect(rec.closes[0]?.checkpoint?.sequenceNumber ?? -1, "nothing checkpointed past the event").toBeLessThan(4);
    await h.close();
  });

  it("a close during a dead-letter write that keeps failing closes the partition as stopped, before the event", async () => {
    const rec = new Recorder();
    const store = new MemoryDeadLetterStore();
    const busy = withAdd(store, () => Promise.reject(new EphError("StoreUnavailable", "busy")));
    await sendWithPoison("dlbusy");
    const { h } = await host("dlbusy", rec, busy);
    await h.startNonBlocking();
    await waitFor(() => rec.errors.some((e) => e.operation === "deadLetter"), "a dead-letter write fails");
    await h.close();
    expect(rec.closes[0]?.reason).toBe("shutdown");
    expect(rec.closes[0]?.checkpoint?.sequenceNumber).toBe(3);
  });

  it("a batch that fails for good has each of its events written to the dead-letter store", async () => {
    const rec = new Recorder();
    const store = new MemoryDeadLetterStore();
    await sendWithPoison("dlbatch");
    const stores = memoryStores();
    const h = await EventProcessorHost.fromConnectionString(
      emu.connectionString("dlbatch"),
      stores.leaser(),
      stores.checkpointer(),
      {
        noBanner: true,
        ...fastTiming,
        maxWaitTimeInSeconds: 1,
        handlerRetry: quickRetry,
        onHandlerFailure: "deadLetter",
        deadLetterStore: store,
        onError: (info) => rec.errors.push(info),
        onPartitionClosed: (info) => rec.closes.push({ ...info, host: "h" }),
      },
    );
    const batches: number[][] = [];
    h.registerBatchHandler(
      async (events) => {
        if (events.some((e) => (e.body as { poison?: boolean }).poison)) throw new RangeError("a poison in the batch");
        batches.push(events.map((e) => e.sequenceNumber));
      },
      { maxBatchSize: 5, maxWaitTimeInSeconds: 1 },
    );
    await h.startNonBlocking();
    await waitFor(() => batches.flat().includes(9), "the batch after the poisoned one");
    expect((await store.list()).map((l) => l.id)).toEqual(["0:0", "0:1", "0:2", "0:3", "0:4"]);
    expect((await store.get("0:2"))?.error).toEqual({ name: "RangeError", message: "a poison in the batch" });
    expect(batches).toEqual([[5, 6, 7, 8, 9]]);
    expect(h.health().partitions[0]?.eventsDeadLettered).toBe(5);
    await h.close();
    expect(rec.closes[0]?.checkpoint?.sequenceNumber).toBe(9);
  });

  it("refuses deadLetter without a dead-letter store, and a store that is not one", async () => {
    const stores = memoryStores();
    const create = (options: EventProcessorHostOptions) =>
      EventProcessorHost.fromConnectionString(emu.connectionString("dlopts"), stores.leaser(), stores.checkpointer(), {
        noBanner: true,
        ...options,
      });
    await expect(create({ onHandlerFailure: "deadLetter" })).rejects.toMatchObject({
      code: "InvalidOption",
      message: expect.stringContaining("deadLetterStore"),
    });
    await expect(create({ deadLetterStore: {} as DeadLetterStore })).rejects.toMatchObject({
      code: "InvalidOption",
      message: expect.stringContaining('"deadLetterStore"'),
    });
  });
});
