import type { ReceivedEventData } from "@azure/event-hubs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EventProcessorHost } from "../src/index.js";
import { type Emulator, fastTiming, memoryStores, Recorder, send, startEmulator, waitFor } from "./helpers.js";

const quickRetry = { maxAttempts: 3, initialDelay: 10, maxDelay: 20 };

describe("handler failures", () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator({ hubs: { stop: 2, skip: 2, retry: 1, hang: 1 } });
  });
  afterAll(async () => {
    await emu?.close();
  });

  async function host(hub: string, stores: ReturnType<typeof memoryStores>, rec: Recorder, extra = {}) {
    return EventProcessorHost.fromConnectionString(emu.connectionString(hub), stores.leaser(), stores.checkpointer(), {
      noBanner: true,
      ...fastTiming,
      maxWaitTimeInSeconds: 1,
      handlerRetry: quickRetry,
      onError: (info) => rec.errors.push(info),
      onPartitionClosed: (info) => rec.closes.push({ ...info, host: "h" }),
      ...extra,
    });
  }

  it("stopPartition (default): retries, reports, stops the partition before the event; a restart retries it", async () => {
    const stores = memoryStores();
    const rec = new Recorder();
    await send(emu, "stop", "0", 10);
    await send(emu, "stop", "1", 10);
    const first = await host("stop", stores, rec);
    const record = rec.handler(() => "first");
    first.registerHandler(async (event: ReceivedEventData, context) => {
      if (event.body === "p0-5") throw new Error("cannot handle p0-5");
      await record(event, context);
    });
    await first.startNonBlocking();
    await waitFor(() => rec.closes.some((c) => c.reason === "failed"), "partition 0 stops");
    await waitFor(() => rec.deliveries.filter((d) => d.partitionId === "1").length === 10, "partition 1 goes on");

    const handlerErrors = rec.errors.filter((e) => e.operation === "handler");
    expect(handlerErrors.map((e) => [e.partitionId, e.event?.body, e.attempt, e.willRetry, e.action])).toEqual([
      ["0", "p0-5", 1, true, undefined],
      ["0", "p0-5", 2, true, undefined],
      ["0", "p0-5", 3, false, "stopPartition"],
    ]);
    expect((handlerErrors[2]?.error as Error | undefined)?.message).toBe("cannot handle p0-5");
    const closed = rec.closes.find((c) => c.reason === "failed");
    expect(closed?.partitionId).toBe("0");
    expect(closed?.checkpoint?.sequenceNumber).toBe(4);
    expect(rec.deliveries.filter((d) => d.partitionId === "0").map((d) => d.body)).toEqual([
      "p0-0",
      "p0-1",
      "p0-2",
      "p0-3",
      "p0-4",
    ]);
    const p0 = first.health().partitions.find((p) => p.partitionId === "0");
    expect(p0?.state).toBe("failed");
    expect(p0?.lastError).toContain("cannot handle p0-5");
    expect(first.partitionIdsBeingProcessed()).toEqual(["1"]);
    await first.close();

    // The event was not checkpointed past: the next owner is given it again.
    const again = new Recorder();
    const second = await host("stop", stores, again);
    second.registerHandler(again.handler(() => "second"));
    await second.startNonBlocking();
    await waitFor(() => again.deliveries.length === 5, "the rest of partition 0");
    expect(again.deliveries.map((d) => d.body)).toEqual(["p0-5", "p0-6", "p0-7", "p0-8", "p0-9"]);
    await second.close();
  });

  it("skipEvent: reports the event as skipped and goes on past it", async () => {
    const stores = memoryStores();
    const rec = new Recorder();
    await send(emu, "skip", "0", 10);
    const h = await host("skip", stores, rec, { onHandlerFailure: "skipEvent" });
    const record = rec.handler(() => "h");
    h.registerHandler(async (event: ReceivedEventData, context) => {
      if (event.body === "p0-5") throw new Error("poison");
      await record(event, context);
    });
    await h.startNonBlocking();
    await waitFor(() => rec.deliveries.length === 9, "the other nine events");
    const final = rec.errors.filter((e) => e.operation === "handler" && !e.willRetry);
    expect(final.map((e) => [e.event?.body, e.action])).toEqual([["p0-5", "skipEvent"]]);
    const p0 = h.health().partitions.find((p) => p.partitionId === "0");
    expect(p0?.eventsSkipped).toBe(1);
    expect(p0?.eventsProcessed).toBe(10);
    await h.close();
    expect(rec.closes.find((c) => c.partitionId === "0")?.checkpoint?.sequenceNumber).toBe(9);
  });

  it("every handler gets every event; only the failed handler is retried", async () => {
    const stores = memoryStores();
    const rec = new Recorder();
    await send(emu, "retry", "0", 5);
    const h = await host("retry", stores, rec);
    const calls: string[] = [];
    let failedOnce = false;
    h.registerHandler(async (event: ReceivedEventData) => {
      calls.push(`flaky:${event.body}`);
      if (event.body === "p0-2" && !failedOnce) {
        failedOnce = true;
        throw new Error("transient");
      }
    });
    h.registerHandler(async (event: ReceivedEventData) => {
      calls.push(`steady:${event.body}`);
    });
    expect(h.registeredHandlerIds()).toHaveLength(2);
    await h.startNonBlocking();
    await waitFor(() => calls.includes("steady:p0-4") && calls.includes("flaky:p0-4"), "all five events");
    expect(calls.filter((c) => c.startsWith("steady:"))).toEqual(
      ["p0-0", "p0-1", "p0-2", "p0-3", "p0-4"].map((b) => `steady:${b}`),
    );
    expect(calls.filter((c) => c.startsWith("flaky:"))).toEqual(
      ["p0-0", "p0-1", "p0-2", "p0-2", "p0-3", "p0-4"].map((b) => `flaky:${b}`),
    );
    // Events of a partition are handled one at a time: p0-3 started only after the retry of p0-2.
    expect(calls.indexOf("steady:p0-3")).toBeGreaterThan(calls.lastIndexOf("flaky:p0-2"));
    expect(rec.errors.map((e) => [e.operation, e.attempt, e.willRetry])).toEqual([["handler", 1, true]]);
    await h.close();
  });

  it("handlerTimeout: a handler that never settles is reported, signalled and skipped; health shows it", async () => {
    const stores = memoryStores();
    const rec = new Recorder();
    await send(emu, "hang", "0", 4);
    const h = await host("hang", stores, rec, {
      handlerTimeout: 300,
      handlerRetry: { maxAttempts: 1 },
      onHandlerFailure: "skipEvent",
    });
    const record = rec.handler(() => "h");
    let signalled = false;
    h.registerHandler(async (event: ReceivedEventData, context) => {
      if (event.body === "p0-1") {
        context.signal.addEventListener("abort", () => {
          signalled = true;
        });
        return new Promise<void>(() => undefined);
      }
      await record(event, context);
    });
    await h.startNonBlocking();
    await waitFor(() => rec.deliveries.length === 3, "the three other events");
    expect(signalled).toBe(true);
    const timeouts = rec.errors.filter((e) => e.operation === "handler");
    expect(timeouts.map((e) => [e.partitionId, e.event?.sequenceNumber, (e.error as { code?: string }).code])).toEqual([
      ["0", 1, "HandlerTimeout"],
    ]);
    expect(h.health().partitions[0]?.oldestRunningHandler).toMatchObject({ sequenceNumber: 1 });
    await h.close();
  });
});
