import type { Checkpoint, HandlerID } from "@eph/core";
import { ManualClock } from "@eph/core/testing";
import { describe, expect, it } from "vitest";
import { type DispatchOutcome, EventDispatcher } from "../src/event-dispatcher.js";
import type { EventHandler } from "../src/handler.js";
import type { HandlerFailureAction, HostErrorInfo } from "../src/host-events.js";
import { RunningHandlers } from "../src/running-handlers.js";
import { event } from "./helpers.js";

function setup(handlers: EventHandler[], onFailure: HandlerFailureAction = "stopPartition", handlerTimeout?: number) {
  const clock = new ManualClock();
  const running = new RunningHandlers(clock);
  const controller = new AbortController();
  const registry = new Map<HandlerID, EventHandler>(handlers.map((h, i) => [`h${i}`, h]));
  const written: Checkpoint[] = [];
  const reports: HostErrorInfo[] = [];
  const dispatcher = new EventDispatcher({
    partitionId: "0",
    epoch: 3,
    signal: controller.signal,
    clock,
    random: () => 1,
    retry: { maxAttempts: 3, initialDelay: 100, maxDelay: 1000 },
    onFailure,
    handlers: () => [...registry.entries()],
    checkpointNow: async (position) => {
      await Promise.resolve();
      written.push(position);
    },
    report: (info) => reports.push(info),
    handlerTimeout,
    running,
  });
  return { clock, controller, registry, written, reports, dispatcher, running };
}

/** Runs a dispatch in the background, recording when it settled. */
function track(dispatched: DispatchOutcome | Promise<DispatchOutcome>) {
  const state: { outcome?: DispatchOutcome } = {};
  void Promise.resolve(dispatched).then((outcome) => {
    state.outcome = outcome;
  });
  return state;
}

function deferred() {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe("EventDispatcher", () => {
  it("retries a failing handler with exponential backoff on the injected clock", async () => {
    const attempts: number[] = [];
    let clockRef: ManualClock | undefined;
    const t = setup([
      async () => {
        attempts.push(clockRef?.now() ?? -1);
        if (attempts.length < 3) throw new Error(`fail ${attempts.length}`);
      },
    ]);
    clockRef = t.clock;
    const run = track(t.dispatcher.dispatch(event(1)));
    await t.clock.advance(0);
    expect(attempts).toEqual([0]);
    await t.clock.advance(99);
    expect(attempts).toEqual([0]);
    await t.clock.advance(1);
    expect(attempts).toEqual([0, 100]);
    await t.clock.advance(200);
    expect(attempts).toEqual([0, 100, 300]);
    expect(run.outcome).toEqual({ kind: "handled" });
    expect(t.reports.map((r) => [r.attempt, r.willRetry, (r.error as Error).message])).toEqual([
      [1, true, "fail 1"],
      [2, true, "fail 2"],
    ]);
  });

  it("synchronous handlers complete the event at once, without a promise to wait for", () => {
    const seen: string[] = [];
    const t = setup([
      (e) => {
        seen.push(`a${e.sequenceNumber}`);
      },
      (e) => {
        seen.push(`b${e.sequenceNumber}`);
      },
    ]);
    expect(t.dispatcher.dispatch(event(1))).toEqual({ kind: "handled" });
    expect(t.dispatcher.dispatch(event(2))).toEqual({ kind: "handled" });
    expect(seen).toEqual(["a1", "b1", "a2", "b2"]);
    expect(t.written).toEqual([]);
  });

  it("a synchronous handler that throws is retried on the same event, and only it", async () => {
    const calls: string[] = [];
    const t = setup([
      () => {
        calls.push("ok");
      },
      () => {
        calls.push("flaky");
        if (calls.length < 3) throw new Error("sync failure");
      },
    ]);
    const run = track(t.dispatcher.dispatch(event(7)));
    await t.clock.advance(0);
    expect(run.outcome).toBeUndefined();
    await t.clock.advance(100);
    expect(run.outcome).toEqual({ kind: "handled" });
    expect(calls).toEqual(["ok", "flaky", "flaky"]);
    expect(t.reports.map((r) => [r.handlerId, r.attempt, r.willRetry])).toEqual([["h1", 1, true]]);
  });

  it("a synchronous handler's checkpoint() waits for an asynchronous handler, then stores the position", async () => {
    const slow = deferred();
    let stored = false;
    const t = setup([
      (_e, context) => {
        void context.checkpoint().then(() => {
          stored = true;
        });
      },
      async () => {
        await slow.promise;
      },
    ]);
    const run = track(t.dispatcher.dispatch(event(3)));
    await t.clock.advance(0);
    expect(run.outcome).toBeUndefined();
    expect(t.written).toEqual([]);
    slow.resolve();
    await t.clock.advance(0);
    expect(run.outcome).toEqual({ kind: "handled" });
    expect(t.written.map((c) => c.sequenceNumber)).toEqual([3]);
    expect(stored).toBe(true);
    expect(t.dispatcher.lastCheckpointRequested).toBe(true);
  });

  it("checkpoint() stores the position only once every handler is done with the event", async () => {
    const slow = deferred();
    const t = setup([
      async (_e, context) => {
        await context.checkpoint();
      },
      async () => {
        await slow.promise;
      },
    ]);
    const run = track(t.dispatcher.dispatch(event(5)));
    await t.clock.advance(0);
    expect(t.written).toEqual([]);
    expect(run.outcome).toBeUndefined();
    slow.resolve();
    await t.clock.advance(0);
    expect(t.written.map((c) => c.sequenceNumber)).toEqual([5]);
    expect(run.outcome).toEqual({ kind: "handled" });
    expect(t.dispatcher.lastCheckpointRequested).toBe(true);
  });

  it("handlers that all call checkpoint() do not wait for each other forever", async () => {
    const t = setup([
      async (_e, c) => {
        await c.checkpoint();
      },
      async (_e, c) => {
        await c.checkpoint();
      },
    ]);
    const run = track(t.dispatcher.dispatch(event(2)));
    await t.clock.advance(0);
    expect(run.outcome).toEqual({ kind: "handled" });
    expect(t.written.map((c) => c.sequenceNumber)).toEqual([2]);
  });

  it("a checkpoint waits for another handler's retry, and is written after it succeeds", async () => {
    let failures = 0;
    const t = setup([
      async (_e, c) => {
        await c.checkpoint();
      },
      async () => {
        if (failures++ === 0) throw new Error("once");
      },
    ]);
    const run = track(t.dispatcher.dispatch(event(8)));
    await t.clock.advance(0);
    expect(t.written).toEqual([]);
    await t.clock.advance(100);
    expect(t.written.map((c) => c.sequenceNumber)).toEqual([8]);
    expect(run.outcome).toEqual({ kind: "handled" });
  });

  it("stopPartition: a handler failing for good blocks the event's checkpoint; checkpoint() rejects", async () => {
    let checkpointError: unknown;
    const t = setup([
      async (_e, c) => {
        await c.checkpoint().catch((error: unknown) => {
          checkpointError = error;
        });
      },
      async () => {
        throw new Error("always");
      },
    ]);
    const run = track(t.dispatcher.dispatch(event(4)));
    await t.clock.advance(1000);
    expect(run.outcome?.kind).toBe("failed");
    expect(t.written).toEqual([]);
    expect(checkpointError).toMatchObject({ code: "Aborted" });
    expect(t.reports.at(-1)).toMatchObject({ attempt: 3, willRetry: false, action: "stopPartition", handlerId: "h1" });
  });

  it("skipEvent: the event counts as processed after the last attempt", async () => {
    const t = setup(
      [
        async () => {
          throw new Error("poison");
        },
      ],
      "skipEvent",
    );
    const run = track(t.dispatcher.dispatch(event(9)));
    await t.clock.advance(1000);
    expect(run.outcome).toMatchObject({ kind: "skipped" });
    expect(t.reports.map((r) => r.action)).toEqual([undefined, undefined, "skipEvent"]);
  });

  it("stopping during a backoff ends the dispatch without completing the event", async () => {
    const t = setup([
      async () => {
        throw new Error("down");
      },
    ]);
    const run = track(t.dispatcher.dispatch(event(1)));
    await t.clock.advance(50);
    t.controller.abort();
    await t.clock.advance(0);
    expect(run.outcome).toEqual({ kind: "stopped" });
    expect(t.reports).toHaveLength(1);
  });

  it("a failing handler that is unregistered is not retried", async () => {
    const t = setup([
      async () => {
        throw new Error("bye");
      },
      async () => undefined,
    ]);
    const run = track(t.dispatcher.dispatch(event(1)));
    await t.clock.advance(0);
    t.registry.delete("h0");
    await t.clock.advance(100);
    expect(run.outcome).toEqual({ kind: "handled" });
    expect(t.reports).toHaveLength(1);
  });

  it("handlers see the partition, the epoch and the stop signal", async () => {
    const seen: unknown[] = [];
    const t = setup([
      async (_e, c) => {
        seen.push(c.partitionId, c.epoch, c.signal.aborted);
      },
    ]);
    await t.dispatcher.dispatch(event(1));
    expect(seen).toEqual(["0", 3, false]);
  });
});

describe("handlerTimeout", () => {
  it("a handler still running past it fails the attempt: reported with the event, its signal fired, retried", async () => {
    const signals: AbortSignal[] = [];
    let calls = 0;
    const t = setup(
      [
        (_e, context) => {
          signals.push(context.signal);
          // The first call never settles; the retry succeeds.
          if (++calls === 1) return new Promise<void>(() => undefined);
          return Promise.resolve();
        },
      ],
      "stopPartition",
      1000,
    );
    const state = track(t.dispatcher.dispatch(event(7)));
    await t.clock.advance(999);
    expect(t.reports).toEqual([]);
    expect(t.running.oldest()).toMatchObject({ handlerId: "h0", sequenceNumber: 7, since: 0 });
    await t.clock.advance(1);
    expect(t.reports.map((r) => [r.handlerId, r.event?.sequenceNumber, r.attempt, r.willRetry])).toEqual([
      ["h0", 7, 1, true],
    ]);
    expect(t.reports[0]?.error).toMatchObject({ code: "HandlerTimeout", partitionId: "0" });
    expect(signals[0]?.aborted).toBe(true);
    expect(t.controller.signal.aborted).toBe(false);
    await t.clock.advance(100);
    expect(state.outcome).toEqual({ kind: "handled" });
    expect(signals[1]?.aborted).toBe(false);
    // The stuck call is still running: health keeps showing it.
    expect(t.running.oldest()).toMatchObject({ sequenceNumber: 7, since: 0 });
  });

  it("with every attempt timing out, the failure policy applies", async () => {
    const t = setup([() => new Promise<void>(() => undefined)], "skipEvent", 500);
    const state = track(t.dispatcher.dispatch(event(1)));
    await t.clock.advance(10_000);
    expect(state.outcome).toMatchObject({ kind: "skipped", error: { code: "HandlerTimeout" } });
    expect(t.reports.map((r) => [r.attempt, r.willRetry, r.action])).toEqual([
      [1, true, undefined],
      [2, true, undefined],
      [3, false, "skipEvent"],
    ]);
  });

  it("a handler that declared itself done and then hangs does not hold the partition", async () => {
    const t = setup(
      [
        async (_e, context) => {
          await context.checkpoint();
          await new Promise<void>(() => undefined);
        },
      ],
      "stopPartition",
      1000,
    );
    const state = track(t.dispatcher.dispatch(event(2)));
    await t.clock.advance(0);
    expect(t.written.map((p) => p.sequenceNumber)).toEqual([2]);
    expect(state.outcome).toBeUndefined();
    await t.clock.advance(1000);
    expect(state.outcome).toEqual({ kind: "handled" });
    expect(t.reports.map((r) => [r.willRetry, (r.error as { code?: string }).code])).toEqual([
      [false, "HandlerTimeout"],
    ]);
  });
});
