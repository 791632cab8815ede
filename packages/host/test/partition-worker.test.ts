import { describe, expect, it } from "vitest";
import { event } from "./helpers.js";
import { receiving, setup } from "./scripted-worker.js";

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
