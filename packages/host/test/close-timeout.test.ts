import type { ReceivedEventData } from "@azure/event-hubs";
import { MemoryCheckpointer, type MemoryStoreInterceptor } from "@eph/checkpointer-memory";
import { isEphError } from "@eph/core";
import { MemoryLeaser } from "@eph/leaser-memory";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveHostOptions } from "../src/host-options.js";
import { EventProcessorHost } from "../src/index.js";
import {
  type Emulator,
  fastTiming,
  memoryStores,
  Recorder,
  send,
  sendToAll,
  startEmulator,
  waitFor,
} from "./helpers.js";

const base = { noBanner: true, ...fastTiming, maxWaitTimeInSeconds: 1 } as const;

describe("closeTimeout", () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator({ hubs: { stuck: 1, slow: 4 } });
  });
  afterAll(async () => {
    await emu?.close();
  });

  it("cuts the drain of a handler that never returns so the final checkpoint and release still fit", async () => {
    const stores = memoryStores();
    await send(emu, "stuck", "0", 6);
    const rec = new Recorder();
    const host = await EventProcessorHost.fromConnectionString(
      emu.connectionString("stuck"),
      stores.leaser(),
      stores.checkpointer(),
      {
        ...base,
        // drainTimeout alone would hold close() for 30 s.
        drainTimeout: 30_000,
        closeTimeout: 3000,
        onError: (info) => rec.errors.push(info),
        onPartitionClosed: (info) => rec.closes.push({ ...info, host: "h" }),
      },
    );
    const handled: number[] = [];
    host.registerHandler(async (event: ReceivedEventData) => {
      if (event.sequenceNumber === 3) await new Promise(() => undefined);
      handled.push(event.sequenceNumber);
    });
    await host.startNonBlocking();
    await waitFor(() => handled.length === 3, "the events before the stuck one");
    const started = Date.now();
    await host.close();
    const took = Date.now() - started;
    expect(took).toBeLessThan(3000 + 500);
    // The drain was cut at closeTimeout - 4 × operationTimeout, leaving time for what follows.
    expect(took).toBeGreaterThanOrEqual(3000 - 4 * fastTiming.operationTimeout - 100);
    expect(rec.closes.map((c) => [c.reason, c.checkpoint?.sequenceNumber])).toEqual([["shutdown", 2]]);
    const observer = stores.leaser();
    observer.setEventProcessorHost({
      hostName: "observer",
      fullyQualifiedNamespace: host.fullyQualifiedNamespace,
      eventHubName: "stuck",
      consumerGroup: "$Default",
    });
    expect((await observer.getLeases()).map((l) => l.owner)).toEqual([""]);
    expect(rec.errors.filter((e) => e.operation === "close")).toEqual([]);
  });

  it("returns within closeTimeout when the store is too slow, reporting each checkpoint and release it cut short", async () => {
    const stores = memoryStores();
    await sendToAll(emu, "slow", ["0", "1", "2", "3"], 5);
    let closing = false;
    // Once the host is closing, every store call takes 450 ms (within its 500 ms deadline), and the
    // host sends one at a time: 4 final checkpoints and 4 releases need 3.6 s, closeTimeout gives 1.5 s.
    const slow: MemoryStoreInterceptor = async (_call, apply) => {
      if (closing) await new Promise((resolve) => setTimeout(resolve, 450));
      else await Promise.resolve();
      return apply();
    };
    const rec = new Recorder();
    const lines: string[] = [];
    const host = await EventProcessorHost.fromConnectionString(
      emu.connectionString("slow"),
      new MemoryLeaser({ store: stores.leases, interceptor: slow }),
      new MemoryCheckpointer({ store: stores.checkpoints, interceptor: slow }),
      {
        ...base,
        closeTimeout: 1500,
        maxConcurrentStoreCalls: 1,
        onError: (info) => rec.errors.push(info),
        logger: {
          error: (m: string) => lines.push(m),
          warning: (m: string) => lines.push(m),
          info: () => undefined,
          verbose: () => undefined,
        },
      },
    );
    host.registerHandler(rec.handler(() => "h"));
    await host.startNonBlocking();
    await waitFor(() => rec.deliveries.length === 20, "all 20 events");
    closing = true;
    const started = Date.now();
    await host.close();
    expect(Date.now() - started).toBeLessThan(1500 + 500);
    // Per partition; the connection's close, which had no time left, is reported without one.
    const cut = rec.errors.filter((e) => e.operation === "close" && e.partitionId !== undefined);
    expect(cut.length).toBeGreaterThan(0);
    for (const e of cut) {
      expect(isEphError(e.error, "Aborted")).toBe(true);
      expect(e.partitionId).toMatch(/^[0-3]$/);
    }
    const notReleased = cut
      .filter((e) => String((e.error as Error).message).includes("lease"))
      .map((e) => e.partitionId);
    // Every lease it did not report is released, and every one it reported is still owned by it.
    closing = false;
    const observer = stores.leaser();
    observer.setEventProcessorHost({
      hostName: "observer",
      fullyQualifiedNamespace: host.fullyQualifiedNamespace,
      eventHubName: "slow",
      consumerGroup: "$Default",
    });
    const leases = await observer.getLeases();
    expect(
      leases
        .filter((l) => l.owner !== "")
        .map((l) => l.partitionId)
        .sort(),
    ).toEqual([...notReleased].sort());
    expect(notReleased.length).toBeGreaterThan(0);
    expect(lines.some((l) => l.includes("cut short by closeTimeout (1500 ms)"))).toBe(true);
  });
});

describe("closeTimeout and maxConcurrentStoreCalls options", () => {
  it("defaults closeTimeout to drainTimeout + 4 × operationTimeout", () => {
    expect(resolveHostOptions({}).closeTimeout).toBe(30_000 + 4 * 2500);
    expect(resolveHostOptions({ drainTimeout: 1000, operationTimeout: 1000 }).closeTimeout).toBe(5000);
    expect(resolveHostOptions({}).timing.maxConcurrentCalls).toBe(32);
  });

  it.each([
    [{ closeTimeout: 0 }, "closeTimeout"],
    [{ closeTimeout: 1999, operationTimeout: 1000 }, "closeTimeout"],
    [{ closeTimeout: Number.NaN }, "closeTimeout"],
    [{ maxConcurrentStoreCalls: 0 }, "maxConcurrentStoreCalls"],
    [{ maxConcurrentStoreCalls: 2.5 }, "maxConcurrentStoreCalls"],
  ])("refuses %o naming %s", (options, name) => {
    expect(() => resolveHostOptions(options)).toThrow(expect.objectContaining({ code: "InvalidOption" }));
    expect(() => resolveHostOptions(options)).toThrow(name);
  });
});
