/** A partition worker driven by hand: a scripted receiver, memory stores, a `ManualClock`. */
import type {
  PartitionContext,
  ReceivedEventData,
  SubscribeOptions,
  Subscription,
  SubscriptionEventHandlers,
} from "@azure/event-hubs";
import { type HandlerID, StoreCallQueue } from "@eph/core";
import { ManualClock } from "@eph/core/testing";
import { expect } from "vitest";
import type { RegisteredBatchHandler } from "../src/batch-buffer.js";
import type { EventHandler } from "../src/handler.js";
import type { HostErrorInfo, PartitionClosedInfo } from "../src/host-events.js";
import { noHostMetrics } from "../src/host-metrics.js";
import { type EventProcessorHostOptions, resolveHostOptions } from "../src/host-options.js";
import type { InFlightEvents } from "../src/in-flight-events.js";
import { noHostTracing } from "../src/otel-tracing.js";
import { type LeaseGuard, type PartitionReader, PartitionWorker } from "../src/partition-worker.js";
import { memoryStores } from "./helpers.js";

/** A reader that hands the worker's subscription to the test, which then plays the receiver. */
export class ScriptedReader implements PartitionReader {
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

export interface Setup {
  epoch?: number;
  previousOwner?: string;
  /** The per-event handlers (default: one that records the sequence numbers in `handled`). */
  handlers?: ReadonlyArray<readonly [HandlerID, EventHandler]>;
  batchHandlers?: readonly RegisteredBatchHandler[];
  /** A host-wide `maxInFlightEvents` cap shared with other workers. */
  inFlight?: InFlightEvents;
}

export async function setup(options: EventProcessorHostOptions = {}, lease: Setup = {}) {
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
  const handlers: ReadonlyArray<readonly [HandlerID, EventHandler]> = lease.handlers ?? [["h", handler]];
  const batchHandlers = lease.batchHandlers ?? [];
  const errors: HostErrorInfo[] = [];
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
      batchHandlers: () => batchHandlers,
      inFlight: lease.inFlight,
      log: { error: () => undefined, warning: () => undefined, info: () => undefined, verbose: () => undefined },
      secrets: [],
      reportError: (info) => errors.push(info),
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
    errors,
    loseLease: () => {
      owned = false;
    },
  };
}

export async function receiving(t: Awaited<ReturnType<typeof setup>>): Promise<void> {
  t.worker.start();
  for (let i = 0; i < 10 && !t.worker.isReceiving; i++) await t.clock.advance(0);
  expect(t.worker.isReceiving).toBe(true);
}
