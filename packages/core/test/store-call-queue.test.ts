import { describe, expect, it } from "vitest";
import { EphError, isEphError } from "../src/errors.js";
import { ManualClock } from "../src/manual-clock.js";
import { type StoreCallPriority, StoreCallQueue } from "../src/store-call-queue.js";

/** A store whose calls complete only when the test says so (or never), recording what was sent when. */
function slowStore(clock: ManualClock) {
  const sent: Array<{ name: string; at: number; finish: () => void; signal: AbortSignal }> = [];
  const call = (name: string) => (signal: AbortSignal) =>
    new Promise<string>((resolve) => {
      sent.push({ name, at: clock.now(), finish: () => resolve(name), signal });
    });
  return { sent, call };
}

function settleAll(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

describe("StoreCallQueue", () => {
  it("sends urgent calls first, FIFO within a priority", async () => {
    const clock = new ManualClock();
    const queue = new StoreCallQueue({ clock, maxConcurrentCalls: 1 });
    const store = slowStore(clock);
    const first = queue.run({ priority: "take", what: "blocker", timeout: 1000 }, store.call("blocker"));
    const order: StoreCallPriority[] = ["take", "routine", "release", "keep", "take", "keep"];
    const done = order.map((priority, i) =>
      queue.run({ priority, what: `${priority}-${i}`, timeout: 1000 }, store.call(`${priority}-${i}`)),
    );
    for (let i = 0; i <= order.length; i++) {
      await settleAll();
      store.sent[i]?.finish();
    }
    await Promise.all([first, ...done]);
    expect(store.sent.map((s) => s.name)).toEqual([
      "blocker",
      "keep-3",
      "keep-5",
      "release-2",
      "routine-1",
      "take-0",
      "take-4",
    ]);
  });

  it("never has more than maxConcurrentCalls in flight", async () => {
    const clock = new ManualClock();
    const queue = new StoreCallQueue({ clock, maxConcurrentCalls: 8 });
    let inFlight = 0;
    let most = 0;
    const calls = Array.from({ length: 100 }, (_, i) =>
      queue.run({ priority: i % 2 ? "keep" : "take", what: `call ${i}`, timeout: 1000 }, async () => {
        inFlight++;
        most = Math.max(most, inFlight);
        await new Promise<void>((resolve) => clock.setTimeout(resolve, 10));
        inFlight--;
      }),
    );
    await clock.advance(1000);
    await Promise.all(calls);
    expect(most).toBe(8);
    expect(queue.stats()).toMatchObject({ inFlight: 0, queued: 0, sent: 100 });
  });

  it("counts a call's deadline from when it is sent, not when it was queued", async () => {
    const clock = new ManualClock();
    const queue = new StoreCallQueue({ clock, maxConcurrentCalls: 1 });
    const store = slowStore(clock);
    void queue.run({ priority: "keep", what: "blocker", timeout: 1000 }, store.call("blocker"));
    const queued = queue.run({ priority: "keep", what: "Renewing partition 7", timeout: 1000 }, store.call("second"));
    await clock.advance(800);
    store.sent[0]?.finish(); // the blocker answers after 800 ms; the second is sent then
    await clock.advance(900); // 1 700 ms after queueing, 900 ms after sending: still within its deadline
    expect(store.sent[1]?.at).toBe(800);
    expect(store.sent[1]?.signal.aborted).toBe(false);
    store.sent[1]?.finish();
    await expect(queued).resolves.toBe("second");
  });

  it("fails a call at its deadline, aborting its signal, even when the store never answers", async () => {
    const clock = new ManualClock();
    const queue = new StoreCallQueue({ clock, maxConcurrentCalls: 2 });
    const store = slowStore(clock);
    const hung = queue.run({ priority: "keep", what: "Renewing partition 1", timeout: 500 }, store.call("hung"));
    const failure = hung.catch((error: unknown) => error);
    await clock.advance(500);
    const error = await failure;
    expect(isEphError(error, "StoreUnavailable")).toBe(true);
    expect((error as EphError).message).toContain("Renewing partition 1");
    expect(store.sent[0]?.signal.aborted).toBe(true);
    expect(queue.stats().deadlinesMissed.keep).toBe(1);
    expect(queue.stats().inFlight).toBe(0); // its slot is free again
  });

  it("evaluates a timeout function when the call is sent, and refuses to send one whose time is up", async () => {
    const clock = new ManualClock();
    const queue = new StoreCallQueue({ clock, maxConcurrentCalls: 1 });
    const store = slowStore(clock);
    void queue.run({ priority: "keep", what: "blocker", timeout: 5000 }, store.call("blocker"));
    const validUntil = 1000;
    const late = queue.run(
      { priority: "keep", what: "Renewing partition 2", timeout: () => validUntil - clock.now() },
      store.call("late"),
    );
    const failure = late.catch((error: unknown) => error);
    await clock.advance(1200);
    store.sent[0]?.finish();
    expect(isEphError(await failure, "StoreUnavailable")).toBe(true);
    expect(store.sent.map((s) => s.name)).toEqual(["blocker"]); // never sent
  });

  it("sends a renewal at once though 500 acquisitions are queued and every ordinary slot is busy", async () => {
    const clock = new ManualClock();
    const queue = new StoreCallQueue({ clock, maxConcurrentCalls: 32 });
    // Each acquisition takes 200 ms at the store: draining 500 of them 24 at a time takes seconds.
    const acquisitions = Array.from({ length: 500 }, (_, i) =>
      queue.run(
        { priority: "take", what: `Acquiring partition ${i}`, timeout: 1000 },
        () => new Promise<void>((resolve) => clock.setTimeout(resolve, 200)),
      ),
    );
    await clock.advance(50);
    let renewedAt: number | undefined;
    const renewal = queue.run({ priority: "keep", what: "Renewing partition 0", timeout: 1000 }, async () => {
      renewedAt = clock.now();
    });
    await clock.advance(1);
    await renewal;
    expect(renewedAt).toBe(50); // sent the moment it was queued: a quarter of the slots are kept for it
    await clock.advance(10_000);
    await Promise.all(acquisitions); // and none of the acquisitions missed its deadline meanwhile
    expect(queue.stats().deadlinesMissed).toEqual({ keep: 0, release: 0, routine: 0, take: 0 });
    expect(queue.stats().longestWait.take).toBeGreaterThan(3000);
  });

  it("halves the calls in flight when the store answers slower than half the deadline, and grows back", async () => {
    const clock = new ManualClock();
    const queue = new StoreCallQueue({ clock, maxConcurrentCalls: 32 });
    let latency = 600; // of a 1 000 ms deadline: a store buried by the fleet's burst
    const call = () =>
      queue.run(
        { priority: "take", what: "call", timeout: 1000 },
        () => new Promise<void>((resolve) => clock.setTimeout(resolve, latency)),
      );
    const slow = Array.from({ length: 64 }, call);
    await clock.advance(600);
    // The first 24 answered slowly, together: the bound was halved once for them, not 24 times.
    expect(queue.stats().allowed).toBe(16);
    expect(queue.stats().inFlight).toBeLessThanOrEqual(16);
    await clock.advance(120_000);
    await Promise.all(slow);
    expect(queue.stats().allowed).toBeLessThan(16);
    expect(queue.stats().deadlinesMissed.take).toBe(0);
    latency = 10;
    await clock.advance(1);
    const fast = Array.from({ length: 2000 }, call);
    await clock.advance(60_000);
    await Promise.all(fast);
    expect(queue.stats().allowed).toBe(32);
  });

  it("drops a queued call whose signal fires, without sending it", async () => {
    const clock = new ManualClock();
    const queue = new StoreCallQueue({ clock, maxConcurrentCalls: 1 });
    const store = slowStore(clock);
    void queue.run({ priority: "keep", what: "blocker", timeout: 1000 }, store.call("blocker"));
    const controller = new AbortController();
    const dropped = queue.run(
      { priority: "keep", what: "Renewing partition 3", timeout: 1000, abortSignal: controller.signal },
      store.call("dropped"),
    );
    controller.abort(new EphError("LeaseLost", "gone"));
    await expect(dropped).rejects.toMatchObject({ code: "LeaseLost" });
    store.sent[0]?.finish();
    await settleAll();
    expect(store.sent.map((s) => s.name)).toEqual(["blocker"]);
  });

  it("close() settles every queued and in-flight call at once, and refuses later ones", async () => {
    const clock = new ManualClock();
    const queue = new StoreCallQueue({ clock, maxConcurrentCalls: 1 });
    const store = slowStore(clock);
    const inFlight = queue.run({ priority: "release", what: "release", timeout: 60_000 }, store.call("release"));
    const queued = queue.run({ priority: "keep", what: "checkpoint", timeout: 60_000 }, store.call("checkpoint"));
    await settleAll();
    const reason = new EphError("Aborted", "closeTimeout reached");
    queue.close(reason);
    await expect(inFlight).rejects.toBe(reason);
    await expect(queued).rejects.toBe(reason);
    expect(store.sent[0]?.signal.aborted).toBe(true);
    await expect(queue.run({ priority: "keep", what: "late", timeout: 1 }, store.call("late"))).rejects.toBe(reason);
  });

  it.each([0, -1, 1.5, Number.NaN])("refuses maxConcurrentCalls %s naming the option", (bad) => {
    expect(() => new StoreCallQueue({ clock: new ManualClock(), maxConcurrentCalls: bad })).toThrow(
      /maxConcurrentCalls/,
    );
  });
});
