import { describe, expect, it } from "vitest";
import {
  initialPhase,
  isLive,
  nextPhase,
  partitionStateOf,
  recordsCompletions,
  type WorkerPhase,
  type WorkerSignal,
} from "../src/worker-lifecycle.js";

const draining: WorkerPhase = { kind: "draining", reason: "shutdown" };
const failing: WorkerPhase = { kind: "draining", reason: "failed", error: "boom" };

function run(...signals: WorkerSignal[]): WorkerPhase {
  return signals.reduce(nextPhase, initialPhase);
}

describe("worker lifecycle", () => {
  it("a worker starts, receives, reconnects after a receiver error and receives again", () => {
    expect(initialPhase.kind).toBe("starting");
    expect(run({ type: "receiving" }).kind).toBe("receiving");
    expect(run({ type: "receiving" }, { type: "receiverFailed" }).kind).toBe("reconnecting");
    expect(run({ type: "receiving" }, { type: "receiverFailed" }, { type: "receiving" }).kind).toBe("receiving");
    // A receiver that fails before it delivered anything also reconnects.
    expect(run({ type: "receiverFailed" }).kind).toBe("reconnecting");
  });

  it("a partition taken from a live owner waits in handoff, and only then starts", () => {
    const handoff = run({ type: "awaitHandoff" });
    expect(handoff.kind).toBe("handoff");
    // Nothing is read during the handoff: a stray receiver signal does not end it.
    expect(nextPhase(handoff, { type: "receiving" }).kind).toBe("handoff");
    expect(nextPhase(handoff, { type: "receiverFailed" }).kind).toBe("handoff");
    expect(nextPhase(handoff, { type: "handedOver" }).kind).toBe("starting");
    // Only a starting worker begins a handoff wait.
    expect(run({ type: "receiving" }, { type: "awaitHandoff" }).kind).toBe("receiving");
  });

  it("stop drains from every live phase, keeping the reason", () => {
    for (const from of [
      [],
      [{ type: "awaitHandoff" }],
      [{ type: "receiving" }],
      [{ type: "receiverFailed" }],
    ] as const) {
      const phase = run(...from, { type: "stop", reason: "stolen" });
      expect(phase).toEqual({ kind: "draining", reason: "stolen" });
      expect(isLive(phase)).toBe(false);
      expect(recordsCompletions(phase)).toBe(true);
    }
  });

  it("a handler failing for good drains with reason failed and the error", () => {
    expect(run({ type: "receiving" }, { type: "handlerFailed", error: "boom" })).toEqual(failing);
  });

  it("the first reason to stop wins", () => {
    expect(nextPhase(draining, { type: "handlerFailed", error: "late" })).toBe(draining);
    expect(nextPhase(failing, { type: "stop", reason: "shutdown" })).toBe(failing);
  });

  it("a draining worker ignores its receiver and is sealed once its work is over, then closed", () => {
    for (const late of [{ type: "receiving" }, { type: "receiverFailed" }, { type: "awaitHandoff" }] as const) {
      expect(nextPhase(draining, late)).toBe(draining);
    }
    const flushing = nextPhase(draining, { type: "seal" });
    expect(flushing).toEqual({ kind: "flushing", reason: "shutdown" });
    expect(recordsCompletions(flushing)).toBe(false);
    expect(nextPhase(flushing, { type: "stop", reason: "lost" })).toBe(flushing);
    const closed = nextPhase(flushing, { type: "closed" });
    expect(closed).toEqual({ kind: "closed", reason: "shutdown" });
    for (const late of [{ type: "receiving" }, { type: "stop", reason: "lost" }, { type: "seal" }] as const) {
      expect(nextPhase(closed, late)).toBe(closed);
    }
  });

  it("seal and closed mean nothing to a live worker (only a stop leads there)", () => {
    const receiving = run({ type: "receiving" });
    expect(nextPhase(receiving, { type: "seal" })).toBe(receiving);
    expect(nextPhase(receiving, { type: "closed" })).toBe(receiving);
    expect(nextPhase(draining, { type: "closed" })).toBe(draining);
  });

  it("health shows stopping until a failed partition is closed, then failed", () => {
    expect(partitionStateOf(run({ type: "receiverFailed" }))).toBe("reconnecting");
    expect(partitionStateOf(failing)).toBe("stopping");
    const closedFailed = nextPhase(nextPhase(failing, { type: "seal" }), { type: "closed" });
    expect(partitionStateOf(closedFailed)).toBe("failed");
    expect(partitionStateOf({ kind: "closed", reason: "handoff" })).toBe("stopping");
  });
});
