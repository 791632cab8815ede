import { MemoryCheckpointer, type MemoryStoreInterceptor } from "@eph/checkpointer-memory";
import { type Checkpoint, StoreCallQueue } from "@eph/core";
import { ManualClock } from "@eph/core/testing";
import { describe, expect, it } from "vitest";
import { CheckpointWriter } from "../src/checkpoint-writer.js";

const info = { hostName: "h", fullyQualifiedNamespace: "ns.example", eventHubName: "hub", consumerGroup: "$Default" };

function cp(sequenceNumber: number): Checkpoint {
  return { offset: String(sequenceNumber * 10), sequenceNumber, enqueuedTime: new Date(1_700_000_000_000) };
}

/** A checkpointer whose writes can be held, counting the writes that reach the store. */
function setup(options: { everyEvents?: number; everyMs?: number; epoch?: number; maxConcurrentCalls?: number } = {}) {
  const clock = new ManualClock();
  const calls = new StoreCallQueue({ clock, maxConcurrentCalls: options.maxConcurrentCalls ?? 32 });
  let hold: Promise<void> | undefined;
  let writes = 0;
  const interceptor: MemoryStoreInterceptor = async (call, apply) => {
    if (call.operation === "replace" || call.operation === "insert") {
      writes++;
      if (hold) await hold;
    }
    await Promise.resolve();
    return apply();
  };
  const checkpointer = new MemoryCheckpointer({ interceptor });
  checkpointer.setEventProcessorHost(info);
  const errors: [unknown, boolean][] = [];
  const writer = new CheckpointWriter(
    {
      partitionId: "0",
      epoch: options.epoch ?? 1,
      checkpointer,
      clock,
      calls,
      everyEvents: options.everyEvents ?? 100,
      everyMs: options.everyMs ?? 1000,
      timeout: 500,
      onError: (error, willRetry) => errors.push([error, willRetry]),
    },
    undefined,
  );
  return {
    clock,
    calls,
    checkpointer,
    writer,
    errors,
    get writes() {
      return writes;
    },
    holdWrites() {
      let release: () => void = () => undefined;
      hold = new Promise((resolve) => {
        release = () => {
          hold = undefined;
          resolve();
        };
      });
      return release;
    },
  };
}

describe("CheckpointWriter", () => {
  it("writes after everyEvents handled events", async () => {
    const t = setup({ everyEvents: 3 });
    await t.checkpointer.ensureStore();
    await t.checkpointer.ensureCheckpoint("0", { epoch: 1 });
    const before = t.writes;
    t.writer.handled(cp(0));
    t.writer.handled(cp(1));
    await t.clock.advance(0);
    expect(t.writes).toBe(before);
    t.writer.handled(cp(2));
    await t.clock.advance(0);
    expect(t.writes).toBe(before + 1);
    expect((await t.checkpointer.getCheckpoint("0"))?.sequenceNumber).toBe(2);
    expect(t.writer.checkpoint?.sequenceNumber).toBe(2);
  });

  it("writes at most everyMs after the first unwritten event", async () => {
    const t = setup({ everyEvents: 1000, everyMs: 1000 });
    await t.checkpointer.ensureStore();
    await t.checkpointer.ensureCheckpoint("0", { epoch: 1 });
    t.writer.handled(cp(0));
    await t.clock.advance(600);
    t.writer.handled(cp(1));
    await t.clock.advance(399);
    expect(await t.checkpointer.getCheckpoint("0")).toBeUndefined();
    await t.clock.advance(1);
    expect((await t.checkpointer.getCheckpoint("0"))?.sequenceNumber).toBe(1);
  });

  it("keeps at most one write in flight and coalesces a backlog into the next write", async () => {
    const t = setup({ everyEvents: 1 });
    await t.checkpointer.ensureStore();
    await t.checkpointer.ensureCheckpoint("0", { epoch: 1 });
    const before = t.writes;
    const release = t.holdWrites();
    for (let i = 0; i < 50; i++) t.writer.handled(cp(i));
    await t.clock.advance(0);
    expect(t.writes - before).toBe(1);
    release();
    await t.clock.advance(0);
    await t.writer.flush();
    // The first write carried event 0; everything handled meanwhile went out in ONE more write.
    expect(t.writes - before).toBe(2);
    expect((await t.checkpointer.getCheckpoint("0"))?.sequenceNumber).toBe(49);
  });

  it("flush() writes what is eligible and resolves once stored; nothing eligible costs nothing", async () => {
    const t = setup();
    await t.checkpointer.ensureStore();
    await t.checkpointer.ensureCheckpoint("0", { epoch: 1 });
    const before = t.writes;
    await t.writer.flush();
    expect(t.writes).toBe(before);
    t.writer.raise(cp(7));
    await t.writer.flush();
    expect((await t.checkpointer.getCheckpoint("0"))?.sequenceNumber).toBe(7);
    await t.writer.flush();
    expect(t.writes).toBe(before + 1);
  });

  it("a fenced writer stops writing and reports it as final", async () => {
    const t = setup({ epoch: 1 });
    await t.checkpointer.ensureStore();
    await t.checkpointer.ensureCheckpoint("0", { epoch: 2 });
    t.writer.raise(cp(3));
    await expect(t.writer.flush()).rejects.toMatchObject({ code: "CheckpointFenced" });
    expect(t.writer.isRefused).toBe(true);
    expect(t.errors.map(([e, retry]) => [(e as { code: string }).code, retry])).toEqual([["CheckpointFenced", false]]);
    t.writer.raise(cp(4));
    await expect(t.writer.flush()).rejects.toMatchObject({ code: "CheckpointFenced" });
    expect(await t.checkpointer.getCheckpoint("0")).toBeUndefined();
  });

  it("a write that outlives its deadline is reported and retried at the next interval", async () => {
    const t = setup({ everyEvents: 1, everyMs: 1000 });
    await t.checkpointer.ensureStore();
    await t.checkpointer.ensureCheckpoint("0", { epoch: 1 });
    const release = t.holdWrites();
    t.writer.handled(cp(0));
    await t.clock.advance(500);
    expect(t.errors.map(([e, retry]) => [(e as { code: string }).code, retry])).toEqual([["StoreUnavailable", true]]);
    release();
    await t.clock.advance(1000);
    expect((await t.checkpointer.getCheckpoint("0"))?.sequenceNumber).toBe(0);
  });

  it("a final write is not held behind a routine write the store-call queue has not sent", async () => {
    // 4 calls in flight at most, 1 of them kept for urgent calls: 3 slow acquisitions fill the rest,
    // so the writer's routine write waits in the queue, as it does while a host is cut off from its store.
    const t = setup({ everyEvents: 1, maxConcurrentCalls: 4 });
    await t.checkpointer.ensureStore();
    await t.checkpointer.ensureCheckpoint("0", { epoch: 1 });
    let unblock: () => void = () => undefined;
    const blocked = new Promise<void>((resolve) => {
      unblock = resolve;
    });
    const takes = [1, 2, 3].map(() =>
      t.calls.run({ priority: "take", what: "Acquiring", timeout: 60_000 }, () => blocked),
    );
    t.writer.handled(cp(4));
    await t.clock.advance(0);
    expect(t.calls.stats().queued, "the routine write waits unsent").toBe(1);

    t.writer.handled(cp(5));
    let stored = false;
    const final = t.writer.flush("keep").then(() => {
      stored = true;
    });
    for (let i = 0; i < 5; i++) await t.clock.advance(0);
    expect(stored, "the final write went ahead of the queued routine one").toBe(true);
    expect((await t.checkpointer.getCheckpoint("0"))?.sequenceNumber).toBe(5);
    expect(t.errors, "a withdrawn write is not a failure").toEqual([]);
    unblock();
    await Promise.all([final, ...takes]);
    await t.clock.advance(0);
    expect(t.calls.stats().queued).toBe(0);
  });
});
