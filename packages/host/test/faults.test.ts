import { MemoryCheckpointer } from "@eph/checkpointer-memory";
import type { Leaser } from "@eph/core";
import { MemoryLeaser, type MemoryStoreInterceptor } from "@eph/leaser-memory";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Emulator,
  fastTiming,
  keepSending,
  memoryHost,
  memoryStores,
  Recorder,
  send,
  startEmulator,
  waitFor,
} from "./helpers.js";

describe("faults", () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator({ hubs: { relink: 2, deposed: 4, crash: 4 } });
  });
  afterAll(async () => {
    await emu?.close();
  });

  it("a receiver whose link is stolen while the lease is still held reconnects, losing nothing", async () => {
    const stores = memoryStores();
    const rec = new Recorder();
    await send(emu, "relink", "0", 10, "before");
    const host = await memoryHost(emu, "relink", stores, rec);
    await host.startNonBlocking();
    await waitFor(() => rec.deliveries.length === 10, "the first events");
    await waitFor(() => host.partitionIdsBeingProcessed().length === 2, "both receivers open");
    expect(emu.faults.stealReceivers("relink", "0")).toBe(1);
    await waitFor(() => rec.errors.some((e) => e.operation === "receive" && e.partitionId === "0"), "the error");
    await send(emu, "relink", "0", 10, "after");
    await waitFor(() => rec.deliveries.length === 20, "the events sent after the fault");
    expect(rec.duplicates()).toEqual([]);
    const error = rec.errors.find((e) => e.operation === "receive");
    expect(error?.willRetry).toBe(true);
    expect(host.health().partitions.find((p) => p.partitionId === "0")?.epoch).toBe(1);
    await host.close();
  });

  it("a deposed owner whose link is stolen verifies its lease and does not reconnect", async () => {
    const stores = memoryStores();
    const rec = new Recorder();
    const host = await memoryHost(emu, "deposed", stores, rec, { hostName: "deposed" });
    await host.startNonBlocking();
    // A receiver has surely attached once it delivered a batch (an empty one after maxWaitTimeInSeconds).
    await waitFor(
      () => host.health().partitions.filter((p) => p.lastReceiveAt !== undefined).length === 4,
      "all four receivers open",
    );

    // Another host takes partition 0 in the store and keeps its lease alive; its receiver is not open
    // yet, so nothing at the service tells the old owner: only the link fault does.
    const rival = stores.leaser();
    rival.setEventProcessorHost({
      hostName: "rival",
      fullyQualifiedNamespace: host.fullyQualifiedNamespace,
      eventHubName: "deposed",
      consumerGroup: "$Default",
    });
    await rival.acquireLease("0");
    const renewals = setInterval(() => void rival.renewLease("0").catch(() => undefined), 300);
    try {
      expect(emu.faults.stealReceivers("deposed", "0")).toBe(1);
      await waitFor(() => rec.closes.some((c) => c.partitionId === "0"), "partition 0 given up");
      await send(emu, "deposed", "0", 5, "p0-after");
      await send(emu, "deposed", "1", 5, "p1-after");
      await waitFor(() => rec.deliveries.filter((d) => d.partitionId === "1").length === 5, "partition 1 goes on");
      expect(rec.deliveries.filter((d) => d.partitionId === "0")).toEqual([]);
      expect(host.partitionIdsBeingProcessed()).toEqual(["1", "2", "3"]);
      expect(host.health().partitions.map((p) => p.partitionId)).toEqual(["1", "2", "3"]);
      expect(rec.errors.some((e) => e.operation === "receive" && e.partitionId === "0")).toBe(true);
    } finally {
      clearInterval(renewals);
    }
    await host.close();
  });

  it("a host cut off from its stores loses its partitions at lease expiry; another resumes them from the checkpoints", async () => {
    const stores = memoryStores();
    const rec = new Recorder();
    let cutOff = false;
    // A dead process's calls never arrive: they hang until the caller's deadline.
    const unreachable: MemoryStoreInterceptor = async (_call, apply) => {
      if (cutOff) return new Promise<never>(() => undefined);
      await Promise.resolve();
      return apply();
    };
    const leaser: Leaser = new MemoryLeaser({ store: stores.leases, interceptor: unreachable });
    const checkpointer = new MemoryCheckpointer({ store: stores.checkpoints, interceptor: unreachable });
    const victimStores = { ...stores, leaser: () => leaser, checkpointer: () => checkpointer };
    const victim = await memoryHost(emu, "crash", victimStores, rec, {
      hostName: "victim",
      checkpoint: { everyEvents: 10, everyMs: 200 },
    });
    await victim.startNonBlocking();
    await waitFor(() => victim.partitionIdsBeingProcessed().length === 4, "victim reads all");
    const survivorRec = new Recorder();
    const survivor = await memoryHost(emu, "crash", stores, survivorRec, { hostName: "survivor" });
    const producer = keepSending(emu, "crash", ["0", "1", "2", "3"]);
    await waitFor(() => rec.deliveries.length > 200, "victim processes events");
    await survivor.startNonBlocking();
    await waitFor(
      () => survivor.partitionIdsBeingProcessed().length === 2 && victim.partitionIdsBeingProcessed().length === 2,
      "survivor takes its share",
    );

    cutOff = true;
    const crashedAt = Date.now();
    const seenByVictim = new Set(rec.distinct());
    // The survivor takes the victim's partitions once their leases have gone unrenewed for a lease
    // duration, at most a scan interval after it could first tell.
    await waitFor(
      () => survivor.partitionIdsBeingProcessed().length === 4,
      "survivor reads every partition",
      fastTiming.leaseDuration + fastTiming.scanInterval + 3000,
    );
    // Not before the leases expired: the victim's last renewal landed up to one renewal interval
    // before the cut-off, so its leases may expire that much less than a lease duration after it.
    expect(Date.now() - crashedAt).toBeGreaterThanOrEqual(fastTiming.leaseDuration - fastTiming.renewalInterval);
    const bodies = await producer.stop();
    const seenBySurvivor = survivorRec.distinct();
    await waitFor(
      () => bodies.every((b) => seenByVictim.has(b) || seenBySurvivor.has(b)),
      "every event processed by one host or the other",
    );
    expect(victim.health().leasesHeld).toBe(0);
    await waitFor(
      () => rec.closes.filter((c) => c.host === "victim" && c.reason === "lost").length === 2,
      "the victim reports both partitions lost",
    );
    cutOff = false;
    await Promise.all([victim.close(), survivor.close()]);
  });
});
