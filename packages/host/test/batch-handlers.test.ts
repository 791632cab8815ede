import type { ReceivedEventData } from "@azure/event-hubs";
import { describe, expect, it } from "vitest";
import { batchTrigger, type RegisteredBatchHandler } from "../src/batch-buffer.js";
import { type BatchHandler, type BatchHandlerOptions, resolveBatchOptions } from "../src/batch-handler.js";
import { event } from "./helpers.js";
import { receiving, setup } from "./scripted-worker.js";

function batchHandler(id: string, options: BatchHandlerOptions, handler: BatchHandler): RegisteredBatchHandler {
  return { id, handler, options: resolveBatchOptions(options) };
}

/** A batch handler that records the sequence numbers of each batch it is given. */
function recording(id: string, options: BatchHandlerOptions) {
  const batches: number[][] = [];
  const signals: boolean[] = [];
  const registered = batchHandler(id, options, (events, context) => {
    batches.push(events.map((e) => e.sequenceNumber));
    signals.push(context.signal.aborted);
  });
  return { batches, signals, registered };
}

const events = (from: number, count: number): ReceivedEventData[] =>
  Array.from({ length: count }, (_, i) => event(from + i));

async function storedSequence(t: Awaited<ReturnType<typeof setup>>): Promise<number | undefined> {
  return (await t.checkpointer.getCheckpoint("0"))?.sequenceNumber;
}

describe("batch delivery rule", () => {
  const o = resolveBatchOptions({ maxBatchSize: 10, minBatchSize: 4, maxWaitTimeInSeconds: 2 });
  it("full at maxBatchSize, drained at minBatchSize, waited after maxWaitTimeInSeconds, closing always", () => {
    expect(batchTrigger(10, o, false, 0)).toBe("full");
    expect(batchTrigger(4, o, false, 0)).toBeUndefined();
    expect(batchTrigger(4, o, true, 0)).toBe("drained");
    expect(batchTrigger(3, o, true, 1999)).toBeUndefined();
    expect(batchTrigger(3, o, false, 2000)).toBe("waited");
    expect(batchTrigger(1, o, false, 0, true)).toBe("closing");
  });
  it("never an empty batch", () => {
    expect(batchTrigger(0, o, true, 10_000, true)).toBeUndefined();
  });
});

describe("batch handler options", () => {
  it.each([
    [{ maxBatchSize: 0 }, /"maxBatchSize" must be an integer of at least 1/],
    [{ maxBatchSize: 10, minBatchSize: 11 }, /"minBatchSize" must be an integer from 1 to "maxBatchSize" \(10\)/],
    [{ minBatchSize: 1.5 }, /"minBatchSize"/],
    [{ maxWaitTimeInSeconds: 0 }, /"maxWaitTimeInSeconds" must be a positive number/],
    [{ maxWaitTimeInSeconds: "5" as never }, /"maxWaitTimeInSeconds" must be a number/],
    [{ maxBatchsize: 5 } as never, /Unknown batch handler option "maxBatchsize"/],
  ])("refuses %j with an InvalidOption naming it", (options, message) => {
    let caught: unknown;
    try {
      resolveBatchOptions(options);
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ code: "InvalidOption" });
    expect((caught as Error).message).toMatch(message);
  });
  it("defaults follow @azure/event-hubs' subscribe where it has one", () => {
    expect(resolveBatchOptions(undefined)).toEqual({ maxBatchSize: 100, minBatchSize: 1, maxWaitTimeInSeconds: 60 });
  });
});

describe("batch handlers on a partition", () => {
  it("delivers full batches in order, then what is left once nothing more is waiting", async () => {
    const b = recording("b", { maxBatchSize: 3 });
    const t = await setup({}, { batchHandlers: [b.registered] });
    await receiving(t);
    // 7 events, fewer than the receiver's 100: it had nothing more waiting.
    await t.reader.deliver(events(0, 7));
    expect(b.batches).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
    expect(t.handled).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(t.worker.health().lastSequenceNumber).toBe(6);
  });

  it("the receive settings grow to the largest batch", async () => {
    const b = recording("b", { maxBatchSize: 500 });
    const t = await setup({ maxBatchSize: 50 }, { batchHandlers: [b.registered] });
    await receiving(t);
    expect(t.reader.options).toMatchObject({ maxBatchSize: 500, prefetchCount: 500 });
  });

  it("a batch below minBatchSize waits maxWaitTimeInSeconds from its first event, then goes as it is", async () => {
    const b = recording("b", { maxBatchSize: 100, minBatchSize: 10, maxWaitTimeInSeconds: 5 });
    const t = await setup({}, { batchHandlers: [b.registered] });
    await receiving(t);
    await t.reader.deliver(events(0, 3));
    await t.clock.advance(3000);
    await t.reader.deliver(events(3, 2));
    expect(b.batches).toEqual([]);
    // Nothing completed yet: the checkpoint cannot pass events a batch still holds.
    expect(t.worker.health().lastSequenceNumber).toBeUndefined();
    await t.clock.advance(1999);
    expect(b.batches).toEqual([]);
    await t.clock.advance(1);
    expect(b.batches).toEqual([[0, 1, 2, 3, 4]]);
    expect(t.worker.health().lastSequenceNumber).toBe(4);
    // The next batch counts its own wait.
    await t.reader.deliver(events(5, 10));
    expect(b.batches).toEqual([
      [0, 1, 2, 3, 4],
      [5, 6, 7, 8, 9, 10, 11, 12, 13, 14],
    ]);
  });

  it("the checkpoint never passes an event a batch holds; it moves once the batch resolves", async () => {
    const b = recording("b", { maxBatchSize: 100, minBatchSize: 5, maxWaitTimeInSeconds: 60 });
    const t = await setup({ checkpoint: { everyEvents: 1 } }, { batchHandlers: [b.registered] });
    await receiving(t);
    await t.reader.deliver(events(0, 3));
    await t.clock.advance(10_000);
    // The per-event handler is done with all three, the batch handler with none.
    expect(t.handled).toEqual([0, 1, 2]);
    expect(await storedSequence(t)).toBeUndefined();
    await t.reader.deliver(events(3, 2));
    await t.clock.advance(0);
    expect(b.batches).toEqual([[0, 1, 2, 3, 4]]);
    expect(await storedSequence(t)).toBe(4);
  });

  it("closing delivers the held batch, with context.signal fired, before the final checkpoint", async () => {
    const b = recording("b", { maxBatchSize: 100, minBatchSize: 50 });
    const t = await setup({}, { batchHandlers: [b.registered] });
    await receiving(t);
    await t.reader.deliver(events(0, 4));
    expect(b.batches).toEqual([]);
    const stopping = t.worker.stop("shutdown");
    for (let i = 0; i < 20 && t.closed.length === 0; i++) await t.clock.advance(0);
    await stopping;
    expect(b.batches).toEqual([[0, 1, 2, 3]]);
    expect(b.signals).toEqual([true]);
    expect(t.closed[0]?.checkpoint?.sequenceNumber).toBe(3);
    expect(await storedSequence(t)).toBe(3);
  });

  it("a failing batch is retried whole; stopPartition then stops the partition before the batch", async () => {
    const given: number[][] = [];
    const b = batchHandler("b", { maxBatchSize: 3 }, (evs) => {
      given.push(evs.map((e) => e.sequenceNumber));
      if (evs[0]?.sequenceNumber === 3) throw new Error("cannot store 3..5");
    });
    const retry = { maxAttempts: 3, initialDelay: 10, maxDelay: 10 };
    const t = await setup({ handlerRetry: retry }, { batchHandlers: [b] });
    await receiving(t);
    const delivering = t.reader.deliver(events(0, 9));
    await t.clock.advance(100);
    await delivering;
    for (let i = 0; i < 20 && t.closed.length === 0; i++) await t.clock.advance(0);
    expect(given).toEqual([
      [0, 1, 2],
      [3, 4, 5],
      [3, 4, 5],
      [3, 4, 5],
    ]);
    const reports = t.errors.filter((e) => e.operation === "handler");
    expect(reports.map((e) => [e.handlerId, e.attempt, e.willRetry, e.action, e.events?.length])).toEqual([
      ["b", 1, true, undefined, 3],
      ["b", 2, true, undefined, 3],
      ["b", 3, false, "stopPartition", 3],
    ]);
    expect(t.closed[0]).toMatchObject({ reason: "failed", checkpoint: { sequenceNumber: 2 } });
    expect(t.worker.health().state).toBe("failed");
  });

  it("skipEvent: a batch that keeps failing counts as skipped, and the partition goes on", async () => {
    const given: number[][] = [];
    const b = batchHandler("b", { maxBatchSize: 2 }, (evs) => {
      given.push(evs.map((e) => e.sequenceNumber));
      if (evs[0]?.sequenceNumber === 0) throw new Error("poison");
    });
    const t = await setup({ handlerRetry: { maxAttempts: 1 }, onHandlerFailure: "skipEvent" }, { batchHandlers: [b] });
    await receiving(t);
    await t.reader.deliver(events(0, 4));
    expect(given).toEqual([
      [0, 1],
      [2, 3],
    ]);
    expect(t.worker.health()).toMatchObject({ eventsSkipped: 2, eventsProcessed: 4, lastSequenceNumber: 3 });
  });

  it("context.checkpoint(event) stores that event now, or what every handler is done with", async () => {
    let slow: ((value?: unknown) => void) | undefined;
    const fast = batchHandler("fast", { maxBatchSize: 4 }, async (evs, context) => {
      await context.checkpoint(evs[1]);
      if (evs[0]?.sequenceNumber === 0) await new Promise((resolve) => (slow = resolve));
    });
    const t = await setup({ checkpoint: { mode: "manual" } }, { batchHandlers: [fast] });
    await receiving(t);
    const delivering = t.reader.deliver(events(0, 4));
    await t.clock.advance(0);
    expect(await storedSequence(t)).toBe(1);
    slow?.();
    await delivering;

    // A second batch handler still holding events 4..5 keeps the first one's checkpoint at 3.
    const holder = recording("holder", { maxBatchSize: 100, minBatchSize: 100, maxWaitTimeInSeconds: 60 });
    let rejected: unknown;
    const fastAgain = batchHandler("fast", { maxBatchSize: 2 }, async (_events, context) => {
      await context.checkpoint();
      await context.checkpoint(event(99)).catch((error: unknown) => {
        rejected = error;
      });
    });
    const u = await setup({ checkpoint: { mode: "manual" } }, { batchHandlers: [holder.registered, fastAgain] });
    await receiving(u);
    await u.reader.deliver(events(0, 2));
    expect(await storedSequence(u)).toBeUndefined();
    expect(rejected).toMatchObject({ code: "InvalidOption" });
    // Once the holder's batch is done, the position the first one asked for goes out.
    await u.clock.advance(60_000);
    expect(holder.batches).toEqual([[0, 1]]);
    expect(await storedSequence(u)).toBe(1);
  });

  it("per-event and batch handlers together: every event reaches both, the batch after the per-event ones", async () => {
    const order: string[] = [];
    const t = await setup(
      {},
      {
        handlers: [["e", (e) => void order.push(`event ${e.sequenceNumber}`)]],
        batchHandlers: [
          batchHandler("b", { maxBatchSize: 2 }, (evs) => void order.push(`batch ${evs.map((e) => e.sequenceNumber)}`)),
        ],
      },
    );
    await receiving(t);
    await t.reader.deliver(events(0, 3));
    expect(order).toEqual(["event 0", "event 1", "batch 0,1", "event 2", "batch 2"]);
  });

  it("handlerTimeout applies per batch: reported, its signal fired, the policy applies; health shows the call", async () => {
    const signals: AbortSignal[] = [];
    const stuck = batchHandler("stuck", { maxBatchSize: 2 }, (evs, context) => {
      signals.push(context.signal);
      if (evs[0]?.sequenceNumber === 0) return new Promise<void>(() => undefined);
    });
    const t = await setup(
      { handlerTimeout: 2000, handlerRetry: { maxAttempts: 1 }, onHandlerFailure: "skipEvent" },
      { batchHandlers: [stuck] },
    );
    await receiving(t);
    const delivering = t.reader.deliver(events(0, 4));
    await t.clock.advance(1500);
    expect(t.worker.health().oldestRunningHandler).toEqual({
      handlerId: "stuck",
      sequenceNumber: 0,
      since: 0,
      runningFor: 1500,
    });
    await t.clock.advance(500);
    await delivering;
    expect(t.errors.map((e) => [e.handlerId, e.events?.length, (e.error as { code?: string }).code, e.action])).toEqual(
      [["stuck", 2, "HandlerTimeout", "skipEvent"]],
    );
    expect(signals.map((s) => s.aborted)).toEqual([true, false]);
    expect(t.worker.health()).toMatchObject({ eventsSkipped: 2, lastSequenceNumber: 3 });
  });
});
