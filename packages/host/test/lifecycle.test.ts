import type { ReceivedEventData } from "@azure/event-hubs";
import type { Checkpointer, Leaser } from "@eph/core";
import { ManualClock } from "@eph/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EventProcessorHost } from "../src/index.js";
import {
  type Emulator,
  fastTiming,
  memoryHost,
  memoryStores,
  Recorder,
  send,
  sendToAll,
  startEmulator,
  waitFor,
} from "./helpers.js";

describe("host lifecycle", () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator({
      hubs: { resume: 2, provision: 1, grow: 2, unreg: 2, manual: 1, abort: 1, latest: 1, lag: 1, stuck: 1 },
    });
  });
  afterAll(async () => {
    await emu?.close();
  });

  it("a restarted host resumes after the stored checkpoints", async () => {
    const stores = memoryStores();
    const rec = new Recorder();
    await sendToAll(emu, "resume", ["0", "1"], 20);
    const first = await memoryHost(emu, "resume", stores, rec, { hostName: "same-name" });
    await first.startNonBlocking();
    await waitFor(() => rec.deliveries.length === 40, "the first 40 events");
    await first.close();

    const later = await sendToAll(emu, "resume", ["0", "1"], 10, "later-");
    const rec2 = new Recorder();
    const opened: (number | undefined)[] = [];
    const second = await memoryHost(emu, "resume", stores, rec2, {
      hostName: "same-name",
      onPartitionOpened: (info) => opened.push(info.checkpoint?.sequenceNumber),
    });
    await second.startNonBlocking();
    await waitFor(() => rec2.deliveries.length === 20, "the 20 new events");
    expect(opened).toEqual([19, 19]);
    expect([...rec2.distinct()].sort()).toEqual([...later].sort());
    expect(Math.min(...rec2.deliveries.map((d) => d.sequenceNumber))).toBe(20);
    await second.close();
  });

  it("provisions the stores at start only when they were missing at creation (found while the hub was read)", async () => {
    const stores = memoryStores();
    const ensured: string[] = [];
    const counting = <T extends Leaser | Checkpointer>(store: T, name: string): T =>
      new Proxy(store, {
        get(target, key, receiver) {
          const value = Reflect.get(target, key, receiver);
          if (key !== "ensureStore" || typeof value !== "function")
            return typeof value === "function" ? value.bind(target) : value;
          return (...args: unknown[]) => {
            ensured.push(name);
            return value.apply(target, args);
          };
        },
      });
    const start = async () => {
      const host = await EventProcessorHost.fromConnectionString(
        emu.connectionString("provision"),
        counting(stores.leaser(), "leases"),
        counting(stores.checkpointer(), "checkpoints"),
        { noBanner: true, ...fastTiming },
      );
      host.registerHandler(() => undefined);
      await host.startNonBlocking();
      await host.close();
    };
    await start();
    expect(ensured.sort()).toEqual(["checkpoints", "leases"]);
    ensured.length = 0;
    await start();
    expect(ensured, "both stores existed: no provisioning round trip before the first scan").toEqual([]);
  });

  it("is created without waiting for a store that does not answer", async () => {
    const stores = memoryStores();
    const leaser = stores.leaser();
    const silent = new Proxy(leaser, {
      get(target, key, receiver) {
        if (key === "storeExists") return () => new Promise<boolean>(() => undefined);
        const value = Reflect.get(target, key, receiver);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    // On a clock that never moves, the probe's deadline never fires: creation completes only if it
    // does not wait for the probe.
    const host = await EventProcessorHost.fromConnectionString(
      emu.connectionString("provision"),
      silent,
      stores.checkpointer(),
      { noBanner: true, ...fastTiming, clock: new ManualClock() },
    );
    expect(host.getPartitionIds()).toEqual(["0"]);
    await host.close();
  });

  it("picks up partitions added to the hub while running", async () => {
    const stores = memoryStores();
    const rec = new Recorder();
    const host = await memoryHost(emu, "grow", stores, rec);
    await host.startNonBlocking();
    await waitFor(() => host.partitionIdsBeingProcessed().length === 2, "two partitions");
    const added = emu.addPartitions("grow", 2);
    expect(added).toEqual(["2", "3"]);
    await waitFor(() => host.partitionIdsBeingProcessed().length === 4, "the added partitions are read");
    expect(host.getPartitionIds()).toEqual(["0", "1", "2", "3"]);
    await send(emu, "grow", "3", 5);
    await waitFor(() => rec.deliveries.filter((d) => d.partitionId === "3").length === 5, "events of partition 3");
    await host.close();
  });

  it("unregistering the last handler closes the host, ends start() and releases the leases", async () => {
    const stores = memoryStores();
    const rec = new Recorder();
    const host = await memoryHost(emu, "unreg", stores, rec);
    const second = host.registerHandler(async () => undefined);
    const [first] = host.registeredHandlerIds();
    let ended = false;
    const running = host.start().then(() => {
      ended = true;
    });
    await waitFor(() => host.partitionIdsBeingProcessed().length === 2, "running");
    await host.unregisterHandler(second);
    expect(host.health().state).toBe("running");
    expect(ended).toBe(false);
    await host.unregisterHandler(first as string);
    await running;
    expect(host.health().state).toBe("closed");
    expect(host.registeredHandlerIds()).toEqual([]);
    const observer = stores.leaser();
    observer.setEventProcessorHost({
      hostName: "observer",
      fullyQualifiedNamespace: host.fullyQualifiedNamespace,
      eventHubName: "unreg",
      consumerGroup: "$Default",
    });
    const leases = await observer.getLeases();
    expect(leases.map((l) => l.owner)).toEqual(["", ""]);
    expect(() => host.registerHandler(async () => undefined)).toThrow(/closed/);
  });

  it("manual checkpoints store only what handlers confirmed, and are flushed on close", async () => {
    const stores = memoryStores();
    await send(emu, "manual", "0", 10);
    const closes: (number | undefined)[] = [];
    const host = await EventProcessorHost.fromConnectionString(
      emu.connectionString("manual"),
      stores.leaser(),
      stores.checkpointer(),
      {
        noBanner: true,
        ...fastTiming,
        checkpoint: { mode: "manual" },
        onPartitionClosed: (info) => closes.push(info.checkpoint?.sequenceNumber),
      },
    );
    const stored: number[] = [];
    host.registerHandler(async (event: ReceivedEventData, context) => {
      if (event.sequenceNumber === 6) {
        await context.checkpoint();
        stored.push(event.sequenceNumber);
      }
    });
    await host.startNonBlocking();
    await waitFor(() => host.health().partitions[0]?.eventsProcessed === 10, "ten events");
    expect(stored).toEqual([6]);
    expect(host.health().partitions[0]?.checkpoint?.sequenceNumber).toBe(6);
    await host.close();
    // Events 7-9 were handled but never confirmed: close does not store them.
    expect(closes).toEqual([6]);
  });

  it("the abortSignal option closes the host and start() resolves", async () => {
    const stores = memoryStores();
    const rec = new Recorder();
    const controller = new AbortController();
    const host = await memoryHost(emu, "abort", stores, rec, { abortSignal: controller.signal });
    const running = host.start();
    await waitFor(() => host.partitionIdsBeingProcessed().length === 1, "running");
    controller.abort();
    await running;
    expect(host.health().state).toBe("closed");
  });

  it("starts at the latest event when told to", async () => {
    const stores = memoryStores();
    const rec = new Recorder();
    await send(emu, "latest", "0", 5, "old");
    const host = await memoryHost(emu, "latest", stores, rec, { initialPosition: () => "latest" });
    await host.startNonBlocking();
    await waitFor(() => host.health().partitions[0]?.lastReceiveAt !== undefined, "the receiver is open");
    await send(emu, "latest", "0", 3, "new");
    await waitFor(() => rec.deliveries.length === 3, "the new events");
    expect(rec.deliveries.map((d) => d.body)).toEqual(["new-0", "new-1", "new-2"]);
    await host.close();
  });

  it("health() shows the lag (with last-enqueued tracking) and the last receive time, so a stalled host can be told apart", async () => {
    const stores = memoryStores();
    await send(emu, "lag", "0", 50);
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const host = await EventProcessorHost.fromConnectionString(
      emu.connectionString("lag"),
      stores.leaser(),
      stores.checkpointer(),
      {
        noBanner: true,
        ...fastTiming,
        maxWaitTimeInSeconds: 1,
        trackLastEnqueuedEventProperties: true,
        checkpoint: { everyEvents: 10, everyMs: 100 },
      },
    );
    host.registerHandler(async () => {
      await gate;
    });
    await host.startNonBlocking();
    await waitFor(
      () => host.health().partitions[0]?.lastEnqueuedSequenceNumber === 49,
      "the service's last sequence number",
    );
    const stalled = host.health().partitions[0];
    expect(stalled?.eventsProcessed).toBe(0);
    expect(stalled?.lag).toBe(50);
    expect(stalled?.state).toBe("receiving");
    release();
    await waitFor(() => host.health().partitions[0]?.lag === 0, "caught up and checkpointed");
    const caughtUp = host.health();
    expect(caughtUp.eventsProcessed).toBe(50);
    expect(caughtUp.partitions[0]?.checkpoint?.sequenceNumber).toBe(49);
    const before = caughtUp.partitions[0]?.lastReceiveAt ?? 0;
    // Even with no traffic the receiver reports every maxWaitTimeInSeconds: a live host stays fresh.
    await waitFor(() => (host.health().partitions[0]?.lastReceiveAt ?? 0) > before, "an idle round");
    await host.close();
  });

  it("close() settles even when a handler never returns, keeping the checkpoint before that event", async () => {
    const stores = memoryStores();
    await send(emu, "stuck", "0", 6);
    const rec = new Recorder();
    const host = await EventProcessorHost.fromConnectionString(
      emu.connectionString("stuck"),
      stores.leaser(),
      stores.checkpointer(),
      {
        noBanner: true,
        ...fastTiming,
        drainTimeout: 300,
        onError: (info) => rec.errors.push(info),
        onPartitionClosed: (info) => rec.closes.push({ ...info, host: "h" }),
      },
    );
    const handled: number[] = [];
    let aborted = false;
    host.registerHandler(async (event: ReceivedEventData, context) => {
      if (event.sequenceNumber === 3) {
        context.signal.addEventListener("abort", () => {
          aborted = true;
        });
        await new Promise(() => undefined);
      }
      handled.push(event.sequenceNumber);
    });
    await host.startNonBlocking();
    await waitFor(() => handled.length === 3, "the events before the stuck one");
    await host.close();
    expect(aborted).toBe(true);
    expect(rec.closes.map((c) => [c.reason, c.checkpoint?.sequenceNumber])).toEqual([["shutdown", 2]]);
    expect(rec.errors.map((e) => [e.operation, e.willRetry])).toContainEqual(["handler", false]);
  });
});
