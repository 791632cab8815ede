import type {
  PartitionContext,
  ReceivedEventData,
  SubscribeOptions,
  Subscription,
  SubscriptionEventHandlers,
} from "@azure/event-hubs";
import { type HandlerID, StoreCallQueue } from "@eph/core";
import { ManualClock } from "@eph/core/testing";
import { describe, expect, it } from "vitest";
import type { EventHandler } from "../src/handler.js";
import type { PartitionClosedInfo } from "../src/host-events.js";
import { noHostMetrics } from "../src/host-metrics.js";
import { type EventProcessorHostOptions, resolveHostOptions } from "../src/host-options.js";
import { noHostTracing } from "../src/otel-tracing.js";
import { type LeaseGuard, type PartitionReader, PartitionWorker } from "../src/partition-worker.js";
import { event, memoryStores } from "./helpers.js";

/** A reader that hands the worker's subscription to the test, which then plays the receiver. */
class ScriptedReader implements PartitionReader {
  handlers: SubscriptionEventHandlers | undefined;
  options: SubscribeOptions | undefined;

  subscribe(_partitionId: string, handlers: SubscriptionEventHandlers, options?: SubscribeOptions): Subscription {
    this.handlers = handlers;
    this.options = options;
    return { isRunning: true, close: async () => undefined };
  }

  deliver(events: ReceivedEventData[]): Promise<void> {
    const context = { partitionId: "0" } as PartitionContext;
    return this.handlers?.processEvents(events, context) ?? Promise.resolve();
  }
}

async function setup(options: EventProcessorHostOptions = {}, lease: { epoch?: number; previousOwner?: string } = {}) {
  const clock = new ManualClock();
  const reader = new ScriptedReader();
  let owned = true;
  const leases: LeaseGuard = {
    isOwned: () => owned,
    verifyLease: async () => owned,
  };
  const handled: number[] = [];
  const closed: PartitionClosedInfo[] = [];
  const handler: EventHandler = (e) => {
    handled.push(e.sequenceNumber);
  };
  const handlers: ReadonlyArray<readonly [HandlerID, EventHandler]> = [["h", handler]];
  const checkpointer = memoryStores().checkpointer();
  checkpointer.setEventProcessorHost?.({
    hostName: "h",
    fullyQualifiedNamespace: "ns.example",
    eventHubName: "hub",
    consumerGroup: "$Default",
  });
  await checkpointer.ensureStore();
  const resolved = resolveHostOptions({ clock, noBanner: true, ...options });
  const worker = new PartitionWorker(
    {
      reader,
      checkpointer,
      storeCalls: new StoreCallQueue({ clock, maxConcurrentCalls: resolved.timing.maxConcurrentCalls }),
      leases,
      options: resolved,
      handlers: () => handlers,
      log: { error: () => undefined, warning: () => undefined, info: () => undefined, verbose: () => undefined },
      secrets: [],
      reportError: () => undefined,
      opened: () => undefined,
      closed: (info) => closed.push(info),
      metrics: () => noHostMetrics,
      tracing: () => noHostTracing,
      countEvent: () => undefined,
      drainTimeout: () => resolved.drainTimeout,
    },
    "0",
    lease.epoch ?? 1,
    lease.previousOwner,
  );
  return {
    clock,
    reader,
    worker,
    checkpointer,
    handled,
    closed,
    loseLease: () => {
      owned = false;
    },
  };
}

async function receiving(t: Awaited<ReturnType<typeof setup>>): Promise<void> {
  t.worker.start();
  for (let i = 0; i < 10 && !t.worker.isReceiving; i++) await t.clock.advance(0);
  expect(t.worker.isReceiving).toBe(true);
}

describe("PartitionWorker", () => {
  it("hands no more events to the handlers once the lease is past its local deadline", async () => {
    const t = await setup();
    await receiving(t);
    await t.reader.deliver([event(0), event(1)]);
    expect(t.handled).toEqual([0, 1]);
    // E.g. the process was paused longer than the lease and has just resumed: another host may own it.
    t.loseLease();
    await t.reader.deliver([event(2), event(3)]);
    expect(t.handled).toEqual([0, 1]);
    expect(t.worker.health().lastSequenceNumber).toBe(1);
  });

  it("starts a partition whose checkpoint read is slower than operationTimeout: each attempt waits longer", async () => {
    const t = await setup({ leaseDuration: 12_000, renewalInterval: 2000, scanInterval: 2000, operationTimeout: 1000 });
    // A store under a start-up burst: every read answers 1.5 s after it is sent, unless aborted first.
    const read = t.checkpointer.ensureCheckpoint.bind(t.checkpointer);
    t.checkpointer.ensureCheckpoint = (partitionId, options) =>
      new Promise((resolve, reject) => {
        const timer = t.clock.setTimeout(() => resolve(read(partitionId, { epoch: options.epoch })), 1500);
        options.abortSignal?.addEventListener("abort", () => {
          t.clock.clearTimeout(timer);
          reject(options.abortSignal?.reason);
        });
      });
    t.worker.start();
    for (let i = 0; i < 100 && !t.worker.isReceiving; i++) await t.clock.advance(100);
    expect(t.worker.isReceiving).toBe(true);
  });

  it("reads with the lease epoch as owner level, and asks for last-enqueued tracking only when told to", async () => {
    const plain = await setup();
    await receiving(plain);
    expect(plain.reader.options).toMatchObject({ ownerLevel: 1, trackLastEnqueuedEventProperties: false });
    expect(plain.worker.health().lag).toBeUndefined();

    const tracked = await setup({ trackLastEnqueuedEventProperties: true });
    await receiving(tracked);
    expect(tracked.reader.options).toMatchObject({ trackLastEnqueuedEventProperties: true });
  });

  it("reads a partition taken from a live owner as soon as that owner has handed it over", async () => {
    const timing = { leaseDuration: 6000, renewalInterval: 1000, scanInterval: 1000, handoffTimeout: 5000 };
    const t = await setup(timing, { epoch: 2, previousOwner: "old-owner" });
    t.worker.start();
    await t.clock.advance(1000);
    expect(t.worker.health().state).toBe("handoff");
    // The old owner stored its last position and raised the fence to its epoch + 1, this host's.
    await t.checkpointer.ensureCheckpoint("0", { epoch: 2 });
    await t.clock.advance(250);
    for (let i = 0; i < 10 && !t.worker.isReceiving; i++) await t.clock.advance(0);
    expect(t.worker.isReceiving).toBe(true);
    expect(t.clock.now()).toBeLessThan(5000);
  });

  it("without the old owner's word, waits out handoffTimeout", async () => {
    const timing = { leaseDuration: 6000, renewalInterval: 1000, scanInterval: 1000, handoffTimeout: 5000 };
    const t = await setup(timing, { epoch: 2, previousOwner: "old-owner" });
    t.worker.start();
    // A fence below this host's epoch is somebody older's: not the previous owner's signal.
    await t.checkpointer.ensureCheckpoint("0", { epoch: 1 });
    await t.clock.advance(4900);
    expect(t.worker.health().state).toBe("handoff");
    await t.clock.advance(100);
    for (let i = 0; i < 10 && !t.worker.isReceiving; i++) await t.clock.advance(0);
    expect(t.worker.isReceiving).toBe(true);
  });

  it("losing the partition to another host stores the last position, then raises the fence for the taker", async () => {
    const t = await setup();
    await receiving(t);
    await t.reader.deliver([event(0), event(1), event(2)]);
    const stopping = t.worker.stop("stolen");
    for (let i = 0; i < 20 && t.closed.length === 0; i++) await t.clock.advance(0);
    await stopping;
    expect(t.closed.map((c) => c.reason)).toEqual(["handoff"]);
    expect((await t.checkpointer.getCheckpoint("0"))?.sequenceNumber).toBe(2);
    expect(await t.checkpointer.getFence?.("0")).toBe(2);
  });
});
